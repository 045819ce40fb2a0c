//! Findings of `causal check`: lost messages, receives of messages never sent, receives timed
//! before their sends, and clock offsets that no assignment can satisfy.
//!
//! Each finding has a stable kind, the events involved and a one-line explanation; this layer
//! writes them as data and leaves presentation (and all I/O) to the renderers.

use super::skew::{analyze_skew, message_id, Message, SkewPairs, SkewReport};
use super::{format_seconds, format_time};
use crate::model::{EventIdx, EventKind, Trace};
use crate::order::Causality;

/// What a finding is about. The names are stable: scripts match on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    /// A send that no event receives.
    UnmatchedSend,
    /// A receive of a message that no event sends.
    UnmatchedRecv,
    /// A receive whose wall-clock time is earlier than its send's.
    ClockViolation,
    /// A cycle of messages whose delays add up to less than zero: no constant clock offsets
    /// explain them.
    SkewContradiction,
    /// A logged vector clock that contradicts its log (ShiViz, GoVector, tracing inputs).
    ClockMismatch,
}

impl FindingKind {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::UnmatchedSend => "unmatched-send",
            FindingKind::UnmatchedRecv => "unmatched-recv",
            FindingKind::ClockViolation => "clock-violation",
            FindingKind::SkewContradiction => "skew-contradiction",
            FindingKind::ClockMismatch => "clock-mismatch",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// What it is.
    pub kind: FindingKind,
    /// The events involved, in the order the explanation names them.
    pub events: Vec<EventIdx>,
    /// The messages involved: the violating message, or the contradiction's cycle in order.
    pub messages: Vec<Message>,
    /// The message id concerned, for the first three kinds.
    pub msg: Option<String>,
    /// One line for people.
    pub explanation: String,
}

/// Everything `check` found.
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// Findings by kind, then by where their first event is in the input.
    pub findings: Vec<Finding>,
    /// Clock skew bounds and contradictions.
    pub skew: SkewReport,
}

/// Runs every check over a loaded trace.
pub fn check(trace: &Trace, causality: &Causality, pairs: SkewPairs) -> CheckReport {
    let mut findings = Vec::new();
    for &e in &causality.unmatched_sends {
        findings.push(unmatched_send(trace, e));
    }
    let mut unmatched_recvs = causality.unmatched_recvs.clone();
    unmatched_recvs.sort_unstable();
    unmatched_recvs.dedup();
    for e in unmatched_recvs {
        findings.push(unmatched_recv(trace, causality, e));
    }
    let skew = analyze_skew(trace, causality, pairs);
    let (messages, _) = super::skew::timed_messages(trace, causality);
    for m in messages.iter().filter(|m| m.delay < 0) {
        findings.push(clock_violation(trace, m));
    }
    for c in &skew.contradictions {
        let path: Vec<&str> = c
            .messages
            .iter()
            .map(|m| trace.node_name(m.from))
            .chain(c.messages.first().map(|m| trace.node_name(m.from)))
            .collect();
        findings.push(Finding {
            kind: FindingKind::SkewContradiction,
            events: c.messages.iter().flat_map(|m| [m.send, m.recv]).collect(),
            messages: c.messages.clone(),
            msg: None,
            explanation: format!(
                "no constant clock offsets explain {} around {}: their apparent delays add up \
                 to {} s, but true delays cannot be negative",
                plural(c.messages.len(), "message"),
                path.join(" -> "),
                format_seconds(c.total)
            ),
        });
    }
    findings.extend(clock_mismatches(trace));
    findings.sort_by_key(|f| {
        let s = trace.event(f.events[0]).source;
        (f.kind, s.file, s.line)
    });
    CheckReport { findings, skew }
}

/// The message ids of `e`'s roles of `kind`.
fn role_msgs(trace: &Trace, e: EventIdx, kind: EventKind) -> Vec<&str> {
    trace
        .event(e)
        .roles()
        .filter(|&(k, _)| k == kind)
        .map(|(_, m)| m)
        .collect()
}

fn unmatched_recv(trace: &Trace, causality: &Causality, e: EventIdx) -> Finding {
    let sent: Vec<&str> = causality
        .sends(e)
        .flat_map(|s| role_msgs(trace, s, EventKind::Send))
        .collect();
    let missing: Vec<&str> = role_msgs(trace, e, EventKind::Recv)
        .into_iter()
        .filter(|m| !sent.contains(m))
        .collect();
    let quoted: Vec<String> = missing.iter().map(|m| format!("{m:?}")).collect();
    Finding {
        kind: FindingKind::UnmatchedRecv,
        events: vec![e],
        messages: Vec::new(),
        msg: missing.first().map(|m| m.to_string()),
        explanation: format!(
            "{} on {} receives {}, which no event sends",
            trace.event_id(e),
            trace.node_name(trace.event(e).node),
            quoted.join(" and ")
        ),
    }
}

fn unmatched_send(trace: &Trace, e: EventIdx) -> Finding {
    let ev = trace.event(e);
    let msgs = role_msgs(trace, e, EventKind::Send);
    let quoted: Vec<String> = msgs.iter().map(|m| format!("{m:?}")).collect();
    let mut explanation = format!(
        "{} on {} sends {}{}, but no event receives it",
        trace.event_id(e),
        trace.node_name(ev.node),
        quoted.join(" and "),
        if ev.to().is_empty() {
            String::new()
        } else {
            format!(" to {}", ev.to().join(", "))
        }
    );
    let absent: Vec<&str> = ev
        .to()
        .iter()
        .map(|t| &**t)
        .filter(|t| trace.node_by_name(t).is_none())
        .collect();
    if !absent.is_empty() {
        explanation.push_str(&format!(
            " ({} logged nothing in this input)",
            absent.join(", ")
        ));
    }
    Finding {
        kind: FindingKind::UnmatchedSend,
        events: vec![e],
        messages: Vec::new(),
        msg: msgs.first().map(|m| m.to_string()),
        explanation,
    }
}

fn clock_violation(trace: &Trace, m: &Message) -> Finding {
    let (send, recv) = (trace.event(m.send), trace.event(m.recv));
    let time = |ev: &crate::model::Event| ev.time().map(format_time).unwrap_or_default();
    Finding {
        kind: FindingKind::ClockViolation,
        events: vec![m.recv, m.send],
        messages: vec![*m],
        msg: Some(message_id(trace, m.send, m.recv).to_string()),
        explanation: format!(
            "{} receives {:?} at {} by {}'s clock, {} s before {} sent it at {} by {}'s clock: \
             at least one of the two clocks is wrong",
            trace.event_id(m.recv),
            message_id(trace, m.send, m.recv),
            time(recv),
            trace.node_name(m.to),
            format_seconds(-i128::from(m.delay)),
            trace.event_id(m.send),
            time(send),
            trace.node_name(m.from),
        ),
    }
}

/// The parsers' diagnostics (clocks that contradict their log), each at the event it is about.
fn clock_mismatches(trace: &Trace) -> Vec<Finding> {
    let mut at = std::collections::HashMap::new();
    for (i, ev) in trace.events.iter().enumerate() {
        at.entry(ev.source).or_insert(EventIdx(i as u32));
    }
    trace
        .diagnostics
        .iter()
        .filter_map(|d| {
            Some(Finding {
                kind: FindingKind::ClockMismatch,
                events: vec![*at.get(&d.source)?],
                messages: Vec::new(),
                msg: None,
                explanation: d.message.clone(),
            })
        })
        .collect()
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
