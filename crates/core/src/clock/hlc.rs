//! Hybrid logical clocks (Kulkarni, Demirbas et al., "Logical Physical Clocks", OPODIS 2014).
//!
//! An HLC is a pair `(l, c)`: `l` is the largest wall-clock time the event knows of (its own
//! `time` or any time in its causal past), `c` counts events since `l` last grew. It orders
//! events like a Lamport clock (`e` happened before `f` implies `(l, c)(e) < (l, c)(f)`
//! lexicographically) while `l` stays within the clock skew of real time.
//!
//! Rules, for event `e` on node `n` with own time `pt` (if any), `n`'s previous HLC `p` (if any)
//! and, for a receive, the send's HLC `m` (if any; an event that receives several messages
//! takes them all alike): `l` is the largest of `p.l`, `m.l` and `pt`; `c` is one more than the
//! largest counter among `p` and `m` whose `l` equals the new `l`, or 0 when only `pt` reaches
//! it. An event without `time` thus inherits `l` from its
//! predecessor or its message with the counter bumped: the paper's rules with `pt` taken as
//! minus infinity. An event with no time anywhere in its causal past has no HLC (`None`).

use super::ClockEngine;
use crate::model::{EventIdx, Timestamp, Trace};

/// A hybrid logical clock value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc {
    /// The largest wall-clock time in the event's causal past, itself included.
    pub l: Timestamp,
    /// Events since `l` last grew, along the longest causal chain.
    pub c: u32,
}

/// The HLC of every event, indexed by event; `None` where no time is known yet.
pub type HlcClocks = Vec<Option<Hlc>>;

/// Computes hybrid logical clocks.
#[derive(Debug)]
pub struct HlcEngine {
    last: Vec<Option<Hlc>>,
    clocks: HlcClocks,
}

impl HlcEngine {
    /// An engine for `trace`.
    pub fn new(trace: &Trace) -> Self {
        HlcEngine {
            last: vec![None; trace.nodes.len()],
            clocks: vec![None; trace.len()],
        }
    }
}

/// The HLC of an event from its own time `pt` and the HLCs it knows directly: its node's
/// previous event's and those of the messages it receives.
pub fn next_hlc<I>(pt: Option<Timestamp>, known: I) -> Option<Hlc>
where
    I: Iterator<Item = Hlc> + Clone,
{
    let l = known.clone().map(|h| h.l).chain(pt).max()?;
    let c = known
        .filter(|h| h.l == l)
        .map(|h| h.c.saturating_add(1))
        .max()
        .unwrap_or(0);
    Some(Hlc { l, c })
}

impl ClockEngine for HlcEngine {
    type Output = HlcClocks;

    fn visit(&mut self, trace: &Trace, e: EventIdx, sends: &[EventIdx]) {
        let ev = trace.event(e);
        let node = ev.node.index();
        let clocks = &self.clocks;
        let known = self.last[node]
            .into_iter()
            .chain(sends.iter().filter_map(|s| clocks[s.index()]));
        let hlc = next_hlc(ev.time(), known);
        self.last[node] = hlc;
        self.clocks[e.index()] = hlc;
    }

    fn finish(self) -> HlcClocks {
        self.clocks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(l: i64, c: u32) -> Option<Hlc> {
        Some(Hlc { l: Timestamp(l), c })
    }

    fn next(pt: Option<Timestamp>, prev: Option<Hlc>, msg: Option<Hlc>) -> Option<Hlc> {
        next_hlc(pt, prev.into_iter().chain(msg))
    }

    #[test]
    fn the_papers_rules_hold() {
        // Local or send: the own time moves l forward and resets c.
        assert_eq!(next(Some(Timestamp(10)), h(5, 3), None), h(10, 0));
        // Own time behind l: keep l, bump c.
        assert_eq!(next(Some(Timestamp(4)), h(5, 3), None), h(5, 4));
        // Receive from the future: take the message's l and its c + 1.
        assert_eq!(next(Some(Timestamp(4)), h(5, 3), h(9, 7)), h(9, 8));
        // All equal: the larger counter + 1.
        assert_eq!(next(Some(Timestamp(9)), h(9, 2), h(9, 7)), h(9, 8));
    }

    #[test]
    fn events_without_time_inherit_or_have_none() {
        assert_eq!(next(None, None, None), None);
        assert_eq!(next(None, h(5, 0), None), h(5, 1));
        assert_eq!(next(None, None, h(7, 2)), h(7, 3));
    }
}
