//! Stamped events as an aligned table for people, colored per node on a terminal.

use std::io::{self, Write};

use crate::clock::{Clocks, Stamps};
use crate::model::{EventIdx, Trace};
use crate::term::Palette;

/// Writes a header and one row per event: Lamport clock, id, node, kind, message, vector
/// clock and label, columns aligned.
pub fn write_table<C: Clocks>(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps<C>,
    events: &[EventIdx],
    palette: Palette,
) -> io::Result<()> {
    const HEADER: [&str; 7] = ["LAMPORT", "ID", "NODE", "KIND", "MSG", "VC", "LABEL"];
    let rows: Vec<[String; 7]> = events
        .iter()
        .map(|&e| {
            let ev = trace.event(e);
            let vc = stamps
                .vector
                .clock(e)
                .entries()
                .map(|(n, c)| format!("{}:{c}", trace.node_name(n)))
                .collect::<Vec<_>>()
                .join(" ");
            [
                stamps.lamport[e.index()].to_string(),
                trace.event_id(e).to_string(),
                trace.node_name(ev.node).to_string(),
                ev.kind.as_str().to_string(),
                ev.msg.as_deref().unwrap_or("").to_string(),
                format!("[{vc}]"),
                ev.label
                    .as_deref()
                    .unwrap_or("")
                    .replace(['\n', '\r', '\t'], " "),
            ]
        })
        .collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let last = HEADER.len() - 1;
    let header: Vec<String> = HEADER
        .iter()
        .enumerate()
        .map(|(i, h)| {
            palette.bold(&if i == last {
                h.to_string()
            } else {
                pad(h, widths[i], i == 0)
            })
        })
        .collect();
    writeln!(w, "{}", header.join("  "))?;
    for (row, &e) in rows.iter().zip(events) {
        let ev = trace.event(e);
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i == last {
                line.push_str(cell);
                continue;
            }
            let text = pad(cell, widths[i], i == 0);
            let painted = match i {
                1 | 2 => palette.node(ev.node.index(), &text),
                3 => palette.kind(ev.kind, &text),
                5 => palette.dim(&text),
                _ => text,
            };
            line.push_str(&painted);
            line.push_str("  ");
        }
        writeln!(w, "{}", line.trim_end())?;
    }
    Ok(())
}

fn pad(s: &str, width: usize, right_align: bool) -> String {
    if right_align {
        format!("{s:>width$}")
    } else {
        format!("{s:<width$}")
    }
}
