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

#[test]
fn a_summary_is_every_nodes_bound_against_the_reference_tightest_first() {
    // a-b: width 4 ms; a-c: width 1 ms; a-d: upper bound only (a -> d); e: no timed message.
    let t = test_message_trace(
        &[
            ("a", "b", 0, 10),
            ("b", "a", 20, 26),
            ("a", "c", 0, 5),
            ("c", "a", 10, 6),
            ("a", "d", 0, 3),
        ],
        &["e"],
    );
    let c = causal_order(&t).unwrap();
    let (a, b, cc, d, e) = (NodeId(0), NodeId(1), NodeId(2), NodeId(3), NodeId(4));
    let r = analyze_skew(
        &t,
        &c,
        SkewPairs::Summary {
            reference: Some(a),
            up_to: 0,
        },
    );
    let order: Vec<_> = r.bounds.iter().map(|x| (x.a, x.b, x.lo, x.hi)).collect();
    assert_eq!(
        order,
        [
            (a, cc, Some(4 * MS), Some(5 * MS)),
            (a, b, Some(-6 * MS), Some(10 * MS)),
            (a, d, None, Some(3 * MS)),
        ]
    );
    assert_eq!(
        r.summary,
        Some(SkewSummary {
            reference: Some(a),
            timed_nodes: 4,
            two_sided: 2,
            unbounded: vec![e],
        })
    );
    // At or under `up_to` nodes with timed messages: every pair, no summary.
    let all = analyze_skew(
        &t,
        &c,
        SkewPairs::Summary {
            reference: Some(a),
            up_to: 4,
        },
    );
    assert_eq!(all, analyze_skew(&t, &c, SkewPairs::All));
}

proptest::proptest! {
    /// The summary's bounds are exactly the all-pairs bounds that involve the reference,
    /// turned to measure from it, on random timed messages between up to six nodes.
    #[test]
    fn summary_bounds_are_the_all_pairs_bounds_of_the_reference(
        messages in proptest::collection::vec((0u8..6, 0u8..6, 0i64..50, 0i64..50), 1..14),
        reference in 0u8..6,
    ) {
        let names = ["a", "b", "c", "d", "e", "f"];
        let list: Vec<(&str, &str, i64, i64)> = messages
            .iter()
            .map(|&(f, t, s, r)| (names[f as usize], names[t as usize], s, r))
            .collect();
        let t = test_message_trace(&list, &names);
        let c = causal_order(&t).unwrap();
        let Some(reference) = t.node_by_name(names[reference as usize]) else {
            return Ok(());
        };
        let pairs = SkewPairs::Summary { reference: Some(reference), up_to: 0 };
        let summary = analyze_skew(&t, &c, pairs);
        let all = analyze_skew(&t, &c, SkewPairs::All);
        let mut want: Vec<(NodeId, Option<i128>, Option<i128>)> = all
            .bounds
            .iter()
            .filter_map(|x| {
                if x.a == reference {
                    Some((x.b, x.lo, x.hi))
                } else if x.b == reference {
                    Some((x.a, x.hi.map(|h| -h), x.lo.map(|l| -l)))
                } else {
                    None
                }
            })
            .collect();
        want.sort();
        let mut got: Vec<_> = summary.bounds.iter().map(|x| (x.b, x.lo, x.hi)).collect();
        got.sort();
        proptest::prop_assert_eq!(got, want);
        let s = summary.summary.unwrap();
        let bounded: Vec<NodeId> = summary.bounds.iter().map(|x| x.b).collect();
        let expected_unbounded: Vec<NodeId> = (0..t.nodes.len() as u32)
            .map(NodeId)
            .filter(|n| *n != reference && !bounded.contains(n)
                && !all.contradicted_nodes.contains(n))
            .collect();
        proptest::prop_assert_eq!(s.unbounded, expected_unbounded);
        let widths: Vec<i128> = summary.bounds[..s.two_sided]
            .iter()
            .map(|x| x.hi.unwrap() - x.lo.unwrap())
            .collect();
        proptest::prop_assert!(widths.windows(2).all(|w| w[0] <= w[1]));
        proptest::prop_assert!(summary.bounds[s.two_sided..]
            .iter()
            .all(|x| x.lo.is_none() || x.hi.is_none()));
    }
}
