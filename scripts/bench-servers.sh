#!/usr/bin/env bash
# The servers of the load benchmark and their lifecycle: builds the demo and the floor
# (crates/authjwt-floor) in release, starts each on a free loopback port pinned to one CPU
# (taskset), logs in to it with POST /login (real cookies), checks how it answers, starts a
# loopback redis-server for the Redis comparison and proves the demo uses it, and stops
# every process it started, by PID, when the script that uses it ends. All traffic is to
# 127.0.0.1.
#
#   scripts/bench-servers.sh     # alone: starts the demo and the floor, prints their URLs,
#                                # cookies and CSRF values, and keeps them up until Ctrl-C
#   . scripts/bench-servers.sh   # sourced (scripts/bench-wrk.sh): the functions below
#
# Environment (all optional):
#   BENCH_SERVER_CPU   CPU for the servers (0)
#   BENCH_CLIENT_CPU   CPU for redis-server, the CPU wrk gets in bench-wrk.sh (1)
#   BENCH_REDIS        auto | on | off: whether start_redis provides a Redis (auto: when
#                      redis-server is installed or REDIS_URL is set; on: fail without one)
#   REDIS_URL          an existing Redis on loopback to use instead of starting one
#   JWT_SECRET_KEY     the HS256 secret the servers share (a fixed benchmark secret)
#   BENCH_NO_BUILD     1: do not build (use the release binaries already there)
#
# Functions (each exits the script with a message on failure):
#   need_tools CMD:PKG...         apt-get installs PKG for each CMD that is missing
#   build_servers                 builds (unless BENCH_NO_BUILD=1); sets TARGET_DIR, DEMO, FLOOR
#   start_server NAME BIN [VAR=VALUE...]
#                                 starts BIN with PORT=0 on CPU $SERVER_CPU; sets URL_<NAME>
#                                 (from the URL line it prints; loopback only) and PID_<NAME>
#   login NAME                    sets COOKIE_<NAME> (the four cookies, as a browser sends
#                                 them) and CSRF_<NAME> (csrf_access_token, for X-CSRF-TOKEN)
#   check NAME METHOD PATH CSRF STATUS
#                                 one request with curl, which must answer STATUS; prints the body
#   start_redis                   sets REDIS_BENCH_URL: REDIS_URL, or a redis-server it starts on
#                                 a free loopback port; empty when there is no Redis to compare
#   uses_redis NAME URL           whether server NAME (the demo) writes to the Redis at URL: a
#                                 logout must add keys; REDIS_CHECK says what was seen
# Every process started goes to PIDS; the EXIT trap stops each by PID and removes $WORK.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SERVER_CPU="${BENCH_SERVER_CPU:-0}"
CLIENT_CPU="${BENCH_CLIENT_CPU:-1}"
REDIS_MODE="${BENCH_REDIS:-auto}"
SECRET="${JWT_SECRET_KEY:-benchmark-secret-0123456789abcdef-0123456789}"

PIDS=()
WORK="$(mktemp -d)"
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%s\n' "$*" >&2; }

need_tools() {
  local pair need=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
  done
  if [ ${#need[@]} -gt 0 ]; then
    log "installing: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

build_servers() {
  if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
    log "== cargo build --release -p authjwt-demo -p authjwt-floor"
    cargo build --release -q -p authjwt-demo -p authjwt-floor
  fi
  TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
    | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
  DEMO="$TARGET_DIR/release/authjwt-demo"
  FLOOR="$TARGET_DIR/release/authjwt-floor"
  local bin
  for bin in "$DEMO" "$FLOOR"; do
    [ -x "$bin" ] || { log "missing $bin"; exit 1; }
  done
}

start_server() {
  local name="$1" bin="$2"
  shift 2
  env PORT=0 JWT_SECRET_KEY="$SECRET" RUST_LOG=warn "$@" \
    taskset -c "$SERVER_CPU" "$bin" >"$WORK/$name.out" 2>"$WORK/$name.log" &
  PIDS+=("$!")
  local pid="$!" url="" i
  for i in $(seq 1 300); do
    url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/$name.out" 2>/dev/null | head -n1 || true)"
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    log "$name did not start:"
    cat "$WORK/$name.log" >&2
    exit 1
  fi
  printf -v "URL_$name" '%s' "$url"
  printf -v "PID_$name" '%s' "$pid"
  log "$name: $url (pid $pid, CPU $SERVER_CPU)"
}

login() {
  local name="$1" url jar status
  url="URL_$name"
  url="${!url}"
  jar="$WORK/$name.jar"
  status="$(curl -s -o "$WORK/$name.login" -w '%{http_code}' -c "$jar" \
    -H 'content-type: application/json' \
    -d '{"username":"user1","password":"password1"}' "$url/login")"
  [ "$status" = 200 ] || { log "$name: login answered $status"; exit 1; }
  # curl's cookie jar: tab-separated domain, subdomains, path, secure, expiry, name, value.
  local -A cookies=()
  local domain subdomains path secure expiry cookie_name value
  while IFS=$'\t' read -r domain subdomains path secure expiry cookie_name value; do
    if [ -n "${value:-}" ]; then cookies["$cookie_name"]="$value"; fi
  done <"$jar"
  local cookie="" n
  for n in access_token_cookie csrf_access_token refresh_token_cookie csrf_refresh_token; do
    [ -n "${cookies[$n]:-}" ] || { log "$name: login set no $n cookie"; exit 1; }
    cookie="${cookie:+$cookie; }$n=${cookies[$n]}"
  done
  printf -v "COOKIE_$name" '%s' "$cookie"
  printf -v "CSRF_$name" '%s' "${cookies[csrf_access_token]}"
  log "$name: logged in as user1 (access token ${#cookies[access_token_cookie]} bytes)"
}

check() {
  local name="$1" method="$2" path="$3" csrf="$4" want="$5" url cookie status
  url="URL_$name"
  cookie="COOKIE_$name"
  local args=(-s -o "$WORK/body" -w '%{http_code}' -X "$method" -H "Cookie: ${!cookie}")
  if [ "$method" = POST ]; then
    args+=(-H 'content-type: application/json' -d '{"title":"bench"}')
  fi
  [ -n "$csrf" ] && args+=(-H "X-CSRF-TOKEN: $csrf")
  status="$(curl "${args[@]}" "${!url}$path")"
  if [ "$status" != "$want" ]; then
    log "$name: $method $path answered $status, expected $want: $(cat "$WORK/body")"
    exit 1
  fi
  cat "$WORK/body"
}

start_redis() {
  REDIS_BENCH_URL=""
  if [ "$REDIS_MODE" = off ]; then
    return 0
  fi
  if [ -n "${REDIS_URL:-}" ]; then
    case "$REDIS_URL" in
      redis://127.0.0.1:* | redis://localhost:* | redis://\[::1\]:*) REDIS_BENCH_URL="$REDIS_URL" ;;
      *) log "REDIS_URL is not on loopback; skipping the Redis comparison" ;;
    esac
    return 0
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$REDIS_MODE" = on ]; then
      log "BENCH_REDIS=on but no redis-server: apt-get install redis-server"
      exit 1
    fi
    log "no redis-server and no REDIS_URL: skipping the Redis comparison"
    return 0
  fi
  # A random port below Linux's ephemeral range; taken ports are retried. The server counts
  # as started once the port answers with its own process id (not another Redis's).
  local attempt port pid
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 12000))
    # On the client's CPU: the demo answers is_revoked from its local replica, so Redis is
    # off the request path; its own work must not steal the server's CPU.
    taskset -c "$CLIENT_CPU" redis-server --bind 127.0.0.1 --port "$port" --save "" \
      --appendonly no --protected-mode yes >"$WORK/redis-server.log" 2>&1 &
    pid="$!"
    PIDS+=("$pid")
    for _ in $(seq 1 100); do
      if [ "$(redis-cli -p "$port" info server 2>/dev/null \
        | sed -n 's/^process_id:\([0-9]*\).*/\1/p')" = "$pid" ]; then
        REDIS_BENCH_URL="redis://127.0.0.1:$port"
        log "redis-server: $REDIS_BENCH_URL (pid $pid, CPU $CLIENT_CPU)"
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    log "redis-server did not start on port $port (attempt $attempt)"
  done
  cat "$WORK/redis-server.log" >&2
  exit 1
}

uses_redis() {
  local name="$1" redis_url="$2" url cookie csrf before after status
  login "$name"
  url="URL_$name"
  cookie="COOKIE_$name"
  csrf="CSRF_$name"
  before="$(redis-cli -u "$redis_url" dbsize 2>/dev/null || echo 0)"
  status="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Cookie: ${!cookie}" \
    -H "X-CSRF-TOKEN: ${!csrf}" "${!url}/logout")"
  after="$(redis-cli -u "$redis_url" dbsize 2>/dev/null || echo 0)"
  if [ "$status" != 200 ] || [ "${after:-0}" -le "${before:-0}" ]; then
    REDIS_CHECK="a logout on the demo started with REDIS_URL answered $status and left Redis at $after keys (was $before): it does not use the Redis store."
    return 1
  fi
  REDIS_CHECK="a logout wrote revocations to Redis ($before -> $after keys)"
}

# Alone: the demo and the floor, up until Ctrl-C.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  need_tools curl:curl taskset:util-linux
  build_servers
  start_server demo "$DEMO" REDIS_URL=
  start_server floor "$FLOOR"
  for name in demo floor; do
    login "$name"
    url="URL_$name" cookie="COOKIE_$name" csrf="CSRF_$name"
    printf 'URL_%s=%q\nCOOKIE_%s=%q\nCSRF_%s=%q\n' \
      "$name" "${!url}" "$name" "${!cookie}" "$name" "${!csrf}"
  done
  log "Ctrl-C stops both."
  wait
fi
