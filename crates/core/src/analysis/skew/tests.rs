//! Unit tests of the clock-skew analysis, against bounds worked out by hand; test code only,
//! never part of the library.

use super::*;
use crate::model::test_message_trace;
use crate::order::causal_order;

/// Messages (from, to, send time, recv time) in ms, each on its own line pair.
fn trace(messages: &[(&str, &str, i64, i64)]) -> Trace {
    test_message_trace(messages, &[])
}

fn analyze(t: &Trace, pairs: SkewPairs) -> SkewReport {
    analyze_skew(t, &causal_order(t).unwrap(), pairs)
}

const MS: i128 = 1_000_000;

#[test]
fn messages_both_ways_bound_the_offset_on_both_sides() {
    // a -> b: 10 ms apparent delay; b -> a: -4 ms. So offset(b) - offset(a) in [4, 10] ms.
    let t = trace(&[("a", "b", 0, 10), ("b", "a", 20, 16)]);
    let r = analyze(&t, SkewPairs::All);
    assert!(r.contradictions.is_empty());
    assert_eq!(r.bounds.len(), 1);
    assert_eq!(
        (r.bounds[0].lo, r.bounds[0].hi),
        (Some(4 * MS), Some(10 * MS))
    );
    assert_eq!(r.bounds[0].hi_messages.len(), 1);
}

#[test]
fn bounds_go_through_intermediate_nodes() {
    // a -> b <= 3, b -> c <= 5: c - a <= 8, with no message between a and c.
    let t = trace(&[("a", "b", 0, 3), ("b", "c", 10, 15)]);
    let r = analyze(&t, SkewPairs::All);
    let ac = r
        .bounds
        .iter()
        .find(|b| b.a == NodeId(0) && b.b == NodeId(2))
        .unwrap();
    assert_eq!((ac.lo, ac.hi), (None, Some(8 * MS)));
    assert_eq!(ac.hi_messages.len(), 2);
    let against = analyze(&t, SkewPairs::Against(NodeId(2)));
    assert_eq!(against.bounds.len(), 2);
    let ca = against.bounds.iter().find(|b| b.b == NodeId(0)).unwrap();
    assert_eq!((ca.lo, ca.hi), (Some(-8 * MS), None));
    assert_eq!(ca.lo_messages.len(), 2);
}

#[test]
fn a_negative_cycle_is_a_contradiction_and_its_nodes_get_no_bounds() {
    // a -> b says b - a <= -5, b -> a says a - b <= 2: -5 + 2 < 0.
    let t = trace(&[("a", "b", 10, 5), ("b", "a", 20, 22), ("c", "d", 0, 1)]);
    let r = analyze(&t, SkewPairs::All);
    assert_eq!(r.contradictions.len(), 1);
    assert_eq!(r.contradictions[0].total, -3 * MS);
    assert_eq!(r.contradictions[0].messages.len(), 2);
    assert_eq!(r.contradicted_nodes, vec![NodeId(0), NodeId(1)]);
    assert_eq!(r.bounds.len(), 1);
    assert_eq!(r.bounds[0].a, NodeId(2));
}

#[test]
fn pair_bounds_agree_with_the_full_report_either_way_round() {
    let t = trace(&[("a", "b", 0, 10), ("b", "a", 20, 16), ("b", "c", 30, 33)]);
    let c = causal_order(&t).unwrap();
    let full = analyze_skew(&t, &c, SkewPairs::All);
    let (a, b, cc) = (NodeId(0), NodeId(1), NodeId(2));
    let pairs = [(a, b), (b, a), (a, cc), (cc, cc), (b, cc)];
    let got = pair_bounds(&t, &c, &pairs);
    let ab = &full.bounds[0];
    assert_eq!(got[0], (ab.lo, ab.hi));
    assert_eq!(got[1], (ab.hi.map(|h| -h), ab.lo.map(|l| -l)));
    let ac = full.bounds.iter().find(|x| x.a == a && x.b == cc).unwrap();
    assert_eq!(got[2], (ac.lo, ac.hi));
    assert_eq!(got[3], (Some(0), Some(0)));
    assert_eq!(got[4], (None, Some(3 * MS)));
}

#[test]
fn only_the_tightest_message_per_pair_counts() {
    let t = trace(&[("a", "b", 0, 10), ("a", "b", 0, 7), ("a", "b", 0, 9)]);
    let r = analyze(&t, SkewPairs::All);
    assert_eq!(r.bounds[0].hi, Some(7 * MS));
    assert_eq!(r.bounds[0].hi_messages[0].send, EventIdx(2));
}
