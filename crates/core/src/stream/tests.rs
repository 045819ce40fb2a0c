//! Unit tests of online stamping, against outcomes worked out by hand; test code only, never
//! part of the library.

use super::*;
use crate::model::EventKind;

fn ev(node: &str, kind: EventKind, msg: Option<&str>) -> RawEvent {
    RawEvent {
        node: node.into(),
        kind: Some(kind),
        msg: msg.map(str::to_string),
        ..RawEvent::default()
    }
}

fn to(mut raw: RawEvent, names: &[&str]) -> RawEvent {
    raw.to = names.iter().map(|n| n.to_string()).collect();
    raw
}

fn at(line: u32) -> Origin {
    Origin { file: 0, line }
}

fn ids(out: &[Stamped]) -> Vec<&str> {
    out.iter().map(|e| e.id.as_str()).collect()
}

#[test]
fn a_receive_waits_for_its_send_and_its_node_waits_with_it() {
    let mut s = Stamper::new();
    assert!(s
        .push(ev("b", EventKind::Recv, Some("m")), at(1))
        .unwrap()
        .is_empty());
    assert!(s
        .push(ev("b", EventKind::Local, None), at(2))
        .unwrap()
        .is_empty());
    assert_eq!(s.in_flight(), (0, 2));
    let out = s.push(ev("a", EventKind::Send, Some("m")), at(3)).unwrap();
    assert_eq!(ids(&out), ["a#1", "b#1", "b#2"]);
    assert_eq!(s.names(), ["b", "a"]);
    assert_eq!(out[1].vc, vec![(1, 1), (0, 1)]);
    assert_eq!(out[2].lamport, 3);
    assert!(s.finish().unwrap().is_empty());
    assert!(s.take_problems().is_empty());
    // No `to`: the clock stays for receivers to come.
    assert_eq!(s.in_flight(), (1, 0));
}

#[test]
fn a_message_never_sent_is_local_at_the_end() {
    let mut s = Stamper::new();
    s.push(ev("b", EventKind::Recv, Some("ghost")), at(1))
        .unwrap();
    let out = s.finish().unwrap();
    assert_eq!(out[0].vc, vec![(0, 1)]);
    let problems = s.take_problems();
    assert!(matches!(&problems[0], StreamProblem::NeverSent { msg, .. } if msg == "ghost"));
}

#[test]
fn crossed_receives_are_a_cycle() {
    let mut s = Stamper::new();
    s.push(ev("a", EventKind::Recv, Some("m2")), at(1)).unwrap();
    s.push(ev("a", EventKind::Send, Some("m1")), at(2)).unwrap();
    s.push(ev("b", EventKind::Recv, Some("m1")), at(3)).unwrap();
    s.push(ev("b", EventKind::Send, Some("m2")), at(4)).unwrap();
    let Err(StreamError::Cycle(waits)) = s.finish() else {
        panic!("a cycle");
    };
    // From a's receive: it waits for m2, sent by b#2 (behind b's receive), which waits for m1.
    let steps: Vec<(u32, &str, &str, u32)> = waits
        .iter()
        .map(|w| {
            (
                w.recv.line,
                w.recv_id.as_str(),
                w.send_id.as_str(),
                w.send.line,
            )
        })
        .collect();
    assert_eq!(steps, [(1, "a#1", "b#2", 4), (3, "b#1", "a#2", 2)]);
}

#[test]
fn a_clock_goes_once_every_named_receiver_has_it() {
    let mut s = Stamper::new();
    s.push(
        to(ev("a", EventKind::Send, Some("m")), &["b", "c", "b"]),
        at(1),
    )
    .unwrap();
    assert_eq!(s.in_flight(), (1, 0));
    s.push(ev("b", EventKind::Recv, Some("m")), at(2)).unwrap();
    // A receiver the send does not name leaves it waiting.
    s.push(ev("d", EventKind::Recv, Some("m")), at(3)).unwrap();
    assert_eq!(s.in_flight(), (1, 0));
    let out = s.push(ev("c", EventKind::Recv, Some("m")), at(4)).unwrap();
    assert_eq!(
        out[0].vc,
        vec![(0, 1), (3, 1)],
        "a:1 c:1 (c is the fourth node seen)"
    );
    assert_eq!(s.in_flight(), (0, 0));
    // After it went: the receiver that had seen the send loses nothing, another does.
    s.push(ev("b", EventKind::Recv, Some("m")), at(5)).unwrap();
    assert!(s.take_problems().is_empty());
    let out = s.push(ev("e", EventKind::Recv, Some("m")), at(6)).unwrap();
    assert_eq!(out[0].vc, vec![(4, 1)], "stamped as received from outside");
    assert_eq!(
        s.take_problems(),
        vec![StreamProblem::FromOutside {
            origin: at(6),
            id: "e#1".into(),
            msg: "m".into(),
            sent: at(1),
        }]
    );
}

#[test]
fn the_limit_drops_the_oldest_clock_and_lets_go_of_the_longest_held_receive() {
    let mut s = Stamper::with_limit(2);
    for (i, m) in ["m1", "m2", "m3"].iter().enumerate() {
        s.push(ev("a", EventKind::Send, Some(m)), at(i as u32 + 1))
            .unwrap();
    }
    assert_eq!(s.in_flight(), (2, 0));
    let problems = s.take_problems();
    assert_eq!(
        problems,
        vec![StreamProblem::Dropped {
            origin: at(1),
            msg: "m1".into(),
            awaiting: 0,
            limit: 2,
        }]
    );
    // Receives of m1 elsewhere come from outside; m2 is still kept.
    let out = s.push(ev("b", EventKind::Recv, Some("m1")), at(4)).unwrap();
    assert_eq!(out[0].vc, vec![(1, 1)]);
    let out = s.push(ev("c", EventKind::Recv, Some("m2")), at(5)).unwrap();
    assert_eq!(out[0].vc, vec![(0, 2), (2, 1)]);
    s.take_problems();
    // Three receives waiting for sends not yet read: the one held longest goes.
    s.push(ev("x", EventKind::Recv, Some("later1")), at(6))
        .unwrap();
    s.push(ev("y", EventKind::Recv, Some("later2")), at(7))
        .unwrap();
    assert_eq!(s.in_flight().1, 2);
    let out = s.push(ev("y", EventKind::Local, None), at(8)).unwrap();
    assert_eq!(ids(&out), ["x#1"]);
    assert_eq!(s.in_flight().1, 2);
    assert!(matches!(
        &s.take_problems()[..],
        [StreamProblem::Released { origin, msg, limit: 2, .. }] if *origin == at(6) && msg == "later1"
    ));
    let out = s
        .push(ev("z", EventKind::Send, Some("later2")), at(9))
        .unwrap();
    assert_eq!(ids(&out), ["z#1", "y#1", "y#2"]);
}

#[test]
fn ids_are_used_once_whether_explicit_or_positional() {
    let with_id = |node: &str, id: &str| RawEvent {
        node: node.into(),
        id: Some(id.into()),
        ..RawEvent::default()
    };
    let mut s = Stamper::new();
    s.push(ev("a", EventKind::Local, None), at(1)).unwrap();
    s.push(with_id("b", "x"), at(2)).unwrap();
    // An explicit id equal to an earlier event's NODE#N.
    assert_eq!(
        s.push(with_id("c", "a#1"), at(3)).unwrap_err(),
        StreamError::DuplicateId {
            origin: at(3),
            id: "a#1".into(),
            first: at(1),
        }
    );
    let mut s = Stamper::new();
    s.push(with_id("b", "x"), at(1)).unwrap();
    assert_eq!(
        s.push(with_id("a", "x"), at(2)).unwrap_err(),
        StreamError::DuplicateId {
            origin: at(2),
            id: "x".into(),
            first: at(1),
        }
    );
    // A later event whose NODE#N an explicit id took.
    s.push(with_id("c", "a#2"), at(3)).unwrap();
    s.push(ev("a", EventKind::Local, None), at(4)).unwrap();
    assert_eq!(
        s.push(ev("a", EventKind::Local, None), at(5)).unwrap_err(),
        StreamError::DuplicateId {
            origin: at(5),
            id: "a#2".into(),
            first: at(3),
        }
    );
    // An event's own NODE#N as its explicit id names nothing else.
    let mut s = Stamper::new();
    s.push(with_id("a", "a#1"), at(1)).unwrap();
    s.push(with_id("b", "a#2"), at(2)).unwrap();
    s.push(with_id("a", "z"), at(3)).unwrap();
}

#[test]
fn empty_nodes_and_ids_are_errors() {
    let mut s = Stamper::new();
    assert_eq!(
        s.push(ev("", EventKind::Local, None), at(1)).unwrap_err(),
        StreamError::EmptyNode(at(1))
    );
    let mut raw = ev("a", EventKind::Local, None);
    raw.id = Some(String::new());
    assert_eq!(s.push(raw, at(2)).unwrap_err(), StreamError::EmptyId(at(2)));
}
