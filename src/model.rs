//! The trace model: events, nodes and where each event came from.
//!
//! Everything above this layer (parsers, clock engines, analyses, renderers) speaks these
//! types. This module holds data and small lookups only: it does no I/O and computes no clocks.

use std::collections::HashMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::error::InputError;

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

/// An event's own fields, kept as the compact text of one JSON object.
///
/// Text instead of a parsed map keeps an event small (a `serde_json::Map` of a typical log
/// line costs about a kilobyte) and lets writers copy the fields out unchanged. Readers that
/// need values parse on demand with [`Fields::to_map`] or [`Fields::get`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    /// One character saying which of the names writers care about occur as keys
    /// ([`Fields::has`]: `'@'` plus one bit per name of [`TRACKED_KEYS`]), then a JSON object
    /// without whitespace between its top-level members. Empty for no fields at all. The
    /// character rides in the text because a separate byte would cost an event eight.
    text: Box<str>,
}

/// Keys that [`Fields::has`] answers without parsing.
pub const TRACKED_KEYS: [&str; 5] = ["id", "node", "lamport", "vc", "hlc"];

// The mask character stays ASCII ('@' plus six bits at most).
const _: () = assert!(TRACKED_KEYS.len() <= 6);

impl Fields {
    /// The fields of a parsed JSON object.
    pub fn from_map(map: &Map<String, Value>) -> Fields {
        let json = serde_json::to_string(map).unwrap_or_else(|_| "{}".to_string());
        Fields::pack(&json, tracked_mask(map.keys().map(String::as_str)))
    }

    /// Fields from the text of a JSON object whose top-level keys are `keys`; the caller
    /// guarantees that `json` is one valid object without top-level whitespace.
    /// One spare byte of capacity in `json` spares a copy.
    pub fn from_object_text<'k>(mut json: String, keys: impl Iterator<Item = &'k str>) -> Fields {
        json.insert(0, char::from(b'@' + tracked_mask(keys)));
        Fields {
            text: json.into_boxed_str(),
        }
    }

    fn pack(json: &str, mask: u8) -> Fields {
        let mut text = String::with_capacity(json.len() + 1);
        text.push(char::from(b'@' + mask));
        text.push_str(json);
        Fields {
            text: text.into_boxed_str(),
        }
    }

    /// The JSON object text.
    pub fn as_json(&self) -> &str {
        self.text.get(1..).unwrap_or_default()
    }

    /// Whether `key` (one of [`TRACKED_KEYS`]) is a field.
    pub fn has(&self, key: &str) -> bool {
        let mask = self.text.as_bytes().first().map_or(0, |c| c - b'@');
        TRACKED_KEYS
            .iter()
            .position(|k| *k == key)
            .is_some_and(|i| mask & (1 << i) != 0)
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.as_json().len() <= 2
    }

    /// The fields as a map (parses the text).
    pub fn to_map(&self) -> Map<String, Value> {
        serde_json::from_str(self.as_json()).unwrap_or_default()
    }

    /// The value of one field (parses the text).
    pub fn get(&self, key: &str) -> Option<Value> {
        self.to_map().remove(key)
    }

    /// Sets a field, keeping the order of the others (parses and rewrites the text).
    pub fn insert(&mut self, key: &str, value: Value) {
        let mut map = self.to_map();
        map.insert(key.to_string(), value);
        *self = Fields::from_map(&map);
    }
}

/// At most five bits, so `'@'` plus the mask is one ASCII character (`@` to `_`).
fn tracked_mask<'k>(keys: impl Iterator<Item = &'k str>) -> u8 {
    let mut mask = 0;
    for key in keys {
        if let Some(i) = TRACKED_KEYS.iter().position(|k| *k == key) {
            mask |= 1 << i;
        }
    }
    mask
}

/// A whole execution: its nodes, their events in program order, and the files they came from.
///
/// Invariants (established by [`TraceBuilder::finish`]): node ids are sorted by name;
/// `by_node[n]` lists node `n`'s events in program order and `events[by_node[n][k]].seq == k + 1`;
/// there are at most [`MAX_EVENTS`] events, so every count and index of events, nodes and
/// positions fits a `u32` below `u32::MAX` (free for sentinels).
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

impl RawEvent {
    /// Every message role of the event, as [`Event::roles`] gives them.
    pub fn roles(&self) -> impl Iterator<Item = (EventKind, &str)> {
        let first = match (&self.msg, self.kind) {
            (Some(m), Some(k @ (EventKind::Send | EventKind::Recv))) => Some((k, m.as_str())),
            _ => None,
        };
        first
            .into_iter()
            .chain(self.more_roles.iter().map(|r| (r.kind, &*r.msg)))
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
        for (i, ev) in self.events.iter().enumerate() {
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

/// An event as a parser produces it, before nodes and keys are numbered.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawEvent {
    /// Node name.
    pub node: String,
    /// Local, send or receive.
    pub kind: Option<EventKind>,
    /// Message id.
    pub msg: Option<String>,
    /// Further message roles (see [`Role`]).
    pub more_roles: Vec<Role>,
    /// Intended receivers.
    pub to: Vec<String>,
    /// Wall-clock time.
    pub time: Option<Timestamp>,
    /// Label text.
    pub label: Option<String>,
    /// The user's own id.
    pub id: Option<String>,
    /// Keys read.
    pub reads: Vec<String>,
    /// Keys written.
    pub writes: Vec<String>,
    /// Line number in the file.
    pub line: u32,
    /// The input's own fields.
    pub fields: Map<String, Value>,
    /// The same fields already as text, when the parser has them so (the native format);
    /// then `fields` is left empty.
    pub fields_text: Option<Fields>,
}

/// Builds a [`Trace`] from parsed events, numbering nodes and keys.
#[derive(Debug, Default)]
pub struct TraceBuilder {
    files: Vec<String>,
    executions: Vec<String>,
    /// Execution of each node (by builder node id).
    node_execution: Vec<u32>,
    /// Node ids by name, one map per execution.
    node_ids: Vec<HashMap<String, u32>>,
    nodes: Vec<String>,
    key_ids: HashMap<String, u32>,
    keys: Vec<String>,
    events: Vec<Event>,
    diagnostics: Vec<Diagnostic>,
    /// Leave every event's [`Fields`] empty (see [`TraceBuilder::drop_fields`]).
    drop_fields: bool,
    /// The first event past what the trace can number, if any (see [`MAX_EVENTS`]).
    overflow: Option<InputError>,
    /// [`MAX_EVENTS`], or fewer for tests of the limit.
    event_limit: Option<usize>,
}

/// The most events a trace holds: events, nodes and positions are numbered in `u32`, one value
/// spared. [`TraceBuilder::push`] refuses more; so every index into a trace fits.
pub const MAX_EVENTS: usize = u32::MAX as usize - 1;

impl TraceBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps no pass-through fields: every event's [`Fields`] stays empty. For commands that
    /// never print them, this saves about the input's size in memory.
    pub fn drop_fields(&mut self) {
        self.drop_fields = true;
    }

    /// Makes room for `more` events at once: a table of millions of events that grows by
    /// doubling holds both its old and its new copy while it moves, a transient peak of
    /// twice its size.
    pub fn reserve_events(&mut self, more: usize) {
        self.events.reserve(more);
    }

    /// Whether events keep their fields; a parser may skip building what would be dropped.
    pub fn keeps_fields(&self) -> bool {
        !self.drop_fields
    }

    /// Registers an input file and returns its index for [`TraceBuilder::push`].
    pub fn add_file(&mut self, name: impl Into<String>) -> u32 {
        self.files.push(name.into());
        u32::try_from(self.files.len() - 1)
            .expect("input files are named on a command line: far fewer than u32::MAX")
    }

    /// A builder that takes at most `limit` events (at most [`MAX_EVENTS`]): for tests of
    /// what happens at the limit, which no test can reach with four billion events.
    pub fn with_event_limit(limit: usize) -> Self {
        TraceBuilder {
            event_limit: Some(limit.min(MAX_EVENTS)),
            ..TraceBuilder::default()
        }
    }

    /// The first event that did not fit (see [`MAX_EVENTS`]): parsers push on without looking,
    /// and whoever drives them asks here after each file.
    pub fn check_limits(&self) -> Result<(), InputError> {
        match &self.overflow {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn refuse(&mut self, file: u32, line: u32, what: String) {
        if self.overflow.is_none() {
            let name = self.files.get(file as usize).map_or("", String::as_str);
            self.overflow = Some(InputError::new(
                name,
                line,
                format!("expected at most {what}"),
            ));
        }
    }

    /// Starts a new execution: events pushed from now on belong to it, and its nodes are
    /// distinct from other executions' nodes of the same name.
    pub fn start_execution(&mut self, label: impl Into<String>) {
        if self.executions.len() >= MAX_EVENTS {
            let file = u32::try_from(self.files.len().saturating_sub(1)).unwrap_or(0);
            self.refuse(file, 0, format!("{MAX_EVENTS} executions"));
            return;
        }
        self.executions.push(label.into());
    }

    /// Records a problem that parsing passed over.
    pub fn add_diagnostic(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Labels of the executions started so far; events pushed now belong to the last.
    pub fn executions(&self) -> &[String] {
        &self.executions
    }

    /// How many events have been pushed: the next [`TraceBuilder::push`] is event `pushed()`.
    pub fn pushed(&self) -> usize {
        self.events.len()
    }

    /// Gives the `index`-th pushed event one more message role: its first role fills
    /// `kind`/`msg`, later ones go to `more_roles`. For parsers that infer messages after
    /// reading (vector-clock logs).
    pub fn add_role(&mut self, index: usize, role: Role) {
        let ev = &mut self.events[index];
        if ev.kind == EventKind::Local && ev.msg.is_none() {
            ev.kind = role.kind;
            ev.msg = Some(role.msg);
        } else {
            ev.extra
                .get_or_insert_with(Box::default)
                .more_roles
                .push(role);
        }
    }

    fn current_execution(&self) -> u32 {
        // start_execution keeps them fewer than u32::MAX.
        self.executions.len().saturating_sub(1) as u32
    }

    // Interning looks names up by reference and copies a name only the first time.
    fn intern_node(&mut self, name: String) -> NodeId {
        let execution = self.current_execution();
        if self.node_ids.len() <= execution as usize {
            self.node_ids
                .resize_with(execution as usize + 1, HashMap::new);
        }
        if let Some(&id) = self.node_ids[execution as usize].get(&name) {
            return NodeId(id);
        }
        // A node is interned for an event pushed: fewer than MAX_EVENTS.
        let id = self.nodes.len() as u32;
        self.node_ids[execution as usize].insert(name.clone(), id);
        self.nodes.push(name);
        self.node_execution.push(execution);
        NodeId(id)
    }

    fn intern_key(&mut self, name: String) -> Option<KeyId> {
        if let Some(&id) = self.key_ids.get(&name) {
            return Some(KeyId(id));
        }
        let id = u32::try_from(self.keys.len())
            .ok()
            .filter(|&id| id < u32::MAX)?;
        self.key_ids.insert(name.clone(), id);
        self.keys.push(name);
        Some(KeyId(id))
    }

    /// Adds one event from file `file`, after the events already added for its node.
    ///
    /// Past [`MAX_EVENTS`] events (or `u32::MAX` keys) the event is refused and so is every
    /// later one; [`TraceBuilder::check_limits`] then names where.
    pub fn push(&mut self, file: u32, raw: RawEvent) {
        if self.overflow.is_some() {
            return;
        }
        let limit = self.event_limit.unwrap_or(MAX_EVENTS);
        if self.events.len() >= limit {
            self.refuse(file, raw.line, format!("{limit} events"));
            return;
        }
        let Ok(writes_len) = u32::try_from(raw.writes.len()) else {
            self.refuse(
                file,
                raw.line,
                format!("{} keys written by one event", u32::MAX),
            );
            return;
        };
        let keys: Option<Box<[KeyId]>> = raw
            .writes
            .into_iter()
            .chain(raw.reads)
            .map(|k| self.intern_key(k))
            .collect();
        let Some(keys) = keys else {
            self.refuse(file, raw.line, format!("{} distinct keys", u32::MAX - 1));
            return;
        };
        let node = self.intern_node(raw.node);
        let extra =
            (!raw.more_roles.is_empty() || !raw.to.is_empty() || raw.id.is_some()).then(|| {
                Box::new(EventExtra {
                    more_roles: raw.more_roles,
                    to: raw.to.into_iter().map(String::into_boxed_str).collect(),
                    user_id: raw.id.map(String::into_boxed_str),
                })
            });
        self.events.push(Event {
            node,
            seq: 0,
            writes_len,
            kind: raw.kind.unwrap_or(EventKind::Local),
            msg: raw.msg.map(String::into_boxed_str),
            // The one instant taken for "no time" moves a nanosecond later.
            time: raw.time.map_or(NO_TIME, |t| t.0.max(NO_TIME + 1)),
            label: raw.label.map(String::into_boxed_str),
            keys,
            source: Source {
                file,
                line: raw.line,
            },
            fields: match raw.fields_text {
                _ if self.drop_fields => Fields::default(),
                Some(text) => text,
                None => Fields::from_map(&raw.fields),
            },
            extra,
        });
    }

    /// Numbers nodes by name and assigns each event its position in program order.
    pub fn finish(self) -> Trace {
        self.finish_execution(None)
            .expect("selecting no execution cannot fail")
    }

    /// Like [`TraceBuilder::finish`], keeping only the execution named `selection` (its label,
    /// or its 1-based index). With several executions and no selection, all are kept and
    /// node names become `LABEL/NODE`; events get an `execution` field.
    pub fn finish_execution(mut self, selection: Option<&str>) -> Result<Trace, String> {
        let many = self.executions.len() > 1;
        let keep: Option<u32> = match selection {
            None => None,
            Some(sel) => Some(self.execution_index(sel)?),
        };
        if let Some(x) = keep {
            let node_execution = &self.node_execution;
            self.events
                .retain(|ev| node_execution[ev.node.index()] == x);
        }
        let label_nodes = many && keep.is_none();
        let display: Vec<String> = self
            .nodes
            .iter()
            .zip(&self.node_execution)
            .map(|(name, &x)| {
                if label_nodes {
                    format!("{}/{name}", self.executions[x as usize])
                } else {
                    name.clone()
                }
            })
            .collect();
        let mut used = vec![false; display.len()];
        for ev in &self.events {
            used[ev.node.index()] = true;
        }
        // Every index below is of fewer than MAX_EVENTS events (or nodes): it fits u32.
        let mut order: Vec<u32> = (0..display.len() as u32)
            .filter(|&n| used[n as usize])
            .collect();
        order.sort_by(|&a, &b| display[a as usize].cmp(&display[b as usize]));
        let mut renumber = vec![0u32; display.len()];
        for (new, &old) in order.iter().enumerate() {
            renumber[old as usize] = new as u32;
        }
        let nodes: Vec<String> = order
            .iter()
            .map(|&old| display[old as usize].clone())
            .collect();
        let mut by_node: Vec<Vec<EventIdx>> = vec![Vec::new(); nodes.len()];
        let mut events = self.events;
        for (i, ev) in events.iter_mut().enumerate() {
            if label_nodes && !self.drop_fields {
                let label = &self.executions[self.node_execution[ev.node.index()] as usize];
                ev.fields.insert("execution", Value::String(label.clone()));
            }
            ev.node = NodeId(renumber[ev.node.index()]);
            let lane = &mut by_node[ev.node.index()];
            lane.push(EventIdx(i as u32));
            ev.seq = lane.len() as u32;
        }
        let executions = match keep {
            Some(x) => self
                .executions
                .get(x as usize)
                .cloned()
                .into_iter()
                .collect(),
            None if many => self.executions,
            None => Vec::new(),
        };
        Ok(Trace {
            files: self.files,
            nodes,
            keys: self.keys,
            events,
            by_node,
            executions,
            diagnostics: self.diagnostics,
        })
    }

    /// The execution `selection` names (its label, or its 1-based index), as
    /// [`TraceBuilder::finish_execution`] resolves it.
    pub fn execution_index(&self, selection: &str) -> Result<u32, String> {
        if let Some(i) = self.executions.iter().position(|l| l == selection) {
            return Ok(i as u32);
        }
        if let Ok(n) = selection.parse::<usize>() {
            if n >= 1 && n <= self.executions.len().max(1) {
                return Ok(n as u32 - 1);
            }
        }
        let known = if self.executions.is_empty() {
            "the input holds one unnamed execution (1)".to_string()
        } else {
            format!(
                "the input holds {}",
                self.executions
                    .iter()
                    .enumerate()
                    .map(|(i, l)| format!("{} ({l:?})", i + 1))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        Err(format!("no execution {selection:?}: {known}"))
    }
}

/// A trace for unit tests: one line per `(node, kind, msg)` (an empty `msg` for none), each
/// node's events in the order given, all in file `t.jsonl`.
#[cfg(test)]
pub(crate) fn test_trace(events: &[(&str, &str, &str)]) -> Trace {
    let mut b = TraceBuilder::new();
    let f = b.add_file("t.jsonl");
    for (i, (node, kind, msg)) in events.iter().enumerate() {
        b.push(
            f,
            RawEvent {
                node: node.to_string(),
                kind: Some(crate::parse::fields::parse_kind(kind).unwrap()),
                msg: (!msg.is_empty()).then(|| msg.to_string()),
                line: i as u32 + 1,
                ..RawEvent::default()
            },
        );
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

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
