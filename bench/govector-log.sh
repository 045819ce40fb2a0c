#!/usr/bin/env bash
# Writes a generated run as a GoVector log to standard output: GoVector's default format (also
# written by CVector, CppVector and JVector), for each event a clock line and a text line:
#
#   n3 {"n0":4, "n1":2, "n3":7}
#   send m12
#
# Usage: bench/govector-log.sh EVENTS [NODES [SEED]]      (defaults: 8 nodes, seed 1)
#        CAUSAL=target/release/causal bench/govector-log.sh 40000 > run-Log.txt
#
# It is `causal gen` (messages between the nodes, so clocks rise on other hosts' entries) piped
# through `causal stamp --format shiviz`, which writes ShiViz's upload layout: the parser regex
# on line 1, the delimiter (empty for one execution) on line 2, then these line pairs with the
# clocks causal computed. Dropping the two header lines leaves GoVector's format, which
# `causal --from auto` recognises as `govector`.
set -euo pipefail

usage="usage: bench/govector-log.sh EVENTS [NODES [SEED]]"
events=${1:?$usage}
nodes=${2:-8}
seed=${3:-1}
causal=${CAUSAL:-causal}

"$causal" gen --nodes "$nodes" --events "$events" --seed "$seed" |
    "$causal" stamp --format shiviz |
    awk '
        NR == 1 && $0 !~ /^\^\(\?<host>/ {
            print "bench/govector-log.sh: expected ShiViz'\''s parser regex on line 1, found: " $0 > "/dev/stderr"
            exit 1
        }
        NR == 2 && $0 != "" {
            print "bench/govector-log.sh: expected an empty delimiter on line 2, found: " $0 > "/dev/stderr"
            exit 1
        }
        NR > 2
    '
