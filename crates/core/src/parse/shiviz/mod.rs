//! ShiViz logs: a parser regex with named groups `host`, `clock` and `event`, matched over
//! the whole log as ShiViz does (events may span lines), and an optional delimiter regex
//! that splits the log into executions (its `trace` group names each).
//!
//! ShiViz runs its JavaScript regex with the multiline flag over the text of each
//! execution, taking one match after another and skipping text between matches; this
//! parser does the same with the regex crate, in linear time. The regex and delimiter come
//! from `--regex`/`--delimiter`, else from `LOG.regex`/`LOG.delimiter` next to the log,
//! else from ShiViz's upload layout (the regex on the log's first line, the delimiter,
//! possibly empty, on the second). Other named groups become event fields. Clocks go to
//! [`VectorClockLog`], which infers the messages once every file is read.

use std::io;
use std::path::{Path, PathBuf};

use regex::Regex;

use super::vclog::{clock_json_text, parse_clock, ReadEvent, VectorClockLog};
use super::{FileContext, ParseOptions};
use crate::error::{Error, InputError, Result};
use crate::input::{node_name_from_path, Input};
use crate::model::ObjectWriter;
use crate::model::{RawEvent, TraceBuilder};

mod pairs;

/// The groups ShiViz requires of its parser regex.
const REQUIRED: [&str; 3] = ["host", "clock", "event"];

/// Whether `pattern` names the groups `host`, `clock` and `event` (a ShiViz parser regex
/// rather than a line regex), judged from its text.
pub fn is_shiviz_regex(pattern: &str) -> bool {
    REQUIRED
        .iter()
        .all(|g| pattern.contains(&format!("(?<{g}>")) || pattern.contains(&format!("(?P<{g}>")))
}

/// Compiles a ShiViz regex (parser or delimiter) with ShiViz's flags: multiline, so `^`
/// and `$` match at every line; the JavaScript dialect is accepted as in `--regex`.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    super::regex::compile(&format!("(?m){pattern}"))
}

/// The `.regex` file next to `path` (same stem), when it holds a ShiViz parser regex.
pub fn sibling_regex(path: &Path) -> Option<PathBuf> {
    let file = sibling(path, "regex")?;
    let text = std::fs::read_to_string(&file).ok()?;
    is_shiviz_regex(text.trim()).then_some(file)
}

/// `DIR/STEM.EXT` for the log `DIR/STEM.log[.gz]`, when it exists; never for stdin.
pub fn sibling(path: &Path, ext: &str) -> Option<PathBuf> {
    if path.as_os_str() == "-" {
        return None;
    }
    let stem = node_name_from_path(path)?;
    let file = path.with_file_name(format!("{stem}.{ext}"));
    (file != path && file.is_file()).then_some(file)
}

/// Reads the text of a sibling file: its content without the final line break.
pub fn read_sibling(path: &Path, ext: &str) -> Result<Option<(String, String)>> {
    let Some(file) = sibling(path, ext) else {
        return Ok(None);
    };
    let name = file.display().to_string();
    let text = std::fs::read_to_string(&file).map_err(|error| Error::Io {
        path: name.clone(),
        error: if error.kind() == io::ErrorKind::InvalidData {
            io::Error::new(io::ErrorKind::InvalidData, "expected UTF-8 text")
        } else {
            error
        },
    })?;
    Ok(Some((
        text.trim_end_matches(['\n', '\r']).to_string(),
        name,
    )))
}

/// Where a regex came from, for messages.
enum Origin {
    Flag(&'static str),
    File(String),
    Header(String, u32),
}

impl Origin {
    fn error(&self, message: String) -> Error {
        match self {
            Origin::Flag(flag) => Error::Usage(format!("invalid {flag}: {message}")),
            Origin::File(file) => InputError::new(file, 1, message).into(),
            Origin::Header(file, line) => InputError::new(file, *line, message).into(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Origin::Flag(flag) => flag.to_string(),
            Origin::File(file) => file.clone(),
            Origin::Header(file, line) => format!("{file}:{line}"),
        }
    }
}

/// ShiViz's upload layout: the regex on line 1 and the delimiter on line 2; returns both
/// and the byte offset where the log starts.
fn upload_header(text: &str) -> Option<(&str, &str, usize)> {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    if !is_shiviz_regex(first) {
        return None;
    }
    let (second, _) = rest.split_once('\n').unwrap_or((rest, ""));
    let start = (first.len() + 1 + second.len() + 1).min(text.len());
    Some((first.trim(), second.trim(), start))
}

/// Counts lines up to byte offsets that mostly grow, in time linear in the text.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u32,
}

impl LineCounter<'_> {
    fn line_at(&mut self, offset: usize) -> u32 {
        let newlines = |s: &[u8]| s.iter().filter(|&&b| b == b'\n').count() as u32;
        if offset >= self.offset {
            self.line += newlines(&self.text[self.offset..offset]);
        } else {
            self.line -= newlines(&self.text[offset..self.offset]);
        }
        self.offset = offset;
        self.line
    }
}

/// Parses one ShiViz log, pushing its events through `log` (one execution per delimited
/// part of the log when there is a delimiter).
#[expect(
    clippy::too_many_lines,
    reason = "the ShiViz log's regex, delimiter and executions are read in one pass over the text"
)]
pub fn parse(
    input: &mut Input,
    ctx: &FileContext<'_>,
    path: &Path,
    options: &ParseOptions,
    builder: &mut TraceBuilder,
    log: &mut VectorClockLog,
) -> Result<()> {
    let mut text = input.read_to_string()?;
    if text.contains('\r') {
        // JavaScript's `.` stops at `\r` as at `\n`; ours would take it into the group.
        text = text.replace("\r\n", "\n");
    }
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let header = upload_header(&text[bom..]);
    let body_start = bom + header.map_or(0, |(_, _, start)| start);

    let (pattern, origin) = if let Some(p) = &options.regex {
        (p.clone(), Origin::Flag("--regex"))
    } else if let Some((p, file)) = read_sibling(path, "regex")? {
        (p.trim().to_string(), Origin::File(file))
    } else if let Some((p, _, _)) = header {
        (p.to_string(), Origin::Header(ctx.name.to_string(), 1))
    } else {
        return Err(ctx
            .error(
                0,
                "expected a ShiViz parser regex with groups host, clock and event: give \
                 --regex PATTERN, put it in a .regex file next to the log, or on the log's \
                 first line (ShiViz's upload layout)",
            )
            .into());
    };
    let regex = compile(&pattern).map_err(|e| origin.error(format!("invalid regex: {e}")))?;
    let names: Vec<&str> = regex.capture_names().flatten().collect();
    let missing: Vec<&str> = REQUIRED
        .into_iter()
        .filter(|g| !names.contains(g))
        .collect();
    if !missing.is_empty() {
        return Err(origin.error(format!(
            "expected the ShiViz regex to have named groups host, clock and event, \
             missing {}",
            missing.join(", ")
        )));
    }
    // The common patterns are matched by hand when the text allows (see `pairs`).
    let fast = pairs::recognise(&pattern).filter(|_| names.len() == REQUIRED.len());

    let delimiter_source = if let Some(d) = &options.delimiter {
        Some((d.clone(), Origin::Flag("--delimiter")))
    } else if let Some((d, file)) = read_sibling(path, "delimiter")? {
        Some((d.trim().to_string(), Origin::File(file)))
    } else {
        header
            .filter(|(_, d, _)| !d.is_empty())
            .map(|(_, d, _)| (d.to_string(), Origin::Header(ctx.name.to_string(), 2)))
    };
    let delimiter = match delimiter_source.filter(|(d, _)| !d.is_empty()) {
        Some((d, origin)) => {
            Some(compile(&d).map_err(|e| origin.error(format!("invalid delimiter: {e}")))?)
        }
        None => None,
    };

    // ShiViz trims the log before splitting it.
    let body = &text[body_start..];
    let leading = body.len() - body.trim_start().len();
    let trimmed = body.trim();
    let base = body_start + leading;
    let mut segments: Vec<(usize, usize, Option<String>)> = Vec::new();
    match &delimiter {
        None => segments.push((base, base + trimmed.len(), None)),
        Some(d) => {
            let mut from = base;
            let mut label = None;
            for caps in d.captures_iter(trimmed) {
                let m = caps.get(0).expect("group 0 always matches");
                segments.push((from, base + m.start(), label.take()));
                label = Some(caps.name("trace").map_or("", |t| t.as_str()).to_string());
                from = base + m.end();
            }
            segments.push((from, base + trimmed.len(), label));
        }
    }

    let mut lines = LineCounter {
        text: text.as_bytes(),
        offset: 0,
        line: 1,
    };
    let mut matched = 0usize;
    for (start, end, label) in segments {
        let part = &text[start..end];
        if part.trim().is_empty() {
            continue;
        }
        let execution = delimiter.as_ref().map(|_| label.as_deref());
        if let Some(found) = fast.and_then(|host| pairs::pairs(part, host)) {
            // Each event is held as its clock only, and made as it is pushed.
            let text = |(a, b): (usize, usize)| &part[a..b];
            let mut clocks = Vec::with_capacity(found.len());
            let mut lines_of = Vec::with_capacity(found.len());
            for m in &found {
                matched += 1;
                let line = lines.line_at(start + m.whole.0);
                let host = text(m.host);
                if host.is_empty() {
                    return Err(no_host(ctx, line));
                }
                clocks.push(log.read_clock_text(host, text(m.clock)));
                lines_of.push(line);
            }
            log.push_part_with(builder, ctx.index, execution, clocks, |i, clock, hosts| {
                let m = &found[i];
                let (host, event) = (text(m.host), text(m.event));
                // As `read_event` writes the three groups, then `label`.
                let mut fields = ObjectWriter::new();
                fields.string("host", host);
                if clock.is_read() {
                    fields.json_with("clock", |out| clock.write_json(hosts, out));
                } else {
                    fields.string("clock", text(m.clock));
                }
                fields.string("event", event);
                fields.string("label", event);
                RawEvent {
                    node: host.to_string(),
                    label: Some(event.to_string()),
                    line: lines_of[i],
                    fields_text: Some(fields.finish()),
                    ..RawEvent::default()
                }
            });
            continue;
        }
        let mut read = Vec::new();
        let mut groups: Vec<(&str, &str)> = Vec::with_capacity(names.len());
        for caps in regex.captures_iter(part) {
            matched += 1;
            let whole = caps.get(0).expect("group 0 always matches");
            groups.clear();
            groups.extend(
                names
                    .iter()
                    .filter_map(|&n| caps.name(n).map(|m| (n, m.as_str()))),
            );
            let line = lines.line_at(start + whole.start());
            read.push(read_event(ctx, line, &groups, log)?);
        }
        log.push_part(builder, ctx.index, execution, read);
    }
    if matched == 0 && !trimmed.is_empty() {
        let line = lines.line_at(base);
        return Err(ctx
            .error(
                line,
                format!(
                    "expected text that the ShiViz regex (from {}) matches, found none: \
                     check the regex against the log",
                    origin.describe()
                ),
            )
            .into());
    }
    Ok(())
}

/// The error for a match whose `host` group is empty.
fn no_host(ctx: &FileContext<'_>, line: u32) -> Error {
    ctx.error(
        line,
        "expected the \"host\" group to match a host name, found nothing",
    )
    .into()
}

/// The event of one match: its named groups (`host`, `clock` and `event` among them) in the
/// regex's order, each group a field, the clock as a JSON object when it reads as one.
fn read_event(
    ctx: &FileContext<'_>,
    line: u32,
    groups: &[(&str, &str)],
    log: &mut VectorClockLog,
) -> Result<ReadEvent> {
    let group = |name: &str| {
        groups
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |&(_, text)| text)
    };
    let host = group("host");
    if host.is_empty() {
        return Err(no_host(ctx, line));
    }
    let clock = parse_clock(group("clock"));
    let event = group("event");
    let mut fields = ObjectWriter::new();
    for &(name, text) in groups {
        match (name, &clock) {
            ("clock", Ok(c)) => fields.json(name, &clock_json_text(c)),
            _ => fields.string(name, text),
        }
    }
    // The label is the `event` group, written as `label` too (unless a group is named so)
    // so that reading the output back keeps it.
    if !groups.iter().any(|(n, _)| *n == "label") {
        fields.string("label", event);
    }
    let raw = RawEvent {
        node: host.to_string(),
        label: Some(event.to_string()),
        line,
        fields_text: Some(fields.finish()),
        ..RawEvent::default()
    };
    Ok(log.read(raw, clock))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shiviz_regexes_are_told_from_line_regexes() {
        assert!(is_shiviz_regex(
            r"(?<host>\S*) (?<clock>{.*})\n(?<event>.*)"
        ));
        assert!(!is_shiviz_regex(r"^(?<node>\S+) (?<label>.*)$"));
    }

    #[test]
    fn the_upload_layout_gives_regex_delimiter_and_start() {
        let text =
            "(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)\n^=== (?<trace>.*) ===$\na {\"a\":1}\nx\n";
        let (re, delim, start) = upload_header(text).unwrap();
        assert_eq!(re, r"(?<host>\S*) (?<clock>{.*})\n(?<event>.*)");
        assert_eq!(delim, "^=== (?<trace>.*) ===$");
        assert!(text[start..].starts_with("a {"));
        assert!(upload_header("a {\"a\":1}\nx\n").is_none());
    }

    #[test]
    fn lines_are_counted_forwards_and_back() {
        let mut c = LineCounter {
            text: b"a\nb\nc\nd",
            offset: 0,
            line: 1,
        };
        assert_eq!(c.line_at(4), 3);
        assert_eq!(c.line_at(2), 2);
        assert_eq!(c.line_at(7), 4);
    }
}
