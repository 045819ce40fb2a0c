//! Distributed-trace spans (OTLP, Jaeger, Zipkin) turned into events, and the JSON reading the
//! three formats share.
//!
//! The format parsers only translate their JSON into [`Span`]s and hand them to a
//! [`SpanCollector`]. Once every file is read, [`SpanCollector::finish`] resolves parents
//! across files, draws the happens-before edges and pushes each node's events in program order.
//! Nothing here prints: warnings come back as text for `cmd` to show.
//!
//! # From spans to events
//!
//! A span's node is its process: `service@host`, or `service` when no host is known. Each span
//! becomes a start event, its own events (OTLP events, Jaeger logs, Zipkin annotations) in time
//! order, and an end event. Edges, from a parent span P to its child C:
//! - P and C on different nodes: P's start sends to C's start (the context crossed a process
//!   boundary); when P is a CLIENT and C a SERVER, C's end also sends to P's end (the reply).
//!   A PRODUCER's start thus sends to its CONSUMER's start, with no reply.
//! - P and C on one node: C's start comes after P's start, and C's end before P's end, each only
//!   when the times agree (or a time is missing); these are program-order constraints, not
//!   messages.
//!
//! Links are recorded in a `links` field; with `--links-as-causal` a linked span's start comes
//! before the linking span's start (a message across nodes, a constraint on one node).
//!
//! # Program order
//!
//! A node's events are ordered by time (untimed events take a time from their span or parent),
//! ties broken by ends before span events before starts, then by span and position. That order
//! must agree with every edge above, or the causal order would have a cycle. Same-node edges
//! only exist when the times agree, so they rarely disagree; cross-node edges never reorder a
//! node unless no node can go on otherwise (contradictory data): then the earliest event that
//! every edge allows is taken out of time order, and a warning counts such events.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, SecondsFormat};
use serde_json::{Map, Value};

use super::{FileContext, Format};
use crate::error::{InputError, Result};
use crate::input::{position, saturate, Input};
use crate::model::{EventKind, RawEvent, Role, Timestamp, TraceBuilder, MAX_EVENTS};

/// The service name of spans whose process names none (OpenTelemetry's default).
pub const UNKNOWN_SERVICE: &str = "unknown_service";

/// What a span did, as OpenTelemetry, Jaeger and Zipkin name it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SpanKind {
    /// No kind given.
    #[default]
    Unspecified,
    /// Work inside one process.
    Internal,
    /// Handling a request from a client.
    Server,
    /// Calling a server and waiting for its reply.
    Client,
    /// Sending a message that a consumer handles later.
    Producer,
    /// Handling a message from a producer.
    Consumer,
}

impl SpanKind {
    /// Reads a kind by name: `server`, `SERVER`, `SPAN_KIND_SERVER`, ... (any case).
    pub fn from_name(name: &str) -> Option<SpanKind> {
        let lower = name.trim().to_ascii_lowercase();
        let bare = lower.strip_prefix("span_kind_").unwrap_or(&lower);
        Some(match bare {
            "" | "unspecified" => SpanKind::Unspecified,
            "internal" => SpanKind::Internal,
            "server" => SpanKind::Server,
            "client" => SpanKind::Client,
            "producer" => SpanKind::Producer,
            "consumer" => SpanKind::Consumer,
            _ => return None,
        })
    }

    /// Reads OTLP's enum number (0 unspecified .. 5 consumer).
    pub fn from_number(n: i64) -> Option<SpanKind> {
        Some(match n {
            0 => SpanKind::Unspecified,
            1 => SpanKind::Internal,
            2 => SpanKind::Server,
            3 => SpanKind::Client,
            4 => SpanKind::Producer,
            5 => SpanKind::Consumer,
            _ => return None,
        })
    }

    /// The lowercase name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::Unspecified => "unspecified",
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }
}

/// A timestamped event inside a span: an OTLP span event, a Jaeger log, a Zipkin annotation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Annotation {
    /// Unix nanoseconds, when given.
    pub time: Option<i64>,
    /// Its name or text.
    pub name: String,
    /// Its attributes, as plain JSON.
    pub attributes: Map<String, Value>,
}

/// A reference from a span to another span that is not its parent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Link {
    /// The linked span's trace id (normalised).
    pub trace_id: String,
    /// The linked span's id (normalised).
    pub span_id: String,
    /// Its attributes (Jaeger references carry their `ref_type` here).
    pub attributes: Map<String, Value>,
}

/// One span, as every trace format describes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Span {
    /// Trace id (normalised with [`normalize_id`]).
    pub trace_id: String,
    /// Span id (normalised).
    pub span_id: String,
    /// The parent's span id in the same trace (normalised), if any.
    pub parent_id: Option<String>,
    /// Client, server, ...
    pub kind: SpanKind,
    /// Zipkin's `shared`: a server span that reuses its client's id.
    pub shared: bool,
    /// Operation name.
    pub name: String,
    /// The process's service name.
    pub service: Option<String>,
    /// The process's host (id, address or name).
    pub host: Option<String>,
    /// Start, Unix nanoseconds.
    pub start: Option<i64>,
    /// End, Unix nanoseconds.
    pub end: Option<i64>,
    /// Events inside the span.
    pub annotations: Vec<Annotation>,
    /// Links to other spans.
    pub links: Vec<Link>,
    /// Span attributes (OTLP attributes, Jaeger tags, Zipkin tags), as plain JSON.
    pub attributes: Map<String, Value>,
    /// Format-specific fields for the start event.
    pub start_fields: Map<String, Value>,
    /// Format-specific fields for the end event (a status).
    pub end_fields: Map<String, Value>,
    /// Index of the file it came from.
    pub file: u32,
    /// Line of the span in that file.
    pub line: u32,
}

/// Normalises a hex id: lowercase, leading zeros dropped, then padded to 16 or 32 digits, so
/// that `00AB`, `ab` and a 128-bit id whose high half is zero all compare equal. Ids that are
/// not hex are kept as they are.
pub fn normalize_id(id: &str) -> String {
    let t = id.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return t.to_string();
    }
    let lower = t.to_ascii_lowercase();
    let digits = lower.trim_start_matches('0');
    let width = if digits.len() <= 16 { 16 } else { 32 };
    format!("{digits:0>width$}")
}

/// Whether a parent id means "no parent": empty, or all zeros.
pub fn is_null_id(id: &str) -> bool {
    id.trim().bytes().all(|b| b == b'0')
}

/// Reads a time given as an integer count of `unit_ns` nanoseconds, as a JSON number or a
/// decimal string; zero means unknown. The error says what was found (see [`time_error`]).
pub fn read_time(v: &Value, unit_ns: i64) -> Result<Option<i64>, String> {
    let units: i128 = match v {
        Value::Null => return Ok(None),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i128::from(i)
            } else if let Some(u) = n.as_u64() {
                i128::from(u)
            } else {
                match n.as_f64() {
                    Some(f) if f.is_finite() => f.round() as i128,
                    _ => return Err(n.to_string()),
                }
            }
        }
        Value::String(s) => {
            let t = s.trim();
            match (t.parse::<i128>(), t.parse::<f64>()) {
                (Ok(i), _) => i,
                (_, Ok(f)) if f.is_finite() => f.round() as i128,
                _ => return Err(format!("{s:?}")),
            }
        }
        other => return Err(super::fields::type_name(other).to_string()),
    };
    if units == 0 {
        return Ok(None);
    }
    units
        .checked_mul(i128::from(unit_ns))
        .and_then(|ns| i64::try_from(ns).ok())
        .map(Some)
        .ok_or_else(|| format!("{units}, beyond the years 1677 to 2262"))
}

/// The message for a time field that [`read_time`] could not read.
pub fn time_error(field: &str, unit: &str, found: &str) -> String {
    format!("expected {field:?} as integer {unit} (a number or a string), found {found}")
}

/// An id field: a string, or a number some clients write.
pub fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A time as RFC 3339 UTC text, with as many fraction digits as it needs.
pub fn rfc3339(ns: i64) -> String {
    DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Recognises OTLP, Jaeger and Zipkin JSON from the first bytes of an input, by the keys of
/// its first object.
pub fn detect(head: &[u8]) -> Option<Format> {
    let keys = first_object_keys(head);
    let has = |k: &str| keys.iter().any(|x| x == k);
    if has("resourceSpans") || has("resource_spans") {
        return Some(Format::Otlp);
    }
    if has("traceID") && (has("spanID") || has("spans")) {
        return Some(Format::Jaeger);
    }
    let needle = b"\"traceID\"";
    if has("data") && head.windows(needle.len()).any(|w| w == needle) {
        return Some(Format::Jaeger);
    }
    if has("traceId") && has("id") && !has("spanId") && !has("node") && !has("host") {
        return Some(Format::Zipkin);
    }
    None
}

/// The top-level keys of the first JSON object in `head` (as far as `head` goes).
fn first_object_keys(head: &[u8]) -> Vec<String> {
    let mut keys = Vec::new();
    let start = head.iter().position(|&b| !b" \t\r\n[".contains(&b));
    let Some(start) = start.filter(|&s| head[s] == b'{') else {
        return keys;
    };
    let mut depth = 0usize;
    let mut i = start;
    while i < head.len() {
        match head[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            b'"' => {
                let from = i + 1;
                let mut j = from;
                while j < head.len() && head[j] != b'"' {
                    j += if head[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(head.len());
                let mut k = end + 1;
                while k < head.len() && head[k].is_ascii_whitespace() {
                    k += 1;
                }
                if depth == 1 && head.get(k) == Some(&b':') {
                    keys.push(String::from_utf8_lossy(&head[from..end]).into_owned());
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    keys
}

/// A whole input read as JSON: one document, or several one after another (JSON Lines), with
/// the place of every object so that errors can name a line.
pub struct JsonDoc {
    text: String,
    line_starts: Vec<usize>,
    /// Byte range of every object and array, in text order.
    containers: Vec<(usize, usize)>,
    /// Address of each parsed object or array -> its index in `containers`.
    ordinal: HashMap<usize, usize>,
    values: Vec<Value>,
}

impl JsonDoc {
    /// Reads and parses the whole input. A syntax error names the line and column serde_json
    /// reports, which are right because the whole text is parsed as one stream.
    pub fn read(input: &mut Input, ctx: &FileContext<'_>) -> Result<JsonDoc> {
        let text = input.read_to_string()?;
        let mut values = Vec::new();
        for item in serde_json::Deserializer::from_str(&text).into_iter::<Value>() {
            let value = item.map_err(|e| {
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                ctx.error(saturate(e.line()), format!("expected JSON: {msg}"))
                    .at_column(Some(saturate(e.column())))
            })?;
            values.push(value);
        }
        let (containers, line_starts) = scan_containers(&text);
        // Objects and arrays are numbered in pre-order, which with preserve_order is text
        // order (a duplicate key would shift the numbers: only line numbers would suffer); the
        // values are not moved again, so their addresses stay valid keys.
        let mut ordinal = HashMap::with_capacity(containers.len());
        let mut next = 0;
        for v in &values {
            number_containers(v, &mut next, &mut ordinal);
        }
        Ok(JsonDoc {
            text,
            line_starts,
            containers,
            ordinal,
            values,
        })
    }

    /// The top-level values, in order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    fn range(&self, obj: &Map<String, Value>) -> Option<(usize, usize)> {
        let i = *self.ordinal.get(&(obj as *const _ as usize))?;
        self.containers.get(i).copied()
    }

    fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        // The text has fewer lines than u32::MAX (Input::read_to_string checks).
        (
            saturate(line),
            position(self.text[start..offset].chars().count()),
        )
    }

    /// The line of an object's opening brace (1 when unknown).
    pub fn line(&self, obj: &Map<String, Value>) -> u32 {
        self.range(obj).map_or(1, |(s, _)| self.line_col(s).0)
    }

    /// An error at `key` of `obj` (at the object itself when the key is absent).
    pub fn error(
        &self,
        ctx: &FileContext<'_>,
        obj: &Map<String, Value>,
        key: Option<&str>,
        message: impl Into<String>,
    ) -> InputError {
        let at = self
            .range(obj)
            .map(|(s, e)| key.and_then(|k| self.key_offset(s, e, k)).unwrap_or(s));
        match at {
            Some(offset) => {
                let (line, col) = self.line_col(offset);
                ctx.error(line, message).at_column(Some(col))
            }
            None => ctx.error(1, message),
        }
    }

    /// An error at `item`, an element of the array `items`.
    pub fn item_error(
        &self,
        ctx: &FileContext<'_>,
        items: &Vec<Value>,
        item: &Value,
        message: impl Into<String>,
    ) -> InputError {
        let offset = items
            .iter()
            .position(|x| std::ptr::eq(x, item))
            .and_then(|k| {
                let i = *self.ordinal.get(&(items as *const _ as usize))?;
                let (start, end) = *self.containers.get(i)?;
                self.item_offset(start, end, k)
            });
        match offset {
            Some(o) => {
                let (line, col) = self.line_col(o);
                ctx.error(line, message).at_column(Some(col))
            }
            None => ctx.error(1, message),
        }
    }

    /// Byte offset of the `index`-th element of the array at `start..end`.
    fn item_offset(&self, start: usize, end: usize, index: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut count = 0;
        let mut expecting = true;
        let mut i = start + 1;
        while i < end {
            let c = bytes[i];
            if depth == 0 && expecting && !c.is_ascii_whitespace() && c != b',' && c != b']' {
                if count == index {
                    return Some(i);
                }
                count += 1;
                expecting = false;
            }
            match c {
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth == 0 => break,
                b'}' | b']' => depth -= 1,
                b',' if depth == 0 => expecting = true,
                b'"' => {
                    i += 1;
                    while i < end && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// An error about a top-level value that is not an object or array.
    pub fn error_at_value(
        &self,
        ctx: &FileContext<'_>,
        index: usize,
        message: String,
    ) -> InputError {
        // Scalars have no recorded place: find the index-th top-level value by scanning.
        let mut depth = 0usize;
        let mut seen = 0usize;
        let bytes = self.text.as_bytes();
        let mut i = 0;
        let mut at = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if depth == 0 && !b.is_ascii_whitespace() {
                if seen == index {
                    at = i;
                    break;
                }
                seen += 1;
            }
            match b {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.saturating_sub(1),
                b'"' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                }
                _ if depth == 0 => {
                    // Skip the rest of a scalar.
                    while i + 1 < bytes.len() && !bytes[i + 1].is_ascii_whitespace() {
                        i += 1;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        let (line, col) = self.line_col(at);
        ctx.error(line, message).at_column(Some(col))
    }

    /// Byte offset of `"key":` directly inside the object at `start..end`.
    fn key_offset(&self, start: usize, end: usize, key: &str) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let mut depth = 0usize;
        let mut i = start;
        while i < end {
            match bytes[i] {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.saturating_sub(1),
                b'"' => {
                    let from = i + 1;
                    let mut j = from;
                    while j < end && bytes[j] != b'"' {
                        j += if bytes[j] == b'\\' { 2 } else { 1 };
                    }
                    let mut k = j + 1;
                    while k < end && bytes[k].is_ascii_whitespace() {
                        k += 1;
                    }
                    if depth == 1 && k < end && bytes[k] == b':' && &self.text[from..j] == key {
                        return Some(i);
                    }
                    i = j;
                }
                _ => {}
            }
            i += 1;
        }
        None
    }
}

fn number_containers(v: &Value, next: &mut usize, out: &mut HashMap<usize, usize>) {
    match v {
        Value::Object(m) => {
            out.insert(m as *const _ as usize, *next);
            *next += 1;
            for x in m.values() {
                number_containers(x, next, out);
            }
        }
        Value::Array(items) => {
            out.insert(items as *const _ as usize, *next);
            *next += 1;
            for x in items {
                number_containers(x, next, out);
            }
        }
        _ => {}
    }
}

/// Byte ranges of every object and array in text order, and the byte offset where each line
/// starts.
fn scan_containers(text: &str) -> (Vec<(usize, usize)>, Vec<usize>) {
    let bytes = text.as_bytes();
    let mut containers = Vec::new();
    let mut open = Vec::new();
    let mut lines = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => lines.push(i + 1),
            b'{' | b'[' => {
                open.push(containers.len());
                containers.push((i, bytes.len()));
            }
            b'}' | b']' => {
                if let Some(o) = open.pop() {
                    containers[o].1 = i + 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    (containers, lines)
}

/// Converts attribute lists in the `[{"key": k, "value": v}]` shape to a JSON object, with
/// `value` turned into plain JSON by `convert`.
pub fn key_value_list(
    items: &[Value],
    convert: impl Fn(&Value) -> Value,
) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for item in items {
        let Value::Object(kv) = item else {
            return Err(format!(
                "expected {{\"key\": ..., \"value\": ...}} in an attribute list, found {}",
                super::fields::type_name(item)
            ));
        };
        let Some(Value::String(key)) = kv.get("key") else {
            return Err("expected \"key\" (string) in an attribute".to_string());
        };
        let value = kv.get("value").map_or(Value::Null, &convert);
        out.insert(key.clone(), value);
    }
    Ok(out)
}

/// Collects spans from every input file, then turns them into events at once, so that a
/// parent in one file and its child in another are matched.
#[derive(Debug, Default)]
pub struct SpanCollector {
    spans: Vec<Span>,
    files: Vec<String>,
}

/// Words that make a `--key-attr` access a read (first word of `db.operation`, of the key's
/// value when it is a statement, or of the span name; any case). Anything else is a write.
const READ_WORDS: &[&str] = &[
    "select",
    "get",
    "mget",
    "hget",
    "hgetall",
    "hmget",
    "read",
    "find",
    "findone",
    "query",
    "scan",
    "count",
    "exists",
    "lrange",
    "smembers",
    "zrange",
    "fetch",
    "head",
    "describe",
    "show",
    "search",
    "list",
    "aggregate",
];

/// Statement verbs that write, so that `UPDATE ...` in a span named `query` is a write.
const WRITE_WORDS: &[&str] = &[
    "insert", "update", "delete", "upsert", "merge", "replace", "create", "drop", "alter",
    "truncate", "set", "put", "post", "patch", "del", "incr", "decr", "hset", "lpush", "rpush",
    "sadd", "zadd", "write",
];

impl SpanCollector {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers a file's name for warnings.
    pub fn add_file(&mut self, index: u32, name: &str) {
        let i = index as usize;
        if self.files.len() <= i {
            self.files.resize(i + 1, String::new());
        }
        self.files[i] = name.to_string();
    }

    /// Adds a span.
    pub fn push(&mut self, span: Span) {
        self.spans.push(span);
    }

    /// Whether no span was added.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Turns every span into events and pushes them into `builder`, each node's in program
    /// order; returns warnings (missing parents, duplicates) for the user.
    pub fn finish(
        self,
        builder: &mut TraceBuilder,
        links_as_causal: bool,
        key_attr: Option<&str>,
    ) -> Result<Vec<String>, InputError> {
        let mut warnings = Vec::new();
        if self.spans.is_empty() {
            return Ok(warnings);
        }
        let files = self.files;
        // A span is two events and one per annotation, numbered in u32 below.
        let events: usize = self.spans.iter().map(|s| 2 + s.annotations.len()).sum();
        if events > MAX_EVENTS {
            let file = self.spans.last().map_or(0, |s| s.file as usize);
            let name = files.get(file).map_or("", String::as_str);
            return Err(InputError::new(
                name,
                0,
                format!("expected at most {MAX_EVENTS} events (span starts, ends and events)"),
            ));
        }
        let (spans, duplicates) = dedupe(self.spans);
        if duplicates > 0 {
            warnings.push(format!(
                "ignored {duplicates} duplicate span{} (same trace, id, process, kind, name and times)",
                plural(duplicates)
            ));
        }
        let graph = SpanGraph::new(&spans);
        if !graph.missing.is_empty() {
            let shown: Vec<String> = graph
                .missing
                .iter()
                .take(3)
                .map(|&i| {
                    let s = &spans[i];
                    let file = files.get(s.file as usize).map_or("", String::as_str);
                    format!("{} ({file}:{})", s.span_id, s.line)
                })
                .collect();
            let n = graph.missing.len();
            warnings.push(format!(
                "{n} span{} name{} a parent span that is not in the input; read as root{}: {}{}",
                plural(n),
                if n == 1 { "s" } else { "" },
                plural(n),
                shown.join(", "),
                if n > 3 { ", ..." } else { "" }
            ));
        }
        if graph.cycles > 0 {
            warnings.push(format!(
                "{} span{} on a cycle of parent ids; read as root{}",
                graph.cycles,
                plural(graph.cycles),
                plural(graph.cycles)
            ));
        }
        let mut events = EventPlan::new(&spans, &graph, links_as_causal);
        let reordered = events.schedule();
        if reordered > 0 {
            warnings.push(format!(
                "{reordered} span event{} taken out of {} node's time order: the times \
                 contradict the edges between parent and child spans",
                plural(reordered),
                if reordered == 1 { "its" } else { "their" },
            ));
        }
        events.push_all(&spans, &graph, key_attr, builder);
        Ok(warnings)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Drops exact duplicates (the same span exported twice); returns the rest and the count.
fn dedupe(spans: Vec<Span>) -> (Vec<Span>, usize) {
    type Identity<'a> = (
        &'a str,
        &'a str,
        SpanKind,
        &'a Option<String>,
        &'a Option<String>,
        &'a str,
        Option<i64>,
        Option<i64>,
    );
    let mut seen: HashSet<Identity<'_>> = HashSet::with_capacity(spans.len());
    let keep: Vec<bool> = spans
        .iter()
        .map(|s| {
            seen.insert((
                &s.trace_id,
                &s.span_id,
                s.kind,
                &s.service,
                &s.host,
                &s.name,
                s.start,
                s.end,
            ))
        })
        .collect();
    let duplicates = keep.iter().filter(|k| !**k).count();
    if duplicates == 0 {
        return (spans, 0);
    }
    let kept = spans
        .into_iter()
        .zip(keep)
        .filter_map(|(s, k)| k.then_some(s))
        .collect();
    (kept, duplicates)
}

/// Spans with their nodes, parents and unique names.
struct SpanGraph {
    /// Node name of each span.
    node_names: Vec<String>,
    /// Node index of each span (in first-seen order).
    node: Vec<u32>,
    n_nodes: usize,
    parent: Vec<Option<usize>>,
    /// Spans whose parent id names no span in the input.
    missing: Vec<usize>,
    cycles: usize,
    /// Unique name of each span, the stem of its event ids.
    key: Vec<String>,
    /// Spans by (trace id, span id).
    groups: HashMap<(String, String), Vec<usize>>,
}

/// The node name of a process: `service@host`, or `service` when no host is known.
pub fn node_name(service: Option<&str>, host: Option<&str>) -> String {
    let service = service.filter(|s| !s.is_empty()).unwrap_or(UNKNOWN_SERVICE);
    match host.filter(|h| !h.is_empty()) {
        Some(h) => format!("{service}@{h}"),
        None => service.to_string(),
    }
}

impl SpanGraph {
    fn new(spans: &[Span]) -> SpanGraph {
        let n = spans.len();
        let mut groups: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, s) in spans.iter().enumerate() {
            groups
                .entry((s.trace_id.clone(), s.span_id.clone()))
                .or_default()
                .push(i);
        }
        let node_names: Vec<String> = spans
            .iter()
            .map(|s| node_name(s.service.as_deref(), s.host.as_deref()))
            .collect();
        let mut node_ids: HashMap<&str, u32> = HashMap::new();
        let node: Vec<u32> = node_names
            .iter()
            .map(|name| {
                let next = node_ids.len() as u32;
                *node_ids.entry(name.as_str()).or_insert(next)
            })
            .collect();
        let n_nodes = node_ids.len();

        let mut parent = vec![None; n];
        let mut missing = Vec::new();
        for (i, s) in spans.iter().enumerate() {
            let group = |id: &str| groups.get(&(s.trace_id.clone(), id.to_string()));
            // A server that reuses its client's id (Zipkin's shared spans) is that client's
            // child, whatever its parentId says.
            let partner = match s.kind {
                SpanKind::Server => Some(SpanKind::Client),
                SpanKind::Consumer => Some(SpanKind::Producer),
                _ => None,
            };
            if let Some(want) = partner {
                let same_id = group(&s.span_id).into_iter().flatten();
                if let Some(&j) = same_id
                    .filter(|&&j| j != i && spans[j].kind == want)
                    .min_by_key(|&&j| (node[j] == node[i], j))
                {
                    parent[i] = Some(j);
                    continue;
                }
            }
            let Some(pid) = s.parent_id.as_deref().filter(|p| !is_null_id(p)) else {
                continue;
            };
            let candidates: Vec<usize> = group(pid)
                .into_iter()
                .flatten()
                .copied()
                .filter(|&j| j != i)
                .collect();
            // Of a client and its shared server, a child belongs to the one on its own node,
            // else to the server side.
            let chosen = candidates.iter().copied().min_by_key(|&j| {
                (
                    node[j] != node[i],
                    matches!(spans[j].kind, SpanKind::Client | SpanKind::Producer),
                    j,
                )
            });
            match chosen {
                Some(j) => parent[i] = Some(j),
                None => missing.push(i),
            }
        }

        // Parent ids that loop (bad data) would make start edges loop: cut each loop once.
        let mut cycles = 0;
        let mut state = vec![0u8; n];
        for i in 0..n {
            let mut path = Vec::new();
            let mut x = i;
            loop {
                match state[x] {
                    2 => break,
                    1 => {
                        parent[x] = None;
                        cycles += 1;
                        break;
                    }
                    _ => {}
                }
                state[x] = 1;
                path.push(x);
                match parent[x] {
                    Some(p) => x = p,
                    None => break,
                }
            }
            for p in path {
                state[p] = 2;
            }
        }

        let mut used: HashSet<String> = HashSet::with_capacity(n);
        let mut key = Vec::with_capacity(n);
        for s in spans {
            let shared = groups[&(s.trace_id.clone(), s.span_id.clone())].len() > 1;
            let mut k = if shared {
                format!("{}:{}", s.span_id, s.kind.as_str())
            } else {
                s.span_id.clone()
            };
            if used.contains(&k) {
                k = format!("{}:{k}", s.trace_id);
            }
            let base = k.clone();
            let mut suffix = 2;
            while used.contains(&k) {
                k = format!("{base}~{suffix}");
                suffix += 1;
            }
            used.insert(k.clone());
            key.push(k);
        }

        SpanGraph {
            node_names,
            node,
            n_nodes,
            parent,
            missing,
            cycles,
            key,
            groups,
        }
    }

    /// The span a link names: the first span with its trace and span id, other than `from`.
    fn link_target(&self, from: usize, link: &Link) -> Option<usize> {
        self.groups
            .get(&(link.trace_id.clone(), link.span_id.clone()))?
            .iter()
            .copied()
            .find(|&j| j != from)
    }
}

/// Which part of a span an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Start,
    /// The k-th event inside the span (1-based, in time order).
    Inner(u32),
    End,
}

/// Where an event sorts on its node: effective time, phase rank (end 0, inner 1, start 2),
/// span, position.
type Priority = (i64, u8, u32, u32);

/// An event being planned: where it goes and what messages it carries.
struct Draft {
    span: usize,
    phase: Phase,
    /// Index into the span's annotations, for inner events.
    annotation: usize,
    time: Option<i64>,
    /// Sort key on its node: effective time, phase rank, span, position.
    priority: Priority,
    send: Option<String>,
    recvs: Vec<String>,
}

/// Every span's events, the edges between them, and the order they go in.
struct EventPlan {
    drafts: Vec<Draft>,
    /// Index of each span's start event; its inner events and end follow.
    first: Vec<usize>,
    succ: Vec<Vec<u32>>,
    indeg: Vec<u32>,
    node_of: Vec<u32>,
    n_nodes: usize,
    order: Vec<u32>,
}

impl EventPlan {
    fn new(spans: &[Span], graph: &SpanGraph, links_as_causal: bool) -> EventPlan {
        let n = spans.len();
        // Untimed starts borrow a time from their own span, else from their parent's start,
        // so that they sort near where they belong.
        let mut eff_start: Vec<Option<i64>> = vec![None; n];
        let mut resolved = vec![false; n];
        for i in 0..n {
            let mut chain = Vec::new();
            let mut x = Some(i);
            while let Some(j) = x.filter(|&j| !resolved[j]) {
                chain.push(j);
                x = graph.parent[j];
            }
            for &j in chain.iter().rev() {
                let s = &spans[j];
                let own = s
                    .start
                    .or_else(|| s.annotations.iter().filter_map(|a| a.time).min())
                    .or(s.end);
                eff_start[j] = own.or_else(|| graph.parent[j].and_then(|p| eff_start[p]));
                resolved[j] = true;
            }
        }

        let mut drafts = Vec::new();
        let mut first = Vec::with_capacity(n);
        let mut node_of = Vec::new();
        for (i, s) in spans.iter().enumerate() {
            first.push(drafts.len());
            let start_eff = eff_start[i].unwrap_or(i64::MIN);
            let mut order: Vec<usize> = (0..s.annotations.len()).collect();
            order.sort_by_key(|&a| s.annotations[a].time.unwrap_or(i64::MAX));
            let mut last = start_eff;
            let mut push = |phase, annotation, time: Option<i64>, eff: i64, rank| {
                let pos = drafts.len() as u32;
                drafts.push(Draft {
                    span: i,
                    phase,
                    annotation,
                    time,
                    priority: (eff, rank, i as u32, pos),
                    send: None,
                    recvs: Vec::new(),
                });
                node_of.push(graph.node[i]);
            };
            push(Phase::Start, 0, s.start, start_eff, 2);
            for (k, &a) in order.iter().enumerate() {
                let t = s.annotations[a].time;
                last = last.max(t.unwrap_or(last));
                push(Phase::Inner(k as u32 + 1), a, t, t.unwrap_or(last), 1);
            }
            push(Phase::End, 0, s.end, s.end.unwrap_or(last), 0);
        }

        let m = drafts.len();
        let mut plan = EventPlan {
            drafts,
            first,
            succ: vec![Vec::new(); m],
            indeg: vec![0; m],
            node_of,
            n_nodes: graph.n_nodes,
            order: Vec::with_capacity(m),
        };
        for i in 0..n {
            let start = plan.first[i];
            let end = plan.end_of(i, spans);
            for e in start..end {
                plan.edge(e, e + 1);
            }
        }
        // Agreeing times, or a missing one, allow a same-node edge.
        let agree = |a: Option<i64>, b: Option<i64>| match (a, b) {
            (Some(a), Some(b)) => a <= b,
            _ => true,
        };
        for (c, s) in spans.iter().enumerate() {
            let Some(p) = graph.parent[c] else { continue };
            let ps = &spans[p];
            let (p_start, p_end) = (plan.first[p], plan.end_of(p, spans));
            let (c_start, c_end) = (plan.first[c], plan.end_of(c, spans));
            if graph.node[p] == graph.node[c] {
                if agree(ps.start, s.start) {
                    plan.edge(p_start, c_start);
                }
                if agree(s.end, ps.end) {
                    plan.edge(c_end, p_end);
                }
            } else {
                plan.message(p_start, c_start, graph);
                if ps.kind == SpanKind::Client && s.kind == SpanKind::Server {
                    plan.message(c_end, p_end, graph);
                }
            }
        }
        if links_as_causal {
            for (c, s) in spans.iter().enumerate() {
                for link in &s.links {
                    let Some(l) = graph.link_target(c, link) else {
                        continue;
                    };
                    let (l_start, c_start) = (plan.first[l], plan.first[c]);
                    if graph.node[l] == graph.node[c] {
                        if agree(spans[l].start, s.start) {
                            plan.edge(l_start, c_start);
                        }
                    } else {
                        plan.message(l_start, c_start, graph);
                    }
                }
            }
        }
        plan
    }

    fn end_of(&self, span: usize, spans: &[Span]) -> usize {
        self.first[span] + 1 + spans[span].annotations.len()
    }

    fn edge(&mut self, from: usize, to: usize) {
        self.succ[from].push(to as u32);
        self.indeg[to] += 1;
    }

    /// A message from event `from` to event `to`: `from` sends one message per event,
    /// received by every event it reaches.
    fn message(&mut self, from: usize, to: usize, graph: &SpanGraph) {
        let msg = match &self.drafts[from].send {
            Some(m) => m.clone(),
            None => {
                let m = self.event_id(from, graph);
                self.drafts[from].send = Some(m.clone());
                m
            }
        };
        if self.drafts[to].recvs.contains(&msg) {
            return;
        }
        self.drafts[to].recvs.push(msg);
        self.edge(from, to);
    }

    fn event_id(&self, e: usize, graph: &SpanGraph) -> String {
        let d = &self.drafts[e];
        let key = &graph.key[d.span];
        match d.phase {
            Phase::Start => format!("{key}:start"),
            Phase::Inner(k) => format!("{key}:event{k}"),
            Phase::End => format!("{key}:end"),
        }
    }

    /// Orders all events: each node in its time order, as far as the edges allow (see the
    /// module documentation). Returns how many events had to leave their node's time order.
    fn schedule(&mut self) -> usize {
        let m = self.drafts.len();
        let mut remaining: Vec<BTreeSet<(Priority, u32)>> = vec![BTreeSet::new(); self.n_nodes];
        for (e, d) in self.drafts.iter().enumerate() {
            remaining[self.node_of[e] as usize].insert((d.priority, e as u32));
        }
        let mut indeg = self.indeg.clone();
        let mut active: Vec<usize> = (0..self.n_nodes).rev().collect();
        let mut reordered = 0;
        loop {
            while let Some(n) = active.pop() {
                // The node goes on with any ready event among those tied at its earliest
                // remaining time; an earlier-timed event that waits blocks it.
                while let Some(&((t, ..), _)) = remaining[n].first() {
                    let ready = remaining[n]
                        .iter()
                        .take_while(|((u, ..), _)| *u == t)
                        .find(|&&(_, e)| indeg[e as usize] == 0)
                        .copied();
                    let Some((p, e)) = ready else { break };
                    remaining[n].remove(&(p, e));
                    self.take(e, &mut indeg, &mut active);
                }
            }
            if self.order.len() == m {
                return reordered;
            }
            // Every node waits: take the earliest event that the edges allow, out of its
            // node's time order; if none, the edges loop (links) and order.rs will say so.
            let ready = (0..self.n_nodes)
                .filter_map(|n| {
                    remaining[n]
                        .iter()
                        .find(|&&(_, e)| indeg[e as usize] == 0)
                        .map(|&(p, e)| (p, e, n))
                })
                .min();
            let (p, e, n) = match ready {
                Some(x) => {
                    reordered += 1;
                    x
                }
                None => {
                    let (p, e, n) = (0..self.n_nodes)
                        .filter_map(|n| remaining[n].first().map(|&(p, e)| (p, e, n)))
                        .min()
                        .expect("events remain");
                    indeg[e as usize] = 0;
                    (p, e, n)
                }
            };
            remaining[n].remove(&(p, e));
            self.take(e, &mut indeg, &mut active);
            active.push(n);
        }
    }

    fn take(&mut self, e: u32, indeg: &mut [u32], active: &mut Vec<usize>) {
        self.order.push(e);
        for &s in &self.succ[e as usize] {
            let s = s as usize;
            indeg[s] = indeg[s].saturating_sub(1);
            if indeg[s] == 0 {
                active.push(self.node_of[s] as usize);
            }
        }
    }

    /// Pushes every event into the builder in the scheduled order.
    fn push_all(
        &self,
        spans: &[Span],
        graph: &SpanGraph,
        key_attr: Option<&str>,
        builder: &mut TraceBuilder,
    ) {
        for &e in &self.order {
            let raw = self.raw_event(e as usize, spans, graph, key_attr);
            builder.push(spans[self.drafts[e as usize].span].file, raw);
        }
    }

    fn raw_event(
        &self,
        e: usize,
        spans: &[Span],
        graph: &SpanGraph,
        key_attr: Option<&str>,
    ) -> RawEvent {
        let d = &self.drafts[e];
        let s = &spans[d.span];
        let mut roles: Vec<(EventKind, &str)> = d
            .recvs
            .iter()
            .map(|m| (EventKind::Recv, m.as_str()))
            .collect();
        if let Some(m) = &d.send {
            roles.push((EventKind::Send, m));
        }
        let mut fields = Map::new();
        let (kind, msg) = match roles.first() {
            Some(&(k, m)) => {
                fields.insert("kind".into(), k.as_str().into());
                fields.insert("msg".into(), m.into());
                (Some(k), Some(m.to_string()))
            }
            None => (None, None),
        };
        let more_roles: Vec<Role> = roles
            .iter()
            .skip(1)
            .map(|&(kind, msg)| Role {
                kind,
                msg: msg.into(),
            })
            .collect();
        if !more_roles.is_empty() {
            let list = more_roles
                .iter()
                .map(|r| serde_json::json!({"kind": r.kind.as_str(), "msg": &*r.msg}))
                .collect();
            fields.insert("more_roles".into(), Value::Array(list));
        }
        if let Some(t) = d.time {
            fields.insert("time".into(), rfc3339(t).into());
        }
        let label = match d.phase {
            Phase::Start => format!("{} start", s.name),
            Phase::End => format!("{} end", s.name),
            Phase::Inner(_) => {
                let a = &s.annotations[d.annotation];
                if a.name.is_empty() {
                    "event".to_string()
                } else {
                    a.name.clone()
                }
            }
        };
        fields.insert("label".into(), label.clone().into());
        fields.insert("trace_id".into(), s.trace_id.clone().into());
        fields.insert("span_id".into(), s.span_id.clone().into());
        if s.kind != SpanKind::Unspecified {
            fields.insert("span_kind".into(), s.kind.as_str().into());
        }
        let phase = match d.phase {
            Phase::Start => "start",
            Phase::Inner(_) => "event",
            Phase::End => "end",
        };
        fields.insert("phase".into(), phase.into());
        let (mut reads, mut writes) = (Vec::new(), Vec::new());
        match d.phase {
            Phase::Start => {
                if let Some(p) = &s.parent_id {
                    fields.insert("parent_id".into(), p.clone().into());
                }
                fields.insert("span".into(), s.name.clone().into());
                fields.insert(
                    "service".into(),
                    s.service
                        .clone()
                        .filter(|x| !x.is_empty())
                        .unwrap_or_else(|| UNKNOWN_SERVICE.to_string())
                        .into(),
                );
                if let Some(h) = &s.host {
                    fields.insert("host".into(), h.clone().into());
                }
                if graph.parent[d.span].is_none()
                    && s.parent_id.as_deref().is_some_and(|p| !is_null_id(p))
                {
                    fields.insert("missing_parent".into(), true.into());
                }
                if !s.attributes.is_empty() {
                    fields.insert("attributes".into(), Value::Object(s.attributes.clone()));
                }
                if !s.links.is_empty() {
                    let links = s
                        .links
                        .iter()
                        .map(|l| {
                            let mut o = Map::new();
                            o.insert("trace_id".into(), l.trace_id.clone().into());
                            o.insert("span_id".into(), l.span_id.clone().into());
                            if !l.attributes.is_empty() {
                                o.insert("attributes".into(), Value::Object(l.attributes.clone()));
                            }
                            Value::Object(o)
                        })
                        .collect();
                    fields.insert("links".into(), Value::Array(links));
                }
                for (k, v) in &s.start_fields {
                    fields.insert(k.clone(), v.clone());
                }
                if let Some((key, read)) = key_attr.and_then(|k| access(s, k)) {
                    let list = Value::Array(vec![Value::String(key.clone())]);
                    if read {
                        fields.insert("reads".into(), list);
                        reads.push(key);
                    } else {
                        fields.insert("writes".into(), list);
                        writes.push(key);
                    }
                }
            }
            Phase::Inner(_) => {
                let a = &s.annotations[d.annotation];
                if !a.attributes.is_empty() {
                    fields.insert("attributes".into(), Value::Object(a.attributes.clone()));
                }
            }
            Phase::End => {
                for (k, v) in &s.end_fields {
                    fields.insert(k.clone(), v.clone());
                }
            }
        }
        RawEvent {
            node: graph.node_names[d.span].clone(),
            kind,
            msg,
            more_roles,
            to: Vec::new(),
            time: d.time.map(Timestamp),
            label: Some(label),
            id: Some(self.event_id(e, graph)),
            reads,
            writes,
            line: s.line,
            fields,
            fields_text: None,
        }
    }
}

/// The data key a span touches under `--key-attr NAME`, and whether it only reads it.
fn access(s: &Span, attr: &str) -> Option<(String, bool)> {
    let key = match s.attributes.get(attr)? {
        Value::String(v) if !v.trim().is_empty() => v.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    let first_word = |text: &str| {
        text.split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
    };
    let operation = ["db.operation", "db.operation.name", "db.method"]
        .iter()
        .find_map(|k| s.attributes.get(*k).and_then(Value::as_str))
        .and_then(first_word)
        .or_else(|| {
            first_word(&key)
                .filter(|w| READ_WORDS.contains(&w.as_str()) || WRITE_WORDS.contains(&w.as_str()))
        })
        .or_else(|| first_word(&s.name));
    let read = operation.is_some_and(|w| READ_WORDS.contains(&w.as_str()));
    Some((key, read))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_equal_whatever_their_case_and_leading_zeros() {
        assert_eq!(normalize_id("00AB"), "00000000000000ab");
        assert_eq!(normalize_id("ab"), "00000000000000ab");
        assert_eq!(
            normalize_id("df84e36b9e2ee3815d07f0867a5be1f"),
            "0df84e36b9e2ee3815d07f0867a5be1f"
        );
        assert_eq!(
            normalize_id("00000000000000001234567890abcdef"),
            "1234567890abcdef"
        );
        assert_eq!(normalize_id("span-1"), "span-1");
        assert!(is_null_id("0000000000000000"));
        assert!(is_null_id(""));
    }

    #[test]
    fn times_are_integers_in_strings_or_numbers() {
        assert_eq!(read_time(&"1500".into(), 1000), Ok(Some(1_500_000)));
        assert_eq!(read_time(&serde_json::json!(7), 1), Ok(Some(7)));
        assert_eq!(read_time(&serde_json::json!(0), 1), Ok(None));
        assert!(read_time(&"soon".into(), 1).is_err());
        assert!(read_time(&serde_json::json!(u64::MAX), 1000).is_err());
    }

    #[test]
    fn kinds_are_read_by_name_or_number() {
        assert_eq!(
            SpanKind::from_name("SPAN_KIND_CLIENT"),
            Some(SpanKind::Client)
        );
        assert_eq!(SpanKind::from_name("server"), Some(SpanKind::Server));
        assert_eq!(SpanKind::from_number(4), Some(SpanKind::Producer));
        assert_eq!(SpanKind::from_number(9), None);
        assert_eq!(SpanKind::from_name("sideways"), None);
    }

    #[test]
    fn formats_are_recognised_by_their_first_keys() {
        assert_eq!(detect(br#"{"resourceSpans":[]}"#), Some(Format::Otlp));
        assert_eq!(
            detect(b"{\n \"data\": [{\"traceID\": \"a\""),
            Some(Format::Jaeger)
        );
        assert_eq!(
            detect(br#"[{"traceID":"a","spanID":"b"}]"#),
            Some(Format::Jaeger)
        );
        assert_eq!(
            detect(br#"[[{"traceId":"a","id":"b"}]]"#),
            Some(Format::Zipkin)
        );
        assert_eq!(detect(br#"{"node":"a","id":"b","traceId":"c"}"#), None);
        assert_eq!(detect(br#"{"node":"a"}"#), None);
    }

    #[test]
    fn key_attr_reads_and_writes() {
        let mut s = Span {
            name: "query".into(),
            ..Span::default()
        };
        s.attributes
            .insert("db.statement".into(), "SELECT * FROM t".into());
        assert_eq!(
            access(&s, "db.statement"),
            Some(("SELECT * FROM t".into(), true))
        );
        s.attributes
            .insert("db.statement".into(), "UPDATE t SET x = 1".into());
        assert_eq!(access(&s, "db.statement").map(|a| a.1), Some(false));
        s.attributes.insert("db.name".into(), "users".into());
        s.attributes.insert("db.operation".into(), "GET".into());
        assert_eq!(access(&s, "db.name"), Some(("users".into(), true)));
        assert_eq!(access(&s, "nothing"), None);
    }

    fn span(id: &str, parent: Option<&str>, service: &str, start: i64) -> Span {
        Span {
            trace_id: "t".into(),
            span_id: id.into(),
            parent_id: parent.map(str::to_string),
            service: Some(service.into()),
            start: Some(start),
            end: Some(start + 10),
            name: id.into(),
            ..Span::default()
        }
    }

    #[test]
    fn parent_ids_that_loop_are_cut_so_that_a_causal_order_exists() {
        let mut spans = SpanCollector::new();
        spans.add_file(0, "x.json");
        spans.push(span("a", Some("b"), "one", 100));
        spans.push(span("b", Some("a"), "two", 200));
        let mut builder = TraceBuilder::new();
        builder.add_file("x.json");
        let warnings = spans.finish(&mut builder, false, None).unwrap();
        assert_eq!(warnings, ["1 span on a cycle of parent ids; read as root"]);
        let trace = builder.finish();
        assert_eq!(trace.len(), 4);
        assert!(crate::order::causal_order(&trace).is_ok());
    }

    #[test]
    fn untimed_spans_sort_by_their_parents_and_keep_start_before_end() {
        let mut spans = SpanCollector::new();
        spans.push(span("p", None, "one", 100));
        let mut child = span("c", Some("p"), "one", 0);
        child.start = None;
        child.end = None;
        spans.push(child);
        let mut builder = TraceBuilder::new();
        builder.add_file("x.json");
        assert!(spans.finish(&mut builder, false, None).unwrap().is_empty());
        let trace = builder.finish();
        let ids: Vec<String> = trace.by_node[0]
            .iter()
            .map(|&e| trace.event_id(e).to_string())
            .collect();
        assert_eq!(ids, ["p:start", "c:start", "c:end", "p:end"]);
    }

    #[test]
    fn errors_point_at_the_key_the_object_or_the_array_item() {
        let text = "{\n  \"a\": [\n    1,\n    {\"b\":\n      2}\n  ]\n}\n";
        let mut input = Input::from_reader("d.json", None, text.as_bytes());
        let ctx = FileContext {
            name: "d.json",
            index: 0,
            default_node: None,
        };
        let doc = JsonDoc::read(&mut input, &ctx).unwrap();
        let Value::Object(root) = &doc.values()[0] else {
            panic!()
        };
        let Value::Array(items) = &root["a"] else {
            panic!()
        };
        let Value::Object(inner) = &items[1] else {
            panic!()
        };
        let at = |e: InputError| (e.line, e.column);
        assert_eq!(at(doc.error(&ctx, root, Some("a"), "x")), (2, Some(3)));
        assert_eq!(at(doc.error(&ctx, inner, Some("b"), "x")), (4, Some(6)));
        assert_eq!(at(doc.error(&ctx, inner, Some("zz"), "x")), (4, Some(5)));
        assert_eq!(
            at(doc.item_error(&ctx, items, &items[0], "x")),
            (3, Some(5))
        );
        assert_eq!(doc.line(inner), 4);
        let mut bad = Input::from_reader("d.json", None, &b"{\n  \"a\": 1,\n}"[..]);
        let err = JsonDoc::read(&mut bad, &ctx).err().unwrap().to_string();
        assert_eq!(err, "d.json:3:1: expected JSON: trailing comma");
    }
}
