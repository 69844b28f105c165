#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine: system packages, npm packages,
# and the native addon. Each step runs only when its result is missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
# Each step that runs says how long it took (where a fresh machine's set-up time goes).
step_started=0
started() { step_started=$SECONDS; }
took() { say "$1 took $((SECONDS - step_started)) s"; }

# 1. Debian packages: libtorch (the engine), Python torch, SciPy and PIL (references
#    for equivalence tests and benchmarks), Fashion-MNIST (the demo's data).
#    Extra packages can be requested with TWIN_EXTRA_PACKAGES="a b".
packages=(libtorch-dev python3-torch python3-scipy python3-pil dataset-fashion-mnist ${TWIN_EXTRA_PACKAGES:-})
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"; started
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  took "apt-get"
fi

# 2. npm packages, when node_modules is missing or older than the lockfile. npm ci also
#    compiles better-sqlite3 (from source, .npmrc) and, through the default install
#    script of a package with a binding.gyp, the native addon: JOBS=max lets node-gyp
#    compile their files on every core (one file at a time otherwise: the addon's nine
#    files and better-sqlite3's two, ~160 s of CPU on 2 cores).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (and the native addon)"; started
  JOBS=max npm ci --no-audit --no-fund --loglevel=error
  took "npm ci"
fi

# 3. The native addons, when missing or older than their sources: the engine's
#    (twin.node, every native/ file but scan.cc) and the log scanner's
#    (twin_scan.node, native/scan.cc: no libtorch, a few seconds; built alone when
#    only it is missing or stale).
addon=build/Release/twin.node
scan_addon=build/Release/twin_scan.node
native_failed() {
  tail -40 /tmp/twin-native-build.log >&2
  say "native build failed; full log in /tmp/twin-native-build.log"
  exit 1
}
if [ ! -f "$addon" ] || [ -n "$(find native binding.gyp -newer "$addon" ! -name scan.cc 2>/dev/null | head -1)" ]; then
  say "building the native addons against ${LIBTORCH:-the Debian libtorch}"; started
  npx --no-install node-gyp rebuild --jobs=max >/tmp/twin-native-build.log 2>&1 || native_failed
  took "the native build"
elif [ ! -f "$scan_addon" ] || [ -n "$(find native/scan.cc binding.gyp -newer "$scan_addon" 2>/dev/null | head -1)" ]; then
  say "building the log scanner's addon"; started
  { npx --no-install node-gyp configure && make -C build twin_scan; } >/tmp/twin-native-build.log 2>&1 || native_failed
  took "the scanner's build"
fi

# 4. The compiled CLI (dist/), when missing or older than its sources.
bash scripts/build.sh --if-stale || say "compiling the CLI failed (errors above); twin runs from the TypeScript sources, slower to start"
