//! OpenTelemetry traces as OTLP JSON: a `{"resourceSpans": [...]}` document, or the collector
//! file exporter's JSON Lines of them.
//!
//! This file only reads the JSON into [`Span`]s; `spans.rs` turns them into events. Ids are hex
//! in any case (base64, which generic protobuf JSON writers produce, is accepted too); times
//! are Unix nanoseconds as strings or numbers; `kind` is OTLP's number or its name. Both the
//! proto3 JSON names (`traceId`) and the proto field names (`trace_id`) are read, and the
//! pre-1.0 `instrumentationLibrarySpans` as well as `scopeSpans`.

use serde_json::{Map, Value};

use super::fields::type_name;
use super::spans::{
    id_text, is_null_id, key_value_list, normalize_id, read_time, time_error, Annotation, JsonDoc,
    Link, Reader, Span, SpanCollector, SpanKind,
};
use super::FileContext;
use crate::error::{InputError, Result};
use crate::input::Input;

/// Reads every span of `input` into `spans`.
pub fn parse(input: &mut Input, ctx: &FileContext<'_>, spans: &mut SpanCollector) -> Result<()> {
    spans.add_file(ctx.index, ctx.name);
    let doc = JsonDoc::read(input, ctx)?;
    let reader = Reader::<Otlp>::new(&doc, ctx);
    for (i, value) in doc.values().iter().enumerate() {
        let Value::Object(root) = value else {
            return Err(doc
                .error_at_value(
                    ctx,
                    i,
                    format!(
                        "expected an OTLP object {{\"resourceSpans\": [...]}}, found {}",
                        type_name(value)
                    ),
                )
                .into());
        };
        let Some(list) = reader.array(root, &["resourceSpans", "resource_spans"])? else {
            return Err(reader
                .fail(
                    root,
                    None,
                    "expected \"resourceSpans\" (array) in an OTLP document",
                )
                .into());
        };
        for resource_spans in list {
            reader.resource_spans(root, resource_spans, spans)?;
        }
    }
    Ok(())
}

/// The reader of this format: its methods are in the `impl` below.
struct Otlp;

/// The value of the first of `names` present in `obj`.
fn get<'v>(obj: &'v Map<String, Value>, names: &[&str]) -> Option<&'v Value> {
    names
        .iter()
        .find_map(|n| obj.get(*n))
        .filter(|v| !v.is_null())
}

impl Reader<'_, Otlp> {
    /// An optional array field.
    fn array<'v>(
        &self,
        obj: &'v Map<String, Value>,
        names: &[&str],
    ) -> Result<Option<&'v Vec<Value>>, InputError> {
        match get(obj, names) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(other) => Err(self.fail(
                obj,
                Some(names[0]),
                format!(
                    "expected {:?} (array), found {}",
                    names[0],
                    type_name(other)
                ),
            )),
        }
    }

    /// An item of an array field that must be an object.
    fn object<'v>(
        &self,
        parent: &Map<String, Value>,
        name: &str,
        item: &'v Value,
    ) -> Result<&'v Map<String, Value>, InputError> {
        match item {
            Value::Object(m) => Ok(m),
            other => {
                let msg = format!("expected objects in {name:?}, found {}", type_name(other));
                Err(match parent.get(name) {
                    Some(Value::Array(items)) => self.doc.item_error(self.ctx, items, item, msg),
                    _ => self.fail(parent, Some(name), msg),
                })
            }
        }
    }

    fn attributes(
        &self,
        obj: &Map<String, Value>,
        name: &str,
    ) -> Result<Map<String, Value>, InputError> {
        match self.array(obj, &[name])? {
            None => Ok(Map::new()),
            Some(items) => {
                key_value_list(items, any_value).map_err(|m| self.fail(obj, Some(name), m))
            }
        }
    }

    fn resource_spans(
        &self,
        root: &Map<String, Value>,
        item: &Value,
        spans: &mut SpanCollector,
    ) -> Result<(), InputError> {
        let rs = self.object(root, "resourceSpans", item)?;
        let resource_attrs = match get(rs, &["resource"]) {
            Some(Value::Object(resource)) => self.attributes(resource, "attributes")?,
            Some(other) => {
                return Err(self.fail(
                    rs,
                    Some("resource"),
                    format!("expected \"resource\" (object), found {}", type_name(other)),
                ))
            }
            None => Map::new(),
        };
        let service = resource_attrs
            .get("service.name")
            .and_then(Value::as_str)
            .map(str::to_string);
        let host = ["host.id", "host.ip", "host.name"].iter().find_map(|k| {
            match resource_attrs.get(*k)? {
                Value::String(s) if !s.is_empty() => Some(s.clone()),
                Value::Array(items) => items.first().and_then(Value::as_str).map(str::to_string),
                _ => None,
            }
        });
        let scope_names = [
            "scopeSpans",
            "scope_spans",
            "instrumentationLibrarySpans",
            "instrumentation_library_spans",
        ];
        for scope_item in self.array(rs, &scope_names)?.into_iter().flatten() {
            let scope_spans = self.object(rs, "scopeSpans", scope_item)?;
            let scope = get(
                scope_spans,
                &["scope", "instrumentationLibrary", "instrumentation_library"],
            )
            .and_then(|s| s.get("name"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
            for span_item in self.array(scope_spans, &["spans"])?.into_iter().flatten() {
                let obj = self.object(scope_spans, "spans", span_item)?;
                let mut span = self.span(obj)?;
                span.service = service.clone();
                span.host = host.clone();
                if let Some(scope) = scope {
                    span.start_fields.insert("scope".into(), scope.into());
                }
                spans.push(span);
            }
        }
        Ok(())
    }

    fn id(
        &self,
        obj: &Map<String, Value>,
        names: &[&str],
        required: bool,
    ) -> Result<Option<String>, InputError> {
        match get(obj, names) {
            None if required => Err(self.fail(
                obj,
                None,
                format!("expected {:?} (hex string) in a span", names[0]),
            )),
            None => Ok(None),
            Some(v) => match id_text(v) {
                Some(s) if s.trim().is_empty() && required => Err(self.fail(
                    obj,
                    Some(names[0]),
                    format!(
                        "expected {:?} (hex string), found an empty string",
                        names[0]
                    ),
                )),
                Some(s) => Ok(Some(otlp_id(&s))),
                None => Err(self.fail(
                    obj,
                    Some(names[0]),
                    format!(
                        "expected {:?} (hex string), found {}",
                        names[0],
                        type_name(v)
                    ),
                )),
            },
        }
    }

    fn time(&self, obj: &Map<String, Value>, names: &[&str]) -> Result<Option<i64>, InputError> {
        match get(obj, names) {
            None => Ok(None),
            Some(v) => read_time(v, 1).map_err(|m| {
                self.fail(
                    obj,
                    Some(names[0]),
                    time_error(names[0], "Unix nanoseconds", &m),
                )
            }),
        }
    }

    fn span(&self, obj: &Map<String, Value>) -> Result<Span, InputError> {
        let trace_id = self
            .id(obj, &["traceId", "trace_id"], true)?
            .unwrap_or_default();
        let span_id = self
            .id(obj, &["spanId", "span_id"], true)?
            .unwrap_or_default();
        let parent_id = self
            .id(obj, &["parentSpanId", "parent_span_id"], false)?
            .filter(|p| !is_null_id(p));
        let name = match get(obj, &["name"]) {
            None => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(self.fail(
                    obj,
                    Some("name"),
                    format!("expected \"name\" (string), found {}", type_name(other)),
                ))
            }
        };
        let kind = match get(obj, &["kind"]) {
            None => Some(SpanKind::Unspecified),
            Some(Value::Number(n)) => n.as_i64().and_then(SpanKind::from_number),
            Some(Value::String(s)) => {
                SpanKind::from_name(s).or_else(|| s.parse().ok().and_then(SpanKind::from_number))
            }
            Some(_) => None,
        };
        let Some(kind) = kind else {
            return Err(self.fail(
                obj,
                Some("kind"),
                format!(
                    "expected \"kind\" as 0-5 or a name such as SPAN_KIND_SERVER, found {}",
                    obj["kind"]
                ),
            ));
        };
        let start = self.time(obj, &["startTimeUnixNano", "start_time_unix_nano"])?;
        let end = self.time(obj, &["endTimeUnixNano", "end_time_unix_nano"])?;
        let attributes = self.attributes(obj, "attributes")?;

        let mut annotations = Vec::new();
        for item in self.array(obj, &["events"])?.into_iter().flatten() {
            let ev = self.object(obj, "events", item)?;
            annotations.push(Annotation {
                time: self.time(ev, &["timeUnixNano", "time_unix_nano"])?,
                name: get(ev, &["name"])
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                attributes: self.attributes(ev, "attributes")?,
            });
        }
        let mut links = Vec::new();
        for item in self.array(obj, &["links"])?.into_iter().flatten() {
            let link = self.object(obj, "links", item)?;
            links.push(Link {
                trace_id: self
                    .id(link, &["traceId", "trace_id"], true)?
                    .unwrap_or_default(),
                span_id: self
                    .id(link, &["spanId", "span_id"], true)?
                    .unwrap_or_default(),
                attributes: self.attributes(link, "attributes")?,
            });
        }
        let mut end_fields = Map::new();
        if let Some(Value::Object(status)) = get(obj, &["status"]) {
            let code = match status.get("code") {
                Some(Value::Number(n)) => match n.as_i64() {
                    Some(1) => Some("ok"),
                    Some(2) => Some("error"),
                    _ => None,
                },
                Some(Value::String(s)) => {
                    match s.to_ascii_lowercase().trim_start_matches("status_code_") {
                        "ok" => Some("ok"),
                        "error" => Some("error"),
                        _ => None,
                    }
                }
                _ => None,
            };
            let message = status
                .get("message")
                .and_then(Value::as_str)
                .filter(|m| !m.is_empty());
            if code.is_some() || message.is_some() {
                let mut s = Map::new();
                s.insert("code".into(), code.unwrap_or("unset").into());
                if let Some(m) = message {
                    s.insert("message".into(), m.into());
                }
                end_fields.insert("status".into(), Value::Object(s));
            }
        }
        Ok(Span {
            trace_id,
            span_id,
            parent_id,
            kind,
            name,
            start,
            end,
            annotations,
            links,
            attributes,
            end_fields,
            file: self.ctx.index,
            line: self.doc.line(obj),
            ..Span::default()
        })
    }
}

/// OTLP's `AnyValue` (`{"stringValue": "x"}`, `{"intValue": "3"}`, arrays, key-value lists) as
/// plain JSON.
pub fn any_value(v: &Value) -> Value {
    let Value::Object(m) = v else {
        return v.clone();
    };
    if let Some(s) = get(m, &["stringValue", "string_value"]) {
        return s.clone();
    }
    if let Some(b) = get(m, &["boolValue", "bool_value"]) {
        return b.clone();
    }
    if let Some(i) = get(m, &["intValue", "int_value"]) {
        return match i {
            Value::String(s) => s.parse::<i64>().map_or_else(|_| i.clone(), Value::from),
            _ => i.clone(),
        };
    }
    if let Some(d) = get(m, &["doubleValue", "double_value"]) {
        return d.clone();
    }
    if let Some(b) = get(m, &["bytesValue", "bytes_value"]) {
        return b.clone();
    }
    if let Some(a) = get(m, &["arrayValue", "array_value"]) {
        let items = a.get("values").and_then(Value::as_array);
        return Value::Array(items.into_iter().flatten().map(any_value).collect());
    }
    if let Some(kv) = get(m, &["kvlistValue", "kvlist_value"]) {
        let items = kv.get("values").and_then(Value::as_array);
        return Value::Object(
            key_value_list(items.map_or(&[][..], Vec::as_slice), any_value).unwrap_or_default(),
        );
    }
    if m.is_empty() {
        Value::Null
    } else {
        v.clone()
    }
}

/// An OTLP id: hex in any case, or base64 of 8 or 16 bytes as generic protobuf JSON writes it.
fn otlp_id(s: &str) -> String {
    let t = s.trim();
    let is_hex = t.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_hex {
        if let Some(bytes) = base64(t).filter(|b| b.len() == 8 || b.len() == 16) {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            return normalize_id(&hex);
        }
    }
    normalize_id(t)
}

/// Standard base64 (padding optional); `None` when `s` is not base64.
fn base64(s: &str) -> Option<Vec<u8>> {
    let body = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in body.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn any_values_become_plain_json() {
        assert_eq!(any_value(&json!({"stringValue": "x"})), json!("x"));
        assert_eq!(any_value(&json!({"intValue": "23456"})), json!(23456));
        assert_eq!(any_value(&json!({"doubleValue": 72.5})), json!(72.5));
        assert_eq!(
            any_value(&json!({"arrayValue": {"values": [{"boolValue": true}]}})),
            json!([true])
        );
        assert_eq!(
            any_value(
                &json!({"kvlistValue": {"values": [{"key": "k", "value": {"intValue": 1}}]}})
            ),
            json!({"k": 1})
        );
        assert_eq!(any_value(&json!({})), Value::Null);
    }

    #[test]
    fn ids_may_be_hex_or_base64() {
        assert_eq!(otlp_id("EEE19B7EC3C1B174"), "eee19b7ec3c1b174");
        // base64 of the 8 bytes 01 02 03 04 05 06 07 08
        assert_eq!(otlp_id("AQIDBAUGBwg="), "0102030405060708");
    }
}
