#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what the tests need, then
# runs formatting, lints, unit, integration, browser and doc tests for every crate and
# feature, builds the benchmarks, and gives each fuzz target a short run.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests need (installed only when missing).
need=()
command -v cc >/dev/null 2>&1 || need+=(build-essential)
# The demo's real-browser tests (crates/authjwt-demo/tests/browser.rs) drive Debian's
# Chromium through chromedriver; they fail, never skip, when these are missing.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
# The Redis revocation tests (library and demo) start their own redis-server: Debian's is
# built with TLS (tests/redis_tls.rs runs it TLS-only with certificates generated at run
# time); the Cluster tests create their clusters with redis-cli (redis-tools).
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
# The demo's reverse-proxy test (crates/authjwt-demo/tests/reverse_proxy.rs) runs it behind
# Debian's nginx, started in the foreground with its own prefix; it fails when nginx is missing.
command -v nginx >/dev/null 2>&1 || need+=(nginx)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --all-features -- -D warnings

echo "== cargo test"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
cargo test --workspace --all-features 2>&1 | tee "$results"

echo "== cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --all-features --no-deps -q

echo "== cargo test (no default features: the core without adapters)"
cargo test -p authjwt --lib 2>&1 | tee -a "$results"

echo "== cargo package (authjwt packages on its own and the packaged crate builds, every feature)"
cargo package -p authjwt --allow-dirty --all-features -q
rm -rf target/package

echo "== cargo bench --no-run"
cargo bench --workspace --all-features --no-run -q

echo "== fuzz smoke (30 s per target)"
scripts/fuzz-smoke.sh

# One closing line for the whole run: every `test result:` line of the cargo test steps.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$results"
