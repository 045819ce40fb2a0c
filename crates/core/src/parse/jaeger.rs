//! Jaeger JSON traces: the query API's envelope `{"data": [trace, ...]}`, a bare trace object
//! `{"traceID", "spans", "processes"}`, or a flat array of spans that embed their `process`.
//!
//! This file only reads the JSON into [`Span`]s; `spans.rs` turns them into events. Times are
//! microseconds; a span's parent is its first CHILD_OF reference within its trace, else its
//! first FOLLOWS_FROM one (other references become links); ids whose leading zeros an old
//! client dropped are normalised.

use serde_json::{Map, Value};

use super::fields::type_name;
use super::spans::{
    id_text, is_null_id, normalize_id, read_time, time_error, Annotation, JsonDoc, Link, Reader,
    Span, SpanCollector, SpanKind,
};
use super::FileContext;
use crate::error::{InputError, Result};
use crate::input::Input;

/// Reads every span of `input` into `spans`.
pub fn parse(input: &mut Input, ctx: &FileContext<'_>, spans: &mut SpanCollector) -> Result<()> {
    spans.add_file(ctx.index, ctx.name);
    let doc = JsonDoc::read(input, ctx)?;
    let reader = Reader::<Jaeger>::new(&doc, ctx);
    for (i, value) in doc.values().iter().enumerate() {
        match value {
            Value::Object(obj) if obj.contains_key("data") => match &obj["data"] {
                Value::Array(traces) => {
                    for t in traces {
                        match t {
                            Value::Object(trace) => reader.trace(trace, spans)?,
                            other => {
                                let msg = format!(
                                    "expected trace objects in \"data\", found {}",
                                    type_name(other)
                                );
                                return Err(doc.item_error(ctx, traces, t, msg).into());
                            }
                        }
                    }
                }
                Value::Null => {}
                // Jaeger UI's saved state wraps one trace: {"data": {trace}, "id", "state"}.
                Value::Object(trace) if trace.contains_key("spans") => {
                    reader.trace(trace, spans)?
                }
                other => {
                    return Err(reader
                        .fail(
                            obj,
                            Some("data"),
                            format!(
                                "expected \"data\" (an array of traces, or one trace), found {}",
                                type_name(other)
                            ),
                        )
                        .into())
                }
            },
            Value::Object(obj) if obj.contains_key("spans") => reader.trace(obj, spans)?,
            Value::Object(obj) => spans.push(reader.span(obj, None, None)?),
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Object(obj) if obj.contains_key("spans") => {
                            reader.trace(obj, spans)?
                        }
                        Value::Object(obj) => spans.push(reader.span(obj, None, None)?),
                        other => {
                            let msg = format!(
                                "expected an array of Jaeger spans or traces, found {} in it",
                                type_name(other)
                            );
                            return Err(doc.item_error(ctx, items, item, msg).into());
                        }
                    }
                }
            }
            other => {
                return Err(doc
                    .error_at_value(
                        ctx,
                        i,
                        format!(
                            "expected Jaeger JSON ({{\"data\": [...]}}, a trace or an array of spans), found {}",
                            type_name(other)
                        ),
                    )
                    .into())
            }
        }
    }
    Ok(())
}

/// The reader of this format: its methods are in the `impl` below.
struct Jaeger;

/// A process: its service and host.
#[derive(Clone, Debug, Default)]
struct Process {
    service: Option<String>,
    host: Option<String>,
}

impl Reader<'_, Jaeger> {
    fn trace(
        &self,
        trace: &Map<String, Value>,
        spans: &mut SpanCollector,
    ) -> Result<(), InputError> {
        let mut processes: Vec<(String, Process)> = Vec::new();
        match trace.get("processes") {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (id, p) in map {
                    processes.push((id.clone(), self.process(trace, p)?));
                }
            }
            Some(other) => {
                return Err(self.fail(
                    trace,
                    Some("processes"),
                    format!(
                        "expected \"processes\" (object), found {}",
                        type_name(other)
                    ),
                ))
            }
        }
        let trace_id = trace
            .get("traceID")
            .and_then(id_text)
            .map(|t| normalize_id(&t));
        match trace.get("spans") {
            Some(Value::Array(items)) => {
                for item in items {
                    let Value::Object(obj) = item else {
                        let msg = format!(
                            "expected span objects in \"spans\", found {}",
                            type_name(item)
                        );
                        return Err(self.doc.item_error(self.ctx, items, item, msg));
                    };
                    spans.push(self.span(obj, Some(&processes), trace_id.as_deref())?);
                }
                Ok(())
            }
            Some(Value::Null) => Ok(()),
            other => Err(self.fail(
                trace,
                Some("spans"),
                format!(
                    "expected \"spans\" (array), found {}",
                    other.map_or("nothing", type_name)
                ),
            )),
        }
    }

    fn process(&self, at: &Map<String, Value>, p: &Value) -> Result<Process, InputError> {
        let Value::Object(p) = p else {
            return Err(self.fail(
                at,
                Some("processes"),
                format!("expected process objects, found {}", type_name(p)),
            ));
        };
        let tags = self.tags(p, "tags")?;
        let host = ["host.id", "host.ip", "ip", "host.name", "hostname"]
            .iter()
            .find_map(|k| match tags.get(*k)? {
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
        Ok(Process {
            service: p
                .get("serviceName")
                .and_then(Value::as_str)
                .map(str::to_string),
            host,
        })
    }

    /// Jaeger's `[{"key", "type", "value"}]` tag lists as a JSON object.
    fn tags(&self, obj: &Map<String, Value>, name: &str) -> Result<Map<String, Value>, InputError> {
        let items = match obj.get(name) {
            None | Some(Value::Null) => return Ok(Map::new()),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(self.fail(
                    obj,
                    Some(name),
                    format!("expected {name:?} (array), found {}", type_name(other)),
                ))
            }
        };
        let mut out = Map::new();
        for item in items {
            let Some(Value::String(key)) = item.get("key") else {
                return Err(self.fail(
                    obj,
                    Some(name),
                    format!("expected {{\"key\": ..., \"value\": ...}} items in {name:?}"),
                ));
            };
            let value = item.get("value").cloned().unwrap_or(Value::Null);
            let typed = match (item.get("type").and_then(Value::as_str), &value) {
                (Some("bool"), Value::String(s)) => match s.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => value,
                },
                (Some("int64"), Value::String(s)) => {
                    s.parse::<i64>().map_or(value.clone(), Value::from)
                }
                (Some("float64"), Value::String(s)) => s
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(value.clone(), Value::Number),
                _ => value,
            };
            out.insert(key.clone(), typed);
        }
        Ok(out)
    }

    fn time(&self, obj: &Map<String, Value>, name: &str) -> Result<Option<i64>, InputError> {
        match obj.get(name) {
            None => Ok(None),
            Some(v) => read_time(v, 1000).map_err(|m| {
                let msg = time_error(name, "microseconds since the Unix epoch", &m);
                self.fail(obj, Some(name), msg)
            }),
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one span's fields, each read with its own error; splitting would pass the span's context around"
    )]
    fn span(
        &self,
        obj: &Map<String, Value>,
        processes: Option<&[(String, Process)]>,
        trace_id: Option<&str>,
    ) -> Result<Span, InputError> {
        let trace_id = match (obj.get("traceID").and_then(id_text), trace_id) {
            (Some(t), _) => normalize_id(&t),
            (None, Some(t)) => t.to_string(),
            (None, None) => {
                return Err(self.fail(obj, None, "expected \"traceID\" (hex string) in a span"))
            }
        };
        let span_id = match obj.get("spanID").and_then(id_text) {
            Some(s) if !s.trim().is_empty() => normalize_id(&s),
            _ => {
                return Err(self.fail(
                    obj,
                    Some("spanID"),
                    "expected \"spanID\" (hex string) in a span",
                ))
            }
        };
        let process = match (obj.get("process"), obj.get("processID"), processes) {
            (Some(p @ Value::Object(_)), _, _) => self.process(obj, p)?,
            (_, Some(Value::String(pid)), Some(list)) => {
                match list.iter().find(|(id, _)| id == pid) {
                    Some((_, p)) => p.clone(),
                    None => {
                        return Err(self.fail(
                            obj,
                            Some("processID"),
                            format!("expected \"processID\" to name one of the trace's processes, found {pid:?}"),
                        ))
                    }
                }
            }
            _ => {
                return Err(self.fail(
                    obj,
                    None,
                    "expected \"process\" (object) or a \"processID\" of the trace's processes in a span",
                ))
            }
        };
        let attributes = self.tags(obj, "tags")?;
        let kind = match attributes.get("span.kind") {
            Some(Value::String(k)) => SpanKind::from_name(k).ok_or_else(|| {
                self.fail(
                    obj,
                    Some("tags"),
                    format!("expected tag \"span.kind\" to be client, server, producer, consumer or internal, found {k:?}"),
                )
            })?,
            _ => SpanKind::Unspecified,
        };

        let mut child_of = None;
        let mut follows_from = None;
        let mut refs = Vec::new();
        match obj.get("references") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let Value::Object(r) = item else {
                        let msg = format!("expected reference objects, found {}", type_name(item));
                        return Err(self.doc.item_error(self.ctx, items, item, msg));
                    };
                    let Some(sid) = r.get("spanID").and_then(id_text) else {
                        return Err(self.fail(
                            r,
                            None,
                            "expected \"spanID\" (hex string) in a reference",
                        ));
                    };
                    let rtrace = r
                        .get("traceID")
                        .and_then(id_text)
                        .map_or_else(|| trace_id.clone(), |t| normalize_id(&t));
                    let ref_type = r
                        .get("refType")
                        .and_then(Value::as_str)
                        .unwrap_or("CHILD_OF")
                        .to_ascii_uppercase();
                    let sid = normalize_id(&sid);
                    let same_trace = rtrace == trace_id;
                    if same_trace && ref_type == "CHILD_OF" && child_of.is_none() {
                        child_of = Some(refs.len());
                    } else if same_trace && ref_type == "FOLLOWS_FROM" && follows_from.is_none() {
                        follows_from = Some(refs.len());
                    }
                    refs.push((rtrace, sid, ref_type));
                }
            }
            Some(other) => {
                return Err(self.fail(
                    obj,
                    Some("references"),
                    format!(
                        "expected \"references\" (array), found {}",
                        type_name(other)
                    ),
                ))
            }
        }
        let parent_ref = child_of.or(follows_from);
        let mut parent_id = parent_ref.map(|i| refs[i].1.clone());
        if parent_id.is_none() {
            // Older Jaeger JSON names the parent directly.
            parent_id = obj
                .get("parentSpanID")
                .and_then(id_text)
                .filter(|p| !is_null_id(p))
                .map(|p| normalize_id(&p));
        }
        let mut start_fields = Map::new();
        if let Some(i) = parent_ref {
            if refs[i].2 == "FOLLOWS_FROM" {
                start_fields.insert("ref_type".into(), "follows_from".into());
            }
        }
        let links = refs
            .into_iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != parent_ref)
            .map(|(_, (trace_id, span_id, ref_type))| {
                let mut attributes = Map::new();
                attributes.insert("ref_type".into(), ref_type.to_ascii_lowercase().into());
                Link {
                    trace_id,
                    span_id,
                    attributes,
                }
            })
            .collect();

        let start = self.time(obj, "startTime")?;
        let duration = match obj.get("duration") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                read_time(v, 1000)
                    .map_err(|m| {
                        self.fail(
                            obj,
                            Some("duration"),
                            time_error("duration", "microseconds", &m),
                        )
                    })?
                    .unwrap_or(0),
            ),
        };
        let end = match (start, duration) {
            (Some(s), Some(d)) => Some(s.saturating_add(d)),
            _ => None,
        };

        let mut annotations = Vec::new();
        match obj.get("logs") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let Value::Object(log) = item else {
                        let msg = format!("expected log objects, found {}", type_name(item));
                        return Err(self.doc.item_error(self.ctx, items, item, msg));
                    };
                    let fields = self.tags(log, "fields")?;
                    let name = ["event", "message", "msg"]
                        .iter()
                        .find_map(|k| fields.get(*k).and_then(Value::as_str))
                        .unwrap_or("log")
                        .to_string();
                    annotations.push(Annotation {
                        time: self.time(log, "timestamp")?,
                        name,
                        attributes: fields,
                    });
                }
            }
            Some(other) => {
                return Err(self.fail(
                    obj,
                    Some("logs"),
                    format!("expected \"logs\" (array), found {}", type_name(other)),
                ))
            }
        }
        let name = obj
            .get("operationName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        Ok(Span {
            trace_id,
            span_id,
            parent_id,
            kind,
            shared: false,
            name,
            service: process.service,
            host: process.host,
            start,
            end,
            annotations,
            links,
            attributes,
            start_fields,
            end_fields: Map::new(),
            file: self.ctx.index,
            line: self.doc.line(obj),
        })
    }
}
