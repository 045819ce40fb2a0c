//! Chrome Trace Event JSON, for Perfetto (ui.perfetto.dev) and chrome://tracing.
//!
//! One process per node (`pid` = node index + 1, named by `process_name` metadata). A span's
//! start and end events (fields `phase` = `start`/`end` with the same `trace_id`, `span_id` and
//! `span_kind` on one node) are drawn as one slice, `B` then `E`; every other event is an
//! instant (`i`). Slices that overlap without nesting go on separate threads (lanes) of their
//! process, since a thread's slices must nest. Each message edge is a flow: an `s` event bound
//! to the sending slice and an `f` event with binding point `e` bound to the receiving one,
//! with an id unique in the file.
//!
//! Timestamps (`ts`, microseconds) are the events' wall-clock times, counted from the earliest
//! one (given in `otherData.origin`). On a node, an event never goes before its program-order
//! predecessor: an untimed event, or one whose time is earlier, is drawn at its predecessor's
//! time. When no event has a time, `ts` is the Lamport clock, one microsecond per tick.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};

use super::members::{json_keys, write_members, MemberKey};
use crate::clock::{Clocks, Stamps};
use crate::model::{EventIdx, SpanPhase, Trace};
use crate::order::Causality;

/// How an event is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Instant,
    /// The start of the slice that ends at the given event.
    Begin(EventIdx),
    End,
}

/// Writes `trace` as one Chrome Trace Event JSON object.
#[expect(
    clippy::too_many_lines,
    reason = "the trace events of one export, written in the order the format wants them"
)]
pub fn write_chrome<C: Clocks>(
    w: &mut dyn Write,
    trace: &Trace,
    stamps: &Stamps<C>,
    causality: &Causality,
) -> io::Result<()> {
    let n = trace.len();
    let vc_keys = json_keys(&trace.nodes);
    let wall = trace.events.iter().any(|e| e.time().is_some());
    let origin = trace
        .events
        .iter()
        .filter_map(|e| e.time())
        .map(|t| t.0)
        .min();
    let ts = display_times(trace, stamps, wall, origin.unwrap_or(0));

    // Pair span starts with their ends, node by node, in program order.
    let mut shape = vec![Shape::Instant; n];
    for lane in &trace.by_node {
        let mut open: HashMap<(&str, &str, &str), VecDeque<EventIdx>> = HashMap::new();
        for &e in lane {
            let Some((phase, key)) = span_key(trace, e) else {
                continue;
            };
            match phase {
                SpanPhase::Start => open.entry(key).or_default().push_back(e),
                SpanPhase::End => {
                    if let Some(start) = open.get_mut(&key).and_then(VecDeque::pop_front) {
                        shape[start.index()] = Shape::Begin(e);
                        shape[e.index()] = Shape::End;
                    }
                }
                SpanPhase::Event => {}
            }
        }
    }

    // Lanes: a slice goes on the first lane whose innermost open slice ends after it does (in
    // program order), so that each lane's slices nest.
    let mut tid = vec![1u32; n];
    let mut lanes_used = vec![1u32; trace.nodes.len()];
    for (node, lane) in trace.by_node.iter().enumerate() {
        let position: HashMap<EventIdx, usize> =
            lane.iter().enumerate().map(|(i, &e)| (e, i)).collect();
        let mut stacks: Vec<Vec<(EventIdx, usize)>> = Vec::new();
        let mut open_span: HashMap<(&str, &str), u32> = HashMap::new();
        let mut lane_of_end: HashMap<EventIdx, usize> = HashMap::new();
        for &e in lane {
            match shape[e.index()] {
                Shape::Begin(end) => {
                    let end_pos = position[&end];
                    let l = stacks
                        .iter()
                        .position(|s| s.last().is_none_or(|&(_, top_end)| top_end > end_pos))
                        .unwrap_or_else(|| {
                            stacks.push(Vec::new());
                            stacks.len() - 1
                        });
                    stacks[l].push((end, end_pos));
                    lane_of_end.insert(end, l);
                    tid[e.index()] = l as u32 + 1;
                    if let Some((_, (trace_id, span_id, _))) = span_key(trace, e) {
                        open_span.insert((trace_id, span_id), l as u32 + 1);
                    }
                }
                Shape::End => {
                    let l = lane_of_end[&e];
                    stacks[l].retain(|&(x, _)| x != e);
                    tid[e.index()] = l as u32 + 1;
                    if let Some((_, (trace_id, span_id, _))) = span_key(trace, e) {
                        open_span.remove(&(trace_id, span_id));
                    }
                }
                Shape::Instant => {
                    // A span's own events go on its lane.
                    if let Some((_, (trace_id, span_id, _))) = span_key(trace, e) {
                        if let Some(&t) = open_span.get(&(trace_id, span_id)) {
                            tid[e.index()] = t;
                        }
                    }
                }
            }
        }
        lanes_used[node] = (stacks.len() as u32).max(1);
    }

    // Flows, numbered in order of their receiving event.
    let mut flows_out: HashMap<EventIdx, Vec<(u64, EventIdx)>> = HashMap::new();
    let mut flows_in: HashMap<EventIdx, Vec<(u64, EventIdx)>> = HashMap::new();
    for (id, (s, r)) in causality.message_edges().enumerate() {
        let id = id as u64 + 1;
        flows_out.entry(s).or_default().push((id, r));
        flows_in.entry(r).or_default().push((id, s));
    }

    w.write_all(b"{\"traceEvents\":[\n")?;
    let mut first = true;
    let mut line = |w: &mut dyn Write, text: &[u8]| -> io::Result<()> {
        if !std::mem::take(&mut first) {
            w.write_all(b",\n")?;
        }
        w.write_all(text)
    };
    for (node, name) in trace.nodes.iter().enumerate() {
        let pid = node + 1;
        let name_json = serde_json::to_string(name)?;
        line(
            w,
            format!(
                "{{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":{pid},\"args\":{{\"name\":{name_json}}}}}"
            )
            .as_bytes(),
        )?;
        line(
            w,
            format!(
                "{{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":{pid},\"args\":{{\"sort_index\":{node}}}}}"
            )
            .as_bytes(),
        )?;
        for t in 1..=lanes_used[node] {
            let thread = if lanes_used[node] == 1 {
                name.clone()
            } else {
                format!("{name} ({t})")
            };
            line(
                w,
                format!(
                    "{{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":{pid},\"tid\":{t},\"args\":{{\"name\":{}}}}}",
                    serde_json::to_string(&thread)?
                )
                .as_bytes(),
            )?;
        }
    }
    let mut buf = Vec::with_capacity(512);
    for (node, lane) in trace.by_node.iter().enumerate() {
        let pid = node + 1;
        for &e in lane {
            let ev = trace.event(e);
            let t = tid[e.index()];
            let at = micros(ts[e.index()]);
            let mut flow_lines: Vec<Vec<u8>> = Vec::new();
            for &(id, to) in flows_out.get(&e).map_or(&[][..], Vec::as_slice) {
                let msg = trace.message_id(e, to).to_string();
                flow_lines.push(
                    format!(
                        "{{\"name\":{},\"cat\":\"message\",\"ph\":\"s\",\"id\":{id},\"pid\":{pid},\"tid\":{t},\"ts\":{at}}}",
                        serde_json::to_string(&msg)?
                    )
                    .into_bytes(),
                );
            }
            for &(id, from) in flows_in.get(&e).map_or(&[][..], Vec::as_slice) {
                let msg = trace.message_id(from, e).to_string();
                flow_lines.push(
                    format!(
                        "{{\"name\":{},\"cat\":\"message\",\"ph\":\"f\",\"bp\":\"e\",\"id\":{id},\"pid\":{pid},\"tid\":{t},\"ts\":{at}}}",
                        serde_json::to_string(&msg)?
                    )
                    .into_bytes(),
                );
            }
            buf.clear();
            match shape[e.index()] {
                Shape::Begin(_) => {
                    let name = ev
                        .fields
                        .get("span")
                        .and_then(|v| v.as_str().map(str::to_string))
                        .or_else(|| ev.label.as_deref().map(str::to_string))
                        .unwrap_or_else(|| trace.event_id(e).to_string());
                    write!(
                        buf,
                        "{{\"name\":{},\"cat\":\"span\",\"ph\":\"B\",\"pid\":{pid},\"tid\":{t},\"ts\":{at},\"args\":",
                        serde_json::to_string(&name)?
                    )?;
                    write_args(&mut buf, trace, (stamps, &vc_keys), e, "")?;
                    buf.push(b'}');
                }
                Shape::End => {
                    write!(
                        buf,
                        "{{\"ph\":\"E\",\"pid\":{pid},\"tid\":{t},\"ts\":{at},\"args\":"
                    )?;
                    write_args(&mut buf, trace, (stamps, &vc_keys), e, "end_")?;
                    buf.push(b'}');
                }
                Shape::Instant => {
                    let name = ev
                        .label
                        .as_deref()
                        .map(str::to_string)
                        .unwrap_or_else(|| trace.event_id(e).to_string());
                    write!(
                        buf,
                        "{{\"name\":{},\"cat\":\"{}\",\"ph\":\"i\",\"s\":\"t\",\"pid\":{pid},\"tid\":{t},\"ts\":{at},\"args\":",
                        serde_json::to_string(&name)?,
                        ev.kind.as_str()
                    )?;
                    write_args(&mut buf, trace, (stamps, &vc_keys), e, "")?;
                    buf.push(b'}');
                }
            }
            // Flow events bind to the slice open on their thread at their time: at a slice's
            // end, emit them before the `E` that closes it, elsewhere after the event.
            if shape[e.index()] == Shape::End {
                for f in &flow_lines {
                    line(w, f)?;
                }
                line(w, &buf)?;
            } else {
                line(w, &buf)?;
                for f in &flow_lines {
                    line(w, f)?;
                }
            }
        }
    }
    w.write_all(b"\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"generator\":\"causal\",")?;
    match (wall, origin) {
        (true, Some(o)) => {
            let text = crate::render::fmt::time(crate::model::Timestamp(o));
            write!(
                w,
                "\"clock\":\"wall\",\"origin\":{}",
                serde_json::to_string(&text)?
            )?;
        }
        _ => w.write_all(b"\"clock\":\"lamport\",\"unit\":\"one Lamport tick per microsecond\"")?,
    }
    w.write_all(b"}}\n")
}

/// The span an event belongs to: its phase, and (trace, span, kind).
fn span_key(trace: &Trace, e: EventIdx) -> Option<(SpanPhase, (&str, &str, &str))> {
    let (span, phase) = trace.span(e)?;
    Some((
        phase,
        (
            &*span.trace_id,
            &*span.span_id,
            span.kind.as_deref().unwrap_or(""),
        ),
    ))
}

/// Display time of every event in nanoseconds from the origin, never before its node
/// predecessor's.
fn display_times<C: Clocks>(
    trace: &Trace,
    stamps: &Stamps<C>,
    wall: bool,
    origin: i64,
) -> Vec<i64> {
    let mut ts = vec![0i64; trace.len()];
    for lane in &trace.by_node {
        if !wall {
            for &e in lane {
                ts[e.index()] = stamps.lamport[e.index()] as i64 * 1000;
            }
            continue;
        }
        // Untimed events before the node's first timed one take that first time.
        let first_time = lane
            .iter()
            .find_map(|&e| trace.event(e).time())
            .map_or(0, |t| t.0 - origin);
        let mut last = first_time;
        for &e in lane {
            if let Some(t) = trace.event(e).time() {
                last = last.max(t.0 - origin);
            }
            ts[e.index()] = last;
        }
    }
    ts
}

/// Nanoseconds as a JSON number of microseconds, exactly.
fn micros(ns: i64) -> String {
    let (sign, ns) = if ns < 0 { ("-", -ns) } else { ("", ns) };
    if ns % 1000 == 0 {
        format!("{sign}{}", ns / 1000)
    } else {
        let frac = format!("{:03}", ns % 1000);
        format!("{sign}{}.{}", ns / 1000, frac.trim_end_matches('0'))
    }
}

/// `{"id", "lamport", "vc", fields...}`, names prefixed with `prefix` (for `E` events, whose
/// args Perfetto merges into the slice's).
fn write_args<C: Clocks>(
    buf: &mut Vec<u8>,
    trace: &Trace,
    (stamps, vc_keys): (&Stamps<C>, &[MemberKey]),
    e: EventIdx,
    prefix: &str,
) -> io::Result<()> {
    write!(
        buf,
        "{{\"{prefix}id\":{},\"{prefix}lamport\":{},\"{prefix}vc\":",
        serde_json::to_string(&trace.event_id(e).to_string())?,
        stamps.lamport[e.index()]
    )?;
    write_members(buf, vc_keys, stamps.vector.clock(e), *b"{}");
    for (k, v) in &trace.event(e).fields.to_map() {
        // The slice's begin already says which span it is.
        let repeated = !prefix.is_empty()
            && matches!(k.as_str(), "trace_id" | "span_id" | "span_kind" | "phase");
        if repeated || matches!(k.as_str(), "id" | "node" | "lamport" | "vc") {
            continue;
        }
        write!(buf, ",{}:", serde_json::to_string(&format!("{prefix}{k}"))?)?;
        serde_json::to_writer(&mut *buf, v)?;
    }
    buf.push(b'}');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microseconds_are_written_exactly() {
        assert_eq!(micros(0), "0");
        assert_eq!(micros(1_500), "1.5");
        assert_eq!(micros(65_441_000), "65441");
        assert_eq!(micros(1_001), "1.001");
    }
}
