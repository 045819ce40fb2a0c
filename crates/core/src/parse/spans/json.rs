//! Whole JSON inputs with the place of every object, so that errors about a span can name its
//! line: shared by the OTLP, Jaeger and Zipkin readers. It reads and locates; it builds no span.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::error::{InputError, Result};
use crate::input::{position, saturate, Input};
use crate::parse::FileContext;

/// Reads spans out of a [`JsonDoc`] for one trace format `F` (a marker type naming it), and
/// makes errors that point at an object or one of its keys. Each format adds its own methods
/// in an `impl Reader<'_, Format>` of its own.
pub struct Reader<'a, F> {
    /// The document.
    pub doc: &'a JsonDoc,
    /// The file it came from.
    pub ctx: &'a FileContext<'a>,
    format: std::marker::PhantomData<F>,
}

impl<'a, F> Reader<'a, F> {
    /// A reader of `doc`, read from the file `ctx` names.
    pub fn new(doc: &'a JsonDoc, ctx: &'a FileContext<'a>) -> Self {
        Reader {
            doc,
            ctx,
            format: std::marker::PhantomData,
        }
    }

    /// An error at `obj` (at its `key`, when given).
    pub fn fail(
        &self,
        obj: &Map<String, Value>,
        key: Option<&str>,
        msg: impl Into<String>,
    ) -> InputError {
        self.doc.error(self.ctx, obj, key, msg)
    }
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
                let msg = crate::parse::jsonl::json_error(&e);
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
