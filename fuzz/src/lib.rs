//! Shared by the fuzz targets: fuzzer bytes turned into inputs and options, and the invariants
//! every run must keep.
//!
//! A broken invariant panics, which libFuzzer reports as a crash with the input that broke it;
//! an `Err` from the library (bad input, a happens-before cycle) is a fine outcome. The checks
//! recompute what they check from its definition (clocks from the events' direct predecessors,
//! matching from the events' message roles), never by calling the code under test again.

use std::collections::{HashMap, HashSet};

use causal_core::analysis::check::{check, CheckOptions, FindingKind};
use causal_core::analysis::conflicts::{
    access, find_conflicts, Access, ConflictOptions, ConflictReport,
};
use causal_core::analysis::conflicts_std::{StdConflictFinder, StdConflictOptions};
use causal_core::analysis::skew::SkewPairs;
use causal_core::clock::hlc::HlcEngine;
use causal_core::clock::{
    self, relation, Clocks, Engine, PackedClocks, Relation, Replay, ReplayWalk, Stamps, TreeReplay,
    VectorClocks,
};
use causal_core::graph::{ClockLabel, HbGraph, SliceOptions, View};
use causal_core::input::Input;
use causal_core::model::{EventFlags, EventIdx, EventKind, GivenClocks, NodeId, Trace};
use causal_core::order::{causal_order, Causality};
use causal_core::parse::{parse_inputs, stream_std, Format, ParseOptions, Parsed};
use causal_core::render::conflicts::WitnessClocks;
use causal_core::render::jsonl::JsonlWriter;
use causal_core::render::text::TextOptions;
use causal_core::render::Palette;
use causal_core::render::{self, lamport_order_of};
use causal_core::Named;
use serde_json::Value;

/// Files in one fuzz input are separated by NUL bytes; at most this many (the last keeps any
/// further NULs).
pub const MAX_FILES: usize = 3;

/// The in-memory files of one fuzz input, named `n0.EXT`, `n1.EXT`, ..., so that their stems
/// name nodes as the stems of files do.
pub fn files(data: &[u8], ext: &str) -> Vec<(String, Vec<u8>)> {
    data.splitn(MAX_FILES, |&b| b == 0)
        .enumerate()
        .map(|(i, bytes)| (format!("n{i}.{ext}"), bytes.to_vec()))
        .collect()
}

/// Parses in-memory files as `causal` parses files named on its command line.
pub fn parse(
    files: &[(String, Vec<u8>)],
    options: &ParseOptions,
) -> causal_core::error::Result<Parsed> {
    parse_inputs(
        files
            .iter()
            .map(|(name, bytes)| Ok(Input::from_bytes(name, bytes.clone()))),
        options,
    )
}

/// The extension files of `format` usually have (it only shapes file names; stems name nodes).
pub fn extension(format: Format) -> &'static str {
    match format {
        Format::Jsonl | Format::Tracing | Format::Stamped => "jsonl",
        Format::Otlp | Format::Jaeger | Format::Zipkin => "json",
        Format::Std => "std",
        _ => "log",
    }
}

/// The first line of `data` (without its `\n`) and the rest; no line when there is no `\n`.
pub fn split_line(data: &[u8]) -> (Option<String>, &[u8]) {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => (
            Some(String::from_utf8_lossy(&data[..i]).into_owned()),
            &data[i + 1..],
        ),
        None => (None, data),
    }
}

/// Non-blank lines of a plain (not gzip) file: the events a JSON Lines file holds.
fn event_lines(bytes: &[u8]) -> Option<usize> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    Some(text.lines().filter(|l| !l.trim().is_empty()).count())
}

/// One `--from FORMAT` target: parse (for `regex`, the first line is the pattern), then check
/// everything about what was accepted.
pub fn run_format(format: Format, data: &[u8]) {
    let (regex, data) = if format == Format::Regex {
        split_line(data)
    } else {
        (None, data)
    };
    let options = ParseOptions {
        from: format,
        regex,
        ..ParseOptions::default()
    };
    let files = files(data, extension(format));
    let Ok(parsed) = parse(&files, &options) else {
        return;
    };
    if format == Format::Jsonl {
        // Events in: every non-blank line is one event, none dropped, none made up.
        let lines: Option<usize> = files.iter().map(|(_, b)| event_lines(b)).sum();
        if let Some(lines) = lines {
            assert_eq!(parsed.trace.len(), lines, "one event per non-blank line");
        }
    }
    check_all(&parsed.trace, parsed.trace.len() / 2);
}

/// `--from std` on arbitrary bytes: [`run_format`]'s checks, and `conflicts`' streamed path
/// (no trace built) against its batch path: both fail on the same inputs with the same error,
/// and otherwise write the same report, byte for byte, as JSON and as text.
pub fn run_std(data: &[u8]) {
    run_format(Format::Std, data);
    let files = files(data, extension(Format::Std));
    let options = ParseOptions {
        from: Format::Std,
        drop_fields: true,
        ..ParseOptions::default()
    };
    let batch = parse(&files, &options).and_then(|parsed| {
        let order = causal_order(&parsed.trace)?;
        Ok((parsed.trace, order))
    });
    let mut finder = StdConflictFinder::new(&StdConflictOptions {
        limit: Some(2),
        keys: None,
    });
    let streamed = stream_std(
        files
            .iter()
            .map(|(name, bytes)| Ok(Input::from_bytes(name, bytes.clone()))),
        &mut finder,
    );
    let (trace, causality) = match (batch, streamed) {
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string(), "both paths fail alike");
            return;
        }
        (Ok(batch), Ok(())) => batch,
        (a, b) => panic!(
            "one path failed: batch {:?}, streamed {:?}",
            a.err().map(|e| e.to_string()),
            b.err().map(|e| e.to_string())
        ),
    };
    let lamport = clock::run(&trace, &causality, clock::LamportEngine::new(&trace));
    let order = lamport_order_of(&trace, &lamport);
    let walk = ReplayWalk::new(Engine::Flat, &trace, &causality);
    let options = ConflictOptions {
        limit: Some(2),
        keys: None,
    };
    let report = find_conflicts(&trace, &order, walk, &options);
    let witnesses = report.witness_events();
    let vector = PackedClocks::select(Engine::Flat, &trace, &causality, &order, &witnesses);
    let expected = conflict_report(&trace, &lamport, &vector, &report);
    let found = finder.finish();
    let got = conflict_report(&found.trace, &found.lamport, &found.vector, &found.report);
    assert_eq!(got, expected, "the streamed report is the batch one");
}

/// A conflict report as JSON and as text.
fn conflict_report(
    trace: &Trace,
    lamport: &[u64],
    vector: &PackedClocks,
    report: &ConflictReport,
) -> (String, String) {
    let clocks = WitnessClocks { lamport, vector };
    let (mut json, mut text) = (Vec::new(), Vec::new());
    render::conflicts::write_json(&mut json, trace, &clocks, report).expect("writes to memory");
    render::conflicts::write_text(&mut text, trace, &clocks, report, Palette::plain())
        .expect("writes to memory");
    (
        String::from_utf8_lossy(&json).into_owned(),
        String::from_utf8_lossy(&text).into_owned(),
    )
}

/// Every check that needs only the trace: its structure, matching and order, clocks by every
/// engine (tree clocks turned flat after `switch_at` events once), and `stamp`'s output.
pub fn check_all(trace: &Trace, switch_at: usize) {
    check_trace(trace);
    let Ok(causality) = causal_order(trace) else {
        return;
    };
    check_causality(trace, &causality);
    let stamps = check_clocks(trace, &causality, switch_at);
    check_stamp_output(trace, &causality, &stamps);
}

/// The trace's own invariants: nodes named once and in name order, each node's events
/// numbered 1, 2, 3, ... in program order (on stamped input: numbered by their given clocks,
/// and nodes that only clocks name have no events), every event on exactly one node,
/// every index in range.
pub fn check_trace(trace: &Trace) {
    for pair in trace.nodes.windows(2) {
        assert!(
            pair[0] < pair[1],
            "nodes are unique and in name order: {:?} then {:?}",
            pair[0],
            pair[1]
        );
    }
    assert_eq!(trace.by_node.len(), trace.nodes.len(), "a lane per node");
    let mut seen = vec![false; trace.len()];
    for (n, lane) in trace.by_node.iter().enumerate() {
        assert!(
            !lane.is_empty() || trace.given.is_some(),
            "node {:?} has no events",
            trace.nodes[n]
        );
        for (k, &e) in lane.iter().enumerate() {
            let ev = trace.event(e);
            assert_eq!(ev.node.index(), n, "event {e:?} is in the lane of its node");
            match &trace.given {
                None => assert_eq!(ev.seq as usize, k + 1, "positions count 1, 2, 3, ..."),
                // Rising along the lane is checked once causal_order accepted the clocks.
                Some(given) => {
                    assert_eq!(given.get(e, ev.node), ev.seq, "position is the own count")
                }
            }
            assert!(!seen[e.index()], "event {e:?} is in one lane once");
            seen[e.index()] = true;
        }
    }
    assert!(seen.iter().all(|&s| s), "every event is in a lane");
    for ev in &trace.events {
        assert!((ev.source.file as usize) < trace.files.len(), "file index");
        assert!(ev.source.line >= 1, "lines count from 1");
        for k in ev.writes().iter().chain(ev.reads()) {
            assert!((k.0 as usize) < trace.keys.len(), "key index");
        }
        for (kind, _) in ev.roles() {
            assert_ne!(kind, EventKind::Local, "a message role sends or receives");
        }
    }
    for d in &trace.diagnostics {
        assert!((d.source.file as usize) < trace.files.len(), "file index");
    }
}

/// Position of each event in `order`, which must list every event once.
fn positions(trace: &Trace, order: &[EventIdx]) -> Vec<usize> {
    assert_eq!(order.len(), trace.len(), "the order lists every event");
    let mut pos = vec![usize::MAX; trace.len()];
    for (i, &e) in order.iter().enumerate() {
        assert_eq!(pos[e.index()], usize::MAX, "the order lists {e:?} once");
        pos[e.index()] = i;
    }
    pos
}

/// Asserts that `order` lists every event once, each after its program-order predecessor and
/// after every send it receives.
fn check_causal_order(trace: &Trace, causality: &Causality, order: &[EventIdx], what: &str) {
    let pos = positions(trace, order);
    for lane in &trace.by_node {
        for pair in lane.windows(2) {
            assert!(
                pos[pair[0].index()] < pos[pair[1].index()],
                "{what}: program order"
            );
        }
    }
    for (s, r) in causality.message_edges() {
        assert!(
            pos[s.index()] < pos[r.index()],
            "{what}: receive {r:?} comes after its send {s:?}"
        );
    }
}

/// Matching against the events' own message roles, and the causal order.
pub fn check_causality(trace: &Trace, causality: &Causality) {
    assert_eq!(causality.send_of.len(), trace.len());
    let mut senders: HashMap<&str, Vec<EventIdx>> = HashMap::new();
    for (i, ev) in trace.events.iter().enumerate() {
        for (kind, msg) in ev.roles() {
            if kind == EventKind::Send {
                senders.entry(msg).or_default().push(EventIdx(i as u32));
            }
        }
    }
    // `causal_order` accepted the trace, so no message is sent twice.
    for (msg, list) in &senders {
        assert_eq!(list.len(), 1, "message {msg:?} is sent once");
    }
    let unmatched: HashSet<EventIdx> = causality.unmatched_recvs.iter().copied().collect();
    // Receivers of each message, by local node name (without an execution's `LABEL/`).
    let mut receivers: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut unexpected = Vec::new();
    for (i, ev) in trace.events.iter().enumerate() {
        let e = EventIdx(i as u32);
        let mut expected: Vec<EventIdx> = Vec::new();
        let mut orphan = false;
        for (kind, msg) in ev.roles() {
            if kind != EventKind::Recv {
                continue;
            }
            let Some(list) = senders.get(msg) else {
                orphan = true;
                continue;
            };
            let s = list[0];
            expected.push(s);
            let here = trace.local_name(ev.node);
            receivers.entry(msg).or_default().push(here);
            let send = trace.event(s);
            let sync = ev.flags.contains(EventFlags::SYNC) || send.flags.contains(EventFlags::SYNC);
            if !send.to().is_empty() && !sync && !send.to().iter().any(|t| **t == *here) {
                unexpected.push((e, s));
            }
        }
        let mut got: Vec<EventIdx> = causality.sends(e).collect();
        got.sort_unstable();
        expected.sort_unstable();
        assert_eq!(got, expected, "the sends {e:?} receives");
        let excused =
            ev.flags.contains(EventFlags::OUTSIDE_SEND) || ev.flags.contains(EventFlags::SYNC);
        assert_eq!(
            unmatched.contains(&e),
            orphan && !excused,
            "{e:?} is an unmatched receive exactly when it receives a message nobody sends"
        );
    }
    assert_eq!(causality.unexpected, unexpected, "unexpected receives");
    // Lost copies, one per send role: each receiver its `to` names that did not receive it,
    // or the message itself when it names none and nobody received it.
    let mut lost = Vec::new();
    for (i, ev) in trace.events.iter().enumerate() {
        if ev.flags.contains(EventFlags::SYNC) || ev.flags.contains(EventFlags::OUTSIDE_RECV) {
            continue;
        }
        for (kind, msg) in ev.roles() {
            if kind != EventKind::Send {
                continue;
            }
            let got = receivers.get(msg).map(Vec::as_slice).unwrap_or_default();
            if ev.to().is_empty() {
                if got.is_empty() {
                    lost.push((EventIdx(i as u32), msg.to_string(), None));
                }
                continue;
            }
            let mut named: Vec<&str> = Vec::new();
            for t in ev.to() {
                if !named.contains(&&**t) {
                    named.push(t);
                }
            }
            for t in named {
                if !got.contains(&t) {
                    lost.push((EventIdx(i as u32), msg.to_string(), Some(t.to_string())));
                }
            }
        }
    }
    let reported: Vec<(EventIdx, String, Option<String>)> = causality
        .lost
        .iter()
        .map(|c| {
            (
                c.send,
                c.msg.to_string(),
                c.receiver.as_deref().map(str::to_string),
            )
        })
        .collect();
    assert_eq!(reported, lost, "lost copies");
    check_causal_order(trace, causality, &causality.order, "causal order");
}

/// The previous event on each event's node, if any (by place in its lane: on stamped input
/// positions are given clocks, not places).
fn program_prev(trace: &Trace) -> Vec<Option<EventIdx>> {
    let mut prev = vec![None; trace.len()];
    for lane in &trace.by_node {
        for pair in lane.windows(2) {
            prev[pair[1].index()] = Some(pair[0]);
        }
    }
    prev
}

/// The direct predecessors of `e`: the previous event on its node, and the sends it receives.
fn predecessors(prev: &[Option<EventIdx>], causality: &Causality, e: EventIdx) -> Vec<EventIdx> {
    let mut preds: Vec<EventIdx> = causality.sends(e).collect();
    preds.extend(prev[e.index()]);
    preds
}

/// Checks Lamport, vector and hybrid logical clocks against their definitions, and every
/// vector-clock engine (flat, tree, auto; in causal and in Lamport order; tree clocks turned
/// flat after `switch_at` events) against the stored flat clocks. Returns the clocks.
pub fn check_clocks(trace: &Trace, causality: &Causality, switch_at: usize) -> Stamps {
    let stamps = clock::stamp(trace, causality);
    let prev = program_prev(trace);
    if let Some(given) = &trace.given {
        check_given_clocks(trace, causality, &stamps, given);
        return stamps;
    }
    let width = trace.nodes.len();
    assert_eq!(stamps.lamport.len(), trace.len());
    for (i, ev) in trace.events.iter().enumerate() {
        let e = EventIdx(i as u32);
        let preds = predecessors(&prev, causality, e);
        // Lamport: one more than the largest direct predecessor.
        let lamport = preds.iter().map(|p| stamps.lamport[p.index()]).max();
        assert_eq!(
            stamps.lamport[i],
            lamport.unwrap_or(0) + 1,
            "Lamport clock of {e:?}"
        );
        // Vector: the join of the direct predecessors, own component its position.
        let mut row = vec![0u32; width];
        for p in &preds {
            for (c, &x) in row.iter_mut().zip(stamps.vector.row(*p)) {
                *c = (*c).max(x);
            }
        }
        assert!(
            row[ev.node.index()] < ev.seq,
            "{e:?} has not seen itself before it happens"
        );
        row[ev.node.index()] = ev.seq;
        assert_eq!(stamps.vector.row(e), &row[..], "vector clock of {e:?}");
    }
    // Monotone in program order, and after every send received: implied by the joins above,
    // checked outright as the invariants users rely on.
    for lane in &trace.by_node {
        for pair in lane.windows(2) {
            assert!(dominates(&stamps.vector, pair[1], pair[0]), "monotone");
            assert!(stamps.lamport[pair[1].index()] > stamps.lamport[pair[0].index()]);
        }
    }
    for (s, r) in causality.message_edges() {
        assert!(
            dominates(&stamps.vector, r, s),
            "a receive has seen its send"
        );
        assert!(stamps.lamport[r.index()] > stamps.lamport[s.index()]);
        assert_eq!(relation(trace, &stamps.vector, s, r), Relation::Before);
        assert_eq!(relation(trace, &stamps.vector, r, s), Relation::After);
    }
    let lamport_order = render::lamport_order(trace, &stamps);
    check_causal_order(trace, causality, &lamport_order, "Lamport order");
    for (what, order) in [
        ("causal order", &causality.order),
        ("Lamport order", &lamport_order),
    ] {
        for engine in [Engine::Flat, Engine::Tree, Engine::Auto] {
            let mut replay = Replay::new(engine, trace, causality);
            for &e in order.iter() {
                let row = replay.advance(trace, causality, e);
                assert_eq!(row, stamps.vector.row(e), "{} in {what}", engine.name());
            }
        }
        let mut trying = Replay::trying(trace, causality);
        for &e in order.iter() {
            let row = trying.advance(trace, causality, e);
            assert_eq!(row, stamps.vector.row(e), "auto's tree clocks in {what}");
        }
        // Tree clocks turned into flat rows midway keep counting from where they were.
        let mut tree = TreeReplay::new(trace, causality);
        let mut rest = order.iter();
        for &e in rest.by_ref().take(switch_at) {
            let row = tree.advance(trace, causality, e);
            assert_eq!(row, stamps.vector.row(e), "tree in {what}");
        }
        let mut flat = tree.into_flat();
        for &e in rest {
            let row = flat.advance(trace, causality, e);
            assert_eq!(row, stamps.vector.row(e), "tree turned flat in {what}");
        }
    }
    // Hybrid logical clocks: after every direct predecessor that has one, never behind the
    // event's own time.
    let hlc = clock::run(trace, causality, HlcEngine::new(trace));
    for (i, ev) in trace.events.iter().enumerate() {
        let e = EventIdx(i as u32);
        if let Some(t) = ev.time() {
            let h = hlc[i].expect("an event with a time has an HLC");
            assert!(h.l >= t, "HLC of {e:?} behind its own time");
        }
        for p in predecessors(&prev, causality, e) {
            if let Some(hp) = hlc[p.index()] {
                let h = hlc[i].expect("an event after one with an HLC has one");
                assert!(h > hp, "HLC of {e:?} after its predecessor {p:?}");
            }
        }
    }
    stamps
}

/// Stamped input: the clocks are the given ones, and every engine hands them out; they rise
/// along program order and messages (causal_order refuses them otherwise).
fn check_given_clocks(trace: &Trace, causality: &Causality, stamps: &Stamps, given: &GivenClocks) {
    let prev = program_prev(trace);
    for (i, ev) in trace.events.iter().enumerate() {
        let e = EventIdx(i as u32);
        assert_eq!(stamps.lamport[i], given.lamport[i], "given Lamport clock");
        let mut row = vec![0u32; trace.nodes.len()];
        for &(n, count) in given.vc(e) {
            row[n.index()] = count;
        }
        assert_eq!(stamps.vector.row(e), &row[..], "given vector clock");
        assert_eq!(row[ev.node.index()], ev.seq);
        for p in predecessors(&prev, causality, e) {
            assert!(
                stamps.lamport[i] > stamps.lamport[p.index()],
                "given Lamport rises"
            );
            assert!(dominates(&stamps.vector, e, p), "given clocks rise");
        }
        if let Some(p) = prev[i] {
            assert!(
                ev.seq > trace.event(p).seq,
                "given own counts rise on a node"
            );
        }
    }
    let lamport_order = render::lamport_order(trace, stamps);
    check_causal_order(trace, causality, &lamport_order, "Lamport order");
    for order in [&causality.order, &lamport_order] {
        for engine in [Engine::Flat, Engine::Tree, Engine::Auto] {
            let mut replay = Replay::new(engine, trace, causality);
            for &e in order.iter() {
                let row = replay.advance(trace, causality, e);
                assert_eq!(
                    row,
                    stamps.vector.row(e),
                    "{} hands out given clocks",
                    engine.name()
                );
            }
        }
    }
}

/// Whether `a`'s clock is at least `b`'s, component by component.
fn dominates(vc: &VectorClocks, a: EventIdx, b: EventIdx) -> bool {
    vc.row(a).iter().zip(vc.row(b)).all(|(x, y)| x >= y)
}

/// A JSON object's members in order, repeated keys kept (serde_json's maps keep the last).
struct Members(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(V)
    }
}

/// One line of stamped JSON Lines: an object with each key once; returns its members.
pub fn stamped_line(line: &[u8]) -> HashMap<String, Value> {
    let Members(members) = serde_json::from_slice(line).unwrap_or_else(|e| {
        panic!(
            "a stamped line is one JSON object ({e}): {}",
            String::from_utf8_lossy(line)
        )
    });
    let mut map = HashMap::new();
    for (k, v) in members {
        assert!(
            map.insert(k.clone(), v).is_none(),
            "key {k:?} twice in {}",
            String::from_utf8_lossy(line)
        );
    }
    map
}

/// A vector clock as `stamp` writes it: node name to count, zero components left out.
fn vc_of(trace: &Trace, row: &[u32]) -> HashMap<String, u64> {
    row.iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(n, &c)| (trace.nodes[n].clone(), u64::from(c)))
        .collect()
}

/// A `"vc"` member as a map.
fn vc_value(value: &Value) -> HashMap<String, u64> {
    let object = value.as_object().expect("vc is an object");
    object
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().expect("vc counts are numbers")))
        .collect()
}

/// `stamp`'s JSON Lines, written as the command writes them: one line per event (events in
/// equal events out), each one JSON object with the event's Lamport and vector clocks.
pub fn check_stamp_output(trace: &Trace, causality: &Causality, stamps: &Stamps) {
    let order = lamport_order_of(trace, &stamps.lamport);
    let mut out = Vec::new();
    let mut replay = Replay::new(Engine::Auto, trace, causality);
    let mut writer = JsonlWriter::new(trace);
    for &e in &order {
        let vc = replay.advance(trace, causality, e);
        writer
            .write(&mut out, e, stamps.lamport[e.index()], vc, None)
            .expect("writing to memory");
    }
    let lines: Vec<&[u8]> = out.split(|&b| b == b'\n').collect();
    assert_eq!(lines.last(), Some(&&b""[..]), "output ends with a newline");
    assert_eq!(lines.len() - 1, trace.len(), "events in == lines out");
    for (line, &e) in lines.iter().zip(&order) {
        let map = stamped_line(line);
        assert_eq!(
            map.get("lamport").and_then(Value::as_u64),
            Some(stamps.lamport[e.index()]),
            "lamport of {e:?}"
        );
        let vc = map.get("vc").expect("every line has vc");
        assert_eq!(
            vc_value(vc),
            vc_of(trace, stamps.vector.row(e)),
            "vc of {e:?}"
        );
    }
}

/// Asserts that text for people holds no control character but line ends.
pub fn assert_printable(what: &str, out: &[u8]) {
    let text = String::from_utf8_lossy(out);
    if let Some(c) = text.chars().find(|&c| c.is_control() && c != '\n') {
        panic!("{what} passes the control character {c:?} through: {text}");
    }
}

/// Asserts that `out` is one JSON document (and a newline or nothing after it).
pub fn assert_json(what: &str, out: &[u8]) {
    if let Err(e) = serde_json::from_slice::<Value>(out) {
        panic!("{what} is not JSON ({e}): {}", String::from_utf8_lossy(out));
    }
}

/// The options and files of a whole-pipeline fuzz input.
///
/// Byte 0 picks `--from` (auto or any format); byte 1 holds flags: 1 `--skip-unmatched`,
/// 2 `--links-as-causal`, 4 `--key-attr db.statement`, 8 drop pass-through fields, 16
/// `--node fuzz`, 32 a `--regex` line follows, 64 a `--delimiter` line follows, 128
/// `--execution 1`. Then the lines the flags announce, then the files, separated by NULs.
#[derive(Debug)]
pub struct Case {
    /// How to parse.
    pub options: ParseOptions,
    /// The files.
    pub files: Vec<(String, Vec<u8>)>,
}

/// `--from` values in the order byte 0 picks them: every format the library has.
pub const FORMATS: &[Format] = Format::ALL;

impl Case {
    /// Decodes a fuzz input; `None` when it is too short to hold the two header bytes.
    pub fn decode(data: &[u8]) -> Option<Case> {
        let (&format, rest) = data.split_first()?;
        let (&flags, mut rest) = rest.split_first()?;
        let from = FORMATS[format as usize % FORMATS.len()];
        let mut line = |on: bool| {
            if !on {
                return None;
            }
            let (line, after) = split_line(rest);
            rest = after;
            line
        };
        let regex = line(flags & 32 != 0);
        let delimiter = line(flags & 64 != 0);
        let options = ParseOptions {
            from,
            node: (flags & 16 != 0).then(|| "fuzz".to_string()),
            regex,
            skip_unmatched: flags & 1 != 0,
            delimiter,
            execution: (flags & 128 != 0).then(|| "1".to_string()),
            progress: None,
            links_as_causal: flags & 2 != 0,
            key_attr: (flags & 4 != 0).then(|| "db.statement".to_string()),
            drop_fields: flags & 8 != 0,
        };
        let files = files(rest, extension(from));
        Some(Case { options, files })
    }
}

/// The whole pipeline on one fuzz input: parse, order, clocks, every analysis and every
/// renderer, with their invariants.
pub fn run_pipeline(data: &[u8]) {
    let Some(case) = Case::decode(data) else {
        return;
    };
    let Ok(parsed) = parse(&case.files, &case.options) else {
        return;
    };
    let trace = &parsed.trace;
    check_trace(trace);
    let Ok(causality) = causal_order(trace) else {
        return;
    };
    check_causality(trace, &causality);
    let stamps = check_clocks(trace, &causality, trace.len() / 3);
    check_stamp_output(trace, &causality, &stamps);
    let order = render::lamport_order(trace, &stamps);
    let plain = Palette::plain();

    // stamp --format table, shiviz, chrome
    let mut out = Vec::new();
    render::table::write_table(&mut out, trace, &stamps, &order, plain).unwrap();
    assert_printable("the table", &out);
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), trace.len() + 1);
    out.clear();
    render::chrome::write_chrome(&mut out, trace, &stamps, &causality).unwrap();
    assert_json("chrome output", &out);
    out.clear();
    render::shiviz::write_shiviz(&mut out, trace, &stamps, &order).unwrap();
    check_shiviz_round_trip(trace, &stamps, std::mem::take(&mut out));

    // conflicts
    let lamport_order = lamport_order_of(trace, &stamps.lamport);
    let walk = ReplayWalk::new(Engine::Auto, trace, &causality);
    let options = ConflictOptions {
        limit: Some(3),
        keys: None,
    };
    let report = find_conflicts(trace, &lamport_order, walk, &options);
    let mut witnesses = HashSet::new();
    for key in &report.keys {
        assert!(key.total() > 0, "a key is listed only with conflicts");
        for w in &key.witnesses {
            let (a, b) = (access(trace, w.a, key.key), access(trace, w.b, key.key));
            assert!(a.is_some() && b.is_some(), "both witnesses access the key");
            assert!(
                a == Some(Access::Write) || b == Some(Access::Write),
                "a conflict has a write"
            );
            assert_ne!(trace.event(w.a).node, trace.event(w.b).node);
            assert_eq!(
                relation(trace, &stamps.vector, w.a, w.b),
                Relation::Concurrent,
                "conflicting events are concurrent"
            );
            witnesses.extend([w.a, w.b]);
        }
    }
    let vector = PackedClocks::select(Engine::Auto, trace, &causality, &lamport_order, &witnesses);
    for &e in &witnesses {
        assert_eq!(vector.row(e), stamps.vector.row(e), "packed clock of {e:?}");
    }
    let clocks = render::conflicts::WitnessClocks {
        lamport: &stamps.lamport,
        vector: &vector,
    };
    out.clear();
    render::conflicts::write_text(&mut out, trace, &clocks, &report, plain).unwrap();
    assert_printable("the conflicts report", &out);
    out.clear();
    render::conflicts::write_json(&mut out, trace, &clocks, &report).unwrap();
    assert_json("the conflicts JSON", &out);

    // check
    let pairs = match trace.nodes.len() {
        0 => SkewPairs::All,
        n => SkewPairs::Against(NodeId((n / 2) as u32)),
    };
    for (pairs, fifo) in [(SkewPairs::All, false), (pairs, true)] {
        let report = check(trace, &causality, CheckOptions { pairs, fifo });
        for f in &report.findings {
            assert!(!f.events().is_empty(), "a finding names its events");
            if f.kind() == FindingKind::UnmatchedSend {
                assert!(causality.lost.iter().any(|c| c.send == f.first_event()));
            }
        }
        for b in &report.skew.bounds {
            if let (Some(lo), Some(hi)) = (b.lo, b.hi) {
                assert!(lo <= hi, "skew bounds of a consistent pair: {lo} <= {hi}");
            }
        }
        out.clear();
        render::check::write_text(&mut out, trace, &report, plain).unwrap();
        assert_printable("the check report", &out);
        out.clear();
        render::check::write_json(&mut out, trace, &report).unwrap();
        assert_json("the check JSON", &out);
    }

    // graph, whole and sliced
    let graph = HbGraph::build(trace, &causality);
    let mut slices = vec![SliceOptions::default()];
    if let Some(&first) = order.first() {
        slices.push(SliceOptions {
            nodes: Some(
                (0..trace.nodes.len() as u32)
                    .step_by(2)
                    .map(NodeId)
                    .collect(),
            ),
            around: Some((first, 2)),
            collapse_local: true,
        });
    }
    for options in &slices {
        let view = View::build(trace, &graph, &order, options);
        out.clear();
        render::dot::write_dot(&mut out, trace, &stamps, &view, ClockLabel::Vector).unwrap();
        out.clear();
        render::mermaid::write_mermaid(&mut out, trace, &stamps, &view, ClockLabel::Lamport)
            .unwrap();
        out.clear();
        render::graph_json::write_graph_json(&mut out, trace, &stamps, &view).unwrap();
        assert_json("graph JSON", &out);
        for columns in [80, 30] {
            let opts = TextOptions {
                clock: ClockLabel::Vector,
                columns,
                palette: plain,
                left_out: &[],
            };
            let fit = render::text::lanes_that_fit(trace, &stamps, &view, &opts);
            assert!(fit <= view.lanes.len());
            out.clear();
            render::text::write_text(&mut out, trace, &stamps, &view, &opts).unwrap();
            assert_printable("the graph diagram", &out);
        }
    }

    // hb: a shortest chain between the first and the last event in Lamport order
    if let (Some(&a), Some(&b)) = (order.first(), order.last()) {
        let chain = graph.shortest_chain(trace, &stamps.vector, a, b);
        match relation(trace, &stamps.vector, a, b) {
            Relation::Before | Relation::Same => {
                // A slice's given clocks can order events through events it left out.
                let chain = chain.unwrap_or_else(|| {
                    assert!(trace.given.is_some(), "ordered events have a chain");
                    graph.chain_through_outside(trace, a, b)
                });
                assert_eq!(chain.first(), Some(&a));
                assert_eq!(chain.last(), Some(&b));
                let mut jumps = 0;
                for step in chain.windows(2) {
                    let (x, y) = (trace.event(step[0]), trace.event(step[1]));
                    let program = x.node == y.node && y.seq == x.seq + 1;
                    let message = causality.sends(step[1]).any(|s| s == step[0]);
                    if !(program || message) {
                        // Through left-out events: the later knows the earlier.
                        let given = trace.given.as_ref().expect("only slices jump");
                        assert!(given.get(step[1], x.node) >= x.seq, "a jump is causal");
                        jumps += 1;
                    }
                }
                assert!(jumps <= 1, "a chain leaves the input at most once");
            }
            Relation::After | Relation::Concurrent => assert!(chain.is_none()),
        }
    }
}

/// `stamp --format shiviz`, read back with `--from shiviz`, gives the same events with the
/// same vector clocks (README: "Read back ..., it gives the same vector clocks").
fn check_shiviz_round_trip(trace: &Trace, stamps: &Stamps, out: Vec<u8>) {
    if !shiviz_carries_names(trace) {
        return;
    }
    // A slice's clocks can count events it left out: of nodes with no event left (ghost
    // nodes), or between two kept events of a node. A ShiViz log cannot carry those, and the
    // reader warns about each such clock instead (clock-mismatch).
    let gaps = trace.by_node.iter().any(|lane| {
        lane.iter()
            .enumerate()
            .any(|(k, &e)| trace.event(e).seq as usize != k + 1)
    });
    let ghosts = gaps
        || trace.given.as_ref().is_some_and(|given| {
            (0..trace.len()).any(|i| {
                given
                    .vc(EventIdx(i as u32))
                    .iter()
                    .any(|&(n, c)| c > 0 && trace.by_node[n.index()].is_empty())
            })
        });
    let options = ParseOptions {
        from: Format::Shiviz,
        ..ParseOptions::default()
    };
    let files = vec![("round-trip.log".to_string(), out)];
    let back = match parse(&files, &options) {
        Ok(back) => back.trace,
        Err(e) => panic!(
            "the ShiViz output does not read back: {e}\n{}",
            String::from_utf8_lossy(&files[0].1)
        ),
    };
    assert_eq!(
        back.len(),
        trace.len(),
        "ShiViz round trip keeps every event"
    );
    if ghosts {
        assert!(
            back.diagnostics.iter().any(|d| d.kind == "clock-mismatch"),
            "reading back clocks that name left-out nodes warns"
        );
        return;
    }
    let causality = causal_order(&back).expect("the ShiViz output orders");
    let again = clock::stamp(&back, &causality);
    // Each event as (node, position, nonzero clock components by node name).
    type Clocked = HashSet<(String, u32, Vec<(String, u32)>)>;
    let clocks_of = |t: &Trace, vc: &VectorClocks| -> Clocked {
        (0..t.len())
            .map(|i| {
                let e = EventIdx(i as u32);
                let ev = t.event(e);
                let row = vc
                    .row(e)
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c > 0)
                    .map(|(n, &c)| (t.nodes[n].clone(), c))
                    .collect();
                (t.node_name(ev.node).to_string(), ev.seq, row)
            })
            .collect()
    };
    assert_eq!(
        clocks_of(&back, &again.vector),
        clocks_of(trace, &stamps.vector),
        "ShiViz round trip keeps the vector clocks"
    );
}

/// What `stamp --order input` made of the files: its lines, and the receives it stamped as
/// local events because nothing sent their message (file, line).
struct Streamed {
    lines: Vec<Vec<u8>>,
    never_sent: Vec<(String, u32)>,
    /// Receives stamped as received from outside (their send's clock let go): their clocks
    /// differ from batch stamp's, as docs/format.md says.
    from_outside: bool,
}

/// Why the online stamper stopped.
enum StreamStop {
    /// A file that `--order input` does not read (not JSON Lines): nothing to compare.
    NotLines,
    /// Bad input or a cycle.
    Failed,
}

/// `stamp --order input` on in-memory files, as the command runs it: lines parsed one at a
/// time and fed to the online stamper.
fn stamp_online(
    files: &[(String, Vec<u8>)],
    options: &ParseOptions,
) -> Result<Streamed, StreamStop> {
    use causal_core::parse::{self as p, FileContext};
    use causal_core::render::jsonl::StreamWriter;
    use causal_core::stream::{Origin, Stamper, StreamProblem};

    let line_regex =
        p::line_regex(options.regex.as_deref(), options.from).map_err(|_| StreamStop::Failed)?;
    let mut stamper = Stamper::new();
    let mut writer = StreamWriter::new();
    let mut out = Vec::new();
    for (name, bytes) in files {
        let file_index = stamper.add_file(name.clone());
        let mut input = Input::from_bytes(name, bytes.clone());
        let stem = input.stem.clone();
        let file = FileContext {
            name,
            index: 0,
            // As `parse_inputs` does: --node names standard input only.
            default_node: stem.as_deref().or(options.node.as_deref()),
        };
        if line_regex.is_none() {
            let head = input.peek().map_err(|_| StreamStop::Failed)?;
            match p::detect(head) {
                Some(Format::Jsonl) => {}
                Some(_) => return Err(StreamStop::NotLines),
                None => return Err(StreamStop::Failed),
            }
        }
        let result = input.for_each_line(|line, text| {
            if text.trim().is_empty() {
                return Ok(());
            }
            let raw = match &line_regex {
                Some(re) => match p::regex::parse_line(re, text, line, &file)? {
                    Some(raw) => raw,
                    None if options.skip_unmatched => return Ok(()),
                    None => return Err(p::regex::unmatched(&file, line, re).into()),
                },
                None => p::jsonl::parse_line(text, line, &file)?,
            };
            let origin = Origin {
                file: file_index,
                line,
            };
            let ready = stamper
                .push(raw, origin)
                .map_err(|_| causal_core::error::Error::Usage("stream".into()))?;
            for e in &ready {
                writer.write(&mut out, stamper.names(), e).unwrap();
            }
            Ok(())
        });
        result.map_err(|_| StreamStop::Failed)?;
    }
    let rest = stamper.finish().map_err(|_| StreamStop::Failed)?;
    for e in &rest {
        writer.write(&mut out, stamper.names(), e).unwrap();
    }
    let mut never_sent = Vec::new();
    let mut from_outside = false;
    for problem in stamper.take_problems() {
        match problem {
            StreamProblem::NeverSent { origin, .. } => {
                never_sent.push((stamper.file_name(origin.file).to_string(), origin.line));
            }
            StreamProblem::FromOutside { .. }
            | StreamProblem::Dropped { .. }
            | StreamProblem::Released { .. } => from_outside = true,
        }
    }
    let mut lines: Vec<Vec<u8>> = out.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    assert_eq!(lines.pop(), Some(Vec::new()), "output ends with a newline");
    Ok(Streamed {
        lines,
        never_sent,
        from_outside,
    })
}

/// Batch `stamp` against `stamp --order input` on the same files: both fail, or both write the
/// same lines (in their own orders) and warn about the same receives of messages never sent.
///
/// Byte 0 holds flags: 1 a `--regex` line follows, 2 `--skip-unmatched`, 4 `--node fuzz`.
/// Then the files, separated by NULs.
pub fn run_stream(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (regex, rest) = if flags & 1 != 0 {
        split_line(rest)
    } else {
        (None, rest)
    };
    let options = ParseOptions {
        from: if regex.is_some() {
            Format::Regex
        } else {
            Format::Jsonl
        },
        regex,
        skip_unmatched: flags & 2 != 0,
        node: (flags & 4 != 0).then(|| "fuzz".to_string()),
        ..ParseOptions::default()
    };
    let files = files(rest, "jsonl");
    let streamed = stamp_online(&files, &options);
    if matches!(streamed, Err(StreamStop::NotLines)) {
        return;
    }
    let batch = parse(&files, &options).ok().and_then(|parsed| {
        let trace = parsed.trace;
        let causality = causal_order(&trace).ok()?;
        Some((trace, causality))
    });
    let (streamed, (trace, causality)) = match (streamed, batch) {
        (Ok(s), Some(b)) => (s, b),
        (Err(_), None) => return,
        (Ok(_), None) => panic!("batch stamp fails where --order input succeeds"),
        (Err(_), Some(_)) => panic!("--order input fails where batch stamp succeeds"),
    };
    if options.regex.is_none() {
        let lines: Option<usize> = files.iter().map(|(_, b)| event_lines(b)).sum();
        if let Some(lines) = lines {
            assert_eq!(
                streamed.lines.len(),
                lines,
                "--order input: events in == out"
            );
        }
    }
    let stamps = clock::stamp(&trace, &causality);
    let mut out = Vec::new();
    let mut writer = JsonlWriter::new(&trace);
    for e in render::lamport_order(&trace, &stamps) {
        writer
            .write(
                &mut out,
                e,
                stamps.lamport[e.index()],
                stamps.vector.clock(e),
                None,
            )
            .unwrap();
    }
    let mut batch: Vec<Vec<u8>> = out.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    assert_eq!(batch.pop(), Some(Vec::new()), "output ends with a newline");
    let mut online = streamed.lines;
    batch.sort();
    online.sort();
    // A receive stamped as received from outside leaves its send's clock out (documented).
    if !streamed.from_outside {
        assert_eq!(
            online
                .iter()
                .map(|l| String::from_utf8_lossy(l))
                .collect::<Vec<_>>(),
            batch
                .iter()
                .map(|l| String::from_utf8_lossy(l))
                .collect::<Vec<_>>(),
            "--order input writes the lines batch stamp writes"
        );
    }
    let mut never_sent: Vec<(String, u32)> = causality
        .unmatched_recvs
        .iter()
        .map(|&e| {
            let at = trace.location(e);
            (at.file.to_string(), at.line)
        })
        .collect();
    never_sent.sort();
    never_sent.dedup();
    let mut online = streamed.never_sent;
    online.sort();
    assert_eq!(
        online, never_sent,
        "the same receives of messages never sent"
    );
}

/// Flat rows against tree clocks (and `auto`) on any input the pipeline target takes, with the
/// switch from tree clocks to flat rows at a point the input picks (its last byte).
pub fn run_engines(data: &[u8]) {
    let Some(case) = Case::decode(data) else {
        return;
    };
    let Ok(parsed) = parse(&case.files, &case.options) else {
        return;
    };
    let trace = &parsed.trace;
    check_trace(trace);
    let Ok(causality) = causal_order(trace) else {
        return;
    };
    check_causality(trace, &causality);
    let switch_at = data.last().map_or(0, |&b| b as usize * trace.len() / 255);
    check_clocks(trace, &causality, switch_at);
}

/// Whether ShiViz's layout carries every node name back as it is (docs/format.md): names are
/// written on one line with control characters escaped, the parser regex takes the last ` {` of a line for the clock's start,
/// and ShiViz trims the log, so names (and the parts after an execution's `LABEL/`) hold no
/// control character or ` {`, and neither are empty nor start with white space.
fn shiviz_carries_names(trace: &Trace) -> bool {
    trace.nodes.iter().chain(&trace.executions).all(|name| {
        !name.contains(char::is_control)
            && !name.contains(" {")
            && name
                .split('/')
                .all(|part| !part.starts_with(char::is_whitespace))
            && !name.is_empty()
    })
}

/// `causal lin` on one history of at most [`LIN_MAX_OPS`] operations: byte 0 picks the
/// format (bits 0-1: EDN, Jepsen log lines, JSON Lines) and the model (bits 2-3: inferred,
/// register, cas-register, kv); the rest is the file. Reading and checking never panic; with
/// no deadline the verdict is decided, violations are listed exactly when it is "not
/// linearizable", the text for people holds no control characters and the JSON report parses.
/// (The checker's own debug assertions, on in fuzz builds, check that a key found failing
/// early is never linearized by the exact search.)
pub fn run_lin(data: &[u8]) {
    use causal_core::analysis::lin::{check, infer_model, LinOptions, ModelKind, Verdict};
    use causal_core::history::{read_input, History, HistoryFormat};
    use causal_core::render::lin::{write_json, write_text};

    let Some((&head, file)) = data.split_first() else {
        return;
    };
    let format = match head & 3 {
        0 => HistoryFormat::Edn,
        1 => HistoryFormat::JepsenLog,
        _ => HistoryFormat::Json,
    };
    let mut input = Input::from_bytes("h", file.to_vec());
    let Ok(records) = read_input(&mut input, format) else {
        return;
    };
    let Ok(history) = History::assemble(vec![("h".to_string(), records.records)]) else {
        return;
    };
    // The search is exponential in the worst case: keep runs short.
    if history.ops.len() > LIN_MAX_OPS {
        return;
    }
    let model = match (head >> 2) & 3 {
        0 => infer_model(&history),
        1 => ModelKind::Register,
        2 => ModelKind::CasRegister,
        _ => ModelKind::Kv,
    };
    let options = LinOptions {
        model,
        initial: model.default_initial(),
        deadline: None,
        threads: 1,
    };
    let Ok(report) = check(&history, &options) else {
        return;
    };
    assert_ne!(
        report.verdict,
        Verdict::Unknown,
        "undecided without a deadline"
    );
    assert_eq!(
        report.verdict == Verdict::NotLinearizable,
        !report.violations.is_empty(),
        "violations listed exactly when not linearizable"
    );
    let mut text = Vec::new();
    write_text(&mut text, &history, &report, Palette::plain(), 100).expect("writes to memory");
    assert_printable("lin's text", &text);
    let mut json = Vec::new();
    write_json(&mut json, &history, &report).expect("writes to memory");
    assert_json("lin's JSON report", &json);
}

/// Operations `run_lin` checks at most.
pub const LIN_MAX_OPS: usize = 16;
