#!/usr/bin/env bash
# bench/run_soak.sh [SECONDS]: the soak of issue 17 (bench/soak.py) against a Release build, 30
# minutes by default: resident memory and p99 per kind of request over time, plotted by gnuplot into
# bench/soak.png (RESULTS.md, "Reliability"). Rows in bench/out/soak/samples.csv, the summary in
# bench/out/soak/summary.json. Run it on a machine doing nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-1800}
scripts/build >/dev/null
command -v gnuplot >/dev/null || { echo "run_soak.sh: needs gnuplot (apt-get install gnuplot-nox)" >&2; exit 2; }
out=bench/out/soak
# Plotted even when the load met unexpected answers (soak.py then exits 1, and so does this).
status=0
python3 bench/soak.py --orgledger build/tools/orgledger --seconds "$seconds" --out "$out" || status=$?
gnuplot <<GNUPLOT
set terminal pngcairo size 1100,700 font ",10" noenhanced
set output "bench/soak.png"
set datafile separator ","
set key autotitle columnhead top left
set multiplot layout 2,1 title "orgledger soak: ${seconds} s of mixed load against one serve (bench/run_soak.sh)"
set xlabel "minutes"
set ylabel "resident memory (MiB)"
set yrange [0:*]
plot "$out/samples.csv" using (\$1/60):2 with lines lw 2 title "VmRSS", \
     "" using (\$1/60):13 with lines title "store: memtables", \
     "" using (\$1/60):14 with lines title "store: table readers", \
     "" using (\$1/60):15 with lines title "store: block caches", \
     "" using (\$1/60):18 with lines title "as-of rungs (their estimate)", \
     "" using (\$1/60):20 with lines title "C heap: free in its arenas"
set ylabel "p99 latency (ms)"
set logscale y
set yrange [*:*]
plot "$out/samples.csv" using (\$1/60):6 with lines title "POST /v1/commands", \
     "" using (\$1/60):9 with lines title "GET /v1/check", \
     "" using (\$1/60):12 with lines title "GET members?as_of"
unset multiplot
GNUPLOT
echo "run_soak.sh: bench/soak.png"
exit "$status"
