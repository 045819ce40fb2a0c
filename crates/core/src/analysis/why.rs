//! What an event knew, and how: for each node, the latest of its events in the event's causal
//! past (the knowledge frontier, read off the vector clock), a shortest causal chain from it to
//! the event, and the node's first event the event did not know about. Data only.

use crate::clock::{relation, ClockRef, Clocks, Relation};
use crate::graph::HbGraph;
use crate::model::{EventIdx, NodeId, Trace};

/// What one node had told the event, directly or through others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeKnowledge {
    /// The node.
    pub node: NodeId,
    /// How many of the node's events the event had seen (its clock's member for the node).
    pub seen: u32,
    /// The latest of them, when the input holds it (a slice may have left it out).
    pub last_known: Option<EventIdx>,
    /// A shortest causal chain from `last_known` to the event, both included.
    pub chain: Vec<EventIdx>,
    /// The node's first event the event had not seen, if any: concurrent with it, or after.
    pub first_unknown: Option<(EventIdx, Relation)>,
}

/// What `why ID` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Knowledge {
    /// The event asked about.
    pub event: EventIdx,
    /// Every other node, in node order.
    pub nodes: Vec<NodeKnowledge>,
}

/// The knowledge frontier of `e`: `clocks` must hold the clocks of `e` and of every node's
/// first unknown event (see [`wanted`]).
pub fn knowledge<C: Clocks + ?Sized>(
    trace: &Trace,
    graph: &HbGraph,
    clocks: &C,
    e: EventIdx,
) -> Knowledge {
    let own = trace.event(e).node;
    let row = clocks.clock(e).to_dense(trace.nodes.len());
    let nodes = (0..trace.nodes.len() as u32)
        .map(NodeId)
        .filter(|&n| n != own)
        .map(|n| {
            let seen = row[n.index()];
            let last_known = (seen > 0).then(|| trace.event_at(n, seen)).flatten();
            let chain = last_known
                .and_then(|k| graph.shortest_chain(trace, clocks, k, e))
                .unwrap_or_default();
            let first_unknown =
                first_after(trace, n, seen).map(|u| (u, relation(trace, clocks, u, e)));
            NodeKnowledge {
                node: n,
                seen,
                last_known,
                chain,
                first_unknown,
            }
        })
        .collect();
    Knowledge { event: e, nodes }
}

/// The events whose clocks [`knowledge`] reads: `e`, and each node's first event after what
/// `e` had seen of it (`clock` is `e`'s clock).
pub fn wanted(trace: &Trace, e: EventIdx, clock: ClockRef<'_>) -> Vec<EventIdx> {
    let mut events = vec![e];
    for (n, &seen) in clock.to_dense(trace.nodes.len()).iter().enumerate() {
        // Fewer nodes than MAX_EVENTS.
        events.extend(first_after(trace, NodeId(n as u32), seen));
    }
    events
}

/// Node `n`'s first event with a position above `seen`.
fn first_after(trace: &Trace, n: NodeId, seen: u32) -> Option<EventIdx> {
    let lane = &trace.by_node[n.index()];
    let at = lane.partition_point(|&x| trace.event(x).seq <= seen);
    lane.get(at).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock;
    use crate::model::test_trace as trace;
    use crate::order::causal_order;

    #[test]
    fn the_frontier_is_read_off_the_clock_with_chains_and_first_unknowns() {
        // a: send m1, local, send m3 | b: recv m1, send m2 | c: recv m2, recv m3
        let t = trace(&[
            ("a", "send", "m1"),
            ("a", "local", ""),
            ("a", "send", "m3"),
            ("b", "recv", "m1"),
            ("b", "send", "m2"),
            ("b", "local", ""),
            ("c", "recv", "m2"),
        ]);
        let c = causal_order(&t).unwrap();
        let stamps = clock::stamp(&t, &c);
        let graph = HbGraph::build(&t, &c);
        let k = knowledge(&t, &graph, &stamps.vector, EventIdx(6));
        assert_eq!(k.nodes.len(), 2);
        let a = &k.nodes[0];
        assert_eq!((a.seen, a.last_known), (1, Some(EventIdx(0))));
        assert_eq!(
            a.chain,
            [EventIdx(0), EventIdx(3), EventIdx(4), EventIdx(6)]
        );
        assert_eq!(a.first_unknown, Some((EventIdx(1), Relation::Concurrent)));
        let b = &k.nodes[1];
        assert_eq!((b.seen, b.last_known), (2, Some(EventIdx(4))));
        assert_eq!(b.first_unknown, Some((EventIdx(5), Relation::Concurrent)));
    }
}
