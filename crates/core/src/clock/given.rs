//! Clocks the input gave (stamped input), handed out like computed ones.
//!
//! Stamped input's Lamport and vector clocks are authoritative ([`crate::model::GivenClocks`]):
//! a slice of an execution keeps the clocks of the whole, which its own events could not
//! recompute. This engine computes nothing; it only spreads each event's given members into a
//! row indexed by node, as the other engines hand rows out.

use crate::model::{EventIdx, GivenClocks, Trace};

/// Rows of given vector clocks, one event at a time, in a buffer reused between events.
#[derive(Debug, Default)]
pub struct GivenReplay {
    row: Vec<u32>,
    /// The members set in `row` by the previous event, to clear them without a full pass.
    set: Vec<usize>,
}

impl GivenReplay {
    /// A replay of `trace`'s given clocks.
    pub fn new(trace: &Trace) -> Self {
        GivenReplay {
            row: vec![0; trace.nodes.len()],
            set: Vec::new(),
        }
    }

    /// Event `e`'s given vector clock, indexed by node.
    pub fn advance(&mut self, given: &GivenClocks, e: EventIdx) -> &[u32] {
        for &n in &self.set {
            self.row[n] = 0;
        }
        self.set.clear();
        for &(n, count) in given.vc(e) {
            self.row[n.index()] = count;
            self.set.push(n.index());
        }
        &self.row
    }
}
