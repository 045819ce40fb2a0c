//! The trace model: events, nodes and where each event came from.
//!
//! Everything above this layer (parsers, clock engines, analyses, renderers) speaks these
//! types. This module holds data and small lookups only: it does no I/O and computes no clocks.

use std::collections::HashMap;
use std::fmt;

use crate::error::InputError;

mod builder;
mod fields;
mod marks;

#[cfg(test)]
pub(crate) use builder::{test_event, test_message_trace, test_trace};
pub use builder::{RawEvent, TraceBuilder};

/// The most events (and nodes) a trace holds: they and their positions are numbered in
/// `u32`, one value spared. [`TraceBuilder::push`] refuses more, so every index fits.
pub const MAX_EVENTS: usize = u32::MAX as usize - 1;
pub use fields::{Fields, ObjectWriter, TRACKED_KEYS};
pub use marks::{EventFlags, GivenStamp, RawSpan, SpanPhase};

/// Index of a node (process, host, thread) in [`Trace::nodes`].
///
/// Nodes are numbered in the order of their names, so comparing two `NodeId`s compares names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The id as an index into per-node tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of an event in [`Trace::events`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventIdx(pub u32);

impl EventIdx {
    /// The index into per-event tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a data key in [`Trace::keys`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId(pub u32);

/// What an event did: something local, or one end of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// An event that involves no other node.
    Local,
    /// The sending of message `msg`.
    Send,
    /// The receipt of message `msg`.
    Recv,
}

impl EventKind {
    /// The name used in the native format and in output.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Local => "local",
            EventKind::Send => "send",
            EventKind::Recv => "recv",
        }
    }
}

/// A further message role of an event that sends or receives more than one message.
///
/// Logs that carry vector clocks (ShiViz, GoVector) can have one event that receives a message
/// and is itself received elsewhere, or that merges two messages. The native format has one
/// role per event; such events keep their first role in `kind`/`msg` and the rest here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// `Send` or `Recv`.
    pub kind: EventKind,
    /// The message id.
    pub msg: Box<str>,
}

impl Role {
    /// Roles as the `more_roles` field spells them: `[{"kind": "send", "msg": "m2"}, ...]`.
    pub fn json_list(roles: &[Role]) -> serde_json::Value {
        roles
            .iter()
            .map(|r| serde_json::json!({"kind": r.kind.as_str(), "msg": &*r.msg}))
            .collect()
    }
}

/// Where an input line came from: a file index into [`Trace::files`] and a 1-based line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Source {
    /// Index into [`Trace::files`].
    pub file: u32,
    /// 1-based line number in the (decompressed) text of that file.
    pub line: u32,
}

/// A wall-clock reading, in nanoseconds since the Unix epoch (UTC).
///
/// The text the input gave is kept in the event's fields; this is the value to compute with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Seconds since the epoch, as a float (for display and skew arithmetic).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }
}

/// One event recorded by one node.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The node that recorded it.
    pub node: NodeId,
    /// 1-based position in its node's program order; equals its own vector-clock component.
    pub seq: u32,
    /// How many of `keys` are written (they come first).
    writes_len: u32,
    /// Local, send or receive.
    pub kind: EventKind,
    /// Marks on its messages (in what would be padding: no room taken).
    pub flags: EventFlags,
    /// Message id, on sends and receives.
    pub msg: Option<Box<str>>,
    /// Wall-clock time in nanoseconds, [`NO_TIME`] when the input gave none (see
    /// [`Event::time`]): an `Option<Timestamp>` would take twice the room.
    time: i64,
    /// What happened, for people.
    pub label: Option<Box<str>>,
    /// Data keys written, then data keys read (see [`Event::writes`], [`Event::reads`]): one
    /// list instead of two saves 16 bytes an event.
    keys: Box<[KeyId]>,
    /// Where it came from.
    pub source: Source,
    /// The input's fields as given, in their order (pass-through fields included).
    pub fields: Fields,
    /// Further roles, receivers and the user's id, for the events that have any (see
    /// [`Event::more_roles`], [`Event::to`], [`Event::user_id`]).
    extra: Option<Box<EventExtra>>,
}

/// [`Event`]'s stored time when it has none. The earliest instant, in 1677, is no log's.
const NO_TIME: i64 = i64::MIN;

/// The parts of an event that many events lack, kept behind one pointer: an event without
/// them is 48 bytes smaller, and a trace holds millions of events.
#[derive(Clone, Debug, Default, PartialEq)]
struct EventExtra {
    more_roles: Vec<Role>,
    to: Box<[Box<str>]>,
    user_id: Option<Box<str>>,
}

/// A whole execution: its nodes, their events in program order, and the files they came from.
///
/// Invariants (established by [`TraceBuilder::finish`]): node ids are sorted by name;
/// `by_node[n]` lists node `n`'s events in program order and `events[by_node[n][k]].seq == k + 1`;
/// there are at most [`MAX_EVENTS`] events and nodes, so every count and index of events, nodes
/// and positions fits a `u32` below `u32::MAX` (free for sentinels).
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// Input file names as the user gave them (`<stdin>` for standard input).
    pub files: Vec<String>,
    /// Node names, indexed by [`NodeId`].
    pub nodes: Vec<String>,
    /// Data key names, indexed by [`KeyId`].
    pub keys: Vec<String>,
    /// All events, in input order (file by file, line by line).
    pub events: Vec<Event>,
    /// Each node's events in program order.
    pub by_node: Vec<Vec<EventIdx>>,
    /// Labels of the executions this trace holds, when the input held more than one
    /// (ShiViz delimiters); their node names are then `LABEL/NODE`.
    pub executions: Vec<String>,
    /// Problems found while parsing that did not stop it (a clock that contradicts its log).
    pub diagnostics: Vec<Diagnostic>,
    /// The clocks stamped input gave, which analyses use as given instead of computing them
    /// (see [`GivenClocks`]); `None` for every other input.
    pub given: Option<GivenClocks>,
    /// The spans of a distributed trace that events belong to (see [`Trace::span`]).
    pub spans: Vec<Span>,
    /// Each event's span and phase, for traces with spans (empty otherwise).
    pub span_of: Vec<Option<(u32, SpanPhase)>>,
}

/// One span of a distributed trace: its identity, so that exporters need not read it back
/// from an event's fields.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    /// The trace id.
    pub trace_id: Box<str>,
    /// The span id.
    pub span_id: Box<str>,
    /// Its kind (`client`, `server`, ...), when known.
    pub kind: Option<Box<str>>,
    /// The parent span's id in the same trace, when the input names one (it may name a span
    /// the input lacks).
    pub parent_id: Option<Box<str>>,
}

/// Lamport and vector clocks that the input gave for every event (stamped input: `causal
/// stamp`'s own output, a `past`, `future` or `slice`). They are authoritative: an event's
/// `seq` is its own component of its given vector clock, which need not count from 1 (a
/// slice leaves events out), and nodes that appear only in vector clocks are nodes of the
/// trace without events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GivenClocks {
    /// The Lamport clock of each event.
    pub lamport: Vec<u64>,
    /// Where each event's members start in `members` (one more entry than events).
    starts: Vec<u32>,
    /// Every event's vector-clock members, by node, zero components left out.
    members: Vec<(NodeId, u32)>,
}

impl GivenClocks {
    /// The clocks of the events `keep` accepts (by index), in order.
    fn retain(&self, mut keep: impl FnMut(usize) -> bool) -> GivenClocks {
        let mut out = GivenClocks {
            starts: vec![0],
            ..GivenClocks::default()
        };
        for e in 0..self.lamport.len() {
            if keep(e) {
                out.lamport.push(self.lamport[e]);
                out.members.extend_from_slice(self.vc(EventIdx(e as u32)));
                out.starts.push(out.members.len() as u32);
            }
        }
        out
    }

    /// Event `e`'s vector clock: its non-zero members in node order.
    pub fn vc(&self, e: EventIdx) -> &[(NodeId, u32)] {
        let (a, b) = (self.starts[e.index()], self.starts[e.index() + 1]);
        &self.members[a as usize..b as usize]
    }

    /// Event `e`'s count for node `n`.
    pub fn get(&self, e: EventIdx, n: NodeId) -> u32 {
        let vc = self.vc(e);
        vc.binary_search_by_key(&n, |&(m, _)| m)
            .map_or(0, |i| vc[i].1)
    }
}

/// A problem the parser found and passed over, reported by `check` as a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// A stable kind, such as `clock-mismatch`.
    pub kind: &'static str,
    /// Where.
    pub source: Source,
    /// What is wrong, in one line.
    pub message: String,
}

impl Event {
    /// Wall-clock time, when the input gave one.
    pub fn time(&self) -> Option<Timestamp> {
        (self.time != NO_TIME).then_some(Timestamp(self.time))
    }

    /// Data keys written.
    pub fn writes(&self) -> &[KeyId] {
        &self.keys[..self.writes_len as usize]
    }

    /// Data keys read.
    pub fn reads(&self) -> &[KeyId] {
        &self.keys[self.writes_len as usize..]
    }

    /// Further message roles (rare; see [`Role`]).
    pub fn more_roles(&self) -> &[Role] {
        self.extra.as_ref().map_or(&[], |x| &x.more_roles)
    }

    /// Intended receivers named by a send (may name nodes that never appear).
    pub fn to(&self) -> &[Box<str>] {
        self.extra.as_ref().map_or(&[], |x| &x.to)
    }

    /// The user's own id, when the input gave one.
    pub fn user_id(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|x| x.user_id.as_deref())
    }

    /// Every message role of the event: its kind and msg first, then any further roles.
    pub fn roles(&self) -> impl Iterator<Item = (EventKind, &str)> {
        let first = match (&self.msg, self.kind) {
            (Some(m), EventKind::Send | EventKind::Recv) => Some((self.kind, &**m)),
            _ => None,
        };
        first
            .into_iter()
            .chain(self.more_roles().iter().map(|r| (r.kind, &*r.msg)))
    }
}

impl Trace {
    /// The event at `e`.
    pub fn event(&self, e: EventIdx) -> &Event {
        &self.events[e.index()]
    }

    /// The name of node `n`.
    pub fn node_name(&self, n: NodeId) -> &str {
        &self.nodes[n.index()]
    }

    /// The span event `e` belongs to, and where it stands in it, when the input has spans.
    pub fn span(&self, e: EventIdx) -> Option<(&Span, SpanPhase)> {
        let (s, phase) = (*self.span_of.get(e.index())?)?;
        Some((&self.spans[s as usize], phase))
    }

    /// The name of node `n` within its execution: without the `LABEL/` prefix that a trace
    /// of several executions gives it, as the input's `to` fields name it.
    pub fn local_name(&self, n: NodeId) -> &str {
        let name = self.node_name(n);
        if self.executions.len() > 1 {
            for label in &self.executions {
                if let Some(rest) = name
                    .strip_prefix(label.as_str())
                    .and_then(|r| r.strip_prefix('/'))
                {
                    return rest;
                }
            }
        }
        name
    }

    /// Node `n`'s event whose own vector-clock component is `seq`, if the input holds it
    /// (on stamped input a slice may have left it out).
    pub fn event_at(&self, n: NodeId, seq: u32) -> Option<EventIdx> {
        let lane = &self.by_node[n.index()];
        // Positions count from 1 unless the input gave clocks, so the usual case is direct.
        match lane.get((seq as usize).wrapping_sub(1)) {
            Some(&e) if self.event(e).seq == seq => Some(e),
            _ => lane
                .binary_search_by_key(&seq, |&e| self.event(e).seq)
                .ok()
                .map(|i| lane[i]),
        }
    }

    /// The event after `e` on its node, if any.
    pub fn next_on_node(&self, e: EventIdx) -> Option<EventIdx> {
        let lane = &self.by_node[self.event(e).node.index()];
        lane.get(self.lane_position(e) + 1).copied()
    }

    /// The event before `e` on its node, if any.
    pub fn prev_on_node(&self, e: EventIdx) -> Option<EventIdx> {
        let lane = &self.by_node[self.event(e).node.index()];
        self.lane_position(e).checked_sub(1).map(|at| lane[at])
    }

    /// Where `e` is in its node's lane: `seq - 1` unless the input gave clocks.
    fn lane_position(&self, e: EventIdx) -> usize {
        let ev = self.event(e);
        let lane = &self.by_node[ev.node.index()];
        let at = (ev.seq as usize).wrapping_sub(1);
        if lane.get(at) == Some(&e) {
            return at;
        }
        lane.binary_search_by_key(&ev.seq, |&x| self.event(x).seq)
            .expect("an event is in its node's lane")
    }

    /// The id of the message that `send` sends and `recv` receives (events can have more
    /// than one message role: the one they share).
    pub fn message_id(&self, send: EventIdx, recv: EventIdx) -> &str {
        let r = self.event(recv);
        if r.kind == EventKind::Recv && r.more_roles().is_empty() {
            // One role: the message matched can only be that one.
            return r.msg.as_deref().unwrap_or_default();
        }
        self.shared_message(send, recv)
            .unwrap_or_else(|| r.msg.as_deref().unwrap_or_default())
    }

    /// The first message that `recv` receives and `send` sends, if any.
    pub fn shared_message(&self, send: EventIdx, recv: EventIdx) -> Option<&str> {
        let (s, r) = (self.event(send), self.event(recv));
        r.roles()
            .filter(|&(kind, _)| kind == EventKind::Recv)
            .map(|(_, msg)| msg)
            .find(|&msg| {
                s.roles()
                    .any(|(kind, sent)| kind == EventKind::Send && sent == msg)
            })
    }

    /// The node named `name`, if any.
    pub fn node_by_name(&self, name: &str) -> Option<NodeId> {
        self.nodes
            .binary_search_by(|n| n.as_str().cmp(name))
            .ok()
            .map(|i| NodeId(i as u32))
    }

    /// The name of key `k`.
    pub fn key_name(&self, k: KeyId) -> &str {
        &self.keys[k.0 as usize]
    }

    /// The key named `name`, if any event reads or writes it.
    pub fn key_id(&self, name: &str) -> Option<KeyId> {
        self.keys
            .iter()
            .position(|k| k == name)
            .map(|i| KeyId(i as u32))
    }

    /// The event ids of every event: the user's `id`, else `NODE#N`.
    pub fn event_id(&self, e: EventIdx) -> EventName<'_> {
        let ev = self.event(e);
        match ev.user_id() {
            Some(id) => EventName::User(id),
            None => EventName::Positional(self.node_name(ev.node), ev.seq),
        }
    }

    /// `file:line` of event `e`, for messages.
    pub fn location(&self, e: EventIdx) -> Location<'_> {
        let s = self.event(e).source;
        Location {
            file: &self.files[s.file as usize],
            line: s.line,
        }
    }

    /// The number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the trace has no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// An index from every accepted spelling of an event id to the event.
    ///
    /// Both the user's `id` and the positional `NODE#N` name an event; when a user id equals
    /// another event's positional name, the user id wins.
    pub fn id_index(&self) -> HashMap<String, EventIdx> {
        let mut index = HashMap::with_capacity(self.events.len() * 2);
        // Stamped input names its events by their ids alone.
        for (i, ev) in self.events.iter().enumerate() {
            if self.given.is_some() {
                break;
            }
            index.insert(
                format!("{}#{}", self.node_name(ev.node), ev.seq),
                EventIdx(i as u32),
            );
        }
        for (i, ev) in self.events.iter().enumerate() {
            if let Some(id) = ev.user_id() {
                index.insert(id.to_string(), EventIdx(i as u32));
            }
        }
        index
    }
}

impl Trace {
    /// The event an id names, by [`Trace::id_index`]; an unknown id is a usage error that
    /// shows an id that would work.
    pub fn resolve_id(
        &self,
        index: &HashMap<String, EventIdx>,
        id: &str,
    ) -> Result<EventIdx, crate::error::Error> {
        if let Some(&e) = index.get(id) {
            return Ok(e);
        }
        let example = self.by_node.iter().find_map(|lane| lane.first());
        let hint = match example {
            None => "the input has no events".to_string(),
            Some(&e) if self.given.is_some() => format!(
                "expected the input's \"id\", such as {:?}",
                self.event_id(e).to_string()
            ),
            Some(&e) => format!(
                "expected the input's \"id\" or NODE#N, such as {:?}",
                self.event_id(e).to_string()
            ),
        };
        Err(crate::error::Error::Usage(format!(
            "unknown event id {id:?}: {hint}"
        )))
    }
}

impl Trace {
    /// The nodes `names` names, in their order, each once; an unknown name is a usage error
    /// (about `option`) that lists the nodes there are.
    pub fn resolve_nodes(
        &self,
        names: &[String],
        option: &str,
    ) -> Result<Vec<NodeId>, crate::error::Error> {
        let mut nodes = Vec::with_capacity(names.len());
        for name in names {
            let Some(n) = self.node_by_name(name) else {
                const SHOWN: usize = 10;
                let mut known: Vec<String> = self
                    .nodes
                    .iter()
                    .take(SHOWN)
                    .map(|n| format!("{n:?}"))
                    .collect();
                if self.nodes.len() > SHOWN {
                    known.push(format!("and {} more", self.nodes.len() - SHOWN));
                }
                let there = if known.is_empty() {
                    "the input has no nodes".to_string()
                } else {
                    format!("the nodes are {}", known.join(", "))
                };
                return Err(crate::error::Error::Usage(format!(
                    "unknown node {name:?} in {option}: {there}"
                )));
            };
            if !nodes.contains(&n) {
                nodes.push(n);
            }
        }
        Ok(nodes)
    }
}

/// An event's display id, written without allocating.
#[derive(Clone, Copy, Debug)]
pub enum EventName<'a> {
    /// The id the input gave.
    User(&'a str),
    /// `NODE#N`.
    Positional(&'a str, u32),
}

impl fmt::Display for EventName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventName::User(id) => f.write_str(id),
            EventName::Positional(node, n) => write!(f, "{node}#{n}"),
        }
    }
}

/// `file:line`, for messages.
#[derive(Clone, Copy, Debug)]
pub struct Location<'a> {
    /// The file as the user named it.
    pub file: &'a str,
    /// 1-based line.
    pub line: u32,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn raw(node: &str, line: u32) -> RawEvent {
        RawEvent {
            node: node.into(),
            line,
            ..RawEvent::default()
        }
    }

    #[test]
    fn nodes_are_numbered_by_name_and_events_by_program_order() {
        let mut b = TraceBuilder::new();
        let f = b.add_file("x.jsonl");
        b.push(f, raw("zeta", 1));
        b.push(f, raw("alpha", 2));
        b.push(f, raw("zeta", 3));
        let t = b.finish();
        assert_eq!(t.nodes, vec!["alpha", "zeta"]);
        assert_eq!(t.events[0].node, NodeId(1));
        assert_eq!(t.events[2].seq, 2);
        assert_eq!(t.by_node[1], vec![EventIdx(0), EventIdx(2)]);
        assert_eq!(t.event_id(EventIdx(2)).to_string(), "zeta#2");
        assert_eq!(t.node_by_name("zeta"), Some(NodeId(1)));
        assert_eq!(t.location(EventIdx(1)).to_string(), "x.jsonl:2");
    }

    #[test]
    fn several_executions_are_labelled_or_selected() {
        let build = || {
            let mut b = TraceBuilder::new();
            let f = b.add_file("x");
            b.start_execution("run 1");
            b.push(f, raw("a", 1));
            b.start_execution("run 2");
            b.push(f, raw("a", 2));
            b.push(f, raw("a", 3));
            b
        };
        let all = build().finish();
        assert_eq!(all.nodes, vec!["run 1/a", "run 2/a"]);
        assert_eq!(all.events[2].seq, 2);
        assert_eq!(all.events[0].fields.get("execution").unwrap(), "run 1");
        let second = build().finish_execution(Some("2")).unwrap();
        assert_eq!(second.nodes, vec!["a"]);
        assert_eq!(second.len(), 2);
        assert_eq!(second.events[0].source.line, 2);
        let by_name = build().finish_execution(Some("run 1")).unwrap();
        assert_eq!(by_name.len(), 1);
        let err = build().finish_execution(Some("run 3")).unwrap_err();
        assert!(err.contains("1 (\"run 1\"), 2 (\"run 2\")"), "{err}");
    }

    #[test]
    fn fields_know_their_tracked_keys_and_keep_their_text() {
        let f = Fields::from_object_text(
            r#"{"hlc":1,"id":"x","z":{"node":2}}"#.to_string(),
            ["hlc", "id", "z"].into_iter(),
        );
        assert_eq!(f.as_json(), r#"{"hlc":1,"id":"x","z":{"node":2}}"#);
        assert!(f.has("hlc") && f.has("id"));
        assert!(!f.has("node") && !f.has("vc") && !f.has("lamport") && !f.has("z"));
        let all = Fields::from_map(
            &serde_json::from_str(r#"{"id":1,"node":2,"lamport":3,"vc":4,"hlc":5}"#).unwrap(),
        );
        assert!(TRACKED_KEYS.iter().all(|k| all.has(k)));
        assert_eq!(all.get("vc").unwrap(), 4);
        assert!(Fields::default().as_json().is_empty() && !Fields::default().has("id"));
    }

    #[test]
    fn a_builder_that_drops_fields_keeps_none() {
        let mut b = TraceBuilder::new();
        b.drop_fields();
        let f = b.add_file("x");
        b.start_execution("run 1");
        let mut first = raw("a", 1);
        first.fields.insert("extra".into(), Value::from(1));
        b.push(f, first);
        b.start_execution("run 2");
        let mut second = raw("a", 2);
        second.fields_text = Some(Fields::from_object_text(
            r#"{"node":"a"}"#.to_string(),
            ["node"].into_iter(),
        ));
        b.push(f, second);
        let t = b.finish();
        assert!(t.events.iter().all(|ev| ev.fields.is_empty()));
        assert_eq!(t.nodes, vec!["run 1/a", "run 2/a"]);
    }

    #[test]
    fn unknown_ids_are_named_with_an_example_of_a_good_one() {
        let t = test_trace(&[("a", "send", "m"), ("a", "local", ""), ("b", "recv", "m")]);
        let err = t.resolve_id(&t.id_index(), "zz#9").unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown event id \"zz#9\": expected the input's \"id\" or NODE#N, such as \"a#1\""
        );
        let empty = Trace::default();
        let err = empty
            .resolve_id(&empty.id_index(), "a#1")
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("the input has no events"), "{err}");
    }

    #[test]
    fn events_past_the_limit_are_refused_naming_the_first() {
        let mut b = TraceBuilder::with_event_limit(2);
        let f = b.add_file("x.jsonl");
        for line in 1..=4 {
            b.push(f, raw("a", line));
        }
        let err = b.check_limits().unwrap_err();
        assert_eq!(err.to_string(), "x.jsonl:3: expected at most 2 events");
        assert_eq!(b.pushed(), 2);
        assert!(TraceBuilder::new().check_limits().is_ok());
    }

    #[test]
    fn user_ids_win_over_positional_names() {
        let mut b = TraceBuilder::new();
        let f = b.add_file("x");
        b.push(f, raw("a", 1));
        let mut second = raw("b", 2);
        second.id = Some("a#1".into());
        b.push(f, second);
        let t = b.finish();
        let index = t.id_index();
        assert_eq!(index["a#1"], EventIdx(1));
        assert_eq!(index["b#1"], EventIdx(1));
    }
}
