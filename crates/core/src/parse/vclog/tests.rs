//! Tests of message inference from vector clocks, and of reading clock text.

use super::*;
use crate::model::{EventIdx, Trace};

fn clock(pairs: &[(&str, u64)]) -> VectorClock {
    pairs.iter().map(|(h, n)| (h.to_string(), *n)).collect()
}

/// Builds a trace from `(host, clock)` events, one line each.
fn build(events: &[(&str, &[(&str, u64)])]) -> Trace {
    let owned: Vec<(String, VectorClock)> = events
        .iter()
        .map(|(h, c)| (h.to_string(), clock(c)))
        .collect();
    build_owned(owned)
}

fn build_owned(events: Vec<(String, VectorClock)>) -> Trace {
    let mut b = TraceBuilder::new();
    let f = b.add_file("t.log");
    let mut log = VectorClockLog::new();
    for (i, (host, c)) in events.into_iter().enumerate() {
        let raw = RawEvent {
            node: host,
            line: i as u32 + 1,
            ..RawEvent::default()
        };
        let clock = log.read_clock(&raw.node, Ok(c));
        log.push(&mut b, f, (raw, clock.host), clock.clock);
    }
    log.finish(&mut b, None);
    b.finish()
}

/// Messages delivered in a simulated run: (send, receive) event indices.
type Delivered = HashSet<(u32, u32)>;

/// Runs a random message-passing system and logs each event's vector clock (the
/// oracle: clocks kept by the simulated hosts themselves), with the messages delivered.
fn simulate(hosts: usize, steps: &[(usize, u8, usize)]) -> (Vec<(String, VectorClock)>, Delivered) {
    let name = |h: usize| format!("h{h}");
    let mut clocks = vec![vec![0u64; hosts]; hosts];
    let mut inbox: Vec<std::collections::VecDeque<(u32, Vec<u64>)>> =
        vec![Default::default(); hosts];
    let mut log = Vec::new();
    let mut delivered = HashSet::new();
    for &(h, action, to) in steps {
        let (h, to) = (h % hosts, to % hosts);
        let e = log.len() as u32;
        match action % 3 {
            1 if to != h => {
                clocks[h][h] += 1;
                inbox[to].push_back((e, clocks[h].clone()));
            }
            2 if !inbox[h].is_empty() => {
                let (s, c) = inbox[h].pop_front().unwrap();
                for k in 0..hosts {
                    clocks[h][k] = clocks[h][k].max(c[k]);
                }
                clocks[h][h] += 1;
                delivered.insert((s, e));
            }
            _ => clocks[h][h] += 1,
        }
        let logged = (0..hosts)
            .filter(|&k| clocks[h][k] > 0)
            .map(|k| (name(k), clocks[h][k]))
            .collect();
        log.push((name(h), logged));
    }
    (log, delivered)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// On any consistent log, the inferred messages are messages that were delivered,
    /// nothing is diagnosed, and the clocks computed from them equal the logged ones.
    #[test]
    fn inferred_messages_reproduce_the_logged_clocks(
        hosts in 2usize..6,
        steps in proptest::collection::vec((0usize..6, 0u8..3, 0usize..6), 1..80),
    ) {
        let (log, delivered) = simulate(hosts, &steps);
        let logged: Vec<VectorClock> = log.iter().map(|(_, c)| c.clone()).collect();
        let t = build_owned(log);
        proptest::prop_assert!(t.diagnostics.is_empty(), "{:?}", t.diagnostics);
        let causality = crate::order::causal_order(&t).unwrap();
        for (s, r) in causality.message_edges() {
            proptest::prop_assert!(delivered.contains(&(s.0, r.0)), "{s:?} -> {r:?}");
        }
        let stamps = crate::clock::stamp(&t, &causality);
        for (i, c) in logged.iter().enumerate() {
            for (host, n) in c {
                let node = t.node_by_name(host).unwrap();
                proptest::prop_assert_eq!(stamps.vector.get(EventIdx(i as u32), node), *n as u32);
            }
            let total: u32 = stamps.vector.row(EventIdx(i as u32)).iter().sum();
            proptest::prop_assert_eq!(total as u64, c.iter().map(|(_, n)| n).sum::<u64>());
        }
    }
}

fn roles(t: &Trace, e: u32) -> Vec<(EventKind, String)> {
    t.event(EventIdx(e))
        .roles()
        .map(|(k, m)| (k, m.to_string()))
        .collect()
}

#[test]
fn a_rise_on_another_host_is_a_receive_of_that_hosts_event() {
    let t = build(&[
        ("a", &[("a", 1)]),
        ("a", &[("a", 2)]),
        ("b", &[("b", 1), ("a", 2)]),
    ]);
    assert!(t.diagnostics.is_empty(), "{:?}", t.diagnostics);
    assert_eq!(roles(&t, 1), vec![(EventKind::Send, "a#2->b#1".into())]);
    assert_eq!(roles(&t, 2), vec![(EventKind::Recv, "a#2->b#1".into())]);
}

#[test]
fn rises_explained_by_a_received_clock_are_not_messages() {
    // c:1 -> b:1 -> a:1; a's clock rises on b and c, but c:1 came through b.
    let t = build(&[
        ("c", &[("c", 1)]),
        ("b", &[("b", 1), ("c", 1)]),
        ("a", &[("a", 1), ("b", 1), ("c", 1)]),
    ]);
    assert!(t.diagnostics.is_empty(), "{:?}", t.diagnostics);
    assert_eq!(roles(&t, 2), vec![(EventKind::Recv, "b#1->a#1".into())]);
    assert_eq!(roles(&t, 0), vec![(EventKind::Send, "c#1->b#1".into())]);
}

#[test]
fn one_event_can_receive_twice_and_be_received() {
    let t = build(&[
        ("b", &[("b", 1)]),
        ("c", &[("c", 1)]),
        ("a", &[("a", 1), ("b", 1), ("c", 1)]),
        ("d", &[("d", 1), ("a", 1), ("b", 1), ("c", 1)]),
    ]);
    assert!(t.diagnostics.is_empty(), "{:?}", t.diagnostics);
    assert_eq!(
        roles(&t, 2),
        vec![
            (EventKind::Recv, "b#1->a#1".into()),
            (EventKind::Recv, "c#1->a#1".into()),
            (EventKind::Send, "a#1->d#1".into()),
        ]
    );
}

#[test]
fn each_inconsistency_is_one_diagnostic_and_the_rest_is_kept() {
    let t = build(&[
        ("a", &[("a", 1)]),
        ("a", &[("a", 3)]),
        ("b", &[("b", 1), ("a", 9)]),
        ("b", &[("b", 2), ("ghost", 1)]),
        ("b", &[("b", 3), ("ghost", 1)]),
    ]);
    let messages: Vec<&str> = t.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 4, "{messages:#?}");
    assert!(
        messages[0].contains("goes from \"a\":1 to \"a\":3"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains("no event of \"a\" has own entry 9"),
        "{}",
        messages[1]
    );
    assert!(
        messages[2].contains("drops the entry \"a\":9"),
        "{}",
        messages[2]
    );
    assert!(
        messages[3].contains("no event of host \"ghost\""),
        "{}",
        messages[3]
    );
    assert_eq!(t.diagnostics[3].source.line, 4);
    assert_eq!(t.len(), 5);
}

#[test]
fn a_cycle_loses_one_receive_and_is_reported() {
    // Each claims to have seen the other's only event.
    let t = build(&[("a", &[("a", 1), ("b", 1)]), ("b", &[("b", 1), ("a", 1)])]);
    let cycles: Vec<_> = t
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("cycle"))
        .collect();
    assert_eq!(cycles.len(), 1, "{:?}", t.diagnostics);
    assert!(crate::order::causal_order(&t).is_ok());
}

#[test]
fn relaxed_clocks_are_read() {
    assert_eq!(
        parse_clock(r#"{"a":1, "b": 2}"#),
        Ok(clock(&[("a", 1), ("b", 2)]))
    );
    assert_eq!(parse_clock("{myPID: 1}"), Ok(clock(&[("myPID", 1)])));
    assert_eq!(
        parse_clock(r#"{\"n1\":0,\"n2\":3}"#),
        Ok(clock(&[("n1", 0), ("n2", 3)]))
    );
    assert_eq!(
        parse_clock("{'a': '2', b: 3.0,}"),
        Ok(clock(&[("a", 2), ("b", 3)]))
    );
    let err = parse_clock(r#"{"a":1"#).unwrap_err();
    assert!(err.starts_with("expected a vector clock such as"), "{err}");
    assert!(parse_clock(r#"{"a":-1}"#)
        .unwrap_err()
        .contains("whole number"));
    assert!(parse_clock("[1]").unwrap_err().contains("JSON array"));
}

/// A clock's text and the members it reads as, or `None` when it cannot be read.
type ClockCase = (&'static str, Option<&'static [(&'static str, u64)]>);

#[test]
fn clocks_read_by_host_index_name_their_hosts_in_the_logs_order() {
    let cases: [ClockCase; 9] = [
        (r#"{"a":1, "b":2}"#, Some(&[("a", 1), ("b", 2)])),
        ("{myPID: 1, other:3,}", Some(&[("myPID", 1), ("other", 3)])),
        (" {'x': '4', \"y\": 2.0} ", Some(&[("x", 4), ("y", 2)])),
        ("{}", Some(&[])),
        (r#"{\"n1\":0}"#, Some(&[("n1", 0)])),
        (r#"{"a\u0062":1, "c":7}"#, Some(&[("ab", 1), ("c", 7)])),
        // Read partway, then failing: no clock, whatever was looked up on the way.
        ("{a:1, b:x}", None),
        ("{a:-1}", None),
        (r#"["a", 1]"#, None),
    ];
    for (text, expected) in cases {
        let mut log = VectorClockLog::new();
        let read = log.read_clock_text("h", text);
        let names = &log.hosts.names;
        let got = read.clock.as_ref().ok().map(|c| {
            c.iter()
                .map(|&(h, n)| (names[h as usize].as_str(), n))
                .collect::<Vec<_>>()
        });
        assert_eq!(got.as_deref(), expected, "{text}");
        assert_eq!(names[read.host as usize], "h", "{text}");
        if expected.is_none() {
            assert!(
                read.clock
                    .as_ref()
                    .unwrap_err()
                    .starts_with("expected a vector clock"),
                "{text}"
            );
        }
    }
}
