# Shared by the bench/run_*_bench.sh scripts (sourced, not run): the machine's description and the
# rewriting of a generated section of bench/RESULTS.md.

# The machine as each results section states it; $1: the directory the scratch stores go under.
machine_description_lines() {
  local parent=$1 model memory filesystem  # not bench_parent: the callers' is readonly
  model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  filesystem=$(df -PT "$parent" | awk 'NR == 2 { printf "%s (%s mounted on %s)", $2, $1, $7 }')
  echo "- CPU: $(nproc) × ${model:-unknown}"
  echo "- Memory: $memory"
  echo "- Data directory: \`$parent\` on $filesystem"
  echo "- Kernel: $(uname -sr)"
  echo "- Compiler: $(c++ --version 2>/dev/null | head -n 1 || echo unknown); RocksDB $(dpkg-query -W -f='${Version}' librocksdb-dev 2>/dev/null || echo unknown)"
}

# Replaces the part of RESULTS between the markers with the file SECTION (markers included in it),
# keeping everything written around it by hand; without the markers, appends HEADER's output and
# the section.
#   replace_generated_section RESULTS BEGIN_MARKER END_MARKER SECTION_FILE HEADER_FUNCTION
replace_generated_section() {
  # Names of their own: the calling scripts hold readonly globals called results, begin_marker, …
  local into=$1 from_line=$2 to_line=$3 section_file=$4 header_function=$5
  if [[ -f $into ]] && grep -qF "$from_line" "$into" && grep -qF "$to_line" "$into"; then
    awk -v begin="$from_line" -v end="$to_line" -v file="$section_file" '
      $0 == begin { while ((getline line < file) > 0) print line; skipping = 1; next }
      $0 == end { skipping = 0; next }
      !skipping { print }' "$into" >"$into.tmp"
    mv "$into.tmp" "$into"
  else
    { "$header_function"; cat "$section_file"; } >>"$into"
  fi
}

# RocksDB's db_bench, the device's yardstick for run_ledger_bench.sh and compare. These read the
# caller's globals: db_bench (its path, from find_db_bench), value_size (bytes per value), scratch
# (a directory for its databases), db_runs (repetitions); and call the caller's `die`.
find_db_bench() {
  local candidate
  for candidate in rocksdb_db_bench db_bench; do
    if command -v "$candidate" >/dev/null; then command -v "$candidate"; return; fi
  done
  die "db_bench not found (Debian: apt-get install rocksdb-tools)"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print v[int((NR + 1) / 2)] }'; }

# Runs db_bench once on a fresh database (unless --use_existing_db=1 is among the arguments) and
# prints "<micros/op> <ops/sec> <P50 µs> <P99 µs>" of its benchmark (percentiles 0 without
# --histogram=1).
db_bench_once() {
  local db=$1 benchmark=$2
  shift 2
  local out
  out=$("$db_bench" --db="$db" --benchmarks="$benchmark" --key_size=8 --value_size="$value_size" \
          --threads=1 "$@" 2>/dev/null) || die "db_bench $benchmark $* failed"
  awk -v name="$benchmark" '
    $1 == name && $2 == ":" { for (i = 3; i < NF; ++i) { if ($(i + 1) == "micros/op") micros = $i; if ($(i + 1) == "ops/sec") ops = $i } }
    $1 == "Percentiles:" { p50 = $3; p99 = $7 }
    END { if (micros == "") exit 1; printf "%s %s %s %s\n", micros, ops, p50 + 0, p99 + 0 }' <<<"$out" ||
    die "cannot parse db_bench $benchmark output"
}

# Runs db_bench_once db_runs times, each on a fresh database, one output line per run. A
# preparation command (e.g. an unsynced fill before readseq) may be given as $1.
db_bench_samples() {
  local prepare=$1
  shift
  local run db
  for ((run = 0; run < db_runs; ++run)); do
    db="$scratch/db_bench.$run"
    rm -rf "$db"
    if [[ -n $prepare ]]; then $prepare "$db" >/dev/null; fi
    db_bench_once "$db" "$@"
    rm -rf "$db"
  done
}

# As db_bench_samples, but prints the median of each column.
db_bench_median() {
  local samples column
  samples=$(db_bench_samples "$@")
  for column in 1 2 3 4; do
    awk -v c="$column" '{ print $c }' <<<"$samples" | median
  done | paste -sd' '
}
