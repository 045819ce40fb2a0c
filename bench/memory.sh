#!/usr/bin/env bash
# Peak memory (max RSS from /usr/bin/time -v) and exit status of every command that reads a
# trace, on one input: prints a Markdown table row per command, one column per binary.
#
# Usage: bench/memory.sh FILE BINARY...
#        bench/memory.sh /tmp/n20k.jsonl /tmp/causal-before target/release/causal
#
# FILE is typically `bench/many-nodes.sh > /tmp/n20k.jsonl`. Event ids for hb, past and future
# are the first and second nodes' first events. A run killed past $LIMIT_MB (default 4000) of
# virtual memory shows as "killed".
set -euo pipefail

usage="usage: bench/memory.sh FILE BINARY..."
file=${1:?$usage}
shift
(($#)) || { echo "$usage" >&2 && exit 2; }
limit_kb=$((${LIMIT_MB:-4000} * 1024))

first=$(head -c 4096 "$file" | sed -n '1s/.*"node":"\([^"]*\)".*/\1/p')
second=$(head -c 4096 "$file" | sed -n '2s/.*"node":"\([^"]*\)".*/\1/p')
commands=(
    "stamp"
    "stamp --format table"
    "stamp --format shiviz"
    "stamp --format chrome"
    "stamp --order input"
    "stamp --engine flat"
    "stamp --engine tree"
    "stamp --hlc"
    "graph"
    "graph --clock vector"
    "graph --format mermaid"
    "graph --format text"
    "graph --format text --clock vector"
    "graph --format json"
    "hb $first#1 $second#1"
    "hb $first#1 $second#1 --format json"
    "past $second#1"
    "future $first#1"
    "why $second#1"
    "slice --nodes $first"
    "conflicts"
    "conflicts --format json"
    "check"
    "check --format json"
)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '| command |'
for b in "$@"; do printf ' %s |' "$b"; done
printf '\n|---|'
for _ in "$@"; do printf -- '---|'; done
printf '\n'
for c in "${commands[@]}"; do
    printf '| `%s` |' "$c"
    for b in "$@"; do
        # shellcheck disable=SC2086 # the command's words split on purpose
        if (ulimit -v "$limit_kb" && /usr/bin/time -v -o "$tmp/time" "$b" $c "$file" >/dev/null 2>"$tmp/err"); then
            status=0
        else
            status=$?
        fi
        kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time" 2>/dev/null || true)
        user=$(sed -n 's/.*User time (seconds): //p' "$tmp/time" 2>/dev/null || true)
        if grep -q "memory allocation\|out of memory\|Cannot allocate" "$tmp/err"; then
            printf ' killed (over %s MB) |' "${LIMIT_MB:-4000}"
        else
            printf ' %s MB, %s s, exit %s |' "$((${kb:-0} / 1024))" "${user:-?}" "$status"
        fi
    done
    printf '\n'
done
