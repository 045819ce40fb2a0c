#!/usr/bin/env bash
# The questions of issue 13 beside `check` and `conflicts`: user time and peak memory of
# `stats`, `critical-path`, `why`, `slice`, `diff` (an execution against itself) and `hb` on
# generated traces of 10^6 events at 16 and 1,000 nodes, as a Markdown table (median user
# seconds of RUNS runs, the largest peak RSS, and each against `check`; `stats` against
# `conflicts` too, whose conflict count it includes).
#
#   bench/ask.sh [BINARY]                 RUNS=3, EVENTS=1000000
#
# Inputs are written with the binary's `causal gen` into $BENCH_DIR (default bench/data/),
# the same files bench/compare.sh uses; GNU time measures. Reports only: no goal enforced.
set -euo pipefail

bin=${1:-target/release/causal}
runs=${RUNS:-3}
events=${EVENTS:-1000000}
dir=${BENCH_DIR:-$(dirname "$0")/data}
mkdir -p "$dir"
[[ -x /usr/bin/time ]] || apt-get install -y -qq time >/dev/null

measure() { # args... -> "median_user max_rss_mb"
  local users=() rss=0 out status
  out=$(mktemp)
  for ((i = 0; i < runs; i++)); do
    status=0
    /usr/bin/time -f '%U %M' -o "$out" "$bin" "$@" >/dev/null 2>/dev/null || status=$?
    # Findings exit 1: a result, not a failure.
    [[ $status -le 1 ]] || { echo "failed ($status): $bin $*" >&2; exit 1; }
    read -r u m < <(tail -n 1 "$out")
    users+=("$u")
    ((m > rss)) && rss=$m
  done
  rm -f "$out"
  printf '%s\n' "${users[@]}" | sort -n | awk -v rss="$rss" '{ v[NR] = $1 }
    END { printf "%.2f %.0f", v[int((NR + 1) / 2)], rss / 1024 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "-" }'; }

echo "| input | command | user s | peak MB | time / check | memory / check |"
echo "|---|---|---|---|---|---|"
for spec in "16 1000" "1000 10000"; do
  read -r nodes keys <<<"$spec"
  file="$dir/compare-$nodes-nodes-$events.jsonl"
  [[ -s $file ]] || "$bin" gen --nodes "$nodes" --events "$events" --seed 1 --keys "$keys" >"$file"
  # Events to ask about: the first of the first line's node, the last of the last line's.
  a=$(head -n 1 "$file" | grep -o '"node":"[^"]*"' | cut -d'"' -f4)
  b=$(tail -n 1 "$file" | grep -o '"node":"[^"]*"' | cut -d'"' -f4)
  early="$a#1"
  late="$b#$(grep -c "\"node\":\"$b\"" "$file")"
  read -r cu cm <<<"$(measure check "$file")"
  read -r fu fm <<<"$(measure conflicts "$file")"
  row() { # label user mb
    local t m
    t=$(ratio "$2" "$cu")
    m=$(ratio "$3" "$cm")
    echo "| $events events, $nodes nodes | $1 | $2 | $3 | $t | $m |"
  }
  row '`check`' "$cu" "$cm"
  row '`conflicts`' "$fu" "$fm"
  for cmd in "stats" "critical-path" "why $late" "slice --nodes $a,$b" "hb $early $late"; do
    # shellcheck disable=SC2086
    read -r u m <<<"$(measure $cmd "$file")"
    row "\`$cmd\`" "$u" "$m"
    if [[ $cmd == stats ]]; then
      echo "| | (\`stats\` / \`conflicts\`) | | | $(ratio "$u" "$fu") | $(ratio "$m" "$fm") |"
    fi
  done
  read -r u m <<<"$(measure diff "$file" -- "$file")"
  row '`diff A -- A`' "$u" "$m"
done
