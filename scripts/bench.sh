#!/usr/bin/env bash
# Load benchmark: the demo (authjwt) against the floor (crates/authjwt-floor: the same
# cookie + CSRF check hand-written on jsonwebtoken), in the same run, on loopback only.
#
#   scripts/bench.sh                      # 10 s per measurement, 3 rounds
#   BENCH_DURATION=5 BENCH_ROUNDS=5 scripts/bench.sh
#   scripts/bench.sh instructions [ALG]   # callgrind instruction counts instead (see below)
#
# Each server is pinned to CPU $BENCH_SERVER_CPU and wrk to CPU $BENCH_CLIENT_CPU (taskset).
# It logs in to each server with POST /login (real cookies), then measures GET /protected,
# POST /posts with X-CSRF-TOKEN, and POST /posts without it (rejected, 401 csrf_missing),
# and prints requests/s, p99 latency and the ratio demo/floor for each. With a redis-server
# (installed, or REDIS_URL on loopback) it also runs the demo with REDIS_URL and compares
# the Redis-backed store with the in-memory one. Every process it starts is stopped by PID.
#
# Environment (all optional):
#   BENCH_DURATION     seconds per measurement (10)
#   BENCH_WARMUP       seconds of warm-up per server and route (2)
#   BENCH_CONNECTIONS  wrk connections (50)
#   BENCH_THREADS      wrk threads (1)
#   BENCH_ROUNDS       rounds, each measuring both servers back to back (3)
#   BENCH_SERVER_CPU   CPU for the servers (0)
#   BENCH_CLIENT_CPU   CPU for wrk (1)
#   BENCH_REDIS        auto | on | off: the Redis comparison (auto: when redis-server exists)
#   REDIS_URL          an existing Redis on loopback to use instead of starting one
#   JWT_SECRET_KEY     the HS256 secret both servers share (a fixed benchmark secret)
#   BENCH_OUT          where the results are also written (target dir: bench/results.txt)
#   BENCH_NO_BUILD     1: do not build (use the release binaries already there)
#   BENCH_PERF         1: also a perf (cpu-clock) profile of each server under GET /protected
set -euo pipefail
cd "$(dirname "$0")/.."

# scripts/bench.sh instructions [ALG...]: instructions per operation of the micro-benchmark
# contenders, counted by callgrind in the alloc bench's measured loop only (one-time costs
# such as key loading stay out). Machine load does not change these counts, so they compare
# overheads on a shared machine; they are not times (SIMD crypto does much per instruction,
# atomics and cache misses cost more than one). BENCH_IR_ROUNDS rounds per operation (200);
# BENCH_IR_OUT=DIR keeps the profiles for callgrind_annotate.
if [ "${1:-}" = instructions ]; then
  shift
  command -v valgrind >/dev/null 2>&1 || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
  }
  exe="$(cargo bench -q -p authjwt --all-features --bench alloc --no-run --message-format=json \
    | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n1)"
  [ -x "$exe" ] || { echo "could not build the alloc bench" >&2; exit 1; }
  rounds="${BENCH_IR_ROUNDS:-200}"
  [ -n "${BENCH_IR_OUT:-}" ] && mkdir -p "$BENCH_IR_OUT"
  ir() {
    local out=/dev/null
    [ -n "${BENCH_IR_OUT:-}" ] && out="$BENCH_IR_OUT/callgrind.${1//\//.}"
    AUTHJWT_BENCH_ONLY="$1" AUTHJWT_BENCH_ROUNDS="$rounds" \
      valgrind --tool=callgrind --toggle-collect='*measured_loop*' \
      --callgrind-out-file="$out" "$exe" 2>&1 \
      | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  algs=("$@")
  [ ${#algs[@]} -gt 0 ] || algs=(HS256 RS256 ES256 EdDSA)
  echo "instructions per operation (callgrind, $rounds rounds each)"
  echo
  printf '| operation |'
  for alg in "${algs[@]}"; do printf ' %s |' "$alg"; done
  printf '\n|---|'
  for _ in "${algs[@]}"; do printf -- '---:|'; done
  echo
  for op in authenticate authenticate_norevoke verify_token jws_signature rejected_no_csrf \
    jsonwebtoken_decode hand_written bare_signature create jsonwebtoken_encode; do
    printf '| %s |' "$op"
    for alg in "${algs[@]}"; do
      n="$(ir "$alg/$op")"
      printf ' %s |' "$(( ${n:-0} / rounds ))"
    done
    echo
  done
  echo
  echo "HTTP request through an axum Router in process (HS256; request built, body collected)"
  echo
  echo "| request | authjwt | authjwt_demo_stack | floor |"
  echo "|---|---:|---:|---:|"
  for case in get_protected post_posts post_rejected_no_csrf; do
    printf '| %s |' "$case"
    for router in authjwt authjwt_demo_stack floor; do
      n="$(ir "HTTP/$router/$case")"
      printf ' %s |' "$(( ${n:-0} / rounds ))"
    done
    echo
  done
  exit 0
fi

DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-50}"
THREADS="${BENCH_THREADS:-1}"
ROUNDS="${BENCH_ROUNDS:-3}"
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

# --- tools -------------------------------------------------------------------------------
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v taskset >/dev/null 2>&1 || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  log "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- build -------------------------------------------------------------------------------
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  log "== cargo build --release -p authjwt-demo -p authjwt-floor"
  cargo build --release -q -p authjwt-demo -p authjwt-floor
fi
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps \
  | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
DEMO="$TARGET_DIR/release/authjwt-demo"
FLOOR="$TARGET_DIR/release/authjwt-floor"
OUT="${BENCH_OUT:-$TARGET_DIR/bench/results.txt}"
mkdir -p "$(dirname "$OUT")"
for bin in "$DEMO" "$FLOOR"; do
  [ -x "$bin" ] || { log "missing $bin"; exit 1; }
done

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server NAME BINARY [VAR=VALUE...]: starts it on CPU $SERVER_CPU with PORT=0 and sets
# URL_<NAME> from the URL line it prints. Only loopback URLs are accepted.
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

# login NAME: POST /login, then COOKIE_<NAME> (the four cookies, as a browser sends them)
# and CSRF_<NAME> (csrf_access_token, for X-CSRF-TOKEN).
login() {
  local name="$1" url jar
  url="URL_$name"
  url="${!url}"
  jar="$WORK/$name.jar"
  local status
  status="$(curl -s -o "$WORK/$name.login" -w '%{http_code}' -c "$jar" \
    -H 'content-type: application/json' \
    -d '{"username":"user1","password":"password1"}' "$url/login")"
  [ "$status" = 200 ] || { log "$name: login answered $status"; exit 1; }
  local cookie="" n v csrf=""
  for n in access_token_cookie csrf_access_token refresh_token_cookie csrf_refresh_token; do
    v="$(awk -F'\t' -v n="$n" 'NF >= 7 && $6 == n { print $7 }' "$jar")"
    [ -n "$v" ] || { log "$name: login set no $n cookie"; exit 1; }
    cookie="${cookie:+$cookie; }$n=$v"
    [ "$n" = csrf_access_token ] && csrf="$v"
  done
  printf -v "COOKIE_$name" '%s' "$cookie"
  printf -v "CSRF_$name" '%s' "$csrf"
  local access
  access="$(awk -F'\t' '$6 == "access_token_cookie" { print length($7) }' "$jar")"
  log "$name: logged in as user1 (access token $access bytes)"
}

# check NAME METHOD PATH CSRF EXPECTED_STATUS: one request with curl; prints the body.
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

cat >"$WORK/request.lua" <<'LUA'
wrk.method = os.getenv("BENCH_METHOD")
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF")
if csrf ~= nil and csrf ~= "" then
  wrk.headers["X-CSRF-TOKEN"] = csrf
end
if wrk.method == "POST" then
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = '{"title":"bench"}'
end
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.1f p50_us=%d p99_us=%d requests=%d non2xx=%d socket_errors=%d\n",
    summary.requests / seconds, latency:percentile(50), latency:percentile(99),
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
LUA

# measure NAME METHOD PATH CSRF SECONDS: one wrk run; prints the RESULT line.
measure() {
  local name="$1" method="$2" path="$3" csrf="$4" seconds="$5" url cookie
  url="URL_$name"
  cookie="COOKIE_$name"
  BENCH_METHOD="$method" BENCH_PATH="$path" BENCH_COOKIE="${!cookie}" BENCH_CSRF="$csrf" \
    timeout $((seconds + 30)) taskset -c "$CLIENT_CPU" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" -s "$WORK/request.lua" "${!url}" \
    | grep '^RESULT'
}

field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<" $1"; }

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }

# run_pair A B: every scenario on servers A and B, side by side, ROUNDS times. Results go to
# $WORK/results/<scenario>.<server> (one RESULT line per round).
SCENARIOS=("GET /protected" "POST /posts (CSRF)" "POST /posts rejected (no CSRF)")
scenario_args() {
  local csrf_var="CSRF_$2"
  case "$1" in
    0) echo "GET /protected - 200" ;;
    1) echo "POST /posts ${!csrf_var} 200" ;;
    2) echo "POST /posts - 401" ;;
  esac
}
run_pair() {
  mkdir -p "$WORK/results"
  local round i name method path csrf want line order
  for round in $(seq 1 "$ROUNDS"); do
    # Odd rounds measure A then B, even rounds B then A: neither always goes first.
    order=("$@")
    [ $((round % 2)) = 0 ] && order=("$2" "$1")
    for i in "${!SCENARIOS[@]}"; do
      for name in "${order[@]}"; do
        read -r method path csrf want <<<"$(scenario_args "$i" "$name")"
        [ "$csrf" = - ] && csrf=""
        check "$name" "$method" "$path" "$csrf" "$want" >/dev/null
        if [ "$WARMUP" -gt 0 ]; then
          measure "$name" "$method" "$path" "$csrf" "$WARMUP" >/dev/null
        fi
        line="$(measure "$name" "$method" "$path" "$csrf" "$DURATION")"
        log "round $round, $name, ${SCENARIOS[$i]}: $line"
        echo "$line" >>"$WORK/results/$i.$name"
      done
    done
  done
}

stat_of() { # SCENARIO SERVER FIELD -> median over rounds
  local f="$WORK/results/$1.$2"
  [ -f "$f" ] || return 0
  while read -r line; do field "$line" "$3"; done <"$f" | median
}

best_of() { # SCENARIO SERVER -> the highest req/s over rounds
  local f="$WORK/results/$1.$2"
  [ -f "$f" ] || return 0
  while read -r line; do field "$line" rps; done <"$f" | sort -g | tail -n1
}

round_ratio() { # SCENARIO A B -> median over rounds of rps(A) / rps(B) (same round, side by side)
  paste -d' ' <(while read -r l; do field "$l" rps; done <"$WORK/results/$1.$2") \
    <(while read -r l; do field "$l" rps; done <"$WORK/results/$1.$3") \
    | awk '$2 > 0 { print $1 / $2 }' | median
}

table() { # A B LABEL_A LABEL_B
  local a="$1" b="$2" i ra rb pa pb na nb
  printf '| scenario | %s req/s (median / best) | %s p99 | %s req/s (median / best) | %s p99 | %s/%s |\n' \
    "$3" "$3" "$4" "$4" "$3" "$4"
  printf '|---|---:|---:|---:|---:|---:|\n'
  for i in "${!SCENARIOS[@]}"; do
    ra="$(stat_of "$i" "$a" rps)"
    rb="$(stat_of "$i" "$b" rps)"
    pa="$(stat_of "$i" "$a" p99_us)"
    pb="$(stat_of "$i" "$b" p99_us)"
    na="$(stat_of "$i" "$a" socket_errors)"
    nb="$(stat_of "$i" "$b" socket_errors)"
    printf '| %s | %.0f / %.0f | %s µs | %.0f / %.0f | %s µs | %.3f |\n' "${SCENARIOS[$i]}" \
      "$ra" "$(best_of "$i" "$a")" "$pa" "$rb" "$(best_of "$i" "$b")" "$pb" \
      "$(round_ratio "$i" "$a" "$b")"
    if [ "${na%.*}" != 0 ] || [ "${nb%.*}" != 0 ]; then
      printf '|   (socket errors: %s %s, %s %s) | | | | | |\n' "$3" "$na" "$4" "$nb"
    fi
  done
  echo
  echo "p99 is the median of the rounds' p99; the ratio is the median of the per-round ratios"
  echo "(each round measures both servers back to back, so they see similar machine load)."
}

# perf_profile NAME METHOD PATH CSRF: with BENCH_PERF=1, a cpu-clock profile of server NAME
# under wrk load (the top symbols), written beside the results.
perf_profile() {
  local name="$1" method="$2" path="$3" csrf="$4" pid_var="PID_$1" data
  data="$(dirname "$OUT")/perf.$name.data"
  perf record -q -e cpu-clock -F 999 -p "${!pid_var}" -o "$data" -- sleep "$DURATION" \
    >/dev/null 2>&1 &
  local perf_pid="$!"
  PIDS+=("$perf_pid")
  measure "$name" "$method" "$path" "$csrf" "$DURATION" >/dev/null
  wait "$perf_pid" || true
  echo
  echo "### perf: $name, $method $path (cpu-clock samples of the server process; $data)"
  echo
  echo '```'
  perf report -i "$data" --no-children --sort dso,symbol >"$data.txt" 2>/dev/null || true
  grep -v '^#' "$data.txt" | grep -v '^$' | sed -n '1,30p' | cut -c1-140
  echo '```'
}

# --- demo vs floor -------------------------------------------------------------------------
start_server demo "$DEMO" REDIS_URL=
start_server floor "$FLOOR"
login demo
login floor
for scenario in 0 1 2; do
  bodies=()
  for name in demo floor; do
    read -r method path csrf want <<<"$(scenario_args "$scenario" "$name")"
    [ "$csrf" = - ] && csrf=""
    body="$(check "$name" "$method" "$path" "$csrf" "$want")"
    log "$name ${SCENARIOS[$scenario]}: $want $body"
    bodies+=("$body")
  done
  if [ "${bodies[0]}" != "${bodies[1]}" ]; then
    log "warning: the demo and the floor answer ${SCENARIOS[$scenario]} with different bodies"
  fi
done

log "== measuring: ${DURATION}s per run, ${WARMUP}s warm-up, $CONNECTIONS connections, $THREADS wrk thread(s), $ROUNDS round(s)"
run_pair demo floor

{
  echo "## demo (authjwt) vs floor (hand-written jsonwebtoken), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, server on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU, median of $ROUNDS round(s); $(nproc) CPUs, $(uname -r)"
  echo
  table demo floor demo floor
} | tee "$OUT"

if [ "${BENCH_PERF:-0}" = 1 ]; then
  if command -v perf >/dev/null 2>&1; then
    for name in demo floor; do
      perf_profile "$name" GET /protected ""
    done | tee -a "$OUT"
  else
    log "BENCH_PERF=1 but perf is not installed (Debian: linux-perf); no profile"
  fi
fi

# --- Redis-backed store vs in-memory -------------------------------------------------------
redis_url="${REDIS_URL:-}"
if [ "$REDIS_MODE" = off ]; then
  exit 0
fi
if [ -n "$redis_url" ]; then
  case "$redis_url" in
    redis://127.0.0.1:* | redis://localhost:* | redis://\[::1\]:*) ;;
    *) log "REDIS_URL is not on loopback; skipping the Redis comparison"; exit 0 ;;
  esac
elif command -v redis-server >/dev/null 2>&1; then
  port="$(free_port)"
  # On the client's CPU: the demo answers is_revoked from its local replica, so Redis is
  # off the request path; its own work must not steal the server's CPU.
  taskset -c "$CLIENT_CPU" redis-server --bind 127.0.0.1 --port "$port" --save "" \
    --appendonly no --protected-mode yes >"$WORK/redis-server.log" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 100); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  redis_url="redis://127.0.0.1:$port"
  log "redis-server: $redis_url (pid ${PIDS[-1]})"
elif [ "$REDIS_MODE" = on ]; then
  log "BENCH_REDIS=on but no redis-server: apt-get install redis-server"
  exit 1
else
  log "no redis-server and no REDIS_URL: skipping the Redis comparison"
  exit 0
fi

start_server redis "$DEMO" REDIS_URL="$redis_url"
# Prove the demo really uses Redis: a throwaway session's logout must write revocations.
login redis
csrf_redis_throwaway="$CSRF_redis"
before="$(redis-cli -u "$redis_url" dbsize 2>/dev/null || echo 0)"
status="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Cookie: $COOKIE_redis" \
  -H "X-CSRF-TOKEN: $csrf_redis_throwaway" "$URL_redis/logout")"
after="$(redis-cli -u "$redis_url" dbsize 2>/dev/null || echo 0)"
if [ "$status" != 200 ] || [ "${after:-0}" -le "${before:-0}" ]; then
  {
    echo
    echo "Redis comparison skipped: a logout on the demo started with REDIS_URL answered"
    echo "$status and left Redis at $after keys (was $before): it does not use the Redis store."
  } | tee -a "$OUT"
  exit 0
fi
log "redis: a logout wrote revocations to Redis ($before -> $after keys)"
login redis
rm -rf "$WORK/results"
run_pair redis demo
{
  echo
  echo "## demo with REDIS_URL (Redis-backed store) vs demo in memory"
  echo
  table redis demo redis memory
} | tee -a "$OUT"
