#!/usr/bin/env bash
# Builds the fuzz targets and runs each one, seeded from the samples and test fixtures.
#
#   fuzz/run.sh                      every target, 20000 runs each (what CI runs)
#   fuzz/run.sh -runs=100000 stream  one target, other libFuzzer flags
#   fuzz/run.sh -max_total_time=300  every target, five minutes each
#
# Arguments that start with `-` go to libFuzzer, the others name targets. cargo-fuzz needs a
# nightly compiler: the `nightly` toolchain where rustup has one, else the default toolchain
# with RUSTC_BOOTSTRAP=1. A crash stops its target (the others still run) with the input saved
# under fuzz/artifacts/<target>/; replay it with
# `cargo +nightly fuzz run --sanitizer none <target> <file>`.
set -euo pipefail
cd "$(dirname "$0")"

flags=()
targets=()
for arg in "$@"; do
  case $arg in
    -*) flags+=("$arg") ;;
    *) targets+=("$arg") ;;
  esac
done
[[ ${#flags[@]} -gt 0 ]] || flags=(-runs=20000)

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
if rustup run nightly rustc --version >/dev/null 2>&1; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi
[[ ${#targets[@]} -gt 0 ]] || mapfile -t targets < <("${fuzz[@]}" list)

./seed.sh
# No sanitizer: the project forbids unsafe code, so AddressSanitizer would find little and
# halve the speed; debug assertions and overflow checks stay on.
"${fuzz[@]}" build --sanitizer none
log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
for target in "${targets[@]}"; do
  echo "fuzz: $target ${flags[*]}"
  # Inputs up to 8 KiB hold every sample whole.
  if ! "${fuzz[@]}" run --sanitizer none "$target" -- -max_len=8192 -print_final_stats=1 \
    "${flags[@]}" >"$log" 2>&1; then
    grep -A 6 -E 'panicked at|ERROR: libFuzzer' "$log" | head -n 30 >&2
    grep -E 'Test unit written' "$log" >&2 || true
    # The input itself, so that a failure on a machine one cannot log into (CI) can be
    # replayed: `base64 -d > crash` and `cargo fuzz run --sanitizer none <target> crash`.
    for crash in "artifacts/$target"/crash-*; do
      [[ -e $crash ]] || continue
      echo "fuzz: $crash as base64:" >&2
      base64 -w 0 "$crash" >&2
      echo >&2
    done
    echo "fuzz: $target failed; the input is under fuzz/artifacts/$target/" >&2
    failed+=("$target")
    continue
  fi
  # The last status line (runs, coverage, corpus) and the totals.
  grep -E '^#[0-9]+' "$log" | tail -n 1
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$log" || true
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
