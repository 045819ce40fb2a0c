//! Property tests of the event critical path against a brute-force oracle that shares no code
//! with it: on small random timed traces, each event's immediate predecessors are read off the
//! generated list itself (the previous event of its node, the send of the message it
//! receives), and the path is checked step by step: every step goes to an immediate
//! predecessor, none of which finished later; the first event has none; and the steps' times
//! add up to the total and to the shares per node and in flight.

use proptest::prelude::*;

use causal_core::analysis::critical::{critical_path, last_event, StepKind};
use causal_core::analysis::offsets::estimate_offsets;
use causal_core::model::{EventIdx, EventKind, NodeId, RawEvent, Timestamp, Trace, TraceBuilder};
use causal_core::order::causal_order;

/// One generated event: its node, what it does (a receive names an earlier send by its
/// position among the sends), and its time in ms, if any.
#[derive(Clone, Debug)]
struct Gen {
    node: usize,
    op: Op,
    time: Option<i64>,
}

#[derive(Clone, Debug)]
enum Op {
    Local,
    Send,
    Recv(usize),
}

fn events_strategy() -> impl Strategy<Value = Vec<Gen>> {
    (1usize..5, 1usize..30).prop_flat_map(|(nodes, len)| {
        let one = (
            0..nodes,
            0u8..5,
            any::<prop::sample::Index>(),
            prop::option::weighted(0.85, 0i64..60),
        );
        proptest::collection::vec(one, len).prop_map(|raw| {
            let mut sends = 0usize;
            raw.into_iter()
                .map(|(node, choice, pick, time)| {
                    let op = match choice {
                        0 | 1 => Op::Local,
                        2 => Op::Send,
                        _ if sends > 0 => Op::Recv(pick.index(sends)),
                        _ => Op::Local,
                    };
                    if matches!(op, Op::Send) {
                        sends += 1;
                    }
                    Gen { node, op, time }
                })
                .collect()
        })
    })
}

fn build(events: &[Gen]) -> Trace {
    let mut b = TraceBuilder::new();
    let f = b.add_file("gen.jsonl");
    let mut sends = 0;
    for (i, g) in events.iter().enumerate() {
        let (kind, msg) = match g.op {
            Op::Local => (EventKind::Local, None),
            Op::Send => {
                sends += 1;
                (EventKind::Send, Some(format!("m{}", sends - 1)))
            }
            Op::Recv(s) => (EventKind::Recv, Some(format!("m{s}"))),
        };
        b.push(
            f,
            RawEvent {
                node: format!("n{}", g.node),
                kind: Some(kind),
                msg,
                time: g.time.map(|ms| Timestamp(ms * 1_000_000)),
                line: i as u32 + 1,
                ..RawEvent::default()
            },
        );
    }
    b.finish()
}

/// Per generated event: the previous event of its node, and the send it receives, by
/// position in the generated list (which is the input order, so the event index).
fn predecessors(events: &[Gen]) -> Vec<(Option<usize>, Option<usize>)> {
    let mut send_at = Vec::new();
    let mut out = Vec::new();
    for (i, g) in events.iter().enumerate() {
        let prev = (0..i).rev().find(|&j| events[j].node == g.node);
        let send = match g.op {
            Op::Recv(s) => Some(send_at[s]),
            _ => None,
        };
        if matches!(g.op, Op::Send) {
            send_at.push(i);
        }
        out.push((prev, send));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn each_step_takes_the_predecessor_that_finished_last(events in events_strategy()) {
        let trace = build(&events);
        let causality = causal_order(&trace).expect("receives follow their sends: no cycle");
        let offsets = estimate_offsets(&trace, &causality);
        let node_of = |i: usize| NodeId(trace.event(EventIdx(i as u32)).node.0);
        let time = |i: usize| {
            events[i].time.map(|ms| {
                i128::from(ms * 1_000_000) - offsets.offset(node_of(i)).unwrap_or(0)
            })
        };
        let preds = predecessors(&events);
        let end = last_event(&trace, &causality, &offsets).unwrap();
        // The oracle's own choice of end: the latest corrected time, ties to the last event.
        if events.iter().any(|g| g.time.is_some()) {
            let latest = (0..events.len()).filter_map(time).max().unwrap();
            prop_assert_eq!(time(end.index()), Some(latest));
        }
        for e in [end.index(), events.len() - 1, 0] {
            let path = critical_path(&trace, &causality, &offsets, EventIdx(e as u32));
            prop_assert_eq!(path.end.index(), e);
            let mut at = path.start.index();
            prop_assert_eq!(preds[at], (None, None), "the path starts where nothing came before");
            let mut sum = 0i128;
            for s in &path.steps {
                let (from, to) = (s.from.index(), s.to.index());
                prop_assert_eq!(from, at);
                let (prev, send) = preds[to];
                match s.kind {
                    StepKind::Program => prop_assert_eq!(Some(from), prev),
                    StepKind::Message { .. } => prop_assert_eq!(Some(from), send),
                }
                // No immediate predecessor finished later (untimed ones count as earliest).
                for p in [prev, send].into_iter().flatten() {
                    prop_assert!(
                        (time(p).is_some(), time(p)) <= (time(from).is_some(), time(from)),
                        "{} finished after {} and precedes {}", p, from, to
                    );
                }
                let want = time(to).zip(time(from)).map(|(b, a)| b - a);
                prop_assert_eq!(s.duration, want);
                sum += want.unwrap_or(0);
                at = to;
            }
            prop_assert_eq!(at, e);
            prop_assert_eq!(path.total, sum);
            let timed = std::iter::once(path.start.index())
                .chain(path.steps.iter().map(|s| s.to.index()))
                .all(|i| time(i).is_some());
            if timed {
                prop_assert_eq!(path.total, time(e).unwrap() - time(path.start.index()).unwrap());
            }
            let shares: i128 = path.nodes.iter().map(|n| n.1).sum::<i128>() + path.in_flight;
            prop_assert_eq!(shares, path.total);
        }
    }
}
