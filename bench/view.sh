#!/usr/bin/env bash
# Measures `causal view` pages in headless Chromium on generated traces (issue 12): load to the
# first complete drawing, highlighting past and future, zoom and pan frame times, page bytes
# per event; prints a Markdown table to paste into BENCHMARKS.md.
#
#   bench/view.sh                 10^4, 10^5 and 10^6 events, 8 and 100 nodes
#   bench/view.sh --quick         10^4 and 10^5 only
#
# Builds the release binary (or takes $CAUSAL), writes inputs and pages to $BENCH_DIR/view
# (default bench/data/view), needs Debian's chromium and web/view/node_modules (`npm ci` in
# web/view). stdout carries only the Markdown; progress goes to stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
DIR=${BENCH_DIR:-$ROOT/bench/data}/view
mkdir -p "$DIR"
log() { printf 'bench: %s\n' "$*" >&2; }

if [ -z "${CAUSAL:-}" ]; then
    log "building the release binary"
    (cd "$ROOT" && cargo build --release --quiet)
    CAUSAL=$ROOT/target/release/causal
fi
CHROMIUM=$(command -v chromium) || { echo "bench/view.sh: chromium not found" >&2; exit 2; }
[ -d "$ROOT/web/view/node_modules/playwright-core" ] || (cd "$ROOT/web/view" && npm ci --no-audit --no-fund --loglevel=error)

SIZES=(10000 100000 1000000)
[ $QUICK = 1 ] && SIZES=(10000 100000)
pages=()
for events in "${SIZES[@]}"; do
    for nodes in 8 100; do
        name=g${nodes}n-${events}e
        [ -s "$DIR/$name.jsonl" ] || "$CAUSAL" gen --nodes "$nodes" --events "$events" --seed 1 > "$DIR/$name.jsonl"
        log "causal view $name"
        /usr/bin/time -f '%U %M' -o "$DIR/$name.time" "$CAUSAL" view "$DIR/$name.jsonl" -o "$DIR/$name.html" 2> /dev/null
        "$CAUSAL" view "$DIR/$name.jsonl" --no-analyses -o "$DIR/$name-bare.html" 2> /dev/null
        pages+=("$DIR/$name.html")
    done
done

log "measuring in Chromium"
node "$ROOT/bench/view.mjs" "$CHROMIUM" "${pages[@]}" > "$DIR/results.jsonl"

echo "| events | nodes | page | bytes/event beyond labels (in all) | \`causal view\` user s | load to first drawing: wall (CPU) | highlight: wall p50 / p95 (CPU) | past+future | fit-all frame: wall p50 (CPU) | zoom/pan frame: wall p50 / p95 (CPU) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
while IFS= read -r line; do
    page=$(node -e 'const r = JSON.parse(process.argv[1]); console.log(r.page)' "$line")
    name=${page%.html}
    labels=$(node -e '
      const fs = require("fs");
      let n = 0;
      for (const l of fs.readFileSync(process.argv[1], "utf8").split("\n")) if (l) n += Buffer.byteLength(JSON.parse(l).label || "");
      console.log(n);' "$DIR/$name.jsonl")
    read -r user _ < "$DIR/$name.time"
    node -e '
      const r = JSON.parse(process.argv[1]);
      const labels = Number(process.argv[2]);
      const mb = (b) => (b / 1048576).toFixed(1) + " MB";
      const per = ((r.bytes - labels) / r.events).toFixed(1) + " (" + (r.bytes / r.events).toFixed(1) + " in all)";
      const ms = (v) => v + " ms";
      console.log(`| ${r.events.toLocaleString("en")} | ${r.nodes} | ${mb(r.bytes)} | ${per} | ${process.argv[3]} | ${r.load_ms} ms (${r.load_cpu_ms}) | ${r.highlight_p50} / ${r.highlight_p95} ms (${r.highlight_cpu}) | ${ms(r.past_future_p50)} | ${r.fit_frame_p50} ms (${r.fit_frame_cpu}) | ${r.frame_p50} / ${r.frame_p95} ms (${r.frame_cpu}) |`);
    ' "$line" "$labels" "$user"
done < "$DIR/results.jsonl"
