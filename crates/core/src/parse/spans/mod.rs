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

mod graph;
mod json;
mod keys;
mod schedule;

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat};
use serde_json::{Map, Value};

pub use json::{JsonDoc, Reader};

use super::Format;
use crate::error::InputError;
use crate::model::{TraceBuilder, MAX_EVENTS};
use graph::SpanGraph;
use schedule::EventPlan;

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
        let undirected = events.push_all(&spans, &graph, key_attr, builder);
        if let (Some(attr), Some(&first)) = (key_attr, undirected.first()) {
            let n = undirected.len();
            let s = &spans[first];
            let file = files.get(s.file as usize).map_or("", String::as_str);
            warnings.push(format!(
                "{n} span{} access{} its --key-attr {attr} key in no known direction (neither \
                 its kind, its operation nor its name says read or write; first at {file}:{}): \
                 kept as \"touches\", left out of conflicts",
                plural(n),
                if n == 1 { "es" } else { "" },
                s.line
            ));
        }
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

/// The node name of a process: `service@host`, or `service` when no host is known.
pub fn node_name(service: Option<&str>, host: Option<&str>) -> String {
    let service = service.filter(|s| !s.is_empty()).unwrap_or(UNKNOWN_SERVICE);
    match host.filter(|h| !h.is_empty()) {
        Some(h) => format!("{service}@{h}"),
        None => service.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::InputError;
    use crate::input::Input;
    use crate::parse::FileContext;

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
