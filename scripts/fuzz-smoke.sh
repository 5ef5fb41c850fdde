#!/usr/bin/env bash
# Short cargo-fuzz run of every target in fuzz/ (default 30 s each), so that a regression that
# makes a target crash shows up in CI. Installs cargo-fuzz when it is missing.
#
#   scripts/fuzz-smoke.sh              # every target, 30 s each
#   FUZZ_SECONDS=3600 scripts/fuzz-smoke.sh verify_token
#
# cargo-fuzz needs nightly rustc flags (-Zsanitizer, sanitizer coverage). It uses a nightly
# toolchain when rustup has one; otherwise the stable toolchain with RUSTC_BOOTSTRAP=1, which
# lets stable rustc accept those flags (the sanitizer runtimes ship with the stable standard
# library on x86_64 Linux). New inputs the fuzzer finds go to a temporary directory, never
# into the committed seed corpora under fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${FUZZ_SECONDS:-30}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(verify_token cookie_header locate_token)
fi

# libFuzzer is C++: it needs a C++ compiler (Debian's build-essential has one).
if ! command -v c++ >/dev/null 2>&1; then
  echo "installing: build-essential"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
else
  echo "no nightly toolchain: using stable with RUSTC_BOOTSTRAP=1"
  export RUSTC_BOOTSTRAP=1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for t in "${targets[@]}"; do
  echo "== fuzz $t for ${secs}s"
  mkdir -p "$work/$t"
  # First corpus directory: where new inputs go (temporary); second: the committed seeds.
  if ! (cd fuzz && cargo "${toolchain[@]}" fuzz run -O "$t" "$work/$t" "corpus/$t" -- \
      -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
      >"$work/$t.log" 2>&1); then
    status=1
    echo "FAILED: fuzz target $t (crash inputs, if any, are in fuzz/artifacts/$t/)"
    tail -n 40 "$work/$t.log"
    continue
  fi
  grep -E '^Done [0-9]+ runs|stat::number_of_executed_units' "$work/$t.log" || true
done
exit "$status"
