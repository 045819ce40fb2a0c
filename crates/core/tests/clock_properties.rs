//! Property tests: the clock engines against an oracle that shares no code with them.
//!
//! Random multi-node traces (locals, sends, multicast receives, events that receive and send
//! at once, lines of different nodes interleaved at random) are stamped; happens-before is
//! computed independently as reachability in a petgraph graph of program-order and message
//! edges. For every pair: e -> f exactly when vc(e) < vc(f), and then lamport(e) < lamport(f).

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::Dfs;
use proptest::prelude::*;

use causal_core::clock::{self, relation, Relation};
use causal_core::model::{EventIdx, EventKind, RawEvent, Role, TraceBuilder};
use causal_core::order::causal_order;

/// One generated event: node, and what it does. Receives name an earlier send by index.
#[derive(Clone, Debug)]
enum Op {
    Local,
    Send,
    Recv(usize),
    RecvSend(usize),
}

/// A trace as (node, op) in generation order, which is a causal order by construction.
fn trace_strategy() -> impl Strategy<Value = (usize, Vec<(usize, Op)>, u64)> {
    (1usize..5, 0usize..36, any::<u64>()).prop_flat_map(|(nodes, len, seed)| {
        let ops = proptest::collection::vec((0..nodes, 0u8..8, any::<prop::sample::Index>()), len);
        (Just(nodes), ops, Just(seed)).prop_map(|(nodes, raw, seed)| {
            let mut sends = 0usize;
            let ops = raw
                .into_iter()
                .map(|(node, choice, pick)| {
                    let op = match choice {
                        0..=2 => Op::Local,
                        3 | 4 => Op::Send,
                        5 | 6 if sends > 0 => Op::Recv(pick.index(sends)),
                        7 if sends > 0 => Op::RecvSend(pick.index(sends)),
                        _ => Op::Send,
                    };
                    if matches!(op, Op::Send | Op::RecvSend(_)) {
                        sends += 1;
                    }
                    (node, op)
                })
                .collect();
            (nodes, ops, seed)
        })
    })
}

/// Interleaves the nodes' lines at random, keeping each node's own order.
fn shuffle_keeping_program_order(ops: &[(usize, Op)], nodes: usize, seed: u64) -> Vec<usize> {
    let mut lanes: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    for (i, (node, _)) in ops.iter().enumerate() {
        lanes[*node].push(i);
    }
    let mut next = vec![0usize; nodes];
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(ops.len());
    while out.len() < ops.len() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let open: Vec<usize> = (0..nodes).filter(|&n| next[n] < lanes[n].len()).collect();
        let n = open[(state % open.len() as u64) as usize];
        out.push(lanes[n][next[n]]);
        next[n] += 1;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn clocks_characterise_reachability((nodes, ops, seed) in trace_strategy()) {
        // Name messages by the generation index of their send.
        let mut send_msg: Vec<String> = Vec::new();
        let mut sender: Vec<usize> = Vec::new();
        let mut raws: Vec<RawEvent> = Vec::new();
        for (i, (node, op)) in ops.iter().enumerate() {
            let mut raw = RawEvent { node: format!("n{node}"), line: i as u32 + 1, ..RawEvent::default() };
            match op {
                Op::Local => {}
                Op::Send => {
                    raw.kind = Some(EventKind::Send);
                    raw.msg = Some(format!("m{}", send_msg.len()));
                    send_msg.push(raw.msg.clone().unwrap());
                    sender.push(i);
                }
                Op::Recv(k) => {
                    raw.kind = Some(EventKind::Recv);
                    raw.msg = Some(send_msg[*k].clone());
                }
                Op::RecvSend(k) => {
                    raw.kind = Some(EventKind::Recv);
                    raw.msg = Some(send_msg[*k].clone());
                    let own = format!("m{}", send_msg.len());
                    send_msg.push(own.clone());
                    sender.push(i);
                    raw.more_roles = vec![Role { kind: EventKind::Send, msg: own.into() }];
                }
            }
            raws.push(raw);
        }
        // Each send names its receivers in `to`, as `--order input` needs to let its clock go.
        for (node, op) in &ops {
            if let Op::Recv(k) | Op::RecvSend(k) = op {
                let to = &mut raws[sender[*k]].to;
                let name = format!("n{node}");
                if !to.contains(&name) {
                    to.push(name);
                }
            }
        }
        let input_order = shuffle_keeping_program_order(&ops, nodes, seed);
        let mut builder = TraceBuilder::new();
        let file = builder.add_file("gen.jsonl");
        for &i in &input_order {
            builder.push(file, raws[i].clone());
        }
        let trace = builder.finish();
        let causality = causal_order(&trace).expect("generated traces are acyclic");
        let stamps = clock::stamp(&trace, &causality);

        // The oracle: program order and message edges, by generation index, in petgraph.
        let mut graph: DiGraph<(), ()> = DiGraph::new();
        let vertex: Vec<NodeIndex> = (0..ops.len()).map(|_| graph.add_node(())).collect();
        let mut last_on: HashMap<usize, usize> = HashMap::new();
        let mut sender_of_msg: Vec<usize> = Vec::new();
        for (i, (node, op)) in ops.iter().enumerate() {
            if let Some(&prev) = last_on.get(node) {
                graph.add_edge(vertex[prev], vertex[i], ());
            }
            last_on.insert(*node, i);
            match op {
                Op::Local => {}
                Op::Send => sender_of_msg.push(i),
                Op::Recv(k) => { graph.add_edge(vertex[sender_of_msg[*k]], vertex[i], ()); }
                Op::RecvSend(k) => {
                    graph.add_edge(vertex[sender_of_msg[*k]], vertex[i], ());
                    sender_of_msg.push(i);
                }
            }
        }
        let mut reach = vec![vec![false; ops.len()]; ops.len()];
        for (i, row) in reach.iter_mut().enumerate() {
            let mut dfs = Dfs::new(&graph, vertex[i]);
            while let Some(v) = dfs.next(&graph) {
                row[v.index()] = true;
            }
        }
        // Generation index -> trace event index (input order is the shuffle).
        let mut event_of = vec![EventIdx(0); ops.len()];
        for (pos, &i) in input_order.iter().enumerate() {
            event_of[i] = EventIdx(pos as u32);
        }
        for i in 0..ops.len() {
            for j in 0..ops.len() {
                let (e, f) = (event_of[i], event_of[j]);
                let ve = stamps.vector.row(e);
                let vf = stamps.vector.row(f);
                let leq = ve.iter().zip(vf).all(|(a, b)| a <= b);
                let before = i != j && reach[i][j];
                prop_assert_eq!(before, leq && ve != vf, "events {} and {}", i, j);
                if before {
                    prop_assert!(stamps.lamport[e.index()] < stamps.lamport[f.index()]);
                }
                let expected = if i == j {
                    Relation::Same
                } else if reach[i][j] {
                    Relation::Before
                } else if reach[j][i] {
                    Relation::After
                } else {
                    Relation::Concurrent
                };
                prop_assert_eq!(relation(&trace, &stamps.vector, e, f), expected);
            }
        }
        // Replaying in Lamport order (as `stamp` does) gives the stored clocks exactly.
        let mut by_lamport: Vec<EventIdx> = (0..trace.len() as u32).map(EventIdx).collect();
        by_lamport.sort_by_key(|&e| (stamps.lamport[e.index()], trace.event(e).node, trace.event(e).seq));
        for engine in [clock::Engine::Flat, clock::Engine::Tree] {
            let mut replay = clock::Replay::new(engine, &trace, &causality);
            for &e in &by_lamport {
                prop_assert_eq!(replay.advance(&trace, &causality, e), stamps.vector.row(e));
            }
        }
        // So do flat rows held sparse, turning dense early, late or never.
        for share in [0, 1, 2, 4] {
            let policy = clock::RowPolicy::sparse_until(share);
            let mut replay = clock::VectorReplay::with_policy(&trace, &causality, policy);
            for &e in &by_lamport {
                prop_assert_eq!(replay.advance(&trace, &causality, e), stamps.vector.row(e), "share {}", share);
            }
        }
        // And the table that keeps every clock, each dense or sparse, read back in any order.
        let table = clock::Replay::all(clock::Engine::Auto, &trace, &causality, &by_lamport);
        prop_assert_eq!(table.len(), trace.len());
        for e in (0..trace.len() as u32).rev().map(EventIdx) {
            prop_assert_eq!(clock::Clocks::clock(&table, e), stamps.vector.row(e));
        }
        // Online stamping (`--order input`) over the same input order gives the same clocks,
        // with rows dense from the start or sparse until half full.
        for policy in [clock::RowPolicy::default(), clock::RowPolicy::sparse_until(2)] {
            let mut stamper = causal_core::stream::Stamper::with_policy(1_000_000, policy);
            let file = stamper.add_file("gen");
            let mut online = Vec::new();
            for (pos, &i) in input_order.iter().enumerate() {
                let origin = causal_core::stream::Origin { file, line: pos as u32 + 1 };
                online.extend(stamper.push(raws[i].clone(), origin).expect("no duplicate sends"));
            }
            online.extend(stamper.finish().expect("generated traces are acyclic"));
            let problems = stamper.take_problems();
            prop_assert!(problems.is_empty(), "{:?}", problems);
            // Every clock let go once received, but those of sends that name no receiver.
            let unnamed = sender.iter().filter(|&&i| raws[i].to.is_empty()).count();
            prop_assert_eq!(stamper.in_flight(), (unnamed, 0));
            prop_assert_eq!(online.len(), trace.len());
            let ids = trace.id_index();
            for s in &online {
                let e = ids[&s.id];
                prop_assert_eq!(s.lamport, stamps.lamport[e.index()]);
                let row = stamps.vector.row(e);
                let expected: Vec<(String, u32)> = trace.nodes.iter().zip(row)
                    .filter(|(_, &c)| c > 0)
                    .map(|(n, &c)| (n.clone(), c))
                    .collect();
                let got: Vec<(String, u32)> = s.vc.iter()
                    .map(|&(n, c)| (stamper.names()[n].clone(), c))
                    .collect();
                prop_assert_eq!(&got, &expected);
            }
        }
        // With room for few messages in flight, clocks are dropped and receives let go: every
        // event still comes out once, each clock at most its true value (its own component
        // exact), and exactly its true value when nothing was reported.
        for limit in [0, 1, 2] {
            let mut stamper = causal_core::stream::Stamper::with_limit(limit);
            let file = stamper.add_file("gen");
            let mut online = Vec::new();
            for (pos, &i) in input_order.iter().enumerate() {
                let origin = causal_core::stream::Origin { file, line: pos as u32 + 1 };
                online.extend(stamper.push(raws[i].clone(), origin).expect("no duplicate sends"));
                let (kept, held) = stamper.in_flight();
                prop_assert!(kept <= limit && held <= limit);
            }
            online.extend(stamper.finish().expect("letting go breaks no order"));
            let problems = stamper.take_problems();
            prop_assert_eq!(online.len(), trace.len());
            let ids = trace.id_index();
            for s in &online {
                let e = ids[&s.id];
                let row = stamps.vector.row(e);
                prop_assert!(s.lamport <= stamps.lamport[e.index()]);
                for &(n, c) in &s.vc {
                    let node = trace.node_by_name(&stamper.names()[n]).unwrap();
                    prop_assert!(c <= row[node.index()]);
                    if node == trace.event(e).node {
                        prop_assert_eq!(c, row[node.index()]);
                    }
                }
                if problems.is_empty() {
                    prop_assert_eq!(s.vc.iter().map(|&(_, c)| u64::from(c)).sum::<u64>(), row.iter().map(|&c| u64::from(c)).sum::<u64>());
                }
            }
        }
        // The causal order puts every event after its predecessors.
        let mut position = vec![0usize; ops.len()];
        for (p, e) in causality.order.iter().enumerate() {
            position[e.index()] = p;
        }
        for i in 0..ops.len() {
            for j in 0..ops.len() {
                if i != j && reach[i][j] {
                    prop_assert!(position[event_of[i].index()] < position[event_of[j].index()]);
                }
            }
        }
    }
}

/// One step of a long trace for comparing the engines: what the thread `node` does.
#[derive(Clone, Debug)]
enum Step {
    Local,
    /// A message to be received by the next `Recv` that picks it (or by none: lost).
    Send,
    /// Receives a pending send (picked by index), possibly several times (multicast).
    Recv(prop::sample::Index),
    /// Receives two pending sends at once (a merge).
    RecvTwo(prop::sample::Index, prop::sample::Index),
    /// Acquires lock `l` (receiving its last release), then releases it (sending).
    Critical(usize),
}

fn long_trace_strategy() -> impl Strategy<Value = Vec<(usize, Step)>> {
    (2usize..14).prop_flat_map(|nodes| {
        let step = prop_oneof![
            1 => Just(Step::Local),
            2 => Just(Step::Send),
            2 => any::<prop::sample::Index>().prop_map(Step::Recv),
            1 => any::<(prop::sample::Index, prop::sample::Index)>()
                .prop_map(|(a, b)| Step::RecvTwo(a, b)),
            4 => (0usize..3).prop_map(Step::Critical),
        ];
        proptest::collection::vec((0..nodes, step), 0..400)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Tree clocks and sparse rows against stored flat rows on long traces with up to 13 nodes:
    /// message passing, lost and multicast messages, and locks handed from thread to thread
    /// (where tree clocks skip the most). Every event's clock is equal.
    #[test]
    fn tree_clocks_equal_flat_clocks_on_long_traces(steps in long_trace_strategy()) {
        let mut builder = TraceBuilder::new();
        let file = builder.add_file("long.jsonl");
        let mut sends: Vec<String> = Vec::new();
        let mut last_release: Vec<Option<String>> = vec![None; 3];
        let mut releases = 0usize;
        let raw = |node: usize, kind: EventKind, msg: Option<String>| RawEvent {
            node: format!("t{node}"),
            kind: Some(kind),
            msg,
            ..RawEvent::default()
        };
        for (node, step) in &steps {
            match step {
                Step::Local => builder.push(file, raw(*node, EventKind::Local, None)),
                Step::Send => {
                    let msg = format!("m{}", sends.len());
                    sends.push(msg.clone());
                    builder.push(file, raw(*node, EventKind::Send, Some(msg)));
                }
                Step::Recv(pick) if !sends.is_empty() => {
                    let msg = sends[pick.index(sends.len())].clone();
                    builder.push(file, raw(*node, EventKind::Recv, Some(msg)));
                }
                Step::RecvTwo(a, b) if !sends.is_empty() => {
                    let (a, b) = (a.index(sends.len()), b.index(sends.len()));
                    let mut merge = raw(*node, EventKind::Recv, Some(sends[a].clone()));
                    if a != b {
                        merge.more_roles = vec![Role { kind: EventKind::Recv, msg: sends[b].clone().into() }];
                    }
                    builder.push(file, merge);
                }
                Step::Recv(_) | Step::RecvTwo(..) => builder.push(file, raw(*node, EventKind::Local, None)),
                Step::Critical(l) => {
                    match last_release[*l].take() {
                        Some(msg) => builder.push(file, raw(*node, EventKind::Recv, Some(msg))),
                        None => builder.push(file, raw(*node, EventKind::Local, None)),
                    }
                    releases += 1;
                    let msg = format!("l{l}.{releases}");
                    last_release[*l] = Some(msg.clone());
                    builder.push(file, raw(*node, EventKind::Send, Some(msg)));
                }
            }
        }
        let trace = builder.finish();
        let causality = causal_order(&trace).expect("generated in a causal order");
        let stored = clock::run(&trace, &causality, clock::FlatVectorEngine::new(&trace));
        let mut tree = clock::Replay::new(clock::Engine::Tree, &trace, &causality);
        // `auto` as it runs with hundreds of nodes: tree clocks, turned flat when they cost.
        let mut trying = clock::Replay::trying(&trace, &causality);
        // Flat rows held sparse until a quarter of the nodes are seen.
        let mut sparse = clock::VectorReplay::with_policy(&trace, &causality, clock::RowPolicy::sparse_until(4));
        for &e in &causality.order {
            prop_assert_eq!(tree.advance(&trace, &causality, e), stored.row(e), "event {}", e.0);
            prop_assert_eq!(trying.advance(&trace, &causality, e), stored.row(e), "event {}", e.0);
            prop_assert_eq!(sparse.advance(&trace, &causality, e), stored.row(e), "event {}", e.0);
        }
    }
}
