#!/usr/bin/env bash
# Start-up to serving (issue 15): `orgledger serve` on a large store, timed from its start to
#   - the first answer about one organization (GET /v1/orgs/<org>/members: from the organization's
#     streams while the state is still rebuilt), and
#   - "orgledger ready" (the state rebuilt from its snapshot: commands are taken).
# Each run ends with SIGTERM, which stores a snapshot at the head: the runs after the first start
# from it.
#
#   bench/run_replay_bench.sh with REPLAY_BENCH_ARGS="… --keep-store DIR" writes such a store;
#   bench/run_startup_bench.sh DIR [RUNS] [ORG]     (RUNS default 3, ORG default o1)
set -euo pipefail

readonly store=${1:?usage: bench/run_startup_bench.sh STORE [RUNS] [ORG]}
readonly runs=${2:-3}
readonly org=${3:-o1}
readonly cli=${ORGLEDGER_CLI:-/work/main/build/tools/orgledger}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

token=$("$cli" token create --data "$store" --name "startup-bench-$$" --scopes read 2>/dev/null)
now() { date +%s.%N; }
for run in $(seq 1 "$runs"); do
  : >"$work/out"
  started=$(now)
  "$cli" serve --data "$store" --listen 127.0.0.1:0 --no-access-log >"$work/out" 2>"$work/err" &
  pid=$!
  port=""
  while [[ -z $port ]]; do
    port=$(sed -n 's|^orgledger serving .* on http://127.0.0.1:\([0-9]*\) .*|\1|p' "$work/out")
    kill -0 "$pid" 2>/dev/null || { cat "$work/err" >&2; exit 1; }
    sleep 0.002
  done
  listening=$(now)
  until [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/v1/orgs/$org/members") == 200 ]]; do sleep 0.002; done
  answered=$(now)
  # Then no more polling (on 2 cores it slows the rebuild): serve says how long the rebuild took.
  until grep -q '^orgledger ready' "$work/out"; do sleep 0.2; done
  rebuild=$(sed -n 's|^orgledger ready: .* in \([0-9.]*\) s;.*|\1|p' "$work/out")
  kill -TERM "$pid"
  wait "$pid" || true
  awk -v s="$started" -v l="$listening" -v a="$answered" -v r="$rebuild" -v run="$run" 'BEGIN {
    printf "run %d: listening %.3f s, first organization answered %.3f s, ready for commands %.3f s\n", run, l - s, a - s, l - s + r }'
done
"$cli" token revoke --data "$store" "startup-bench-$$" >/dev/null
