#!/usr/bin/env bash
# Builds the compiled CLI in dist/ so that `twin` starts without compiling
# TypeScript: type-checks src/ (tsc), bundles the CLI and the files it starts
# on their own with esbuild (scripts/bundle.mjs), and copies the files that are
# not code (the report's and dashboard's assets). Commands that train run from
# the sources (src/cli/main.ts hands them over) and need nothing from dist/.
# dist/.built marks a finished build: it carries the time the build started,
# and bin/twin.js runs dist/ only while no file under src/ is newer. On a type
# error nothing is marked and bin/twin.js keeps running the sources.
#
#   bash scripts/build.sh [--if-stale]   (--if-stale: only when a source is newer than the last build)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--if-stale" ] && [ -f dist/.built ] &&
  [ -z "$(find src scripts/bundle.mjs tsconfig.json tsconfig.build.json package.json -newer dist/.built 2>/dev/null | head -1)" ]; then
  exit 0
fi
started=$(date +%s.%N)
rm -rf dist
npx --no-install tsc -p tsconfig.build.json
node scripts/bundle.mjs
(cd src && find . -type f -path './report/assets/*' -exec cp --parents {} ../dist/ \;)
touch -d "@$started" dist/.built
