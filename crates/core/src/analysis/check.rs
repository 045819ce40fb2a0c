//! Findings of `causal check`: lost copies of messages, receives by nodes a send did not name,
//! receives of messages never sent, receives timed before their sends, and clock offsets that
//! no assignment can satisfy.
//!
//! Findings are data: the events, messages and numbers each one concerns. This layer writes no
//! sentence (`render::check` does) and does no I/O.

use super::skew::{analyze_skew, Message, SkewPairs, SkewReport};
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use crate::model::{EventFlags, EventIdx, EventKind, NodeId, Timestamp, Trace};
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
    /// One node receives the same message twice.
    DuplicateRecv,
    /// On a channel (sender, receiver), a message received after one sent later: information,
    /// unless the channels promise FIFO order.
    Reordered,
    /// A node's `time` goes backwards in program order.
    ClockRegression,
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
            FindingKind::DuplicateRecv => "duplicate-recv",
            FindingKind::Reordered => "reordered",
            FindingKind::ClockRegression => "clock-regression",
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
    /// `again` receives the message `first` (on the same node) received already.
    DuplicateRecv {
        /// The second receive.
        again: EventIdx,
        /// The first.
        first: EventIdx,
        /// The send.
        send: EventIdx,
        /// The message id.
        msg: String,
    },
    /// On one channel, `late` receives a message sent before the one `overtaking` received
    /// earlier.
    Reordered {
        /// The receive of the message sent first.
        late: EventIdx,
        /// The earlier receive of the message sent after it.
        overtaking: EventIdx,
        /// Its message id.
        msg: String,
        /// The overtaking message's id.
        overtaken_by: String,
        /// The node that sent both.
        sender: NodeId,
    },
    /// `after` follows `before` on its node but is timed earlier.
    ClockRegression {
        /// The later event in program order.
        after: EventIdx,
        /// The event before it.
        before: EventIdx,
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
            Finding::DuplicateRecv { .. } => FindingKind::DuplicateRecv,
            Finding::Reordered { .. } => FindingKind::Reordered,
            Finding::ClockRegression { .. } => FindingKind::ClockRegression,
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
            Finding::DuplicateRecv { again, first, .. } => vec![*again, *first],
            Finding::Reordered {
                late, overtaking, ..
            } => vec![*late, *overtaking],
            Finding::ClockRegression { after, before } => vec![*after, *before],
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
            | Finding::ClockViolation { msg, .. }
            | Finding::DuplicateRecv { msg, .. }
            | Finding::Reordered { msg, .. } => Some(msg),
            Finding::UnmatchedRecv { msgs, .. } => msgs.first().map(String::as_str),
            Finding::SkewContradiction { .. }
            | Finding::ClockMismatch { .. }
            | Finding::ClockRegression { .. } => None,
        }
    }
}

/// Everything `check` found.
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// Findings by kind, then by where their first event is in the input.
    pub findings: Vec<Finding>,
    /// What is worth knowing but not wrong: reordered messages when channels need not be
    /// FIFO. Same order as findings.
    pub information: Vec<Finding>,
    /// Clock skew bounds and contradictions.
    pub skew: SkewReport,
    /// Which pairs of nodes the bounds were asked for (`None`: no bounds were computed).
    pub pairs: SkewPairs,
}

/// What `check` is told about the system.
#[derive(Clone, Copy, Debug, Default)]
pub struct CheckOptions {
    /// Which clock skew bounds to compute.
    pub pairs: SkewPairs,
    /// Channels promise FIFO order: a reordered message is a finding, not information.
    pub fifo: bool,
}

/// Runs every check over a loaded trace.
pub fn check(trace: &Trace, causality: &Causality, options: CheckOptions) -> CheckReport {
    let pairs = options.pairs;
    let mut findings = Vec::new();
    let mut information = Vec::new();
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
    findings.extend(duplicate_receives(trace, causality));
    let reordered = reordered(trace, causality);
    if options.fifo {
        findings.extend(reordered);
    } else {
        information.extend(reordered);
    }
    findings.extend(clock_regressions(trace));
    for list in [&mut findings, &mut information] {
        list.sort_by_key(|f| {
            let s = trace.event(f.first_event()).source;
            (f.kind(), s.file, s.line)
        });
    }
    CheckReport {
        findings,
        information,
        skew,
        pairs,
    }
}

/// Whether the message from `send` to `recv` is a network message the channel checks concern:
/// not a synchronisation edge, not a span's edge to its parent or child.
fn is_network_message(trace: &Trace, send: EventIdx, recv: EventIdx) -> bool {
    ![send, recv]
        .iter()
        .any(|&e| trace.event(e).flags.contains(EventFlags::SYNC) || trace.span(e).is_some())
}

/// Every second (third, ...) receive of one message by one node.
fn duplicate_receives(trace: &Trace, causality: &Causality) -> Vec<Finding> {
    let mut first: HashMap<(EventIdx, NodeId), EventIdx> = HashMap::new();
    let mut found = Vec::new();
    for (send, recv) in causality.message_edges() {
        if !is_network_message(trace, send, recv) {
            continue;
        }
        match first.entry((send, trace.event(recv).node)) {
            Entry::Vacant(slot) => {
                slot.insert(recv);
            }
            Entry::Occupied(slot) => found.push(Finding::DuplicateRecv {
                again: recv,
                first: *slot.get(),
                send,
                msg: trace.message_id(send, recv).to_string(),
            }),
        }
    }
    found
}

/// Receives of a message sent before one that the same receiver got earlier on the same
/// channel (sender node to receiver node): walking each receiver's receives in program order,
/// a message whose send comes before the latest send received so far was overtaken.
fn reordered(trace: &Trace, causality: &Causality) -> Vec<Finding> {
    let mut found = Vec::new();
    for lane in &trace.by_node {
        // Per sending node: the latest send received so far, and its receive.
        let mut latest: HashMap<NodeId, (u32, EventIdx, EventIdx)> = HashMap::new();
        // A message received again is a duplicate-recv, not a reordering.
        let mut seen: std::collections::HashSet<EventIdx> = Default::default();
        for &recv in lane {
            for send in causality.sends(recv) {
                if !is_network_message(trace, send, recv) || !seen.insert(send) {
                    continue;
                }
                let (from, seq) = (trace.event(send).node, trace.event(send).seq);
                match latest.get(&from) {
                    Some(&(top, top_send, top_recv)) if seq < top => {
                        found.push(Finding::Reordered {
                            late: recv,
                            overtaking: top_recv,
                            msg: trace.message_id(send, recv).to_string(),
                            overtaken_by: trace.message_id(top_send, top_recv).to_string(),
                            sender: from,
                        });
                    }
                    _ => {
                        latest.insert(from, (seq, send, recv));
                    }
                }
            }
        }
    }
    found
}

/// Events timed before the event before them on their node.
fn clock_regressions(trace: &Trace) -> Vec<Finding> {
    let mut found = Vec::new();
    for lane in &trace.by_node {
        let mut last: Option<(EventIdx, Timestamp)> = None;
        for &e in lane {
            let Some(t) = trace.event(e).time() else {
                continue;
            };
            if let Some((before, prev)) = last {
                if t < prev {
                    found.push(Finding::ClockRegression { after: e, before });
                }
            }
            last = Some((e, t));
        }
    }
    found
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
