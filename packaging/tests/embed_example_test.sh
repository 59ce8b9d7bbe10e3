#!/usr/bin/env bash
# cmake --install of the build into a temporary prefix (both components), then examples/embed —
# a separate project — configured with find_package(orgledger) against that prefix, built, and run.
set -euo pipefail
build=$1 example=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" --component development >/dev/null
cmake --install "$build" --prefix "$work/prefix" --component runtime >/dev/null
# Nothing of the service was installed outside the prefix by a plain install.
test -x "$work/prefix/bin/orgledger"
test -f "$work/prefix/lib/cmake/orgledger/orgledgerConfig.cmake" || test -f "$work"/prefix/lib/*/cmake/orgledger/orgledgerConfig.cmake
test -f "$work/prefix/include/orgledger/ledger/ledger.h"
test -f "$work/prefix/include/orgledger/schema/events_generated.h"

launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S "$example" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" \
  "${launcher[@]}" >/dev/null
cmake --build "$work/build" >/dev/null
out=$("$work/build/embed_example" "$work/data")
echo "$out"
[[ $out == "allowed because team web (head position 9)" ]]
# The ledger it wrote is an orgledger data directory like any other.
"$work/prefix/bin/orgledger" verify --data "$work/data" >/dev/null
