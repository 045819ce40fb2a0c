#!/usr/bin/env bash
# Times `causal lin` against Porcupine (and Knossos, when given) as whole processes on the same
# history files, and prints a Markdown table for BENCHMARKS.md ("Linearizability").
#
#   bench/lin.sh                  the shared histories and every generated one
#   bench/lin.sh --quick          generated sizes up to 10^4 operations only
#   bench/lin.sh --max-ops 1000   generated sizes up to 10^3 operations only
#   bench/lin.sh --runs 5
#
# Inputs: every history of $CORPUS (default ../shared/corpus/histories, skipped when absent),
# and histories written by `causal gen --history` (seed 1) to $BENCH_DIR (default
# bench/data/lin): cas-register with 10^3, 10^4, 10^5 operations and 5, 10, 50 processes (1% of
# operations time out, :info), each linearizable, with one planted stale read, and with one
# planted lost update (two overlapping compare-and-sets from one value both succeed: no single
# observation is impossible, so a checker must exhaust the search); kv with 10^5 operations on
# 1,000 keys and 10 processes, the same three ways (the lost update: two appends, a get that
# sees one).
#
# Peers are never built here; point at them with:
#   PORCUPINE   a driver binary built against Porcupine's source: `PORCUPINE [-model kv]
#               [-timeout D] FILE` prints Ok, Illegal or Unknown (exit 0, 1, 3). BENCHMARKS.md
#               says what it does. Rows without it say "skipped".
#   KNOSSOS     a command that checks one EDN cas-register history, run as `$KNOSSOS FILE`
#               (exit 0 linearizable, 1 not). Optional.
#   CAUSAL      a causal binary instead of building target/release/causal.
#   LIMIT       seconds before a run is stopped and counted as a timeout (default 600).
#
# Each command runs --runs times (default 3; once for inputs of 10^5 operations) under
# /usr/bin/time, and under `perf stat -e task-clock` when perf works (finer than time's 10 ms);
# the table gives the median CPU time (all threads, user + system: the machine is shared, wall
# time is noise) and the largest peak RSS. The verdict is the exit status. stdout carries only
# the Markdown; progress goes to stderr.
set -euo pipefail

log() { printf 'bench/lin: %s\n' "$*" >&2; }
die() {
    printf 'bench/lin.sh: %s\n' "$*" >&2
    exit 2
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

MAX_OPS=100000
RUNS=3
while (($#)); do
    case $1 in
    --quick) MAX_OPS=10000 ;;
    --max-ops) MAX_OPS=${2:?--max-ops needs a number} && shift ;;
    --runs) RUNS=${2:?--runs needs a number} && shift ;;
    -h | --help)
        sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown argument $1 (see --help)" ;;
    esac
    shift
done

BENCH_DIR=${BENCH_DIR:-$ROOT/bench/data/lin}
CORPUS=${CORPUS:-$ROOT/../shared/corpus/histories}
LIMIT=${LIMIT:-600}
mkdir -p "$BENCH_DIR"
[[ -x /usr/bin/time ]] || die "needs GNU time at /usr/bin/time (apt-get install time)"

if [[ -z ${CAUSAL:-} ]]; then
    log "building the release binary"
    (cd "$ROOT" && cargo build --release --locked -q)
    CAUSAL=$ROOT/target/release/causal
fi
COMMIT=$(cd "$ROOT" && git rev-parse --short HEAD)
[[ -n ${PORCUPINE:-} && ! -x ${PORCUPINE:-} ]] && die "PORCUPINE=$PORCUPINE is not executable"
[[ -z ${PORCUPINE:-} ]] && log "PORCUPINE is not set: Porcupine's columns are skipped"
[[ -z ${KNOSSOS:-} ]] && log "KNOSSOS is not set: Knossos's column is skipped"
PERF=0
if command -v perf >/dev/null && perf stat -x, -e task-clock -o /dev/null true 2>/dev/null; then
    PERF=1
else
    log "perf stat does not work here: CPU times come from /usr/bin/time (10 ms steps)"
fi

# measure RUNS CMD...: prints "verdict cpu_seconds peak_kib" (median CPU, max RSS); the
# verdict is linearizable, violation, unknown, timeout or error.
measure() {
    local runs=$1
    shift
    local cpus=() peak=0 verdict=error status out
    for ((i = 0; i < runs; i++)); do
        out=$(mktemp)
        pout=$(mktemp)
        set +e
        if ((PERF)); then
            timeout "$LIMIT" /usr/bin/time -f '%U %S %M' -o "$out" \
                perf stat -x, -e task-clock -o "$pout" "$@" >/dev/null 2>&1
        else
            timeout "$LIMIT" /usr/bin/time -f '%U %S %M' -o "$out" "$@" >/dev/null 2>&1
        fi
        status=$?
        set -e
        case $status in
        0) verdict=linearizable ;;
        1) verdict=violation ;;
        3) verdict=unknown ;;
        124)
            verdict=timeout
            rm -f "$out" "$pout"
            break
            ;;
        *) verdict=error ;;
        esac
        read -r user sys kib < <(tail -n 1 "$out")
        local cpu
        cpu=$(echo "$user + $sys" | bc)
        if ((PERF)); then
            cpu=$(awk -F, '$3 ~ /task-clock/ {printf "%.4f", $1 / 1000}' "$pout")
        fi
        rm -f "$out" "$pout"
        cpus+=("$cpu")
        ((kib > peak)) && peak=$kib
    done
    if [[ $verdict == timeout ]]; then
        echo "timeout $LIMIT 0"
        return
    fi
    local median
    median=$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "$verdict $median $peak"
}

fmt_time() {
    if [[ $1 == timeout ]]; then
        echo "> ${LIMIT} s"
    elif (($(echo "$2 < 0.01" | bc))); then
        echo "< 0.01 s"
    else
        printf '%.2f s' "$2"
    fi
}
fmt_mem() { [[ $1 == timeout ]] && echo "-" || printf '%.0f MB' "$(echo "$2 / 1024" | bc -l)"; }

# row NAME OPS FILE MODEL RUNS
row() {
    local name=$1 ops=$2 file=$3 model=$4 runs=$5
    log "$name"
    read -r cv ct cm < <(measure "$runs" "$CAUSAL" lin --model "$model" "$file")
    local pcell="skipped (PORCUPINE unset)" ratio="-"
    if [[ -n ${PORCUPINE:-} ]]; then
        local pmodel=cas-register
        [[ $model == kv ]] && pmodel=kv
        read -r pv pt pm < <(measure "$runs" "$PORCUPINE" -model "$pmodel" "$file")
        pcell="$pv | $(fmt_time "$pv" "$pt") | $(fmt_mem "$pv" "$pm")"
        if [[ $cv != timeout && $pv != timeout ]] && (($(echo "$pt >= 0.01" | bc))); then
            ratio=$(printf '%.2f' "$(echo "$ct / ($pt + 0.0001)" | bc -l)")
        elif [[ $pv == timeout && $cv != timeout ]]; then
            ratio="< $(printf '%.3f' "$(echo "$ct / $LIMIT" | bc -l)")"
        fi
    else
        pcell="$pcell | - | -"
    fi
    local kcell=skipped
    if [[ -n ${KNOSSOS:-} && $model != kv ]]; then
        read -r kv_ kt _ < <(measure 1 $KNOSSOS "$file")
        kcell="$kv_, $(fmt_time "$kv_" "$kt")"
    fi
    echo "| $name | $ops | $cv | $(fmt_time "$cv" "$ct") | $(fmt_mem "$cv" "$cm") | $pcell | $ratio | $kcell |"
}

echo "Commit \`$COMMIT\`, $(date -u +%Y-%m-%d), $(nproc) cores; CPU time is user + system, median of $RUNS runs (1 at 10^5 operations), from $( ((PERF)) && echo "perf stat task-clock" || echo "/usr/bin/time"); limit $LIMIT s."
echo
echo "| history | ops | causal | CPU | peak RSS | Porcupine | CPU | peak RSS | causal / Porcupine | Knossos |"
echo "|---|---:|---|---:|---:|---|---:|---:|---:|---|"

if [[ -d $CORPUS ]]; then
    for file in "$CORPUS"/knossos/*.edn "$CORPUS"/porcupine-jepsen/*.log "$CORPUS"/porcupine-kv/*.txt; do
        [[ -e $file ]] || continue
        model=cas-register
        [[ $file == */porcupine-kv/* ]] && model=kv
        ops=$(grep -c ':invoke' "$file" || true)
        row "${file#"$CORPUS"/}" "$ops" "$file" "$model" "$RUNS"
    done
else
    log "skipped the shared histories: $CORPUS is absent"
fi

for ops in 1000 10000 100000; do
    ((ops > MAX_OPS)) && continue
    for procs in 5 10 50; do
        for kind in ok stale lost; do
            file=$BENCH_DIR/cas-$ops-$procs-$kind.edn
            extra=()
            [[ $kind == stale ]] && extra=(--stale-read)
            [[ $kind == lost ]] && extra=(--lost-update)
            "$CAUSAL" gen --history cas-register --ops "$ops" --processes "$procs" --seed 1 "${extra[@]}" >"$file"
            runs=$RUNS
            ((ops >= 100000)) && runs=1
            row "cas-register, $procs processes, $kind" "$ops" "$file" cas-register "$runs"
        done
    done
done
if ((MAX_OPS >= 100000)); then
    for kind in ok stale lost; do
        file=$BENCH_DIR/kv-100000-$kind.edn
        extra=()
        [[ $kind == stale ]] && extra=(--stale-read)
        [[ $kind == lost ]] && extra=(--lost-update)
        "$CAUSAL" gen --history kv --ops 100000 --processes 10 --keys 1000 --seed 1 "${extra[@]}" >"$file"
        row "kv, 1,000 keys, 10 processes, $kind" 100000 "$file" kv 1
    done
fi
