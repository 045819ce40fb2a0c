//! Per variable and thread, the accesses of streamed STD conflicts, their counts of unseen
//! accesses, and the witness pairs kept in the batch analysis's order. No input or output here.

use super::*;

/// One access kept in its lane.
#[derive(Clone, Copy, Debug)]
pub(super) struct Entry {
    /// Position in its thread.
    pub(super) seq: u32,
    pub(super) lamport: u32,
    pub(super) line: u32,
    /// Index of the event in the batch trace (`u32::MAX` until its thread's next line).
    pub(super) idx: u32,
}

/// One thread's accesses to one key.
#[derive(Debug)]
pub(super) struct Lane {
    pub(super) writes: Vec<Entry>,
    pub(super) reads: Vec<Entry>,
}

/// What a visit looks at first for each lane (see `conflicts::LaneHead`).
#[derive(Clone, Copy, Debug)]
pub(super) struct LaneHead {
    pub(super) thread: u32,
    pub(super) last_write: u32,
    pub(super) last_read: u32,
    /// Writes and reads in the lane.
    pub(super) writes: u32,
    pub(super) reads: u32,
}

/// Where a reader's unseen accesses of another lane start, and the position (in its thread)
/// of the first of them, or a lower bound when there is none yet: until the reader has seen
/// that far, the cursor stays.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Cursor {
    pub(super) writes: u32,
    pub(super) reads: u32,
    pub(super) next: u32,
}

/// An access of a key: its lane, list and place in the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Access {
    pub(super) lane: u32,
    pub(super) write: bool,
    pub(super) pos: u32,
}

/// The pairs whose later event in Lamport order is one event `b`.
#[derive(Debug)]
pub(super) struct Group {
    pub(super) b: Access,
    /// Pairs in the group.
    pub(super) count: u64,
    /// The earliest `limit` partners of `b` of each thread, in program order.
    pub(super) partners: Vec<(u32, Vec<Access>)>,
}

/// Where an event comes in the batch analysis's visit: Lamport clock, then node name (the
/// two never tie for events of different threads, and one thread's clocks all differ).
pub(super) type Visit = (u32, Rc<str>);

pub(super) fn before(lamport: u32, name: &str, visit: &Visit) -> bool {
    (lamport, name) < (visit.0, &*visit.1)
}

pub(super) fn after(lamport: u32, name: &str, visit: &Visit) -> bool {
    (lamport, name) > (visit.0, &*visit.1)
}

/// The groups of one key and kind that may still show a pair.
#[derive(Debug, Default)]
pub(super) struct Top {
    pub(super) groups: BTreeMap<Visit, Group>,
    /// Pairs over all groups.
    pub(super) total: u64,
}

impl Top {
    /// The visit of the last group that may show a pair, once the groups hold `cap` pairs.
    pub(super) fn bound(&self, cap: u64) -> Option<&Visit> {
        if self.total >= cap {
            self.groups.last_key_value().map(|(k, _)| k)
        } else {
            None
        }
    }

    /// Drops the groups that come after `cap` pairs.
    pub(super) fn prune(&mut self, cap: u64) {
        while let Some(last) = self.groups.last_entry() {
            if self.total - last.get().count < cap {
                break;
            }
            self.total -= last.get().count;
            last.remove();
        }
    }
}

/// A witness pair as accesses: `a`, `b` and the kind.
pub(super) type Pair = (Access, Access, ConflictKind);

/// The accesses to one key and what was found on it.
#[derive(Debug, Default)]
pub(super) struct KeyState {
    pub(super) heads: Vec<LaneHead>,
    pub(super) lanes: Vec<Lane>,
    pub(super) write_write: u64,
    pub(super) read_write: u64,
    /// Write-write, then read-write.
    pub(super) tops: [Top; 2],
    /// Per reader lane and other lane, how far into the other's writes and reads the
    /// reader has seen: a thread's clock only grows, so its next search goes on from there
    /// instead of searching the whole unseen suffix again (long when threads rarely
    /// synchronise).
    pub(super) cursors: Vec<Vec<Cursor>>,
}

impl KeyState {
    pub(super) fn entry(&self, a: Access) -> &Entry {
        let lane = &self.lanes[a.lane as usize];
        let list = if a.write { &lane.writes } else { &lane.reads };
        &list[a.pos as usize]
    }
}

/// The access being visited.
pub(super) struct Visitor {
    pub(super) thread: u32,
    pub(super) name: Rc<str>,
    pub(super) lamport: u32,
    pub(super) access: Access,
    /// Per kind, whether its pairs may still be shown.
    pub(super) wanted: [bool; 2],
    /// Per kind, the group of pairs whose `b` is this access.
    pub(super) own: [Group; 2],
}

/// The positions in `list` past `seen`: `list` is in program order.
pub(super) fn unseen(list: &[Entry], seen: u32) -> usize {
    // Unseen accesses are usually few and last: gallop back from the end, then bisect.
    let mut hi = list.len();
    let mut step = 1;
    loop {
        let lo = hi.saturating_sub(step);
        if lo == 0 || list[lo].seq <= seen {
            return lo + list[lo..hi].partition_point(|e| e.seq <= seen);
        }
        hi = lo;
        step *= 2;
    }
}

/// The first position in `list` at or after `from` past `seen`, when every position before
/// `from` is at most `seen`: a gallop forward from `from`, then a bisection.
pub(super) fn advance(list: &[Entry], from: usize, seen: u32) -> usize {
    let mut lo = from;
    let mut step = 1;
    while lo < list.len() && list[lo].seq <= seen {
        let hi = (lo + step).min(list.len());
        if list[hi - 1].seq <= seen {
            lo = hi;
            step *= 2;
        } else {
            return lo + list[lo..hi].partition_point(|e| e.seq <= seen);
        }
    }
    lo
}

/// The unseen accesses of one lane that a visit pairs with, of one kind.
pub(super) struct Unseen<'a> {
    pub(super) thread: u32,
    pub(super) name: &'a Rc<str>,
    pub(super) lane: u32,
    pub(super) write: bool,
    /// Place of the first of them in its list.
    pub(super) from: usize,
    pub(super) list: &'a [Entry],
}

/// Offers the pairs of access `f` (of thread `thread`, at Lamport clock `lamport`) with the
/// accesses `u` as witnesses: those earlier in the visit go to `own`, `f`'s own group; `f`
/// joins the groups of the later ones while they may show a pair.
#[expect(clippy::too_many_arguments, reason = "the visited access, spelled out")]
pub(super) fn offer(
    top: &mut Top,
    own: &mut Group,
    thread: u32,
    lamport: u32,
    name_f: &str,
    f: Access,
    u: &Unseen<'_>,
    cap: u64,
) {
    let at = |i: usize| Access {
        lane: u.lane,
        write: u.write,
        pos: (u.from + i) as u32,
    };
    let name = u.name;
    let earlier = u
        .list
        .partition_point(|e| (e.lamport, &**name) < (lamport, name_f));
    if earlier > 0 {
        own.count += earlier as u64;
        let shown = earlier.min(usize::try_from(cap).unwrap_or(usize::MAX));
        own.partners.push((u.thread, (0..shown).map(at).collect()));
    }
    for (i, e) in u.list.iter().enumerate().skip(earlier) {
        if top.bound(cap).is_some_and(|b| after(e.lamport, name, b)) {
            break;
        }
        let group = top
            .groups
            .entry((e.lamport, name.clone()))
            .or_insert_with(|| Group {
                b: at(i),
                count: 0,
                partners: Vec::new(),
            });
        group.count += 1;
        top.total += 1;
        match group.partners.iter_mut().find(|(t, _)| *t == thread) {
            Some((_, list)) => {
                if (list.len() as u64) < cap {
                    list.push(f);
                }
            }
            None => group.partners.push((thread, vec![f])),
        }
        top.prune(cap);
    }
}

/// The witnesses of one key: per kind, groups in the order of the visit, each group's
/// partners by event index, the first `cap`; write-write ones first.
pub(super) fn select_witnesses(state: &mut KeyState, cap: usize) -> Vec<Pair> {
    let mut pairs = Vec::new();
    let tops = std::mem::take(&mut state.tops);
    let state = &*state;
    for (kind, top) in [ConflictKind::WriteWrite, ConflictKind::ReadWrite]
        .into_iter()
        .zip(tops)
    {
        let mut shown = Vec::new();
        for group in top.groups.into_values() {
            if shown.len() >= cap {
                break;
            }
            let mut partners: Vec<Access> =
                group.partners.into_iter().flat_map(|(_, l)| l).collect();
            partners.sort_unstable_by_key(|&a| state.entry(a).idx);
            let room = cap - shown.len();
            shown.extend(partners.into_iter().take(room).map(|a| (a, group.b, kind)));
        }
        pairs.extend(shown);
    }
    pairs
}

/// Where the unseen writes and reads of `lane` (number `lane_no`, head `head`) start for a
/// reader that has seen its thread up to `seen` (reads only matter to a `write`).
pub(super) fn unseen_from(
    cursors: Option<&mut Vec<Cursor>>,
    lane_no: usize,
    head: &LaneHead,
    lane: &Lane,
    seen: u32,
    write: bool,
) -> (u32, u32) {
    match cursors {
        Some(row) => {
            let c = &mut row[lane_no];
            if seen >= c.next {
                c.writes = advance(&lane.writes, c.writes as usize, seen) as u32;
                c.reads = advance(&lane.reads, c.reads as usize, seen) as u32;
                // Accesses the lane has yet to get come after its last one.
                let later = head.last_write.max(head.last_read) + 1;
                let next = |list: &[Entry], at: u32| list.get(at as usize).map_or(later, |e| e.seq);
                c.next = next(&lane.writes, c.writes).min(next(&lane.reads, c.reads));
            }
            (c.writes, c.reads)
        }
        None => (
            unseen(&lane.writes, seen) as u32,
            if write {
                unseen(&lane.reads, seen) as u32
            } else {
                head.reads
            },
        ),
    }
}
