#!/usr/bin/env bash
# bench/run_fuzz.sh [EXECS] [TARGET...]: the fuzz targets (tests/fuzz/targets.h) under AFL++,
# coverage-guided and in persistent mode, each for about EXECS executions (default 10,000,000), one
# after the other on one core (run two with different targets to use two). Built with afl-g++-fast
# (GCC's plugin: Debian 12's clang cannot compile libstdc++ 12's std::expected) into build-afl/,
# with the plugin's copy from bench/afl_path.sh. Reports executions, speed, coverage, paths,
# crashes and hangs per target in bench/out/fuzz/<target>.summary, and all of them in
# bench/out/fuzz/summary.txt (the table of RESULTS.md, "Fuzzing"). A crash or hang is copied into
# tests/fuzz/corpus/<target>/found-* so that fuzz_smoke replays it in every test run after the fix:
#   build/tests/fuzz/fuzz_smoke <target> tests/fuzz/corpus/<target>/found-…
# ORGLEDGER_FUZZ_RESUME=1 goes on from a target's earlier run in bench/out/fuzz/<target> (AFL++'s
# `-i -`: its queue, and its executions counted towards EXECS) instead of starting from the seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
execs=${1:-10000000}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(envelope command_json http_request snapshot checkpoint_proof)

export AFL_PATH=$PWD/build-afl/afl-path
[ -f "$AFL_PATH/afl-gcc-pass.so" ] || bench/afl_path.sh "$AFL_PATH"
if [ ! -f build-afl/build.ninja ]; then
  CC=afl-gcc-fast CXX=afl-g++-fast cmake -S . -B build-afl -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DORGLEDGER_FUZZ_AFL=ON >/dev/null
fi
cmake --build build-afl -j "${ORGLEDGER_JOBS:-2}" --target $(printf 'fuzz_afl_%s ' "${targets[@]}")

out=bench/out/fuzz
mkdir -p "$out"
header() { printf '%-17s %12s %9s %8s %7s %8s %7s %6s\n' target executions "execs/s" seconds paths coverage crashes hangs; }
for target in "${targets[@]}"; do
  if [ "${ORGLEDGER_FUZZ_RESUME:-0}" = 1 ] && [ -f "$out/$target/default/fuzzer_stats" ]; then
    input=-
  else
    rm -rf "${out:?}/$target"
    # The seeds only (found-* are crashes already fixed: replayed by fuzz_smoke, not fuzzed from).
    input=$(mktemp -d)
    cp tests/fuzz/corpus/"$target"/seed-* "$input"/
  fi
  AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
    afl-fuzz -i "$input" -o "$out/$target" -E "$execs" -t 1000 -- "build-afl/tests/fuzz/fuzz_afl_$target" \
    >"$out/$target.log" 2>&1 || { echo "afl-fuzz failed for $target: see $out/$target.log" >&2; tail -20 "$out/$target.log" >&2; exit 1; }
  [ "$input" = - ] || rm -rf "$input"
  stats="$out/$target/default/fuzzer_stats"
  stat() { awk -F': *' -v key="$1" '$1 ~ "^"key" *$" {print $2}' "$stats"; }
  started=$(stat start_time); ended=$(stat last_update)
  printf '%-17s %12s %9s %8s %7s %8s %7s %6s\n' "$target" "$(stat execs_done)" "$(stat execs_per_sec)" \
    "$((ended - started))" "$(stat corpus_count)" "$(stat bitmap_cvg)" "$(stat saved_crashes)" "$(stat saved_hangs)" \
    >"$out/$target.summary"
  for found in "$out/$target"/default/crashes/id:* "$out/$target"/default/hangs/id:*; do
    [ -e "$found" ] || continue
    kind=$(basename "$(dirname "$found")")
    cp "$found" "tests/fuzz/corpus/$target/found-${kind}-$(sha256sum "$found" | cut -c1-16)"
  done
done
{ header; cat "$out"/*.summary; } >"$out/summary.txt"
cat "$out/summary.txt"
