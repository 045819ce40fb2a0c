//! The browser view: one self-contained HTML page (viewer code, styles and the trace inline)
//! that draws the execution as a space-time diagram.
//!
//! The viewer's code lives in `web/view/` (its README documents it and the data layout below)
//! and is embedded here at compile time, so building needs no Node. This module only lays the
//! trace out as compact columns and writes the page; it reads no files and prints nothing.
//!
//! The data: a binary buffer, gzip-compressed and base64-encoded into a `<script>` element of
//! type `application/octet-stream`. Base64 has no character that HTML, JavaScript or CSS give
//! a meaning to, so no string from the input can ever be read as markup or code: every label,
//! id and field travels inside it, and the page shows them as text. The page's title, the only
//! input text outside it, is HTML-escaped. Events are written in Lamport order (a causal
//! order); the page computes the Lamport clocks and the happens-before relation itself unless
//! the input gave its clocks, which then travel with the events.

use std::io::{self, Write};

use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Map, Value};

use super::check::explanation;
use crate::analysis::check::CheckReport;
use crate::analysis::conflicts::{ConflictKind, ConflictReport};
use crate::analysis::offsets::ClockOffsets;
use crate::model::{EventFlags, EventIdx, EventKind, GivenClocks, NodeId, Trace};
use crate::order::Causality;

/// Version of the data layout the page reads (web/view/README.md).
pub const DATA_VERSION: u32 = 1;

/// The page template, with the markers below where the rest goes.
const TEMPLATE: &str = include_str!("../../../../web/view/index.html");
/// The styles.
const STYLE: &str = include_str!("../../../../web/view/view.css");
/// The viewer's scripts, in the order they run: each defines one module the next ones use.
const SCRIPTS: [(&str, &str); 9] = [
    ("util.js", include_str!("../../../../web/view/src/util.js")),
    ("data.js", include_str!("../../../../web/view/src/data.js")),
    (
        "history.js",
        include_str!("../../../../web/view/src/history.js"),
    ),
    (
        "model.js",
        include_str!("../../../../web/view/src/model.js"),
    ),
    (
        "layout.js",
        include_str!("../../../../web/view/src/layout.js"),
    ),
    ("draw.js", include_str!("../../../../web/view/src/draw.js")),
    (
        "hview.js",
        include_str!("../../../../web/view/src/hview.js"),
    ),
    (
        "hpanel.js",
        include_str!("../../../../web/view/src/hpanel.js"),
    ),
    ("ui.js", include_str!("../../../../web/view/src/ui.js")),
];

/// Markers in the template, in the order they appear.
const MARKERS: [&str; 4] = [
    "<!--causal:title-->",
    "/*causal:style*/",
    "<!--causal:data-->",
    "/*causal:script*/",
];

/// Everything the page shows.
pub struct ViewPage<'a> {
    /// The page's title.
    pub title: &'a str,
    /// The trace.
    pub trace: &'a Trace,
    /// Its matched messages.
    pub causality: &'a Causality,
    /// Every event once, in a causal order (Lamport's: each after its causal predecessors,
    /// and each node's events in program order).
    pub order: &'a [EventIdx],
    /// The clock-offset estimate for the shifted wall-time layout.
    pub offsets: &'a ClockOffsets,
    /// `conflicts`' findings, unless left out.
    pub conflicts: Option<&'a ConflictReport>,
    /// `check`'s findings, unless left out.
    pub check: Option<&'a CheckReport>,
}

/// Writes the whole page.
pub fn write_view(w: &mut dyn Write, page: &ViewPage<'_>) -> io::Result<()> {
    write_page(w, page.title, encode(page))
}

/// Writes the page around `data` (magic, header, sections; see the module's comment):
/// the template, its title, styles and scripts, and the data compressed and encoded.
pub(crate) fn write_page(w: &mut dyn Write, title: &str, data: Vec<u8>) -> io::Result<()> {
    let mut gz = GzEncoder::new(Vec::with_capacity(data.len() / 4), Compression::default());
    gz.write_all(&data)?;
    let packed = gz.finish()?;
    drop(data);
    let mut rest = TEMPLATE;
    for marker in MARKERS {
        let (before, after) = rest
            .split_once(marker)
            .expect("the template holds every marker once, in order");
        w.write_all(before.as_bytes())?;
        match marker {
            "<!--causal:title-->" => w.write_all(escape_html(title).as_bytes())?,
            "/*causal:style*/" => w.write_all(STYLE.as_bytes())?,
            "<!--causal:data-->" => write_base64(w, &packed)?,
            _ => {
                for (name, code) in SCRIPTS {
                    writeln!(w, "// ---- {name}")?;
                    w.write_all(code.as_bytes())?;
                }
            }
        }
        rest = after;
    }
    w.write_all(rest.as_bytes())
}

/// Text for HTML element content and attribute values: `&`, `<`, `>`, `"` and `'` escaped.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters have no business in a title.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Writes `bytes` in standard base64 with padding, in one line.
fn write_base64(w: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    let mut line = Vec::with_capacity(64 * 1024);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        line.push(BASE64[(n >> 18) as usize & 63]);
        line.push(BASE64[(n >> 12) as usize & 63]);
        line.push(if chunk.len() > 1 {
            BASE64[(n >> 6) as usize & 63]
        } else {
            b'='
        });
        line.push(if chunk.len() > 2 {
            BASE64[n as usize & 63]
        } else {
            b'='
        });
        if line.len() >= 64 * 1024 - 4 {
            w.write_all(&line)?;
            line.clear();
        }
    }
    w.write_all(&line)
}

/// Bits of an event's flags word (web/view/README.md).
mod flag {
    pub const KIND_MASK: u32 = 0b11;
    pub const LABEL: u32 = 1 << 2;
    pub const USER_ID: u32 = 1 << 3;
    pub const FIELDS: u32 = 1 << 4;
    pub const TIME: u32 = 1 << 5;
    pub const KEYS: u32 = 1 << 6;
    pub const MSG: u32 = 1 << 7;
    pub const SENDS: u32 = 1 << 8;
    pub const OUTSIDE_RECV: u32 = 1 << 9;
    pub const OUTSIDE_SEND: u32 = 1 << 10;
    pub const ROLES: u32 = 1 << 11;
    pub const TO: u32 = 1 << 12;
    pub const FILE: u32 = 1 << 13;
}

/// Fields shown in columns of their own, left out of the pass-through fields the page lists.
fn shown_elsewhere(key: &str, given_clocks: bool) -> bool {
    matches!(
        key,
        "node"
            | "host"
            | "kind"
            | "msg"
            | "to"
            | "time"
            | "label"
            | "id"
            | "reads"
            | "writes"
            | "outside"
    ) || (given_clocks && matches!(key, "lamport" | "vc"))
}

/// A growing buffer of LEB128 varints.
#[derive(Default)]
pub(crate) struct Varints(pub(crate) Vec<u8>);

impl Varints {
    pub(crate) fn u(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    /// Signed, zigzag-encoded.
    pub(crate) fn i(&mut self, v: i64) {
        self.u(((v << 1) ^ (v >> 63)) as u64);
    }
}

/// Strings by first use: each reference is `0` for the next new string of the table, or
/// `k + 1` for the table's `k`-th string again. Unique labels cost one byte each, repeated
/// ones a small number.
#[derive(Default)]
pub(crate) struct Strings {
    index: std::collections::HashMap<Box<str>, u32>,
    /// UTF-16 length of each string, in table order (what JavaScript slices by).
    pub(crate) lengths: Varints,
    pub(crate) text: Vec<u8>,
    pub(crate) count: u32,
}

impl Strings {
    pub(crate) fn push_ref(&mut self, out: &mut Varints, s: &str) {
        if let Some(&k) = self.index.get(s) {
            out.u(u64::from(k) + 1);
            return;
        }
        self.index.insert(s.into(), self.count);
        self.count += 1;
        self.lengths.u(s.encode_utf16().count() as u64);
        self.text.extend_from_slice(s.as_bytes());
        out.u(0);
    }
}

/// The page's data, before compression: magic, header length, header JSON, then the
/// sections the header lists, in its order.
fn encode(page: &ViewPage<'_>) -> Vec<u8> {
    let trace = page.trace;
    let mut enc = Encoder::new(page);
    for &e in page.order {
        enc.event(e);
        // Stamped input's clocks travel with the events and are used as given.
        if let Some(given) = &trace.given {
            enc.given(given, e);
        }
    }
    let mut sections: Vec<(&str, Vec<u8>)> = vec![
        ("events", enc.events.0),
        ("string_lengths", enc.strings.lengths.0),
        ("string_text", enc.strings.text),
    ];
    if trace.given.is_some() {
        sections.push(("lamport", enc.lamport.0));
        sections.push(("vc", enc.vc.0));
    }
    let header = header(
        page,
        enc.origin,
        enc.messages,
        enc.strings.count,
        &enc.rank,
        &sections,
    );
    let header = serde_json::to_vec(&header).expect("a JSON value serializes");
    assemble(&header, &sections)
}

/// Magic, header length, header, then the sections, in the header's order.
pub(crate) fn assemble(header: &[u8], sections: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out =
        Vec::with_capacity(header.len() + sections.iter().map(|s| s.1.len()).sum::<usize>() + 16);
    out.extend_from_slice(b"CVW1");
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(header);
    for (_, bytes) in sections {
        out.extend_from_slice(bytes);
    }
    out
}

/// The sections being written, and what each node's next event is written against.
struct Encoder<'a> {
    trace: &'a Trace,
    causality: &'a Causality,
    /// Each event's place in the data.
    rank: Vec<u32>,
    /// The earliest time: times are written after it.
    origin: Option<i64>,
    strings: Strings,
    events: Varints,
    lamport: Varints,
    vc: Varints,
    last_time: Vec<i64>,
    last_line: Vec<u32>,
    last_file: Vec<u32>,
    /// Each node's previous event, whose given clock the next one is written against.
    last_event: Vec<Option<EventIdx>>,
    last_lamport: u64,
    messages: u64,
}

impl<'a> Encoder<'a> {
    fn new(page: &ViewPage<'a>) -> Self {
        let trace = page.trace;
        let mut rank = vec![0u32; trace.len()];
        for (i, &e) in page.order.iter().enumerate() {
            rank[e.index()] = i as u32;
        }
        let origin = trace.events.iter().filter_map(|ev| ev.time()).min();
        let nodes = trace.nodes.len();
        Encoder {
            trace,
            causality: page.causality,
            rank,
            origin: origin.map(|t| t.0),
            strings: Strings::default(),
            events: Varints::default(),
            lamport: Varints::default(),
            vc: Varints::default(),
            last_time: vec![origin.map_or(0, |t| t.0); nodes],
            last_line: vec![0; nodes],
            last_file: vec![0; nodes],
            last_event: vec![None; nodes],
            last_lamport: 0,
            messages: 0,
        }
    }

    /// The flags word of event `e` (web/view/README.md).
    fn flags(&self, e: EventIdx, passthrough: bool, sends: bool) -> u32 {
        let ev = self.trace.event(e);
        let bits = [
            (flag::LABEL, ev.label.is_some()),
            (flag::USER_ID, ev.user_id().is_some()),
            (flag::FIELDS, passthrough),
            (flag::TIME, ev.time().is_some()),
            (
                flag::KEYS,
                !ev.writes().is_empty() || !ev.reads().is_empty(),
            ),
            (flag::MSG, ev.msg.is_some()),
            (flag::SENDS, sends),
            (
                flag::OUTSIDE_RECV,
                ev.flags.contains(EventFlags::OUTSIDE_RECV),
            ),
            (
                flag::OUTSIDE_SEND,
                ev.flags.contains(EventFlags::OUTSIDE_SEND),
            ),
            (flag::ROLES, !ev.more_roles().is_empty()),
            (flag::TO, !ev.to().is_empty()),
            (
                flag::FILE,
                ev.source.file != self.last_file[ev.node.index()],
            ),
        ];
        let kind = match ev.kind {
            EventKind::Local => 0,
            EventKind::Send => 1,
            EventKind::Recv => 2,
        };
        bits.iter()
            .filter(|(_, on)| *on)
            .fold(kind & flag::KIND_MASK, |f, (bit, _)| f | bit)
    }

    /// Writes event `e` into the `events` section.
    fn event(&mut self, e: EventIdx) {
        let ev = self.trace.event(e);
        let n = ev.node.index();
        let sends: Vec<EventIdx> = self.causality.sends(e).collect();
        self.messages += sends.len() as u64;
        let passthrough = passthrough_fields(&ev.fields, self.trace.given.is_some());
        let flags = self.flags(e, passthrough.is_some(), !sends.is_empty());
        let (out, strings) = (&mut self.events, &mut self.strings);
        out.u(n as u64);
        out.u(u64::from(flags));
        if flags & flag::FILE != 0 {
            out.u(u64::from(ev.source.file));
            self.last_file[n] = ev.source.file;
            self.last_line[n] = 0;
        }
        out.i(i64::from(ev.source.line) - i64::from(self.last_line[n]));
        self.last_line[n] = ev.source.line;
        for text in [ev.label.as_deref(), ev.user_id(), passthrough.as_deref()]
            .into_iter()
            .flatten()
        {
            strings.push_ref(out, text);
        }
        if let Some(t) = ev.time() {
            out.i(t.0.wrapping_sub(self.last_time[n]));
            self.last_time[n] = t.0;
        }
        if flags & flag::KEYS != 0 {
            out.u(ev.writes().len() as u64);
            out.u(ev.reads().len() as u64);
            for k in ev.writes().iter().chain(ev.reads()) {
                out.u(u64::from(k.0));
            }
        }
        if let Some(msg) = &ev.msg {
            strings.push_ref(out, msg);
        }
        if !sends.is_empty() {
            out.u(sends.len() as u64);
            let here = i64::from(self.rank[e.index()]);
            for s in &sends {
                out.i(here - i64::from(self.rank[s.index()]));
            }
        }
        if flags & flag::ROLES != 0 {
            out.u(ev.more_roles().len() as u64);
            for role in ev.more_roles() {
                out.u(if role.kind == EventKind::Send { 1 } else { 2 });
                strings.push_ref(out, &role.msg);
            }
        }
        if flags & flag::TO != 0 {
            out.u(ev.to().len() as u64);
            for to in ev.to() {
                strings.push_ref(out, to);
            }
        }
    }

    /// Writes event `e`'s given clocks into the `lamport` and `vc` sections.
    fn given(&mut self, given: &GivenClocks, e: EventIdx) {
        let n = self.trace.event(e).node.index();
        let l = given.lamport[e.index()];
        self.lamport.i(l as i64 - self.last_lamport as i64);
        self.last_lamport = l;
        let before = self.last_event[n].map_or(&[][..], |p| given.vc(p));
        let changes = vc_changes(before, given.vc(e));
        self.vc.u(changes.len() as u64);
        for (m, delta) in changes {
            self.vc.u(u64::from(m.0));
            self.vc.i(delta);
        }
        self.last_event[n] = Some(e);
    }
}

/// The components in which vector clock `now` differs from `before` (both sorted by node,
/// zero components left out), with the difference: one merge of the two lists.
fn vc_changes(before: &[(NodeId, u32)], now: &[(NodeId, u32)]) -> Vec<(NodeId, i64)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < before.len() || j < now.len() {
        let a = before.get(i);
        let b = now.get(j);
        match (a, b) {
            (Some(&(na, ca)), Some(&(nb, cb))) if na == nb => {
                if ca != cb {
                    out.push((na, i64::from(cb) - i64::from(ca)));
                }
                i += 1;
                j += 1;
            }
            (Some(&(na, ca)), Some(&(nb, _))) if na < nb => {
                out.push((na, -i64::from(ca)));
                i += 1;
            }
            (Some(&(na, ca)), None) => {
                out.push((na, -i64::from(ca)));
                i += 1;
            }
            (_, Some(&(nb, cb))) => {
                out.push((nb, i64::from(cb)));
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// The event's fields that no column shows, as the text of a JSON object; `None` if none.
fn passthrough_fields(fields: &crate::model::Fields, given_clocks: bool) -> Option<String> {
    if fields.is_empty() {
        return None;
    }
    let map: Map<String, Value> = fields
        .to_map()
        .into_iter()
        .filter(|(k, _)| !shown_elsewhere(k, given_clocks))
        .collect();
    (!map.is_empty()).then(|| Value::Object(map).to_string())
}

fn header(
    page: &ViewPage<'_>,
    origin: Option<i64>,
    messages: u64,
    strings: u32,
    rank: &[u32],
    sections: &[(&str, Vec<u8>)],
) -> Value {
    let trace = page.trace;
    let at = |e: EventIdx| rank[e.index()];
    let ns = |v: Option<i128>| v.map(|v| v as f64);
    let offsets = json!({
        "reference": page.offsets.reference.map(|n| n.0),
        "shift": page.offsets.offsets.iter().map(|o| ns(*o)).collect::<Vec<_>>(),
        "lo": page.offsets.bounds.iter().map(|b| ns(b.0)).collect::<Vec<_>>(),
        "hi": page.offsets.bounds.iter().map(|b| ns(b.1)).collect::<Vec<_>>(),
    });
    let conflicts = page.conflicts.map(|report| {
        json!({
            "total": report.total,
            "keys": report.keys.iter().map(|k| json!({
                "key": trace.key_name(k.key),
                "write_write": k.write_write,
                "read_write": k.read_write,
                "pairs": k.witnesses.iter().map(|w| json!([
                    at(w.a),
                    at(w.b),
                    match w.kind { ConflictKind::WriteWrite => "write-write", ConflictKind::ReadWrite => "read-write" },
                ])).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    });
    let check = page.check.map(|report| {
        json!({
            "findings": report.findings.iter().map(|f| json!({
                "kind": f.kind().as_str(),
                "at": trace.location(f.first_event()).to_string(),
                "events": f.events().into_iter().map(at).collect::<Vec<_>>(),
                "messages": f.messages().iter().map(|m| json!([at(m.send), at(m.recv), trace.message_id(m.send, m.recv)])).collect::<Vec<_>>(),
                "msg": f.msg(),
                "text": explanation(trace, f),
            })).collect::<Vec<_>>(),
            "contradicted_nodes": report.skew.contradicted_nodes.iter().map(|n| n.0).collect::<Vec<_>>(),
        })
    });
    let (origin_s, origin_ns) = match origin {
        Some(t) => (
            Some(t.div_euclid(1_000_000_000)),
            Some(t.rem_euclid(1_000_000_000)),
        ),
        None => (None, None),
    };
    json!({
        "version": DATA_VERSION,
        "generator": concat!("causal ", env!("CARGO_PKG_VERSION")),
        "title": page.title,
        "nodes": trace.nodes,
        "files": trace.files,
        "keys": trace.keys,
        "executions": trace.executions,
        "events": trace.len(),
        "messages": messages,
        "strings": strings,
        "origin_s": origin_s,
        "origin_ns": origin_ns,
        "clocks": if trace.given.is_some() { "given" } else { "computed" },
        "sections": sections.iter().map(|(name, bytes)| json!([name, bytes.len()])).collect::<Vec<_>>(),
        "offsets": offsets,
        "conflicts": conflicts,
        "check": check,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escaping_leaves_no_markup() {
        assert_eq!(
            escape_html("</script><img src=x onerror='a'>&\"\u{7}"),
            "&lt;/script&gt;&lt;img src=x onerror=&#39;a&#39;&gt;&amp;&quot; "
        );
    }

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        let b64 = |bytes: &[u8]| {
            let mut out = Vec::new();
            write_base64(&mut out, bytes).unwrap();
            String::from_utf8(out).unwrap()
        };
        // RFC 4648, section 10.
        assert_eq!(b64(b""), "");
        assert_eq!(b64(b"f"), "Zg==");
        assert_eq!(b64(b"fo"), "Zm8=");
        assert_eq!(b64(b"foo"), "Zm9v");
        assert_eq!(b64(b"foob"), "Zm9vYg==");
        assert_eq!(b64(b"fooba"), "Zm9vYmE=");
        assert_eq!(b64(b"foobar"), "Zm9vYmFy");
        assert_eq!(b64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn varints_are_leb128_and_signed_ones_zigzag() {
        let mut v = Varints::default();
        v.u(0);
        v.u(127);
        v.u(128);
        v.u(300);
        v.i(-1);
        v.i(1);
        v.i(-64);
        assert_eq!(v.0, vec![0, 127, 0x80, 1, 0xac, 2, 1, 2, 127]);
    }

    #[test]
    fn vector_clock_changes_merge_two_sorted_lists() {
        let (a, b, c) = (NodeId(0), NodeId(1), NodeId(2));
        assert_eq!(vc_changes(&[], &[(a, 1)]), vec![(a, 1)]);
        assert_eq!(
            vc_changes(&[(a, 1), (c, 4)], &[(a, 2), (b, 3), (c, 4)]),
            vec![(a, 1), (b, 3)]
        );
        assert_eq!(vc_changes(&[(a, 1), (b, 2)], &[(b, 2)]), vec![(a, -1)]);
        assert_eq!(vc_changes(&[(b, 5)], &[(a, 1)]), vec![(a, 1), (b, -5)]);
    }

    #[test]
    fn strings_are_numbered_by_first_use() {
        let mut s = Strings::default();
        let mut refs = Varints::default();
        for text in ["a", "bé", "a", "😀", "bé"] {
            s.push_ref(&mut refs, text);
        }
        assert_eq!(refs.0, vec![0, 0, 1, 0, 2]);
        assert_eq!(s.lengths.0, vec![1, 2, 2]);
        assert_eq!(String::from_utf8(s.text).unwrap(), "abé😀");
    }

    #[test]
    fn embedded_code_cannot_close_its_element() {
        for (name, code) in SCRIPTS {
            assert!(!code.to_ascii_lowercase().contains("</script"), "{name}");
        }
        assert!(!STYLE.to_ascii_lowercase().contains("</style"));
        let mut rest = TEMPLATE;
        for marker in MARKERS {
            let (_, after) = rest.split_once(marker).expect(marker);
            assert!(!after.contains(marker), "{marker} appears twice");
            rest = after;
        }
    }
}
