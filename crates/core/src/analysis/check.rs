//! Findings of `causal check`: lost copies of messages, receives by nodes a send did not name,
//! receives of messages never sent, receives timed before their sends, and clock offsets that
//! no assignment can satisfy.
//!
//! Findings are data: the events, messages and numbers each one concerns. This layer writes no
//! sentence (`render::check` does) and does no I/O.

use super::skew::{analyze_skew, Message, SkewPairs, SkewReport};
use crate::model::{EventIdx, EventKind, Trace};
use crate::order::Causality;

/// What a finding is about. The names are stable: scripts match on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    /// A copy of a message that its intended receiver never received.
    UnmatchedSend,
    /// A receive by a node that the send's `to` does not name.
    UnexpectedRecv,
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
            FindingKind::UnexpectedRecv => "unexpected-recv",
            FindingKind::UnmatchedRecv => "unmatched-recv",
            FindingKind::ClockViolation => "clock-violation",
            FindingKind::SkewContradiction => "skew-contradiction",
            FindingKind::ClockMismatch => "clock-mismatch",
        }
    }
}

/// One finding, with what it concerns.
#[derive(Clone, Debug, PartialEq)]
pub enum Finding {
    /// A copy of message `msg`, sent by `send`, that `receiver` never received (`None` when
    /// the send names no receivers and nobody received it).
    UnmatchedSend {
        /// The send.
        send: EventIdx,
        /// The message id.
        msg: String,
        /// The intended receiver, as the send's `to` names it.
        receiver: Option<String>,
        /// Whether that receiver recorded no event at all in this input.
        receiver_absent: bool,
    },
    /// `recv` received `msg` from `send`, whose `to` does not name `recv`'s node.
    UnexpectedRecv {
        /// The receive.
        recv: EventIdx,
        /// The send.
        send: EventIdx,
        /// The message id.
        msg: String,
    },
    /// `recv` receives `msgs`, which no event sends.
    UnmatchedRecv {
        /// The receive.
        recv: EventIdx,
        /// The message ids no event sends.
        msgs: Vec<String>,
    },
    /// A message received before it was sent, by the two nodes' clocks.
    ClockViolation {
        /// The message, its delay negative.
        message: Message,
        /// Its id.
        msg: String,
    },
    /// A cycle of messages whose apparent delays add up to less than zero.
    SkewContradiction {
        /// The cycle, each message sent by the node that received the previous one.
        messages: Vec<Message>,
        /// The sum of their delays in nanoseconds (negative).
        total: i128,
    },
    /// A logged clock at `event` that contradicts its log, as the parser described it.
    ClockMismatch {
        /// The event.
        event: EventIdx,
        /// The parser's description.
        detail: String,
    },
}

impl Finding {
    /// Its kind.
    pub fn kind(&self) -> FindingKind {
        match self {
            Finding::UnmatchedSend { .. } => FindingKind::UnmatchedSend,
            Finding::UnexpectedRecv { .. } => FindingKind::UnexpectedRecv,
            Finding::UnmatchedRecv { .. } => FindingKind::UnmatchedRecv,
            Finding::ClockViolation { .. } => FindingKind::ClockViolation,
            Finding::SkewContradiction { .. } => FindingKind::SkewContradiction,
            Finding::ClockMismatch { .. } => FindingKind::ClockMismatch,
        }
    }

    /// The events involved, the one the finding is reported at first.
    pub fn events(&self) -> Vec<EventIdx> {
        match self {
            Finding::UnmatchedSend { send, .. } => vec![*send],
            Finding::UnexpectedRecv { recv, send, .. } => vec![*recv, *send],
            Finding::UnmatchedRecv { recv, .. } => vec![*recv],
            Finding::ClockViolation { message, .. } => vec![message.recv, message.send],
            Finding::SkewContradiction { messages, .. } => {
                messages.iter().flat_map(|m| [m.send, m.recv]).collect()
            }
            Finding::ClockMismatch { event, .. } => vec![*event],
        }
    }

    /// The event the finding is reported at.
    pub fn first_event(&self) -> EventIdx {
        self.events()[0]
    }

    /// The messages involved: the violating message, or the contradiction's cycle in order.
    pub fn messages(&self) -> &[Message] {
        match self {
            Finding::ClockViolation { message, .. } => std::slice::from_ref(message),
            Finding::SkewContradiction { messages, .. } => messages,
            _ => &[],
        }
    }

    /// The message id concerned, for the kinds about one message.
    pub fn msg(&self) -> Option<&str> {
        match self {
            Finding::UnmatchedSend { msg, .. }
            | Finding::UnexpectedRecv { msg, .. }
            | Finding::ClockViolation { msg, .. } => Some(msg),
            Finding::UnmatchedRecv { msgs, .. } => msgs.first().map(String::as_str),
            Finding::SkewContradiction { .. } | Finding::ClockMismatch { .. } => None,
        }
    }
}

/// Everything `check` found.
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// Findings by kind, then by where their first event is in the input.
    pub findings: Vec<Finding>,
    /// Clock skew bounds and contradictions.
    pub skew: SkewReport,
    /// Which pairs of nodes the bounds were asked for (`None`: no bounds were computed).
    pub pairs: SkewPairs,
}

/// Runs every check over a loaded trace.
pub fn check(trace: &Trace, causality: &Causality, pairs: SkewPairs) -> CheckReport {
    let mut findings = Vec::new();
    for copy in &causality.lost {
        let receiver_absent = copy.receiver.as_deref().is_some_and(|r| {
            !(0..trace.nodes.len() as u32).any(|n| trace.local_name(crate::model::NodeId(n)) == r)
        });
        findings.push(Finding::UnmatchedSend {
            send: copy.send,
            msg: copy.msg.to_string(),
            receiver: copy.receiver.as_deref().map(str::to_string),
            receiver_absent,
        });
    }
    for &(recv, send) in &causality.unexpected {
        findings.push(Finding::UnexpectedRecv {
            recv,
            send,
            msg: trace.message_id(send, recv).to_string(),
        });
    }
    let mut unmatched_recvs = causality.unmatched_recvs.clone();
    unmatched_recvs.sort_unstable();
    unmatched_recvs.dedup();
    for recv in unmatched_recvs {
        findings.push(unmatched_recv(trace, causality, recv));
    }
    let skew = analyze_skew(trace, causality, pairs);
    let (messages, _) = super::skew::timed_messages(trace, causality);
    for m in messages.iter().filter(|m| m.delay < 0) {
        findings.push(Finding::ClockViolation {
            message: *m,
            msg: trace.message_id(m.send, m.recv).to_string(),
        });
    }
    for c in &skew.contradictions {
        findings.push(Finding::SkewContradiction {
            messages: c.messages.clone(),
            total: c.total,
        });
    }
    findings.extend(clock_mismatches(trace));
    findings.sort_by_key(|f| {
        let s = trace.event(f.first_event()).source;
        (f.kind(), s.file, s.line)
    });
    CheckReport {
        findings,
        skew,
        pairs,
    }
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

fn unmatched_recv(trace: &Trace, causality: &Causality, recv: EventIdx) -> Finding {
    let sent: Vec<&str> = causality
        .sends(recv)
        .flat_map(|s| role_msgs(trace, s, EventKind::Send))
        .collect();
    let msgs = role_msgs(trace, recv, EventKind::Recv)
        .into_iter()
        .filter(|m| !sent.contains(m))
        .map(str::to_string)
        .collect();
    Finding::UnmatchedRecv { recv, msgs }
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
            Some(Finding::ClockMismatch {
                event: *at.get(&d.source)?,
                detail: d.message.clone(),
            })
        })
        .collect()
}
