//! The check report: findings and clock skew bounds, as text for people (one finding per line,
//! `file:line: kind: explanation`, as compilers write) or as one JSON object (docs/reports.md).

use std::io::{self, Write};

use crate::analysis::check::{CheckReport, Finding, FindingKind};
use crate::analysis::skew::{Message, SkewBound, SkewPairs, SkewSummary};
use crate::model::{EventIdx, NodeId, Trace};
use crate::render::fmt::{
    one_line, plural, seconds, seconds_f64, time, write_event_json_head, Style, Table,
};
use crate::render::Palette;

/// Version of the JSON report shape; bumped on incompatible changes (2: one `unmatched-send`
/// per lost copy, with its `receiver`; the `unexpected-recv` kind; 3: above 1,000 timed nodes
/// `skew` holds each node against the reference node, described by `skew_summary`).
pub const VERSION: u32 = 3;

/// Writes the report as one JSON object and a newline, streamed field by field: with many
/// nodes the bounds run to millions of message objects, too many to build as `Value`s first.
pub fn write_json(w: &mut dyn Write, trace: &Trace, report: &CheckReport) -> io::Result<()> {
    write!(w, "{{\"version\":{VERSION},\"findings\":[")?;
    for (i, f) in report.findings.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_finding_json(w, trace, f)?;
    }
    w.write_all(b"],\"information\":[")?;
    for (i, f) in report.information.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_finding_json(w, trace, f)?;
    }
    w.write_all(b"],\"skew\":[")?;
    for (i, b) in report.skew.bounds.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_bound_json(w, trace, b)?;
    }
    w.write_all(b"],\"contradicted_nodes\":")?;
    let contradicted: Vec<&str> = report
        .skew
        .contradicted_nodes
        .iter()
        .map(|&n| trace.node_name(n))
        .collect();
    serde_json::to_writer(&mut *w, &contradicted)?;
    w.write_all(b",\"skew_summary\":")?;
    match &report.skew.summary {
        None => w.write_all(b"null")?,
        Some(s) => {
            w.write_all(b"{\"reference\":")?;
            serde_json::to_writer(&mut *w, &s.reference.map(|r| trace.node_name(r)))?;
            write!(
                w,
                ",\"timed_nodes\":{},\"two_sided\":{},\"unbounded_nodes\":",
                s.timed_nodes, s.two_sided
            )?;
            let names: Vec<&str> = s.unbounded.iter().map(|&n| trace.node_name(n)).collect();
            serde_json::to_writer(&mut *w, &names)?;
            w.write_all(b"}")?;
        }
    }
    w.write_all(b"}\n")
}

fn write_finding_json(w: &mut dyn Write, trace: &Trace, f: &Finding) -> io::Result<()> {
    w.write_all(b"{\"kind\":")?;
    serde_json::to_writer(&mut *w, f.kind().as_str())?;
    w.write_all(b",\"events\":[")?;
    for (i, &e) in f.events().iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_event_json(w, trace, e)?;
    }
    w.write_all(b"],\"explanation\":")?;
    serde_json::to_writer(&mut *w, &explanation(trace, f))?;
    w.write_all(b",\"messages\":")?;
    write_messages_json(w, trace, f.messages())?;
    match f {
        Finding::UnmatchedSend { send, receiver, .. } => {
            w.write_all(b",\"msg\":")?;
            serde_json::to_writer(&mut *w, &f.msg())?;
            let to: Vec<&str> = trace.event(*send).to().iter().map(|t| &**t).collect();
            w.write_all(b",\"to\":")?;
            serde_json::to_writer(&mut *w, &to)?;
            w.write_all(b",\"receiver\":")?;
            serde_json::to_writer(&mut *w, receiver)?;
        }
        Finding::UnexpectedRecv { send, .. } => {
            w.write_all(b",\"msg\":")?;
            serde_json::to_writer(&mut *w, &f.msg())?;
            let to: Vec<&str> = trace.event(*send).to().iter().map(|t| &**t).collect();
            w.write_all(b",\"to\":")?;
            serde_json::to_writer(&mut *w, &to)?;
        }
        Finding::UnmatchedRecv { .. }
        | Finding::ClockViolation { .. }
        | Finding::DuplicateRecv { .. } => {
            w.write_all(b",\"msg\":")?;
            serde_json::to_writer(&mut *w, &f.msg())?;
        }
        Finding::SkewContradiction { total, .. } => {
            w.write_all(b",\"total\":")?;
            serde_json::to_writer(&mut *w, &seconds_f64(*total))?;
        }
        Finding::Reordered { overtaken_by, .. } => {
            w.write_all(b",\"msg\":")?;
            serde_json::to_writer(&mut *w, &f.msg())?;
            w.write_all(b",\"overtaken_by\":")?;
            serde_json::to_writer(&mut *w, overtaken_by)?;
        }
        Finding::ClockMismatch { .. } | Finding::ClockRegression { .. } => {}
    }
    w.write_all(b"}")
}

/// One line for people saying what a finding is.
pub fn explanation(trace: &Trace, f: &Finding) -> String {
    let on = |e: EventIdx| {
        format!(
            "{} on {}",
            trace.event_id(e),
            trace.node_name(trace.event(e).node)
        )
    };
    match f {
        Finding::UnmatchedSend {
            send,
            msg,
            receiver: None,
            ..
        } => format!("{} sends {msg:?}, but no event receives it", on(*send)),
        Finding::UnmatchedSend {
            send,
            msg,
            receiver: Some(r),
            receiver_absent,
        } => {
            let to = trace.event(*send).to().join(", ");
            let absent = if *receiver_absent {
                format!(" ({r} logged nothing in this input)")
            } else {
                String::new()
            };
            format!(
                "{} sends {msg:?} to {to}, but {r} never receives it{absent}",
                on(*send)
            )
        }
        Finding::UnexpectedRecv { recv, send, msg } => format!(
            "{} receives {msg:?} from {}, which sent it to {} only",
            on(*recv),
            on(*send),
            trace.event(*send).to().join(", ")
        ),
        Finding::UnmatchedRecv { recv, msgs } => {
            let quoted: Vec<String> = msgs.iter().map(|m| format!("{m:?}")).collect();
            format!(
                "{} receives {}, which no event sends",
                on(*recv),
                quoted.join(" and ")
            )
        }
        Finding::ClockViolation { message: m, msg } => {
            let time = |e: EventIdx| trace.event(e).time().map(time).unwrap_or_default();
            format!(
                "{} receives {msg:?} at {} by {}'s clock, {} s before {} sent it at {} by {}'s \
                 clock: at least one of the two clocks is wrong",
                trace.event_id(m.recv),
                time(m.recv),
                trace.node_name(m.to),
                seconds(-i128::from(m.delay)),
                trace.event_id(m.send),
                time(m.send),
                trace.node_name(m.from),
            )
        }
        Finding::SkewContradiction { messages, total } => {
            let path: Vec<&str> = messages
                .iter()
                .map(|m| trace.node_name(m.from))
                .chain(messages.first().map(|m| trace.node_name(m.from)))
                .collect();
            format!(
                "no constant clock offsets explain {} around {}: their apparent delays add up \
                 to {} s, but true delays cannot be negative",
                plural(messages.len() as u64, "message"),
                path.join(" -> "),
                seconds(*total)
            )
        }
        Finding::ClockMismatch { detail, .. } => detail.clone(),
        Finding::DuplicateRecv {
            again,
            first,
            send,
            msg,
        } => format!(
            "{} receives {msg:?} from {} again: {} received it already at {}",
            on(*again),
            on(*send),
            trace.event_id(*first),
            trace.location(*first)
        ),
        Finding::Reordered {
            late,
            overtaking,
            msg,
            overtaken_by,
            sender,
        } => {
            let from = trace.node_name(*sender);
            format!(
                "{} receives {msg:?} after {overtaken_by:?}, which {from} sent later ({} at {}): \
                 the channel from {from} reordered them",
                on(*late),
                trace.event_id(*overtaking),
                trace.location(*overtaking)
            )
        }
        Finding::ClockRegression { after, before } => {
            let time = |e: EventIdx| trace.event(e).time().map(time).unwrap_or_default();
            format!(
                "{} is timed {}, before {} at {} ({}), the event before it on {}: the node's \
                 clock went back",
                trace.event_id(*after),
                time(*after),
                trace.event_id(*before),
                time(*before),
                trace.location(*before),
                trace.node_name(trace.event(*after).node)
            )
        }
    }
}

/// `{"id","node","file","line","time"}`.
fn write_event_json(w: &mut dyn Write, trace: &Trace, e: EventIdx) -> io::Result<()> {
    let ev = trace.event(e);
    let loc = trace.location(e);
    write_event_json_head(w, trace, e)?;
    w.write_all(b",\"file\":")?;
    serde_json::to_writer(&mut *w, loc.file)?;
    write!(w, ",\"line\":{},\"time\":", loc.line)?;
    serde_json::to_writer(&mut *w, &ev.time().map(time))?;
    w.write_all(b"}")
}

fn write_messages_json(w: &mut dyn Write, trace: &Trace, messages: &[Message]) -> io::Result<()> {
    w.write_all(b"[")?;
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"{\"msg\":")?;
        serde_json::to_writer(&mut *w, trace.message_id(m.send, m.recv))?;
        w.write_all(b",\"from\":")?;
        serde_json::to_writer(&mut *w, trace.node_name(m.from))?;
        w.write_all(b",\"to\":")?;
        serde_json::to_writer(&mut *w, trace.node_name(m.to))?;
        w.write_all(b",\"send\":")?;
        write_event_json(w, trace, m.send)?;
        w.write_all(b",\"recv\":")?;
        write_event_json(w, trace, m.recv)?;
        w.write_all(b",\"delay\":")?;
        serde_json::to_writer(&mut *w, &seconds_f64(i128::from(m.delay)))?;
        w.write_all(b"}")?;
    }
    w.write_all(b"]")
}

fn write_bound_json(w: &mut dyn Write, trace: &Trace, b: &SkewBound) -> io::Result<()> {
    w.write_all(b"{\"a\":")?;
    serde_json::to_writer(&mut *w, trace.node_name(b.a))?;
    w.write_all(b",\"b\":")?;
    serde_json::to_writer(&mut *w, trace.node_name(b.b))?;
    w.write_all(b",\"lo\":")?;
    serde_json::to_writer(&mut *w, &b.lo.map(seconds_f64))?;
    w.write_all(b",\"hi\":")?;
    serde_json::to_writer(&mut *w, &b.hi.map(seconds_f64))?;
    w.write_all(b",\"lo_messages\":")?;
    write_messages_json(w, trace, &b.lo_messages)?;
    w.write_all(b",\"hi_messages\":")?;
    write_messages_json(w, trace, &b.hi_messages)?;
    w.write_all(b"}")
}

/// Writes the report for people: findings, then bounds, then a summary line.
pub fn write_text(
    w: &mut dyn Write,
    trace: &Trace,
    report: &CheckReport,
    palette: Palette,
) -> io::Result<()> {
    for (f, information) in report
        .findings
        .iter()
        .map(|f| (f, false))
        .chain(report.information.iter().map(|f| (f, true)))
    {
        let name = f.kind().as_str();
        let kind = match f.kind() {
            _ if information => palette.dim(&format!("{name} (information)")),
            FindingKind::ClockViolation | FindingKind::SkewContradiction => palette.error(name),
            _ => palette.warning(name),
        };
        writeln!(
            w,
            "{}: {kind}: {}",
            palette.bold(&one_line(&trace.location(f.first_event()).to_string())),
            one_line(&explanation(trace, f))
        )?;
        for m in f.messages() {
            writeln!(w, "    {}", palette.dim(&message_text(trace, m)))?;
        }
    }
    if !report.findings.is_empty() || !report.information.is_empty() {
        writeln!(w)?;
    }
    match &report.skew.summary {
        Some(summary) => write_summary_text(w, trace, report, summary, palette)?,
        None if !report.skew.bounds.is_empty() => {
            writeln!(
                w,
                "{}",
                palette.bold("clock skew bounds (offset of b's clock minus a's, in seconds):")
            )?;
            let all: Vec<&SkewBound> = report.skew.bounds.iter().collect();
            write_bounds_text(w, trace, &all, true, "  ", palette)?;
            writeln!(w)?;
        }
        None => {}
    }
    writeln!(w, "{}", summary(trace, report))
}

/// Rows shown of the tightest and of the loosest bounds in a summary; with at most twice as
/// many two-sided bounds, all are shown.
const SUMMARY_ROWS: usize = 5;
/// Names listed of the nodes without a bound; the rest are counted.
const SUMMARY_NAMES: usize = 10;

/// The summary of the bounds against the reference node: tightest, loosest, one-sided ones,
/// nodes without any, and how to get every pair.
fn write_summary_text(
    w: &mut dyn Write,
    trace: &Trace,
    report: &CheckReport,
    summary: &SkewSummary,
    palette: Palette,
) -> io::Result<()> {
    // Without timed messages between nodes the summary line says there are no bounds.
    let Some(reference) = summary.reference.filter(|_| summary.timed_nodes > 0) else {
        return Ok(());
    };
    let name = trace.node_name(reference);
    let bounds = &report.skew.bounds;
    let (two, one) = bounds.split_at(summary.two_sided);
    writeln!(
        w,
        "{}",
        palette.bold(&one_line(&format!(
            "clock offsets against {name}, the node in most messages (offset of the node's \
             clock minus {name}'s, in seconds):"
        )))
    )?;
    if report.skew.contradicted_nodes.contains(&reference) {
        writeln!(
            w,
            "  {} is in a skew contradiction: no bounds against it (--all-pairs gives the others)",
            one_line(name)
        )?;
    }
    if two.len() <= 2 * SUMMARY_ROWS {
        write_bounds_text(
            w,
            trace,
            &two.iter().collect::<Vec<_>>(),
            false,
            "  ",
            palette,
        )?;
    } else {
        writeln!(w, "  tightest {SUMMARY_ROWS} of {}:", two.len())?;
        let tight: Vec<&SkewBound> = two[..SUMMARY_ROWS].iter().collect();
        write_bounds_text(w, trace, &tight, false, "    ", palette)?;
        writeln!(w, "  loosest {SUMMARY_ROWS}:")?;
        let loose: Vec<&SkewBound> = two[two.len() - SUMMARY_ROWS..].iter().rev().collect();
        write_bounds_text(w, trace, &loose, false, "    ", palette)?;
    }
    if !one.is_empty() {
        writeln!(
            w,
            "  bounded on one side only: {}{}",
            plural(one.len() as u64, "node"),
            if one.len() > SUMMARY_ROWS {
                format!(", the first {SUMMARY_ROWS} by name")
            } else {
                String::new()
            }
        )?;
        let shown: Vec<&SkewBound> = one.iter().take(SUMMARY_ROWS).collect();
        write_bounds_text(w, trace, &shown, false, "    ", palette)?;
    }
    if !summary.unbounded.is_empty() {
        let names: Vec<String> = summary
            .unbounded
            .iter()
            .take(SUMMARY_NAMES)
            .map(|&n| one_line(trace.node_name(n)))
            .collect();
        let more = summary.unbounded.len().saturating_sub(SUMMARY_NAMES);
        writeln!(
            w,
            "  no bound against {}: {}{}",
            one_line(name),
            names.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )?;
    }
    writeln!(
        w,
        "  {}",
        palette.dim(&format!(
            "every pair of the {} with timed messages: --all-pairs",
            plural(summary.timed_nodes as u64, "node")
        ))
    )?;
    writeln!(w)
}

/// One row per bound (`a b [lo, hi]`, or `b [lo, hi]` without `a`), each followed by the
/// messages that set its ends.
fn write_bounds_text(
    w: &mut dyn Write,
    trace: &Trace,
    bounds: &[&SkewBound],
    with_a: bool,
    indent: &str,
    palette: Palette,
) -> io::Result<()> {
    let lo: Vec<String> = bounds
        .iter()
        .map(|b| b.lo.map_or("-inf".into(), seconds))
        .collect();
    let wl = lo.iter().map(String::len).max().unwrap_or(0);
    let mut table = Table::new(&[]).indent(indent);
    for (b, lo) in bounds.iter().zip(&lo) {
        let hi = b.hi.map_or("+inf".into(), seconds);
        let node = |n: NodeId| (trace.node_name(n).to_string(), Style::Node(n.index()));
        let interval = (format!("[{lo:>wl$}, {hi}]"), Style::Plain);
        if with_a {
            table.row([node(b.a), node(b.b), interval]);
        } else {
            table.row([node(b.b), interval]);
        }
    }
    for (b, line) in bounds.iter().zip(table.lines(palette)) {
        writeln!(w, "{line}")?;
        for (end, messages) in [("lo", &b.lo_messages), ("hi", &b.hi_messages)] {
            for m in messages {
                writeln!(
                    w,
                    "{indent}    {}",
                    palette.dim(&format!("{end}: {}", message_text(trace, m)))
                )?;
            }
        }
    }
    Ok(())
}

/// `"m1" a -> b, delay 0.004 s (a.jsonl:3 -> a.jsonl:7)`, one-line safe.
fn message_text(trace: &Trace, m: &Message) -> String {
    one_line(&format!(
        "{:?} {} -> {}, delay {} s ({} {} -> {} {})",
        trace.message_id(m.send, m.recv),
        trace.node_name(m.from),
        trace.node_name(m.to),
        seconds(i128::from(m.delay)),
        trace.event_id(m.send),
        trace.location(m.send),
        trace.event_id(m.recv),
        trace.location(m.recv),
    ))
}

fn summary(trace: &Trace, report: &CheckReport) -> String {
    let mut counts: Vec<(FindingKind, usize)> = Vec::new();
    for f in &report.findings {
        match counts.last_mut() {
            Some((k, n)) if *k == f.kind() => *n += 1,
            _ => counts.push((f.kind(), 1)),
        }
    }
    let findings = match report.findings.len() {
        0 => "no findings".to_string(),
        n => format!(
            "{n} finding{} ({})",
            if n == 1 { "" } else { "s" },
            counts
                .iter()
                .map(|(k, n)| format!("{n} {}", k.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let findings = match report.information.len() {
        0 => findings,
        n => format!(
            "{findings}; {} (not findings)",
            plural(n as u64, "reordered message")
        ),
    };
    if report.pairs == SkewPairs::None {
        return findings;
    }
    let pairs = report.skew.bounds.len();
    match &report.skew.summary {
        Some(s) if s.timed_nodes == 0 => format!(
            "{findings}; no skew bounds (no message between two nodes has a time at both ends)"
        ),
        Some(s) => format!(
            "{findings}; skew bounds for {} of {} against {}",
            pairs,
            plural(trace.nodes.len().saturating_sub(1) as u64, "node"),
            s.reference
                .map_or_else(|| "no node".to_string(), |r| one_line(trace.node_name(r)))
        ),
        None => format!(
            "{findings}; skew bounds for {pairs} pair{} of nodes",
            if pairs == 1 { "" } else { "s" }
        ),
    }
}
