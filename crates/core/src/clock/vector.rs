//! Vector clocks by flat rows: stored for every event ([`FlatVectorEngine`]), or computed on
//! the fly ([`VectorReplay`]).
//!
//! The row of an event on node `n` at position `N` has `row[n] == N`; a receive first takes
//! the component-wise maximum with its send's row. Stored, memory is events x nodes x 4 bytes:
//! the simple reference that tests check the other engines against, and no command uses. The
//! replay holds only the current clocks, each sparse or dense (see [`super::row`]).

use super::row::{ClockRef, Entry, Row, RowPolicy};
use super::ClockEngine;
use crate::model::{EventIdx, NodeId, Trace};

/// The vector clock of every event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VectorClocks {
    width: usize,
    cells: Vec<u32>,
}

impl VectorClocks {
    /// The number of components (nodes).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Component `n` of event `e`'s clock: how many of node `n`'s events `e` has seen.
    pub fn get(&self, e: EventIdx, n: NodeId) -> u32 {
        self.cells[e.index() * self.width + n.index()]
    }

    /// Event `e`'s whole clock, indexed by node.
    pub fn row(&self, e: EventIdx) -> &[u32] {
        let start = e.index() * self.width;
        &self.cells[start..start + self.width]
    }
}

/// Read access to the vector clocks of some events.
pub trait Clocks {
    /// Event `e`'s clock. Panics when `e`'s clock is not held.
    fn clock(&self, e: EventIdx) -> ClockRef<'_>;

    /// Component `n` of event `e`'s clock.
    fn get(&self, e: EventIdx, n: NodeId) -> u32 {
        self.clock(e).get(n.index())
    }
}

impl Clocks for VectorClocks {
    fn clock(&self, e: EventIdx) -> ClockRef<'_> {
        ClockRef::Dense(self.row(e))
    }
}

/// Vector clocks handed out event by event, in a causal order: from stored clocks, or
/// computed on the fly by a [`super::ReplayWalk`].
pub trait ClockWalk {
    /// The clock of `e`, the next event of the walk (every event of the order, in turn).
    fn visit(&mut self, e: EventIdx) -> ClockRef<'_>;
}

impl ClockWalk for &VectorClocks {
    fn visit(&mut self, e: EventIdx) -> ClockRef<'_> {
        ClockRef::Dense(self.row(e))
    }
}

/// Computes flat vector clocks in one causal pass (or, on stamped input, stores the given ones).
#[derive(Debug)]
pub struct FlatVectorEngine {
    clocks: VectorClocks,
}

impl FlatVectorEngine {
    /// An engine for `trace`.
    pub fn new(trace: &Trace) -> Self {
        let width = trace.nodes.len();
        FlatVectorEngine {
            clocks: VectorClocks {
                width,
                cells: vec![0; width * trace.len()],
            },
        }
    }
}

impl ClockEngine for FlatVectorEngine {
    type Output = VectorClocks;

    fn visit(&mut self, trace: &Trace, e: EventIdx, sends: &[EventIdx]) {
        let ev = trace.event(e);
        let w = self.clocks.width;
        let cells = &mut self.clocks.cells;
        let here = e.index() * w;
        if let Some(given) = &trace.given {
            for &(n, count) in given.vc(e) {
                cells[here + n.index()] = count;
            }
            return;
        }
        if ev.seq > 1 {
            let prev = trace.by_node[ev.node.index()][ev.seq as usize - 2];
            cells.copy_within(prev.index() * w..prev.index() * w + w, here);
        }
        for s in sends {
            let there = s.index() * w;
            for k in 0..w {
                cells[here + k] = cells[here + k].max(cells[there + k]);
            }
        }
        cells[here + ev.node.index()] = ev.seq;
    }

    fn finish(self) -> VectorClocks {
        self.clocks
    }
}

/// Vector clocks computed on the fly, event by event in any causal order, keeping only each
/// node's current clock and the clocks of messages that some receiver has yet to receive.
///
/// Memory is the nodes' current clocks plus the messages in flight, not events x nodes:
/// `stamp` writes each event's clock as it goes instead of storing all of them. Each clock is
/// a [`Row`], sparse while it has seen few nodes (so 20,000 nodes that each hear of a few
/// others take memory for those few, not 20,000 x 20,000 counters), dense once it fills.
#[derive(Debug, Default)]
pub struct VectorReplay {
    pub(super) width: usize,
    pub(super) policy: RowPolicy,
    pub(super) current: Vec<Row>,
    /// Receives each send still awaits.
    pub(super) awaited: Vec<u32>,
    /// Clocks of sends still awaited (foldhash: one insert and one removal per message).
    pub(super) in_flight: foldhash::HashMap<EventIdx, Row>,
    pub(super) scratch: Vec<Entry>,
}

impl VectorReplay {
    /// A replay of `trace`, whose messages `causality` matched.
    pub fn new(trace: &Trace, causality: &crate::order::Causality) -> Self {
        VectorReplay::with_policy(trace, causality, RowPolicy::default())
    }

    /// A replay whose rows turn dense as `policy` says (the clocks are the same).
    pub fn with_policy(
        trace: &Trace,
        causality: &crate::order::Causality,
        policy: RowPolicy,
    ) -> Self {
        let width = trace.nodes.len();
        VectorReplay {
            width,
            policy,
            current: (0..width).map(|_| policy.new_row(width)).collect(),
            awaited: awaited_receives(trace, causality),
            in_flight: foldhash::HashMap::default(),
            scratch: Vec::new(),
        }
    }

    /// Advances to event `e`, whose causal predecessors must all have been advanced to
    /// already, and returns its vector clock.
    pub fn advance(
        &mut self,
        trace: &Trace,
        causality: &crate::order::Causality,
        e: EventIdx,
    ) -> ClockRef<'_> {
        let ev = trace.event(e);
        let node = ev.node.index();
        let (width, policy) = (self.width, &self.policy);
        for s in causality.sends(e) {
            let left = &mut self.awaited[s.index()];
            *left -= 1;
            let clock = &mut self.current[node];
            if *left == 0 {
                let sent = self
                    .in_flight
                    .remove(&s)
                    .expect("a send awaited by a receive is in flight");
                clock.join(sent.as_clock(), width, policy, &mut self.scratch);
            } else {
                clock.join(
                    self.in_flight[&s].as_clock(),
                    width,
                    policy,
                    &mut self.scratch,
                );
            }
        }
        self.current[node].set(node, ev.seq, width, policy);
        if self.awaited[e.index()] > 0 {
            self.in_flight.insert(e, self.current[node].clone());
        }
        self.current[node].as_clock()
    }
}

/// How many receives each event's sends have: a send's clock is kept until all have come.
pub(super) fn awaited_receives(trace: &Trace, causality: &crate::order::Causality) -> Vec<u32> {
    let mut awaited = vec![0u32; trace.len()];
    for (send, _) in causality.message_edges() {
        // At most one receive per event and role: fewer than u32::MAX events.
        awaited[send.index()] += 1;
    }
    awaited
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{run, FlatVectorEngine};
    use crate::model::{EventKind, RawEvent, TraceBuilder};
    use crate::order::causal_order;

    #[test]
    fn replay_in_any_causal_order_gives_the_stored_clocks() {
        let mut b = TraceBuilder::new();
        let f = b.add_file("t");
        let ev = |node: &str, kind, msg: Option<&str>| RawEvent {
            node: node.into(),
            kind: Some(kind),
            msg: msg.map(str::to_string),
            ..RawEvent::default()
        };
        b.push(f, ev("a", EventKind::Send, Some("m")));
        b.push(f, ev("b", EventKind::Recv, Some("m")));
        b.push(f, ev("c", EventKind::Recv, Some("m")));
        b.push(f, ev("c", EventKind::Send, Some("n")));
        b.push(f, ev("a", EventKind::Recv, Some("n")));
        let trace = b.finish();
        let causality = causal_order(&trace).unwrap();
        let stored = run(&trace, &causality, FlatVectorEngine::new(&trace));
        let mut replay = VectorReplay::new(&trace, &causality);
        let mut sparse = VectorReplay::with_policy(&trace, &causality, RowPolicy::sparse_until(0));
        for &e in &causality.order {
            assert_eq!(replay.advance(&trace, &causality, e), stored.row(e));
            assert_eq!(sparse.advance(&trace, &causality, e), stored.row(e));
        }
        assert!(sparse.current.iter().all(|r| !r.is_dense()));
        assert!(replay.in_flight.is_empty(), "every message was received");
    }
}
