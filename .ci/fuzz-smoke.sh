#!/usr/bin/env bash
# Fuzz smoke test: run every cargo-fuzz target for a few seconds from its
# committed corpus (fuzz/corpus/<target>/) and fail on any crash.
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain the
# nightly flags cargo-fuzz passes are allowed through RUSTC_BOOTSTRAP=1.
# Usage: .ci/fuzz-smoke.sh [seconds per target, default 10]
set -euo pipefail
secs="${1:-10}"
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
targets=$(cargo fuzz list)
cargo fuzz build -s none
for t in $targets; do
    echo "== fuzz $t for ${secs}s"
    mkdir -p "corpus/$t"
    # A scratch copy keeps the committed corpus unchanged.
    work=$(mktemp -d)
    cp -r "corpus/$t/." "$work/"
    cargo fuzz run -s none "$t" "$work" -- -max_total_time="$secs" -rss_limit_mb=2048 -timeout=20
    rm -rf "$work"
done
echo "fuzz smoke: all targets ran ${secs}s without a crash"
