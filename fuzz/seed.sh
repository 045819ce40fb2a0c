#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the samples and the test fixtures (never from
# ../shared/corpus), in the layout each target decodes (fuzz/src/lib.rs): files separated by
# NUL bytes, after the header bytes and lines that the pipeline, engines and stream targets
# read. Idempotent: seeds are named after what they hold; a corpus that fuzzing has grown
# keeps its own inputs.
set -euo pipefail
cd "$(dirname "$0")/.."

F=tests/fixtures
OUT=fuzz/corpus
CHECKOUT_REGEX="$(head -n 1 samples/checkout.regex)"
CRLF_REGEX='^(?<node>\w+) (?<kind>send|recv|local) ?(?<msg>\w*)$'

# seed TARGET NAME [HEADER_BYTES_AS_PRINTF] [LINE...] -- FILE...
# Writes the header bytes, each line with a newline, then the files joined by NUL bytes.
seed() {
  local target=$1 name=$2 header=$3
  shift 3
  local lines=()
  while [[ $1 != -- ]]; do lines+=("$1"); shift; done
  shift
  mkdir -p "$OUT/$target"
  {
    printf "$header"
    for line in "${lines[@]+"${lines[@]}"}"; do printf '%s\n' "$line"; done
    local first=1
    for file in "$@"; do
      [[ $first == 1 ]] || printf '\0'
      first=0
      cat "$file"
    done
  } >"$OUT/$target/$name"
}

# A log with its `.regex` (and `.delimiter`) next to it, in ShiViz's upload layout instead:
# in-memory inputs have no neighbours.
upload() {
  local log=$1 base=${1%.*}
  head -n 1 "$base.regex"
  if [[ -f $base.delimiter ]]; then head -n 1 "$base.delimiter"; else echo; fi
  cat "$log"
}

# Byte 0 of a pipeline or engines input picks --from: the index in causal_fuzz::FORMATS.
declare -A FROM=([auto]=0 [jsonl]=1 [regex]=2 [shiviz]=3 [govector]=4 [tracing]=5 [otlp]=6
  [jaeger]=7 [zipkin]=8 [std]=9 [stamped]=10 [edn]=11 [jepsen-log]=12 [history]=13)
hex() { printf '\\x%02x' "$1"; }

# Flags (byte 1): 4 --key-attr db.statement, 32 a --regex line, 64 a --delimiter line.
whole() { # whole NAME FORMAT FLAGS [LINE...] -- FILE...
  local name=$1 format=$2 flags=$3
  shift 3
  for target in pipeline engines; do
    seed "$target" "$name" "$(hex "${FROM[$format]}")$(hex "$flags")" "$@"
  done
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

for f in samples/*.jsonl "$F"/*.jsonl "$F"/*.jsonl.gz; do
  case $(basename "$f") in
    tracing-*) seed tracing "$(basename "$f")" "" -- "$f"; whole "$(basename "$f")" tracing 0 -- "$f" ;;
    otlp-*) seed otlp "$(basename "$f")" "" -- "$f"; whole "$(basename "$f")" otlp 4 -- "$f" ;;
    *)
      seed jsonl "$(basename "$f")" "" -- "$f"
      seed stream "$(basename "$f")" '\x00' -- "$f"
      whole "$(basename "$f")" auto 0 -- "$f"
      ;;
  esac
done
seed jsonl raft "" -- samples/raft/n1.jsonl samples/raft/n2.jsonl samples/raft/n3.jsonl
seed stream raft '\x00' -- samples/raft/n1.jsonl samples/raft/n2.jsonl samples/raft/n3.jsonl
whole raft jsonl 0 -- samples/raft/n1.jsonl samples/raft/n2.jsonl samples/raft/n3.jsonl

seed regex checkout "" "$CHECKOUT_REGEX" -- samples/checkout.log
seed regex crlf "" "$CRLF_REGEX" -- "$F/crlf.log"
seed stream checkout '\x01' "$CHECKOUT_REGEX" -- samples/checkout.log
seed stream crlf '\x03' "$CRLF_REGEX" -- "$F/crlf.log"
whole checkout regex 32 "$CHECKOUT_REGEX" -- samples/checkout.log
whole crlf regex 33 "$CRLF_REGEX" -- "$F/crlf.log"

for f in "$F"/shiviz-*.log; do
  name=$(basename "$f")
  if [[ -f ${f%.*}.regex ]]; then
    upload "$f" >"$TMP/$name"
    f=$TMP/$name
  fi
  seed shiviz "$name" "" -- "$f"
  whole "$name" shiviz 0 -- "$f"
done
for f in "$F"/govector-*; do
  seed govector "$(basename "$f")" "" -- "$f"
  whole "$(basename "$f")" auto 0 -- "$f"
done
GOVECTOR_RUN=("$F/govector-client-Log.txt" "$F/govector-server-Log.txt" "$F/govector-db-Log.txt")
seed govector three-nodes "" -- "${GOVECTOR_RUN[@]}"
whole govector-three-nodes govector 0 -- "${GOVECTOR_RUN[@]}"

for format in otlp jaeger zipkin; do
  for f in "$F/$format"-*.json; do
    seed "$format" "$(basename "$f")" "" -- "$f"
    whole "$(basename "$f")" "$format" 4 -- "$f"
  done
done
for f in "$F"/*.std; do
  seed std "$(basename "$f")" "" -- "$f"
  whole "$(basename "$f")" std 0 -- "$f"
done
# Stamped input: causal's own output, whole and cut (cuts mark messages that cross them).
causal() { cargo run --quiet --locked -- "$@"; }
causal stamp samples/kv-store.jsonl >"$TMP/kv-store.stamped.jsonl"
causal past kv-1#5 samples/kv-store.jsonl >"$TMP/kv-store.past.jsonl"
causal future kv-1#2 samples/kv-store.jsonl >"$TMP/kv-store.future.jsonl"
causal stamp samples/raft/*.jsonl >"$TMP/raft.stamped.jsonl"
causal stamp "$F/graph-awkward.jsonl" >"$TMP/awkward.stamped.jsonl" 2>/dev/null
for f in "$TMP"/*.jsonl; do
  seed stamped "$(basename "$f")" "" -- "$f"
  whole "$(basename "$f")" stamped 0 -- "$f"
done

# Histories: each format's target, `lin` (byte 0: the format, 0 EDN, 1 Jepsen log lines,
# 2 JSON Lines; the model inferred) and the whole pipeline.
for f in "$F"/lin-*.edn "$F"/lin-jepsen.log "$F"/lin-*.jsonl; do
  name=$(basename "$f")
  case $name in
    *.edn) target=edn from=edn lin='\x00' ;;
    *.log) target=jepsen-log from=jepsen-log lin='\x01' ;;
    *) target=history from=history lin='\x02' ;;
  esac
  seed "$target" "$name" "" -- "$f"
  seed lin "$name" "$lin" -- "$f"
  whole "$name" "$from" 0 -- "$f"
done
causal gen --history cas-register --ops 12 --processes 3 --info 0.2 --seed 1 >"$TMP/cas.edn"
causal gen --history kv --ops 14 --processes 3 --keys 2 --info 0.2 --seed 1 --lost-update \
  --history-format jsonl >"$TMP/kv.jsonl"
seed lin gen-cas.edn '\x00' -- "$TMP/cas.edn"
seed lin gen-kv.jsonl '\x02' -- "$TMP/kv.jsonl"

for f in "$F"/*.txt; do
  whole "$(basename "$f")" auto 0 -- "$f"
done
