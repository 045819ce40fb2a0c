//! Property tests: batch ordering and online stamping find happens-before cycles alike.
//!
//! Random traces whose messages are each sent once and received at most once, by any event of
//! any node, so that many of them are cyclic. The oracle, sharing no code with either, is a
//! depth-first search for a cycle in the graph of program-order and message edges. Batch
//! ordering (`causal_order`) and online stamping (`Stamper`, with room for everything) must
//! both fail exactly on cyclic traces, and the loop each names must be one: every receive
//! waits for a send of its message that comes after the next receive on that receive's node.

use proptest::prelude::*;

use causal_core::error::Error;
use causal_core::model::{EventKind, RawEvent, TraceBuilder};
use causal_core::order::causal_order;
use causal_core::stream::{Origin, Stamper, StreamError};

/// What an event does: nothing, send message `m`, or receive message `m`.
#[derive(Clone, Copy, Debug)]
enum Op {
    Local,
    Send(usize),
    Recv(usize),
}

/// (node, op) per event, in input order; program order is input order within a node.
fn trace_strategy() -> impl Strategy<Value = Vec<(usize, Op)>> {
    (1usize..4, 1usize..6).prop_flat_map(|(nodes, messages)| {
        // Each message: a send and maybe a receive, each placed on a random node; locals.
        let msg = (0..nodes, proptest::option::of(0..nodes));
        let placed = proptest::collection::vec(msg, messages);
        let locals = proptest::collection::vec(0..nodes, 0..4);
        (placed, locals, any::<u64>()).prop_map(|(placed, locals, seed)| {
            let mut events: Vec<(usize, Op)> = Vec::new();
            for (m, (sender, receiver)) in placed.into_iter().enumerate() {
                events.push((sender, Op::Send(m)));
                if let Some(r) = receiver {
                    events.push((r, Op::Recv(m)));
                }
            }
            events.extend(locals.into_iter().map(|n| (n, Op::Local)));
            // A seeded shuffle (xorshift), so receives may come before their sends.
            let mut x = seed | 1;
            for i in (1..events.len()).rev() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                events.swap(i, (x % (i as u64 + 1)) as usize);
            }
            events
        })
    })
}

fn raw(line: usize, (node, op): (usize, Op)) -> RawEvent {
    let (kind, msg) = match op {
        Op::Local => (EventKind::Local, None),
        Op::Send(m) => (EventKind::Send, Some(format!("m{m}"))),
        Op::Recv(m) => (EventKind::Recv, Some(format!("m{m}"))),
    };
    RawEvent {
        node: format!("n{node}"),
        kind: Some(kind),
        msg,
        line: line as u32 + 1,
        ..RawEvent::default()
    }
}

/// The oracle: whether program order and message edges close a loop (depth-first search).
fn cyclic(events: &[(usize, Op)]) -> bool {
    let n = events.len();
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    for i in 0..n {
        if let Some(j) = (i + 1..n).find(|&j| events[j].0 == events[i].0) {
            next[i].push(j);
        }
        if let Op::Send(m) = events[i].1 {
            next[i].extend((0..n).filter(|&j| matches!(events[j].1, Op::Recv(x) if x == m)));
        }
    }
    // 0: unseen, 1: on the stack, 2: done.
    fn visit(v: usize, next: &[Vec<usize>], state: &mut [u8]) -> bool {
        state[v] = 1;
        for &w in &next[v] {
            if state[w] == 1 || (state[w] == 0 && visit(w, next, state)) {
                return true;
            }
        }
        state[v] = 2;
        false
    }
    let mut state = vec![0u8; n];
    (0..n).any(|v| state[v] == 0 && visit(v, &next, &mut state))
}

/// Checks that `steps`, as (receive line, message, send line), is a loop of waits in `events`:
/// each receive receives its message, the send sends it, and the send is on the node of the
/// next receive, after it.
fn is_loop(events: &[(usize, Op)], steps: &[(usize, String, usize)]) -> Result<(), String> {
    if steps.is_empty() {
        return Err("an empty cycle".into());
    }
    for (k, (recv, msg, send)) in steps.iter().enumerate() {
        let (r, s) = (events[recv - 1], events[send - 1]);
        let m: usize = msg[1..].parse().map_err(|_| format!("message {msg}"))?;
        if !matches!(r.1, Op::Recv(x) if x == m) || !matches!(s.1, Op::Send(x) if x == m) {
            return Err(format!(
                "step {k}: line {recv} does not receive what {send} sends"
            ));
        }
        let (next_recv, _, _) = &steps[(k + 1) % steps.len()];
        if events[next_recv - 1].0 != s.0 || send <= next_recv {
            return Err(format!(
                "step {k}: the send at line {send} is not after line {next_recv}"
            ));
        }
    }
    Ok(())
}

/// The lines of `t.jsonl:L` in text.
fn line_of(at: &str) -> usize {
    at.rsplit(':').next().unwrap().parse().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn batch_and_online_stamping_report_real_cycles_exactly_when_there_is_one(
        events in trace_strategy(),
    ) {
        let expected = cyclic(&events);

        let mut builder = TraceBuilder::new();
        let file = builder.add_file("t.jsonl");
        for (i, &e) in events.iter().enumerate() {
            builder.push(file, raw(i, e));
        }
        let trace = builder.finish();
        match causal_order(&trace) {
            Ok(_) => prop_assert!(!expected, "batch found no cycle in {events:?}"),
            Err(Error::Cycle(text)) => {
                prop_assert!(expected, "batch found a cycle in an acyclic {events:?}");
                // `  t.jsonl:L: ID receives "m", sent by ID at t.jsonl:L`
                let steps: Vec<(usize, String, usize)> = text
                    .lines()
                    .skip(1)
                    .map(|l| {
                        let (at, rest) = l.trim_start().split_once(": ").unwrap();
                        let msg = rest.split('"').nth(1).unwrap().to_string();
                        (line_of(at), msg, line_of(rest.rsplit(' ').next().unwrap()))
                    })
                    .collect();
                if let Err(why) = is_loop(&events, &steps) {
                    return Err(TestCaseError::fail(format!("batch: {why}\n{text}\n{events:?}")));
                }
            }
            Err(other) => return Err(TestCaseError::fail(format!("batch: {other}"))),
        }

        let mut stamper = Stamper::new();
        let file = stamper.add_file("t.jsonl");
        for (i, &e) in events.iter().enumerate() {
            let origin = Origin { file, line: i as u32 + 1 };
            stamper.push(raw(i, e), origin).expect("messages are sent once");
        }
        match stamper.finish() {
            Ok(_) => prop_assert!(!expected, "online found no cycle in {events:?}"),
            Err(StreamError::Cycle(waits)) => {
                prop_assert!(expected, "online found a cycle in an acyclic {events:?}");
                let steps: Vec<(usize, String, usize)> = waits
                    .iter()
                    .map(|w| (w.recv.line as usize, w.msg.clone(), w.send.line as usize))
                    .collect();
                if let Err(why) = is_loop(&events, &steps) {
                    return Err(TestCaseError::fail(format!("online: {why}\n{waits:?}\n{events:?}")));
                }
                // Said in the words batch ordering uses.
                let text = stamper.error(StreamError::Cycle(waits)).to_string();
                prop_assert!(text.starts_with("no causal order exists: each receive below"), "{}", text);
            }
            Err(other) => return Err(TestCaseError::fail(format!("online: {other:?}"))),
        }
    }
}
