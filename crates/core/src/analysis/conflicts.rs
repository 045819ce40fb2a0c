//! Conflicts: pairs of events on different nodes that access the same key, at least one of
//! them writing, neither happening before the other.
//!
//! Counts are exact, yet no two accesses are ever compared as a pair. Events are visited once,
//! in a causal order. For each key and node we keep the positions (in that node's program order)
//! of the node's reads and of its writes, in two sorted lists. When event `f` is visited, every
//! access `e` visited before it cannot come after it in happens-before, so `e` and `f` are
//! concurrent exactly when `f` has not seen `e`: `vc(f)[node(e)] < seq(e)`. The accesses of node
//! `j` that `f` has seen are therefore a prefix of `j`'s list, and the concurrent ones the rest:
//! one look per (key, node that accessed the key) gives the count, from the lane's head (its
//! length, first and last three positions) or, when more than three are unseen, a search of its
//! list. Each unordered pair is counted once, when its later event (in the causal order) is
//! visited.
//!
//! Cost: O(A x K x log A) time, where A is the number of accesses and K the number of nodes that
//! access the same key (at most the number of nodes), never A squared for a hot key; memory is
//! 4 bytes per access and 44 bytes per (key, node that accessed it). Witness pairs are read straight off the concurrent suffixes and stop once
//! a key has enough, so they cost O(limit) per key, not O(conflicts).
//!
//! An event that both reads and writes a key counts as one write access to it: its pairs with
//! reads are read-write conflicts, its pairs with writes write-write ones. Reads against reads
//! never conflict. This layer reads no input and writes no output.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::clock::{ClockRef, ClockWalk, Entry};
use crate::model::{EventIdx, KeyId, NodeId, Trace};
#[cfg(doc)]
use crate::order::Causality;

/// How an event accesses a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    /// Writes it (and may read it too).
    Write,
    /// Reads it only.
    Read,
}

impl Access {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Write => "write",
            Access::Read => "read",
        }
    }
}

/// The kind of a conflicting pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConflictKind {
    /// Both events write the key.
    WriteWrite,
    /// One writes the key, the other only reads it.
    ReadWrite,
}

impl ConflictKind {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::WriteWrite => "write-write",
            ConflictKind::ReadWrite => "read-write",
        }
    }
}

/// One conflicting pair, shown as evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Witness {
    /// The event that comes first in the order the analysis visited.
    pub a: EventIdx,
    /// The other event.
    pub b: EventIdx,
    /// Write-write or read-write.
    pub kind: ConflictKind,
}

/// The conflicts on one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyConflicts {
    /// The key.
    pub key: KeyId,
    /// Concurrent write-write pairs on different nodes.
    pub write_write: u64,
    /// Concurrent read-write pairs on different nodes.
    pub read_write: u64,
    /// Up to the limit of witness pairs: write-write ones first, then read-write ones; within
    /// a kind, by the visit of `b`, then by `a`'s place in the input.
    pub witnesses: Vec<Witness>,
}

impl KeyConflicts {
    /// All conflicting pairs on the key.
    pub fn total(&self) -> u64 {
        self.write_write + self.read_write
    }
}

/// What to look for.
#[derive(Clone, Debug, Default)]
pub struct ConflictOptions {
    /// Witness pairs per key; `None` keeps them all.
    pub limit: Option<usize>,
    /// Only these keys; `None` means every key.
    pub keys: Option<Vec<KeyId>>,
}

/// Every key with at least one conflict, most conflicts first (ties by key name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictReport {
    /// Keys with conflicts.
    pub keys: Vec<KeyConflicts>,
    /// Conflicting pairs over all keys.
    pub total: u64,
}

impl ConflictReport {
    /// The events of every witness pair: those whose vector clocks the report prints.
    pub fn witness_events(&self) -> std::collections::HashSet<EventIdx> {
        self.keys
            .iter()
            .flat_map(|k| &k.witnesses)
            .flat_map(|w| [w.a, w.b])
            .collect()
    }
}

/// How `e` accesses `key`, if it does.
pub fn access(trace: &Trace, e: EventIdx, key: KeyId) -> Option<Access> {
    let ev = trace.event(e);
    if ev.writes().contains(&key) {
        Some(Access::Write)
    } else if ev.reads().contains(&key) {
        Some(Access::Read)
    } else {
        None
    }
}

/// One node's accesses to one key: positions in the node's program order, ascending.
#[derive(Debug, Default)]
struct Lane {
    writes: Vec<u32>,
    reads: Vec<u32>,
}

/// What a visit looks at first for each lane, kept apart from the lists and packed, so that
/// most lanes are counted without touching their lists (a cache miss each): a lane whose
/// accesses the event has seen all of, none of, or all but the last few. At 1,000 nodes
/// generated traces visit 228 million lanes; 170 million are seen whole, and of the 53 million
/// seen in part, 97 % have at most three accesses unseen.
#[derive(Clone, Copy, Debug)]
struct LaneHead {
    node: NodeId,
    /// The node's writes of the key.
    writes: Span,
    /// The node's reads of the key.
    reads: Span,
}

/// A lane's list in brief: how many positions, the first and the last few.
#[derive(Clone, Copy, Debug, Default)]
struct Span {
    len: u32,
    /// The first position, 0 for none.
    first: u32,
    /// The last [`TAIL`] positions, ascending, the last one last; 0 where the list is shorter.
    tail: [u32; TAIL],
}

/// How many of a list's last positions its [`Span`] keeps.
const TAIL: usize = 3;

impl Span {
    /// The last position, 0 for none.
    fn last(self) -> u32 {
        self.tail[TAIL - 1]
    }

    /// Records an access at `seq`, later in program order than any before.
    fn push(&mut self, seq: u32) {
        if self.len == 0 {
            self.first = seq;
        }
        self.len += 1;
        self.tail.copy_within(1.., 0);
        self.tail[TAIL - 1] = seq;
    }

    /// How many of the positions in the list this span describes are past `seen`; the list
    /// (from `list`) is searched only when the span cannot tell.
    fn unseen<'l>(self, seen: u32, list: impl FnOnce() -> &'l [u32]) -> u64 {
        if self.first > seen {
            return u64::from(self.len);
        }
        // The list has a position at most `seen` (the first), so if the tail's are all past
        // it, the list is longer than the tail: search it.
        match self.tail.iter().filter(|&&s| s > seen).count() {
            TAIL => unseen(list(), seen).len() as u64,
            n => n as u64,
        }
    }
}

/// The accesses to one key, per node, and what has been found so far.
#[derive(Debug, Default)]
struct KeyState {
    heads: Vec<LaneHead>,
    lanes: Vec<Lane>,
    /// Writes and reads of the key visited so far, on every node.
    writes: u64,
    reads: u64,
    write_write: u64,
    read_write: u64,
    ww_witnesses: Vec<Witness>,
    rw_witnesses: Vec<Witness>,
}

/// Finds every conflict, counting exactly, in one pass over `trace` in `order`.
///
/// `order` must list every event once, each after its causal predecessors (the causal order of
/// [`Causality`], or Lamport's total order, which makes the witnesses found first the earliest
/// in logical time). `clocks` hands out the vector clock of each event of `order` in turn: stored
/// clocks, or a [`crate::clock::ReplayWalk`] that holds none per event.
pub fn find_conflicts(
    trace: &Trace,
    order: &[EventIdx],
    mut clocks: impl ClockWalk,
    options: &ConflictOptions,
) -> ConflictReport {
    let selected: Option<Vec<bool>> = options.keys.as_ref().map(|keys| {
        let mut selected = vec![false; trace.keys.len()];
        for k in keys {
            selected[k.0 as usize] = true;
        }
        selected
    });
    let cap = options.limit.unwrap_or(usize::MAX);
    let mut states: Vec<KeyState> = (0..trace.keys.len()).map(|_| KeyState::default()).collect();
    let mut lane_of: LaneTable = HashMap::default();
    let mut accesses: Vec<(KeyId, Access)> = Vec::new();

    for &f in order {
        // Every event advances the walk; only accesses read the clock.
        let clock = clocks.visit(f);
        let ev = trace.event(f);
        accesses.clear();
        accesses.extend(ev.writes().iter().map(|&k| (k, Access::Write)));
        accesses.extend(ev.reads().iter().map(|&k| (k, Access::Read)));
        if accesses.is_empty() {
            continue;
        }
        // Write sorts before Read, so dedup keeps the write of a key both read and written.
        accesses.sort_unstable();
        accesses.dedup_by_key(|(k, _)| *k);
        for &(key, op) in &accesses {
            if let Some(selected) = &selected {
                if !selected[key.0 as usize] {
                    continue;
                }
            }
            let state = &mut states[key.0 as usize];
            visit_access(trace, clock, state, (&lane_of, key), f, op, cap);
            let slot = lane_slot(key, ev.node);
            let lane = *lane_of.entry(slot).or_insert_with(|| {
                state.heads.push(LaneHead {
                    node: ev.node,
                    writes: Span::default(),
                    reads: Span::default(),
                });
                state.lanes.push(Lane::default());
                (state.lanes.len() - 1) as u32
            }) as usize;
            let (head, lane) = (&mut state.heads[lane], &mut state.lanes[lane]);
            match op {
                Access::Write => {
                    head.writes.push(ev.seq);
                    lane.writes.push(ev.seq);
                    state.writes += 1;
                }
                Access::Read => {
                    head.reads.push(ev.seq);
                    lane.reads.push(ev.seq);
                    state.reads += 1;
                }
            }
        }
    }

    let mut keys: Vec<KeyConflicts> = states
        .into_iter()
        .enumerate()
        .filter(|(_, s)| s.write_write + s.read_write > 0)
        .map(|(k, s)| {
            let mut witnesses = s.ww_witnesses;
            witnesses.extend(s.rw_witnesses);
            witnesses.truncate(cap);
            KeyConflicts {
                key: KeyId(k as u32),
                write_write: s.write_write,
                read_write: s.read_write,
                witnesses,
            }
        })
        .collect();
    keys.sort_by(|x, y| {
        y.total()
            .cmp(&x.total())
            .then_with(|| trace.key_name(x.key).cmp(trace.key_name(y.key)))
    });
    let total = keys.iter().map(KeyConflicts::total).sum();
    ConflictReport { keys, total }
}

/// Each (key, node)'s lane: its index in the key's [`KeyState`], by [`lane_slot`].
type LaneTable = HashMap<u64, u32, BuildHasherDefault<MixHasher>>;

/// The lane table's entry for `key` on `node`.
fn lane_slot(key: KeyId, node: NodeId) -> u64 {
    (u64::from(key.0) << 32) | u64::from(node.0)
}

/// Hashes the one `u64` (key, node) of the lane table with SplitMix64's finalizer: no need
/// for SipHash's resistance to chosen keys here, and it is several times faster.
#[derive(Default)]
struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b) ^ (self.0 >> 56);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
}

/// Counts the pairs that `f` (accessing the key as `op`) forms with the accesses visited
/// before it, and keeps witnesses while the key has fewer than `cap` of a kind.
///
/// Each lane that accessed the key is looked at, except when no witness is wanted any more
/// and `f`'s clock is sparse with fewer members than the key has lanes: then the counts are
/// read off the clock's members (see [`count_from_clock`]). With many nodes each knowing of
/// few others, a hot key's lanes outnumber a clock's members by far.
fn visit_access(
    trace: &Trace,
    clock: ClockRef<'_>,
    state: &mut KeyState,
    (lane_of, key): (&LaneTable, KeyId),
    f: EventIdx,
    op: Access,
    cap: usize,
) {
    let node = trace.event(f).node;
    let ww_room = cap.saturating_sub(state.ww_witnesses.len());
    let rw_room = cap.saturating_sub(state.rw_witnesses.len());
    let wants_witnesses = match op {
        Access::Write => ww_room > 0 || rw_room > 0,
        Access::Read => rw_room > 0,
    };
    if let ClockRef::Sparse(members) = clock {
        if !wants_witnesses && members.len() * 2 < state.heads.len() {
            count_from_clock(state, lane_of, key, node, members, op);
            return;
        }
    }
    if !wants_witnesses {
        let (ww, rw) = match clock {
            ClockRef::Dense(row) => count_lanes(state, node, op, |n| row.get(n).copied()),
            ClockRef::Sparse(_) => count_lanes(state, node, op, |n| Some(clock.get(n))),
        };
        state.write_write += ww;
        state.read_write += rw;
        return;
    }
    let room = |kind| match kind {
        ConflictKind::WriteWrite => ww_room,
        ConflictKind::ReadWrite => rw_room,
    };
    let (mut ww_found, mut rw_found) = (Vec::new(), Vec::new());
    for (head, lane) in state.heads.iter().zip(&state.lanes) {
        if head.node == node {
            continue;
        }
        let seen = clock.get(head.node.index());
        let last = match op {
            Access::Write => head.writes.last().max(head.reads.last()),
            Access::Read => head.writes.last(),
        };
        if last <= seen {
            continue;
        }
        // (span, list) of the accesses that make write-write and read-write pairs with `f`.
        let (to_ww, to_rw) = match op {
            Access::Write => (
                Some((head.writes, &lane.writes)),
                Some((head.reads, &lane.reads)),
            ),
            Access::Read => (None, Some((head.writes, &lane.writes))),
        };
        for (pairs, found, kind) in [
            (to_ww, &mut ww_found, ConflictKind::WriteWrite),
            (to_rw, &mut rw_found, ConflictKind::ReadWrite),
        ] {
            let Some((span, list)) = pairs else {
                continue;
            };
            let count = match kind {
                ConflictKind::WriteWrite => &mut state.write_write,
                ConflictKind::ReadWrite => &mut state.read_write,
            };
            if room(kind) == 0 {
                *count += span.unseen(seen, || list);
                continue;
            }
            let list = unseen(list, seen);
            *count += list.len() as u64;
            found.extend(list.iter().take(room(kind)).map(|&seq| {
                Witness {
                    a: trace
                        .event_at(head.node, seq)
                        .expect("an access's position is one of its node's events"),
                    b: f,
                    kind,
                }
            }));
        }
    }
    // Each lane gave its earliest unseen accesses; keep the earliest in the input overall.
    for (mut found, kept) in [
        (ww_found, &mut state.ww_witnesses),
        (rw_found, &mut state.rw_witnesses),
    ] {
        found.sort_unstable_by_key(|w| w.a);
        found.truncate(cap.saturating_sub(kept.len()));
        kept.extend(found);
    }
}

/// [`visit_access`]'s counts when no witness is wanted: the (write-write, read-write) pairs
/// an access as `op` on `node` forms with the unseen accesses of the other lanes, where
/// `seen_of(n)` is how many of node `n`'s events it has seen (`None` for 0). The lane lists are
/// read only where the spans cannot tell.
fn count_lanes(
    state: &KeyState,
    node: NodeId,
    op: Access,
    seen_of: impl Fn(usize) -> Option<u32>,
) -> (u64, u64) {
    let (mut ww, mut rw) = (0, 0);
    for (i, head) in state.heads.iter().enumerate() {
        if head.node == node {
            continue;
        }
        let seen = seen_of(head.node.index()).unwrap_or(0);
        match op {
            Access::Write => {
                if head.writes.last().max(head.reads.last()) <= seen {
                    continue;
                }
                ww += head.writes.unseen(seen, || &state.lanes[i].writes);
                rw += head.reads.unseen(seen, || &state.lanes[i].reads);
            }
            Access::Read => {
                if head.writes.last() <= seen {
                    continue;
                }
                rw += head.writes.unseen(seen, || &state.lanes[i].writes);
            }
        }
    }
    (ww, rw)
}

/// [`visit_access`]'s counts from the members of `f`'s clock: every access of another node to
/// the key is unseen except those of the nodes the clock names, up to the count it names (a
/// prefix of that node's lane). So the unseen ones are all those visited, less `f`'s own
/// node's, less each named node's seen prefix: one lookup and one search per member instead
/// of a look at every lane.
fn count_from_clock(
    state: &mut KeyState,
    lane_of: &LaneTable,
    key: KeyId,
    node: NodeId,
    members: &[Entry],
    op: Access,
) {
    let lane = |n: NodeId| {
        lane_of
            .get(&lane_slot(key, n))
            .map(|&l| &state.lanes[l as usize])
    };
    let (own_writes, own_reads) = lane(node).map_or((0, 0), |l| (l.writes.len(), l.reads.len()));
    let mut writes = state.writes - own_writes as u64;
    let mut reads = state.reads - own_reads as u64;
    for m in members {
        let other = NodeId(m.node);
        if other == node {
            continue;
        }
        let Some(lane) = lane(other) else {
            continue;
        };
        writes -= seen_prefix(&lane.writes, m.count) as u64;
        if op == Access::Write {
            reads -= seen_prefix(&lane.reads, m.count) as u64;
        }
    }
    match op {
        Access::Write => {
            state.write_write += writes;
            state.read_write += reads;
        }
        Access::Read => state.read_write += writes,
    }
}

/// How many positions in `list` (ascending) are at most `seen`.
fn seen_prefix(list: &[u32], seen: u32) -> usize {
    list.len() - unseen(list, seen).len()
}

/// The positions in `list` (ascending) greater than `seen`: the accesses not yet seen.
///
/// Those are usually few and at the end, so the search gallops back from the end (touching a
/// cache line or two) before it bisects: O(log u) for u unseen accesses.
fn unseen(list: &[u32], seen: u32) -> &[u32] {
    // Invariant: every position in list[hi..] is greater than `seen`.
    let mut hi = list.len();
    let mut step = 1;
    loop {
        let lo = hi.saturating_sub(step);
        if lo == 0 || list[lo] <= seen {
            let start = lo + list[lo..hi].partition_point(|&s| s <= seen);
            return &list[start..];
        }
        hi = lo;
        step *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock;
    use crate::model::{EventKind, RawEvent, TraceBuilder};
    use crate::order::causal_order;

    /// (node, kind, msg, reads, writes)
    type Spec<'a> = (&'a str, EventKind, &'a str, &'a [&'a str], &'a [&'a str]);

    fn trace(events: &[Spec<'_>]) -> Trace {
        let mut b = TraceBuilder::new();
        let f = b.add_file("t.jsonl");
        for (i, (node, kind, msg, reads, writes)) in events.iter().enumerate() {
            b.push(
                f,
                RawEvent {
                    node: node.to_string(),
                    kind: Some(*kind),
                    msg: (!msg.is_empty()).then(|| msg.to_string()),
                    reads: reads.iter().map(|s| s.to_string()).collect(),
                    writes: writes.iter().map(|s| s.to_string()).collect(),
                    line: i as u32 + 1,
                    ..RawEvent::default()
                },
            );
        }
        b.finish()
    }

    fn conflicts(t: &Trace, options: &ConflictOptions) -> ConflictReport {
        let c = causal_order(t).unwrap();
        let stamps = clock::stamp(t, &c);
        find_conflicts(t, &c.order, &stamps.vector, options)
    }

    use EventKind::{Local, Recv, Send};

    #[test]
    fn unseen_finds_the_suffix_past_seen() {
        let list = [1, 3, 4, 7, 9, 10, 12, 15, 20];
        for seen in 0..22 {
            let expected: Vec<u32> = list.iter().copied().filter(|&s| s > seen).collect();
            assert_eq!(unseen(&list, seen), &expected[..], "seen {seen}");
        }
        assert!(unseen(&[], 3).is_empty());
    }

    #[test]
    fn concurrent_writes_on_two_nodes_are_one_write_write_pair() {
        let t = trace(&[("a", Local, "", &[], &["x"]), ("b", Local, "", &[], &["x"])]);
        let r = conflicts(&t, &ConflictOptions::default());
        assert_eq!(r.total, 1);
        assert_eq!(r.keys[0].write_write, 1);
        assert_eq!(r.keys[0].witnesses.len(), 1);
    }

    #[test]
    fn a_message_orders_the_accesses_and_removes_the_conflict() {
        let t = trace(&[
            ("a", Local, "", &[], &["x"]),
            ("a", Send, "m", &[], &[]),
            ("b", Recv, "m", &[], &[]),
            ("b", Local, "", &["x"], &["x"]),
        ]);
        assert_eq!(conflicts(&t, &ConflictOptions::default()).total, 0);
    }

    #[test]
    fn reads_never_conflict_with_reads_and_read_write_events_count_as_writes() {
        let t = trace(&[
            ("a", Local, "", &["x"], &[]),
            ("b", Local, "", &["x"], &[]),
            ("c", Local, "", &["x"], &["x"]),
        ]);
        let r = conflicts(&t, &ConflictOptions::default());
        assert_eq!((r.keys[0].write_write, r.keys[0].read_write), (0, 2));
    }

    #[test]
    fn same_node_accesses_never_conflict() {
        let t = trace(&[("a", Local, "", &[], &["x"]), ("a", Local, "", &[], &["x"])]);
        assert_eq!(conflicts(&t, &ConflictOptions::default()).total, 0);
    }

    #[test]
    fn the_limit_caps_witnesses_but_not_counts_and_keys_filter() {
        let t = trace(&[
            ("a", Local, "", &[], &["x", "y"]),
            ("a", Local, "", &[], &["x"]),
            ("b", Local, "", &["x"], &["y"]),
            ("b", Local, "", &[], &["x"]),
        ]);
        let options = ConflictOptions {
            limit: Some(1),
            keys: None,
        };
        let r = conflicts(&t, &options);
        assert_eq!(r.keys[0].key, KeyId(0));
        assert_eq!((r.keys[0].write_write, r.keys[0].read_write), (2, 2));
        assert_eq!(r.keys[0].witnesses.len(), 1);
        assert_eq!(r.keys[0].witnesses[0].kind, ConflictKind::WriteWrite);
        assert_eq!(r.total, 5);
        let only_y = ConflictOptions {
            limit: None,
            keys: Some(vec![KeyId(1)]),
        };
        let r = conflicts(&t, &only_y);
        assert_eq!(r.total, 1);
        assert_eq!(r.keys.len(), 1);
    }
}
