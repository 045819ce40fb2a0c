//! Stamped events as an aligned table for people, colored per node on a terminal.

use std::io::{self, Write};

use crate::clock::{Clocks, Stamps};
use crate::model::{EventIdx, Trace};
use crate::render::fmt::{vc, Style, Table};
use crate::render::Palette;

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
    let mut table = Table::new(&[true]);
    table.row(HEADER.map(|h| (h, Style::Bold)));
    for &e in events {
        let ev = trace.event(e);
        let node = Style::Node(ev.node.index());
        table.row([
            (stamps.lamport[e.index()].to_string(), Style::Plain),
            (trace.event_id(e).to_string(), node),
            (trace.node_name(ev.node).to_string(), node),
            (ev.kind.as_str().to_string(), Style::Kind(ev.kind)),
            (ev.msg.as_deref().unwrap_or("").to_string(), Style::Plain),
            (vc(&trace.nodes, stamps.vector.clock(e)), Style::Dim),
            (ev.label.as_deref().unwrap_or("").to_string(), Style::Plain),
        ]);
    }
    table.write(w, palette)
}
