//! Matches sends with receives and finds a causal order of all events.
//!
//! A causal order lists every event after its program-order predecessor and every receive
//! after its send, whatever order the files and lines came in. When none exists, the error
//! names the receives on the cycle. This layer computes no clocks.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::error::{Error, InputError, Result};
use crate::model::{EventIdx, EventKind, NodeId, Trace};

/// Sends matched with receives, and an order of events consistent with happens-before.
#[derive(Clone, Debug)]
pub struct Causality {
    /// For each event, the send it receives (matched receives only).
    pub send_of: Vec<Option<EventIdx>>,
    /// Further sends received by events with more than one receive role (rare; see
    /// [`crate::model::Role`]). [`Causality::sends`] gives all of an event's sends.
    pub more_sends: HashMap<EventIdx, Vec<EventIdx>>,
    /// Every event once, each after its causal predecessors.
    pub order: Vec<EventIdx>,
    /// Receives whose message no event sends; clock engines treat them as local events.
    pub unmatched_recvs: Vec<EventIdx>,
    /// Sends that no event receives.
    pub unmatched_sends: Vec<EventIdx>,
}

impl Causality {
    /// Every send that event `e` receives: usually none or one.
    pub fn sends(&self, e: EventIdx) -> impl Iterator<Item = EventIdx> + '_ {
        self.send_of[e.index()].into_iter().chain(
            self.more_sends
                .get(&e)
                .map(|v| v.as_slice())
                .unwrap_or_default()
                .iter()
                .copied(),
        )
    }

    /// Every message edge, send to receive, in event order of the receive.
    pub fn message_edges(&self) -> impl Iterator<Item = (EventIdx, EventIdx)> + '_ {
        self.send_of.iter().enumerate().flat_map(move |(i, _)| {
            let r = EventIdx(i as u32);
            self.sends(r).map(move |s| (s, r))
        })
    }
}

/// Matches messages and orders the trace causally.
///
/// Two sends of one message id are an input error. A receive that waits (directly or through
/// program order) for a send that comes after it is a cycle error naming every receive on it.
pub fn causal_order(trace: &Trace) -> Result<Causality> {
    let sends = sends_by_message(trace)?;
    let mut send_of = vec![None; trace.len()];
    let mut more_sends: HashMap<EventIdx, Vec<EventIdx>> = HashMap::new();
    let mut received = vec![false; trace.len()];
    let mut unmatched_recvs = Vec::new();
    for (i, ev) in trace.events.iter().enumerate() {
        let e = EventIdx(i as u32);
        for (kind, msg) in ev.roles() {
            if kind != EventKind::Recv {
                continue;
            }
            match sends.get(msg) {
                Some(&s) => {
                    received[s.index()] = true;
                    if send_of[i].is_none() {
                        send_of[i] = Some(s);
                    } else {
                        more_sends.entry(e).or_default().push(s);
                    }
                }
                None => unmatched_recvs.push(e),
            }
        }
    }
    let unmatched_sends = sends
        .values()
        .filter(|s| !received[s.index()])
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut causality = Causality {
        send_of,
        more_sends,
        order: Vec::new(),
        unmatched_recvs,
        unmatched_sends,
    };
    causality.order = topological_order(trace, &causality)?;
    Ok(causality)
}

fn sends_by_message(trace: &Trace) -> Result<HashMap<&str, EventIdx>> {
    let mut sends: HashMap<&str, EventIdx> = HashMap::new();
    for (i, ev) in trace.events.iter().enumerate() {
        for (kind, msg) in ev.roles() {
            if kind != EventKind::Send {
                continue;
            }
            let e = EventIdx(i as u32);
            if let Some(first) = sends.insert(msg, e) {
                let here = trace.location(e);
                return Err(InputError::new(
                here.file,
                here.line,
                format!(
                    "expected each message to be sent once, but {msg:?} is sent again (first by {} at {})",
                    trace.event_id(first),
                    trace.location(first)
                ),
            )
            .into());
            }
        }
    }
    Ok(sends)
}

/// Runs each node forward until it reaches a receive whose send has not run yet; a send wakes
/// the nodes waiting for it. Linear in events. Nodes left waiting form a cycle.
fn topological_order(trace: &Trace, causality: &Causality) -> Result<Vec<EventIdx>> {
    let n_nodes = trace.nodes.len();
    let mut next = vec![0usize; n_nodes];
    let mut done = vec![false; trace.len()];
    let mut waiting: HashMap<EventIdx, Vec<NodeId>> = HashMap::new();
    let mut ready: Vec<NodeId> = (0..n_nodes as u32).rev().map(NodeId).collect();
    let mut order = Vec::with_capacity(trace.len());
    while let Some(node) = ready.pop() {
        let lane = &trace.by_node[node.index()];
        while let Some(&e) = lane.get(next[node.index()]) {
            if let Some(s) = causality.sends(e).find(|s| !done[s.index()]) {
                waiting.entry(s).or_default().push(node);
                break;
            }
            done[e.index()] = true;
            order.push(e);
            next[node.index()] += 1;
            if let Some(woken) = waiting.remove(&e) {
                ready.extend(woken.into_iter().rev());
            }
        }
    }
    if order.len() == trace.len() {
        Ok(order)
    } else {
        Err(Error::Cycle(describe_cycle(trace, causality, &next, &done)))
    }
}

/// Every stuck node waits at a receive for a send on another stuck node; following those
/// waits from any stuck node must come back around. Names each receive on that loop.
fn describe_cycle(trace: &Trace, causality: &Causality, next: &[usize], done: &[bool]) -> String {
    let stuck_at = |n: NodeId| trace.by_node[n.index()].get(next[n.index()]).copied();
    let start = (0..trace.nodes.len() as u32)
        .map(NodeId)
        .find(|&n| stuck_at(n).is_some())
        .expect("a cycle leaves some node stuck");
    let mut seen: HashMap<NodeId, usize> = HashMap::new();
    let mut path = Vec::new();
    let mut node = start;
    while !seen.contains_key(&node) {
        seen.insert(node, path.len());
        let recv = stuck_at(node).expect("a waited-for node is stuck");
        let send = causality
            .sends(recv)
            .find(|s| !done[s.index()])
            .expect("a stuck event waits for a send");
        path.push((recv, send));
        node = trace.event(send).node;
    }
    let cycle = &path[seen[&node]..];
    let mut out = String::from(
        "no causal order exists: each receive below comes, in program order, before the send \
         of the message the previous one waits for (a happens-before cycle)",
    );
    for &(recv, send) in cycle {
        let msg = trace
            .event(send)
            .roles()
            .find(|(k, _)| *k == EventKind::Send)
            .map_or("", |(_, m)| m);
        let _ = write!(
            out,
            "\n  {}: {} receives {:?}, sent by {} at {}",
            trace.location(recv),
            trace.event_id(recv),
            msg,
            trace.event_id(send),
            trace.location(send),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_trace as trace;

    #[test]
    fn receives_come_after_their_sends_whatever_the_input_order() {
        let t = trace(&[("b", "recv", "m"), ("a", "local", ""), ("a", "send", "m")]);
        let c = causal_order(&t).unwrap();
        let pos = |e: u32| c.order.iter().position(|&x| x == EventIdx(e)).unwrap();
        assert!(pos(2) < pos(0));
        assert_eq!(c.send_of[0], Some(EventIdx(2)));
    }

    #[test]
    fn crossed_receives_are_a_cycle_naming_both() {
        let t = trace(&[
            ("A", "recv", "m2"),
            ("A", "send", "m1"),
            ("B", "recv", "m1"),
            ("B", "send", "m2"),
        ]);
        let err = causal_order(&t).unwrap_err().to_string();
        assert!(
            err.contains("t.jsonl:1: A#1 receives \"m2\", sent by B#2 at t.jsonl:4"),
            "{err}"
        );
        assert!(
            err.contains("t.jsonl:3: B#1 receives \"m1\", sent by A#2 at t.jsonl:2"),
            "{err}"
        );
    }

    #[test]
    fn receiving_your_own_later_send_is_a_cycle() {
        let t = trace(&[("A", "recv", "m"), ("A", "send", "m")]);
        assert!(causal_order(&t).is_err());
    }

    #[test]
    fn duplicate_sends_are_an_input_error() {
        let t = trace(&[("A", "send", "m"), ("B", "send", "m")]);
        let err = causal_order(&t).unwrap_err().to_string();
        assert!(
            err.starts_with("t.jsonl:2: expected each message to be sent once"),
            "{err}"
        );
        assert!(err.contains("first by A#1 at t.jsonl:1"), "{err}");
    }

    #[test]
    fn unmatched_messages_are_listed() {
        let t = trace(&[("A", "send", "lost"), ("B", "recv", "ghost")]);
        let c = causal_order(&t).unwrap();
        assert_eq!(c.unmatched_sends, vec![EventIdx(0)]);
        assert_eq!(c.unmatched_recvs, vec![EventIdx(1)]);
        assert_eq!(c.send_of[1], None);
    }
}
