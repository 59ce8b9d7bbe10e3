#!/usr/bin/env bash
# Lints the OpenAPI document with Redocly CLI's `recommended` rules and api/redocly.yaml (which also
# checks every example against its schema), and fails on any error, any warning, or any problem
# an ignore file hides. The ctest test "openapi: the document passes Redocly's recommended rules"
# runs it.
#
#   tools/openapi/lint.sh [DOCUMENT]        (default api/openapi.json)
#
# Redocly CLI is installed by scripts/setup (`npm ci` in tools/openapi, versions pinned by its
# package-lock.json). Nothing is sent anywhere: telemetry and the update check are off.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
document=${1:-$root/api/openapi.json}
redocly=$here/node_modules/.bin/redocly
if [ ! -x "$redocly" ]; then
  echo "lint: $redocly is missing: run scripts/setup (it runs npm ci in tools/openapi)" >&2
  exit 2
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1

run() { "$redocly" lint "$document" --config "$root/api/redocly.yaml" "$@"; }

# The JSON report counts what the readable one only prints; redocly exits 0 with warnings.
report=$(run --format json 2>/dev/null) || true
totals=$(node -e '
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
    try {
      const { errors, warnings, ignored } = JSON.parse(text).totals;
      console.log(`${errors} ${warnings} ${ignored}`);
    } catch (error) {
      console.log("unreadable");
    }
  });' <<<"$report")
if [ "$totals" = "0 0 0" ]; then
  echo "lint: $document: 0 errors, 0 warnings (Redocly CLI $("$redocly" --version), recommended rules)"
  exit 0
fi
run --format stylish || true
read -r errors warnings ignored <<<"$totals" || true
echo "lint: $document: ${errors:-?} errors, ${warnings:-?} warnings, ${ignored:-0} ignored: none is allowed" >&2
exit 1
