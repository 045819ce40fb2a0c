//! Critical paths for people (where the time went, node by node, then every step) or as one
//! JSON object (docs/reports.md).

use std::io::{self, Write};

use serde::Serialize;

use crate::analysis::critical::{CriticalPath, SpanPath, StepKind};
use crate::model::{EventIdx, NodeId, Timestamp, Trace};
use crate::render::fmt::{
    bar, duration, event_json, one_line, plural, seconds_f64, time, EventJson, Style, Table,
};
use crate::render::Palette;

/// Version of the JSON shape (both modes).
pub const VERSION: u32 = 1;

/// Columns of the longest share bar.
const BAR: usize = 20;

#[derive(Serialize)]
struct PathJson<'t> {
    version: u32,
    mode: &'static str,
    end: String,
    start: String,
    total: f64,
    reference: Option<&'t str>,
    path: Vec<EventJson<'t>>,
    steps: Vec<StepJson<'t>>,
    nodes: Vec<ShareJson<'t>>,
    in_flight: f64,
}

#[derive(Serialize)]
struct StepJson<'t> {
    from: String,
    to: String,
    kind: &'static str,
    msg: Option<&'t str>,
    duration: Option<f64>,
    raw_delay: Option<f64>,
    true_delay: Option<[Option<f64>; 2]>,
}

#[derive(Serialize)]
struct ShareJson<'t> {
    node: &'t str,
    time: f64,
    share: Option<f64>,
}

fn share(part: i128, total: i128) -> Option<f64> {
    (total > 0).then(|| part as f64 / total as f64)
}

/// Writes an events critical path as one JSON object and a newline.
pub fn write_path_json(w: &mut dyn Write, trace: &Trace, p: &CriticalPath) -> io::Result<()> {
    let id = |e: EventIdx| trace.event_id(e).to_string();
    let mut path = vec![event_json(trace, p.start)];
    path.extend(p.steps.iter().map(|s| event_json(trace, s.to)));
    let doc = PathJson {
        version: VERSION,
        mode: "events",
        end: id(p.end),
        start: id(p.start),
        total: seconds_f64(p.total),
        reference: p.reference.map(|n| trace.node_name(n)),
        path,
        steps: p
            .steps
            .iter()
            .map(|s| {
                let (kind, msg, raw, bounds) = match s.kind {
                    StepKind::Program => ("program", None, None, None),
                    StepKind::Message { raw, bounds } => (
                        "message",
                        Some(trace.message_id(s.from, s.to)),
                        raw.map(seconds_f64),
                        raw.map(|_| [bounds.0.map(seconds_f64), bounds.1.map(seconds_f64)]),
                    ),
                };
                StepJson {
                    from: id(s.from),
                    to: id(s.to),
                    kind,
                    msg,
                    duration: s.duration.map(seconds_f64),
                    raw_delay: raw,
                    true_delay: bounds,
                }
            })
            .collect(),
        nodes: p
            .nodes
            .iter()
            .map(|&(n, t)| ShareJson {
                node: trace.node_name(n),
                time: seconds_f64(t),
                share: share(t, p.total),
            })
            .collect(),
        in_flight: seconds_f64(p.in_flight),
    };
    serde_json::to_writer(&mut *w, &doc)?;
    writeln!(w)
}

/// `[2 ms, 13 ms]`, an open end as `-inf` or `+inf`.
fn interval(lo: Option<i128>, hi: Option<i128>) -> String {
    let end = |x: Option<i128>, inf: &str| x.map_or_else(|| inf.to_string(), duration);
    format!("[{}, {}]", end(lo, "-inf"), end(hi, "+inf"))
}

/// How a step led to its event, for people.
fn how(trace: &Trace, from: EventIdx, to: EventIdx, kind: StepKind) -> String {
    match kind {
        StepKind::Program => "local".to_string(),
        StepKind::Message { raw, bounds } => {
            let msg = trace.message_id(from, to);
            match (raw, bounds) {
                (None, _) => format!("message {msg} (untimed)"),
                (Some(_), (None, None)) => format!("message {msg} (no skew bounds)"),
                (Some(_), (lo, hi)) => format!(
                    "message {msg}, true delay in {} by the skew bounds",
                    interval(lo, hi)
                ),
            }
        }
    }
}

/// Writes an events critical path for people: where the time went, then each step.
pub fn write_path_text(
    w: &mut dyn Write,
    trace: &Trace,
    p: &CriticalPath,
    palette: Palette,
) -> io::Result<()> {
    let node_of = |e: EventIdx| trace.event(e).node;
    writeln!(
        w,
        "critical path to {} on {} ({}), from {}: {} in {}",
        palette.node(
            node_of(p.end).index(),
            &one_line(&trace.event_id(p.end).to_string())
        ),
        one_line(trace.node_name(node_of(p.end))),
        one_line(&trace.location(p.end).to_string()),
        one_line(&trace.event_id(p.start).to_string()),
        duration(p.total),
        plural(p.steps.len() as u64, "step")
    )?;
    match p.reference {
        Some(r) => writeln!(
            w,
            "times on {}'s clock: each node's moved by its estimated offset (the midpoint of its \
             skew bounds); a message's delay is on those clocks, its true delay within the \
             interval the bounds allow",
            one_line(trace.node_name(r))
        )?,
        None => writeln!(
            w,
            "times as each node's clock gives them (no message bounds any clock offset)"
        )?,
    }
    let mut shares = Table::new(&[false, true, true]).indent("  ");
    let top = p
        .nodes
        .iter()
        .map(|x| x.1)
        .chain([p.in_flight])
        .max()
        .unwrap_or(0);
    let pct = |t: i128| {
        share(t, p.total).map_or_else(|| "-".to_string(), |s| format!("{:.1}%", s * 100.0))
    };
    let scaled = |t: i128| share(t, top).map_or_else(String::new, |s| bar(s, BAR));
    for &(n, t) in &p.nodes {
        shares.row([
            (trace.node_name(n).to_string(), Style::Node(n.index())),
            (duration(t), Style::Plain),
            (pct(t), Style::Plain),
            (scaled(t), Style::Node(n.index())),
        ]);
    }
    if p.steps
        .iter()
        .any(|s| matches!(s.kind, StepKind::Message { .. }))
    {
        shares.row([
            ("messages".to_string(), Style::Dim),
            (duration(p.in_flight), Style::Plain),
            (pct(p.in_flight), Style::Plain),
            (scaled(p.in_flight), Style::Dim),
        ]);
    }
    shares.write(w, palette)?;
    writeln!(w)?;
    let first = trace.event(p.start).time().map(|t| {
        let n = node_of(p.start);
        (t, n)
    });
    let mut steps = Table::new(&[true, true]).indent("  ");
    steps.row(["AT", "TOOK", "HOW", "EVENT", "NODE", "LABEL"].map(|h| (h, Style::Bold)));
    let mut at: Option<i128> = first.map(|_| 0);
    let mut row = |e: EventIdx, took: Option<i128>, how: String, at: Option<i128>| {
        let n = node_of(e);
        steps.row([
            (
                at.map_or_else(|| "-".to_string(), |a| format!("+{}", duration(a))),
                Style::Plain,
            ),
            (took.map_or_else(String::new, duration), Style::Plain),
            (how, Style::Dim),
            (trace.event_id(e).to_string(), Style::Node(n.index())),
            (trace.node_name(n).to_string(), Style::Node(n.index())),
            (
                trace
                    .event(e)
                    .label
                    .as_deref()
                    .unwrap_or_default()
                    .to_string(),
                Style::Plain,
            ),
        ]);
    };
    row(p.start, None, String::new(), at);
    for s in &p.steps {
        at = at.zip(s.duration).map(|(a, d)| a + d);
        row(s.to, s.duration, how(trace, s.from, s.to, s.kind), at);
    }
    steps.write(w, palette)
}

#[derive(Serialize)]
struct SpansJson<'t> {
    version: u32,
    mode: &'static str,
    traces: Vec<TraceJson<'t>>,
}

#[derive(Serialize)]
struct TraceJson<'t> {
    trace_id: &'t str,
    root: &'t str,
    total: f64,
    spans: Vec<SpanJson<'t>>,
    sections: Vec<SectionJson<'t>>,
}

#[derive(Serialize)]
struct SpanJson<'t> {
    span_id: &'t str,
    name: &'t str,
    node: &'t str,
    kind: Option<&'t str>,
    start: String,
    end: String,
    on_path: f64,
    share: Option<f64>,
}

#[derive(Serialize)]
struct SectionJson<'t> {
    span_id: &'t str,
    start: String,
    end: String,
    duration: f64,
}

/// A span's name: its start event's label without the ` start` that span parsers add.
fn span_name(trace: &Trace, start: EventIdx) -> &str {
    let label = trace.event(start).label.as_deref().unwrap_or_default();
    label.strip_suffix(" start").unwrap_or(label)
}

/// Writes the span critical paths as one JSON object and a newline.
pub fn write_spans_json(w: &mut dyn Write, trace: &Trace, paths: &[SpanPath]) -> io::Result<()> {
    let doc = SpansJson {
        version: VERSION,
        mode: "spans",
        traces: paths
            .iter()
            .map(|p| {
                let span = |k: usize| &trace.spans[p.spans[k].span as usize];
                let selfs = p.self_times();
                TraceJson {
                    trace_id: &span(0).trace_id,
                    root: &span(0).span_id,
                    total: seconds_f64(p.total),
                    spans: p
                        .spans
                        .iter()
                        .enumerate()
                        .map(|(k, s)| SpanJson {
                            span_id: &span(k).span_id,
                            name: span_name(trace, s.start_event),
                            node: trace.node_name(trace.event(s.start_event).node),
                            kind: span(k).kind.as_deref(),
                            start: time(Timestamp(s.start)),
                            end: time(Timestamp(s.end)),
                            on_path: seconds_f64(selfs[k]),
                            share: share(selfs[k], p.total),
                        })
                        .collect(),
                    sections: p
                        .sections
                        .iter()
                        .map(|x| SectionJson {
                            span_id: &span(x.span).span_id,
                            start: time(Timestamp(x.start)),
                            end: time(Timestamp(x.end)),
                            duration: seconds_f64(i128::from(x.end) - i128::from(x.start)),
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    serde_json::to_writer(&mut *w, &doc)?;
    writeln!(w)
}

/// Writes the span critical paths for people: per trace, each span's time on the path, then
/// the sections in time order.
pub fn write_spans_text(
    w: &mut dyn Write,
    trace: &Trace,
    paths: &[SpanPath],
    palette: Palette,
) -> io::Result<()> {
    if paths.is_empty() {
        return writeln!(w, "no trace with a timed root span");
    }
    for (i, p) in paths.iter().enumerate() {
        if i > 0 {
            writeln!(w)?;
        }
        let root = &p.spans[0];
        let node_of = |e: EventIdx| trace.event(e).node;
        let span = |k: usize| &trace.spans[p.spans[k].span as usize];
        writeln!(
            w,
            "trace {}: critical path of {} on {}, {} (time in spans not overlapped by the \
             child spans they waited for)",
            palette.bold(&one_line(&span(0).trace_id)),
            one_line(span_name(trace, root.start_event)),
            one_line(trace.node_name(node_of(root.start_event))),
            duration(p.total)
        )?;
        let selfs = p.self_times();
        let top = selfs.iter().copied().max().unwrap_or(0);
        let mut table = Table::new(&[false, false, true, true]).indent("  ");
        table.row(["SPAN", "NODE", "ON PATH", "SHARE", ""].map(|h| (h, Style::Bold)));
        for (k, s) in p.spans.iter().enumerate() {
            let n: NodeId = node_of(s.start_event);
            table.row([
                (span_name(trace, s.start_event).to_string(), Style::Plain),
                (trace.node_name(n).to_string(), Style::Node(n.index())),
                (duration(selfs[k]), Style::Plain),
                (
                    share(selfs[k], p.total)
                        .map_or_else(|| "-".to_string(), |s| format!("{:.1}%", s * 100.0)),
                    Style::Plain,
                ),
                (
                    share(selfs[k], top).map_or_else(String::new, |s| bar(s, BAR)),
                    Style::Node(n.index()),
                ),
            ]);
        }
        table.write(w, palette)?;
        let mut sections = Table::new(&[true, true, true]).indent("  ");
        sections.row(["FROM", "TO", "TOOK", "SPAN", "NODE"].map(|h| (h, Style::Bold)));
        for x in &p.sections {
            let s = &p.spans[x.span];
            let n = node_of(s.start_event);
            let rel = |t: i64| format!("+{}", duration(i128::from(t) - i128::from(root.start)));
            sections.row([
                (rel(x.start), Style::Plain),
                (rel(x.end), Style::Plain),
                (
                    duration(i128::from(x.end) - i128::from(x.start)),
                    Style::Plain,
                ),
                (span_name(trace, s.start_event).to_string(), Style::Plain),
                (trace.node_name(n).to_string(), Style::Node(n.index())),
            ]);
        }
        writeln!(w)?;
        sections.write(w, palette)?;
    }
    Ok(())
}
