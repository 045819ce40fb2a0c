//! Property tests of the analyses against brute-force oracles that share no code with them.
//!
//! - Conflict counts: every pair of accesses is compared, with happens-before computed as
//!   reachability over program-order and message edges by a plain depth-first search.
//! - Skew bounds: Floyd-Warshall over every timed message (not only the tightest per pair),
//!   written out naively; a negative cycle shows as a negative diagonal.
//! - Hybrid logical clocks: happens-before implies a smaller (l, c), and l never falls behind
//!   the event's own time.

// The oracles are plain index loops on purpose: as little cleverness as possible.
#![allow(clippy::needless_range_loop)]

use std::collections::HashMap;

use proptest::prelude::*;

use causal_core::analysis::conflicts::{find_conflicts, ConflictKind, ConflictOptions};
use causal_core::analysis::skew::{analyze_skew, SkewPairs, SkewReport};
use causal_core::clock::hlc::HlcEngine;
use causal_core::clock::{self, Stamps};
use causal_core::model::{EventIdx, EventKind, NodeId, RawEvent, Timestamp, Trace, TraceBuilder};
use causal_core::order::causal_order;
use causal_core::render::lamport_order;

/// One generated event: node, what it does (receives name an earlier send by index), the keys
/// it reads and writes (bit masks over three keys), and its time in ms, if any.
#[derive(Clone, Debug)]
struct Gen {
    node: usize,
    op: Op,
    reads: u8,
    writes: u8,
    time: Option<i64>,
}

#[derive(Clone, Debug)]
enum Op {
    Local,
    Send,
    Recv(usize),
}

fn events_strategy() -> impl Strategy<Value = (usize, Vec<Gen>)> {
    (1usize..6, 0usize..40).prop_flat_map(|(nodes, len)| {
        let one = (
            0..nodes,
            0u8..6,
            any::<prop::sample::Index>(),
            0u8..8,
            0u8..8,
            prop::option::weighted(0.8, 0i64..50),
        );
        (Just(nodes), proptest::collection::vec(one, len)).prop_map(|(nodes, raw)| {
            let mut sends = 0usize;
            let events = raw
                .into_iter()
                .map(|(node, choice, pick, reads, writes, time)| {
                    let op = match choice {
                        0 | 1 => Op::Local,
                        2 | 3 => Op::Send,
                        _ if sends > 0 => Op::Recv(pick.index(sends)),
                        _ => Op::Local,
                    };
                    if matches!(op, Op::Send) {
                        sends += 1;
                    }
                    Gen {
                        node,
                        op,
                        reads,
                        writes,
                        time,
                    }
                })
                .collect();
            (nodes, events)
        })
    })
}

/// Clocks replayed as rows that never turn dense.
struct SparseWalk<'a> {
    replay: clock::VectorReplay,
    trace: &'a Trace,
    causality: &'a causal_core::order::Causality,
}

impl clock::ClockWalk for SparseWalk<'_> {
    fn visit(&mut self, e: EventIdx) -> clock::ClockRef<'_> {
        self.replay.advance(self.trace, self.causality, e)
    }
}

fn keys(mask: u8) -> Vec<String> {
    (0..3)
        .filter(|k| mask & (1 << k) != 0)
        .map(|k| format!("k{k}"))
        .collect()
}

fn build(events: &[Gen]) -> Trace {
    let mut b = TraceBuilder::new();
    let f = b.add_file("gen.jsonl");
    let mut send_index = 0;
    let mut send_msg = Vec::new();
    for (i, g) in events.iter().enumerate() {
        let (kind, msg) = match g.op {
            Op::Local => (EventKind::Local, None),
            Op::Send => {
                send_msg.push(format!("m{send_index}"));
                send_index += 1;
                (EventKind::Send, send_msg.last().cloned())
            }
            Op::Recv(s) => (EventKind::Recv, Some(send_msg[s].clone())),
        };
        b.push(
            f,
            RawEvent {
                node: format!("n{}", g.node),
                kind: Some(kind),
                msg,
                reads: keys(g.reads),
                writes: keys(g.writes),
                time: g.time.map(|ms| Timestamp(ms * 1_000_000)),
                line: i as u32 + 1,
                ..RawEvent::default()
            },
        );
    }
    b.finish()
}

/// `reach[e][f]`: e happened before f (or is f), by depth-first search from every event.
fn reachability(trace: &Trace) -> Vec<Vec<bool>> {
    let n = trace.len();
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for lane in &trace.by_node {
        for w in lane.windows(2) {
            succ[w[0].index()].push(w[1].index());
        }
    }
    let mut sender: HashMap<&str, usize> = HashMap::new();
    for (i, ev) in trace.events.iter().enumerate() {
        if ev.kind == EventKind::Send {
            sender.insert(ev.msg.as_deref().unwrap(), i);
        }
    }
    for (i, ev) in trace.events.iter().enumerate() {
        if ev.kind == EventKind::Recv {
            if let Some(&s) = sender.get(ev.msg.as_deref().unwrap()) {
                succ[s].push(i);
            }
        }
    }
    (0..n)
        .map(|start| {
            let mut seen = vec![false; n];
            let mut stack = vec![start];
            while let Some(v) = stack.pop() {
                if !std::mem::replace(&mut seen[v], true) {
                    stack.extend(&succ[v]);
                }
            }
            seen
        })
        .collect()
}

/// (write-write, read-write) per key name, comparing every pair.
fn brute_force_conflicts(trace: &Trace, reach: &[Vec<bool>]) -> HashMap<String, (u64, u64)> {
    let mut out: HashMap<String, (u64, u64)> = HashMap::new();
    for (k, name) in trace.keys.iter().enumerate() {
        let k = causal_core::model::KeyId(k as u32);
        for i in 0..trace.len() {
            for j in i + 1..trace.len() {
                let (a, b) = (&trace.events[i], &trace.events[j]);
                if a.node == b.node || reach[i][j] || reach[j][i] {
                    continue;
                }
                let wa = a.writes().contains(&k);
                let wb = b.writes().contains(&k);
                let ra = wa || a.reads().contains(&k);
                let rb = wb || b.reads().contains(&k);
                if !(ra && rb) {
                    continue;
                }
                let entry = out.entry(name.clone()).or_default();
                if wa && wb {
                    entry.0 += 1;
                } else if wa || wb {
                    entry.1 += 1;
                }
            }
        }
    }
    out.retain(|_, v| v.0 + v.1 > 0);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn conflict_counts_equal_a_brute_force_count((_, events) in events_strategy(), limit in 0usize..4) {
        let trace = build(&events);
        let causality = causal_order(&trace).unwrap();
        let stamps: Stamps = clock::stamp(&trace, &causality);
        let reach = reachability(&trace);
        let expected = brute_force_conflicts(&trace, &reach);
        let options = ConflictOptions { limit: (limit > 0).then_some(limit), keys: None };
        for order in [causality.order.clone(), lamport_order(&trace, &stamps)] {
            let report = find_conflicts(&trace, &order, &stamps.vector, &options);
            // The lean walks (clocks computed on the fly by either engine) find exactly the
            // same report.
            for engine in [clock::Engine::Flat, clock::Engine::Tree] {
                let walk = clock::ReplayWalk::new(engine, &trace, &causality);
                let replayed = find_conflicts(&trace, &order, walk, &options);
                prop_assert_eq!(&replayed, &report);
            }
            // Clocks that stay sparse, as with many nodes: once a key has its witnesses,
            // counts are read off the clocks' members instead of every lane.
            let sparse = SparseWalk {
                replay: clock::VectorReplay::with_policy(
                    &trace,
                    &causality,
                    clock::RowPolicy::sparse_until(0),
                ),
                trace: &trace,
                causality: &causality,
            };
            prop_assert_eq!(&find_conflicts(&trace, &order, sparse, &options), &report);
            let got: HashMap<String, (u64, u64)> = report
                .keys
                .iter()
                .map(|k| (trace.key_name(k.key).to_string(), (k.write_write, k.read_write)))
                .collect();
            prop_assert_eq!(&got, &expected);
            prop_assert_eq!(report.total, expected.values().map(|v| v.0 + v.1).sum::<u64>());
            for k in &report.keys {
                let cap = if limit == 0 { usize::MAX } else { limit };
                prop_assert_eq!(k.witnesses.len() as u64, k.total().min(cap as u64));
                let ww_shown = k.witnesses.iter().filter(|w| w.kind == ConflictKind::WriteWrite).count() as u64;
                prop_assert_eq!(ww_shown, k.write_write.min(cap as u64));
                for w in &k.witnesses {
                    let (a, b) = (w.a.index(), w.b.index());
                    prop_assert!(!reach[a][b] && !reach[b][a], "witness is concurrent");
                    prop_assert_ne!(trace.events[a].node, trace.events[b].node);
                    let both_write = trace.events[a].writes().contains(&k.key)
                        && trace.events[b].writes().contains(&k.key);
                    prop_assert_eq!(both_write, w.kind == ConflictKind::WriteWrite);
                }
                let mut pairs: Vec<(EventIdx, EventIdx)> = k.witnesses.iter().map(|w| (w.a, w.b)).collect();
                pairs.sort();
                pairs.dedup();
                prop_assert_eq!(pairs.len(), k.witnesses.len(), "witnesses are distinct");
            }
        }
    }

    #[test]
    fn hybrid_logical_clocks_respect_happens_before((_, events) in events_strategy()) {
        let trace = build(&events);
        let causality = causal_order(&trace).unwrap();
        let hlc = clock::run(&trace, &causality, HlcEngine::new(&trace));
        let reach = reachability(&trace);
        for e in 0..trace.len() {
            if let (Some(t), Some(h)) = (trace.events[e].time(), hlc[e]) {
                prop_assert!(h.l >= t);
            }
            prop_assert_eq!(trace.events[e].time().is_some() && hlc[e].is_none(), false);
            for f in 0..trace.len() {
                if e != f && reach[e][f] {
                    if let Some(he) = hlc[e] {
                        let hf = hlc[f];
                        prop_assert!(hf.is_some_and(|hf| he < hf), "{:?} -> {:?}", he, hf);
                    }
                }
            }
        }
    }
}

/// Messages as (from, to, send time, recv time) in ns; one line each for send and receive.
fn message_trace(messages: &[(usize, usize, i64, i64)]) -> Trace {
    let mut b = TraceBuilder::new();
    let f = b.add_file("m.jsonl");
    let mut line = 0;
    for (i, &(from, to, s, r)) in messages.iter().enumerate() {
        for (node, kind, t) in [(from, EventKind::Send, s), (to, EventKind::Recv, r)] {
            line += 1;
            b.push(
                f,
                RawEvent {
                    node: format!("n{node:02}"),
                    kind: Some(kind),
                    msg: Some(format!("m{i}")),
                    time: Some(Timestamp(t)),
                    line,
                    ..RawEvent::default()
                },
            );
        }
    }
    b.finish()
}

/// Naive all-pairs shortest paths over every message, between nodes not in `excluded`.
fn oracle_distances(trace: &Trace, excluded: &[NodeId]) -> Vec<Vec<Option<i128>>> {
    let n = trace.nodes.len();
    let mut d: Vec<Vec<Option<i128>>> = vec![vec![None; n]; n];
    for (v, row) in d.iter_mut().enumerate() {
        row[v] = Some(0);
    }
    let by_msg: HashMap<&str, usize> = trace
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EventKind::Send)
        .map(|(i, e)| (e.msg.as_deref().unwrap(), i))
        .collect();
    for r in trace.events.iter().filter(|e| e.kind == EventKind::Recv) {
        let s = &trace.events[by_msg[r.msg.as_deref().unwrap()]];
        let (u, v) = (s.node, r.node);
        if excluded.contains(&u) || excluded.contains(&v) {
            continue;
        }
        let w = i128::from(r.time().unwrap().0 - s.time().unwrap().0);
        let cell = &mut d[u.index()][v.index()];
        *cell = Some(cell.map_or(w, |c| c.min(w)));
    }
    for k in 0..n {
        for i in 0..n {
            for j in 0..n {
                if let (Some(a), Some(b)) = (d[i][k], d[k][j]) {
                    if d[i][j].is_none_or(|c| a + b < c) {
                        d[i][j] = Some(a + b);
                    }
                }
            }
        }
    }
    d
}

fn messages_strategy() -> impl Strategy<Value = (bool, Vec<(usize, usize, i64, i64)>)> {
    (2usize..12, any::<bool>()).prop_flat_map(|(nodes, consistent)| {
        let offsets = proptest::collection::vec(-5_000i64..5_000, nodes);
        let msgs = proptest::collection::vec(
            (
                0..nodes,
                0..nodes,
                0i64..100_000,
                1i64..3_000,
                -20_000i64..20_000,
            ),
            0..30,
        );
        (Just(consistent), offsets, msgs).prop_map(|(consistent, offsets, msgs)| {
            let messages = msgs
                .into_iter()
                .filter(|(a, b, ..)| a != b)
                .map(|(a, b, t, latency, noise)| {
                    let s = t + offsets[a];
                    let r = if consistent {
                        t + latency + offsets[b]
                    } else {
                        s + noise
                    };
                    (a, b, s, r)
                })
                .collect();
            (consistent, messages)
        })
    })
}

fn check_paths(trace: &Trace, report: &SkewReport) -> Result<(), TestCaseError> {
    for b in &report.bounds {
        for (end, messages, from, to) in [
            (b.hi, &b.hi_messages, b.a, b.b),
            (b.lo.map(|lo| -lo), &b.lo_messages, b.b, b.a),
        ] {
            let Some(total) = end else {
                prop_assert!(messages.is_empty());
                continue;
            };
            prop_assert_eq!(
                messages.iter().map(|m| i128::from(m.delay)).sum::<i128>(),
                total
            );
            prop_assert_eq!(messages.first().map(|m| m.from), Some(from));
            prop_assert_eq!(messages.last().map(|m| m.to), Some(to));
            for w in messages.windows(2) {
                prop_assert_eq!(w[0].to, w[1].from);
            }
            for m in messages.iter() {
                prop_assert_eq!(trace.event(m.send).node, m.from);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn skew_bounds_equal_shortest_paths_over_all_messages((consistent, messages) in messages_strategy()) {
        let trace = message_trace(&messages);
        let causality = causal_order(&trace).unwrap();
        let report = analyze_skew(&trace, &causality, SkewPairs::All);
        let full = oracle_distances(&trace, &[]);
        let has_negative_cycle = (0..trace.nodes.len()).any(|v| full[v][v].is_some_and(|d| d < 0));
        prop_assert_eq!(!report.contradictions.is_empty(), has_negative_cycle);
        if consistent {
            prop_assert!(report.contradictions.is_empty());
        }
        for c in &report.contradictions {
            prop_assert!(c.total < 0);
            prop_assert_eq!(c.messages.iter().map(|m| i128::from(m.delay)).sum::<i128>(), c.total);
            for (i, m) in c.messages.iter().enumerate() {
                let next = &c.messages[(i + 1) % c.messages.len()];
                prop_assert_eq!(m.to, next.from);
            }
        }
        let d = oracle_distances(&trace, &report.contradicted_nodes);
        for v in 0..trace.nodes.len() {
            prop_assert!(d[v][v].is_none_or(|x| x >= 0), "the rest is consistent");
        }
        let mut expected = Vec::new();
        for a in 0..trace.nodes.len() {
            for b in a + 1..trace.nodes.len() {
                let excluded = |n: usize| report.contradicted_nodes.contains(&NodeId(n as u32));
                if excluded(a) || excluded(b) {
                    continue;
                }
                let (hi, lo) = (d[a][b], d[b][a].map(|x| -x));
                if hi.is_some() || lo.is_some() {
                    expected.push((NodeId(a as u32), NodeId(b as u32), lo, hi));
                }
            }
        }
        let got: Vec<_> = report.bounds.iter().map(|b| (b.a, b.b, b.lo, b.hi)).collect();
        prop_assert_eq!(got, expected);
        check_paths(&trace, &report)?;

        // Against one node: the same bounds as in the full report, seen from that node.
        if let Some(reference) = report.bounds.first().map(|b| b.a) {
            let against = analyze_skew(&trace, &causality, SkewPairs::Against(reference));
            check_paths(&trace, &against)?;
            for b in &against.bounds {
                prop_assert_eq!(b.a, reference);
                let (x, y) = (b.a.min(b.b), b.a.max(b.b));
                let full_bound = report.bounds.iter().find(|f| f.a == x && f.b == y).unwrap();
                if b.a == x {
                    prop_assert_eq!((b.lo, b.hi), (full_bound.lo, full_bound.hi));
                } else {
                    prop_assert_eq!((b.lo, b.hi), (full_bound.hi.map(|h| -h), full_bound.lo.map(|l| -l)));
                }
            }
        }
    }
}
