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

fresh() {
  [ -f dist/.built ] && [ -z "$(find src scripts/bundle.mjs tsconfig.json tsconfig.build.json package.json -newer dist/.built 2>/dev/null | head -1)" ]
}
if [ "${1:-}" = "--if-stale" ] && fresh; then
  exit 0
fi
# One build at a time per checkout (tests that start the CLI build it when stale, several at once);
# a build that waited finds the other's result fresh.
exec 9>"${TMPDIR:-/tmp}/twin-build-$(pwd | sha256sum | cut -c1-16).lock"
flock 9
if [ "${1:-}" = "--if-stale" ] && fresh; then
  exit 0
fi
started=$(date +%s.%N)
# Built next to dist/ and swapped in at the end: a command started meanwhile runs the previous build.
rm -rf dist.new
npx --no-install tsc -p tsconfig.build.json
node scripts/bundle.mjs dist.new
(cd src && find . -type f -path './report/assets/*' -exec cp --parents {} ../dist.new/ \;)
touch -d "@$started" dist.new/.built
rm -rf dist.old
if [ -d dist ]; then mv dist dist.old; fi
mv dist.new dist
rm -rf dist.old
echo "[build] dist/ built in $SECONDS s" >&2
