#!/usr/bin/env bash
# Load benchmark: the demo (authjwt) against the floor (crates/authjwt-floor: the same
# cookie + CSRF check hand-written on jsonwebtoken), in the same run, on loopback only; then,
# with a Redis, the demo on the Redis-backed store against the demo in memory.
#
#   scripts/bench-wrk.sh                  # 10 s per measurement, 3 rounds (= scripts/bench.sh)
#   BENCH_DURATION=5 BENCH_ROUNDS=5 scripts/bench-wrk.sh
#
# The servers come from scripts/bench-servers.sh (sourced): each pinned to CPU
# $BENCH_SERVER_CPU, logged in with POST /login (real cookies), stopped by PID at the end.
# This script runs wrk pinned to CPU $BENCH_CLIENT_CPU, with scripts/bench-request.lua for
# the headers and body, on GET /protected, POST /posts with X-CSRF-TOKEN, and POST /posts
# without it (rejected, 401 csrf_missing), rounds alternating which server goes first. It
# keeps the output of every run, and authjwt-bench-report (crates/authjwt-bench-report)
# computes from them each server's requests/s (median and best over rounds), its p99
# latency (median) and the ratio of the two servers (median of the per-round ratios).
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
#   BENCH_OUT          where the results are also written (target dir: bench/results.txt);
#                      the wrk outputs are kept beside it, in results.wrk/demo-floor and
#                      results.wrk/redis-memory (BENCH_OUT's name, .wrk for .txt), where
#                      `authjwt-bench-report table DIR demo floor` reads them again
#   BENCH_NO_BUILD     1: do not build (use the release binaries already there)
#   BENCH_PERF         1: also a perf (cpu-clock) profile of each server under GET /protected
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-servers.sh
. scripts/bench-servers.sh

DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-50}"
THREADS="${BENCH_THREADS:-1}"
ROUNDS="${BENCH_ROUNDS:-3}"
REQUEST_LUA="$PWD/scripts/bench-request.lua"

need_tools wrk:wrk curl:curl taskset:util-linux
build_servers
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  cargo build --release -q -p authjwt-bench-report
fi
REPORT="$TARGET_DIR/release/authjwt-bench-report"
[ -x "$REPORT" ] || { log "missing $REPORT"; exit 1; }
OUT="${BENCH_OUT:-$TARGET_DIR/bench/results.txt}"
RUNS="${OUT%.txt}.wrk"
mkdir -p "$(dirname "$OUT")"

# measure NAME METHOD PATH CSRF SECONDS: one wrk run on server NAME; prints wrk's output.
measure() {
  local name="$1" method="$2" path="$3" csrf="$4" seconds="$5" url cookie
  url="URL_$name"
  cookie="COOKIE_$name"
  BENCH_METHOD="$method" BENCH_PATH="$path" BENCH_COOKIE="${!cookie}" BENCH_CSRF="$csrf" \
    timeout $((seconds + 30)) taskset -c "$CLIENT_CPU" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --latency -s "$REQUEST_LUA" "${!url}"
}

SCENARIOS=("GET /protected" "POST /posts (CSRF)" "POST /posts rejected (no CSRF)")
scenario_args() { # SCENARIO SERVER -> METHOD PATH CSRF STATUS (CSRF - for none)
  local csrf_var="CSRF_$2"
  case "$1" in
    0) echo "GET /protected - 200" ;;
    1) echo "POST /posts ${!csrf_var} 200" ;;
    2) echo "POST /posts - 401" ;;
  esac
}

# run_pair A B DIR: every scenario on servers A and B, side by side, ROUNDS times. DIR gets
# the layout authjwt-bench-report reads: DIR/<scenario>/label, DIR/<scenario>/<server>.<round>.
run_pair() {
  local a="$1" b="$2" dir="$3" round i name method path csrf want out line order
  rm -rf "$dir"
  for i in "${!SCENARIOS[@]}"; do
    mkdir -p "$dir/$i"
    printf '%s\n' "${SCENARIOS[$i]}" >"$dir/$i/label"
  done
  for round in $(seq 1 "$ROUNDS"); do
    # Odd rounds measure A then B, even rounds B then A: neither always goes first.
    order=("$a" "$b")
    [ $((round % 2)) = 0 ] && order=("$b" "$a")
    for i in "${!SCENARIOS[@]}"; do
      for name in "${order[@]}"; do
        read -r method path csrf want <<<"$(scenario_args "$i" "$name")"
        [ "$csrf" = - ] && csrf=""
        check "$name" "$method" "$path" "$csrf" "$want" >/dev/null
        if [ "$WARMUP" -gt 0 ]; then
          measure "$name" "$method" "$path" "$csrf" "$WARMUP" >/dev/null
        fi
        out="$dir/$i/$name.$round"
        measure "$name" "$method" "$path" "$csrf" "$DURATION" >"$out"
        line="$("$REPORT" summary "$out")"
        log "round $round, $name, ${SCENARIOS[$i]}: $line"
      done
    done
  done
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
for scenario in "${!SCENARIOS[@]}"; do
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
run_pair demo floor "$RUNS/demo-floor"

{
  echo "## demo (authjwt) vs floor (hand-written jsonwebtoken), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, server on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU, median of $ROUNDS round(s); $(nproc) CPUs, $(uname -r)"
  echo
  "$REPORT" table "$RUNS/demo-floor" demo floor
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
start_redis
[ -n "$REDIS_BENCH_URL" ] || exit 0
start_server redis "$DEMO" REDIS_URL="$REDIS_BENCH_URL"
# Prove the demo really uses Redis: a throwaway session's logout must write revocations.
if ! uses_redis redis "$REDIS_BENCH_URL"; then
  {
    echo
    echo "Redis comparison skipped: $REDIS_CHECK"
  } | tee -a "$OUT"
  exit 0
fi
log "redis: $REDIS_CHECK"
login redis
run_pair redis demo "$RUNS/redis-memory"
{
  echo
  echo "## demo with REDIS_URL (Redis-backed store) vs demo in memory"
  echo
  "$REPORT" table "$RUNS/redis-memory" redis demo redis memory
} | tee -a "$OUT"
