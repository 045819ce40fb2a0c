//! Clocks the input gave (stamped input), handed out like computed ones.
//!
//! Stamped input's Lamport and vector clocks are authoritative ([`crate::model::GivenClocks`]):
//! a slice of an execution keeps the clocks of the whole, which its own events could not
//! recompute. This engine computes nothing; it hands each event's given members out as a
//! sparse clock, as the other engines hand theirs out.

use super::row::{ClockRef, Entry};
use crate::model::{EventIdx, GivenClocks, Trace};

/// Given vector clocks, one event at a time, as sparse entries in a buffer reused between
/// events: a given clock is its members, so nothing here grows with the nodes.
#[derive(Debug, Default)]
pub struct GivenReplay {
    entries: Vec<Entry>,
}

impl GivenReplay {
    /// A replay of `trace`'s given clocks.
    pub fn new(_trace: &Trace) -> Self {
        GivenReplay::default()
    }

    /// Event `e`'s given vector clock.
    pub fn advance(&mut self, given: &GivenClocks, e: EventIdx) -> ClockRef<'_> {
        self.entries.clear();
        // Members are nonzero and in node order, as sparse entries must be.
        self.entries.extend(
            given
                .vc(e)
                .iter()
                .map(|&(n, count)| Entry { node: n.0, count }),
        );
        ClockRef::Sparse(&self.entries)
    }
}
