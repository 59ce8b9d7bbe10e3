// `orgledger serve [--listen HOST:PORT] [--rate-limit N/min] [--refusal-limit N/min] [--calendar FILE] [--max-connections N]
//  [--no-access-log] [limits of issue 11] [--tls-cert F --tls-key F] [--allow-plaintext] [--origin NAME]
//  [--checkpoint-key FILE] [--cluster URLS --node NAME [--advertise URL] [--cluster-retention N]]`: the HTTP
// API (API.md) over the data directory, with the scheduler (S6, A5) running beside it. SIGTERM or
// SIGINT: stop accepting, finish what is in flight, close the store.
// With --cluster (issue 18) the node is a replica of the JetStream log until it wins the writer's
// lease; a writer that must step down closes everything and starts again in place (execv) as a
// replica, which re-syncs from the stream: the simplest way to leave no state of its term behind.
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>

#include <csignal>
#include <cstring>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

#include <unistd.h>

#include "cli_args.h"
#include "cluster_membership.h"
#include "cluster_signer.h"
#include "orgledger/vault/vault.h"
#include "data_dir.h"
#include "orgledger/api/admin_socket.h"
#include "orgledger/api/server.h"
#include "orgledger/api/token_store.h"
#include "orgledger/ledger/checkpointer.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/store_copy.h"
#include "orgledger/projections/snapshot.h"
#include "served_state.h"
#include "query_support.h"
#include "subcommands.h"

namespace orgledger::tools {
namespace {

void parse_listen(const std::string& text, api::ServerOptions& options) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw UsageError("--listen is HOST:PORT, not '" + text + "'");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);  // [::1]:8080
  unsigned port = 0;
  const auto digits = std::string_view(text).substr(colon + 1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (host.empty() || digits.empty() || error != std::errc() || end != digits.data() + digits.size() || port > 65535) {
    throw UsageError("--listen is HOST:PORT, not '" + text + "'");
  }
  options.host = host;
  options.port = static_cast<std::uint16_t>(port);
}

std::uint32_t parse_rate_limit(const std::string& text, const char* option) {
  constexpr std::string_view kUnit = "/min";
  std::uint32_t per_minute = 0;
  const std::string_view view(text);
  const auto number = view.ends_with(kUnit) ? view.substr(0, view.size() - kUnit.size()) : view;
  const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), per_minute);
  if (number.empty() || error != std::errc() || end != number.data() + number.size()) {
    throw UsageError(std::string(option) + " is N/min (per minute per token), not '" + text + "'");
  }
  return per_minute;
}

// API.md (TLS): plain HTTP only on the loopback (127.0.0.0/8, ::1), unless --allow-plaintext.
bool is_loopback(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  unsigned first = 0;
  const auto dot = host.find('.');
  const auto [end, error] = std::from_chars(host.data(), host.data() + dot, first);
  return dot != std::string::npos && error == std::errc() && end == host.data() + dot && first == 127;
}

// RocksDB's memtables grow in 1 MiB arena blocks (min(1 MiB, write_buffer_size / 8)) and are
// freed by the megabyte at each flush. Taken from glibc's heap, those blocks leave holes that the
// state's long-lived small allocations split, so the next memtable's blocks extend the heap:
// resident memory climbed a step at every flush and never came down (the soak of issue 17,
// bench/RESULTS.md). Mapped each on its own (a fixed threshold below their size, which glibc then
// no longer raises after the first free), they go back to the system when freed, and resident
// memory follows the store's bounded memtables and block cache (store.cc).
void return_freed_memory_to_the_system() { mallopt(M_MMAP_THRESHOLD, 512 * 1024); }

// What serve prints once it listens: where, and how to get a first token when there is none.
void print_banner(const api::ServerOptions& options, const api::Server& server, const ledger::Ledger& ledger,
                  api::TokenStore& tokens) {
  const std::string base = std::string(options.tls_certificate_file.empty() ? "http://" : "https://") +
                           (options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host) +
                           ":" + std::to_string(server.port());
  std::printf("orgledger serving %s on %s (head position %llu, %zu API tokens)\n", options.data_directory.c_str(),
              base.c_str(), static_cast<unsigned long long>(ledger.head().position), tokens.list().size());
  if (tokens.list().size() == 0) {
    // Paths as this process knows them, so the lines can be pasted from any directory.
    std::error_code ignored;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ignored);
    const auto data = std::filesystem::absolute(options.data_directory, ignored);
    std::printf(
        "\nNo API token yet. In another terminal, create one (it is printed once) and ask:\n"
        "  TOKEN=$(%s token create --data %s --name me --scopes admin --principal svc:manager --act-as '*')\n"
        "  curl -H \"Authorization: Bearer $TOKEN\" '%s/v1/events?limit=5'\n",
        self.empty() ? "orgledger" : self.c_str(), data.c_str(), base.c_str());
  }
  std::printf("Stop with SIGTERM or Ctrl-C. Commands are taken once the state is rebuilt (\"orgledger ready\").\n");
  std::fflush(stdout);
}

// A writer that stepped down comes back as a replica: the same program and arguments, a fresh
// process image (the signal mask, which execv keeps, is set again by serve itself).
[[noreturn]] void restart_in_place(const Args& raw) {
  std::vector<std::string> words{"/proc/self/exe", "serve"};
  words.insert(words.end(), raw.begin(), raw.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  execv("/proc/self/exe", argv.data());
  std::fprintf(stderr, "orgledger serve: could not restart in place: %s\n", std::strerror(errno));
  std::_Exit(kExitUsageOrIo);
}

}  // namespace

int serve_command(const Args& raw) {
  return_freed_memory_to_the_system();
  const CliArgs args(raw, {{"data", "listen", "rate-limit", "refusal-limit", "calendar", "max-connections", "threads", "snapshot-every",
                            "costly-per-token", "costly-threads", "costly-queue", "as-of-cache",
                            "max-connections-per-address", "reserved-connections", "header-timeout",
                            "max-subscribers-per-token", "tls-cert", "tls-key", "master-key-file", "origin", "checkpoint-key",
                            "public-rate-limit", "keep-versions", "cluster", "node", "advertise", "cluster-stream",
                            "cluster-retention"},
                           {"no-access-log", "allow-plaintext", "pipelined-writer"}});
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  api::ServerOptions options;
  if (auto listen = args.value("listen")) parse_listen(*listen, options);
  if (auto limit = args.value("rate-limit")) options.rate_limit_per_minute = parse_rate_limit(*limit, "--rate-limit");
  if (auto limit = args.value("public-rate-limit")) {
    options.public_rate_limit_per_minute = parse_rate_limit(*limit, "--public-rate-limit");
  }
  if (auto limit = args.value("refusal-limit")) {
    options.refusal_limit_per_minute = parse_rate_limit(*limit, "--refusal-limit");
    if (options.refusal_limit_per_minute == 0) throw UsageError("--refusal-limit is at least 1/min");
  }
  if (auto cap = args.number("max-connections")) options.max_connections = std::max<std::uint64_t>(1, *cap);
  if (args.flag("no-access-log")) options.access_log = nullptr;
  if (auto threads = args.number("threads")) options.io_threads = std::clamp<std::uint64_t>(*threads, 1, 64);
  // Costly queries held in check (issue 11).
  if (auto n = args.number("costly-per-token")) options.costly_per_token = std::max<std::uint64_t>(1, *n);
  if (auto n = args.number("costly-threads")) options.costly_threads = std::clamp<std::uint64_t>(*n, 1, 64);
  if (auto n = args.number("costly-queue")) options.costly_queue = *n;
  if (auto n = args.number("as-of-cache")) options.as_of_cache_entries = *n;
  if (auto n = args.number("max-connections-per-address")) options.max_connections_per_address = std::max<std::uint64_t>(1, *n);
  if (auto n = args.number("reserved-connections")) options.reserved_connections = *n;
  if (auto n = args.number("header-timeout")) options.header_timeout = std::chrono::seconds(std::max<std::uint64_t>(1, *n));
  if (auto n = args.number("max-subscribers-per-token")) options.max_subscribers_per_token = std::max<std::uint64_t>(1, *n);
  const auto tls_cert = args.value("tls-cert");
  const auto tls_key = args.value("tls-key");
  if (tls_cert.has_value() != tls_key.has_value()) throw UsageError("--tls-cert and --tls-key go together");
  if (tls_cert) {
    options.tls_certificate_file = *tls_cert;
    options.tls_key_file = *tls_key;
  } else if (!is_loopback(options.host) && !args.flag("allow-plaintext")) {
    std::fprintf(stderr,
                 "orgledger serve: refusing to serve plain HTTP on %s, outside the loopback: tokens would cross the "
                 "network in clear. Give --tls-cert F --tls-key F, or --allow-plaintext (behind a TLS proxy)\n",
                 options.host.c_str());
    return kExitUsageOrIo;
  }
  const auto& calendar = calendar_of(args);
  options.data_directory = data_directory(args);

  // Signals are taken by sigwait below: blocked before any thread starts, so every thread inherits
  // the mask and none is interrupted.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGUSR1);  // the state's rebuild failed (ServedState)
  sigaddset(&stop_signals, SIGUSR2);  // issue 18: this writer steps down (ClusterMembership)
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A reader of our stderr (the access log) that goes away must not end the process uncleanly.
  std::signal(SIGPIPE, SIG_IGN);
  // Each connection is a file descriptor; the store needs its own too.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
    options.max_connections = std::min<std::size_t>(options.max_connections,
                                                    files.rlim_cur > 512 ? files.rlim_cur - 256 : files.rlim_cur / 2);
  }

  const auto cluster_config = cluster_options(args, "http://" + (options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host) +
                                                       ":" + std::to_string(options.port));
  if (cluster_config && options.port == 0 && !args.value("advertise")) {
    throw UsageError("--cluster with an ephemeral port needs --advertise URL");
  }
  const auto& clock = ledger::system_clock();
  // Issue 18: a copy of a peer's store, downloaded because the stream no longer kept what this
  // store lacked, replaces the store before it opens (or finishes replacing it, after a crash).
  if (auto installed = ledger::install_store_copy(ledger::Env::system(), options.data_directory); !installed) {
    std::fprintf(stderr, "orgledger serve: installing a copy of a peer's store: %s\n", installed.error().message.c_str());
    return kExitUsageOrIo;
  } else if (*installed) {
    std::fprintf(stderr, "orgledger serve: installed the copy of a peer's store\n");
  }
  // --pipelined-writer: a group costly to decide is written and fsynced by a second thread while
  // the next is decided (ledger.h; slower on the 2-core machines measured, for slow fsyncs).
  auto ledger = ledger::Ledger::open(options.data_directory,
                                     {.clock = &clock, .pipelined_writer = args.flag("pipelined-writer"),
                                      .replicated = cluster_config.has_value()});
  if (!ledger) {
    std::fprintf(stderr, "orgledger serve: %s\n", ledger.error().message.c_str());
    return kExitUsageOrIo;
  }
  // G1: the data keys, in their own key store beside the log, wrapped by the master key.
  vault::Options vault_options{.directory = options.data_directory + "/vault"};
  if (auto file = args.value("master-key-file")) vault_options.master_key_file = *file;
  auto vault = vault::Vault::open(vault_options);
  if (!vault) {
    std::fprintf(stderr, "orgledger serve: the vault: %s\n", vault.error().message.c_str());
    return kExitUsageOrIo;
  }
  const auto snapshot_every = args.number("snapshot-every").value_or(projections::kDefaultSnapshotEvery);
  auto note = [](const std::string& text) { std::fprintf(stderr, "orgledger serve: %s\n", text.c_str()); };
  // Issue 14: checkpoints signed while the log grows; a store behind its last one is refused.
  ledger::CheckpointerOptions signer{.origin = args.value("origin").value_or(""),
                                     .key_file = args.value("checkpoint-key").value_or(""), .note = note};
  // Issue 18: in a cluster, every node signs as the same log.
  if (cluster_config) {
    if (auto adopted = adopt_cluster_signer(*cluster_config, **ledger, **vault, signer, note); !adopted) {
      std::fprintf(stderr, "orgledger serve: checkpoints: %s\n", adopted.error().c_str());
      return kExitUsageOrIo;
    }
  }
  auto checkpoints = ledger::Checkpointer::start(**ledger, std::move(signer));
  if (!checkpoints) {
    std::fprintf(stderr, "orgledger serve: checkpoints: %s\n", checkpoints.error().message.c_str());
    return kExitUsageOrIo;
  }
  auto tokens = api::TokenStore::open(**ledger);
  if (!tokens) {
    std::fprintf(stderr, "orgledger serve: %s\n", tokens.error().message.c_str());
    return kExitUsageOrIo;
  }
  auto admin = api::AdminSocket::start(api::admin_socket_path(options.data_directory), **tokens, clock, (*ledger)->env());
  if (!admin)
    std::fprintf(stderr, "orgledger serve: %s (token create needs the server stopped)\n", admin.error().c_str());
  ClusterMembership membership;
  // Serves first (issue 15): what the log alone answers is answered while the state is rebuilt.
  auto server = api::Server::start(options, {**ledger, nullptr, **tokens, calendar, clock, checkpoints->get(), vault->get(),
                                             cluster_config ? &membership : nullptr});
  if (!server) {
    std::fprintf(stderr, "orgledger serve: %s\n", server.error().c_str());
    return kExitUsageOrIo;
  }
  print_banner(options, **server, **ledger, **tokens);
  // SIGTERM or SIGINT (or SIGUSR1: the rebuild failed) stops the server from this thread, while
  // the main thread rebuilds the state; what the server answers meanwhile is said in server.h.
  int received = 0;
  std::thread stopper([&] {
    sigwait(&stop_signals, &received);
    if (received == SIGUSR2) {
      std::fprintf(stderr, "orgledger serve: restarting in place, as a replica\n");
    } else if (received != SIGUSR1) {
      std::fprintf(stderr, "orgledger serve: %s: finishing the requests in flight\n",
                   received == SIGTERM ? "SIGTERM" : "SIGINT");
    }
    (*server)->stop();
  });
  std::optional<ServedState> state;
  state.emplace(ServedStateParts{.ledger = **ledger, .clock = clock, .calendar = calendar, .vault = **vault,
                                 .server = **server, .snapshot_every = snapshot_every,
                                 .keep_versions = args.number("keep-versions"), .note = note,
                                 .schedule_at_once = !cluster_config,
                                 .forget_shared = cluster_config ? commands::CommandProcessor::ForgetShared(
                                                                       [&membership](std::span<const std::string> keys, ledger::Position through) {
                                                                         return membership.forget_keys(keys, through);
                                                                       })
                                                                 : nullptr});
  if (cluster_config) {
    auto joined = membership.join(*cluster_config, **ledger, *state, **tokens, **vault, note);
    if (!joined) {
      std::fprintf(stderr, "orgledger serve: the cluster: %s\n", joined.error().message.c_str());
      kill(getpid(), SIGUSR1);  // wakes the stopper
    }
  }
  const auto rebuilt = state->rebuild();
  if (!rebuilt) {
    std::fprintf(stderr, "orgledger serve: %s\n", rebuilt.error().message.c_str());
    kill(getpid(), SIGUSR1);  // wakes the stopper
  }
  stopper.join();
  admin = std::unexpected(std::string());  // closes the admin socket
  membership.detach_hooks();  // no more calls into the state
  state.reset();  // the snapshot at shutdown; the commands in flight
  membership.leave();  // after the commands in flight: a writer's still go out through it
  server->reset();
  checkpoints->reset();  // signs the last commands' tree
  ledger->reset();     // flushes and closes the store
  if (!rebuilt) return kExitUsageOrIo;
  if (received == SIGUSR2) restart_in_place(raw);
  std::fprintf(stderr, "orgledger serve: stopped cleanly\n");
  return kExitOk;
}

}  // namespace orgledger::tools
