//! One clock-offset estimate per node, for drawing and timing with corrected clocks.
//!
//! The skew bounds of [`super::skew`] say only what interval each node's offset lies in; the
//! view's shifted wall-time layout (and later `stats --skew-corrected` and `critical-path`)
//! need one number per node. The estimate: take a reference node, the one that takes part in
//! most messages (ties: the first by name); for every other node, the interval that must hold
//! `offset(node) - offset(reference)`; where both ends are finite, its midpoint; else no
//! estimate, and the node's times stay as they are. The reference itself gets 0. Nodes whose
//! messages contradict each other (a skew contradiction) get no bounds and so no estimate.
//! This layer computes data only; it formats and prints nothing.

use super::skew::{analyze_skew, SkewPairs, SkewReport};
use crate::model::{NodeId, Trace};
use crate::order::Causality;

/// The estimated offset of each node's clock from the reference node's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClockOffsets {
    /// The node the offsets are measured against; `None` when no node takes part in a message.
    pub reference: Option<NodeId>,
    /// Per node (indexed by [`NodeId`]): the interval `[lo, hi]` in nanoseconds that must hold
    /// `offset(node) - offset(reference)`, each end `None` where no chain of messages bounds it.
    pub bounds: Vec<(Option<i128>, Option<i128>)>,
    /// Per node: the estimate in nanoseconds, the midpoint of `bounds` (rounded towards minus
    /// infinity) when both ends are finite; `Some(0)` for the reference; else `None`.
    pub offsets: Vec<Option<i128>>,
}

impl ClockOffsets {
    /// The estimate for node `n`, if there is one.
    pub fn offset(&self, n: NodeId) -> Option<i128> {
        self.offsets.get(n.index()).copied().flatten()
    }

    /// A time of node `n`'s clock (ns since the epoch) moved onto the reference node's clock:
    /// `t - offset(n)`, or `t` unchanged when `n` has no estimate.
    pub fn corrected(&self, n: NodeId, t: i64) -> i64 {
        match self.offset(n) {
            Some(off) => {
                (i128::from(t) - off).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
            }
            None => t,
        }
    }
}

/// The node that takes part in most matched messages, as sender or receiver (a message a node
/// sends to itself counts once); ties go to the first by name. `None` without messages.
pub fn reference_node(trace: &Trace, causality: &Causality) -> Option<NodeId> {
    let mut count = vec![0u64; trace.nodes.len()];
    for (send, recv) in causality.message_edges() {
        let (from, to) = (trace.event(send).node, trace.event(recv).node);
        count[from.index()] += 1;
        if to != from {
            count[to.index()] += 1;
        }
    }
    // The first maximum: NodeIds are in name order.
    let (best, &most) = count.iter().enumerate().rev().max_by_key(|&(_, c)| c)?;
    (most > 0).then_some(NodeId(best as u32))
}

/// Estimates every node's offset against [`reference_node`], from the skew bounds.
pub fn estimate_offsets(trace: &Trace, causality: &Causality) -> ClockOffsets {
    let Some(reference) = reference_node(trace, causality) else {
        return offsets_from_bounds(trace, None, &SkewReport::default());
    };
    let skew = analyze_skew(trace, causality, SkewPairs::Against(reference));
    offsets_from_bounds(trace, Some(reference), &skew)
}

/// The estimates from a skew report computed with `SkewPairs::Against(reference)` (or with
/// `SkewPairs::All`: pairs not involving the reference are ignored), for callers that run the
/// skew analysis anyway.
pub fn offsets_from_bounds(
    trace: &Trace,
    reference: Option<NodeId>,
    skew: &SkewReport,
) -> ClockOffsets {
    let n = trace.nodes.len();
    let mut bounds = vec![(None, None); n];
    let mut offsets = vec![None; n];
    let Some(reference) = reference else {
        return ClockOffsets {
            reference,
            bounds,
            offsets,
        };
    };
    if !skew.contradicted_nodes.contains(&reference) {
        bounds[reference.index()] = (Some(0), Some(0));
        offsets[reference.index()] = Some(0);
    }
    for b in &skew.bounds {
        // A bound of (a, b) bounds offset(b) - offset(a); the other way round it is negated.
        let (other, lo, hi) = if b.a == reference {
            (b.b, b.lo, b.hi)
        } else if b.b == reference {
            (b.a, b.hi.map(|h| -h), b.lo.map(|l| -l))
        } else {
            continue;
        };
        bounds[other.index()] = (lo, hi);
        if let (Some(lo), Some(hi)) = (lo, hi) {
            offsets[other.index()] = Some((lo + hi).div_euclid(2));
        }
    }
    ClockOffsets {
        reference: Some(reference),
        bounds,
        offsets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_message_trace as trace;
    use crate::order::causal_order;

    const MS: i128 = 1_000_000;

    fn estimate(t: &Trace) -> ClockOffsets {
        estimate_offsets(t, &causal_order(t).unwrap())
    }

    #[test]
    fn the_node_in_most_messages_is_the_reference_and_ties_go_to_the_first_name() {
        // a takes part in one message, b in three, c in two.
        let t = trace(&[("a", "b", 0, 1), ("c", "b", 0, 1), ("b", "c", 2, 3)], &[]);
        assert_eq!(estimate(&t).reference, t.node_by_name("b"));
        let tie = trace(&[("b", "a", 0, 1)], &[]);
        assert_eq!(estimate(&tie).reference, tie.node_by_name("a"));
        let none = trace(&[], &["a", "b"]);
        let offsets = estimate(&none);
        assert_eq!(offsets.reference, None);
        assert_eq!(offsets.offsets, vec![None, None]);
    }

    #[test]
    fn a_node_bounded_on_both_sides_gets_the_midpoint() {
        // ref = b (two messages with a, one with c). a -> b: 10 ms apparent delay bounds
        // offset(b) - offset(a) <= 10; b -> a: -4 bounds offset(a) - offset(b) <= -4. So
        // offset(a) - offset(b) is in [-10, -4]: estimate -7 ms. c only sends to b: its
        // interval is open below, so it keeps its times.
        let t = trace(
            &[("a", "b", 0, 10), ("b", "a", 20, 16), ("c", "b", 0, 5)],
            &["d"],
        );
        let o = estimate(&t);
        let (a, b, c, d) = (NodeId(0), NodeId(1), NodeId(2), NodeId(3));
        assert_eq!(o.reference, Some(b));
        assert_eq!(o.bounds[a.index()], (Some(-10 * MS), Some(-4 * MS)));
        assert_eq!(o.offset(a), Some(-7 * MS));
        assert_eq!(o.offset(b), Some(0));
        assert_eq!(o.bounds[c.index()], (Some(-5 * MS), None));
        assert_eq!(o.offset(c), None);
        assert_eq!(o.offset(d), None);
        // a's clock reads 7 ms behind b's: its times move 7 ms later.
        assert_eq!(o.corrected(a, 1_000), 1_000 + 7_000_000);
        assert_eq!(o.corrected(c, 1_000), 1_000);
    }

    #[test]
    fn an_odd_interval_rounds_its_midpoint_down() {
        // a -> b: 6 ms, b -> a: -3 ms, so offset(b) - offset(a) is in [3, 6] ms.
        let t = trace(
            &[("a", "b", 0, 6), ("b", "a", 10, 7), ("a", "b", 20, 26)],
            &[],
        );
        let o = estimate(&t);
        assert_eq!(o.reference, Some(NodeId(0)));
        assert_eq!(o.bounds[1], (Some(3 * MS), Some(6 * MS)));
        assert_eq!(o.offset(NodeId(1)), Some(4_500_000));
        let odd = offsets_from_bounds(
            &t,
            Some(NodeId(0)),
            &SkewReport {
                bounds: vec![crate::analysis::skew::SkewBound {
                    a: NodeId(0),
                    b: NodeId(1),
                    lo: Some(-3),
                    hi: Some(0),
                    lo_messages: Vec::new(),
                    hi_messages: Vec::new(),
                }],
                ..SkewReport::default()
            },
        );
        assert_eq!(odd.offset(NodeId(1)), Some(-2));
    }

    #[test]
    fn bounds_listed_the_other_way_round_are_turned_around() {
        // All-pairs bounds list (a, b) with a < b by name; the reference may be b.
        let t = trace(
            &[("a", "b", 0, 10), ("b", "a", 20, 16), ("b", "c", 0, 1)],
            &[],
        );
        let causality = causal_order(&t).unwrap();
        let all = analyze_skew(&t, &causality, SkewPairs::All);
        let o = offsets_from_bounds(&t, Some(NodeId(1)), &all);
        assert_eq!(o.bounds[0], (Some(-10 * MS), Some(-4 * MS)));
        assert_eq!(o, estimate(&t));
    }

    #[test]
    fn contradicted_nodes_get_no_estimate() {
        // a -> b says b - a <= -5, b -> a says a - b <= 2: a contradiction.
        let t = trace(
            &[("a", "b", 10, 5), ("b", "a", 20, 22), ("a", "b", 30, 40)],
            &[],
        );
        let o = estimate(&t);
        assert_eq!(o.reference, Some(NodeId(0)));
        assert_eq!(o.offsets, vec![None, None]);
    }
}
