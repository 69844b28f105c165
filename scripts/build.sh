#!/usr/bin/env bash
# Compiles src/ into dist/ (JavaScript, imports rewritten from .ts to .js) so
# that `twin` starts without compiling TypeScript; copies the files that are
# not code (the dashboard's assets). dist/.built marks a finished build: it
# carries the time the build started, and bin/twin.js runs dist/ only while no
# file under src/ is newer. On a type error nothing is marked and bin/twin.js
# keeps running the sources.
#
#   bash scripts/build.sh [--if-stale]   (--if-stale: only when a source is newer than the last build)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--if-stale" ] && [ -f dist/.built ] &&
  [ -z "$(find src tsconfig.json tsconfig.build.json -newer dist/.built 2>/dev/null | head -1)" ]; then
  exit 0
fi
started=$(date +%s.%N)
rm -rf dist
npx --no-install tsc -p tsconfig.build.json
(cd src && find . -type f ! -name '*.ts' ! -name '*.mjs' -exec cp --parents {} ../dist/ \;)
touch -d "@$started" dist/.built
