#!/usr/bin/env bash
# Fuzz every target briefly: `fuzz/smoke.sh [SECONDS]` (default 30 per target).
#
# Installs cargo-fuzz if missing, builds the targets on nightly and runs each one for SECONDS, starting
# from its committed seeds (corpus/TARGET/seed-*) and past findings (regressions/TARGET/*), which are
# replayed first. Any crash, contract violation (the targets assert it), hang (-timeout) or leak of
# memory (-rss_limit_mb) fails the script. New corpus entries go to a scratch directory.
#
# Sanitizer: none. Every crate we fuzz is `#![forbid(unsafe_code)]`, so AddressSanitizer finds nothing
# the Rust bounds checks do not, at 2-3x the cost; debug assertions stay on (integer overflow panics).
set -euo pipefail
cd "$(dirname "$0")"
secs="${1:-30}"
export CARGO_TERM_COLOR=never

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
fi

flags=(--sanitizer none --debug-assertions)
cargo +nightly fuzz build "${flags[@]}"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for target in $(cargo fuzz list); do
    echo "=== fuzz $target (${secs}s)"
    mkdir -p "$scratch/$target" corpus/"$target" regressions/"$target"
    log="$scratch/$target.log"
    if ! cargo +nightly fuzz run "${flags[@]}" "$target" \
        "$scratch/$target" corpus/"$target" regressions/"$target" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        tail -n 60 "$log" >&2
        echo "fuzz target $target failed; the input is in fuzz/artifacts/$target/" >&2
        exit 1
    fi
    grep -E "^(INFO: seed corpus|stat::number_of_executed_units|Done )" "$log" || true
done
echo "=== fuzz smoke passed (${secs}s per target)"
