//! Matches sends with receives and finds a causal order of all events.
//!
//! A causal order lists every event after its program-order predecessor and every receive
//! after its send, whatever order the files and lines came in. When none exists, the error
//! names the receives on the cycle. This layer computes no clocks.

use std::collections::HashMap;

use foldhash::HashMap as FastMap;
use foldhash::HashMapExt;

use crate::error::{CycleStep, Error, InputError, Result};
use crate::model::{EventFlags, EventIdx, EventKind, GivenClocks, NodeId, Trace};

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
    /// Receives marked as receiving from outside the input, and synchronisation edges, are
    /// not listed (see [`EventFlags`]).
    pub unmatched_recvs: Vec<EventIdx>,
    /// Copies of messages that were sent and never received, one per intended receiver that
    /// did not receive (or one per message whose send names no receivers and that nobody
    /// received), in event order. Synchronisation edges and sends marked as received outside
    /// the input are never lost.
    pub lost: Vec<LostCopy>,
    /// Receives by a node that the send's `to` does not name: `(receive, send)`, in event
    /// order of the receive.
    pub unexpected: Vec<(EventIdx, EventIdx)>,
}

/// A copy of a message that was sent and never received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostCopy {
    /// The send.
    pub send: EventIdx,
    /// The message id (an event may send more than one message).
    pub msg: Box<str>,
    /// The intended receiver that never received it, as the send's `to` names it; `None`
    /// when the send names no receivers and nobody received it.
    pub receiver: Option<Box<str>>,
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

/// One message role of a send: its event and message id.
struct SendRole<'t> {
    event: EventIdx,
    msg: &'t str,
}

/// Matches messages and orders the trace causally.
///
/// Two sends of one message id are an input error. A receive that waits (directly or through
/// program order) for a send that comes after it is a cycle error naming every receive on it.
/// Each message role is matched on its own: an event that sends two messages can have one
/// received and the other lost.
pub fn causal_order(trace: &Trace) -> Result<Causality> {
    let (roles, by_msg) = sends_by_message(trace)?;
    let mut send_of = vec![None; trace.len()];
    let mut more_sends: HashMap<EventIdx, Vec<EventIdx>> = HashMap::new();
    // Per send role: received (by its one named receiver, when its send names one), and by
    // which nodes when its send names several.
    let mut received = vec![false; roles.len()];
    let mut receivers: Vec<(u32, NodeId)> = Vec::new();
    let mut unexpected = Vec::new();
    let mut unmatched_recvs = Vec::new();
    for (i, ev) in trace.events.iter().enumerate() {
        let e = EventIdx(i as u32);
        for (kind, msg) in ev.roles() {
            if kind != EventKind::Recv {
                continue;
            }
            match by_msg.get(msg) {
                Some(&r) => {
                    let s = roles[r as usize].event;
                    if send_of[i].is_none() {
                        send_of[i] = Some(s);
                    } else {
                        more_sends.entry(e).or_default().push(s);
                    }
                    let send = trace.event(s);
                    if send.to().is_empty() {
                        received[r as usize] = true;
                    } else {
                        let named = send.to().iter().any(|t| **t == *trace.local_name(ev.node));
                        if !named {
                            let sync = ev.flags.contains(EventFlags::SYNC)
                                || send.flags.contains(EventFlags::SYNC);
                            if !sync {
                                unexpected.push((e, s));
                            }
                        }
                        // One named receiver (the common case) needs no list: `received`
                        // then says whether it received.
                        if send.to().len() == 1 {
                            received[r as usize] |= named;
                        } else {
                            receivers.push((r, ev.node));
                        }
                    }
                }
                None if ev.flags.contains(EventFlags::OUTSIDE_SEND)
                    || ev.flags.contains(EventFlags::SYNC) => {}
                None => unmatched_recvs.push(e),
            }
        }
    }
    receivers.sort_unstable();
    receivers.dedup();
    let mut lost = Vec::new();
    for (r, role) in roles.iter().enumerate() {
        let send = trace.event(role.event);
        if send.flags.contains(EventFlags::SYNC) || send.flags.contains(EventFlags::OUTSIDE_RECV) {
            continue;
        }
        let copy = |receiver: Option<&str>| LostCopy {
            send: role.event,
            msg: role.msg.into(),
            receiver: receiver.map(Into::into),
        };
        if send.to().len() <= 1 {
            if !received[r] {
                lost.push(copy(send.to().first().map(|t| &**t)));
            }
            continue;
        }
        let start = receivers.partition_point(|&(x, _)| (x as usize) < r);
        let got = &receivers[start..];
        let got = &got[..got.partition_point(|&(x, _)| x as usize == r)];
        for (k, t) in send.to().iter().enumerate() {
            // Each receiver once, even when `to` names it twice.
            if send.to()[..k].contains(t) {
                continue;
            }
            if !got.iter().any(|&(_, n)| *trace.local_name(n) == **t) {
                lost.push(copy(Some(t)));
            }
        }
    }
    let mut causality = Causality {
        send_of,
        more_sends,
        order: Vec::new(),
        unmatched_recvs,
        lost,
        unexpected,
    };
    causality.order = topological_order(trace, &causality)?;
    if let Some(given) = &trace.given {
        check_given_clocks(trace, given, &causality)?;
    }
    Ok(causality)
}

/// Stamped input's clocks are used as given, so they must agree with what the input says
/// happened: along each node, and along each message, clocks only grow. A contradiction is an
/// input error naming both lines.
fn check_given_clocks(trace: &Trace, given: &GivenClocks, causality: &Causality) -> Result<()> {
    let contradiction = |later: EventIdx, earlier: EventIdx, what: &str, own: bool| {
        let detail = clock_contradiction(trace, given, earlier, later, own)?;
        let (here, there) = (trace.location(later), trace.location(earlier));
        Some(Error::from(InputError::new(
            here.file,
            here.line,
            format!(
                "expected the clocks of {} to come after those of {what} {} at {there}: {detail}",
                trace.event_id(later),
                trace.event_id(earlier),
            ),
        )))
    };
    for lane in &trace.by_node {
        for pair in lane.windows(2) {
            if let Some(err) = contradiction(pair[1], pair[0], "its node's previous event", true) {
                return Err(err);
            }
            if let Some(err) = learned_without_receiving(trace, given, pair[0], pair[1]) {
                return Err(err);
            }
        }
    }
    for (s, r) in causality.message_edges() {
        if let Some(err) = contradiction(r, s, "its send", false) {
            return Err(err);
        }
    }
    Ok(())
}

/// An event that receives nothing and directly follows `prev` on its node (its own count one
/// more, so the input left nothing out between them) knows what `prev` knew and no more:
/// another node's count may grow only through a receive.
fn learned_without_receiving(
    trace: &Trace,
    given: &GivenClocks,
    prev: EventIdx,
    e: EventIdx,
) -> Option<Error> {
    let ev = trace.event(e);
    if trace.event(prev).seq.checked_add(1) != Some(ev.seq)
        || ev.roles().any(|(k, _)| k == EventKind::Recv)
    {
        return None;
    }
    let (n, here) = given
        .vc(e)
        .iter()
        .copied()
        .find(|&(n, here)| n != ev.node && here > given.get(prev, n))?;
    let (at, there) = (trace.location(e), trace.location(prev));
    Some(Error::from(InputError::new(
        at.file,
        at.line,
        format!(
            "expected {} to know of other nodes what {} at {there} knew and no more, as it \
             receives nothing: \"vc\" counts {:?} {here} here and {} there",
            trace.event_id(e),
            trace.event_id(prev),
            trace.node_name(n),
            given.get(prev, n),
        ),
    )))
}

/// How `later`'s given clocks fail to come after `earlier`'s, if they do: a Lamport clock not
/// above, a vector-clock member below, or (on one node, `own`) an own count not above.
fn clock_contradiction(
    trace: &Trace,
    given: &GivenClocks,
    earlier: EventIdx,
    later: EventIdx,
    own: bool,
) -> Option<String> {
    let (a, b) = (given.lamport[earlier.index()], given.lamport[later.index()]);
    if b <= a {
        return Some(format!("\"lamport\" is {b} here and {a} there"));
    }
    for &(n, count) in given.vc(earlier) {
        let here = given.get(later, n);
        let node = trace.node_name(n);
        if here < count || (own && n == trace.event(later).node && here == count) {
            return Some(format!(
                "\"vc\" counts {node:?} {here} here and {count} there"
            ));
        }
    }
    None
}

/// Every send role in event order, and the role each message id names.
fn sends_by_message(trace: &Trace) -> Result<(Vec<SendRole<'_>>, FastMap<&str, u32>)> {
    let mut roles: Vec<SendRole<'_>> = Vec::new();
    // foldhash: one lookup per message role (see model::builder).
    let mut by_msg: FastMap<&str, u32> = FastMap::with_capacity(trace.len() / 2);
    for (i, ev) in trace.events.iter().enumerate() {
        for (kind, msg) in ev.roles() {
            if kind != EventKind::Send {
                continue;
            }
            let e = EventIdx(i as u32);
            if let Some(&first) = by_msg.get(msg) {
                let first = roles[first as usize].event;
                let here = trace.location(e);
                return Err(InputError::new(
                    here.file,
                    here.line,
                    crate::error::sent_again(
                        msg,
                        &format!("by {} at {}", trace.event_id(first), trace.location(first)),
                    ),
                )
                .into());
            }
            // An event may send several messages (vector-clock logs): count them checked.
            let Ok(role) = u32::try_from(roles.len()) else {
                let here = trace.location(e);
                return Err(InputError::new(
                    here.file,
                    here.line,
                    format!("expected at most {} messages sent", u32::MAX),
                )
                .into());
            };
            by_msg.insert(msg, role);
            roles.push(SendRole { event: e, msg });
        }
    }
    Ok((roles, by_msg))
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
        Err(describe_cycle(trace, causality, &next, &done))
    }
}

/// Every stuck node waits at a receive for a send on another stuck node; following those
/// waits from any stuck node must come back around. Names each receive on that loop.
fn describe_cycle(trace: &Trace, causality: &Causality, next: &[usize], done: &[bool]) -> Error {
    let stuck_at = |n: usize| trace.by_node[n].get(next[n]).copied();
    let start = (0..trace.nodes.len())
        .find(|&n| stuck_at(n).is_some())
        .expect("a cycle leaves some node stuck");
    let steps = follow_waits(start, |node| {
        let recv = stuck_at(node).expect("a waited-for node is stuck");
        let send = causality
            .sends(recv)
            .find(|s| !done[s.index()])
            .expect("a stuck event waits for a send");
        let msg = trace
            .event(send)
            .roles()
            .find(|(k, _)| *k == EventKind::Send)
            .map_or("", |(_, m)| m);
        let step = CycleStep {
            recv_at: trace.location(recv).to_string(),
            recv_id: trace.event_id(recv).to_string(),
            msg: msg.to_string(),
            send_id: trace.event_id(send).to_string(),
            send_at: trace.location(send).to_string(),
        };
        (step, trace.event(send).node.index())
    });
    crate::error::cycle(&steps)
}

/// The loop of waits that starting at node `start` comes back around to: `wait(n)` is what
/// node `n` is stuck at (a step of the report) and the node it waits for, which must be stuck
/// too. Batch ordering and online stamping (`crate::stream`) both find their cycles so.
pub(crate) fn follow_waits<S>(start: usize, mut wait: impl FnMut(usize) -> (S, usize)) -> Vec<S> {
    let mut seen: HashMap<usize, usize> = HashMap::new();
    let mut path = Vec::new();
    let mut node = start;
    while !seen.contains_key(&node) {
        seen.insert(node, path.len());
        let (step, next) = wait(node);
        path.push(step);
        node = next;
    }
    path.drain(..seen[&node]);
    path
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
        assert_eq!(c.lost.len(), 1);
        assert_eq!(c.lost[0].send, EventIdx(0));
        assert_eq!(c.unmatched_recvs, vec![EventIdx(1)]);
        assert_eq!(c.send_of[1], None);
    }
}
