//! Formatting shared by every renderer: times, durations, plurals, text from logs made safe for
//! one terminal line, display widths, aligned columns that may be painted, and an event as the
//! JSON reports name it.
//!
//! Only renderers use it, and it writes nothing itself. Text from the input (labels, ids, node
//! and message names) reaches a terminal only through [`one_line`] (or a column of a [`Table`],
//! which applies it): an ESC or BEL in a log must never drive the user's terminal.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat};
use serde::Serialize;
use unicode_width::UnicodeWidthChar;

use crate::clock::ClockRef;
use crate::model::{EventIdx, EventKind, NodeId, Timestamp, Trace};
use crate::render::members::{close_members, push_u32, write_members, Keys, MemberKey};
use crate::render::Palette;

/// A wall-clock time as RFC 3339 in UTC, with as many fraction digits as it needs
/// (`2026-11-20T09:14:00.502Z`).
pub fn time(t: Timestamp) -> String {
    DateTime::from_timestamp_nanos(t.0).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// An event as JSON reports name it: id, node, time, where it was read and its label.
#[derive(Serialize)]
pub(crate) struct EventJson<'t> {
    id: String,
    node: &'t str,
    time: Option<String>,
    file: &'t str,
    line: u32,
    label: Option<&'t str>,
}

/// The [`EventJson`] of event `e`.
pub(crate) fn event_json(trace: &Trace, e: EventIdx) -> EventJson<'_> {
    let ev = trace.event(e);
    let loc = trace.location(e);
    EventJson {
        id: trace.event_id(e).to_string(),
        node: trace.node_name(ev.node),
        time: ev.time().map(time),
        file: loc.file,
        line: loc.line,
        label: ev.label.as_deref(),
    }
}

/// Writes the start of an event's JSON object, `{"id":...,"node":...`, for writers that add
/// their own fields and the closing brace.
pub(crate) fn write_event_json_head(
    w: &mut dyn std::io::Write,
    trace: &Trace,
    e: EventIdx,
) -> std::io::Result<()> {
    w.write_all(b"{\"id\":")?;
    serde_json::to_writer(&mut *w, &trace.event_id(e).to_string())?;
    w.write_all(b",\"node\":")?;
    serde_json::to_writer(&mut *w, trace.node_name(trace.event(e).node))?;
    Ok(())
}

/// Nanoseconds since the epoch as RFC 3339 in UTC with always nine fraction digits, so that
/// comparing the strings compares the times (`2026-11-20T09:14:00.020000000Z`).
pub fn time_nanos(ns: i64) -> String {
    DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// [`time_nanos`] appended to a byte buffer without chrono, for years 0 to 9999: `causal gen`
/// writes one per event, ten million a run, where chrono's formatter was most of its time.
/// Property-tested against [`time_nanos`].
pub fn push_time_nanos(line: &mut Vec<u8>, ns: i64) {
    let secs = ns.div_euclid(1_000_000_000);
    let nanos = ns.rem_euclid(1_000_000_000) as u64;
    let (days, day_secs) = (secs.div_euclid(86_400), secs.rem_euclid(86_400) as u64);
    let (year, month, day) = civil_from_days(days);
    push_digits(line, year.clamp(0, 9999) as u64, 4);
    line.push(b'-');
    push_digits(line, u64::from(month), 2);
    line.push(b'-');
    push_digits(line, u64::from(day), 2);
    line.push(b'T');
    push_digits(line, day_secs / 3600, 2);
    line.push(b':');
    push_digits(line, day_secs / 60 % 60, 2);
    line.push(b':');
    push_digits(line, day_secs % 60, 2);
    line.push(b'.');
    push_digits(line, nanos, 9);
    line.push(b'Z');
}

/// The last `width` decimal digits of `n`, zero-padded.
fn push_digits(line: &mut Vec<u8>, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut n = n;
    for i in (0..width).rev() {
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    line.extend_from_slice(&digits[..width]);
}

/// Year, month and day of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Nanoseconds as decimal seconds without trailing zeros (`-2.5`, `0.000001`, `3`).
pub fn seconds(ns: i128) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    let (secs, frac) = (abs / 1_000_000_000, abs % 1_000_000_000);
    if frac == 0 {
        return format!("{sign}{secs}");
    }
    let digits = format!("{frac:09}");
    format!("{sign}{secs}.{}", digits.trim_end_matches('0'))
}

/// Nanoseconds as seconds in a JSON number (exact to the nanosecond below about 100 days).
pub fn seconds_f64(ns: i128) -> f64 {
    ns as f64 / 1e9
}

/// A duration for people, in the largest unit that keeps it at 1 or more, to three
/// significant digits without trailing zeros: `850 ns`, `4.1 ms`, `1.57 s`, `-2.5 s`; whole
/// seconds and above never lose a digit before the point (`1234 s`).
pub fn duration(ns: i128) -> String {
    const UNITS: [&str; 4] = ["ns", "µs", "ms", "s"];
    let sign = if ns < 0 { "-" } else { "" };
    let mut value = ns.unsigned_abs() as f64;
    let mut unit = 0;
    loop {
        let decimals = if unit == 0 || value >= 100.0 {
            0
        } else if value >= 10.0 {
            1
        } else {
            2
        };
        let mut text = format!("{value:.decimals$}");
        // 999.96 ms rounds to "1000": say it in the next unit instead.
        if unit < 3 && text.parse::<f64>().is_ok_and(|v| v >= 1000.0) {
            value /= 1000.0;
            unit += 1;
            continue;
        }
        if text.contains('.') {
            text = text.trim_end_matches('0').trim_end_matches('.').to_string();
        }
        let sign = if text == "0" { "" } else { sign };
        return format!("{sign}{text} {}", UNITS[unit]);
    }
}

/// A horizontal bar of `width` columns at most for a share between 0 and 1, in eighths of a
/// column (`███▍`); a share above zero shows at least a sliver.
pub fn bar(share: f64, width: usize) -> String {
    const PARTS: [char; 7] = ['▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    // NaN and shares at or below zero draw nothing.
    if share.is_nan() || share <= 0.0 {
        return String::new();
    }
    let eighths = ((share.min(1.0) * (width * 8) as f64).round() as usize).max(1);
    let mut out = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(PARTS[eighths % 8 - 1]);
    }
    out
}

/// Counts as a row of block characters, one per count, scaled so that `max` fills a whole
/// block (`▁▂▃▄▅▆▇█`); a zero count is a space, any other count at least the lowest block.
pub fn sparkline(counts: &[u64], max: u64) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    counts
        .iter()
        .map(|&c| {
            if c == 0 || max == 0 {
                ' '
            } else {
                let level = (c.min(max) * 8).div_ceil(max).clamp(1, 8);
                BLOCKS[level as usize - 1]
            }
        })
        .collect()
}

/// `1 conflict`, `2 conflicts`.
pub fn plural(n: impl Into<u64>, word: &str) -> String {
    let n = n.into();
    format!("{n} {word}{}", s(n))
}

/// The plural ending of a count: `""` for one, else `"s"`.
pub fn s(n: impl Into<u64>) -> &'static str {
    if n.into() == 1 {
        ""
    } else {
        "s"
    }
}

/// Text from the input made safe for one line of a terminal: line breaks and tabs become
/// spaces, and every other control character (ESC, BEL, DEL, the C1 controls) is shown as an
/// escape such as `\x1b`, so a hostile log cannot move the cursor, ring the bell or retitle
/// the window.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_one_line(&mut out, s);
    out
}

/// [`one_line`] appended to `out`, without allocating for text that needs no escaping (the
/// vector clocks of a report at 1,000 nodes escape a name per member).
pub fn push_one_line(out: &mut String, s: &str) {
    if is_plain(s) {
        out.push_str(s);
        return;
    }
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

/// The terminal columns `s` takes (East Asian wide characters two, combining marks none).
pub fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// The terminal columns one character takes.
pub fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// `s` cut to at most `width` terminal columns, ending in `…` when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if display_width(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if used + cw + 1 > width {
            break;
        }
        out.push(c);
        used += cw;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// `s` cut to at most `width` columns by taking out its middle, since names that share a
/// prefix (`node-01`, `node-02`) differ at the end: `replica-…ast-1`.
pub fn truncate_middle(s: &str, width: usize) -> String {
    if display_width(s) <= width {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let budget = width.saturating_sub(1);
    let (mut head, mut tail) = (String::new(), Vec::new());
    let (mut used, mut i, mut j) = (0, 0, chars.len());
    // Alternate ends, tail first, so the distinguishing suffix survives.
    loop {
        let mut grew = false;
        if j > i && used + char_width(chars[j - 1]) <= budget {
            used += char_width(chars[j - 1]);
            tail.push(chars[j - 1]);
            j -= 1;
            grew = true;
        }
        if i < j && used + char_width(chars[i]) <= budget && head.chars().count() < tail.len() {
            used += char_width(chars[i]);
            head.push(chars[i]);
            i += 1;
            grew = true;
        }
        if !grew {
            break;
        }
    }
    tail.reverse();
    format!("{head}…{}", tail.into_iter().collect::<String>())
}

/// A vector clock for people: `[a:1 b:2]`, zero components left out, built as one string (at
/// 1,000 nodes a string per component dominated the conflict report's time), node names made
/// safe for one line as [`one_line`] does. For one clock now and then (a drawing's labels);
/// a report of many clocks writes them with a [`VcText`].
pub fn vc(nodes: &[String], clock: ClockRef<'_>) -> String {
    /// ` name:`, the name as it is or made safe for one line.
    struct Names<'a>(&'a [String], bool);
    impl Keys for Names<'_> {
        fn push_key(&self, w: &mut Vec<u8>, node: usize) {
            w.push(b' ');
            match self.1 {
                false => w.extend_from_slice(self.0[node].as_bytes()),
                true => w.extend_from_slice(one_line(&self.0[node]).as_bytes()),
            }
            w.push(b':');
        }
    }
    let mut text = Vec::new();
    // Names are checked in one pass over the whole text, not one by one: at 1,000 nodes the
    // check per member cost more than writing it.
    write_members(&mut text, &Names(nodes, false), clock, *b"[]");
    if !is_plain_bytes(&text) {
        text.clear();
        write_members(&mut text, &Names(nodes, true), clock, *b"[]");
    }
    String::from_utf8(text).expect("names and numbers are UTF-8")
}

/// Vector clocks for people, `[a:1 b:2]` as [`vc`] writes them, for reports that write many:
/// each node's ` name:` is made safe for one line once, then copied member by member.
pub struct VcText {
    keys: Vec<MemberKey>,
}

impl VcText {
    /// Keys for the nodes `nodes`.
    pub fn new(nodes: &[String]) -> Self {
        VcText {
            keys: nodes
                .iter()
                .map(|n| MemberKey::new(&format!(" {}:", one_line(n))))
                .collect(),
        }
    }

    /// Appends `clock` to `w`.
    pub fn push(&self, w: &mut Vec<u8>, clock: ClockRef<'_>) {
        write_members(w, &self.keys[..], clock, *b"[]");
    }

    /// Appends `clock` to `w` whole if it has at most `most` members; otherwise only its
    /// members for `nodes` (those it has) and how many it leaves out: `[a:3 b:7 +998 more]`.
    /// Returns whether it left members out. A clock of a thousand members is no help to a
    /// person reading it, and at 1,000 nodes it made most of a report's bytes.
    pub fn push_around(
        &self,
        w: &mut Vec<u8>,
        clock: ClockRef<'_>,
        nodes: [NodeId; 2],
        most: usize,
    ) -> bool {
        let members = clock.nonzero();
        if members <= most {
            self.push(w, clock);
            return false;
        }
        let mut nodes = nodes.map(NodeId::index);
        nodes.sort_unstable();
        let open = w.len();
        let mut shown = 0;
        for (i, &n) in nodes.iter().enumerate() {
            let count = clock.get(n);
            if count == 0 || (i > 0 && nodes[i - 1] == n) {
                continue;
            }
            self.keys[n].push_to(w);
            push_u32(w, count);
            shown += 1;
        }
        w.extend_from_slice(b" +");
        push_u32(w, (members - shown) as u32);
        w.extend_from_slice(b" more");
        close_members(w, open, *b"[]");
        true
    }
}

/// Whether bytes of UTF-8 text hold no control character (see [`is_plain`]).
fn is_plain_bytes(b: &[u8]) -> bool {
    if b.is_ascii() {
        !ascii_has_control(b)
    } else {
        std::str::from_utf8(b).is_ok_and(is_plain)
    }
}

/// Whether `s` holds no control character (so [`one_line`] leaves it as it is).
fn is_plain(s: &str) -> bool {
    if s.is_ascii() {
        !ascii_has_control(s.as_bytes())
    } else {
        !s.chars().any(char::is_control)
    }
}

/// Whether ASCII bytes hold a control character (below 0x20, or DEL), eight at a time.
/// Written by hand because callgrind showed the byte-by-byte test at 12 % of `conflicts` at
/// 1,000 nodes (its vector clocks run to thousands of bytes a line).
fn ascii_has_control(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = b.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        // Some byte below 0x20 (exact for bytes below 0x80: the input is ASCII).
        let low = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        // Some byte equal to 0x7f: a zero byte of x ^ 0x7f7f...
        let y = x ^ (ONES * 0x7f);
        let del = y.wrapping_sub(ONES) & !y & HIGH;
        if low | del != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&c| c < 0x20 || c == 0x7f)
}

/// How a cell is painted, decided by the renderer and applied after padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unpainted.
    Plain,
    /// In node `n`'s color.
    Node(usize),
    /// In an event kind's color.
    Kind(EventKind),
    /// Dimmed.
    Dim,
    /// Bold.
    Bold,
    /// As a warning.
    Warning,
    /// As an error.
    Error,
}

impl Style {
    /// `text` painted in this style by `palette`.
    pub fn paint(self, palette: Palette, text: &str) -> String {
        match self {
            Style::Plain => text.to_string(),
            Style::Node(n) => palette.node(n, text),
            Style::Kind(k) => palette.kind(k, text),
            Style::Dim => palette.dim(text),
            Style::Bold => palette.bold(text),
            Style::Warning => palette.warning(text),
            Style::Error => palette.error(text),
        }
    }
}

/// Aligned columns for people. Cells hold plain text (made one-line safe when added), are
/// padded by their display width, and only then painted, so colors never shift a column. The
/// last column is not padded; trailing spaces are trimmed.
#[derive(Clone, Debug)]
pub struct Table {
    right: Vec<bool>,
    indent: String,
    gap: String,
    rows: Vec<Vec<(String, Style)>>,
}

impl Table {
    /// A table whose columns are right-aligned where `right` says.
    pub fn new(right: &[bool]) -> Self {
        Table {
            right: right.to_vec(),
            indent: String::new(),
            gap: "  ".to_string(),
            rows: Vec::new(),
        }
    }

    /// Starts every line with `indent`.
    pub fn indent(mut self, indent: &str) -> Self {
        self.indent = indent.to_string();
        self
    }

    /// Separates columns by `gap` (two spaces by default).
    pub fn gap(mut self, gap: &str) -> Self {
        self.gap = gap.to_string();
        self
    }

    /// Adds a row of `(text, style)` cells; the text is made one-line safe.
    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = (S, Style)>) {
        self.rows.push(
            cells
                .into_iter()
                .map(|(text, style)| (one_line(text.as_ref()), style))
                .collect(),
        );
    }

    /// The width of each column.
    fn widths(&self) -> Vec<usize> {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        (0..columns)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|(t, _)| display_width(t))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }

    /// Every line, painted by `palette`, each without its newline.
    pub fn lines(&self, palette: Palette) -> Vec<String> {
        let widths = self.widths();
        self.rows
            .iter()
            .map(|row| {
                let mut line = self.indent.clone();
                let mut pending = String::new();
                // Padding goes outside the paint, so colors never shift a column.
                for (c, (text, style)) in row.iter().enumerate() {
                    let pad = widths[c] - display_width(text);
                    let last = c + 1 == row.len();
                    let right = self.right.get(c).copied().unwrap_or(false);
                    line.push_str(&pending);
                    pending.clear();
                    if right {
                        line.push_str(&" ".repeat(pad));
                    }
                    if !text.is_empty() {
                        line.push_str(&style.paint(palette, text));
                    }
                    if !last {
                        if !right {
                            pending.push_str(&" ".repeat(pad));
                        }
                        pending.push_str(&self.gap);
                    }
                }
                line.trim_end().to_string()
            })
            .collect()
    }

    /// Writes every line with its newline.
    pub fn write(&self, w: &mut dyn std::io::Write, palette: Palette) -> std::io::Result<()> {
        for line in self.lines(palette) {
            writeln!(w, "{line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Both ways of writing a vector clock give what joining its members says, names escaped
    /// (terminal controls, a name longer than a key slot, non-ASCII), dense or sparse.
    #[test]
    fn vector_clocks_for_people_are_their_members_joined() {
        let nodes: Vec<String> = [
            "a",
            "x\u{1b}[2J",
            "é",
            "a-name-longer-than-a-key-slot-of-24",
            "",
        ]
        .iter()
        .map(|n| n.to_string())
        .collect();
        let text = VcText::new(&nodes);
        for row in [
            [0u32, 0, 0, 0, 0],
            [1, 2, 3, 4, 5],
            [0, 7, 0, 12, 0],
            [9, 0, 0, 0, 1],
        ] {
            let members: Vec<String> = nodes
                .iter()
                .zip(row)
                .filter(|(_, c)| *c > 0)
                .map(|(n, c)| format!("{}:{c}", one_line(n)))
                .collect();
            let expected = format!("[{}]", members.join(" "));
            let entries: Vec<crate::clock::Entry> = (0..5u32)
                .filter(|&n| row[n as usize] > 0)
                .map(|n| crate::clock::Entry {
                    node: n,
                    count: row[n as usize],
                })
                .collect();
            for clock in [ClockRef::Dense(&row), ClockRef::Sparse(&entries)] {
                assert_eq!(vc(&nodes, clock), expected);
                let mut w = b"vc ".to_vec();
                text.push(&mut w, clock);
                assert_eq!(String::from_utf8(w).unwrap(), format!("vc {expected}"));
            }
        }
    }

    #[test]
    fn seconds_are_written_without_trailing_zeros() {
        assert_eq!(seconds(-2_511_000_000), "-2.511");
        assert_eq!(seconds(3_000_000_000), "3");
        assert_eq!(seconds(1_000), "0.000001");
        assert_eq!(seconds(0), "0");
    }

    #[test]
    fn times_keep_the_digits_they_need() {
        assert_eq!(
            time(Timestamp(1_795_000_000_502_000_000)),
            "2026-11-18T11:06:40.502Z"
        );
        assert_eq!(
            time_nanos(1_795_000_000_502_000_000),
            "2026-11-18T11:06:40.502000000Z"
        );
    }

    proptest! {
        #[test]
        fn the_fast_time_writer_agrees_with_chrono(ns in -2_000_000_000_000_000_000i64..9_000_000_000_000_000_000) {
            let mut line = Vec::new();
            push_time_nanos(&mut line, ns);
            prop_assert_eq!(String::from_utf8(line).unwrap(), time_nanos(ns));
        }
    }

    #[test]
    fn durations_keep_three_digits_in_the_largest_unit() {
        assert_eq!(duration(850), "850 ns");
        assert_eq!(duration(4_100_000), "4.1 ms");
        assert_eq!(duration(1_568_000_000), "1.57 s");
        assert_eq!(duration(-2_511_000_000), "-2.51 s");
        assert_eq!(duration(12_000), "12 µs");
        assert_eq!(duration(999_999), "1 ms");
        assert_eq!(duration(0), "0 ns");
        assert_eq!(duration(1_234_000_000_000), "1234 s");
    }

    #[test]
    fn bars_grow_in_eighths_and_never_vanish() {
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5, 3), "█▌");
        assert_eq!(bar(0.0001, 10), "▏");
        assert_eq!(bar(0.0, 10), "");
    }

    #[test]
    fn sparklines_scale_to_their_maximum() {
        assert_eq!(sparkline(&[0, 1, 4, 8], 8), " ▁▄█");
        assert_eq!(sparkline(&[3, 0], 0), "  ");
        assert_eq!(sparkline(&[1, 100], 100), "▁█");
    }

    #[test]
    fn plurals_count() {
        assert_eq!(plural(1u32, "key"), "1 key");
        assert_eq!(plural(0u32, "key"), "0 keys");
        assert_eq!(s(2u64), "s");
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        assert_eq!(one_line("a\nb\tc\r"), "a b c ");
        assert_eq!(one_line("\u{1b}[31mred\u{7}"), "\\x1b[31mred\\x07");
        assert_eq!(one_line("\u{9b}2J"), "\\x9b2J");
        assert_eq!(one_line("plain é 日本"), "plain é 日本");
    }

    proptest::proptest! {
        /// Eight bytes at a time finds a control character exactly where a byte-by-byte test
        /// does.
        #[test]
        fn control_bytes_are_found_eight_at_a_time(
            mut bytes in proptest::collection::vec(0x20u8..0x7f, 0..40),
            bad in proptest::option::of((0usize..40, proptest::prop_oneof![0u8..0x20, proptest::strategy::Just(0x7fu8)])),
        ) {
            if let Some((at, c)) = bad {
                bytes.insert(at.min(bytes.len()), c);
            }
            let oracle = bytes.iter().any(|&c| c < 0x20 || c == 0x7f);
            proptest::prop_assert_eq!(ascii_has_control(&bytes), oracle);
        }
    }

    #[test]
    fn vector_clocks_name_their_nodes_on_one_line() {
        use crate::clock::ClockRef;
        let names = [
            "a".to_string(),
            "b\u{1b}[2J".to_string(),
            "ü\u{9b}".to_string(),
        ];
        assert_eq!(vc(&names[..1], ClockRef::Dense(&[3])), "[a:3]");
        assert_eq!(vc(&names, ClockRef::Dense(&[1, 0, 2])), "[a:1 ü\\x9b:2]");
        assert_eq!(vc(&names, ClockRef::Dense(&[1, 5, 0])), "[a:1 b\\x1b[2J:5]");
        assert_eq!(vc(&names, ClockRef::Dense(&[0, 0, 0])), "[]");
    }

    #[test]
    fn truncation_counts_wide_characters_and_marks_the_cut() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(display_width("日本"), 4);
        assert_eq!(display_width("e\u{301}"), 1);
        assert_eq!(truncate("日本語", 4), "日…");
        assert_eq!(truncate_middle("replica-east-1", 8), "rep…st-1");
        assert_eq!(truncate_middle("node-07", 7), "node-07");
    }

    #[test]
    fn painted_columns_align_as_plain_ones() {
        let mut t = Table::new(&[true, false, false]);
        t.row([
            ("7", Style::Plain),
            ("a", Style::Node(0)),
            ("x", Style::Plain),
        ]);
        t.row([
            ("123", Style::Plain),
            ("日本", Style::Node(1)),
            ("y", Style::Plain),
        ]);
        let plain = t.lines(Palette::plain());
        assert_eq!(plain, ["  7  a     x", "123  日本  y"]);
        let painted = t.lines(Palette::new(true));
        let strip = |s: &str| {
            let mut out = String::new();
            let mut esc = false;
            for c in s.chars() {
                match (esc, c) {
                    (false, '\u{1b}') => esc = true,
                    (true, 'm') => esc = false,
                    (true, _) => {}
                    (false, c) => out.push(c),
                }
            }
            out
        };
        assert_eq!(painted.iter().map(|l| strip(l)).collect::<Vec<_>>(), plain);
        assert_ne!(painted, plain, "the palette paints");
    }

    #[test]
    fn a_line_never_ends_in_spaces() {
        let mut t = Table::new(&[false, false]);
        t.row([("long", Style::Plain), ("", Style::Plain)]);
        t.row([("a", Style::Plain), ("", Style::Plain)]);
        assert_eq!(t.lines(Palette::plain()), ["long", "a"]);
    }
}
