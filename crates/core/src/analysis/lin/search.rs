//! The search for a linearization of one partition: Wing and Gong's backtracking over the
//! invocations and completions in real-time order, with Lowe's memoisation of the
//! configurations already explored.
//!
//! The operations that completed are a doubly linked list of entries (invocations and
//! completions, in order), kept in arrays. The search walks it from the front: an invocation
//! whose operation the model accepts in the current state is linearized (its two entries are
//! unlinked and the step pushed); a completion reached means its operation was not linearized
//! in time, so the last step is undone and the next candidate tried. A configuration is the
//! set of linearized operations and the model state; one seen before led nowhere and is not
//! explored again.
//!
//! Operations of unknown outcome (`:info`, or never completed) may take effect at any time
//! after their invocation, or never. They are not in the list: they are wildcards, grouped by
//! their step (all `write 3`s are one class). Once invoked, two of one class are
//! interchangeable, so the search takes them in invocation order and a configuration records
//! only how many of each class it has taken. It tries them only where a completion forces a
//! choice (after every ordinary candidate), and never where the step would change nothing,
//! since not taking an operation at all is always allowed.
//!
//! The set is never copied whole. It is hashed incrementally (one random word per operation,
//! and per class and count, XORed in and out), and stored exactly in a compact form: `high`,
//! one past the highest linearized ordinary operation, the ordinary operations below `high`
//! not yet linearized (the invocations at the front of the list: a walk over the operations
//! in flight, not over the history), and the counts taken per class. Knows nothing of input
//! or output.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::model::{Partition, Step, NEVER};

/// How the search of one partition ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SearchResult {
    /// A linearization: partition-local operation indices in linearization order (operations
    /// of unknown outcome that never took effect are left out).
    Linearizable(Vec<u32>),
    /// No linearization exists; the longest linearizable prefix found, in order.
    Illegal(Vec<u32>),
    /// Stopped by the deadline, by `stop` or by the step budget: the longest linearizable
    /// prefix found so far.
    Unknown(Vec<u32>),
}

/// Counts of the work done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SearchStats {
    /// Configurations stored in the memo.
    pub configurations: u64,
    /// Model steps taken.
    pub steps: u64,
}

/// The work of two searches together.
impl std::ops::Add for SearchStats {
    type Output = SearchStats;

    fn add(self, other: SearchStats) -> SearchStats {
        SearchStats {
            configurations: self.configurations + other.configurations,
            steps: self.steps + other.steps,
        }
    }
}

const NIL: u32 = u32::MAX;

/// Where a search must stop undecided: at an instant, when a flag is set, or after a number
/// of model steps.
#[derive(Clone, Copy, Debug)]
pub struct Limits<'a> {
    /// The instant.
    pub deadline: Option<Instant>,
    /// The flag.
    pub stop: &'a AtomicBool,
    /// The steps.
    pub steps: Option<u64>,
}

/// How operations of unknown outcome are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wildcards {
    /// Exactly: each takes effect at most once, and not before its invocation.
    Exact,
    /// As an endless supply per class from the first invocation on: more histories fit, so
    /// a history that does not fit even so does not fit exactly either, and the search,
    /// which no longer tells configurations apart by how many it used, is far smaller.
    /// Appends stay exact: an endless supply of one would make endless states.
    Relaxed,
}

/// Whether the partition has operations of unknown outcome.
pub fn has_wildcards(part: &Partition) -> bool {
    part.rets.contains(&NEVER)
}

/// Searches `part` for a linearization; stops with [`SearchResult::Unknown`] at `limits`.
/// A linearization found with [`Wildcards::Relaxed`] may use an operation of unknown outcome
/// more than once.
pub fn search(
    part: &mut Partition,
    limits: Limits<'_>,
    wildcards: Wildcards,
) -> (SearchResult, SearchStats) {
    let n = part.ops.len();
    let list = List::new(part);
    let wild = Classes::new(part);
    let endless = wild
        .classes
        .iter()
        .map(|c| {
            wildcards == Wildcards::Relaxed && !matches!(part.steps[c[0] as usize], Step::Append(_))
        })
        .collect();
    let mut s = Search {
        endless,
        list,
        taken_per_class: vec![0; wild.classes.len()],
        nonzero: Vec::new(),
        wild,
        memo: Memo::new(n),
        zobrist: (0..n as u64)
            .map(|i| mix(i ^ 0x9e37_79b9_7f4a_7c15))
            .collect(),
        scratch: Vec::new(),
        pairs: Vec::new(),
        needed: Vec::new(),
        stats: SearchStats::default(),
    };
    let result = s.run(part, limits);
    (result, s.stats)
}

/// The completed operations' entries in real-time order, as a doubly linked list over
/// arrays; entry 0 is the head sentinel.
struct List {
    next: Vec<u32>,
    prev: Vec<u32>,
    /// For each entry: its operation, and whether it is the invocation.
    op: Vec<u32>,
    is_call: Vec<bool>,
    /// For each operation: its completion entry (NIL for wildcards).
    ret_entry: Vec<u32>,
}

impl List {
    fn new(part: &Partition) -> List {
        let n = part.ops.len();
        // (position, completion?, op); positions are distinct within a history.
        let mut entries: Vec<(u32, bool, u32)> = Vec::with_capacity(2 * n);
        for k in 0..n {
            if part.rets[k] != NEVER {
                entries.push((part.calls[k], false, k as u32));
                entries.push((part.rets[k], true, k as u32));
            }
        }
        entries.sort_unstable();
        let len = entries.len() + 1;
        let mut list = List {
            next: (1..=len as u32)
                .map(|i| if i as usize == len { NIL } else { i })
                .collect(),
            prev: (0..len as u32)
                .map(|i| if i == 0 { NIL } else { i - 1 })
                .collect(),
            op: Vec::with_capacity(len),
            is_call: Vec::with_capacity(len),
            ret_entry: vec![NIL; n],
        };
        list.op.push(NIL);
        list.is_call.push(false);
        for (i, &(_, ret, k)) in entries.iter().enumerate() {
            list.op.push(k);
            list.is_call.push(!ret);
            if ret {
                list.ret_entry[k as usize] = i as u32 + 1;
            }
        }
        list
    }

    /// Unlinks invocation entry `e` and its completion.
    #[inline]
    fn lift(&mut self, e: u32) {
        let r = self.ret_entry[self.op[e as usize] as usize];
        self.unlink(e);
        self.unlink(r);
    }

    /// Undoes [`List::lift`] of `e`.
    #[inline]
    fn unlift(&mut self, e: u32) {
        let r = self.ret_entry[self.op[e as usize] as usize];
        self.relink(r);
        self.relink(e);
    }

    #[inline]
    fn unlink(&mut self, e: u32) {
        let (p, n) = (self.prev[e as usize], self.next[e as usize]);
        self.next[p as usize] = n;
        if n != NIL {
            self.prev[n as usize] = p;
        }
    }

    #[inline]
    fn relink(&mut self, e: u32) {
        let (p, n) = (self.prev[e as usize], self.next[e as usize]);
        self.next[p as usize] = e;
        if n != NIL {
            self.prev[n as usize] = e;
        }
    }
}

/// The operations of unknown outcome, per class of equal steps, each class in invocation
/// order.
struct Classes {
    classes: Vec<Vec<u32>>,
}

impl Classes {
    fn new(part: &Partition) -> Classes {
        let mut index: std::collections::HashMap<Step, usize> = std::collections::HashMap::new();
        let mut classes: Vec<Vec<u32>> = Vec::new();
        for k in 0..part.ops.len() {
            if part.rets[k] == NEVER {
                let c = *index.entry(part.steps[k]).or_insert_with(|| {
                    classes.push(Vec::new());
                    classes.len() - 1
                });
                classes[c].push(k as u32);
            }
        }
        Classes { classes }
    }
}

/// What a step taken was.
#[derive(Clone, Copy)]
enum Move {
    /// An ordinary operation: its invocation entry.
    Op(u32),
    /// A read, taken as soon as it fitted: its invocation entry.
    Read(u32),
    /// The next wildcard of a class, taken at the completion entry `at`.
    Wild { class: u32, at: u32 },
}

/// A step taken, with what it changed.
#[derive(Clone, Copy)]
struct Taken {
    how: Move,
    op: u32,
    state: u32,
    high: u32,
    hash: u64,
}

struct Search {
    /// Per class: counted as an endless supply (see [`Wildcards::Relaxed`]).
    endless: Vec<bool>,
    list: List,
    wild: Classes,
    taken_per_class: Vec<u32>,
    /// Classes with a nonzero count, sorted.
    nonzero: Vec<u32>,
    memo: Memo,
    zobrist: Vec<u64>,
    /// The compact form of a configuration's ordinary part, built when the memo needs it.
    scratch: Vec<u32>,
    /// Its wildcard counts, as `class, count` pairs.
    pairs: Vec<u32>,
    /// Values that operations able to go next observe (see [`Search::needed_values`]).
    needed: Vec<u32>,
    stats: SearchStats,
}

impl Search {
    #[expect(
        clippy::too_many_lines,
        reason = "the search loop: its state lives in locals that every branch updates"
    )]
    fn run(&mut self, part: &mut Partition, limits: Limits<'_>) -> SearchResult {
        let mut state = part.initial;
        let mut hash: u64 = 0;
        let mut high: u32 = 0;
        let mut taken: Vec<Taken> = Vec::new();
        // The longest prefix seen at a dead end, and how much of `taken` it still shares.
        let mut best: Vec<u32> = Vec::new();
        let mut common = 0usize;
        let mut entry = self.list.next[0];
        // At a completion entry: the first wildcard class still to try there.
        let mut next_class = 0usize;
        let mut ticks: u32 = 0;
        while self.list.next[0] != NIL {
            ticks = ticks.wrapping_add(1);
            let out_of_steps = limits.steps.is_some_and(|n| self.stats.steps >= n);
            if out_of_steps
                || (ticks & 0xfff == 1
                    && (limits.stop.load(Ordering::Relaxed)
                        || limits.deadline.is_some_and(|d| Instant::now() >= d)))
            {
                if taken.len() > best.len() {
                    best = taken.iter().map(|t| t.op).collect();
                }
                return SearchResult::Unknown(best);
            }
            // Whether the current configuration is known to lead nowhere.
            let mut dead = false;
            if self.list.is_call[entry as usize] {
                let k = self.list.op[entry as usize];
                let step = part.steps[k as usize];
                self.stats.steps += 1;
                if let Some(next_state) = part.machine.step(state, step) {
                    let next_hash = hash ^ self.zobrist[k as usize];
                    let next_high = high.max(k + 1);
                    // The invocation is still linked: the compact form leaves out `k`.
                    self.compact(next_high, k);
                    let read = matches!(step, Step::Read(_));
                    if self.memo.insert(
                        next_hash ^ mix(u64::from(next_state)),
                        next_state,
                        &self.scratch,
                        &self.pairs,
                        &self.taken_per_class,
                    ) {
                        self.stats.configurations += 1;
                        taken.push(Taken {
                            how: if read {
                                Move::Read(entry)
                            } else {
                                Move::Op(entry)
                            },
                            op: k,
                            state,
                            high,
                            hash,
                        });
                        state = next_state;
                        hash = next_hash;
                        high = next_high;
                        self.list.lift(entry);
                        entry = self.list.next[0];
                        next_class = 0;
                        continue;
                    }
                    // A read that fits now is best taken now: the configuration with it
                    // taken can do all this one can (a read changes nothing, and its
                    // predecessors in real time are all linearized). That one led nowhere.
                    dead = read;
                }
                if !dead {
                    entry = self.list.next[entry as usize];
                    continue;
                }
            }
            if !dead {
                // A completion whose operation is not linearized yet: first a wildcard
                // invoked before it may help; else undo the last step.
                let due = part.rets[self.list.op[entry as usize] as usize];
                if let Some((class, k, next_state, next_hash)) =
                    self.next_wildcard(part, entry, due, next_class, state, hash, high)
                {
                    self.stats.configurations += 1;
                    taken.push(Taken {
                        how: Move::Wild {
                            class: class as u32,
                            at: entry,
                        },
                        op: k,
                        state,
                        high,
                        hash,
                    });
                    self.count(class as u32, true);
                    state = next_state;
                    hash = next_hash;
                    entry = self.list.next[0];
                    next_class = 0;
                    continue;
                }
            }
            if taken.len() > best.len() {
                best.truncate(common);
                best.extend(taken[common..].iter().map(|t| t.op));
                common = taken.len();
            }
            // Undo steps until one leaves other candidates to try: a read taken as soon as
            // it fitted leaves none (see above).
            loop {
                let Some(top) = taken.pop() else {
                    return SearchResult::Illegal(best);
                };
                common = common.min(taken.len());
                state = top.state;
                high = top.high;
                hash = top.hash;
                match top.how {
                    Move::Read(e) => {
                        self.list.unlift(e);
                    }
                    Move::Op(e) => {
                        self.list.unlift(e);
                        entry = self.list.next[e as usize];
                        next_class = 0;
                        break;
                    }
                    Move::Wild { class, at } => {
                        self.count(class, false);
                        entry = at;
                        next_class = class as usize + 1;
                        break;
                    }
                }
            }
        }
        SearchResult::Linearizable(taken.iter().map(|t| t.op).collect())
    }

    /// The first wildcard class from `from` on whose next operation was invoked before
    /// position `due`, changes the state, and leads to a configuration not seen before; the
    /// configuration is recorded. Returns the class, the operation, the state and the hash.
    #[allow(clippy::too_many_arguments)]
    fn next_wildcard(
        &mut self,
        part: &mut Partition,
        at: u32,
        due: u32,
        from: usize,
        state: u32,
        hash: u64,
        high: u32,
    ) -> Option<(usize, u32, u32, u64)> {
        if from >= self.wild.classes.len() {
            return None;
        }
        let anything = self.needed_values(part, at, due);
        for c in from..self.wild.classes.len() {
            let count = self.taken_per_class[c];
            let Some(&k) = self.wild.classes[c].get(self.member(c, count)) else {
                continue;
            };
            if part.calls[k as usize] >= due {
                continue;
            }
            let useful = anything
                || match part.steps[k as usize] {
                    Step::Write(v) | Step::CasMaybe(_, v) => self.needed.contains(&v),
                    _ => true,
                };
            if !useful {
                continue;
            }
            self.stats.steps += 1;
            let next_state = match part.machine.step(state, part.steps[k as usize]) {
                Some(s) if s != state => s,
                // A step that changes nothing is never needed: not taking it is allowed.
                _ => continue,
            };
            let next_hash = hash;
            self.count(c as u32, true);
            self.compact(high, NIL);
            let fresh = self.memo.insert(
                next_hash ^ mix(u64::from(next_state)),
                next_state,
                &self.scratch,
                &self.pairs,
                &self.taken_per_class,
            );
            self.count(c as u32, false);
            if fresh {
                return Some((c, k, next_state, next_hash));
            }
        }
        None
    }

    /// Fills `needed` with the values some operation that could go next observes: the value
    /// a read returned, the old value of a compare-and-set, and (through wildcard
    /// compare-and-sets that would turn it into one of those) their old values. A wildcard
    /// write is worth taking only right before an operation that observes its value: in any
    /// linearization, one followed by anything else can be dropped (a write overwrites it, a
    /// read of another value cannot follow it) or is useless at the end. Returns true when
    /// every value may be needed (an append observes any state).
    fn needed_values(&mut self, part: &Partition, at: u32, due: u32) -> bool {
        self.needed.clear();
        let mut e = self.list.next[0];
        while e != NIL && e != at {
            if self.list.is_call[e as usize] {
                match part.steps[self.list.op[e as usize] as usize] {
                    Step::Read(v) | Step::Cas(v, _) => self.needed.push(v),
                    Step::Append(_) => return true,
                    _ => {}
                }
            }
            e = self.list.next[e as usize];
        }
        loop {
            let before = self.needed.len();
            for c in 0..self.wild.classes.len() {
                let Some(&k) = self.wild.classes[c].get(self.member(c, self.taken_per_class[c]))
                else {
                    continue;
                };
                if part.calls[k as usize] >= due {
                    continue;
                }
                match part.steps[k as usize] {
                    Step::CasMaybe(old, new)
                        if self.needed.contains(&new) && !self.needed.contains(&old) =>
                    {
                        self.needed.push(old);
                    }
                    Step::Append(_) => return true,
                    _ => {}
                }
            }
            if self.needed.len() == before {
                return false;
            }
        }
    }

    /// The member of `class` taken next, after `count` were taken.
    fn member(&self, class: usize, count: u32) -> usize {
        if self.endless[class] {
            0
        } else {
            count as usize
        }
    }

    /// Takes (or gives back) one wildcard of `class`.
    fn count(&mut self, class: u32, up: bool) {
        let n = &mut self.taken_per_class[class as usize];
        if up {
            *n += 1;
            if *n == 1 {
                let i = self.nonzero.binary_search(&class).unwrap_err();
                self.nonzero.insert(i, class);
            }
        } else {
            *n -= 1;
            if *n == 0 {
                let i = self.nonzero.binary_search(&class).expect("counted");
                self.nonzero.remove(i);
            }
        }
    }

    /// Builds in `scratch` the compact form of the ordinary part of the configuration whose
    /// ordinary set is the linearized operations plus `adding` (NIL for none) with `high`:
    /// `high`, the count of ordinary operations below `high` not linearized, and those
    /// operations; and in `pairs` the current wildcard counts, `class, count` for each class
    /// taken from.
    fn compact(&mut self, high: u32, adding: u32) {
        self.scratch.clear();
        self.scratch.push(high);
        self.scratch.push(0);
        let mut e = self.list.next[0];
        while e != NIL {
            if self.list.is_call[e as usize] {
                let k = self.list.op[e as usize];
                if k >= high {
                    break;
                }
                if k != adding {
                    self.scratch.push(k);
                }
            }
            e = self.list.next[e as usize];
        }
        self.scratch[1] = (self.scratch.len() - 2) as u32;
        self.pairs.clear();
        for &c in &self.nonzero {
            // An endless class is the same whatever was taken from it.
            if self.endless[c as usize] {
                continue;
            }
            self.pairs.push(c);
            self.pairs.push(self.taken_per_class[c as usize]);
        }
    }
}

/// Whether counts `small` (sorted `class, count` pairs) take no more of any class than
/// `big` does.
fn covers(small: &[u32], big: &[u32]) -> bool {
    let mut j = 0;
    for p in small.chunks_exact(2) {
        while j < big.len() && big[j] < p[0] {
            j += 2;
        }
        if j >= big.len() || big[j] != p[0] || big[j + 1] < p[1] {
            return false;
        }
    }
    true
}

/// SplitMix64's finaliser: a cheap hash of one word with good avalanche.
#[inline]
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The configurations seen: an open-addressing hash table from the ordinary part (state
/// and compact form) to the wildcard counts seen with it. Members live in arenas, so a
/// configuration costs a few words, not a copy of the set.
///
/// Counts are compared by inclusion: taking fewer wildcards leaves more of them for later,
/// so a configuration that has taken at least as many of every class as one seen before can
/// do nothing that one could not, and is not explored again. Each ordinary part keeps a
/// chain of the counts it was seen with.
struct Memo {
    /// Per slot: the full hash and the member's offset in `keys` plus one (0: empty).
    slots: Vec<(u64, u32)>,
    /// Per ordinary part: `state, length, form..., head`, where `head` is the offset in
    /// `counts` of its newest counts plus one.
    keys: Vec<u32>,
    /// Per counts seen: `next, pairs length, class, count, ...` (`next` as `head`).
    counts: Vec<u32>,
    len: usize,
}

impl Memo {
    fn new(ops: usize) -> Memo {
        let cap = (2 * ops.max(8)).next_power_of_two();
        Memo {
            slots: vec![(0, 0); cap],
            keys: Vec::with_capacity(4 * ops),
            counts: Vec::new(),
            len: 0,
        }
    }

    /// Records the configuration (`state`, `form`, `pairs`) with hash `hash` (of state and
    /// form); false when it, or one that took no more of any class, was recorded before.
    /// `taken` holds the counts of `pairs` by class.
    fn insert(
        &mut self,
        hash: u64,
        state: u32,
        form: &[u32],
        pairs: &[u32],
        taken: &[u32],
    ) -> bool {
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let (h, at) = self.slots[i];
            if at == 0 {
                break;
            }
            if h == hash {
                let at = at as usize - 1;
                let len = self.keys[at + 1] as usize;
                if self.keys[at] == state && &self.keys[at + 2..at + 2 + len] == form {
                    let head_at = at + 2 + len;
                    // Walk the chain; counts the new ones cover (took no fewer of any class)
                    // are unlinked, since the new ones will answer for them.
                    let mut link = head_at;
                    let mut in_keys = true;
                    let mut c = self.keys[head_at];
                    while c != 0 {
                        let r = c as usize - 1;
                        let n = self.counts[r + 1] as usize;
                        let seen = &self.counts[r + 2..r + 2 + n];
                        if seen.chunks_exact(2).all(|p| taken[p[0] as usize] >= p[1]) {
                            return false;
                        }
                        let next = self.counts[r];
                        if covers(pairs, seen) {
                            if in_keys {
                                self.keys[link] = next;
                            } else {
                                self.counts[link] = next;
                            }
                        } else {
                            link = r;
                            in_keys = false;
                        }
                        c = next;
                    }
                    let head = self.keys[head_at];
                    self.keys[head_at] = self.push_counts(head, pairs);
                    return true;
                }
            }
            i = (i + 1) & mask;
        }
        let at = self.keys.len();
        assert!(
            at < u32::MAX as usize - form.len() - 3,
            "the memo outgrew 16 GiB"
        );
        let head = self.push_counts(0, pairs);
        self.keys.push(state);
        self.keys.push(form.len() as u32);
        self.keys.extend_from_slice(form);
        self.keys.push(head);
        self.slots[i] = (hash, at as u32 + 1);
        self.len += 1;
        true
    }

    /// Stores counts before `next`; returns their offset plus one.
    fn push_counts(&mut self, next: u32, pairs: &[u32]) -> u32 {
        let at = self.counts.len();
        assert!(
            at < u32::MAX as usize - pairs.len() - 2,
            "the memo outgrew 16 GiB"
        );
        self.counts.push(next);
        self.counts.push(pairs.len() as u32);
        self.counts.extend_from_slice(pairs);
        at as u32 + 1
    }

    fn grow(&mut self) {
        let bigger = vec![(0, 0); 2 * self.slots.len()];
        let old = std::mem::replace(&mut self.slots, bigger);
        let mask = self.slots.len() - 1;
        for (h, at) in old.into_iter().filter(|&(_, at)| at != 0) {
            let mut i = h as usize & mask;
            while self.slots[i].1 != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = (h, at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_tells_configurations_apart_exactly() {
        let mut memo = Memo::new(1);
        assert!(memo.insert(7, 1, &[3, 0, 1], &[], &[]));
        assert!(!memo.insert(7, 1, &[3, 0, 1], &[], &[]));
        // Same hash, different members: both kept.
        assert!(memo.insert(7, 2, &[3, 0, 1], &[], &[]));
        assert!(memo.insert(7, 1, &[3, 0], &[], &[]));
        for i in 0..1000u64 {
            assert!(memo.insert(i * 31, i as u32, &[i as u32], &[], &[]));
        }
        for i in 0..1000u64 {
            assert!(!memo.insert(i * 31, i as u32, &[i as u32], &[], &[]));
        }
    }

    #[test]
    fn configurations_that_took_more_wildcards_are_covered() {
        let mut memo = Memo::new(1);
        // Class 0 taken once, class 1 not at all.
        assert!(memo.insert(5, 1, &[2, 0], &[0, 1], &[1, 0]));
        assert!(!memo.insert(5, 1, &[2, 0], &[0, 2, 1, 1], &[2, 1]));
        // Fewer taken: new.
        assert!(memo.insert(5, 1, &[2, 0], &[1, 1], &[0, 1]));
        assert!(memo.insert(5, 1, &[2, 0], &[], &[0, 0]));
        assert!(!memo.insert(5, 1, &[2, 0], &[0, 1], &[1, 0]));
    }
}
