//! Jepsen's EDN histories: one operation map per form, alone or inside a vector or list.
//!
//! Reads the subset of EDN that Jepsen, Knossos and Porcupine write: maps, vectors, lists,
//! sets, strings, keywords, symbols, numbers, `nil`, booleans, characters, `;` comments,
//! `#_` discards and tagged values (`#jepsen.history.Op{...}` is read as its map). Commas are
//! whitespace. Knows nothing of models; positions are counted here so that every error names
//! its line and column.

use super::value::Value;
use super::{Process, Record, RecordType};
use crate::error::InputError;

/// Nesting deeper than this is an error rather than a deep recursion.
const MAX_DEPTH: usize = 200;

/// Whether `head` (the first bytes of an input) looks like an EDN history: after blank lines
/// and `;` comments, a map whose first key is a keyword, or a vector or list whose first
/// element is one, or a tagged map (`#jepsen.history.Op{`).
pub fn is_edn_history(head: &[u8]) -> bool {
    let mut p = Parser::new("", head);
    if p.skip_space().is_err() {
        return false;
    }
    let mut opened = 0;
    loop {
        match p.peek() {
            Some(b'[' | b'(') if opened == 0 => {
                opened += 1;
                p.pos += 1;
                if p.skip_space().is_err() {
                    return false;
                }
            }
            Some(b'#') if p.bytes.get(p.pos + 1).is_some_and(u8::is_ascii_alphabetic) => {
                // A tag such as `#jepsen.history.Op`, then the map.
                while p.peek().is_some_and(|b| !is_delimiter(b) && b != b'{') {
                    p.pos += 1;
                }
            }
            Some(b'{') => {
                p.pos += 1;
                return p.skip_space().is_ok() && p.peek() == Some(b':');
            }
            _ => return false,
        }
    }
}

/// Parses a whole EDN history into its operation records, in the order written.
///
/// `name` names the input in errors. Each record's line is the line its map opens on.
pub fn parse_records(name: &str, bytes: &[u8]) -> Result<Vec<Record>, InputError> {
    let mut p = Parser::new(name, bytes);
    let mut records = Vec::with_capacity(bytes.len() / 64);
    loop {
        p.skip_space()?;
        let Some(b) = p.peek() else {
            return Ok(records);
        };
        match b {
            b'[' | b'(' => {
                let close = if b == b'[' { b']' } else { b')' };
                let (line, column) = p.position();
                p.pos += 1;
                loop {
                    p.skip_space()?;
                    match p.peek() {
                        None => {
                            return Err(p.error_at(
                                line,
                                column,
                                format!(
                                    "expected `{}` to close the history opened here, found the end of the input",
                                    close as char
                                ),
                            ))
                        }
                        Some(c) if c == close => {
                            p.pos += 1;
                            break;
                        }
                        Some(_) => records.push(p.record()?),
                    }
                }
            }
            _ => records.push(p.record()?),
        }
    }
}

/// Parses `text`, one EDN value alone (surrounding whitespace allowed), found at `line` and
/// `column` of input `name`.
pub fn parse_value(name: &str, text: &str, line: u32, column: u32) -> Result<Value, InputError> {
    let mut p = Parser::new(name, text.as_bytes());
    let shift = |mut e: InputError| {
        if e.line == 1 {
            e.column = e.column.map(|c| c + column - 1);
        }
        e.line += line - 1;
        e
    };
    let value = p.value().map_err(shift)?;
    p.skip_space().map_err(shift)?;
    if p.peek().is_some() {
        return Err(shift(p.error("expected one value, found more after it")));
    }
    Ok(value)
}

/// A position in the input and the input itself.
struct Parser<'a> {
    name: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
    /// Values being read inside one another (discarded ones included).
    depth: usize,
}

fn is_delimiter(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b',' | b'{' | b'}' | b'[' | b']' | b'(' | b')' | b'"' | b';'
        )
}

impl<'a> Parser<'a> {
    fn new(name: &'a str, bytes: &'a [u8]) -> Self {
        Parser {
            name,
            bytes,
            pos: 0,
            line: 1,
            line_start: 0,
            depth: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The current line and 1-based column (in characters).
    fn position(&self) -> (u32, u32) {
        let upto = &self.bytes[self.line_start..self.pos.min(self.bytes.len())];
        let column = String::from_utf8_lossy(upto).chars().count() as u32 + 1;
        (self.line, column)
    }

    fn error(&self, message: impl Into<String>) -> InputError {
        let (line, column) = self.position();
        self.error_at(line, column, message)
    }

    fn error_at(&self, line: u32, column: u32, message: impl Into<String>) -> InputError {
        InputError::new(self.name, line, message).at_column(Some(column))
    }

    fn newline(&mut self) {
        self.line += 1;
        self.line_start = self.pos + 1;
    }

    /// Skips whitespace, commas, comments and `#_` discarded forms.
    fn skip_space(&mut self) -> Result<(), InputError> {
        while let Some(b) = self.peek() {
            match b {
                b'\n' => {
                    self.newline();
                    self.pos += 1;
                }
                b',' => self.pos += 1,
                b if b.is_ascii_whitespace() => self.pos += 1,
                b';' => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                b'#' if self.bytes.get(self.pos + 1) == Some(&b'_') => {
                    self.pos += 2;
                    self.value()?;
                }
                _ => return Ok(()),
            }
        }
        Ok(())
    }

    /// One operation map, as a record.
    fn record(&mut self) -> Result<Record, InputError> {
        let (line, column) = self.position();
        let value = self.value()?;
        let Value::Map(entries) = value else {
            return Err(self.error_at(
                line,
                column,
                format!(
                    "expected an operation map ({{:process 0, :type :invoke, :f :read, :value nil}}), found a {}",
                    value.type_name()
                ),
            ));
        };
        record_from_entries(entries, line).map_err(|m| self.error_at(line, column, m))
    }

    fn value(&mut self) -> Result<Value, InputError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(format!("expected at most {MAX_DEPTH} levels of nesting")));
        }
        self.depth += 1;
        let value = self.value_here();
        self.depth -= 1;
        value
    }

    fn value_here(&mut self) -> Result<Value, InputError> {
        self.skip_space()?;
        let Some(b) = self.peek() else {
            return Err(self.error("expected a value, found the end of the input"));
        };
        match b {
            b'{' => {
                let (line, column) = self.position();
                self.pos += 1;
                let items = self.items(b'}')?;
                if items.len() % 2 == 1 {
                    return Err(self.error_at(
                        line,
                        column,
                        "expected a value for every key of the map that opens here",
                    ));
                }
                let mut entries = Vec::with_capacity(items.len() / 2);
                let mut it = items.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    entries.push((k, v));
                }
                Ok(Value::Map(entries))
            }
            b'[' | b'(' => {
                self.pos += 1;
                let close = if b == b'[' { b']' } else { b')' };
                Ok(Value::Seq(self.items(close)?))
            }
            b'"' => self.string().map(Value::Str),
            b'#' => match self.bytes.get(self.pos + 1) {
                Some(b'{') => {
                    self.pos += 2;
                    Ok(Value::Set(self.items(b'}')?))
                }
                Some(c) if c.is_ascii_alphabetic() => {
                    // A tagged value: the tag is dropped, the value kept (`#inst "..."` is its
                    // string, a record `#ns.Name{...}` its map).
                    self.pos += 1;
                    self.token()?;
                    self.value()
                }
                _ => Err(self.error("expected a set `#{`, a tag or `#_` after `#`")),
            },
            b'}' | b']' | b')' => Err(self.error(format!(
                "expected a value, found `{}` that closes nothing",
                b as char
            ))),
            b'\\' => {
                // A character literal: `\a`, `\newline`, `\u0041`.
                let start = self.pos;
                self.pos += 1;
                if self.peek().is_some() {
                    self.pos += 1;
                }
                while self.peek().is_some_and(|c| !is_delimiter(c)) {
                    self.pos += 1;
                }
                Ok(Value::Symbol(self.text(start)?.into()))
            }
            b':' => {
                self.pos += 1;
                let name = self.token()?;
                if name.is_empty() {
                    return Err(self.error("expected a keyword name after `:`"));
                }
                Ok(Value::Keyword(name.into()))
            }
            _ => {
                let token = self.token()?;
                Ok(atom(token))
            }
        }
    }

    /// Values up to `close`, which is consumed.
    fn items(&mut self, close: u8) -> Result<Vec<Value>, InputError> {
        let (line, column) = self.position();
        let mut items = Vec::new();
        loop {
            self.skip_space()?;
            match self.peek() {
                None => {
                    return Err(self.error_at(
                        line,
                        column.saturating_sub(1).max(1),
                        format!(
                            "expected `{}` to close what opens here, found the end of the input",
                            close as char
                        ),
                    ))
                }
                Some(c) if c == close => {
                    self.pos += 1;
                    return Ok(items);
                }
                Some(c @ (b'}' | b']' | b')')) => {
                    return Err(self.error(format!(
                        "expected `{}`, found `{}`",
                        close as char, c as char
                    )))
                }
                Some(_) => items.push(self.value()?),
            }
        }
    }

    /// The text from `start` to the current position, which must be UTF-8.
    fn text(&self, start: usize) -> Result<&'a str, InputError> {
        std::str::from_utf8(&self.bytes[start..self.pos]).map_err(|e| {
            let bad = self.bytes[start + e.valid_up_to()];
            let mut err = self.error(format!("expected UTF-8 text, found byte 0x{bad:02x}"));
            let before =
                String::from_utf8_lossy(&self.bytes[self.line_start..start + e.valid_up_to()]);
            err.column = Some(before.chars().count() as u32 + 1);
            err
        })
    }

    /// A symbol-like token: everything up to the next delimiter.
    fn token(&mut self) -> Result<&'a str, InputError> {
        let start = self.pos;
        while self.peek().is_some_and(|c| !is_delimiter(c)) {
            self.pos += 1;
        }
        self.text(start)
    }

    /// A string literal; the opening quote is at the current position.
    fn string(&mut self) -> Result<Box<str>, InputError> {
        let (line, column) = self.position();
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error_at(
                    line,
                    column,
                    "expected `\"` to close the string opened here, found the end of the input",
                ));
            };
            self.pos += 1;
            match b {
                b'"' => break,
                b'\n' => {
                    self.line += 1;
                    self.line_start = self.pos;
                    out.push(b);
                }
                b'\\' => {
                    let Some(e) = self.peek() else { continue };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex = self.bytes.get(self.pos..self.pos + 4);
                            let code = hex
                                .and_then(|h| std::str::from_utf8(h).ok())
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .and_then(char::from_u32);
                            let Some(c) = code else {
                                return Err(self.error("expected four hex digits after \\u"));
                            };
                            self.pos += 4;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        String::from_utf8(out)
            .map(String::into_boxed_str)
            .map_err(|e| {
                self.error_at(
                    line,
                    column,
                    format!(
                        "expected UTF-8 text in the string, found byte 0x{:02x}",
                        e.as_bytes()[e.utf8_error().valid_up_to()]
                    ),
                )
            })
    }
}

/// A token that is not a string, keyword or collection: a number, `nil`, a boolean or a
/// symbol.
fn atom(token: &str) -> Value {
    match token {
        "nil" => return Value::Nil,
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    let first = token.as_bytes().first().copied().unwrap_or(b' ');
    let numeric = first.is_ascii_digit()
        || (matches!(first, b'-' | b'+')
            && token.as_bytes().get(1).is_some_and(u8::is_ascii_digit));
    if !numeric {
        return Value::Symbol(token.into());
    }
    let digits = token.strip_prefix('+').unwrap_or(token);
    match digits.parse::<i64>() {
        Ok(i) => Value::Int(i),
        // `42N` is an integer too.
        Err(_) => match digits.strip_suffix('N').and_then(|d| d.parse::<i64>().ok()) {
            Some(i) => Value::Int(i),
            None => Value::Number(token.into()),
        },
    }
}

/// The record a map describes; the error message says what was expected.
fn record_from_entries(entries: Vec<(Value, Value)>, line: u32) -> Result<Record, String> {
    let mut process = None;
    let mut kind = None;
    let mut f = None;
    let mut value = Value::Nil;
    let mut key = None;
    let mut time = None;
    for (k, v) in entries {
        let Value::Keyword(k) = k else { continue };
        match &*k {
            "process" => process = Some(v),
            "type" => kind = Some(v),
            "f" => f = Some(v),
            "value" => value = v,
            "key" => key = Some(v),
            "time" => time = Some(v),
            _ => {}
        }
    }
    let process = match process {
        Some(Value::Int(i)) => Process::Id(i),
        Some(Value::Keyword(k) | Value::Str(k)) if &*k == "nemesis" => Process::Nemesis,
        Some(Value::Keyword(k) | Value::Str(k) | Value::Symbol(k)) => Process::Name(k),
        Some(other) => {
            return Err(format!(
                "expected :process to be an integer or :nemesis, found {other}"
            ))
        }
        None => return Err("expected :process in the operation map".to_string()),
    };
    let kind = match kind {
        Some(Value::Keyword(k) | Value::Str(k)) => RecordType::from_name(&k)
            .ok_or_else(|| format!("expected :type :invoke, :ok, :fail or :info, found :{k}"))?,
        Some(other) => {
            return Err(format!(
                "expected :type :invoke, :ok, :fail or :info, found {other}"
            ))
        }
        None => return Err("expected :type (:invoke, :ok, :fail or :info)".to_string()),
    };
    let f: Box<str> = match f {
        Some(Value::Keyword(n) | Value::Str(n) | Value::Symbol(n)) => n,
        Some(other) if process == Process::Nemesis => other.to_string().into(),
        Some(other) => return Err(format!("expected :f to be a keyword, found {other}")),
        None if process == Process::Nemesis => "".into(),
        None => return Err("expected :f (the operation: :read, :write, ...)".to_string()),
    };
    let time = match time {
        None => None,
        Some(Value::Int(t)) => Some(t),
        Some(other) => {
            return Err(format!(
                "expected :time to be an integer (nanoseconds), found {other}"
            ))
        }
    };
    Ok(Record {
        process,
        kind,
        f,
        key,
        value,
        time,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Record>, String> {
        parse_records("h.edn", text.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn maps_one_a_line_and_inside_vectors_and_lists_are_read() {
        let lines = parse(
            "{:process 0, :type :invoke, :f :read, :value nil}\n\
             {:process 0, :type :ok, :f :read, :value 3, :time 12}\n",
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].value, Value::Int(3));
        assert_eq!(lines[1].time, Some(12));
        assert_eq!(lines[1].line, 2);
        let vector = parse(
            "; a comment\n[{:type :invoke, :process 1, :f :cas, :value [1 2]}\n {:type :fail, :process 1, :f :cas, :value [1 2], :error [:x nil]}]",
        )
        .unwrap();
        assert_eq!(vector.len(), 2);
        assert_eq!(
            vector[0].value,
            Value::Seq(vec![Value::Int(1), Value::Int(2)])
        );
        assert_eq!(vector[1].kind, RecordType::Fail);
        assert_eq!(vector[1].line, 3);
        let list = parse("({:type :info, :process :nemesis, :f :start, :value nil})").unwrap();
        assert_eq!(list[0].process, Process::Nemesis);
    }

    #[test]
    fn tagged_records_and_keys_are_read() {
        let r = parse(
            "#jepsen.history.Op{:index 0, :time 5, :type :invoke, :process 2, :f :append, :key \"k\\\"1\", :value \"x 0 0 y\"}",
        )
        .unwrap();
        assert_eq!(r[0].key, Some(Value::Str("k\"1".into())));
        assert_eq!(r[0].f.as_ref(), "append");
    }

    #[test]
    fn errors_name_line_and_column() {
        assert_eq!(
            parse("{:process 0, :type :invoke, :f :read}\n{:process 0, :type :done, :f :read}")
                .unwrap_err(),
            "h.edn:2:1: expected :type :invoke, :ok, :fail or :info, found :done"
        );
        assert_eq!(
            parse("[{:process 0, :type :invoke, :f :read}\n").unwrap_err(),
            "h.edn:1:1: expected `]` to close the history opened here, found the end of the input"
        );
        assert_eq!(
            parse("  {:process 0 :type}").unwrap_err(),
            "h.edn:1:3: expected a value for every key of the map that opens here"
        );
        assert_eq!(
            parse("[1 2]").unwrap_err(),
            "h.edn:1:2: expected an operation map ({:process 0, :type :invoke, :f :read, :value nil}), found a number"
        );
        assert!(parse(&"[".repeat(1000))
            .unwrap_err()
            .contains("levels of nesting"));
        assert!(parse(&"#_".repeat(1000))
            .unwrap_err()
            .contains("levels of nesting"));
    }

    #[test]
    fn invalid_utf8_is_an_error_not_a_panic() {
        let err = parse_records("h.edn", b"{:process 0, :type :invoke, :f :r\xff}")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "h.edn:1:34: expected UTF-8 text, found byte 0xff");
    }

    #[test]
    fn edn_histories_are_recognised_by_their_first_form() {
        assert!(is_edn_history(b"; c\n\n[{:type :invoke}"));
        assert!(is_edn_history(b"(\n {:process 1"));
        assert!(is_edn_history(b"{:process 0, :type :invoke}"));
        assert!(is_edn_history(b"#jepsen.history.Op{:index 0}"));
        assert!(!is_edn_history(b"{\"node\": \"a\"}"));
        assert!(!is_edn_history(b"[{\"a\": 1}]"));
        assert!(!is_edn_history(b"t1|r(x)|1"));
    }
}
