#!/usr/bin/env bash
# Times whole `causal` commands on generated inputs and prints the ratios of issue 6 ("Scale and
# speed"), all measured in the same run, as Markdown to paste into BENCHMARKS.md.
#
#   bench/run.sh                     every section at full size (10^7 events: long, ~3.5 GB of inputs)
#   bench/run.sh --quick             sizes a tenth of that, to try the script
#   bench/run.sh --only mawk,govector --runs 5
#
# Builds the release binary (or takes $CAUSAL), writes inputs with `causal gen` to $BENCH_DIR
# (default bench/data/), installs hyperfine, mawk and GNU time from Debian when missing, times
# each command with hyperfine (--warmup 1 --runs N, JSON kept next to the inputs) and takes its
# peak memory from one more run under /usr/bin/time -v, which also checks its exit status.
# stdout carries only the Markdown (also saved as $BENCH_DIR/results.md); progress goes to
# stderr. No goal is enforced: the table reports what was reached.
set -euo pipefail

SECTIONS=(mawk memory nodes engine govector scaling wide)

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

Options:
  --quick    every size divided by 10
  --only     run only these sections (repeatable, or comma-separated)
  --runs N   hyperfine runs per command after one warmup (default 3)

Environment:
  BENCH_DIR      scratch directory for inputs and raw results (default bench/data)
  CAUSAL         a causal binary to measure instead of building target/release/causal
  BENCH_STD_DIR  RAPID STD traces for the engine section (default ../shared/corpus/rapid)
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
    log "building the release binary and examples/engines"
    (cd "$ROOT" && cargo build --release --quiet && cargo build --release --quiet -p causal-core --example engines)
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
measure() {
    local key=$1 ok=$2
    shift 2
    [[ -n ${MEAN[$key]:-} ]] && return 0
    local slug=${key//[^A-Za-z0-9._-]/_}
    log "measuring $key"
    local status=0
    /usr/bin/time -v -o "$DIR/$slug.time" "$@" >/dev/null 2>"$DIR/$slug.stderr" || status=$?
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
        case $a in
        "$BIN") a=causal ;;
        "$DIR"/* | /*/*) a=$(basename "$a") ;;
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
    if ((${#GOAL_ROWS[@]})); then
        echo
        echo "| # | ratio (issue 6; 6 is issue 15's wide traces) | measured | goal | met |"
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
