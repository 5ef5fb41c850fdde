#!/usr/bin/env bash
# The benchmarks that need more than `cargo bench` (see BENCHMARKS.md):
#
#   scripts/bench.sh                          # load test with wrk: scripts/bench-wrk.sh
#   BENCH_DURATION=5 BENCH_ROUNDS=5 scripts/bench.sh
#   scripts/bench.sh instructions [ALG...]    # callgrind counts: scripts/bench-instructions.sh
#
# The environment variables are those of the script it runs, listed at the top of each:
# scripts/bench-wrk.sh (its servers: scripts/bench-servers.sh; its wrk request:
# scripts/bench-request.lua) and scripts/bench-instructions.sh. What they compute (wrk and
# callgrind output, medians, best-of, ratios, tables) is crates/authjwt-bench-report.
set -euo pipefail
here="$(dirname "$0")"
if [ "${1:-}" = instructions ]; then
  shift
  exec "$here/bench-instructions.sh" "$@"
fi
exec "$here/bench-wrk.sh" "$@"
