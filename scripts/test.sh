#!/usr/bin/env bash
# Runs every test file under test/ with node's test runner (TypeScript through tsx),
# one process per file, as many files at a time as there are cores, the longest first
# (scripts/run-tests.mjs, from the table bench/test-times.ts measures).
# Usage: scripts/test.sh [pattern]   e.g. scripts/test.sh stats
#   TWIN_TEST_JOBS=1 scripts/test.sh   one file at a time (a file's timings alone, or a quiet machine)
set -euo pipefail
cd "$(dirname "$0")/.."
pattern="${1:-}"
mapfile -t files < <(find test -name '*.test.ts' | grep -- "$pattern" | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files match '$pattern'" >&2; exit 1; fi
jobs="${TWIN_TEST_JOBS:-$(nproc)}"
# The dashboard's run index (twin serve) goes to a folder of this run, not the user's ~/.cache/twin/serve.
if [ -z "${TWIN_INDEX_DIR:-}" ]; then
  TWIN_INDEX_DIR="$(mktemp -d -t twin-test-index-XXXXXX)"
  export TWIN_INDEX_DIR
  trap 'rm -rf "$TWIN_INDEX_DIR"' EXIT
fi
node --import tsx scripts/run-tests.mjs "$jobs" "${files[@]}"
