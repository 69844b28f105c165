#!/usr/bin/env bash
# Throw-away PostgreSQL and Redis servers on 127.0.0.1, for tests and demos.
#
#   scripts/services.sh start postgres      prints  postgres://twin@127.0.0.1:<port>/twin
#   scripts/services.sh start redis         prints  redis://127.0.0.1:<port>
#   scripts/services.sh stop postgres [URL|PORT]   stops and removes one (all, without an argument)
#   scripts/services.sh stop redis [URL|PORT]
#   scripts/services.sh status
#
# Each server lives in its own directory under $TWIN_SERVICES_DIR (default
# ${TMPDIR:-/tmp}/twin-services-<uid>), listens only on 127.0.0.1 on a free port, and
# keeps nothing after `stop`. Missing Debian packages (postgresql,
# redis-server) are installed first (apt-get update once, no recommends).
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# `postgres` user and its commands run through runuser.
#
# With TWIN_SERVICES_WATCH_PID=<pid>, a started server is also stopped when that
# process exits (so a killed test run leaves no server behind).
# Only the URL goes to stdout; progress and errors go to stderr.
set -euo pipefail

base="${TWIN_SERVICES_DIR:-${TMPDIR:-/tmp}/twin-services-$(id -u)}"
say() { printf '[services] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=""
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
  say "installing Debian packages: ${missing[*]}"
  mkdir -p "$base"
  (
    # One installer at a time (several test files may start services at once).
    flock 9
    if [ -z "$apt_updated" ]; then as_root apt-get update -qq; fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  ) 9>"$base/.apt.lock"
  apt_updated=1
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Port from "postgres://u@127.0.0.1:5433/db", "redis://127.0.0.1:6380" or "5433".
port_of() {
  local arg="$1"
  if [[ "$arg" =~ ^[0-9]+$ ]]; then echo "$arg"; return; fi
  [[ "$arg" =~ :([0-9]+)(/|$) ]] || die "no port in '$arg'"
  echo "${BASH_REMATCH[1]}"
}

watch_owner() { # $1 kind, $2 port
  local pid="${TWIN_SERVICES_WATCH_PID:-}"
  [ -n "$pid" ] || return 0
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 2; done; [ -d "$2" ] && exec "$3" stop "$4" "$5"' \
    _ "$pid" "$base/$1-$2" "$(readlink -f "$0")" "$1" "$2" </dev/null >/dev/null 2>&1 &
}

# ---------------------------------------------------------------- PostgreSQL

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
  echo "$d"
}

as_pg() { # run a command as the cluster owner
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  ensure_packages postgresql
  local bin dir port try
  bin=$(pg_bin)
  mkdir -p "$base"; chmod 755 "$base"
  for try in 1 2 3 4 5; do
    port=$(free_port)
    dir="$base/postgres-$port"
    mkdir "$dir" 2>/dev/null || continue
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
    chmod 700 "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -U twin -A trust -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; die "initdb failed"; }
    if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
         -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
         start >/dev/null 2>&1; then
      as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U twin twin
      watch_owner postgres "$port"
      say "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
      echo "postgres://twin@127.0.0.1:$port/twin"
      return 0
    fi
    say "start on port $port failed (attempt $try):"; tail -5 "$dir/server.log" >&2 || true
    rm -rf "$dir"
  done
  die "could not start PostgreSQL"
}

stop_postgres_dir() {
  local dir="$1" bin
  bin=$(pg_bin)
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  say "stopped and removed $dir"
}

# --------------------------------------------------------------------- Redis

start_redis() {
  ensure_packages redis-server
  local dir port try i
  mkdir -p "$base"; chmod 755 "$base"
  for try in 1 2 3 4 5; do
    port=$(free_port)
    dir="$base/redis-$port"
    mkdir "$dir" 2>/dev/null || continue
    if redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$dir" \
         --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save '' --appendonly no >/dev/null 2>&1; then
      for i in $(seq 1 100); do
        if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
          watch_owner redis "$port"
          say "Redis on 127.0.0.1:$port ($dir)"
          echo "redis://127.0.0.1:$port"
          return 0
        fi
        sleep 0.1
      done
    fi
    say "start on port $port failed (attempt $try)"; tail -5 "$dir/redis.log" >&2 2>/dev/null || true
    stop_redis_dir "$dir"
  done
  die "could not start Redis"
}

stop_redis_dir() {
  local dir="$1" port pid i
  port="${dir##*-}"
  redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
  if [ -f "$dir/redis.pid" ]; then
    pid=$(cat "$dir/redis.pid")
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  say "stopped and removed $dir"
}

# ---------------------------------------------------------------------- main

stop_kind() { # $1 kind, $2 optional URL or port
  local kind="$1" target="${2:-}" dirs=() d
  if [ -n "$target" ]; then
    d="$base/$kind-$(port_of "$target")"
    [ -d "$d" ] || { say "no $kind started here on that port (nothing to stop)"; return 0; }
    dirs=("$d")
  else
    shopt -s nullglob; dirs=("$base/$kind"-*); shopt -u nullglob
  fi
  for d in "${dirs[@]}"; do "stop_${kind}_dir" "$d"; done
}

cmd="${1:-}"; kind="${2:-}"
case "$cmd:$kind" in
  start:postgres) start_postgres ;;
  start:redis) start_redis ;;
  stop:postgres | stop:redis) stop_kind "$kind" "${3:-}" ;;
  status:*)
    shopt -s nullglob
    for d in "$base"/postgres-* "$base"/redis-*; do echo "$(basename "$d")  $d"; done ;;
  *) usage ;;
esac
