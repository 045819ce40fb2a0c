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
    /// Stopped by the deadline or by `stop`.
    Unknown,
}

/// Counts of the work done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SearchStats {
    /// Configurations stored in the memo.
    pub configurations: u64,
    /// Model steps taken.
    pub steps: u64,
}

const NIL: u32 = u32::MAX;

/// Searches `part` for a linearization; stops with [`SearchResult::Unknown`] after
/// `deadline` or once `stop` is set.
pub fn search(
    part: &mut Partition,
    deadline: Option<Instant>,
    stop: &AtomicBool,
) -> (SearchResult, SearchStats) {
    let n = part.ops.len();
    let list = List::new(part);
    let wild = Wildcards::new(part);
    let mut s = Search {
        list,
        taken_per_class: vec![0; wild.classes.len()],
        nonzero: Vec::new(),
        wild,
        memo: Memo::new(n),
        zobrist: (0..n as u64)
            .map(|i| mix(i ^ 0x9e37_79b9_7f4a_7c15))
            .collect(),
        scratch: Vec::new(),
        stats: SearchStats::default(),
    };
    let result = s.run(part, deadline, stop);
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
struct Wildcards {
    classes: Vec<Vec<u32>>,
}

impl Wildcards {
    fn new(part: &Partition) -> Wildcards {
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
        Wildcards { classes }
    }
}

/// What a step taken was.
#[derive(Clone, Copy)]
enum Move {
    /// An ordinary operation: its invocation entry.
    Op(u32),
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
    list: List,
    wild: Wildcards,
    taken_per_class: Vec<u32>,
    /// Classes with a nonzero count, sorted.
    nonzero: Vec<u32>,
    memo: Memo,
    zobrist: Vec<u64>,
    /// The compact form of a configuration, built when the memo needs it.
    scratch: Vec<u32>,
    stats: SearchStats,
}

/// The hash of "`count` taken of `class`".
#[inline]
fn class_hash(class: u32, count: u32) -> u64 {
    if count == 0 {
        0
    } else {
        mix(((u64::from(class) << 32) | u64::from(count)) ^ 0x5851_f42d_4c95_7f2d)
    }
}

impl Search {
    fn run(
        &mut self,
        part: &mut Partition,
        deadline: Option<Instant>,
        stop: &AtomicBool,
    ) -> SearchResult {
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
            if ticks & 0xfff == 0
                && (stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d))
            {
                return SearchResult::Unknown;
            }
            if self.list.is_call[entry as usize] {
                let k = self.list.op[entry as usize];
                self.stats.steps += 1;
                if let Some(next_state) = part.machine.step(state, part.steps[k as usize]) {
                    let next_hash = hash ^ self.zobrist[k as usize];
                    let next_high = high.max(k + 1);
                    // The invocation is still linked: the compact form leaves out `k`.
                    self.compact(next_high, k);
                    if self.memo.insert(
                        next_hash ^ mix(u64::from(next_state)),
                        next_state,
                        &self.scratch,
                    ) {
                        self.stats.configurations += 1;
                        taken.push(Taken {
                            how: Move::Op(entry),
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
                }
                entry = self.list.next[entry as usize];
                continue;
            }
            // A completion whose operation is not linearized yet: first a wildcard invoked
            // before it may help; else undo the last step.
            let due = part.rets[self.list.op[entry as usize] as usize];
            if let Some((class, k, next_state, next_hash)) =
                self.next_wildcard(part, due, next_class, state, hash, high)
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
            if taken.len() > best.len() {
                best.truncate(common);
                best.extend(taken[common..].iter().map(|t| t.op));
                common = taken.len();
            }
            let Some(top) = taken.pop() else {
                return SearchResult::Illegal(best);
            };
            common = common.min(taken.len());
            state = top.state;
            high = top.high;
            hash = top.hash;
            match top.how {
                Move::Op(e) => {
                    self.list.unlift(e);
                    entry = self.list.next[e as usize];
                    next_class = 0;
                }
                Move::Wild { class, at } => {
                    self.count(class, false);
                    entry = at;
                    next_class = class as usize + 1;
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
        due: u32,
        from: usize,
        state: u32,
        hash: u64,
        high: u32,
    ) -> Option<(usize, u32, u32, u64)> {
        for c in from..self.wild.classes.len() {
            let count = self.taken_per_class[c];
            let Some(&k) = self.wild.classes[c].get(count as usize) else {
                continue;
            };
            if part.calls[k as usize] >= due {
                continue;
            }
            self.stats.steps += 1;
            let next_state = match part.machine.step(state, part.steps[k as usize]) {
                Some(s) if s != state => s,
                // A step that changes nothing is never needed: not taking it is allowed.
                _ => continue,
            };
            let next_hash = hash ^ class_hash(c as u32, count) ^ class_hash(c as u32, count + 1);
            self.count(c as u32, true);
            self.compact(high, NIL);
            self.count(c as u32, false);
            if self.memo.insert(
                next_hash ^ mix(u64::from(next_state)),
                next_state,
                &self.scratch,
            ) {
                return Some((c, k, next_state, next_hash));
            }
        }
        None
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

    /// Builds in `scratch` the compact form of the configuration whose ordinary set is the
    /// linearized operations plus `adding` (NIL for none) with `high`, and whose wildcard
    /// counts are the current ones: `high`, the count of ordinary operations below `high`
    /// not linearized and those operations, then `class, count` pairs.
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
        for &c in &self.nonzero {
            self.scratch.push(c);
            self.scratch.push(self.taken_per_class[c as usize]);
        }
    }
}

/// SplitMix64's finaliser: a cheap hash of one word with good avalanche.
#[inline]
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The configurations seen: an open-addressing hash set whose members live in one arena
/// (`state, length, compact form...`), so a configuration costs a few words, not a copy of
/// the set.
struct Memo {
    /// Per slot: the full hash and the member's offset in `arena` plus one (0: empty).
    slots: Vec<(u64, u32)>,
    arena: Vec<u32>,
    len: usize,
}

impl Memo {
    fn new(ops: usize) -> Memo {
        let cap = (2 * ops.max(8)).next_power_of_two();
        Memo {
            slots: vec![(0, 0); cap],
            arena: Vec::with_capacity(4 * ops),
            len: 0,
        }
    }

    /// Adds (`state`, `form`) with hash `hash`; false when it was already there.
    fn insert(&mut self, hash: u64, state: u32, form: &[u32]) -> bool {
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
                let len = self.arena[at + 1] as usize;
                if self.arena[at] == state && &self.arena[at + 2..at + 2 + len] == form {
                    return false;
                }
            }
            i = (i + 1) & mask;
        }
        let at = self.arena.len();
        assert!(
            at < u32::MAX as usize - form.len() - 2,
            "the memo outgrew 16 GiB"
        );
        self.arena.push(state);
        self.arena.push(form.len() as u32);
        self.arena.extend_from_slice(form);
        self.slots[i] = (hash, at as u32 + 1);
        self.len += 1;
        true
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
        assert!(memo.insert(7, 1, &[3, 0, 1]));
        assert!(!memo.insert(7, 1, &[3, 0, 1]));
        // Same hash, different members: both kept.
        assert!(memo.insert(7, 2, &[3, 0, 1]));
        assert!(memo.insert(7, 1, &[3, 0]));
        for i in 0..1000u64 {
            assert!(memo.insert(i * 31, i as u32, &[i as u32]));
        }
        for i in 0..1000u64 {
            assert!(!memo.insert(i * 31, i as u32, &[i as u32]));
        }
    }
}
