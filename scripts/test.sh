#!/usr/bin/env bash
# Runs every test file under test/ with node's test runner (TypeScript through tsx).
# Usage: scripts/test.sh [pattern]   e.g. scripts/test.sh stats
set -euo pipefail
cd "$(dirname "$0")/.."
pattern="${1:-}"
mapfile -t files < <(find test -name '*.test.ts' | grep -- "$pattern" | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files match '$pattern'" >&2; exit 1; fi
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
