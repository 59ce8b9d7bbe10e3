#!/usr/bin/env bash
# Writes the fuzz targets' seed corpora into tests/fuzz/corpus/<target>/seed-* (checked in), from a
# built tree (default build/): the commands the OpenAPI conformance test has a server accept (all
# 47 types), then write_fuzz_corpus (write_corpus.cc). Crashes found by the long runs are kept in
# the same folders under other names (bench/run_fuzz.sh); this script replaces only the seeds.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
commands=$(mktemp -d)
trap 'rm -rf "$commands"' EXIT
/usr/bin/python3 tests/openapi/conformance_test.py --orgledger "$build/tools/orgledger" \
  --document api/openapi.json --fixtures tests/fixtures --save-commands "$commands" >/dev/null
rm -f tests/fuzz/corpus/*/seed-*
"$build/tests/fuzz/write_fuzz_corpus" tests/fuzz/corpus "$commands"
