//! Values in histories: what an operation wrote, read or compared, as EDN or JSON gave it.
//!
//! A value is data only: it prints itself in EDN's notation (the one Jepsen and Knossos
//! print) and converts to JSON; it knows nothing of models or files.

use std::fmt;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// A value of an operation: EDN's scalars and collections, which also hold every JSON value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// `nil` (JSON `null`).
    Nil,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits 64 bits.
    Int(i64),
    /// Any other number, as written with its suffix (`1.5`, `12345678901234567890N`, `1/2`).
    Number(Box<str>),
    /// A string.
    Str(Box<str>),
    /// A keyword, without its colon (`timed-out` for `:timed-out`).
    Keyword(Box<str>),
    /// A symbol (or a character literal, as written).
    Symbol(Box<str>),
    /// A vector or a list: both are sequences to a model (`[1 2]` equals `(1 2)`).
    Seq(Vec<Value>),
    /// A map, its entries in the order written.
    Map(Vec<(Value, Value)>),
    /// A set, its members in the order written.
    Set(Vec<Value>),
}

impl Value {
    /// The string or keyword name this value holds, if it is one of those.
    pub fn as_name(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::Keyword(s) | Value::Symbol(s) => Some(s),
            _ => None,
        }
    }

    /// The text a key-value model stores for this value: a string as it is, `nil` as the
    /// empty string, anything else as it prints.
    pub fn as_text(&self) -> String {
        match self {
            Value::Str(s) => s.to_string(),
            Value::Nil => String::new(),
            other => other.to_string(),
        }
    }

    /// A short name of the value's type, for messages (`integer`, `vector`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::Number(_) => "number",
            Value::Str(_) => "string",
            Value::Keyword(_) => "keyword",
            Value::Symbol(_) => "symbol",
            Value::Seq(_) => "vector",
            Value::Map(_) => "map",
            Value::Set(_) => "set",
        }
    }

    /// The value of JSON `v`: `null` is `nil`, arrays are sequences, objects are maps with
    /// string keys.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Number(n.to_string().into()),
            },
            serde_json::Value::String(s) => Value::Str(s.as_str().into()),
            serde_json::Value::Array(a) => Value::Seq(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(m) => Value::Map(
                m.iter()
                    .map(|(k, v)| (Value::Str(k.as_str().into()), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// EDN notation; strings escape quotes, backslashes and every control character, so a printed
/// value never carries a raw control character to a terminal.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Number(n) => f.write_str(&escape_name(n)),
            Value::Str(s) => write_string(f, s),
            Value::Keyword(k) => write!(f, ":{}", escape_name(k)),
            Value::Symbol(s) => f.write_str(&escape_name(s)),
            Value::Seq(items) => write_items(f, "[", items.iter(), "]"),
            Value::Set(items) => write_items(f, "#{", items.iter(), "}"),
            Value::Map(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

fn write_items<'a>(
    f: &mut fmt::Formatter<'_>,
    open: &str,
    items: impl Iterator<Item = &'a Value>,
    close: &str,
) -> fmt::Result {
    f.write_str(open)?;
    for (i, v) in items.enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        write!(f, "{v}")?;
    }
    f.write_str(close)
}

fn write_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c if c.is_control() => write!(f, "\\u{:04x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

/// Names (keywords, symbols) cannot hold control characters in EDN; a malformed one that
/// does gets them escaped rather than printed.
fn escape_name(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(char::is_control) {
        s.chars()
            .map(|c| {
                if c.is_control() {
                    format!("\\u{:04x}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

/// JSON: `nil` is `null`, numbers that fit are numbers (others their text), keywords are
/// strings with their colon (`":timed-out"`), sequences and sets are arrays, maps are objects
/// keyed by their keys' text (a string key as it is).
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Nil => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Str(text) => s.serialize_str(text),
            Value::Number(_) | Value::Keyword(_) | Value::Symbol(_) => {
                s.serialize_str(&self.to_string())
            }
            Value::Seq(items) | Value::Set(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    match k {
                        Value::Str(text) => map.serialize_entry(&**text, v)?,
                        other => map.serialize_entry(&other.to_string(), v)?,
                    }
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_edn_with_control_characters_escaped() {
        let v = Value::Seq(vec![
            Value::Int(1),
            Value::Nil,
            Value::Keyword("timed-out".into()),
            Value::Str("a\"\u{1b}[31m".into()),
        ]);
        assert_eq!(v.to_string(), r#"[1 nil :timed-out "a\"\u001b[31m"]"#);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"[1,null,":timed-out","a\"\u001b[31m"]"#
        );
    }

    #[test]
    fn key_value_text_takes_strings_as_they_are() {
        assert_eq!(Value::Str("x 1".into()).as_text(), "x 1");
        assert_eq!(Value::Nil.as_text(), "");
        assert_eq!(Value::Int(3).as_text(), "3");
    }
}
