//! Plain-text logs parsed line by line with a user's regex and its named groups.
//!
//! Groups `node`, `kind`, `msg`, `time`, `label`, `id`, `reads`, `writes` and `to` mean what
//! the native fields mean (`reads`, `writes` and `to` are comma-separated lists); every other
//! named group becomes a pass-through field.

use regex::Regex;
use serde_json::{Map, Value};

use super::fields::{parse_kind, parse_time_str, split_list};
use super::{check_event, FileContext};
use crate::error::{InputError, Result};
use crate::input::Input;
use crate::model::{RawEvent, TraceBuilder};

/// Compiles a user's pattern, accepting the JavaScript dialect ShiViz users paste:
/// `(?<name>...)` groups (Rust accepts them too) and braces that are not a repetition, such
/// as the `{` in `(?<clock>{.*})`, which are taken literally.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    // As written first: `\p{L}`, `\x{41}` and `{2,3}` mean what they say. Only a pattern that
    // does not compile (ShiViz's `(?<clock>{.*})`, whose braces JavaScript takes literally) is
    // tried again with its literal braces escaped; if that fails too, the first error is the
    // one that describes the pattern the user wrote.
    match Regex::new(pattern) {
        Ok(re) => Ok(re),
        Err(first) => Regex::new(&escape_literal_braces(pattern)).map_err(|_| first.to_string()),
    }
}

/// Escapes every `{` that does not start a repetition `{n}`, `{n,}` or `{n,m}`, and every
/// `}` that does not close one.
fn escape_literal_braces(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 4);
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    out.push(next);
                }
                i += 2;
                continue;
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '{' if !in_class => {
                let close = chars[i..].iter().position(|&c| c == '}').map(|p| i + p);
                let is_repetition = close.is_some_and(|end| {
                    let body: String = chars[i + 1..end].iter().collect();
                    let mut parts = body.splitn(2, ',');
                    let low = parts.next().unwrap_or("");
                    let high = parts.next();
                    !low.is_empty()
                        && low.chars().all(|c| c.is_ascii_digit())
                        && high.is_none_or(|h| h.chars().all(|c| c.is_ascii_digit()))
                        && i > 0
                });
                if let (true, Some(end)) = (is_repetition, close) {
                    out.extend(&chars[i..=end]);
                    i = end + 1;
                    continue;
                }
                out.push_str("\\{");
                i += 1;
                continue;
            }
            '}' if !in_class => {
                out.push_str("\\}");
                i += 1;
                continue;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Parses every non-blank line of `input` with `re`; returns how many lines were skipped.
pub fn parse(
    input: &mut Input,
    ctx: &FileContext<'_>,
    re: &Regex,
    skip_unmatched: bool,
    builder: &mut TraceBuilder,
) -> Result<u64> {
    if ctx.default_node.is_none() && !re.capture_names().any(|n| n == Some("node")) {
        return Err(ctx
            .error(
                0,
                "expected the regex to have a named group \"node\" (?<node>...): standard input \
                 has no file name to take the node from (or use --node NAME)",
            )
            .into());
    }
    let mut skipped = 0;
    input.for_each_line(|line, text| {
        if text.trim().is_empty() {
            return Ok(());
        }
        match parse_line(re, text, line, ctx)? {
            Some(raw) => builder.push(ctx.index, raw),
            None if skip_unmatched => skipped += 1,
            None => return Err(unmatched(ctx, line, re).into()),
        }
        Ok(())
    })?;
    Ok(skipped)
}

/// The error for a line that `re` does not match.
pub fn unmatched(ctx: &FileContext<'_>, line: u32, re: &Regex) -> InputError {
    ctx.error(
        line,
        format!(
            "expected a line matching --regex {:?} (use --skip-unmatched to skip such lines)",
            re.as_str()
        ),
    )
}

/// Parses one line; `None` when the regex does not match it.
pub fn parse_line(
    re: &Regex,
    text: &str,
    line: u32,
    ctx: &FileContext<'_>,
) -> Result<Option<RawEvent>, InputError> {
    let Some(caps) = re.captures(text) else {
        return Ok(None);
    };
    let mut raw = RawEvent {
        line,
        ..RawEvent::default()
    };
    let mut fields = Map::new();
    let mut node = None;
    for name in re.capture_names().flatten() {
        let Some(m) = caps.name(name) else { continue };
        let value = m.as_str();
        let column = Some(crate::input::position(text[..m.start()].chars().count()));
        let fail = |message: String| ctx.error(line, message).at_column(column);
        match name {
            "node" => node = Some(value.to_string()),
            "kind" => raw.kind = Some(parse_kind(value).map_err(fail)?),
            "msg" => raw.msg = Some(value.to_string()),
            "time" => raw.time = Some(parse_time_str(value).map_err(fail)?),
            "label" => raw.label = Some(value.to_string()),
            "id" => raw.id = Some(value.to_string()),
            "reads" => raw.reads = split_list(value),
            "writes" => raw.writes = split_list(value),
            "to" => raw.to = split_list(value),
            _ => {}
        }
        let json = match name {
            "reads" | "writes" | "to" => {
                Value::Array(split_list(value).into_iter().map(Value::String).collect())
            }
            _ => Value::String(value.to_string()),
        };
        fields.insert(name.to_string(), json);
    }
    raw.node = match node.or_else(|| ctx.default_node.map(str::to_string)) {
        Some(n) if !n.is_empty() => n,
        _ => {
            return Err(ctx.error(
                line,
                "expected the \"node\" group to match a node name (or use --node NAME)",
            ))
        }
    };
    check_event(&raw).map_err(|m| ctx.error(line, m))?;
    raw.fields = fields;
    Ok(Some(raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventKind;

    const CTX: FileContext<'static> = FileContext {
        name: "app.log",
        index: 0,
        default_node: None,
    };

    #[test]
    fn groups_become_fields() {
        let re = Regex::new(
            r"^(?<time>\S+) (?<node>\S+) (?<kind>\w+) (?<msg>\S+) (?<writes>\S+) (?<req>\d+)$",
        )
        .unwrap();
        let raw = parse_line(&re, "1.5 api send m1 a,b 42", 7, &CTX)
            .unwrap()
            .unwrap();
        assert_eq!(raw.node, "api");
        assert_eq!(raw.kind, Some(EventKind::Send));
        assert_eq!(raw.writes, vec!["a", "b"]);
        assert_eq!(raw.fields["req"], "42");
        assert_eq!(raw.fields["writes"], serde_json::json!(["a", "b"]));
    }

    #[test]
    fn a_bad_group_value_names_its_column() {
        let re = Regex::new(r"^(?<node>\S+) (?<time>\S+)$").unwrap();
        let err = parse_line(&re, "api later", 4, &CTX)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("app.log:4:5: expected \"time\""), "{err}");
    }

    #[test]
    fn shiviz_dialect_braces_are_literal_and_repetitions_stay() {
        assert_eq!(
            escape_literal_braces(r"(?<host>\S*) (?<clock>{.*})"),
            r"(?<host>\S*) (?<clock>\{.*\})"
        );
        assert_eq!(escape_literal_braces(r"\d{1,3}x{2}"), r"\d{1,3}x{2}");
        assert_eq!(escape_literal_braces(r"[{}]\{"), r"[{}]\{");
        let re = compile(r"(?<host>\S*) (?<clock>{.*})").unwrap();
        let caps = re.captures(r#"a {"a":1}"#).unwrap();
        assert_eq!(&caps["clock"], r#"{"a":1}"#);
    }

    #[test]
    fn unmatched_lines_are_none() {
        let re = Regex::new(r"^(?<node>\S+)$").unwrap();
        assert_eq!(parse_line(&re, "two words", 1, &CTX).unwrap(), None);
    }
}
