#!/usr/bin/env bash
# SIGKILL at scale (issue 17): ROUNDS (default 100) kill rounds of a real `orgledger serve` under
# 16 concurrent HTTP writers, while it snapshots (every 500 events) and signs checkpoints; after each
# round every acknowledged command must be in the log at its position, the commands in flight at
# the kill are resent and must be applied at most once, and `verify` must pass. ctest runs 5 rounds
# of the same driver (tests/system/kill_rounds.py). Prints the rounds and a summary line.
#
#   bench/run_kill_rounds.sh [ROUNDS]     ORGLEDGER_SEED=N replays the kill moments
set -euo pipefail
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=${1:-100}
"$source_dir/scripts/build" >/dev/null
exec python3 "$source_dir/tests/system/kill_rounds.py" --orgledger "$source_dir/build/tools/orgledger" \
  --rounds "$rounds" --writers 16
