// The subcommands of `orgledger` (API.md, command line): names, entry points and one-line usages.
#include "subcommand_table.h"

namespace orgledger::tools {
namespace {

constexpr Subcommand kSubcommands[] = {
    {"serve", serve_command,
     "serve [--listen HOST:PORT] [--rate-limit N/min] [--refusal-limit N/min (60)] [--calendar FILE] [--max-connections N] [--threads N] "
     "[--snapshot-every N] [--no-access-log] [--costly-per-token N (2)] [--costly-threads N (1)] "
     "[--costly-queue N (8)] [--as-of-cache N (4)] [--max-connections-per-address N (64)] "
     "[--reserved-connections N (128)] [--header-timeout SECONDS (5)] [--max-subscribers-per-token N (8)] "
     "[--tls-cert F --tls-key F] [--allow-plaintext] [--master-key-file F] [--origin NAME] [--checkpoint-key F] [--public-rate-limit N/min (600)] [--keep-versions N (0)] [--pipelined-writer] [--cluster nats://H:P[,…] --node NAME [--advertise URL] [--cluster-stream NAME] [--cluster-retention GROUPS]]   HTTP API (default 127.0.0.1:8080; plain HTTP only on "
     "loopback unless --allow-plaintext)", false},
    {"token", token_command,
     "token create --name N --scopes a,b [--principal P] [--act-as A,B] [--expires-in 90d|12h|30m|45s] [--json]   "
     "create an API token (printed once; only its hash is stored); token list [--json]; token revoke NAME", false},
    {"submit", submit_command,
     "submit [--file F] [--calendar FILE] [--master-key-file F] [--origin NAME] [--checkpoint-key F] [--json]   submit commands (one JSON object, or JSON Lines) from F or stdin", true},
    {"check", check_command,
     "check --org O --user U --action A [--product P] [--scope S] [--resource R] [--as-of X] [--at T] [--explain] "
     "[--json]", true},
    {"members", members_command, "members ORG [--as-of X] [--json]   members, roles, product access", true},
    {"abuse", abuse_command,
     "abuse [--status open|breached|at_risk] [--at T] [--as-of X] [--calendar FILE] [--reveal-reporter] "
     "[--reveal-personal-data] [--json]   abuse reports and their SLA", true},
    {"partners", partners_command,
     "partners ORG [--as-of X] [--json]   the organization's partner relations, as client and as partner (C5)", true},
    {"renewals", renewals_command,
     "renewals ORG [--as-of X] [--at T] [--json]   products' expiry and auto-renewal (B4)", true},
    {"user", user_command,
     "user USER [--as-of X] [--at T] [--reveal-personal-data] [--json]   a user's login (G3) and organizations", true},
    {"identity-verification", identity_verification_command,
     "identity-verification CASE [--as-of X] [--at T] [--reveal-personal-data] [--json]   an identity check (K1-K4)", true},
    {"order", order_command, "order ORDER [--as-of X] [--at T] [--json]   a blocked order (K5)", true},
    {"events", events_command,
     "events [--from N] [--limit N] [--stream S] [--follow] [--reveal-personal-data|--reveal-reporter] [--json]   "
     "read the log", true},
    {"access-history", access_history_command,
     "access-history --org O --product P [--from X] [--to X] [--json]   who could access it, in which intervals, and "
     "why", true},
    {"who-can", who_can_command,
     "who-can --org O --action A [--product P] [--as-of X] [--at T] [--json]   every user who can, with the reasons", true},
    {"what-can", what_can_command,
     "what-can --org O --user U [--as-of X] [--at T] [--json]   every product and action the user can, with the "
     "reasons", true},
    {"replay", replay_command,
     "replay --to X [--json]   rebuild every projection as of X; one digest per projection (--json: positions and "
     "digests only)", false},
    {"diff", diff_command,
     "diff --from X --to Y [--org O] [--json]   what changed between two points: members, roles, access, teams, "
     "grants", false},
    {"export", export_command,
     "export --format jsonl|csv [--from X] [--to X] [--reveal-reporter] [--reveal-personal-data]   events for auditors, verifiable offline (see "
     "README)", false},
    {"verify", verify_command,
     "verify [--checkpoint FILE [--public-key KEY]] [--json]   check the whole hash chain and the Merkle tree, read-only; "
     "exit 1 and the first bad position if broken, or if the log does not contain the checkpoint's tree", false},
    {"proof", proof_command,
     "proof inclusion --position P [--tree-size N] | proof consistency --from M --to N   Merkle proofs (RFC 6962) as "
     "JSON; the tree size defaults to the latest checkpoint's", true},
    {"checkpoint", checkpoint_command,
     "checkpoint [--at-size N]   the latest signed checkpoint (C2SP note), or the one of size N (exit 1 when none)", true},
    {"keys", keys_command,
     "keys rotate-master [--master-key-file OLD] [--new-master-key-file NEW]   re-wrap every data key under a new "
     "master key (G1); the server must be stopped", false},
    {"demo", demo_command,
     "demo   append a short sample story to the data directory, print it and verify the chain", false},
    {"cluster", cluster_command,
     "cluster status --cluster nats://HOST:PORT[,…] [--json]   the cluster's nodes, its writer and each node's lag "
     "in positions (issue 18)", false},
    {"completion", completion_command,
     "completion bash   print the bash completion script (generated from this table; packages install it)", false},
};

}  // namespace

std::span<const Subcommand> subcommands() { return kSubcommands; }

void print_usage(std::FILE* out) {
  std::fprintf(out,
               "usage: orgledger SUBCOMMAND [options]\n"
               "       orgledger --version | --help\n\n"
               "Every subcommand takes --data DIR (else $ORGLEDGER_DATA, else ./orgledger-data) and --help.\n"
               "Those marked [remote] also run against a server: --server URL (else $ORGLEDGER_SERVER, unless\n"
               "--data is given) with the token in $ORGLEDGER_TOKEN; --cacert F trusts a certificate for https.\n\n");
  for (const auto& sub : kSubcommands) {
    std::fprintf(out, "  %.*s%s\n", static_cast<int>(sub.summary.size()), sub.summary.data(),
                 sub.remote ? "   [remote]" : "");
  }
  std::fprintf(out, "\nExit codes: 0 success, 1 rejected or check failed, 2 usage or I/O error.\n");
}

}  // namespace orgledger::tools
