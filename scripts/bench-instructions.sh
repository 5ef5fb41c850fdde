#!/usr/bin/env bash
# Instructions per operation of the micro-benchmark contenders, counted by callgrind in the
# alloc bench's measured loop only (one-time costs such as key loading stay out). Machine
# load does not change these counts, so they compare overheads on a shared machine; they are
# not times (SIMD crypto does much per instruction, atomics and cache misses cost more than
# one).
#
#   scripts/bench-instructions.sh [ALG...]   # HS256 RS256 ES256 EdDSA when none (~6 min)
#   scripts/bench.sh instructions [ALG...]   # the same
#
# Each case (an operation and an algorithm, then an HTTP request and a router) runs under
# valgrind once; authjwt-bench-report (crates/authjwt-bench-report) reads the counts and
# prints the two tables, each count divided by the rounds.
#
# Environment (all optional):
#   BENCH_IR_ROUNDS   rounds per operation (200)
#   BENCH_IR_OUT      a directory that keeps the callgrind profiles (for callgrind_annotate)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '%s\n' "$*" >&2; }

command -v valgrind >/dev/null 2>&1 || {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
}
exe="$(cargo bench -q -p authjwt --all-features --bench alloc --no-run --message-format=json \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n1)"
[ -x "$exe" ] || { log "could not build the alloc bench"; exit 1; }
cargo build --release -q -p authjwt-bench-report
report="$(cargo metadata --format-version 1 --no-deps \
  | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/release/authjwt-bench-report"

rounds="${BENCH_IR_ROUNDS:-200}"
[ -n "${BENCH_IR_OUT:-}" ] && mkdir -p "$BENCH_IR_OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# count ROW COLUMN CASE GRID: CASE (an AUTHJWT_BENCH_ONLY name) under callgrind; adds
# ROW<TAB>COLUMN<TAB>LOG to GRID, LOG empty when the run failed.
count() {
  local row="$1" column="$2" case="$3" grid="$4" log out=/dev/null
  log="$WORK/${case//\//.}.log"
  [ -n "${BENCH_IR_OUT:-}" ] && out="$BENCH_IR_OUT/callgrind.${case//\//.}"
  log "callgrind: $case"
  if AUTHJWT_BENCH_ONLY="$case" AUTHJWT_BENCH_ROUNDS="$rounds" \
    valgrind --tool=callgrind --toggle-collect='*measured_loop*' \
    --callgrind-out-file="$out" "$exe" >"$log" 2>&1; then
    printf '%s\t%s\t%s\n' "$row" "$column" "$log" >>"$grid"
  else
    log "$case failed (n/a in the table):"
    tail -n 20 "$log" >&2
    printf '%s\t%s\t\n' "$row" "$column" >>"$grid"
  fi
}

algs=("$@")
[ ${#algs[@]} -gt 0 ] || algs=(HS256 RS256 ES256 EdDSA)
for op in authenticate authenticate_norevoke verify_token jws_signature rejected_no_csrf \
  jsonwebtoken_decode hand_written bare_signature create jsonwebtoken_encode; do
  for alg in "${algs[@]}"; do
    count "$op" "$alg" "$alg/$op" "$WORK/operations"
  done
done
for case in get_protected post_posts post_rejected_no_csrf; do
  for router in authjwt authjwt_demo_stack floor; do
    count "$case" "$router" "HTTP/$router/$case" "$WORK/requests"
  done
done

echo "instructions per operation (callgrind, $rounds rounds each)"
echo
"$report" instructions "$rounds" operation "$WORK/operations"
echo
echo "HTTP request through an axum Router in process (HS256; request built, body collected)"
echo
"$report" instructions "$rounds" request "$WORK/requests"
