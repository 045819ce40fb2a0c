//! The happens-before graph (or a slice of it) as one JSON document for programs.
//!
//! `{"version":1,"nodes":[...],"focus":...,"events":[...],"edges":[...]}`, one event or edge a
//! line so that the output greps and diffs well. Field by field in docs/graph.md; stable.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::clock::{Clocks, Stamps};
use crate::graph::{Item, LooseKind, View, ViewEdgeKind};
use crate::model::Trace;

/// The version of this document's shape.
pub const VERSION: u32 = 1;

/// Writes `view` as a JSON document.
pub fn write_graph_json<C: Clocks>(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps<C>,
    view: &View<'_>,
) -> io::Result<()> {
    let nodes: Vec<&str> = view.lanes.iter().map(|&n| trace.node_name(n)).collect();
    let focus = view.focus.map(|e| trace.event_id(e).to_string());
    write!(
        w,
        "{{\"version\":{VERSION},\"nodes\":{},\"focus\":{},\"events\":[",
        Value::from(nodes),
        json!(focus)
    )?;
    for (i, &item) in view.items.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *w, &event_json(trace, stamps, item))?;
    }
    w.write_all(b"\n],\"edges\":[")?;
    let id = |i: usize| item_id(trace, view.items[i]);
    let mut first = true;
    let mut edge = |w: &mut dyn Write, value: Value| -> io::Result<()> {
        w.write_all(if std::mem::take(&mut first) {
            b"\n"
        } else {
            b",\n"
        })?;
        serde_json::to_writer(&mut *w, &value).map_err(io::Error::from)
    };
    for e in &view.edges {
        let value = match e.kind {
            ViewEdgeKind::Program { hidden } => {
                let mut v =
                    json!({"from": id(e.from), "to": id(e.to), "kind": "program", "msg": null});
                if hidden > 0 {
                    v["hidden"] = json!(hidden);
                }
                v
            }
            ViewEdgeKind::Message { send, recv } => json!({
                "from": id(e.from),
                "to": id(e.to),
                "kind": "message",
                "msg": trace.message_id(send, recv),
            }),
        };
        edge(w, value)?;
    }
    for end in &view.loose {
        let here = Value::from(id(end.item));
        let other = |e| Value::from(trace.event_id(e).to_string());
        let (from, to) = match end.kind {
            LooseKind::NeverReceived => (here, Value::Null),
            LooseKind::NeverSent => (Value::Null, here),
            LooseKind::ToOutside => (here, Value::from("outside")),
            LooseKind::FromOutside => (Value::from("outside"), here),
            LooseKind::ToHidden(r) => (here, other(r)),
            LooseKind::FromHidden(s) => (other(s), here),
        };
        edge(
            w,
            json!({"from": from, "to": to, "kind": "message", "msg": end.msg}),
        )?;
    }
    w.write_all(b"\n]}\n")
}

/// The id an item goes by in `events` and `edges`: the event's id, or `FIRST..LAST` for a
/// folded run.
pub fn item_id(trace: &Trace, item: Item) -> String {
    match item {
        Item::Event(e) => trace.event_id(e).to_string(),
        Item::Folded { first, last, .. } => {
            format!("{}..{}", trace.event_id(first), trace.event_id(last))
        }
    }
}

fn event_json<C: Clocks>(trace: &Trace, stamps: &Stamps<C>, item: Item) -> Value {
    let last = item.last();
    let ev = trace.event(item.first());
    let vc: serde_json::Map<String, Value> = stamps
        .vector
        .clock(last)
        .entries()
        .map(|(n, c)| (trace.node_name(n).to_string(), Value::from(c)))
        .collect();
    let mut v = json!({
        "id": item_id(trace, item),
        "node": trace.node_name(ev.node),
        "seq": ev.seq,
        "kind": ev.kind.as_str(),
        "msg": ev.msg.as_deref(),
        "label": ev.label.as_deref(),
        "lamport": stamps.lamport[last.index()],
        "vc": vc,
    });
    if let Item::Folded { first, last, count } = item {
        v["kind"] = json!("folded");
        v["label"] = json!(format!("{count} local events"));
        v["count"] = json!(count);
        v["first"] = json!(trace.event_id(first).to_string());
        v["last"] = json!(trace.event_id(last).to_string());
    }
    v
}
