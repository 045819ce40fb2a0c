//! Cuts of an execution: the events on one side of an event, the messages that cross the edge
//! of any kept set of events, and the steps of a causal chain.
//!
//! `past`, `future` (and slices) keep some events and write them as stamped JSON Lines; the
//! messages with one end kept and the other not are marked at their kept end, so that the
//! output, read back, never takes them for lost. This module decides what is kept and marked;
//! it writes nothing.

use crate::model::{EventFlags, EventIdx, EventKind, Trace};
use crate::order::Causality;

/// Which side of an event a cut keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Everything that happened before it.
    Past,
    /// Everything that happened after it.
    Future,
}

/// The events on `side` of `x` (a breadth-first walk along program order and messages,
/// backwards for the past), `x` itself included unless `strict`. Linear in events.
pub fn cut(
    trace: &Trace,
    causality: &Causality,
    x: EventIdx,
    side: Side,
    strict: bool,
) -> Vec<bool> {
    // Receives of each send, for walking forwards (sends of each receive are in `causality`).
    let mut receives: Vec<Vec<EventIdx>> = Vec::new();
    if side == Side::Future {
        receives = vec![Vec::new(); trace.len()];
        for (s, r) in causality.message_edges() {
            receives[s.index()].push(r);
        }
    }
    // Each event's place in its lane, for its neighbours in program order.
    let mut place = vec![0usize; trace.len()];
    for lane in &trace.by_node {
        for (k, &e) in lane.iter().enumerate() {
            place[e.index()] = k;
        }
    }
    let mut kept = vec![false; trace.len()];
    kept[x.index()] = true;
    let mut stack = vec![x];
    while let Some(e) = stack.pop() {
        let lane = &trace.by_node[trace.event(e).node.index()];
        let k = place[e.index()];
        let (neighbour, messages): (Option<EventIdx>, Vec<EventIdx>) = match side {
            Side::Past => (
                k.checked_sub(1).map(|p| lane[p]),
                causality.sends(e).collect(),
            ),
            Side::Future => (lane.get(k + 1).copied(), receives[e.index()].clone()),
        };
        for next in neighbour.into_iter().chain(messages) {
            if !kept[next.index()] {
                kept[next.index()] = true;
                stack.push(next);
            }
        }
    }
    if strict {
        kept[x.index()] = false;
    }
    kept
}

/// For each event, the marks of its messages whose other end `kept` leaves out while keeping
/// it: `OUTSIDE_RECV` on a kept send with a receive not kept, `OUTSIDE_SEND` on a kept receive
/// whose send is not kept. Marks the input already had are kept too. A message that has no
/// other end at all (a real loss) gets no mark.
pub fn outside_marks(trace: &Trace, causality: &Causality, kept: &[bool]) -> Vec<EventFlags> {
    let mut marks: Vec<EventFlags> = trace.events.iter().map(|ev| ev.flags).collect();
    for (s, r) in causality.message_edges() {
        match (kept[s.index()], kept[r.index()]) {
            (true, false) => marks[s.index()] = marks[s.index()].with(EventFlags::OUTSIDE_RECV),
            (false, true) => marks[r.index()] = marks[r.index()].with(EventFlags::OUTSIDE_SEND),
            _ => {}
        }
    }
    marks
}

/// One step of a causal chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step<'t> {
    /// To the next event on the same node.
    Program,
    /// Along a message: its id.
    Message(&'t str),
    /// Through events the input left out (a slice whose given clocks order the two).
    Outside,
}

/// How `chain[k]` leads to `chain[k + 1]`: the next event on a node is program order, a
/// message the first sends and the second receives is that message, anything else went
/// through events the input left out.
pub fn chain_steps<'t>(trace: &'t Trace, chain: &[EventIdx]) -> Vec<Step<'t>> {
    chain
        .windows(2)
        .map(|pair| {
            if trace.next_on_node(pair[0]) == Some(pair[1]) {
                return Step::Program;
            }
            trace
                .shared_message(pair[0], pair[1])
                .map_or(Step::Outside, Step::Message)
        })
        .collect()
}

/// The messages a chain follows, in order.
pub fn chain_messages<'t>(trace: &'t Trace, chain: &[EventIdx]) -> Vec<&'t str> {
    chain_steps(trace, chain)
        .into_iter()
        .filter_map(|s| match s {
            Step::Message(m) => Some(m),
            Step::Program | Step::Outside => None,
        })
        .collect()
}

/// Whether `e` takes part in no message: the only kind of event that folding joins.
pub fn is_plain_local(trace: &Trace, e: EventIdx) -> bool {
    let ev = trace.event(e);
    ev.kind == EventKind::Local && ev.roles().next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_trace as trace;
    use crate::order::causal_order;

    // a: send m1, local | b: recv m1, send m2 | c: recv m2
    const T: &[(&str, &str, &str)] = &[
        ("a", "send", "m1"),
        ("a", "local", ""),
        ("b", "recv", "m1"),
        ("b", "send", "m2"),
        ("c", "recv", "m2"),
    ];

    #[test]
    fn sides_follow_program_order_and_messages() {
        let t = trace(T);
        let c = causal_order(&t).unwrap();
        let past = cut(&t, &c, EventIdx(3), Side::Past, false);
        assert_eq!(past, [true, false, true, true, false]);
        let future = cut(&t, &c, EventIdx(0), Side::Future, true);
        assert_eq!(future, [false, true, true, true, true]);
    }

    #[test]
    fn crossing_messages_are_marked_at_their_kept_end() {
        let t = trace(T);
        let c = causal_order(&t).unwrap();
        let marks = outside_marks(&t, &c, &[true, false, true, true, false]);
        assert_eq!(marks[3], EventFlags::OUTSIDE_RECV);
        assert_eq!(marks[2], EventFlags::NONE);
        let marks = outside_marks(&t, &c, &[false, false, true, true, true]);
        assert_eq!(marks[2], EventFlags::OUTSIDE_SEND);
    }

    #[test]
    fn chain_steps_tell_program_order_from_messages() {
        let t = trace(T);
        let chain = [EventIdx(0), EventIdx(2), EventIdx(3)];
        assert_eq!(
            chain_steps(&t, &chain),
            [Step::Message("m1"), Step::Program]
        );
    }
}
