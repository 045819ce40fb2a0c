//! The browser view of a history: the same self-contained page as [`super::view`], with the
//! history's operations and the linearizability check's result as its data, so that the page
//! draws operations as intervals on process lanes, the failing window and the linearization.
//!
//! Lays the history and the [`LinReport`] out as compact columns (web/view/README.md, "History
//! data") and writes the page; it checks nothing, reads no files and prints nothing. Every
//! sentence the page shows about the check is written here, by the `lin` renderer.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{json, Value as Json};

use super::lin::{describe, write_text};
use super::palette::Palette;
use super::view::{assemble, write_page, Strings, Varints, DATA_VERSION};
use crate::analysis::lin::explain::{Impossible, Outcome, Violation};
use crate::analysis::lin::LinReport;
use crate::history::{History, Status, Value};
use crate::Named;

/// Version of the history section of the data (web/view/README.md, "History data").
pub const HISTORY_VERSION: u32 = 1;

/// Columns the explanation's text is laid out for in the page's report panel.
const REPORT_COLUMNS: usize = 100;

/// Everything the history page shows.
pub struct HistoryPage<'a> {
    /// The page's title.
    pub title: &'a str,
    /// The history.
    pub history: &'a History,
    /// The check's result.
    pub report: &'a LinReport,
}

/// Writes the whole page.
pub fn write_history_view(w: &mut dyn Write, page: &HistoryPage<'_>) -> io::Result<()> {
    write_page(w, page.title, encode(page)?)
}

/// An operation's status as the data numbers it.
fn status_code(status: Status) -> u64 {
    match status {
        Status::Ok => 0,
        Status::Fail => 1,
        Status::Info => 2,
        Status::Open => 3,
    }
}

/// Bits of an operation's flags word, above its two status bits.
mod flag {
    pub const KEY: u64 = 1 << 2;
}

/// The data: magic, header, then the sections `ops`, `string_lengths`, `string_text`,
/// `orders` and `states`.
fn encode(page: &HistoryPage<'_>) -> io::Result<Vec<u8>> {
    let history = page.history;
    let report = page.report;
    // Partitions by key, in key order (as the check sorts them).
    let keys: BTreeMap<&Value, u32> = {
        let mut set: BTreeMap<&Value, u32> = history
            .ops
            .iter()
            .filter_map(|op| op.key.as_ref())
            .map(|k| (k, 0))
            .collect();
        for (i, v) in set.values_mut().enumerate() {
            *v = i as u32;
        }
        set
    };
    let key_index = |k: &Option<Value>| k.as_ref().and_then(|k| keys.get(k).copied());
    let several_files = history.files.len() > 1;
    let mut strings = Strings::default();
    let mut ops = Varints::default();
    let (mut last_call, mut last_line) = (0u32, 0u32);
    for op in &history.ops {
        let key = key_index(&op.key);
        let flags = status_code(op.status) | if key.is_some() { flag::KEY } else { 0 };
        ops.u(u64::from(op.process));
        ops.u(flags);
        ops.u(u64::from(op.call - last_call));
        last_call = op.call;
        if let Some(ret) = op.ret {
            ops.u(u64::from(ret - op.call));
        }
        if several_files {
            ops.u(u64::from(op.call_at.file));
            if let Some(at) = op.ret_at {
                ops.u(u64::from(at.file));
            }
        }
        ops.i(i64::from(op.call_at.line) - i64::from(last_line));
        last_line = op.call_at.line;
        if let Some(at) = op.ret_at {
            ops.i(i64::from(at.line) - i64::from(op.call_at.line));
        }
        if let Some(k) = key {
            ops.u(u64::from(k));
        }
        strings.push_ref(&mut ops, &describe(op));
        strings.push_ref(&mut ops, &op.f);
        strings.push_ref(&mut ops, &op.invoked.to_string());
        if op.ret.is_some() {
            let completed = op
                .completed
                .as_ref()
                .map_or_else(String::new, Value::to_string);
            strings.push_ref(&mut ops, &completed);
        }
    }
    // Orders (violations' prefixes first, then linearizations) and the prefixes' states.
    let mut orders = Varints::default();
    let mut states = Varints::default();
    let mut write_order = |list: &mut dyn Iterator<Item = u32>, count: usize| {
        orders.u(count as u64);
        let mut last = 0i64;
        for op in list {
            orders.i(i64::from(op) - last);
            last = i64::from(op);
        }
    };
    for v in &report.violations {
        write_order(&mut v.prefix.iter().map(|p| p.op), v.prefix.len());
        for p in &v.prefix {
            strings.push_ref(&mut states, &p.state.to_string());
        }
    }
    for l in &report.linearizations {
        write_order(&mut l.order.iter().copied(), l.order.len());
    }
    let mut text = Vec::new();
    write_text(&mut text, history, report, Palette::plain(), REPORT_COLUMNS)?;
    let lin = json!({
        "version": HISTORY_VERSION,
        "model": report.model.name(),
        "verdict": report.verdict,
        "checked": report.operations,
        "partitions": report.partitions,
        "dropped": report.dropped,
        "violations": report.violations.iter().map(|v| violation(v, &key_index)).collect::<Vec<_>>(),
        "undecided": report.undecided.iter().map(&key_index).collect::<Vec<_>>(),
        "linearizations": report.linearizations.iter().map(|l| key_index(&l.key)).collect::<Vec<_>>(),
        "text": String::from_utf8_lossy(&text),
    });
    let sections: Vec<(&str, Vec<u8>)> = vec![
        ("ops", ops.0),
        ("string_lengths", strings.lengths.0),
        ("string_text", strings.text),
        ("orders", orders.0),
        ("states", states.0),
    ];
    let header = json!({
        "version": DATA_VERSION,
        "mode": "history",
        "generator": concat!("causal ", env!("CARGO_PKG_VERSION")),
        "title": page.title,
        "files": history.files,
        "processes": history.processes,
        "keys": keys.keys().map(|k| k.to_string()).collect::<Vec<_>>(),
        "positions": history.events,
        "operations": history.ops.len(),
        "strings": strings.count,
        "sections": sections.iter().map(|(name, bytes)| json!([name, bytes.len()])).collect::<Vec<_>>(),
        "history": lin,
    });
    let header = serde_json::to_vec(&header).expect("a JSON value serializes");
    Ok(assemble(&header, &sections))
}

/// One violation's facts for the page: operations by index, values as text.
fn violation(v: &Violation, key_index: &dyn Fn(&Option<Value>) -> Option<u32>) -> Json {
    let text = |v: &Value| v.to_string();
    json!({
        "key": key_index(&v.key),
        "operations": v.operations,
        "prefix": v.prefix.len(),
        "state": text(&v.state),
        "blocking": v.blocking,
        "candidates": v.candidates.iter().map(|c| match &c.outcome {
            Outcome::Rejected { observed } => json!({"op": c.op, "kind": "rejected", "observed": text(observed)}),
            Outcome::DeadEnd { state } => json!({"op": c.op, "kind": "dead-end", "state": text(state)}),
        }).collect::<Vec<_>>(),
        "earlier_unknown": v.earlier_unknown,
        "window": {"from": v.window.from, "to": v.window.to, "ops": v.window.ops},
        "impossible": v.impossible.as_ref().map(|imp| match imp {
            Impossible::NeverWritten { op, value } => json!({"kind": "never-written", "op": op, "value": text(value)}),
            Impossible::Overwritten { op, value, writer, killer } => json!({
                "kind": "overwritten", "op": op, "value": text(value), "writer": writer, "killer": killer,
            }),
        }),
    })
}
