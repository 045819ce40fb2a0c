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

/// How many of a lane's latest accesses its head keeps: its newest and, as distances from
/// it, the `RECENT - 1` before.
pub(super) const RECENT: usize = 8;

const _: () = assert!(RECENT <= 8, "recent_writes has 8 bits");

/// Bits set in each byte: `count_ones` is a loop of shifts and masks on x86-64 processors
/// without `popcnt`, the ones a build must assume.
const ONES: [u32; 256] = {
    let mut ones = [0; 256];
    let mut i = 0;
    while i < 256 {
        ones[i] = (i as u8).count_ones();
        i += 1;
    }
    ones
};

/// What a visit looks at first for each lane (see `conflicts::LaneHead`).
#[derive(Clone, Copy, Debug)]
pub(super) struct LaneHead {
    pub(super) thread: u32,
    pub(super) last_write: u32,
    pub(super) last_read: u32,
    /// Writes and reads in the lane.
    pub(super) writes: u32,
    pub(super) reads: u32,
    /// For the lane's accesses before its newest, the latest first: how far each is (in
    /// positions of the thread) from the newest, at most `u16::MAX` (also for no access).
    /// Two bytes, not a position's four: with hundreds of lanes per key, heads are what
    /// every visit reads.
    pub(super) behind: [u16; RECENT - 1],
    /// Bit 0 set: the newest access is a write; bit `i + 1`: the one `behind[i]` stands
    /// for.
    pub(super) recent_writes: u8,
}

impl LaneHead {
    /// A lane of thread `thread` with no access yet.
    pub(super) fn new(thread: u32) -> Self {
        LaneHead {
            thread,
            last_write: 0,
            last_read: 0,
            writes: 0,
            reads: 0,
            behind: [u16::MAX; RECENT - 1],
            recent_writes: 0,
        }
    }

    fn newest(&self) -> u32 {
        self.last_write.max(self.last_read)
    }

    /// Counts the access at position `seq` of the thread, past every earlier one.
    pub(super) fn push(&mut self, seq: u32, write: bool) {
        let newest = self.newest();
        if self.writes + self.reads > 0 {
            let gap = u16::try_from(seq - newest).unwrap_or(u16::MAX);
            self.behind.rotate_right(1);
            self.behind[0] = 0;
            for d in &mut self.behind {
                *d = d.saturating_add(gap);
            }
        }
        if write {
            self.last_write = seq;
            self.writes += 1;
        } else {
            self.last_read = seq;
            self.reads += 1;
        }
        self.recent_writes = (self.recent_writes << 1) | u8::from(write);
    }

    /// The writes and reads of the lane past `seen`, from its latest accesses alone, or
    /// `None` when that cannot tell (every one of them is past `seen` and the lane has
    /// older ones, or `seen` is `u16::MAX` or more behind the newest). Most readers lag a
    /// lane by a few accesses (with 256 threads on 32 locks, 99 % of lanes by at most 8):
    /// no list is read, where with hundreds of lanes a visit would take as many cache
    /// misses. Without branches: how far a reader lags is a coin toss for the predictor.
    pub(super) fn recent_unseen(&self, seen: u32) -> Option<(u32, u32)> {
        let newest = self.newest();
        if newest <= seen {
            return Some((0, 0));
        }
        // An access `d` behind the newest is past `seen` when `d < lag`; a distance kept
        // as u16::MAX is at least that, so the test holds while `lag` is at most u16::MAX.
        let lag = newest - seen;
        if lag > u32::from(u16::MAX) {
            return None;
        }
        // The bits of `recent_writes`: the newest, past `seen`, then `behind`.
        let mut past = 1u32;
        for (i, &d) in self.behind.iter().enumerate() {
            past |= u32::from(u32::from(d) < lag) << (i + 1);
        }
        let writes = ONES[usize::from(past as u8 & self.recent_writes)];
        let all = ONES[past as usize];
        if all == RECENT as u32 && self.writes + self.reads > RECENT as u32 {
            return None;
        }
        Some((writes, all - writes))
    }
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
    /// The thread and position of the latest access.
    pub(super) latest: Option<(u32, u32)>,
    /// Whether two accesses so far were concurrent: until then each access happened after
    /// every earlier one (as where a lock guards the key), and one that has seen the latest
    /// has seen them all, with no lane to visit.
    pub(super) unordered: bool,
}

impl KeyState {
    /// Whether an access by `thread` with clock `vc` has seen every earlier access, known
    /// without visiting the lanes (see `unordered`); notes the access as the latest.
    pub(super) fn after_all(&mut self, thread: u32, seq: u32, vc: &[u32]) -> bool {
        let after = !self.unordered
            && self
                .latest
                .is_none_or(|(t, s)| t == thread || vc.get(t as usize).is_some_and(|&c| c >= s));
        self.unordered |= !after;
        self.latest = Some((thread, seq));
        after
    }

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
                // From the end, not on from the cursor: a cursor is not moved while the
                // lane's latest accesses answer, and may be far behind by now.
                c.writes = unseen(&lane.writes, seen) as u32;
                c.reads = unseen(&lane.reads, seen) as u32;
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The head's answer from its latest accesses, whenever it gives one, is the count of
        /// a plain list of every access past `seen`: gaps past `u16::MAX`, readers far
        /// behind, lanes shorter and longer than `RECENT`.
        #[test]
        fn recent_unseen_counts_what_a_full_list_counts(
            accesses in proptest::collection::vec(
                (prop_oneof![1u32..4, 1u32..40, 60_000u32..70_000], any::<bool>()),
                0..30,
            ),
            seens in proptest::collection::vec(any::<prop::sample::Index>(), 1..20),
            shift in prop_oneof![Just(0u32), 0u32..80_000],
        ) {
            let mut head = LaneHead::new(0);
            let mut all = Vec::new();
            let mut seq = 0;
            for (gap, write) in accesses {
                seq += gap;
                head.push(seq, write);
                all.push((seq, write));
            }
            let newest = all.last().map_or(0, |a| a.0);
            for pick in seens {
                let seen = pick.index(newest as usize + 2) as u32;
                let seen = seen.saturating_sub(shift);
                let past = all.iter().filter(|a| a.0 > seen);
                let expected = (
                    past.clone().filter(|a| a.1).count() as u32,
                    past.filter(|a| !a.1).count() as u32,
                );
                match head.recent_unseen(seen) {
                    Some(got) => prop_assert_eq!(got, expected, "seen {}", seen),
                    None => prop_assert!(
                        expected.0 + expected.1 >= RECENT as u32
                            || newest - seen > u32::from(u16::MAX),
                        "no answer where the latest accesses tell: seen {}", seen
                    ),
                }
            }
        }
    }
}
