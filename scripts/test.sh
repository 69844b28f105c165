#!/usr/bin/env bash
# Runs every test file under test/ with node's test runner (TypeScript through tsx).
# Usage: scripts/test.sh [pattern]   e.g. scripts/test.sh stats
set -euo pipefail
cd "$(dirname "$0")/.."
pattern="${1:-}"
mapfile -t files < <(find test -name '*.test.ts' | grep -- "$pattern" | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files match '$pattern'" >&2; exit 1; fi
# The dashboard's run index (twin serve) goes to a folder of this run, not the user's ~/.cache/twin/serve.
if [ -z "${TWIN_INDEX_DIR:-}" ]; then
  TWIN_INDEX_DIR="$(mktemp -d -t twin-test-index-XXXXXX)"
  export TWIN_INDEX_DIR
  trap 'rm -rf "$TWIN_INDEX_DIR"' EXIT
fi
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
