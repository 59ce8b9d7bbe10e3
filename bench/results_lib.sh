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
