//! Builds a [`Trace`] from the events parsers produce: numbers nodes and keys, assigns each
//! event its place in program order, keeps executions apart, and carries given clocks. It
//! reads no input and computes no clock.

// foldhash, not SipHash, for the per-event lookups of message and node names: hashing was
// about 3% of `stamp`'s instructions (callgrind, 10^5 events). Its seed is random per run, so
// a log cannot be written to collide on purpose without knowing it.
use foldhash::{HashMap, HashMapExt};

use serde_json::{Map, Value};

use super::*;

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
    /// Marks on its messages.
    pub flags: EventFlags,
    /// The span it belongs to (distributed traces).
    pub span: Option<Box<RawSpan>>,
    /// The clocks the input gave (stamped input only).
    pub given: Option<Box<GivenStamp>>,
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
    /// Given clocks of the events pushed so far, by builder node id (stamped input).
    given: GivenClocks,
    /// Per builder node, the index of its last event with a given clock (`u32::MAX`: none),
    /// to apply a `vc_delta` to.
    given_last: Vec<u32>,
    /// Per builder node, the number of the last given clock that named it (duplicate check).
    vc_seen: Vec<u32>,
    /// The members of the given clock being read, reused.
    vc_scratch: Vec<(NodeId, u32)>,
    /// How many pushed events came with given clocks.
    given_events: usize,
    /// The first event past what the trace can number, if any (see [`MAX_EVENTS`]).
    overflow: Option<InputError>,
    /// [`MAX_EVENTS`], or fewer for tests of the limit.
    event_limit: Option<usize>,
    /// Spans seen so far, by (trace id, span id), and each pushed event's span (empty until
    /// an event has one).
    span_ids: HashMap<(String, String), u32>,
    spans: Vec<Span>,
    span_of: Vec<Option<(u32, SpanPhase)>>,
}

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
        self.reject(file, line, format!("expected at most {what}"));
    }

    /// Stops the build at `file:line` with `message` (the first one stands).
    fn reject(&mut self, file: u32, line: u32, message: String) {
        if self.overflow.is_none() {
            let name = self.files.get(file as usize).map_or("", String::as_str);
            self.overflow = Some(InputError::new(name, line, message));
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
        let keep_fields = !self.drop_fields;
        let ev = &mut self.events[index];
        // The role goes into the fields too (`kind` and `msg`, then `more_roles`), as the
        // native format spells roles, so that writing the event and reading it back keeps it.
        if ev.kind == EventKind::Local && ev.msg.is_none() {
            if keep_fields {
                ev.fields.insert("kind", Value::from(role.kind.as_str()));
                ev.fields.insert("msg", Value::from(&*role.msg));
            }
            ev.kind = role.kind;
            ev.msg = Some(role.msg);
        } else {
            let extra = ev.extra.get_or_insert_with(Box::default);
            extra.more_roles.push(role);
            if keep_fields {
                ev.fields
                    .insert("more_roles", Role::json_list(&extra.more_roles));
            }
        }
    }

    fn current_execution(&self) -> u32 {
        // start_execution keeps them fewer than u32::MAX.
        self.executions.len().saturating_sub(1) as u32
    }

    // Interning looks names up by reference and copies a name only the first time. `None`
    // past MAX_EVENTS nodes (given clocks name nodes too, not only events).
    fn intern_node(&mut self, name: String) -> Option<NodeId> {
        let execution = self.current_execution();
        if self.node_ids.len() <= execution as usize {
            self.node_ids
                .resize_with(execution as usize + 1, HashMap::new);
        }
        if let Some(&id) = self.node_ids[execution as usize].get(&name) {
            return Some(NodeId(id));
        }
        if self.nodes.len() >= MAX_EVENTS {
            return None;
        }
        let id = self.nodes.len() as u32;
        self.node_ids[execution as usize].insert(name.clone(), id);
        self.nodes.push(name);
        self.node_execution.push(execution);
        Some(NodeId(id))
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

    /// How many events pushed so far came with given clocks (stamped input): none, or all
    /// of them, for the trace to be read as stamped.
    pub fn given_events(&self) -> usize {
        self.given_events
    }

    /// Records the given clock of the event being pushed on `node` (stamped input), applying a
    /// `vc_delta` to the node's previous clock; `false` when a limit refused the event.
    fn push_given(&mut self, file: u32, line: u32, node: NodeId, stamp: GivenStamp) -> bool {
        if self.given.starts.is_empty() {
            self.given.starts.push(0);
        }
        self.given_events += 1;
        self.given.lamport.push(stamp.lamport);
        // Reused from event to event: no allocation per stamped line.
        let mut members = std::mem::take(&mut self.vc_scratch);
        members.clear();
        for (name, count) in stamp.vc {
            let Some(n) = self.intern_node(name) else {
                self.refuse(file, line, format!("{MAX_EVENTS} nodes"));
                return false;
            };
            members.push((n, count));
        }
        // Each node once: JSON allows a repeated key, a clock does not. `vc_seen[n]` is the
        // number (from 1) of the last given event that named n.
        let number = self.given.lamport.len() as u32;
        for &(n, _) in &members {
            if self.vc_seen.len() <= n.index() {
                self.vc_seen.resize(n.index() + 1, 0);
            }
            if self.vc_seen[n.index()] == number {
                let key = if stamp.delta { "vc_delta" } else { "vc" };
                let message = format!(
                    "expected each node once in {key:?}, but {:?} appears twice",
                    self.nodes[n.index()]
                );
                self.reject(file, line, message);
                return false;
            }
            self.vc_seen[n.index()] = number;
        }
        // A `vc_delta` holds the members changed since the node's previous event: the
        // clock is that event's with these applied.
        let previous = self
            .given_last
            .get(node.index())
            .copied()
            .filter(|&p| p != u32::MAX);
        match previous {
            Some(p) if stamp.delta => {
                let (a, b) = (
                    self.given.starts[p as usize] as usize,
                    self.given.starts[p as usize + 1] as usize,
                );
                // The previous clock copied to the end, then the delta applied to the copy.
                let start = self.given.members.len();
                self.given.members.extend_from_within(a..b);
                self.given.members[start..].sort_unstable_by_key(|&(n, _)| n);
                for &(n, count) in &members {
                    let clock = &self.given.members[start..];
                    match clock.binary_search_by_key(&n, |&(m, _)| m) {
                        Ok(i) => self.given.members[start + i].1 = count,
                        Err(i) => self.given.members.insert(start + i, (n, count)),
                    }
                }
            }
            _ => self.given.members.extend_from_slice(&members),
        }
        self.vc_scratch = members;
        if self.given_last.len() <= node.index() {
            self.given_last.resize(node.index() + 1, u32::MAX);
        }
        // Fewer than MAX_EVENTS given events.
        self.given_last[node.index()] = (self.given.lamport.len() - 1) as u32;
        let Ok(members) = u32::try_from(self.given.members.len()) else {
            self.refuse(
                file,
                line,
                format!("{} vector-clock members in all", u32::MAX),
            );
            return false;
        };
        self.given.starts.push(members);
        true
    }

    /// Adds one event from file `file`, after the events already added for its node.
    ///
    /// Past [`MAX_EVENTS`] events (or nodes, or `u32::MAX` keys or given clock members) the
    /// event is refused and so is every later one; [`TraceBuilder::check_limits`] then names
    /// where.
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
        let Some(node) = self.intern_node(raw.node) else {
            self.refuse(file, raw.line, format!("{MAX_EVENTS} nodes"));
            return;
        };
        // Given clocks are recorded only for stamped input (every event has them, or none).
        if let Some(stamp) = raw.given {
            if !self.push_given(file, raw.line, node, *stamp) {
                return;
            }
        }
        if let Some(span) = &raw.span {
            let key = (span.trace_id.clone(), span.span_id.clone());
            // At most one new span per event: fewer than MAX_EVENTS.
            let next = self.spans.len() as u32;
            let id = *self.span_ids.entry(key).or_insert(next);
            if id == next {
                self.spans.push(Span {
                    trace_id: span.trace_id.as_str().into(),
                    span_id: span.span_id.as_str().into(),
                    kind: span.kind.as_deref().map(Into::into),
                    parent_id: None,
                });
            }
            // Any event of the span may name its parent (the start event does).
            let entry = &mut self.spans[id as usize];
            if entry.parent_id.is_none() {
                entry.parent_id = span.parent_id.as_deref().map(Into::into);
            }
            self.span_of.resize(self.events.len(), None);
            self.span_of.push(Some((id, span.phase)));
        } else if !self.span_of.is_empty() {
            self.span_of.push(None);
        }
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
        let fields = match raw.fields_text {
            _ if self.drop_fields => Fields::default(),
            Some(text) => text,
            None => {
                // A label the parser took from another field (ShiViz's `event`, a span's
                // name) is written as `label` too, so that reading the output back keeps it.
                let mut fields = raw.fields;
                if let (Some(label), false) = (&raw.label, fields.contains_key("label")) {
                    fields.insert("label".to_string(), Value::from(label.as_str()));
                }
                Fields::from_map(&fields)
            }
        };
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
            flags: raw.flags,
            msg: raw.msg.map(String::into_boxed_str),
            // The one instant taken for "no time" moves a nanosecond later.
            time: raw.time.map_or(NO_TIME, |t| t.0.max(NO_TIME + 1)),
            label: raw.label.map(String::into_boxed_str),
            keys,
            source: Source {
                file,
                line: raw.line,
            },
            fields,
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
        let stamped = self.given_events > 0;
        if let Some(x) = keep {
            let node_execution = &self.node_execution;
            if stamped {
                self.given = self
                    .given
                    .retain(|e| node_execution[self.events[e].node.index()] == x);
            }
            if !self.span_of.is_empty() {
                self.span_of.resize(self.events.len(), None);
                let events = &self.events;
                let mut i = 0;
                self.span_of.retain(|_| {
                    i += 1;
                    node_execution[events[i - 1].node.index()] == x
                });
            }
            self.events
                .retain(|ev| node_execution[ev.node.index()] == x);
        }
        if !self.span_of.is_empty() {
            self.span_of.resize(self.events.len(), None);
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
        // Nodes that only given vector clocks name are nodes without events of their own.
        if stamped {
            for &(n, _) in &self.given.members {
                used[n.index()] = true;
            }
        }
        // Every index below is of at most MAX_EVENTS events (or nodes): it fits u32.
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
        let given = stamped.then(|| {
            let mut given = self.given;
            for member in &mut given.members {
                member.0 = NodeId(renumber[member.0.index()]);
            }
            for (e, ev) in events.iter_mut().enumerate() {
                let (a, b) = (given.starts[e] as usize, given.starts[e + 1] as usize);
                given.members[a..b].sort_unstable_by_key(|&(n, _)| n);
                // An event's position is its own component of its given clock (the parser
                // makes sure the clock has one).
                ev.seq = given.get(EventIdx(e as u32), ev.node);
            }
            given
        });
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
            given,
            spans: self.spans,
            span_of: self.span_of,
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

/// A trace for unit tests of timed messages: each `(from, to, send ms, recv ms)` a send and
/// its receive on lines of their own (message `m<i>`), then one untimed local event for each
/// node of `idle`, all in file `t.jsonl`.
#[cfg(test)]
pub(crate) fn test_message_trace(messages: &[(&str, &str, i64, i64)], idle: &[&str]) -> Trace {
    let mut b = TraceBuilder::new();
    let f = b.add_file("t.jsonl");
    let mut line = 0;
    for (i, &(from, to, s, r)) in messages.iter().enumerate() {
        for (node, kind, t) in [(from, EventKind::Send, s), (to, EventKind::Recv, r)] {
            line += 1;
            b.push(
                f,
                RawEvent {
                    node: node.into(),
                    kind: Some(kind),
                    msg: Some(format!("m{i}")),
                    time: Some(Timestamp(t * 1_000_000)),
                    line,
                    ..RawEvent::default()
                },
            );
        }
    }
    for node in idle {
        line += 1;
        b.push(
            f,
            RawEvent {
                node: node.to_string(),
                line,
                ..RawEvent::default()
            },
        );
    }
    b.finish()
}

/// An event for unit tests: `kind` of `msg` (an empty `msg` for none) on `node` at `ms`
/// milliseconds, with no line.
#[cfg(test)]
pub(crate) fn test_event(node: &str, kind: EventKind, msg: &str, ms: i64) -> RawEvent {
    RawEvent {
        node: node.into(),
        kind: Some(kind),
        msg: (!msg.is_empty()).then(|| msg.to_string()),
        time: Some(Timestamp(ms * 1_000_000)),
        ..RawEvent::default()
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
