#!/usr/bin/env bash
# Writes a lock-heavy shared-memory trace in RAPID's STD format to standard output, the kind of
# trace on which tree clocks beat flat vector clocks (Mathur et al., ASPLOS 2022):
#
#   T0|fork(T3)|0
#   T3|acq(L5)|17
#   T3|w(x5.2)|18
#   T3|rel(L5)|19
#
# Usage: bench/locks-trace.sh EVENTS [THREADS [LOCKS [SEED [HOME [RACY]]]]]   (defaults: 16
# threads, 8 locks, seed 1, home 0, racy 0). T0 forks the other threads; then a random thread steps at a time:
# outside a critical section it picks a lock (its own lock, thread mod LOCKS, with probability
# HOME; else a random one) and tries to acquire it (3 times in 4, when it is free) or touches a
# variable of its own; inside, it reads (3 in 4) or writes one to three variables the lock
# guards, then releases it. Locks still held at the end are released, so there are a few lines
# more than EVENTS. With RACY 0 the trace is race-free by construction; with RACY > 0, half of
# the accesses outside critical sections go instead to one of RACY shared variables s0, s1, ...
# (read or write, no lock held): those variables race. Deterministic for any awk (a minstd generator
# whose products stay exact in doubles).
set -euo pipefail

usage="usage: bench/locks-trace.sh EVENTS [THREADS [LOCKS [SEED [HOME [RACY]]]]]"
events=${1:?$usage}
threads=${2:-16}
locks=${3:-8}
seed=${4:-1}
home=${5:-0}
racy=${6:-0}

awk -v events="$events" -v threads="$threads" -v locks="$locks" -v seed="$seed" -v home="$home" -v racy="$racy" '
    function rnd(n) {
        state = (state * 48271) % 2147483647
        return state % n
    }
    BEGIN {
        state = seed % 2147483646 + 1
        n = 0
        for (t = 1; t < threads; t++) print "T0|fork(T" t ")|" n++
        for (t = 0; t < threads; t++) held[t] = -1
        for (l = 0; l < locks; l++) owner[l] = -1
        while (n < events) {
            t = rnd(threads)
            if (held[t] < 0) {
                # With home 0 no extra draw is made: the same traces as before HOME existed.
                if (home > 0 && rnd(1000) < home * 1000) l = t % locks
                else l = rnd(locks)
                if (owner[l] < 0 && rnd(4) != 0) {
                    print "T" t "|acq(L" l ")|" n
                    owner[l] = t; held[t] = l; left[t] = 1 + rnd(3)
                } else if (racy > 0 && rnd(2) == 0) {
                    # With racy 0 no extra draw is made either.
                    print "T" t "|" (rnd(2) ? "r" : "w") "(s" rnd(racy) ")|" n
                } else {
                    print "T" t "|" (rnd(2) ? "r" : "w") "(p" t ")|" n
                }
            } else if (left[t] > 0) {
                print "T" t "|" (rnd(4) ? "r" : "w") "(x" held[t] "." rnd(4) ")|" n
                left[t]--
            } else {
                print "T" t "|rel(L" held[t] ")|" n
                owner[held[t]] = -1; held[t] = -1
            }
            n++
        }
        for (t = 0; t < threads; t++) if (held[t] >= 0) print "T" t "|rel(L" held[t] ")|" n++
    }
'
