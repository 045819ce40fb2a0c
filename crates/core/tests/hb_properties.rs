//! Property tests: `hb` (vector-clock relation plus the graph's shortest chain) against an
//! oracle that shares no code with the engine: reachability and distances in a petgraph graph
//! built straight from the generated events (program order plus one edge per receive).

use std::collections::HashMap;

use petgraph::algo::{dijkstra, has_path_connecting, DfsSpace};
use petgraph::graph::{DiGraph, NodeIndex};
use proptest::prelude::*;

use causal_core::analysis::why::knowledge;
use causal_core::clock::{self, relation, Relation};
use causal_core::graph::HbGraph;
use causal_core::model::{EventIdx, EventKind, RawEvent, TraceBuilder};
use causal_core::order::causal_order;

/// One generated event: its node, and what it does.
#[derive(Clone, Debug)]
enum Op {
    Local,
    /// Sends a new message.
    Send,
    /// Receives an earlier message (picked by index among those sent so far), possibly one
    /// already received elsewhere (multicast) or sent by its own node.
    Recv(usize),
    /// Receives a message nobody sends.
    Ghost,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Local),
        3 => Just(Op::Send),
        4 => any::<usize>().prop_map(Op::Recv),
        1 => Just(Op::Ghost),
    ]
}

/// A generated execution: (node, kind, msg) per event, in an order that is causal by
/// construction (every receive after its send).
fn execution() -> impl Strategy<Value = (usize, Vec<(usize, EventKind, Option<String>)>)> {
    (1usize..=5)
        .prop_flat_map(|nodes| (Just(nodes), prop::collection::vec((0..nodes, op()), 0..40)))
        .prop_map(|(nodes, ops)| {
            let mut sent = 0usize;
            let events = ops
                .into_iter()
                .enumerate()
                .map(|(i, (node, op))| match op {
                    Op::Local => (node, EventKind::Local, None),
                    Op::Send => {
                        sent += 1;
                        (node, EventKind::Send, Some(format!("m{}", sent - 1)))
                    }
                    Op::Recv(_) if sent == 0 => (node, EventKind::Local, None),
                    Op::Recv(k) => (node, EventKind::Recv, Some(format!("m{}", k % sent))),
                    Op::Ghost => (node, EventKind::Recv, Some(format!("ghost{i}"))),
                })
                .collect();
            (nodes, events)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn hb_matches_reachability_and_chains_are_shortest_paths(
        (nodes, events) in execution(),
        reverse_files in any::<bool>(),
    ) {
        // The oracle, over generated indices.
        let mut oracle: DiGraph<(), ()> = DiGraph::new();
        let v: Vec<NodeIndex> = events.iter().map(|_| oracle.add_node(())).collect();
        let mut last_on: HashMap<usize, usize> = HashMap::new();
        let mut sender: HashMap<&str, usize> = HashMap::new();
        for (i, (node, kind, msg)) in events.iter().enumerate() {
            if let Some(p) = last_on.insert(*node, i) {
                oracle.add_edge(v[p], v[i], ());
            }
            match kind {
                EventKind::Send => {
                    sender.insert(msg.as_deref().unwrap(), i);
                }
                EventKind::Recv => {
                    if let Some(&s) = sender.get(msg.as_deref().unwrap()) {
                        oracle.add_edge(v[s], v[i], ());
                    }
                }
                EventKind::Local => {}
            }
        }

        // The engine reads the events node by node (one "file" per node), in either order.
        let mut node_order: Vec<usize> = (0..nodes).collect();
        if reverse_files {
            node_order.reverse();
        }
        let mut b = TraceBuilder::new();
        let f = b.add_file("gen.jsonl");
        let mut to_gen: Vec<usize> = Vec::new();
        for &n in &node_order {
            for (i, (node, kind, msg)) in events.iter().enumerate() {
                if *node != n {
                    continue;
                }
                b.push(f, RawEvent {
                    node: format!("n{node}"),
                    kind: Some(*kind),
                    msg: msg.clone(),
                    line: to_gen.len() as u32 + 1,
                    ..RawEvent::default()
                });
                to_gen.push(i);
            }
        }
        let trace = b.finish();
        let causality = causal_order(&trace).expect("generated executions are causal");
        let stamps = clock::stamp(&trace, &causality);
        let graph = HbGraph::build(&trace, &causality);

        let mut space = DfsSpace::new(&oracle);
        for a in 0..trace.len() {
            let ea = EventIdx(a as u32);
            let distance = dijkstra(&oracle, v[to_gen[a]], None, |_| 1u32);
            for b in 0..trace.len() {
                let eb = EventIdx(b as u32);
                let (ga, gb) = (to_gen[a], to_gen[b]);
                let want = if a == b {
                    Relation::Same
                } else if has_path_connecting(&oracle, v[ga], v[gb], Some(&mut space)) {
                    Relation::Before
                } else if has_path_connecting(&oracle, v[gb], v[ga], Some(&mut space)) {
                    Relation::After
                } else {
                    Relation::Concurrent
                };
                let got = relation(&trace, &stamps.vector, ea, eb);
                prop_assert_eq!(got, want, "events {} and {}", ga, gb);

                let chain = graph.shortest_chain(&trace, &stamps.vector, ea, eb);
                match want {
                    Relation::Before | Relation::Same => {
                        let chain = chain.expect("a chain between ordered events");
                        let gen: Vec<usize> = chain.iter().map(|e| to_gen[e.index()]).collect();
                        prop_assert_eq!(gen[0], ga);
                        prop_assert_eq!(*gen.last().unwrap(), gb);
                        for pair in gen.windows(2) {
                            prop_assert!(
                                oracle.contains_edge(v[pair[0]], v[pair[1]]),
                                "{} -> {} is no direct step", pair[0], pair[1]
                            );
                        }
                        prop_assert_eq!(gen.len() as u32 - 1, distance[&v[gb]]);
                    }
                    Relation::After | Relation::Concurrent => prop_assert!(chain.is_none()),
                }
            }
            // `why`: for each other node, its last event that reaches `a` in the oracle is the
            // last known one, and the next event on that node does not reach `a`.
            let knows = knowledge(&trace, &graph, &stamps.vector, ea);
            for k in &knows.nodes {
                let lane = &trace.by_node[k.node.index()];
                let reaching: Vec<EventIdx> = lane
                    .iter()
                    .copied()
                    .filter(|x| has_path_connecting(&oracle, v[to_gen[x.index()]], v[to_gen[a]], Some(&mut space)))
                    .collect();
                prop_assert_eq!(k.last_known, reaching.last().copied());
                prop_assert_eq!(k.seen as usize, reaching.len());
                let next = lane.get(reaching.len()).copied();
                prop_assert_eq!(k.first_unknown.map(|(u, _)| u), next);
                if let Some(last) = k.last_known {
                    prop_assert_eq!(k.chain.first(), Some(&last));
                    prop_assert_eq!(k.chain.last(), Some(&ea));
                }
            }
        }
    }
}
