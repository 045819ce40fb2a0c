//! Vector clocks, stored flat: one dense row of `nodes` counters per event.
//!
//! The row of an event on node `n` at position `N` has `row[n] == N`; a receive first takes
//! the component-wise maximum with its send's row. Memory is events x nodes x 4 bytes, right
//! for traces up to millions of cells; compact engines answer the same questions.

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
    /// Event `e`'s clock, indexed by node. Panics when `e`'s clock is not held.
    fn row(&self, e: EventIdx) -> &[u32];

    /// Component `n` of event `e`'s clock.
    fn get(&self, e: EventIdx, n: NodeId) -> u32 {
        self.row(e)[n.index()]
    }
}

impl Clocks for VectorClocks {
    fn row(&self, e: EventIdx) -> &[u32] {
        VectorClocks::row(self, e)
    }
}

/// The clocks of chosen events only (witnesses of a report), kept by [`super::Replay::select`].
#[derive(Clone, Debug, Default)]
pub struct SelectedClocks {
    pub(super) rows: std::collections::HashMap<EventIdx, Box<[u32]>>,
}

impl Clocks for SelectedClocks {
    fn row(&self, e: EventIdx) -> &[u32] {
        &self.rows[&e]
    }
}

/// Vector clocks handed out event by event, in a causal order: from stored clocks, or
/// computed on the fly by a [`super::ReplayWalk`].
pub trait ClockWalk {
    /// The clock of `e`, the next event of the walk (every event of the order, in turn).
    fn visit(&mut self, e: EventIdx) -> &[u32];
}

impl ClockWalk for &VectorClocks {
    fn visit(&mut self, e: EventIdx) -> &[u32] {
        self.row(e)
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
/// Memory is nodes x nodes plus the messages in flight, not events x nodes: `stamp` writes
/// each event's clock as it goes instead of storing all of them.
#[derive(Debug, Default)]
pub struct VectorReplay {
    pub(super) width: usize,
    pub(super) current: Vec<Vec<u32>>,
    /// Receives each send still awaits.
    pub(super) awaited: Vec<u32>,
    pub(super) in_flight: std::collections::HashMap<EventIdx, Vec<u32>>,
}

impl VectorReplay {
    /// A replay of `trace`, whose messages `causality` matched.
    pub fn new(trace: &Trace, causality: &crate::order::Causality) -> Self {
        let width = trace.nodes.len();
        let mut awaited = vec![0u32; trace.len()];
        for (send, _) in causality.message_edges() {
            awaited[send.index()] += 1;
        }
        VectorReplay {
            width,
            current: vec![vec![0; width]; width],
            awaited,
            in_flight: std::collections::HashMap::new(),
        }
    }

    /// Advances to event `e`, whose causal predecessors must all have been advanced to
    /// already, and returns its vector clock (indexed by node).
    pub fn advance(
        &mut self,
        trace: &Trace,
        causality: &crate::order::Causality,
        e: EventIdx,
    ) -> &[u32] {
        let ev = trace.event(e);
        let node = ev.node.index();
        for s in causality.sends(e) {
            let left = &mut self.awaited[s.index()];
            *left -= 1;
            let sent = if *left == 0 {
                self.in_flight.remove(&s)
            } else {
                None
            };
            let clock = &mut self.current[node];
            match &sent {
                Some(v) => join(clock, v),
                None => join(clock, &self.in_flight[&s]),
            }
        }
        self.current[node][node] = ev.seq;
        if self.awaited[e.index()] > 0 {
            self.in_flight.insert(e, self.current[node].clone());
        }
        debug_assert_eq!(self.current[node].len(), self.width);
        &self.current[node]
    }
}

fn join(into: &mut [u32], from: &[u32]) {
    for (a, &b) in into.iter_mut().zip(from) {
        *a = (*a).max(b);
    }
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
        for &e in &causality.order {
            assert_eq!(replay.advance(&trace, &causality, e), stored.row(e));
        }
        assert!(replay.in_flight.is_empty(), "every message was received");
    }
}
