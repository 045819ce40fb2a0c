//! The statistics of `stats`: aligned tables with small histograms for people, or one JSON
//! object (docs/reports.md).

use std::io::{self, Write};

use serde::Serialize;

use crate::analysis::stats::{ChannelStats, Latency, Stats};
use crate::model::{NodeId, Timestamp, Trace};
use crate::render::fmt::{duration, one_line, plural, seconds_f64, sparkline, time, Style, Table};
use crate::render::Palette;

/// Version of the JSON shape.
pub const VERSION: u32 = 1;

/// Above this many nodes, the who-talks-to-whom matrix is left out of the text (the channel
/// table and the JSON list every pair).
pub const MATRIX_MAX_NODES: usize = 16;

#[derive(Serialize)]
struct StatsJson<'t> {
    version: u32,
    files: &'t [String],
    events: u64,
    nodes: usize,
    messages: u64,
    lost: u64,
    unmatched_recvs: u64,
    first_time: Option<String>,
    last_time: Option<String>,
    longest_chain: u64,
    parallelism: Option<f64>,
    skew_corrected: bool,
    reference: Option<&'t str>,
    per_node: Vec<NodeJson<'t>>,
    channels: Vec<ChannelJson<'t>>,
    keys_accessed: u64,
    keys: Vec<KeyJson<'t>>,
}

#[derive(Serialize)]
struct NodeJson<'t> {
    node: &'t str,
    events: u64,
    sends: u64,
    receives: u64,
    lost: u64,
    unmatched: u64,
    first_time: Option<String>,
    last_time: Option<String>,
    activity: &'t [u64],
}

#[derive(Serialize)]
struct ChannelJson<'t> {
    from: &'t str,
    to: &'t str,
    messages: u64,
    timed: u64,
    corrected: bool,
    latency: Option<LatencyJson<'t>>,
}

#[derive(Serialize)]
struct LatencyJson<'t> {
    min: f64,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    histogram: &'t [u64],
}

#[derive(Serialize)]
struct KeyJson<'t> {
    key: &'t str,
    accesses: u64,
    reads: u64,
    writes: u64,
    write_write: u64,
    read_write: u64,
    conflicts: u64,
}

fn time_text(t: Option<Timestamp>) -> Option<String> {
    t.map(time)
}

/// Writes the statistics as one JSON object and a newline.
pub fn write_json(w: &mut dyn Write, trace: &Trace, s: &Stats) -> io::Result<()> {
    let doc = StatsJson {
        version: VERSION,
        files: &trace.files,
        events: s.events,
        nodes: trace.nodes.len(),
        messages: s.messages,
        lost: s.lost,
        unmatched_recvs: s.unmatched,
        first_time: time_text(s.first),
        last_time: time_text(s.last),
        longest_chain: s.longest_chain,
        parallelism: s.parallelism(),
        skew_corrected: s.reference.is_some(),
        reference: s.reference.map(|n| trace.node_name(n)),
        per_node: s
            .nodes
            .iter()
            .map(|n| NodeJson {
                node: trace.node_name(n.node),
                events: n.events,
                sends: n.sends,
                receives: n.receives,
                lost: n.lost,
                unmatched: n.unmatched,
                first_time: time_text(n.first),
                last_time: time_text(n.last),
                activity: &n.activity,
            })
            .collect(),
        channels: s
            .channels
            .iter()
            .map(|c| ChannelJson {
                from: trace.node_name(c.from),
                to: trace.node_name(c.to),
                messages: c.messages,
                timed: c.timed,
                corrected: c.corrected,
                latency: c.latency.as_ref().map(|l| LatencyJson {
                    min: seconds_f64(l.min),
                    p50: seconds_f64(l.p50),
                    p90: seconds_f64(l.p90),
                    p99: seconds_f64(l.p99),
                    max: seconds_f64(l.max),
                    histogram: &l.histogram,
                }),
            })
            .collect(),
        keys_accessed: s.keys_accessed,
        keys: s
            .keys
            .iter()
            .map(|k| KeyJson {
                key: trace.key_name(k.key),
                accesses: k.reads + k.writes,
                reads: k.reads,
                writes: k.writes,
                write_write: k.write_write,
                read_write: k.read_write,
                conflicts: k.write_write + k.read_write,
            })
            .collect(),
    };
    serde_json::to_writer(&mut *w, &doc)?;
    writeln!(w)
}

/// Writes the statistics for people: a summary, then tables of nodes, channels, keys and who
/// talks to whom, the nodes and channels cut to `limit` rows (`None`: all).
pub fn write_text(
    w: &mut dyn Write,
    trace: &Trace,
    s: &Stats,
    limit: Option<usize>,
    palette: Palette,
) -> io::Result<()> {
    write_summary(w, trace, s, palette)?;
    write_nodes(w, trace, s, limit, palette)?;
    write_channels(w, trace, s, limit, palette)?;
    write_matrix(w, trace, s, palette)?;
    write_keys(w, trace, s, palette)
}

fn write_summary(w: &mut dyn Write, trace: &Trace, s: &Stats, palette: Palette) -> io::Result<()> {
    let files = one_line(&trace.files.join(" "));
    writeln!(
        w,
        "{}: {} on {}, {} ({} lost, {})",
        palette.bold(&files),
        plural(s.events, "event"),
        plural(trace.nodes.len() as u64, "node"),
        plural(s.messages, "message"),
        s.lost,
        plural(s.unmatched, "unmatched receive"),
    )?;
    if let (Some(a), Some(b)) = (s.first, s.last) {
        writeln!(
            w,
            "time: {} to {} ({}, each event by its own node's clock)",
            time(a),
            time(b),
            duration(i128::from(b.0) - i128::from(a.0))
        )?;
    }
    match s.parallelism() {
        Some(p) => writeln!(
            w,
            "longest causal chain: {}; parallelism {p:.2} (events / longest chain)",
            plural(s.longest_chain, "event")
        ),
        None => Ok(()),
    }
}

/// `+1.25 s` after the execution's first time.
fn since(first: Option<Timestamp>, t: Option<Timestamp>) -> String {
    match (first, t) {
        (Some(a), Some(b)) => format!("+{}", duration(i128::from(b.0) - i128::from(a.0))),
        _ => "-".to_string(),
    }
}

fn cut_note(shown: usize, all: usize, what: &str) -> Option<String> {
    (shown < all).then(|| format!("  ({shown} of {all} {what} shown; --limit 0 shows all)"))
}

fn write_nodes(
    w: &mut dyn Write,
    trace: &Trace,
    s: &Stats,
    limit: Option<usize>,
    palette: Palette,
) -> io::Result<()> {
    writeln!(w)?;
    writeln!(
        w,
        "{} (first and last event after the first of all; activity over the whole time)",
        palette.bold("nodes")
    )?;
    let mut table = Table::new(&[false, true, true, true, true, true, true, true]).indent("  ");
    table.row(
        [
            "NODE",
            "EVENTS",
            "SENDS",
            "RECVS",
            "LOST",
            "UNMATCHED",
            "FIRST",
            "LAST",
            "ACTIVITY",
        ]
        .map(|h| (h, Style::Bold)),
    );
    let max = s
        .nodes
        .iter()
        .flat_map(|n| n.activity.iter().copied())
        .max()
        .unwrap_or(0);
    let shown = limit.unwrap_or(usize::MAX).min(s.nodes.len());
    for n in &s.nodes[..shown] {
        let warn = |x: u64| if x > 0 { Style::Warning } else { Style::Plain };
        table.row([
            (
                trace.node_name(n.node).to_string(),
                Style::Node(n.node.index()),
            ),
            (n.events.to_string(), Style::Plain),
            (n.sends.to_string(), Style::Plain),
            (n.receives.to_string(), Style::Plain),
            (n.lost.to_string(), warn(n.lost)),
            (n.unmatched.to_string(), warn(n.unmatched)),
            (since(s.first, n.first), Style::Plain),
            (since(s.first, n.last), Style::Plain),
            (format!("|{}|", sparkline(&n.activity, max)), Style::Plain),
        ]);
    }
    table.write(w, palette)?;
    if let Some(note) = cut_note(shown, s.nodes.len(), "nodes") {
        writeln!(w, "{}", palette.dim(&note))?;
    }
    Ok(())
}

fn latency_cells(c: &ChannelStats) -> Vec<String> {
    match &c.latency {
        Some(Latency {
            min,
            p50,
            p90,
            p99,
            max,
            histogram,
        }) => {
            let top = histogram.iter().copied().max().unwrap_or(0);
            vec![
                duration(*min),
                duration(*p50),
                duration(*p90),
                duration(*p99),
                duration(*max),
                format!("|{}|", sparkline(histogram, top)),
            ]
        }
        None => vec!["-".to_string(); 5],
    }
}

fn write_channels(
    w: &mut dyn Write,
    trace: &Trace,
    s: &Stats,
    limit: Option<usize>,
    palette: Palette,
) -> io::Result<()> {
    writeln!(w)?;
    let how = match s.reference {
        Some(r) => format!(
            "corrected by each node's estimated clock offset against {} (* marks channels \
             with an end that has no estimate: uncorrected)",
            one_line(trace.node_name(r))
        ),
        None => "read off two clocks: skew makes them approximate, --skew-corrected \
                 corrects them"
            .to_string(),
    };
    writeln!(
        w,
        "{} (most messages first; latency = receive time - send time, {how})",
        palette.bold("channels")
    )?;
    let mut table = Table::new(&[false, false, true, true, true, true, true, true]).indent("  ");
    table.row(
        [
            "FROM", "TO", "MSGS", "MIN", "P50", "P90", "P99", "MAX", "LATENCY",
        ]
        .map(|h| (h, Style::Bold)),
    );
    let mut order: Vec<&ChannelStats> = s.channels.iter().collect();
    order.sort_by(|a, b| {
        b.messages
            .cmp(&a.messages)
            .then((a.from, a.to).cmp(&(b.from, b.to)))
    });
    let shown = limit.unwrap_or(usize::MAX).min(order.len());
    for c in &order[..shown] {
        let mut from = trace.node_name(c.from).to_string();
        if s.reference.is_some() && !c.corrected {
            from.push('*');
        }
        let mut cells = vec![
            (from, Style::Node(c.from.index())),
            (trace.node_name(c.to).to_string(), Style::Node(c.to.index())),
            (c.messages.to_string(), Style::Plain),
        ];
        cells.extend(latency_cells(c).into_iter().map(|t| (t, Style::Plain)));
        table.row(cells);
    }
    table.write(w, palette)?;
    if let Some(note) = cut_note(shown, order.len(), "channels") {
        writeln!(w, "{}", palette.dim(&note))?;
    }
    Ok(())
}

fn write_matrix(w: &mut dyn Write, trace: &Trace, s: &Stats, palette: Palette) -> io::Result<()> {
    writeln!(w)?;
    let n = trace.nodes.len();
    if n > MATRIX_MAX_NODES {
        return writeln!(
            w,
            "{}: {} are too many for a matrix; the channels above and --format json list every \
             pair",
            palette.bold("who talks to whom"),
            plural(n as u64, "node")
        );
    }
    writeln!(
        w,
        "{} (messages from the row's node to the column's)",
        palette.bold("who talks to whom")
    )?;
    let mut counts = vec![0u64; n * n];
    for c in &s.channels {
        counts[c.from.index() * n + c.to.index()] = c.messages;
    }
    let mut table = Table::new(&vec![true; n + 1]).indent("  ");
    let mut header = vec![(String::new(), Style::Plain)];
    header.extend((0..n).map(|j| {
        (
            trace.node_name(NodeId(j as u32)).to_string(),
            Style::Node(j),
        )
    }));
    table.row(header);
    for i in 0..n {
        let mut row = vec![(
            trace.node_name(NodeId(i as u32)).to_string(),
            Style::Node(i),
        )];
        row.extend((0..n).map(|j| match counts[i * n + j] {
            0 => (".".to_string(), Style::Dim),
            c => (c.to_string(), Style::Plain),
        }));
        table.row(row);
    }
    table.write(w, palette)
}

fn write_keys(w: &mut dyn Write, trace: &Trace, s: &Stats, palette: Palette) -> io::Result<()> {
    if s.keys_accessed == 0 {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(
        w,
        "{} (most accesses first; conflicts as `causal conflicts` counts them)",
        palette.bold("busiest keys")
    )?;
    let mut table = Table::new(&[false, true, true, true, true, true, true]).indent("  ");
    table.row(
        [
            "KEY",
            "ACCESSES",
            "READS",
            "WRITES",
            "CONFLICTS",
            "WRITE-WRITE",
            "READ-WRITE",
        ]
        .map(|h| (h, Style::Bold)),
    );
    // `--keys` has cut the list already.
    let shown = s.keys.len();
    for k in &s.keys {
        let conflicts = k.write_write + k.read_write;
        table.row([
            (trace.key_name(k.key).to_string(), Style::Plain),
            ((k.reads + k.writes).to_string(), Style::Plain),
            (k.reads.to_string(), Style::Plain),
            (k.writes.to_string(), Style::Plain),
            (
                conflicts.to_string(),
                if conflicts > 0 {
                    Style::Warning
                } else {
                    Style::Plain
                },
            ),
            (k.write_write.to_string(), Style::Plain),
            (k.read_write.to_string(), Style::Plain),
        ]);
    }
    table.write(w, palette)?;
    if shown < s.keys_accessed as usize {
        let note = format!(
            "  ({shown} of {} keys shown; --keys N lists more)",
            s.keys_accessed
        );
        writeln!(w, "{}", palette.dim(&note))?;
    }
    Ok(())
}
