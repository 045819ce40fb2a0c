#!/usr/bin/env bash
# Old binary against new, runs alternated (old, new, old, new, ...) so that a machine's
# drifting load falls on both alike: the user time of `stamp`, `conflicts` and `check` on
# generated traces of 10^6 events at 16 and 1,000 nodes, as a Markdown table (median and mean
# user seconds of each, new / old). The restructuring of issue 11 had to stay within 3%.
#
#   bench/compare.sh OLD_BINARY NEW_BINARY           10 runs of each, 10^6 events
#   RUNS=20 EVENTS=100000 bench/compare.sh OLD NEW
#
# Inputs are written once with NEW's `causal gen` into $BENCH_DIR (default bench/data/); GNU
# time (Debian's `time` package) measures each run and is installed when missing. Output goes
# to /dev/null; a run that fails stops the script. No goal is enforced here: it reports.
set -euo pipefail

[[ $# -eq 2 ]] || { echo "usage: bench/compare.sh OLD_BINARY NEW_BINARY" >&2; exit 2; }
old=$1 new=$2
runs=${RUNS:-10}
events=${EVENTS:-1000000}
dir=${BENCH_DIR:-$(dirname "$0")/data}
mkdir -p "$dir"

if [[ ! -x /usr/bin/time ]]; then
  apt-get install -y -qq time >/dev/null
fi

input() { # nodes keys -> path
  local path="$dir/compare-$1-nodes-$events.jsonl"
  [[ -s $path ]] || "$new" gen --nodes "$1" --events "$events" --seed 1 --keys "$2" >"$path"
  echo "$path"
}

user_time() { # binary args... -> user seconds
  local out
  out=$(mktemp)
  /usr/bin/time -f '%U' -o "$out" "$@" >/dev/null 2>/dev/null || {
    local status=$?
    # check and conflicts exit 1 when they find something: that is a result, not a failure.
    [[ $status -eq 1 ]] || { echo "failed ($status): $*" >&2; exit 1; }
  }
  tail -n 1 "$out"
  rm -f "$out"
}

stats() { # seconds... -> "median mean"
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1; s += $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
          printf "%.3f %.3f", m, s / NR }'
}

echo "| input | command | old user s (median / mean) | new user s (median / mean) | new / old (median) |"
echo "|---|---|---|---|---|"
for spec in "16 1000" "1000 10000"; do
  read -r nodes keys <<<"$spec"
  file=$(input "$nodes" "$keys")
  for cmd in "stamp" "conflicts" "check"; do
    olds=() news=()
    for ((i = 0; i < runs; i++)); do
      olds+=("$(user_time "$old" $cmd "$file")")
      news+=("$(user_time "$new" $cmd "$file")")
      echo "  $nodes nodes, $cmd: run $((i + 1)) of $runs" >&2
    done
    read -r om oa <<<"$(stats "${olds[@]}")"
    read -r nm na <<<"$(stats "${news[@]}")"
    ratio=$(awk -v n="$nm" -v o="$om" 'BEGIN { printf "%.3f", n / o }')
    echo "| $events events, $nodes nodes | \`$cmd\` | $om / $oa | $nm / $na | $ratio |"
  done
done
