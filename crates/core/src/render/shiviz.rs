//! Stamped events as a log ShiViz opens as is: its upload layout, with the parser regex on
//! the first line and the execution delimiter (empty for one execution) on the second, then
//! for each event a `HOST {clock}` line and a line of event text.
//!
//! Events are written in the order given (Lamport order from `stamp`), which keeps every
//! host's events in program order. A trace holding several executions is written as
//! sections `=== LABEL ===` under the delimiter [`DELIMITER`], with host names and clocks
//! without the `LABEL/` prefix, so reading it back gives the same executions.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::clock::{Clocks, Stamps};
use crate::model::{EventIdx, Trace};
use crate::render::fmt::one_line;

/// The parser regex written on the first line: host (which may hold spaces) and clock on
/// one line, the event text on the next.
pub const REGEX: &str = r"^(?<host>.*) (?<clock>{.*})\n(?<event>.*)";

/// The delimiter written on the second line when the trace holds several executions.
pub const DELIMITER: &str = r"^=== (?<trace>.*) ===$";

/// Writes the header lines and every event in `events`.
pub fn write_shiviz<C: Clocks>(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps<C>,
    events: &[EventIdx],
) -> io::Result<()> {
    if trace.executions.len() <= 1 {
        writeln!(w, "{REGEX}\n")?;
        for &e in events {
            write_event(w, trace, stamps, e, "")?;
        }
        return Ok(());
    }
    writeln!(w, "{REGEX}\n{DELIMITER}")?;
    let position: HashMap<&str, usize> = trace
        .executions
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let mut sections: Vec<Vec<EventIdx>> = vec![Vec::new(); trace.executions.len() + 1];
    for &e in events {
        let label = trace
            .event(e)
            .fields
            .get("execution")
            .and_then(|v| v.as_str().map(str::to_string));
        let i = label
            .and_then(|l| position.get(l.as_str()).copied())
            .unwrap_or(trace.executions.len());
        sections[i].push(e);
    }
    for (i, section) in sections.iter().enumerate() {
        if section.is_empty() {
            continue;
        }
        let label = trace.executions.get(i).map_or("", String::as_str);
        writeln!(w, "=== {} ===", one_line(label))?;
        let prefix = if label.is_empty() {
            String::new()
        } else {
            format!("{label}/")
        };
        for &e in section {
            write_event(w, trace, stamps, e, &prefix)?;
        }
    }
    Ok(())
}

fn write_event<C: Clocks>(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps<C>,
    e: EventIdx,
    prefix: &str,
) -> io::Result<()> {
    let ev = trace.event(e);
    let strip = |name: &'_ str| -> String { one_line(name.strip_prefix(prefix).unwrap_or(name)) };
    write!(w, "{} {{", strip(trace.node_name(ev.node)))?;
    let mut first = true;
    for (n, count) in stamps.vector.clock(e).entries() {
        if !std::mem::take(&mut first) {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut *w, &strip(trace.node_name(n)))?;
        write!(w, ":{count}")?;
    }
    w.write_all(b"}\n")?;
    // ShiViz trims the log before matching it, so a blank text line at the end would take the
    // last event with it: a blank label is written as no label is.
    let label = ev.label.as_deref().filter(|l| !l.trim().is_empty());
    let text = match (label, &ev.msg) {
        (Some(label), _) => one_line(label),
        (None, Some(msg)) => format!("{} {}", ev.kind.as_str(), one_line(msg)),
        (None, None) => one_line(&trace.event_id(e).to_string()),
    };
    // A text line that looks like the delimiter would split the log when read back.
    if !prefix.is_empty() && text.starts_with("=== ") && text.ends_with(" ===") {
        writeln!(w, " {text}")
    } else {
        writeln!(w, "{text}")
    }
}
