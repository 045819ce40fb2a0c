#!/usr/bin/env bash
# Writes a trace of many nodes with one event each, as native JSON Lines, to standard output:
# the input that once made the clock tables grow with nodes x nodes.
#
# Usage: bench/many-nodes.sh [NODES [SHAPE]]      (defaults: 20000 nodes, local)
#
#   local  every event local, one line per node: {"node":"n00000","kind":"local"}
#          (33 bytes a line: 660,000 bytes for 20,000 nodes)
#   pairs  node 2k sends to node 2k+1, which receives it; every event has a time
#   fan    node n00000 sends one message to every other node, and each receives it
#
# Node names are zero-padded so that name order is number order.
set -euo pipefail

usage="usage: bench/many-nodes.sh [NODES [local|pairs|fan]]"
nodes=${1:-20000}
shape=${2:-local}
case $nodes in
'' | *[!0-9]*) echo "$usage" >&2 && exit 2 ;;
esac
case $shape in
local | pairs | fan) ;;
*) echo "$usage" >&2 && exit 2 ;;
esac

awk -v n="$nodes" -v shape="$shape" '
    function name(i) { return sprintf("n%05d", i) }
    BEGIN {
        for (i = 0; i < n; i++) {
            if (shape == "local") {
                printf "{\"node\":\"%s\",\"kind\":\"local\"}\n", name(i)
            } else if (shape == "pairs") {
                if (i % 2 == 0 && i + 1 < n)
                    printf "{\"node\":\"%s\",\"kind\":\"send\",\"msg\":\"m%d\",\"to\":\"%s\",\"time\":%d.000}\n", name(i), i, name(i + 1), i
                else if (i % 2 == 1)
                    printf "{\"node\":\"%s\",\"kind\":\"recv\",\"msg\":\"m%d\",\"time\":%d.001}\n", name(i), i - 1, i - 1
                else
                    printf "{\"node\":\"%s\",\"kind\":\"local\"}\n", name(i)
            } else if (i == 0) {
                printf "{\"node\":\"%s\",\"kind\":\"send\",\"msg\":\"all\",\"time\":0}\n", name(0)
            } else {
                printf "{\"node\":\"%s\",\"kind\":\"recv\",\"msg\":\"all\",\"time\":0.001}\n", name(i)
            }
        }
    }
'
