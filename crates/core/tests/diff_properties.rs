//! `diff` against oracles written here: an execution compared with itself differs in nothing,
//! and compared with a copy in which one message became two local events it differs in exactly
//! that message's edges, and in the knowledge of exactly the events whose causal past (read by
//! reachability in a graph built here, not from clocks) lost something.

use std::collections::BTreeSet;

use petgraph::algo::has_path_connecting;
use petgraph::graph::{DiGraph, NodeIndex};
use proptest::prelude::*;

use causal_core::analysis::diff::{diff, DiffOptions, Execution};
use causal_core::model::{EventIdx, EventKind, RawEvent, Trace, TraceBuilder};
use causal_core::order::{causal_order, Causality};

/// (node, kind, message) per event, causal by construction: a receive names a message sent
/// before it, possibly by its own node, possibly received already (multicast).
type Events = Vec<(usize, EventKind, Option<String>)>;

fn execution() -> impl Strategy<Value = Events> {
    (1usize..=4)
        .prop_flat_map(|nodes| prop::collection::vec((0..nodes, 0u8..3, any::<usize>()), 0..30))
        .prop_map(|ops| {
            let mut sent = 0usize;
            ops.into_iter()
                .map(|(node, op, pick)| match op {
                    1 => {
                        sent += 1;
                        (node, EventKind::Send, Some(format!("m{}", sent - 1)))
                    }
                    2 if sent > 0 => (node, EventKind::Recv, Some(format!("m{}", pick % sent))),
                    _ => (node, EventKind::Local, None),
                })
                .collect()
        })
}

/// The trace of `events`, one file, events in generated order (so `EventIdx(i)` is event i);
/// every event labelled alike, so that matching pairs the k-th event of a node with the k-th.
fn build(events: &Events) -> (Trace, Causality) {
    let mut b = TraceBuilder::new();
    let f = b.add_file("gen.jsonl");
    for (i, (node, kind, msg)) in events.iter().enumerate() {
        b.push(
            f,
            RawEvent {
                node: format!("n{node}"),
                kind: Some(*kind),
                msg: msg.clone(),
                label: Some("step".to_string()),
                line: i as u32 + 1,
                ..RawEvent::default()
            },
        );
    }
    let trace = b.finish();
    let causality = causal_order(&trace).expect("generated executions are causal");
    (trace, causality)
}

/// The happens-before graph of `events`, built from the generated list.
fn oracle(events: &Events) -> (DiGraph<(), ()>, Vec<NodeIndex>) {
    let mut g = DiGraph::new();
    let v: Vec<NodeIndex> = events.iter().map(|_| g.add_node(())).collect();
    for (i, (node, kind, msg)) in events.iter().enumerate() {
        if let Some(p) = (0..i).rev().find(|&p| events[p].0 == *node) {
            g.add_edge(v[p], v[i], ());
        }
        if *kind == EventKind::Recv {
            let s = events[..i]
                .iter()
                .position(|(_, k, m)| *k == EventKind::Send && m == msg)
                .expect("a receive follows its send");
            g.add_edge(v[s], v[i], ());
        }
    }
    (g, v)
}

/// Event i's strict causal past, by reachability.
fn past(g: &DiGraph<(), ()>, v: &[NodeIndex], i: usize) -> BTreeSet<usize> {
    (0..v.len())
        .filter(|&p| p != i && has_path_connecting(g, v[p], v[i], None))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn an_execution_differs_from_itself_in_nothing(events in execution()) {
        let (t, c) = build(&events);
        let x = Execution { trace: &t, causality: &c };
        let r = diff(x, x, &DiffOptions::default());
        prop_assert_eq!(r.matched, t.len() as u64);
        prop_assert!(r.only_a.is_empty() && r.only_b.is_empty());
        prop_assert!(r.messages_only_a.is_empty() && r.messages_only_b.is_empty());
        prop_assert_eq!(r.knowledge_differs, 0);
    }

    #[test]
    fn dropping_a_message_differs_in_its_edges_and_the_knowledge_it_carried(
        events in execution(),
        pick in any::<usize>(),
    ) {
        let received: Vec<&str> = events
            .iter()
            .filter(|(_, k, _)| *k == EventKind::Recv)
            .filter_map(|(_, _, m)| m.as_deref())
            .collect();
        prop_assume!(!received.is_empty());
        let dropped = received[pick % received.len()].to_string();
        // B: the message's send and receives become local events.
        let copy: Events = events
            .iter()
            .map(|(n, k, m)| {
                if m.as_deref() == Some(dropped.as_str()) {
                    (*n, EventKind::Local, None)
                } else {
                    (*n, *k, m.clone())
                }
            })
            .collect();
        let (ta, ca) = build(&events);
        let (tb, cb) = build(&copy);
        let r = diff(
            Execution { trace: &ta, causality: &ca },
            Execution { trace: &tb, causality: &cb },
            &DiffOptions::default(),
        );
        prop_assert_eq!(r.matched, ta.len() as u64);
        prop_assert!(r.only_a.is_empty() && r.only_b.is_empty());
        prop_assert!(r.messages_only_b.is_empty());
        // Exactly the dropped message's edges, (send, receive) per receive.
        let send = events
            .iter()
            .position(|(_, k, m)| *k == EventKind::Send && m.as_deref() == Some(dropped.as_str()))
            .expect("a received message was sent");
        let want: BTreeSet<(usize, usize)> = events
            .iter()
            .enumerate()
            .filter(|(_, (_, k, m))| *k == EventKind::Recv && m.as_deref() == Some(dropped.as_str()))
            .map(|(r, _)| (send, r))
            .collect();
        let got: BTreeSet<(usize, usize)> = r
            .messages_only_a
            .iter()
            .map(|&(s, r)| (s.index(), r.index()))
            .collect();
        prop_assert_eq!(got, want);
        // Knowledge: the events whose causal past differs between the two.
        let (ga, va) = oracle(&events);
        let (gb, vb) = oracle(&copy);
        let differ = (0..events.len())
            .filter(|&i| past(&ga, &va, i) != past(&gb, &vb, i))
            .count();
        prop_assert_eq!(r.knowledge_differs, differ as u64);
        // Every witness listed is one of them.
        for k in &r.knowledge {
            let i = k.a.index();
            prop_assert_eq!(k.b, EventIdx(i as u32));
            prop_assert!(past(&ga, &va, i) != past(&gb, &vb, i));
        }
    }
}
