//! Zipkin v2 JSON: a list of spans, or a list of lists (one per trace, as the API's `/traces`
//! returns them).
//!
//! This file only reads the JSON into [`Span`]s; `spans.rs` turns them into events. Times are
//! microseconds, and may be missing (an unfinished span has no `duration`). A `shared` server
//! span reuses its client's id; spans.rs makes it the client's child. The host of a span is its
//! `localEndpoint`'s address.

use serde_json::{Map, Value};

use super::fields::type_name;
use super::spans::{
    id_text, is_null_id, normalize_id, read_time, time_error, Annotation, JsonDoc, Reader, Span,
    SpanCollector, SpanKind,
};
use super::FileContext;
use crate::error::{InputError, Result};
use crate::input::Input;

/// Reads every span of `input` into `spans`.
pub fn parse(input: &mut Input, ctx: &FileContext<'_>, spans: &mut SpanCollector) -> Result<()> {
    spans.add_file(ctx.index, ctx.name);
    let doc = JsonDoc::read(input, ctx)?;
    let reader = Reader::<Zipkin>::new(&doc, ctx);
    let expected = |found: &Value| {
        format!(
            "expected Zipkin v2 JSON (a list of spans, or a list of lists of spans), found {} in it",
            type_name(found)
        )
    };
    for (i, value) in doc.values().iter().enumerate() {
        match value {
            Value::Object(obj) => spans.push(reader.span(obj)?),
            Value::Array(items) => {
                for item in items {
                    match item {
                        Value::Object(obj) => spans.push(reader.span(obj)?),
                        Value::Array(trace) => {
                            for s in trace {
                                match s {
                                    Value::Object(obj) => spans.push(reader.span(obj)?),
                                    other => {
                                        let msg = expected(other);
                                        return Err(doc.item_error(ctx, trace, s, msg).into());
                                    }
                                }
                            }
                        }
                        other => {
                            return Err(doc.item_error(ctx, items, item, expected(other)).into())
                        }
                    }
                }
            }
            other => return Err(doc.error_at_value(ctx, i, expected(other)).into()),
        }
    }
    Ok(())
}

/// The reader of this format: its methods are in the `impl` below.
struct Zipkin;

impl Reader<'_, Zipkin> {
    fn id(&self, obj: &Map<String, Value>, name: &str) -> Result<Option<String>, InputError> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match id_text(v) {
                Some(s) => Ok(Some(normalize_id(&s))),
                None => Err(self.fail(
                    obj,
                    Some(name),
                    format!("expected {name:?} (hex string), found {}", type_name(v)),
                )),
            },
        }
    }

    fn time(&self, obj: &Map<String, Value>, name: &str) -> Result<Option<i64>, InputError> {
        match obj.get(name) {
            None => Ok(None),
            Some(v) => read_time(v, 1000).map_err(|m| {
                let unit = if name == "duration" {
                    "microseconds"
                } else {
                    "microseconds since the Unix epoch"
                };
                self.fail(obj, Some(name), time_error(name, unit, &m))
            }),
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one span's fields, each read with its own error; splitting would pass the span's context around"
    )]
    fn span(&self, obj: &Map<String, Value>) -> Result<Span, InputError> {
        let Some(trace_id) = self.id(obj, "traceId")?.filter(|t| !t.is_empty()) else {
            return Err(self.fail(obj, None, "expected \"traceId\" (hex string) in a span"));
        };
        let Some(span_id) = self.id(obj, "id")?.filter(|t| !t.is_empty()) else {
            return Err(self.fail(obj, None, "expected \"id\" (hex string) in a span"));
        };
        let parent_id = self.id(obj, "parentId")?.filter(|p| !is_null_id(p));
        let kind = match obj.get("kind") {
            None | Some(Value::Null) => SpanKind::Unspecified,
            Some(Value::String(k)) => SpanKind::from_name(k).ok_or_else(|| {
                self.fail(
                    obj,
                    Some("kind"),
                    format!(
                        "expected \"kind\" to be CLIENT, SERVER, PRODUCER or CONSUMER, found {k:?}"
                    ),
                )
            })?,
            Some(other) => {
                return Err(self.fail(
                    obj,
                    Some("kind"),
                    format!("expected \"kind\" (string), found {}", type_name(other)),
                ))
            }
        };
        let (service, host) = match obj.get("localEndpoint") {
            None | Some(Value::Null) => (None, None),
            Some(Value::Object(ep)) => (
                ep.get("serviceName")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                ["ipv4", "ipv6"]
                    .iter()
                    .find_map(|k| ep.get(*k).and_then(Value::as_str))
                    .filter(|h| !h.is_empty())
                    .map(str::to_string),
            ),
            Some(other) => {
                return Err(self.fail(
                    obj,
                    Some("localEndpoint"),
                    format!(
                        "expected \"localEndpoint\" (object), found {}",
                        type_name(other)
                    ),
                ))
            }
        };
        let start = self.time(obj, "timestamp")?;
        let duration = self.time(obj, "duration")?;
        let end = match (start, duration) {
            (Some(s), Some(d)) => Some(s.saturating_add(d)),
            _ => None,
        };
        let attributes = match obj.get("tags") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(tags)) => tags.clone(),
            Some(other) => {
                return Err(self.fail(
                    obj,
                    Some("tags"),
                    format!("expected \"tags\" (object), found {}", type_name(other)),
                ))
            }
        };
        let mut annotations = Vec::new();
        match obj.get("annotations") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let Value::Object(a) = item else {
                        let msg = format!("expected annotation objects, found {}", type_name(item));
                        return Err(self.doc.item_error(self.ctx, items, item, msg));
                    };
                    annotations.push(Annotation {
                        time: self.time(a, "timestamp")?,
                        name: a
                            .get("value")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                        attributes: Map::new(),
                    });
                }
            }
            Some(other) => {
                return Err(self.fail(
                    obj,
                    Some("annotations"),
                    format!(
                        "expected \"annotations\" (array), found {}",
                        type_name(other)
                    ),
                ))
            }
        }
        let shared = obj.get("shared").and_then(Value::as_bool).unwrap_or(false);
        let mut start_fields = Map::new();
        if shared {
            start_fields.insert("shared".into(), true.into());
        }
        if let Some(remote @ Value::Object(_)) = obj.get("remoteEndpoint") {
            start_fields.insert("remote_endpoint".into(), remote.clone());
        }
        Ok(Span {
            trace_id,
            span_id,
            parent_id,
            kind,
            shared,
            name: obj
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            service,
            host,
            start,
            end,
            annotations,
            links: Vec::new(),
            attributes,
            start_fields,
            end_fields: Map::new(),
            file: self.ctx.index,
            line: self.doc.line(obj),
        })
    }
}
