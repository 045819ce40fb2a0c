//! The happens-before graph: one vertex per event, program-order and message edges.
//!
//! Built once per run from a trace and its matched messages, as adjacency over the trace
//! itself: program order comes from each node's lane and incoming messages from the causal
//! order, so the graph adds only each send's receives (4 bytes per event and per message;
//! petgraph's general graph took about eight times that, and as long to build as the
//! searches it served: `hb` on 10^6 events). It answers path and neighbourhood questions and
//! cuts the slices ([`View`]) that the graph renderers draw. Constant-time "did A happen
//! before B" comes from the vector clocks in [`crate::clock`], not from here. This layer
//! prints nothing and formats nothing.

// foldhash, not SipHash: one lookup per event a search enters (see model::builder).
use foldhash::{HashMap, HashMapExt};

pub use petgraph::Direction;

pub mod cut;
pub mod select;
pub mod view;

pub use cut::{chain_messages, chain_steps, cut, is_plain_local, outside_marks, Side, Step};
pub use select::{label_regex, parse_range, select, Selection};
pub use view::*;

use crate::clock::{relation, Clocks, Relation};
use crate::model::{EventFlags, EventIdx, Trace};
use crate::order::Causality;

/// The happens-before graph of a trace: vertex `i` is event `EventIdx(i)`.
///
/// Its edges are the direct causal steps (Lamport's "->" before transitive closure): each event
/// to the next on its node, and each send to every receive of its message. It is acyclic
/// because [`crate::order::causal_order`] refuses traces with cycles.
#[derive(Clone, Debug)]
pub struct HbGraph<'t> {
    trace: &'t Trace,
    causality: &'t Causality,
    /// `recvs[recv_start[e]..recv_start[e + 1]]` receive what event `e` sends, in the order
    /// of [`Causality::message_edges`].
    recv_start: Vec<u32>,
    recvs: Vec<EventIdx>,
}

impl<'t> HbGraph<'t> {
    /// Builds the graph: linear in events and messages.
    pub fn build(trace: &'t Trace, causality: &'t Causality) -> HbGraph<'t> {
        let mut recv_start = vec![0u32; trace.len() + 1];
        for (send, _) in causality.message_edges() {
            recv_start[send.index() + 1] += 1;
        }
        for i in 0..trace.len() {
            recv_start[i + 1] += recv_start[i];
        }
        let mut fill: Vec<u32> = recv_start[..trace.len()].to_vec();
        let mut recvs = vec![EventIdx(0); recv_start[trace.len()] as usize];
        for (send, recv) in causality.message_edges() {
            let at = &mut fill[send.index()];
            recvs[*at as usize] = recv;
            *at += 1;
        }
        HbGraph {
            trace,
            causality,
            recv_start,
            recvs,
        }
    }

    /// How many events (vertices) the graph has.
    pub fn len(&self) -> usize {
        self.trace.len()
    }

    /// Whether the graph has no vertex.
    pub fn is_empty(&self) -> bool {
        self.trace.len() == 0
    }

    /// The receives of what `e` sends.
    fn recvs_of(&self, e: EventIdx) -> &[EventIdx] {
        let i = e.index();
        &self.recvs[self.recv_start[i] as usize..self.recv_start[i + 1] as usize]
    }

    /// Every message edge, send to receive, in the order of [`Causality::message_edges`].
    pub fn message_edges(&self) -> impl Iterator<Item = (EventIdx, EventIdx)> + 't {
        self.causality.message_edges()
    }

    /// The events that `e` directly steps to (`Outgoing`: the next on its node, then the
    /// receives of its messages) or from (`Incoming`: the previous on its node, then the sends
    /// it receives).
    pub fn neighbours(&self, e: EventIdx, dir: Direction) -> impl Iterator<Item = EventIdx> + '_ {
        let (step, out, received) = match dir {
            Direction::Outgoing => (self.trace.next_on_node(e), self.recvs_of(e), None),
            Direction::Incoming => (self.trace.prev_on_node(e), &[][..], Some(e)),
        };
        step.into_iter()
            .chain(out.iter().copied())
            .chain(received.into_iter().flat_map(|r| self.causality.sends(r)))
    }

    /// A shortest chain of direct steps from `from` to `to`, both included, when `from`
    /// happened before `to` (or is `to`); `None` otherwise.
    ///
    /// The search (breadth-first, so shortest in steps) only enters events that happened
    /// before `to`, which the vector clocks tell in constant time: it explores the events
    /// between the two, not the whole future of `from`.
    ///
    /// `vc` needs the clocks of `from` and `to` only.
    pub fn shortest_chain<C: Clocks + ?Sized>(
        &self,
        trace: &Trace,
        vc: &C,
        from: EventIdx,
        to: EventIdx,
    ) -> Option<Vec<EventIdx>> {
        match relation(trace, vc, from, to) {
            Relation::Same => return Some(vec![from]),
            Relation::Before => {}
            Relation::After | Relation::Concurrent => return None,
        }
        // Breadth-first from `from` over the events that happened before `to` (e did exactly
        // when `to` has seen it: one component of `to`'s clock), neighbours taken in (node,
        // position) order: the chain depends only on the events between the two, so a slice
        // that keeps them finds the same chain as the whole execution.
        let before_to = |e: EventIdx| {
            let ev = trace.event(e);
            e == to || vc.get(to, ev.node) >= ev.seq
        };
        let mut parent: HashMap<EventIdx, EventIdx> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([from]);
        let mut next = Vec::new();
        while let Some(v) = queue.pop_front() {
            if v == to {
                let mut chain = vec![to];
                let mut at = to;
                while let Some(&p) = parent.get(&at) {
                    chain.push(p);
                    at = p;
                }
                chain.reverse();
                return Some(chain);
            }
            next.clear();
            next.extend(
                self.neighbours(v, Direction::Outgoing)
                    .filter(|&w| w != from && !parent.contains_key(&w) && before_to(w)),
            );
            next.sort_unstable_by_key(|&w| (trace.event(w).node, trace.event(w).seq));
            next.dedup();
            for &w in &next {
                parent.insert(w, v);
                queue.push_back(w);
            }
        }
        None
    }

    /// A causal chain from `from` to a later event `to` when no chain runs within the input:
    /// a slice (stamped input) whose given clocks say `from` happened before `to` through
    /// events it left out. The chain follows the input from `from` to the nearest event that
    /// sent a message out of it (or stays at `from`), jumps through the left-out events, and
    /// follows the input again from the event nearest `to` that learned of `from` from outside
    /// (none of its direct predecessors in the input knows `from`) to `to`. Call it after
    /// [`HbGraph::shortest_chain`] found nothing for two ordered events; without given clocks
    /// it returns just the two events.
    pub fn chain_through_outside(
        &self,
        trace: &Trace,
        from: EventIdx,
        to: EventIdx,
    ) -> Vec<EventIdx> {
        let Some(given) = &trace.given else {
            return vec![from, to];
        };
        let knows = |e: EventIdx, x: EventIdx| {
            e == x || given.get(e, trace.event(x).node) >= trace.event(x).seq
        };
        // Backwards from `to` over events that know `from`: the first with no such direct
        // predecessor learned of it from outside.
        let entry = self.search(
            trace,
            to,
            Direction::Incoming,
            |w| knows(w, from),
            |v, preds| preds.is_empty() || v == from,
        );
        // Forwards from `from` over events the entry knows: the first that sent a message out
        // of the input, if any.
        let first = *entry.last().expect("a search path holds its start");
        let exit = self.search(
            trace,
            from,
            Direction::Outgoing,
            |w| knows(first, w),
            |v, _| trace.event(v).flags.contains(EventFlags::OUTSIDE_RECV),
        );
        let mut chain: Vec<EventIdx> = if exit
            .last()
            .is_some_and(|&x| trace.event(x).flags.contains(EventFlags::OUTSIDE_RECV))
        {
            exit
        } else {
            vec![from]
        };
        let mut back = entry;
        back.reverse();
        if back.first() == chain.last() {
            back.remove(0);
        }
        chain.extend(back);
        chain
    }

    /// Breadth-first from `start` along `dir` over events `enter` admits, neighbours in (node,
    /// position) order, until `stop(event, all its admitted neighbours)` holds: the path from
    /// `start` to that event (or to the last event reached, when none stops it).
    fn search(
        &self,
        trace: &Trace,
        start: EventIdx,
        dir: Direction,
        enter: impl Fn(EventIdx) -> bool,
        stop: impl Fn(EventIdx, &[EventIdx]) -> bool,
    ) -> Vec<EventIdx> {
        let mut parent: HashMap<EventIdx, EventIdx> = HashMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut next = Vec::new();
        let mut last = start;
        while let Some(v) = queue.pop_front() {
            last = v;
            next.clear();
            // Every admitted neighbour, visited or not: `stop` asks about the event's own
            // neighbours, not about what this search has yet to see.
            next.extend(self.neighbours(v, dir).filter(|&w| enter(w)));
            next.sort_unstable_by_key(|&w| (trace.event(w).node, trace.event(w).seq));
            next.dedup();
            if stop(v, &next) {
                break;
            }
            for &w in &next {
                if w != start && !parent.contains_key(&w) {
                    parent.insert(w, v);
                    queue.push_back(w);
                }
            }
        }
        let mut path = vec![last];
        while let Some(&p) = parent.get(path.last().expect("not empty")) {
            path.push(p);
        }
        path.reverse();
        path
    }

    /// The events within `depth` direct steps of `center`, following edges forwards (its
    /// future) and backwards (its past), `center` included. Breadth-first, so linear in
    /// what it keeps.
    pub fn neighbourhood(&self, center: EventIdx, depth: u32) -> Vec<bool> {
        let mut keep = vec![false; self.len()];
        keep[center.index()] = true;
        for dir in [Direction::Outgoing, Direction::Incoming] {
            let mut frontier = vec![center];
            for _ in 0..depth {
                let mut next = Vec::new();
                for v in frontier {
                    for w in self.neighbours(v, dir) {
                        if !keep[w.index()] {
                            keep[w.index()] = true;
                            next.push(w);
                        }
                    }
                }
                if next.is_empty() {
                    break;
                }
                frontier = next;
            }
        }
        keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock;
    use crate::model::test_trace as trace;
    use crate::model::NodeId;
    use crate::order::causal_order;

    fn ids(t: &Trace, es: &[EventIdx]) -> Vec<String> {
        es.iter().map(|&e| t.event_id(e).to_string()).collect()
    }

    fn setup(t: &Trace) -> (Causality, clock::VectorClocks) {
        let c = causal_order(t).unwrap();
        let stamps = clock::stamp(t, &c);
        (c, stamps.vector)
    }

    // a: local, send m1, local        b: recv m1, send m2        c: local, recv m2
    const THREE: &[(&str, &str, &str)] = &[
        ("a", "local", ""),
        ("a", "send", "m1"),
        ("a", "local", ""),
        ("b", "recv", "m1"),
        ("b", "send", "m2"),
        ("c", "local", ""),
        ("c", "recv", "m2"),
    ];

    #[test]
    fn the_graph_has_program_and_message_edges() {
        let t = trace(THREE);
        let (c, _) = setup(&t);
        let g = HbGraph::build(&t, &c);
        assert_eq!(g.len(), 7);
        let edges: usize = (0..7)
            .map(|i| g.neighbours(EventIdx(i), Direction::Outgoing).count())
            .sum();
        let back: usize = (0..7)
            .map(|i| g.neighbours(EventIdx(i), Direction::Incoming).count())
            .sum();
        assert_eq!((edges, back), (4 + 2, 4 + 2));
        let b1: Vec<_> = g.neighbours(EventIdx(3), Direction::Incoming).collect();
        assert_eq!(b1, [EventIdx(1)]);
        let a2: Vec<_> = g.neighbours(EventIdx(1), Direction::Outgoing).collect();
        assert_eq!(a2, [EventIdx(2), EventIdx(3)]);
        let msgs: Vec<_> = g.message_edges().collect();
        assert_eq!(
            msgs,
            vec![(EventIdx(1), EventIdx(3)), (EventIdx(4), EventIdx(6))]
        );
        assert_eq!(t.message_id(EventIdx(4), EventIdx(6)), "m2");
    }

    #[test]
    fn the_shortest_chain_follows_messages_across_nodes() {
        let t = trace(THREE);
        let (c, vc) = setup(&t);
        let g = HbGraph::build(&t, &c);
        let chain = g.shortest_chain(&t, &vc, EventIdx(0), EventIdx(6)).unwrap();
        assert_eq!(ids(&t, &chain), ["a#1", "a#2", "b#1", "b#2", "c#2"]);
        assert_eq!(g.shortest_chain(&t, &vc, EventIdx(6), EventIdx(0)), None);
        assert_eq!(g.shortest_chain(&t, &vc, EventIdx(2), EventIdx(6)), None);
        assert_eq!(
            g.shortest_chain(&t, &vc, EventIdx(2), EventIdx(2)),
            Some(vec![EventIdx(2)])
        );
    }

    #[test]
    fn a_neighbourhood_goes_both_ways_as_far_as_its_depth() {
        let t = trace(THREE);
        let (c, _) = setup(&t);
        let g = HbGraph::build(&t, &c);
        let near = g.neighbourhood(EventIdx(3), 1);
        let kept: Vec<EventIdx> = (0..7).map(EventIdx).filter(|e| near[e.index()]).collect();
        assert_eq!(ids(&t, &kept), ["a#2", "b#1", "b#2"]);
    }

    #[test]
    fn slicing_by_node_leaves_loose_ends_naming_the_hidden_side() {
        let t = trace(THREE);
        let (c, _) = setup(&t);
        let (g, order) = (HbGraph::build(&t, &c), c.order.clone());
        let options = SliceOptions {
            nodes: Some(vec![NodeId(2), NodeId(0)]),
            ..SliceOptions::default()
        };
        let view = View::build(&t, &g, &order, &options);
        assert_eq!(view.lanes, vec![NodeId(2), NodeId(0)]);
        assert_eq!(view.items.len(), 5);
        assert!(view
            .edges
            .iter()
            .all(|e| matches!(e.kind, ViewEdgeKind::Program { hidden: 0 })));
        let kinds: Vec<LooseKind> = view.loose.iter().map(|l| l.kind).collect();
        assert!(kinds.contains(&LooseKind::ToHidden(EventIdx(3))));
        assert!(kinds.contains(&LooseKind::FromHidden(EventIdx(4))));
    }

    #[test]
    fn folding_joins_runs_of_local_events_only() {
        let t = trace(&[
            ("a", "local", ""),
            ("a", "local", ""),
            ("a", "local", ""),
            ("a", "send", "m"),
            ("a", "local", ""),
            ("b", "recv", "m"),
        ]);
        let (c, _) = setup(&t);
        let (g, order) = (HbGraph::build(&t, &c), c.order.clone());
        let options = SliceOptions {
            collapse_local: true,
            ..SliceOptions::default()
        };
        let view = View::build(&t, &g, &order, &options);
        assert_eq!(
            view.items[0],
            Item::Folded {
                first: EventIdx(0),
                last: EventIdx(2),
                count: 3
            }
        );
        assert_eq!(view.items.len(), 4);
        assert_eq!(view.item_of(EventIdx(1)), Some(0));
        assert!(view.items.contains(&Item::Event(EventIdx(4))));
    }

    #[test]
    fn unmatched_messages_are_loose_ends() {
        let t = trace(&[("a", "send", "lost"), ("b", "recv", "ghost")]);
        let (c, _) = setup(&t);
        let (g, order) = (HbGraph::build(&t, &c), c.order.clone());
        let view = View::build(&t, &g, &order, &SliceOptions::default());
        let kinds: Vec<(&str, LooseKind)> = view.loose.iter().map(|l| (l.msg, l.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                ("lost", LooseKind::NeverReceived),
                ("ghost", LooseKind::NeverSent)
            ]
        );
    }

    #[test]
    fn a_slice_around_an_event_counts_what_it_skips() {
        let t = trace(&[
            ("a", "send", "m1"),
            ("a", "local", ""),
            ("a", "local", ""),
            ("a", "local", ""),
            ("a", "recv", "m2"),
            ("b", "recv", "m1"),
            ("b", "send", "m2"),
        ]);
        let (c, _) = setup(&t);
        let (g, order) = (HbGraph::build(&t, &c), c.order.clone());
        let options = SliceOptions {
            around: Some((EventIdx(5), 2)),
            ..SliceOptions::default()
        };
        let view = View::build(&t, &g, &order, &options);
        assert_eq!(view.focus, Some(EventIdx(5)));
        let shown: Vec<EventIdx> = view.items.iter().map(|i| i.first()).collect();
        // Back one step to the send a#1; forward through b#2 to the receive a#5.
        assert_eq!(ids(&t, &shown), ["a#1", "b#1", "b#2", "a#5"]);
        let skip = view
            .edges
            .iter()
            .find(|e| e.kind == ViewEdgeKind::Program { hidden: 3 })
            .expect("a program edge over the three hidden events");
        assert_eq!(view.items[skip.to], Item::Event(EventIdx(4)));
    }

    #[test]
    fn an_empty_trace_makes_an_empty_view() {
        let t = Trace::default();
        let (c, _) = setup(&t);
        let (g, order) = (HbGraph::build(&t, &c), c.order.clone());
        let view = View::build(&t, &g, &order, &SliceOptions::default());
        assert!(view.items.is_empty() && view.lanes.is_empty() && view.edges.is_empty());
    }
}
