//! Lamport clocks: one counter per event, consistent with happens-before.

use super::ClockEngine;
use crate::model::{EventIdx, Trace};

/// The Lamport clock of every event, indexed by event.
pub type LamportClocks = Vec<u64>;

/// Computes Lamport clocks (or, on stamped input, takes the given ones).
///
/// An event gets one more than the larger of its node's previous event and, for a receive,
/// its send; a node's first event gets 1 (or its send's clock + 1 for a first receive).
#[derive(Debug)]
pub struct LamportEngine {
    last: Vec<u64>,
    clocks: LamportClocks,
}

impl LamportEngine {
    /// An engine for `trace`.
    pub fn new(trace: &Trace) -> Self {
        LamportEngine {
            last: vec![0; trace.nodes.len()],
            clocks: vec![0; trace.len()],
        }
    }
}

impl ClockEngine for LamportEngine {
    type Output = LamportClocks;

    fn visit(&mut self, trace: &Trace, e: EventIdx, sends: &[EventIdx]) {
        if let Some(given) = &trace.given {
            self.clocks[e.index()] = given.lamport[e.index()];
            return;
        }
        let node = trace.event(e).node.index();
        let seen = sends
            .iter()
            .map(|s| self.clocks[s.index()])
            .max()
            .unwrap_or(0);
        let clock = self.last[node].max(seen) + 1;
        self.last[node] = clock;
        self.clocks[e.index()] = clock;
    }

    fn finish(self) -> LamportClocks {
        self.clocks
    }
}
