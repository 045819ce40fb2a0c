#!/usr/bin/env bash
# Times whole `causal` commands on generated inputs and prints the ratios of issue 6 ("Scale and
# speed") and issue 15 ("Scale II"), peers included, all measured in the same run, as Markdown to
# paste into BENCHMARKS.md.
#
#   bench/run.sh                     every section at full size (10^7 events: long, ~3.5 GB of inputs)
#   bench/run.sh --quick             sizes a tenth of that, to try the script
#   bench/run.sh --only mawk,govector --runs 5
#   BENCH_RAPID_CP=... BENCH_SHIVIZ=... bench/run.sh --only rapid,shiviz --runs 1
#
# Builds the release binary (or takes $CAUSAL), writes inputs with `causal gen` to $BENCH_DIR
# (default bench/data/), installs hyperfine, mawk and GNU time from Debian when missing, times
# each command with hyperfine (--warmup 1 --runs N, JSON kept next to the inputs) and takes its
# peak memory from one more run under /usr/bin/time -v, which also checks its exit status.
# stdout carries only the Markdown (also saved as $BENCH_DIR/results.md); progress goes to
# stderr. No goal is enforced: the table reports what was reached. Peers (RAPID, ShiViz) are built
# by hand outside the repository and found through the environment; without them their sections
# say in the notes that they were skipped.
set -euo pipefail

SECTIONS=(mawk memory nodes engine govector scaling wide shiviz rapid)

usage() {
    cat <<'EOF'
usage: bench/run.sh [--quick] [--only NAME[,NAME...]]... [--runs N]

Sections (all by default), numbered as in issue 6:
  mawk      1. causal stamp vs mawk on 10^6 events, 16 nodes
  memory    2. conflicts and check on 10^7 events, 1,000 nodes, 10^4 keys:
               peak RSS / input size, time / stamp's time
  nodes     3. time per event at 1,000 nodes vs 10 nodes, 10^7 events each
  engine    4. stamp --engine flat|tree|auto on STD and generated traces, and the
               engines alone (crates/core/examples/engines.rs)
  govector  5. causal check on a 40,000-event GoVector log
  scaling   stamp, conflicts, check at 10^5, 10^6, 10^7 events, 16 nodes
  wide      every command on 10^6 events at 100,000 nodes (issue 15, "Wide traces")
  shiviz    ShiViz's own parser + model under Node (bench/shiviz-node.mjs) against
            causal stamp and check, ShiViz-layout logs of 8 hosts, 10k and 40k events
            (issue 15; needs BENCH_SHIVIZ)
  rapid     causal conflicts --from std against RAPID's HB on racy STD traces from
            bench/locks-trace.sh, 16 and 256 threads, 10^6 and 10^7 events: time,
            peak memory / input, same racy variables (issue 15; needs BENCH_RAPID_CP)

Options:
  --quick    every size divided by 10
  --only     run only these sections (repeatable, or comma-separated)
  --runs N   hyperfine runs per command after one warmup (default 3)

Environment:
  BENCH_DIR      scratch directory for inputs and raw results (default bench/data)
  CAUSAL         a causal binary to measure instead of building target/release/causal
  BENCH_STD_DIR  RAPID STD traces for the engine section (default ../shared/corpus/rapid)
  BENCH_SHIVIZ   a checkout of DistributedClocks/shiviz, for the shiviz section (needs node)
  BENCH_RAPID_CP the Java classpath of a RAPID (umangm/rapid) built by hand, for the rapid
                 section (needs java), e.g. rapid/bin:rapid/lib/commons-cli-1.3.1.jar:...
EOF
}

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
    printf 'bench/run.sh: %s\n' "$*" >&2
    exit 2
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QUICK=0
RUNS=3
ONLY=()
while (($#)); do
    case $1 in
    --quick) QUICK=1 ;;
    --only) ONLY+=("${2:?--only needs a section name}") && shift ;;
    --only=*) ONLY+=("${1#--only=}") ;;
    --runs) RUNS=${2:?--runs needs a number} && shift ;;
    --runs=*) RUNS=${1#--runs=} ;;
    -h | --help) usage && exit 0 ;;
    *) usage >&2 && die "unknown argument: $1" ;;
    esac
    shift
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number, found $RUNS"

declare -A SELECTED=()
if ((${#ONLY[@]} == 0)); then
    for s in "${SECTIONS[@]}"; do SELECTED[$s]=1; done
else
    for list in "${ONLY[@]}"; do
        IFS=, read -ra names <<<"$list"
        for s in "${names[@]}"; do
            [[ " ${SECTIONS[*]} " == *" $s "* ]] || die "unknown section $s (sections: ${SECTIONS[*]})"
            SELECTED[$s]=1
        done
    done
fi
selected() { [[ -n ${SELECTED[$1]:-} ]]; }

# Sizes: the issue's, or a tenth of them with --quick.
SCALE=1
((QUICK)) && SCALE=10
E5=$((100000 / SCALE))
E6=$((1000000 / SCALE))
E7=$((10000000 / SCALE))
EGOV=$((40000 / SCALE))

DIR=${BENCH_DIR:-$ROOT/bench/data}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

# --- Tools -----------------------------------------------------------------------------------

as_root() {
    if ((EUID == 0)); then "$@"; else sudo "$@"; fi
}

# install PACKAGE: from Debian, refreshing the package lists only if the first try fails.
install() {
    log "installing $1"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >&2 ||
        { as_root apt-get update -qq >&2 && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >&2; }
}

command -v hyperfine >/dev/null || install hyperfine
command -v mawk >/dev/null || install mawk
[[ -x /usr/bin/time ]] || install time

if [[ -n ${CAUSAL:-} ]]; then
    BIN=$(command -v "$CAUSAL") || die "CAUSAL=$CAUSAL is not an executable"
    BUILT="the binary given as \`\$CAUSAL\`"
else
    log "building the release binary"
    (cd "$ROOT" && cargo build --release --quiet)
    # The engine section's example only when that section runs: it rebuilds the library.
    if selected engine; then
        log "building examples/engines"
        (cd "$ROOT" && cargo build --release --quiet -p causal-core --example engines)
    fi
    target=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
    BIN=$target/release/causal
    BUILT="\`cargo build --release\`"
fi
[[ -x $BIN ]] || die "no causal binary at $BIN"

# The commit measured, read now: the tree may move on while a long run goes. A binary given
# as $CAUSAL may come from anywhere.
commit=unknown
if [[ -z ${CAUSAL:-} ]] && head=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null); then
    commit="\`$head\`"
    git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || commit+=" with uncommitted changes"
fi

# --- Formatting ------------------------------------------------------------------------------

# calc EXPR: floating-point arithmetic, printed as awk prints it.
calc() { awk "BEGIN { print $1 }"; }
# fmt_time SECONDS: "840 ms" or "8.41 s".
fmt_time() { awk -v t="$1" 'BEGIN { if (t < 0.01) printf "%.1f ms", t * 1000; else if (t < 1) printf "%.0f ms", t * 1000; else if (t < 100) printf "%.2f s", t; else printf "%.0f s", t }'; }
# fmt_ns NANOSECONDS: "840 ns" or "38.2 µs".
fmt_ns() { awk -v t="$1" 'BEGIN { if (t < 1000) printf "%.0f ns", t; else printf "%.1f µs", t / 1000 }'; }
# fmt_bytes BYTES: decimal units, as BENCHMARKS.md writes them.
fmt_bytes() { awk -v b="$1" 'BEGIN { if (b < 1e6) printf "%.0f KB", b / 1e3; else if (b < 1e9) printf "%.0f MB", b / 1e6; else printf "%.2f GB", b / 1e9 }'; }
# fmt_count N: 40k, 1M, 10M.
fmt_count() { awk -v n="$1" 'BEGIN { if (n >= 1e6) printf "%gM", n / 1e6; else if (n >= 1e3) printf "%gk", n / 1e3; else printf "%d", n }'; }
# fmt_ratio X: "1.23x".
fmt_ratio() { awk -v r="$1" 'BEGIN { printf "%.2fx", r }'; }
# meets X GOAL: "yes" when X <= GOAL.
meets() { awk -v x="$1" -v g="$2" 'BEGIN { print (x <= g ? "yes" : "**no**") }'; }
# at_least X GOAL: "yes" when X >= GOAL.
at_least() { awk -v x="$1" -v g="$2" 'BEGIN { print (x >= g ? "yes" : "**no**") }'; }

# json_num FILE KEY: a number from hyperfine's JSON export (one command per file).
json_num() {
    awk -v key="\"$2\":" '$1 == key { gsub(/[ ,]/, "", $2); print $2; exit }' "$1"
}

# quote ARG...: one command line for hyperfine, each argument single-quoted.
quote() {
    local out="" a
    for a in "$@"; do out+="'${a//\'/\'\\\'\'}' "; done
    printf '%s' "${out% }"
}

# --- Inputs ----------------------------------------------------------------------------------

declare -A INPUT_DONE=()
INPUT_ROWS=()

# add_input FILE COMMAND: records an input for the table of inputs.
add_input() {
    local size
    size=$(stat -c %s "$1")
    INPUT_ROWS+=("| \`$(basename "$1")\` | \`$2\` | $(fmt_bytes "$size") |")
}

# make_input FILE WHAT COMMAND...: writes FILE with COMMAND's output, once per run (inputs are
# regenerated on every run, so they always come from the binary being measured).
make_input() {
    local f=$1 what=$2
    shift 2
    [[ -n ${INPUT_DONE[$f]:-} ]] && return 0
    log "generating $(basename "$f")"
    "$@" >"$f"
    add_input "$f" "$what"
    INPUT_DONE[$f]=1
}

# gen_input NODES EVENTS KEYS: a `causal gen` trace; sets INPUT to its path.
gen_input() {
    INPUT="$DIR/gen-n$1-e$(fmt_count "$2")-k$3.jsonl"
    make_input "$INPUT" "causal gen --nodes $1 --events $2 --seed 1 --keys $3" \
        "$BIN" gen --nodes "$1" --events "$2" --seed 1 --keys "$3"
}

size_of() { stat -c %s "$1"; }

# --- Measurement -----------------------------------------------------------------------------

declare -A MEAN=() SD=() USER=() RSS=() STATUS=()
RESULT_ROWS=()

# measure KEY OK_STATUSES COMMAND...: peak RSS (KB) from one run under /usr/bin/time -v, which
# must exit with one of OK_STATUSES (conflicts and check exit 1 on findings), then wall and user
# time from hyperfine. Results are stored under KEY; a KEY already measured is not run again.
# The stdout of the /usr/bin/time run goes to $MEASURE_STDOUT when set (to check what a command
# found), else to /dev/null.
measure() {
    local key=$1 ok=$2
    shift 2
    [[ -n ${MEAN[$key]:-} ]] && return 0
    local slug=${key//[^A-Za-z0-9._-]/_}
    log "measuring $key"
    local status=0
    /usr/bin/time -v -o "$DIR/$slug.time" "$@" >"${MEASURE_STDOUT:-/dev/null}" 2>"$DIR/$slug.stderr" || status=$?
    if [[ " $ok " != *" $status "* ]]; then
        tail -n 5 "$DIR/$slug.stderr" >&2
        die "$* exited with status $status, expected $ok (stderr in $DIR/$slug.stderr)"
    fi
    STATUS[$key]=$status
    RSS[$key]=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$DIR/$slug.time")
    hyperfine -N --ignore-failure --warmup 1 --runs "$RUNS" \
        --export-json "$DIR/$slug.json" -- "$(quote "$@")" >&2
    MEAN[$key]=$(json_num "$DIR/$slug.json" mean)
    SD[$key]=$(json_num "$DIR/$slug.json" stddev)
    USER[$key]=$(json_num "$DIR/$slug.json" user)
}

# cmd_line COMMAND...: the command as shown in tables: file names without their directory.
cmd_line() {
    local out="" a
    for a in "$@"; do
        # A peer's location is shown as the variable that gave it.
        # shellcheck disable=SC2016 # the names, not their values
        if [[ -n ${BENCH_RAPID_CP:-} && $a == "$BENCH_RAPID_CP" ]]; then
            a='$BENCH_RAPID_CP'
        elif [[ -n ${BENCH_SHIVIZ:-} && $a == "$BENCH_SHIVIZ" ]]; then
            a='$BENCH_SHIVIZ'
        fi
        case $a in
        "$BIN") a=causal ;;
        "$DIR"/*) a=$(basename "$a") ;;
        "$ROOT"/bench/*) a=${a#"$ROOT"/} ;;
        /*/*) a=$(basename "$a") ;;
        esac
        [[ $a == *[[:space:]\"\'\{]* ]] && a="'$a'"
        out+="$a "
    done
    printf '%s' "${out% }"
}

# run_cmd KEY OK_STATUSES INPUT COMMAND...: measure, then add a row to the table of commands.
run_cmd() {
    local key=$1 ok=$2 input=$3
    shift 3
    local had=${MEAN[$key]:-}
    measure "$key" "$ok" "$@"
    [[ -n $had ]] && return 0
    local kb=${RSS[$key]} size
    size=$(size_of "$input")
    RESULT_ROWS+=("| \`$(cmd_line "$@")\` | $(fmt_time "${MEAN[$key]}") ± $(fmt_time "${SD[$key]}") | $(fmt_time "${USER[$key]}") | $(fmt_bytes $((kb * 1024))) | $(fmt_ratio "$(calc "$kb * 1024 / $size")") | ${STATUS[$key]} |")
}

GOAL_ROWS=()
SCALING_ROWS=()
ENGINE_ROWS=()
NOTES=()
PEERS=()

# peer_commit DIR: the commit of the checkout holding DIR, or why there is none.
peer_commit() {
    local c
    if c=$(git -C "$1" rev-parse --short HEAD 2>/dev/null); then
        printf '%s' "\`$c\`"
    else
        printf 'unknown (%s is not a git checkout)' "$1"
    fi
}

# --- Sections --------------------------------------------------------------------------------

section_mawk() {
    gen_input 16 "$E6" 1000
    local f=$INPUT
    run_cmd "stamp|$f" 0 "$f" "$BIN" stamp "$f"
    # shellcheck disable=SC2016 # $4 is awk's
    run_cmd "mawk|$f" 0 "$f" mawk -F'"' '{c[$4]++}' "$f"
    local r
    r=$(calc "${MEAN[stamp|$f]} / ${MEAN[mawk|$f]}")
    GOAL_ROWS+=("| 1 | \`stamp\` / \`mawk -F'\"' '{c[\$4]++}'\`, $(fmt_count "$E6") events, 16 nodes | $(fmt_ratio "$r") ($(fmt_time "${MEAN[stamp|$f]}") / $(fmt_time "${MEAN[mawk|$f]}")) | <= 1.5x | $(meets "$r" 1.5) |")
}

section_memory() {
    local f size cmd
    gen_input 1000 "$E7" 10000
    f=$INPUT
    size=$(size_of "$f")
    run_cmd "stamp|$f" 0 "$f" "$BIN" stamp "$f"
    for cmd in conflicts check; do
        run_cmd "$cmd|$f" "0 1" "$f" "$BIN" "$cmd" "$f"
        local m t
        m=$(calc "${RSS[$cmd|$f]} * 1024 / $size")
        t=$(calc "${MEAN[$cmd|$f]} / ${MEAN[stamp|$f]}")
        GOAL_ROWS+=("| 2 | \`$cmd\` peak RSS / input size, $(fmt_count "$E7") events, 1,000 nodes | $(fmt_ratio "$m") ($(fmt_bytes $((RSS[$cmd|$f] * 1024))) / $(fmt_bytes "$size")) | <= 2.5x | $(meets "$m" 2.5) |")
        GOAL_ROWS+=("| 2 | \`$cmd\` time / \`stamp\` time, same input | $(fmt_ratio "$t") ($(fmt_time "${MEAN[$cmd|$f]}") / $(fmt_time "${MEAN[stamp|$f]}")) | <= 1.3x | $(meets "$t" 1.3) |")
    done
}

section_nodes() {
    local many few cmd
    gen_input 1000 "$E7" 10000
    many=$INPUT
    gen_input 10 "$E7" 10000
    few=$INPUT
    for cmd in stamp conflicts check; do
        run_cmd "$cmd|$few" "0 1" "$few" "$BIN" "$cmd" "$few"
        run_cmd "$cmd|$many" "0 1" "$many" "$BIN" "$cmd" "$many"
        local r per_few per_many
        r=$(calc "${MEAN[$cmd|$many]} / ${MEAN[$cmd|$few]}")
        per_few=$(calc "${MEAN[$cmd|$few]} * 1e9 / $E7")
        per_many=$(calc "${MEAN[$cmd|$many]} * 1e9 / $E7")
        GOAL_ROWS+=("| 3 | \`$cmd\` time per event, 1,000 nodes / 10 nodes, $(fmt_count "$E7") events | $(fmt_ratio "$r") ($(fmt_ns "$per_many") / $(fmt_ns "$per_few")) | <= 1.5x | $(meets "$r" 1.5) |")
    done
}

section_engine() {
    local inputs=() f
    local std_dir=${BENCH_STD_DIR:-$ROOT/../shared/corpus/rapid}
    if [[ -d $std_dir ]]; then
        for f in "$std_dir"/*.std; do [[ -e $f ]] && inputs+=("$f"); done
    else
        NOTES+=("No RAPID STD traces at \`$std_dir\` (set BENCH_STD_DIR): engine rows for them are missing.")
    fi
    f="$DIR/locks-16t-$(fmt_count "$E6").std"
    make_input "$f" "bench/locks-trace.sh $E6 16 8 1" "$ROOT/bench/locks-trace.sh" "$E6" 16 8 1
    inputs+=("$f")
    f="$DIR/locks-1000t-$(fmt_count "$E6").std"
    make_input "$f" "bench/locks-trace.sh $E6 1000 1000 1" "$ROOT/bench/locks-trace.sh" "$E6" 1000 1000 1
    inputs+=("$f")
    f="$DIR/locks-1000t-home-$(fmt_count "$E6").std"
    make_input "$f" "bench/locks-trace.sh $E6 1000 1000 1 0.99" "$ROOT/bench/locks-trace.sh" "$E6" 1000 1000 1 0.99
    inputs+=("$f")
    gen_input 16 "$E6" 1000
    inputs+=("$INPUT")
    gen_input 1000 "$E6" 10000
    inputs+=("$INPUT")
    # Whole commands: stamp by each engine.
    for f in "${inputs[@]}"; do
        local e
        for e in flat tree auto; do
            run_cmd "stamp-$e|$f" 0 "$f" "$BIN" stamp --engine "$e" "$f"
        done
        local r a
        r=$(calc "${MEAN[stamp-tree|$f]} / ${MEAN[stamp-flat|$f]}")
        a=$(calc "${MEAN[stamp-auto|$f]} / ${MEAN[stamp-flat|$f]}")
        GOAL_ROWS+=("| 4 | \`stamp --engine tree\` / \`--engine flat\` on \`$(basename "$f")\` (auto / flat) | $(fmt_ratio "$r") ($(fmt_time "${MEAN[stamp-tree|$f]}") / $(fmt_time "${MEAN[stamp-flat|$f]}")); auto $(fmt_ratio "$a") | report | - |")
    done
    # The engines alone, without parsing and output (crates/core/examples/engines.rs, best of $RUNS).
    if [[ -n ${CAUSAL:-} ]]; then
        NOTES+=("Engine-only rows need the source tree's \`examples/engines\`; skipped with \`\$CAUSAL\`.")
        return 0
    fi
    log "timing the engines alone"
    local name events nodes flat tree auto rt ra ended
    while IFS=$'\t' read -r name events nodes flat tree auto rt ra ended; do
        [[ $name == file ]] && continue
        ENGINE_ROWS+=("| \`$(basename "$name")\` | $events | $nodes | $flat ms | $tree ms | $auto ms | ${rt}x | ${ra}x | $ended |")
    done < <("$target/release/examples/engines" --runs "$RUNS" "${inputs[@]}")
}

section_govector() {
    local f
    f="$DIR/govector-$(fmt_count "$EGOV").log"
    make_input "$f" "bench/govector-log.sh $EGOV 8 1" \
        env CAUSAL="$BIN" "$ROOT/bench/govector-log.sh" "$EGOV" 8 1
    run_cmd "check|$f" "0 1" "$f" "$BIN" check "$f"
    # The point is GoVector input: make sure it was read as such, not as something else.
    local slug="check_${f//[^A-Za-z0-9._-]/_}"
    grep -q "as govector" "$DIR/$slug.stderr" ||
        die "$(basename "$f") was not recognised as a GoVector log: $(head -c 300 "$DIR/$slug.stderr")"
    local t=${MEAN[check|$f]}
    GOAL_ROWS+=("| 5 | \`check\` on a $(fmt_count "$EGOV")-event GoVector log (8 hosts) | $(fmt_time "$t") | well under 1 s | $(meets "$t" 1) |")
}

section_scaling() {
    local e f cmd
    for e in "$E5" "$E6" "$E7"; do
        gen_input 16 "$e" 1000
        f=$INPUT
        for cmd in stamp conflicts check; do
            run_cmd "$cmd|$f" "0 1" "$f" "$BIN" "$cmd" "$f"
        done
    done
    for cmd in stamp conflicts check; do
        for e in "$E5" "$E6" "$E7"; do
            gen_input 16 "$e" 1000
            f=$INPUT
            local key="$cmd|$f" size
            size=$(size_of "$f")
            SCALING_ROWS+=("| \`$cmd\` | $(fmt_count "$e") | $(fmt_bytes "$size") | $(fmt_time "${MEAN[$key]}") | $(fmt_ns "$(calc "${MEAN[$key]} * 1e9 / $e")") | $(fmt_bytes $((RSS[$key] * 1024))) | $(printf '%.0f' "$(calc "${RSS[$key]} * 1024 / $e")") B | $(fmt_ratio "$(calc "${RSS[$key]} * 1024 / $size")") |")
        done
    done
}

section_wide() {
    local f first last cmd
    gen_input 100000 "$E6" 10000
    f=$INPUT
    # Events to ask about: the first of the first line's node, the first of the last line's.
    first="$(head -n 1 "$f" | sed 's/.*"node":"\([^"]*\)".*/\1/')#1"
    last="$(tail -n 1 "$f" | sed 's/.*"node":"\([^"]*\)".*/\1/')#1"
    local -a cmds=(
        "check" "conflicts" "stats" "stamp --vc delta" "stamp --vc none" "critical-path"
        "hb $first $last" "why $last" "slice --nodes ${first%#*},${last%#*}"
        "graph --format dot --around $first --depth 2"
    )
    for cmd in "${cmds[@]}"; do
        # shellcheck disable=SC2086 # each command is words
        run_cmd "wide-$cmd|$f" "0 1" "$f" "$BIN" $cmd "$f"
        GOAL_ROWS+=("| 6 | \`$cmd\` on $(fmt_count "$E6") events, 100,000 nodes | $(fmt_time "${USER[wide-$cmd|$f]}") user, $(fmt_bytes $((RSS[wide-$cmd|$f] * 1024))) | completes | yes |")
    done
    run_cmd "wide-diff|$f" "0 1" "$f" "$BIN" diff "$f" -- "$f"
    GOAL_ROWS+=("| 6 | \`diff A -- A\` on $(fmt_count "$E6") events, 100,000 nodes | $(fmt_time "${USER[wide-diff|$f]}") user, $(fmt_bytes $((RSS[wide-diff|$f] * 1024))) | completes | yes |")
}

# shiviz_log EVENTS: a generated run of 8 hosts in ShiViz's upload layout, clocks by causal.
shiviz_log() {
    "$BIN" gen --nodes 8 --events "$1" --seed 1 | "$BIN" stamp --format shiviz
}

section_shiviz() {
    if [[ -z ${BENCH_SHIVIZ:-} ]]; then
        NOTES+=("Row 7 (ShiViz) skipped: \`\$BENCH_SHIVIZ\` is not set (a checkout of DistributedClocks/shiviz; see \"How to run the benchmarks\").")
        return 0
    fi
    if ! command -v node >/dev/null; then
        NOTES+=("Row 7 (ShiViz) skipped: no \`node\` on the PATH to run ShiViz's parser.")
        return 0
    fi
    [[ -f $BENCH_SHIVIZ/js/model/parser.js ]] ||
        die "BENCH_SHIVIZ=$BENCH_SHIVIZ is not a ShiViz checkout (no js/model/parser.js)"
    PEERS+=("ShiViz (DistributedClocks/shiviz) $(peer_commit "$BENCH_SHIVIZ") under Node $(node --version), parser and model only (\`bench/shiviz-node.mjs\`)")
    # ShiViz counts the lines before each match from the start of the log: quadratic, about
    # 100 s at 40k events, so --quick stops at 10k.
    local counts=(10000 40000) e f out events
    ((QUICK)) && counts=(4000 10000)
    for e in "${counts[@]}"; do
        f="$DIR/shiviz-n8-$(fmt_count "$e").log"
        # The pipe escaped: the command is shown in a Markdown table.
        make_input "$f" "causal gen --nodes 8 --events $e --seed 1 \\| causal stamp --format shiviz" shiviz_log "$e"
        out="$DIR/shiviz-node-$(fmt_count "$e").json"
        MEASURE_STDOUT=$out run_cmd "shiviz|$f" 0 "$f" node "$ROOT/bench/shiviz-node.mjs" "$BENCH_SHIVIZ" "$f"
        events=$(sed -n 's/.*"events":\([0-9]*\).*/\1/p' "$out")
        [[ $events == "$e" ]] || die "ShiViz found ${events:-no} events in $(basename "$f"), expected $e ($out)"
        run_cmd "stamp|$f" 0 "$f" "$BIN" stamp "$f"
        run_cmd "check|$f" "0 1" "$f" "$BIN" check "$f"
        local slug="stamp_${f//[^A-Za-z0-9._-]/_}"
        grep -q "as shiviz" "$DIR/$slug.stderr" ||
            die "$(basename "$f") was not read as a ShiViz log: $(head -c 300 "$DIR/$slug.stderr")"
        local cmd r u parse model goal met
        parse=$(sed -n 's/.*"parse_ms":\([0-9]*\).*/\1/p' "$out")
        model=$(sed -n 's/.*"model_ms":\([0-9]*\).*/\1/p' "$out")
        for cmd in stamp check; do
            r=$(calc "${MEAN[shiviz|$f]} / ${MEAN[$cmd|$f]}")
            u=$(calc "${USER[shiviz|$f]} / ${USER[$cmd|$f]}")
            goal=report met=-
            if ((e == 40000)); then
                goal=">= 1000x" met=$(at_least "$r" 1000)
            fi
            GOAL_ROWS+=("| 7 | ShiViz's parser + model (Node) / \`causal $cmd\`, ShiViz log, $(fmt_count "$e") events, 8 hosts | $(printf '%.0fx' "$r") ($(fmt_time "${MEAN[shiviz|$f]}") / $(fmt_time "${MEAN[$cmd|$f]}"); user $(printf '%.0fx' "$u"), $(fmt_time "${USER[shiviz|$f]}") / $(fmt_time "${USER[$cmd|$f]}"); ShiViz parse $(fmt_time "$(calc "$parse / 1000")"), model $(fmt_time "$(calc "$model / 1000")")) | $goal | $met |")
        done
    done
    ((QUICK)) && NOTES+=("Row 7's goal is at 40k events; \`--quick\` stops at 10k, so no row is judged.")
    return 0
}

# rapid_vars RAPID_OUTPUT TRACE: the variables of the accesses RAPID reported, one a line,
# sorted. RAPID prints the location (an STD line's third field) of each racy access, or with
# -v 1 "Race detected at event N : T|op|loc"; bench/locks-trace.sh gives every line its own.
rapid_vars() {
    awk -F'|' '
        NR == FNR {
            if ($0 ~ /^[0-9]+$/) loc[$0] = 1
            else if ($0 ~ /^Race detected at event /) loc[$NF] = 1
            next
        }
        ($3 in loc) && $2 ~ /^[rw]\(/ { v = $2; sub(/^[rw]\(/, "", v); sub(/\)$/, "", v); print v }
    ' "$1" "$2" | sort -u
}

# causal_vars JSON: the keys of `causal conflicts --format json`, one a line, sorted.
causal_vars() {
    grep -o '"key":"[^"]*","write_write"' "$1" | sed 's/^"key":"\([^"]*\)".*/\1/' | sort -u
}

section_rapid() {
    if [[ -z ${BENCH_RAPID_CP:-} ]]; then
        NOTES+=("Rows 8 (RAPID) skipped: \`\$BENCH_RAPID_CP\` is not set (the classpath of umangm/rapid built with javac; see \"How to run the benchmarks\").")
        return 0
    fi
    if ! command -v java >/dev/null; then
        NOTES+=("Rows 8 (RAPID) skipped: no \`java\` on the PATH.")
        return 0
    fi
    PEERS+=("RAPID (umangm/rapid) $(peer_commit "$(dirname "${BENCH_RAPID_CP%%:*}")"), \`HB\`, under $(java -version 2>&1 | head -n 1)")
    local threads locks e f rout cout label
    declare -A per=()
    for threads in 16 256; do
        locks=$((threads == 16 ? 8 : 32))
        for e in "$E6" "$E7"; do
            f="$DIR/racy-${threads}t-$(fmt_count "$e").std"
            make_input "$f" "bench/locks-trace.sh $e $threads $locks 1 0 16" \
                "$ROOT/bench/locks-trace.sh" "$e" "$threads" "$locks" 1 0 16
            rout="$DIR/rapid-${threads}t-$(fmt_count "$e").out"
            cout="$DIR/conflicts-std-${threads}t-$(fmt_count "$e").json"
            MEASURE_STDOUT=$rout run_cmd "rapid|$f" 0 "$f" java -Xmx4g -cp "$BENCH_RAPID_CP" HB -f std -p "$f"
            MEASURE_STDOUT=$cout run_cmd "conflicts-std|$f" "0 1" "$f" "$BIN" conflicts --from std "$f" --format json
            # Both must have found the same racy variables.
            local ours theirs same n
            ours=$(causal_vars "$cout")
            theirs=$(rapid_vars "$rout" "$f")
            n=$(grep -c . <<<"$ours" || true)
            if [[ -n $ours && $ours == "$theirs" ]]; then
                same="same $n racy variables found"
            else
                same="**racy variables differ**: causal $(tr '\n' ' ' <<<"$ours"), RAPID $(tr '\n' ' ' <<<"$theirs")"
            fi
            label="$threads threads, $locks locks, $(fmt_count "$e") events"
            local r u m met size
            size=$(size_of "$f")
            r=$(calc "${MEAN[conflicts-std|$f]} / ${MEAN[rapid|$f]}")
            u=$(calc "${USER[conflicts-std|$f]} / ${USER[rapid|$f]}")
            met=$(meets "$r" 0.2)
            [[ $same == same* ]] || met="**no**"
            GOAL_ROWS+=("| 8 | \`conflicts --from std\` / RAPID HB, $label ($same) | $(fmt_ratio "$r") ($(fmt_time "${MEAN[conflicts-std|$f]}") / $(fmt_time "${MEAN[rapid|$f]}"); user $(fmt_ratio "$u"), $(fmt_time "${USER[conflicts-std|$f]}") / $(fmt_time "${USER[rapid|$f]}")) | <= 0.2x | $met |")
            m=$(calc "${RSS[conflicts-std|$f]} * 1024 / $size")
            GOAL_ROWS+=("| 8 | \`conflicts --from std\` peak memory / input, $label | $(fmt_ratio "$m") ($(fmt_bytes $((RSS[conflicts-std|$f] * 1024))) / $(fmt_bytes "$size"); RAPID $(fmt_bytes $((RSS[rapid|$f] * 1024)))) | <= 2.5x | $(meets "$m" 2.5) |")
            per[$threads|$e]=${USER[conflicts-std|$f]}
        done
        GOAL_ROWS+=("| 8 | \`conflicts --from std\` user time, $(fmt_count "$E7") / $(fmt_count "$E6") events, $threads threads | $(fmt_ratio "$(calc "${per[$threads|$E7]} / ${per[$threads|$E6]}")") | linear (10x) | - |")
    done
}

for s in "${SECTIONS[@]}"; do
    if selected "$s"; then
        log "section $s"
        "section_$s"
    fi
done

# --- Report ----------------------------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
sizes="the issue's sizes"
((QUICK)) && sizes="\`--quick\`: every size a tenth of the issue's"
ran=()
for s in "${SECTIONS[@]}"; do selected "$s" && ran+=("$s"); done

{
    echo "## bench/run.sh, $(date -u +%F)"
    echo
    echo "Commit $commit, built with $BUILT; $(nproc) cores (\`nproc\`), $mem, ${cpu:-unknown CPU}."
    echo "Sections: ${ran[*]}; $sizes. $(hyperfine --version), \`--warmup 1 --runs $RUNS\`;"
    echo "peak memory from one more run under \`/usr/bin/time -v\`. Output to /dev/null."
    if ((${#PEERS[@]})); then
        echo
        printf 'Peers, built by hand: %s.\n' "$(printf '%s; ' "${PEERS[@]}" | sed 's/; $//')"
    fi
    if ((${#GOAL_ROWS[@]})); then
        echo
        echo "| # | ratio (issue 6; 6 to 8 are issue 15's: wide traces, ShiViz, RAPID) | measured | goal | met |"
        echo "|---|---|---|---|---|"
        printf '%s\n' "${GOAL_ROWS[@]}"
    fi
    if ((${#SCALING_ROWS[@]})); then
        echo
        echo "Scaling, 16 nodes, 1,000 keys:"
        echo
        echo "| command | events | input | wall | per event | max RSS | RSS per event | RSS / input |"
        echo "|---|---|---|---|---|---|---|---|"
        printf '%s\n' "${SCALING_ROWS[@]}"
    fi
    if ((${#ENGINE_ROWS[@]})); then
        echo
        echo "The vector-clock engines alone (\`crates/core/examples/engines.rs\`: every event's clock replayed in"
        echo "Lamport order, no parsing or output; best of $RUNS):"
        echo
        echo "| input | events | nodes | flat | tree | auto | tree / flat | auto / flat | auto ended on |"
        echo "|---|---|---|---|---|---|---|---|---|"
        printf '%s\n' "${ENGINE_ROWS[@]}"
    fi
    if ((${#RESULT_ROWS[@]})); then
        echo
        echo "Every command measured:"
        echo
        echo "| command | wall (mean ± σ) | user | max RSS | RSS / input | exit |"
        echo "|---|---|---|---|---|---|"
        printf '%s\n' "${RESULT_ROWS[@]}"
    fi
    if ((${#INPUT_ROWS[@]})); then
        echo
        echo "Inputs:"
        echo
        echo "| file | made by | size |"
        echo "|---|---|---|"
        printf '%s\n' "${INPUT_ROWS[@]}"
    fi
    if ((${#NOTES[@]})); then
        echo
        printf -- '- %s\n' "${NOTES[@]}"
    fi
} | tee "$DIR/results.md"
log "raw hyperfine JSON, /usr/bin/time -v output and stderr of each command are in $DIR"
