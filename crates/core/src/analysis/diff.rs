//! Two executions compared: which events and messages only one has, and which matched events
//! knew different things.
//!
//! **Matching.** Nodes match by name. An event matches by its node, its normalised label
//! ([`normalise_label`]: numbers, hex strings and UUIDs become `#`, so `retry 3 of tx-9f3a`
//! and `retry 4 of tx-77b0` are alike) and its occurrence: the k-th event of a node with a
//! label matches the k-th event of the same node with the same label in the other execution.
//! With a match field, the field's value stands in for the label (events without the field
//! fall back to their label); events without a label match as events with an empty one.
//!
//! **Messages.** A message edge (send, receive) of one execution is in the other when both
//! its events are matched and the other execution has a message between their matches.
//!
//! **Knowledge.** What a matched event knew is the set of matched events in its causal past
//! (its vector clock, read per node as a prefix of the node's events). Two matched events know
//! the same when these sets correspond. Comparing the sets event by event would take events x
//! events; instead every event of B gets a random 128-bit number, and a set is summarised by
//! the sum of its members' numbers (of their matches, for A's events): per node, a prefix sum
//! over the node's events gives the sum of any prefix at once, so an event's summary costs one
//! addition per node while the clocks are replayed (no clock per event is stored). Different
//! sums prove different sets; equal sums mean equal sets unless two sets of random 128-bit
//! numbers happen to add up alike (about 2^-128 per pair). The witnesses, the first matched
//! events that differ in B's Lamport order, then get their clocks replayed again and their
//! frontiers compared node by node. Time: linear in events x nodes; memory: about 60 bytes per
//! event beyond the two traces. Data only: [`crate::render::diff`] writes it.

use std::collections::HashSet;
use std::hash::BuildHasher as _;

// foldhash, not SipHash: a lookup or two per event (see model::builder).
use foldhash::{HashMap as FastMap, HashMapExt};

use crate::clock::{self, ClockRef, Clocks, Engine, LamportEngine, Replay};
use crate::model::{EventIdx, NodeId, Trace};
use crate::order::Causality;

/// One execution to compare: its trace and its matched messages.
#[derive(Clone, Copy, Debug)]
pub struct Execution<'a> {
    /// The events.
    pub trace: &'a Trace,
    /// Its messages and causal order.
    pub causality: &'a Causality,
}

/// How to compare.
#[derive(Clone, Debug, Default)]
pub struct DiffOptions {
    /// Match events on this field's value instead of their label.
    pub match_field: Option<String>,
    /// Knowledge witnesses to keep; `None` keeps them all.
    pub limit: Option<usize>,
    /// The vector-clock engine.
    pub engine: Option<Engine>,
}

/// How two matched events' knowledge of one node differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeDifference {
    /// The node, in A (`None` when only B has it; then nothing of it is matched).
    pub node_a: Option<NodeId>,
    /// The node, in B.
    pub node_b: Option<NodeId>,
    /// The latest event of the node that A's event knew (an event of A).
    pub last_a: Option<EventIdx>,
    /// The latest event of the node that B's event knew (an event of B).
    pub last_b: Option<EventIdx>,
    /// Matched events of the node that A's event knew and B's did not (events of A): the
    /// first few, in program order.
    pub only_a: Vec<EventIdx>,
    /// How many there are.
    pub only_a_count: u64,
    /// Matched events of the node that B's event knew and A's did not (events of B).
    pub only_b: Vec<EventIdx>,
    /// How many there are.
    pub only_b_count: u64,
}

/// A matched pair of events that knew different things.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnowledgeDifference {
    /// The event in A.
    pub a: EventIdx,
    /// Its match in B.
    pub b: EventIdx,
    /// The nodes whose events they knew differently, in B's node order (then A's).
    pub nodes: Vec<NodeDifference>,
}

/// Examples of events listed in a [`NodeDifference`].
pub const EXAMPLES: usize = 3;

/// What differs between two executions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiffReport {
    /// Each event of A matched in B (`None`: only in A).
    pub a_to_b: Vec<Option<EventIdx>>,
    /// Nodes only A has.
    pub nodes_only_a: Vec<NodeId>,
    /// Nodes only B has.
    pub nodes_only_b: Vec<NodeId>,
    /// Events only in A, in A's input order.
    pub only_a: Vec<EventIdx>,
    /// Events only in B, in B's input order.
    pub only_b: Vec<EventIdx>,
    /// Matched pairs of events.
    pub matched: u64,
    /// Message edges (send, receive) only A has, in A's order of receives.
    pub messages_only_a: Vec<(EventIdx, EventIdx)>,
    /// Message edges only B has.
    pub messages_only_b: Vec<(EventIdx, EventIdx)>,
    /// Matched pairs whose knowledge differs.
    pub knowledge_differs: u64,
    /// The first of them in B's Lamport order, up to the limit.
    pub knowledge: Vec<KnowledgeDifference>,
}

impl DiffReport {
    /// Whether the executions differ at all.
    pub fn differs(&self) -> bool {
        !(self.only_a.is_empty()
            && self.only_b.is_empty()
            && self.messages_only_a.is_empty()
            && self.messages_only_b.is_empty()
            && self.knowledge_differs == 0
            && self.nodes_only_a.is_empty()
            && self.nodes_only_b.is_empty())
    }
}

/// `label` with every number, hex string and UUID replaced by `#`: a UUID
/// (`8-4-4-4-12` hex digits), a `0x` number, a word of hex digits holding at least one decimal
/// digit (`9f3a`, `5521`), a decimal fraction (`54.90`), and any other run of decimal digits
/// inside a word (`m10` -> `m#`). Hex words without a digit (`face`, `added`) stay words.
pub fn normalise_label(label: &str) -> String {
    let mut out = Vec::with_capacity(label.len());
    normalise_into(label, &mut out);
    String::from_utf8(out).expect("a label's characters and '#' are UTF-8")
}

/// [`normalise_label`]'s bytes into `out` (cleared first). ASCII labels, nearly all of them,
/// are read as bytes; others as chars, by the same code.
fn normalise_into(label: &str, out: &mut Vec<u8>) {
    out.clear();
    if label.is_ascii() {
        normalise_units(label.as_bytes(), out);
    } else {
        normalise_units(&label.chars().collect::<Vec<char>>(), out);
    }
}

/// A character of a label, as a byte of an ASCII label or a char of any other.
trait Unit: Copy + PartialEq {
    fn char(self) -> char;
    fn word(self) -> bool {
        let c = self.char();
        c.is_alphanumeric() || c == '_'
    }
    fn hex(&self) -> bool {
        self.char().is_ascii_hexdigit()
    }
    fn digit(&self) -> bool {
        self.char().is_ascii_digit()
    }
    fn is(self, c: char) -> bool {
        self.char() == c
    }
    /// Appends the character's UTF-8 bytes.
    fn push_to(self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.char().encode_utf8(&mut [0; 4]).as_bytes());
    }
}

impl Unit for u8 {
    fn char(self) -> char {
        char::from(self)
    }
    // ASCII only: the byte tests, without the Unicode tables of `char`'s.
    fn word(self) -> bool {
        self.is_ascii_alphanumeric() || self == b'_'
    }
    fn push_to(self, out: &mut Vec<u8>) {
        out.push(self);
    }
}

impl Unit for char {
    fn char(self) -> char {
        self
    }
}

fn normalise_units<T: Unit>(chars: &[T], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].word() {
            chars[i].push_to(out);
            i += 1;
            continue;
        }
        let mut end = i;
        while end < chars.len() && chars[end].word() {
            end += 1;
        }
        if let Some(len) = uuid_at(&chars[i..]) {
            out.push(b'#');
            i += len;
            continue;
        }
        let token = &chars[i..end];
        let numeric = (token.len() > 2
            && token[0].is('0')
            && (token[1].is('x') || token[1].is('X'))
            && token[2..].iter().all(T::hex))
            || (token.iter().all(T::hex) && token.iter().any(T::digit));
        if numeric {
            out.push(b'#');
            i = end;
            // A decimal fraction is one number: `54.90`.
            if token.iter().all(T::digit)
                && chars.get(i).is_some_and(|c| c.is('.'))
                && chars.get(i + 1).is_some_and(T::digit)
            {
                i += 1;
                while i < chars.len() && chars[i].digit() {
                    i += 1;
                }
            }
            continue;
        }
        let mut k = i;
        while k < end {
            if chars[k].digit() {
                out.push(b'#');
                while k < end && chars[k].digit() {
                    k += 1;
                }
            } else {
                chars[k].push_to(out);
                k += 1;
            }
        }
        i = end;
    }
}

/// The length of a UUID at the start of `s` followed by no word character, if there is one.
fn uuid_at<T: Unit>(s: &[T]) -> Option<usize> {
    const GROUPS: [usize; 5] = [8, 4, 4, 4, 12];
    let mut at = 0;
    for (g, &len) in GROUPS.iter().enumerate() {
        if g > 0 {
            if !s.get(at).is_some_and(|c| c.is('-')) {
                return None;
            }
            at += 1;
        }
        if s.len() < at + len || !s[at..at + len].iter().all(T::hex) {
            return None;
        }
        at += len;
    }
    match s.get(at) {
        Some(c) if c.word() => None,
        _ => Some(at),
    }
}

/// The matching key of event `e` (before its occurrence is counted), into `out`.
fn class_text(trace: &Trace, e: EventIdx, field: Option<&str>, out: &mut Vec<u8>) {
    let ev = trace.event(e);
    if let Some(value) = field.and_then(|f| ev.fields.get(f)) {
        out.clear();
        out.push(1);
        match value {
            serde_json::Value::String(s) => out.extend_from_slice(s.as_bytes()),
            other => out.extend_from_slice(other.to_string().as_bytes()),
        }
        return;
    }
    normalise_into(ev.label.as_deref().unwrap_or_default(), out);
}

/// Compares execution `a` with execution `b`.
pub fn diff(a: Execution<'_>, b: Execution<'_>, options: &DiffOptions) -> DiffReport {
    let mut report = DiffReport::default();
    let (a_to_b, b_to_a) = match_events(a.trace, b.trace, options.match_field.as_deref());
    for n in 0..a.trace.nodes.len() {
        let id = NodeId(n as u32);
        if b.trace.node_by_name(a.trace.node_name(id)).is_none() {
            report.nodes_only_a.push(id);
        }
    }
    for n in 0..b.trace.nodes.len() {
        let id = NodeId(n as u32);
        if a.trace.node_by_name(b.trace.node_name(id)).is_none() {
            report.nodes_only_b.push(id);
        }
    }
    report.only_a = unmatched(&a_to_b);
    report.only_b = unmatched(&b_to_a);
    report.matched = a_to_b.iter().filter(|m| m.is_some()).count() as u64;
    report.messages_only_a = messages_only(a.causality, &a_to_b, b.causality);
    report.messages_only_b = messages_only(b.causality, &b_to_a, a.causality);
    let engine = options.engine.unwrap_or(Engine::Auto);
    let differing = differing_knowledge(a, b, &a_to_b, &b_to_a, engine);
    report.knowledge_differs = differing.len() as u64;
    report.knowledge = witnesses(a, b, (&a_to_b, &b_to_a), differing, options.limit, engine);
    report.a_to_b = a_to_b;
    report
}

/// The events of one side without a match.
fn unmatched(map: &[Option<EventIdx>]) -> Vec<EventIdx> {
    (0..map.len() as u32)
        .map(EventIdx)
        .filter(|e| map[e.index()].is_none())
        .collect()
}

/// Each event's match in the other execution, both ways.
fn match_events(
    a: &Trace,
    b: &Trace,
    field: Option<&str>,
) -> (Vec<Option<EventIdx>>, Vec<Option<EventIdx>>) {
    // A class is its key's fingerprint, two 64-bit hashes seeded at random per run (so no
    // input can aim at a collision), instead of the key's text in a table: no string kept per
    // class (half a million of them at 10^6 generated events) and no comparison of texts. Two
    // different keys would have to collide in both hashes to be taken for one.
    let hashers = (
        foldhash::fast::RandomState::default(),
        foldhash::fast::RandomState::default(),
    );
    let mut text = Vec::new();
    let mut class_of = |trace: &Trace, e: EventIdx| -> u128 {
        class_text(trace, e, field, &mut text);
        let bytes = text.as_slice();
        (u128::from(hashers.0.hash_one(bytes)) << 64) | u128::from(hashers.1.hash_one(bytes))
    };
    let mut a_to_b = vec![None; a.len()];
    let mut b_to_a = vec![None; b.len()];
    for (n, name) in a.nodes.iter().enumerate() {
        let Some(nb) = b.node_by_name(name) else {
            continue;
        };
        // The k-th event of each class on the node, in B.
        let mut seen: FastMap<u128, u32> = FastMap::new();
        let mut in_b: FastMap<(u128, u32), EventIdx> =
            FastMap::with_capacity(b.by_node[nb.index()].len());
        for &e in &b.by_node[nb.index()] {
            let c = class_of(b, e);
            let k = seen.entry(c).or_default();
            *k += 1;
            in_b.insert((c, *k), e);
        }
        seen.clear();
        for &e in &a.by_node[n] {
            let c = class_of(a, e);
            let k = seen.entry(c).or_default();
            *k += 1;
            if let Some(&m) = in_b.get(&(c, *k)) {
                a_to_b[e.index()] = Some(m);
                b_to_a[m.index()] = Some(e);
            }
        }
    }
    (a_to_b, b_to_a)
}

/// The message edges of `this` that `other` lacks between the matches of their events.
fn messages_only(
    this: &Causality,
    map: &[Option<EventIdx>],
    other: &Causality,
) -> Vec<(EventIdx, EventIdx)> {
    this.message_edges()
        .filter(|&(s, r)| match (map[s.index()], map[r.index()]) {
            (Some(ms), Some(mr)) => !other.sends(mr).any(|x| x == ms),
            _ => true,
        })
        .collect()
}

/// A random-looking 128-bit number for event index `i` (splitmix64, twice).
fn fingerprint(i: u32) -> u128 {
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    let x = u64::from(i);
    (u128::from(mix(x ^ 0x5555_0000_0000_0000)) << 64) | u128::from(mix(x ^ 0x0000_aaaa_0000_0000))
}

/// How many of node `n`'s events a clock member `count` covers: its events with a position
/// up to `count` (positions count from 1 unless the input gave clocks).
fn covered(trace: &Trace, n: usize, count: u32) -> usize {
    let lane = &trace.by_node[n];
    if trace.given.is_none() {
        return (count as usize).min(lane.len());
    }
    lane.partition_point(|&e| trace.event(e).seq <= count)
}

/// Per node, prefix sums of the fingerprints of the B events matched (or being) the node's
/// events: `sums[start[n] + k]` sums the first `k` events of node `n`.
struct PrefixSums {
    start: Vec<usize>,
    sums: Vec<u128>,
}

impl PrefixSums {
    fn new(trace: &Trace, to_b: impl Fn(EventIdx) -> Option<EventIdx>) -> Self {
        let mut start = Vec::with_capacity(trace.nodes.len());
        let mut sums = Vec::with_capacity(trace.len() + trace.nodes.len());
        for lane in &trace.by_node {
            start.push(sums.len());
            let mut total = 0u128;
            sums.push(total);
            for &e in lane {
                if let Some(m) = to_b(e) {
                    total = total.wrapping_add(fingerprint(m.0));
                }
                sums.push(total);
            }
        }
        PrefixSums { start, sums }
    }

    /// The summary of what a clock knows of matched events.
    fn summary(&self, trace: &Trace, clock: ClockRef<'_>) -> u128 {
        clock.entries().fold(0u128, |acc, (n, count)| {
            let n = n.index();
            acc.wrapping_add(self.sums[self.start[n] + covered(trace, n, count)])
        })
    }
}

/// The B events whose knowledge differs from their match's in A.
fn differing_knowledge(
    a: Execution<'_>,
    b: Execution<'_>,
    a_to_b: &[Option<EventIdx>],
    b_to_a: &[Option<EventIdx>],
    engine: Engine,
) -> Vec<EventIdx> {
    let mut summary_a = vec![0u128; a.trace.len()];
    let sums = PrefixSums::new(a.trace, |e| a_to_b[e.index()]);
    for_each_summary(a, &sums, engine, |e, summary| {
        summary_a[e.index()] = summary;
    });
    let sums = PrefixSums::new(b.trace, |e| b_to_a[e.index()].map(|_| e));
    let mut differing = Vec::new();
    for_each_summary(b, &sums, engine, |e, summary| {
        if b_to_a[e.index()].is_some_and(|m| summary != summary_a[m.index()]) {
            differing.push(e);
        }
    });
    differing
}

/// Replays `x` and calls `f` with each event, in causal order, and the summary of what it
/// knew (its clock read through `sums`). An event that receives nothing knows what its node's
/// previous event knew and itself, so only its own member moves: its summary is one step from
/// the previous one (at 1,000 nodes the whole clock's fold was most of `diff`'s time). Clocks
/// the input gave may jump anywhere, so they are always folded whole.
fn for_each_summary(
    x: Execution<'_>,
    sums: &PrefixSums,
    engine: Engine,
    mut f: impl FnMut(EventIdx, u128),
) {
    let trace = x.trace;
    let mut replay = Replay::new(engine, trace, x.causality);
    let mut last = vec![0u128; trace.nodes.len()];
    for &e in &x.causality.order {
        let row = replay.advance(trace, x.causality, e);
        let ev = trace.event(e);
        let node = ev.node.index();
        let summary = if trace.given.is_none() && x.causality.sends(e).next().is_none() {
            // Positions count from 1: the node's events up to this one, less those before it.
            let at = sums.start[node] + ev.seq as usize;
            last[node].wrapping_add(sums.sums[at].wrapping_sub(sums.sums[at - 1]))
        } else {
            sums.summary(trace, row)
        };
        last[node] = summary;
        f(e, summary);
    }
}

/// The first `limit` differing pairs in B's Lamport order, compared node by node.
fn witnesses(
    a: Execution<'_>,
    b: Execution<'_>,
    (a_to_b, b_to_a): (&[Option<EventIdx>], &[Option<EventIdx>]),
    differing: Vec<EventIdx>,
    limit: Option<usize>,
    engine: Engine,
) -> Vec<KnowledgeDifference> {
    if differing.is_empty() {
        return Vec::new();
    }
    let lamport = clock::run(b.trace, b.causality, LamportEngine::new(b.trace));
    let mut first: Vec<EventIdx> = differing;
    first.sort_unstable_by_key(|&e| {
        let ev = b.trace.event(e);
        (lamport[e.index()], ev.node, ev.seq)
    });
    first.truncate(limit.unwrap_or(usize::MAX));
    if first.is_empty() {
        return Vec::new();
    }
    let want_b: HashSet<EventIdx> = first.iter().copied().collect();
    let want_a: HashSet<EventIdx> = first.iter().filter_map(|&e| b_to_a[e.index()]).collect();
    let clocks_b = Replay::select(engine, b.trace, b.causality, &b.causality.order, &want_b);
    let clocks_a = Replay::select(engine, a.trace, a.causality, &a.causality.order, &want_a);
    first
        .into_iter()
        .filter_map(|eb| {
            let ea = b_to_a[eb.index()]?;
            let nodes = node_differences(
                a,
                b,
                (a_to_b, b_to_a),
                clocks_a.clock(ea),
                clocks_b.clock(eb),
            );
            Some(KnowledgeDifference {
                a: ea,
                b: eb,
                nodes,
            })
        })
        .collect()
}

/// Node by node, what one clock knew of matched events that the other did not.
fn node_differences(
    a: Execution<'_>,
    b: Execution<'_>,
    (a_to_b, b_to_a): (&[Option<EventIdx>], &[Option<EventIdx>]),
    clock_a: ClockRef<'_>,
    clock_b: ClockRef<'_>,
) -> Vec<NodeDifference> {
    let mut out = Vec::new();
    let mut names: Vec<(Option<NodeId>, Option<NodeId>)> = (0..b.trace.nodes.len() as u32)
        .map(NodeId)
        .map(|nb| (a.trace.node_by_name(b.trace.node_name(nb)), Some(nb)))
        .collect();
    names.extend(
        (0..a.trace.nodes.len() as u32)
            .map(NodeId)
            .filter(|&na| b.trace.node_by_name(a.trace.node_name(na)).is_none())
            .map(|na| (Some(na), None)),
    );
    for (na, nb) in names {
        let known_a: &[EventIdx] = na.map_or(&[], |n| {
            &a.trace.by_node[n.index()][..covered(a.trace, n.index(), clock_a.get(n.index()))]
        });
        let known_b: &[EventIdx] = nb.map_or(&[], |n| {
            &b.trace.by_node[n.index()][..covered(b.trace, n.index(), clock_b.get(n.index()))]
        });
        let in_b: HashSet<EventIdx> = known_b.iter().copied().collect();
        let via_a: HashSet<EventIdx> = known_a.iter().filter_map(|&e| a_to_b[e.index()]).collect();
        let only_a: Vec<EventIdx> = known_a
            .iter()
            .copied()
            .filter(|&e| a_to_b[e.index()].is_some_and(|m| !in_b.contains(&m)))
            .collect();
        let only_b: Vec<EventIdx> = known_b
            .iter()
            .copied()
            .filter(|&e| b_to_a[e.index()].is_some() && !via_a.contains(&e))
            .collect();
        if only_a.is_empty() && only_b.is_empty() {
            continue;
        }
        out.push(NodeDifference {
            node_a: na,
            node_b: nb,
            last_a: known_a.last().copied(),
            last_b: known_b.last().copied(),
            only_a_count: only_a.len() as u64,
            only_b_count: only_b.len() as u64,
            only_a: only_a.into_iter().take(EXAMPLES).collect(),
            only_b: only_b.into_iter().take(EXAMPLES).collect(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_trace as trace;
    use crate::order::causal_order;

    #[test]
    fn labels_lose_their_numbers_hex_strings_and_uuids() {
        let n = normalise_label;
        assert_eq!(
            n("charge card 54.90 EUR (attempt 1, idempotency key ik-1001)"),
            "charge card # EUR (attempt #, idempotency key ik-#)"
        );
        assert_eq!(n("txn tx-5521 from m10"), "txn tx-# from m#");
        assert_eq!(n("req 123e4567-e89b-12d3-a456-426614174000 ok"), "req # ok");
        assert_eq!(
            n("trace t-9f3a, ptr 0x7ffe, face added"),
            "trace t-#, ptr #, face added"
        );
        assert_eq!(n("sha256 v2"), "sha# v#");
        assert_eq!(n(""), "");
    }

    fn compare(x: &Trace, y: &Trace) -> DiffReport {
        let (cx, cy) = (causal_order(x).unwrap(), causal_order(y).unwrap());
        diff(
            Execution {
                trace: x,
                causality: &cx,
            },
            Execution {
                trace: y,
                causality: &cy,
            },
            &DiffOptions::default(),
        )
    }

    #[test]
    fn an_execution_matches_itself() {
        let t = trace(&[("a", "send", "m"), ("a", "local", ""), ("b", "recv", "m")]);
        let r = compare(&t, &t);
        assert!(!r.differs(), "{r:?}");
        assert_eq!(r.matched, 3);
    }

    #[test]
    fn a_message_made_local_is_reported_with_what_it_told() {
        let with = trace(&[("a", "send", "m"), ("b", "recv", "m"), ("b", "local", "")]);
        let without = trace(&[("a", "local", ""), ("b", "local", ""), ("b", "local", "")]);
        let r = compare(&with, &without);
        assert!(r.only_a.is_empty() && r.only_b.is_empty());
        assert_eq!(r.messages_only_a, [(EventIdx(0), EventIdx(1))]);
        assert!(r.messages_only_b.is_empty());
        // b#1 and b#2 knew a#1 in A only.
        assert_eq!(r.knowledge_differs, 2);
        let w = &r.knowledge[0];
        assert_eq!((w.a, w.b), (EventIdx(1), EventIdx(1)));
        assert_eq!(w.nodes.len(), 1);
        assert_eq!(w.nodes[0].only_a, [EventIdx(0)]);
        assert_eq!(
            (w.nodes[0].last_a, w.nodes[0].last_b),
            (Some(EventIdx(0)), None)
        );
    }

    proptest::proptest! {
        /// An ASCII label read as bytes normalises as it does read as chars (the path every
        /// label took before the bytes path, and non-ASCII labels still take).
        #[test]
        fn ascii_labels_normalise_alike_as_bytes_and_as_chars(
            label in "[a-fA-F0-9xX_.\\- ]{0,40}|[a-z0-9 ]{0,20}",
        ) {
            let mut as_chars = Vec::new();
            normalise_units(&label.chars().collect::<Vec<char>>(), &mut as_chars);
            proptest::prop_assert_eq!(normalise_label(&label).into_bytes(), as_chars);
        }
    }
}
