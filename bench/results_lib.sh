# Shared by the bench/run_*_bench.sh scripts (sourced, not run): the machine's description and the
# rewriting of a generated section of bench/RESULTS.md.

# The machine as each results section states it; $1: the directory the scratch stores go under.
machine_description_lines() {
  local bench_parent=$1 model memory filesystem
  model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
  filesystem=$(df -PT "$bench_parent" | awk 'NR == 2 { printf "%s (%s mounted on %s)", $2, $1, $7 }')
  echo "- CPU: $(nproc) × ${model:-unknown}"
  echo "- Memory: $memory"
  echo "- Data directory: \`$bench_parent\` on $filesystem"
  echo "- Kernel: $(uname -sr)"
  echo "- Compiler: $(c++ --version 2>/dev/null | head -n 1 || echo unknown); RocksDB $(dpkg-query -W -f='${Version}' librocksdb-dev 2>/dev/null || echo unknown)"
}

# Replaces the part of RESULTS between the markers with the file SECTION (markers included in it),
# keeping everything written around it by hand; without the markers, appends HEADER's output and
# the section.
#   replace_generated_section RESULTS BEGIN_MARKER END_MARKER SECTION_FILE HEADER_FUNCTION
replace_generated_section() {
  local results=$1 begin_marker=$2 end_marker=$3 section=$4 header=$5
  if [[ -f $results ]] && grep -qF "$begin_marker" "$results" && grep -qF "$end_marker" "$results"; then
    awk -v begin="$begin_marker" -v end="$end_marker" -v file="$section" '
      $0 == begin { while ((getline line < file) > 0) print line; skipping = 1; next }
      $0 == end { skipping = 0; next }
      !skipping { print }' "$results" >"$results.tmp"
    mv "$results.tmp" "$results"
  else
    { "$header"; cat "$section"; } >>"$results"
  fi
}
