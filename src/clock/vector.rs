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

/// Computes flat vector clocks in one causal pass.
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
