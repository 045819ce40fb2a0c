//! Tree clocks (Mathur, Pavlogiannis, Tunç and Viswanathan, "A Tree Clock Data Structure for
//! Causal Orderings in Concurrent Executions", ASPLOS 2022): the same vector clocks as
//! [`super::VectorReplay`], with joins and copies that touch only what changes.
//!
//! A tree clock arranges the nodes it knows of in a tree rooted at its owner. A node `v` is a
//! child of `u` when the owner learned `v`'s current value through `u`; `aclk(v)` is `u`'s own
//! time when `u` learned it. Children are kept newest first. Because knowing `u` up to time `t`
//! means knowing everything `u` knew at `t`, a join can skip any subtree whose root the receiver
//! already knows, and can stop scanning `u`'s children at the first one attached at or before
//! the receiver's knowledge of `u`. A receive that brings nothing new costs one comparison; one
//! that brings news from `k` nodes costs `O(k)`, not `O(nodes)`.
//!
//! The counters themselves are kept dense (indexed by node), so a tree clock hands out a dense
//! row as flat rows do and every reader works unchanged; it also means a tree clock takes
//! memory for every node, which is why [`super::tree_fits`] bounds the nodes it is used for.

use foldhash::HashMap;

use super::row::{ClockRef, Row, RowPolicy};
use super::vector::awaited_receives;
use super::VectorReplay;
use crate::model::{EventIdx, NodeId, Trace};
use crate::order::Causality;

/// A whole tree clock copied counts as moving one node per this many nodes it holds: moving a
/// node costs a few scattered accesses, about what copying 20 nodes' worth of tree clock does.
const CLONE_PER_MOVED: usize = 20;

/// No node.
const NONE: u32 = u32::MAX;

/// Where a node sits in a tree clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Link {
    /// The parent's own time when this node was attached under it.
    aclk: u32,
    parent: u32,
    /// First (newest) child.
    first: u32,
    next: u32,
    prev: u32,
}

const DETACHED: Link = Link {
    aclk: 0,
    parent: NONE,
    first: NONE,
    next: NONE,
    prev: NONE,
};

/// One vector clock as a tree clock.
#[derive(Clone, Debug)]
pub struct TreeClock {
    clk: Vec<u32>,
    links: Vec<Link>,
    root: u32,
}

/// Buffers reused across joins and copies, and a count of the work done.
#[derive(Debug, Default)]
pub struct Scratch {
    stack: Vec<(u32, u32)>,
    found: Vec<u32>,
    /// Nodes moved by joins and copies so far: the work a flat clock would not do, against
    /// the nodes x joins it does.
    pub moved: u64,
}

impl TreeClock {
    /// The clock of `owner` before its first event: all zero.
    pub fn new(width: usize, owner: NodeId) -> Self {
        TreeClock {
            clk: vec![0; width],
            links: vec![DETACHED; width],
            root: owner.0,
        }
    }

    /// The counters, indexed by node.
    pub fn as_slice(&self) -> &[u32] {
        &self.clk
    }

    /// Sets the owner's own component (the position of its current event).
    pub fn set_own(&mut self, seq: u32) {
        self.clk[self.root as usize] = seq;
    }

    /// Makes `self` the component-wise maximum of `self` and `other`.
    ///
    /// Both must be clocks of events (knowing node `u` up to `t` implies knowing all that `u`
    /// knew at `t`), and `self`'s owner must not appear in `other` with a larger value. The
    /// owner's own component should already hold the current event, so that what arrives is
    /// attached at the receive's own time.
    pub fn join(&mut self, other: &TreeClock, scratch: &mut Scratch) {
        let r = other.root;
        if other.clk[r as usize] <= self.clk[r as usize] {
            return;
        }
        self.collect_news(other, NONE, scratch);
        scratch.moved += scratch.found.len() as u64;
        for &u in &scratch.found {
            self.detach(u);
        }
        let own = self.root;
        for i in (0..scratch.found.len()).rev() {
            let u = scratch.found[i];
            self.clk[u as usize] = other.clk[u as usize];
            if u == r {
                self.links[u as usize].aclk = self.clk[own as usize];
                self.attach(own, u);
            } else {
                let link = other.links[u as usize];
                self.links[u as usize].aclk = link.aclk;
                self.attach(link.parent, u);
            }
        }
    }

    /// Makes `self` equal to `other`, when `self` is already at most `other` in every
    /// component (a clock that `other` has joined): only what `other` knows newer is moved.
    pub fn monotone_copy(&mut self, other: &TreeClock, scratch: &mut Scratch) {
        debug_assert!(self.clk.iter().zip(&other.clk).all(|(a, b)| a <= b));
        let old_root = self.root;
        self.collect_news(other, old_root, scratch);
        let r = other.root;
        // The old root has no parent here and must hang somewhere in `other`'s shape; when the
        // scan skipped past it, fall back to copying everything.
        if old_root != r && !scratch.found.contains(&old_root) {
            scratch.moved += self.clk.len() as u64;
            self.clone_from(other);
            return;
        }
        scratch.moved += scratch.found.len() as u64;
        for &u in &scratch.found {
            self.detach(u);
        }
        for i in (0..scratch.found.len()).rev() {
            let u = scratch.found[i];
            self.clk[u as usize] = other.clk[u as usize];
            if u == r {
                self.links[u as usize].parent = NONE;
                self.links[u as usize].aclk = 0;
                self.root = r;
            } else {
                let link = other.links[u as usize];
                self.links[u as usize].aclk = link.aclk;
                self.attach(link.parent, u);
            }
        }
    }

    /// Fills `scratch.found` with the nodes `other` knows newer than `self` (and `keep`, when
    /// the scan meets it), children before parents, `other`'s root last.
    fn collect_news(&self, other: &TreeClock, keep: u32, scratch: &mut Scratch) {
        let Scratch { stack, found, .. } = scratch;
        stack.clear();
        found.clear();
        let r = other.root;
        stack.push((r, other.links[r as usize].first));
        while let Some(top) = stack.last_mut() {
            let (u, v) = *top;
            if v == NONE {
                stack.pop();
                found.push(u);
                continue;
            }
            let link = &other.links[v as usize];
            top.1 = link.next;
            if self.clk[v as usize] < other.clk[v as usize] {
                stack.push((v, link.first));
            } else {
                if v == keep {
                    found.push(v);
                }
                // Children attached no later than what `self` knows of `u` are known already,
                // and so are all older ones.
                if link.aclk <= self.clk[u as usize] {
                    top.1 = NONE;
                }
            }
        }
    }

    /// Takes `u` (and its subtree) out of its parent's children.
    fn detach(&mut self, u: u32) {
        let Link {
            parent, next, prev, ..
        } = self.links[u as usize];
        if parent == NONE {
            return;
        }
        if prev == NONE {
            self.links[parent as usize].first = next;
        } else {
            self.links[prev as usize].next = next;
        }
        if next != NONE {
            self.links[next as usize].prev = prev;
        }
        let link = &mut self.links[u as usize];
        link.parent = NONE;
        link.next = NONE;
        link.prev = NONE;
    }

    /// Puts `u` (detached, its `aclk` set) among `parent`'s children, newest first. News is
    /// newer than every child already there, so this is the front but for the old root that
    /// [`TreeClock::monotone_copy`] re-hangs.
    fn attach(&mut self, parent: u32, u: u32) {
        let aclk = self.links[u as usize].aclk;
        let mut prev = NONE;
        let mut next = self.links[parent as usize].first;
        while next != NONE && self.links[next as usize].aclk > aclk {
            prev = next;
            next = self.links[next as usize].next;
        }
        let link = &mut self.links[u as usize];
        link.parent = parent;
        link.prev = prev;
        link.next = next;
        if prev == NONE {
            self.links[parent as usize].first = u;
        } else {
            self.links[prev as usize].next = u;
        }
        if next != NONE {
            self.links[next as usize].prev = u;
        }
    }
}

/// Vector clocks computed on the fly with tree clocks, event by event in any causal order, as
/// [`super::VectorReplay`] computes them with flat ones.
///
/// Each node keeps its current tree clock. A send that some receiver still awaits keeps a
/// copy; when a node sends, it recycles the clock of the last message it received (which its
/// own clock has joined) and brings it up to date by a monotone copy, so a lock passed from
/// thread to thread (release, acquire, release) costs what changed, not a full copy.
#[derive(Debug)]
pub struct TreeReplay {
    current: Vec<TreeClock>,
    /// Per node, the clock of the last message it received, to recycle for its next send.
    spare: Vec<Option<TreeClock>>,
    /// Receives each send still awaits.
    awaited: Vec<u32>,
    in_flight: HashMap<EventIdx, TreeClock>,
    scratch: Scratch,
}

impl TreeReplay {
    /// A replay of `trace`, whose messages `causality` matched.
    pub fn new(trace: &Trace, causality: &Causality) -> Self {
        let width = trace.nodes.len();
        let awaited = awaited_receives(trace, causality);
        TreeReplay {
            current: (0..width)
                .map(|n| TreeClock::new(width, NodeId(n as u32)))
                .collect(),
            spare: vec![None; width],
            awaited,
            in_flight: HashMap::default(),
            scratch: Scratch::default(),
        }
    }

    /// Advances to event `e`, whose causal predecessors must all have been advanced to
    /// already, and returns its vector clock (indexed by node).
    pub fn advance(&mut self, trace: &Trace, causality: &Causality, e: EventIdx) -> ClockRef<'_> {
        let ev = trace.event(e);
        let node = ev.node.index();
        self.current[node].set_own(ev.seq);
        for s in causality.sends(e) {
            let left = &mut self.awaited[s.index()];
            *left -= 1;
            if *left == 0 {
                let sent = self
                    .in_flight
                    .remove(&s)
                    .expect("a send awaited by a receive is in flight");
                self.current[node].join(&sent, &mut self.scratch);
                self.spare[node] = Some(sent);
            } else {
                self.current[node].join(&self.in_flight[&s], &mut self.scratch);
            }
        }
        if self.awaited[e.index()] > 0 {
            let copy = match self.spare[node].take() {
                Some(mut spare) => {
                    spare.monotone_copy(&self.current[node], &mut self.scratch);
                    spare
                }
                None => {
                    // A whole copy: six times a flat row's bytes. Counted as work, so that
                    // `auto` sees what sends without a recycled clock cost.
                    self.scratch.moved += (self.current.len() / CLONE_PER_MOVED) as u64;
                    self.current[node].clone()
                }
            };
            self.in_flight.insert(e, copy);
        }
        ClockRef::Dense(self.current[node].as_slice())
    }

    /// Nodes moved by joins and copies so far (see [`Scratch::moved`]).
    pub fn moved(&self) -> u64 {
        self.scratch.moved
    }

    /// The same replay continued with flat rows: a tree clock's counters are a dense row.
    pub fn into_flat(self) -> VectorReplay {
        VectorReplay {
            width: self.current.len(),
            policy: RowPolicy::default(),
            current: self
                .current
                .into_iter()
                .map(|c| Row::Dense(c.clk))
                .collect(),
            awaited: self.awaited,
            in_flight: self
                .in_flight
                .into_iter()
                .map(|(e, c)| (e, Row::Dense(c.clk)))
                .collect(),
            scratch: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks the shape a tree clock promises: one tree from the root over exactly the nonzero
    /// nodes, consistent links, children newest first, none attached after its parent's time.
    fn assert_well_formed(c: &TreeClock) {
        let mut seen = vec![false; c.clk.len()];
        let mut stack = vec![c.root];
        assert_eq!(c.links[c.root as usize].parent, NONE);
        while let Some(u) = stack.pop() {
            assert!(!seen[u as usize], "node {u} reached twice");
            seen[u as usize] = true;
            let mut prev = NONE;
            let mut v = c.links[u as usize].first;
            while v != NONE {
                let link = c.links[v as usize];
                assert_eq!(link.parent, u);
                assert_eq!(link.prev, prev);
                assert!(link.aclk <= c.clk[u as usize], "attached in the future");
                if prev != NONE {
                    assert!(
                        c.links[prev as usize].aclk >= link.aclk,
                        "children out of order"
                    );
                }
                stack.push(v);
                prev = v;
                v = link.next;
            }
        }
        for (n, &value) in c.clk.iter().enumerate() {
            if value > 0 {
                assert!(seen[n], "node {n} has a value but is not in the tree");
            }
        }
    }

    fn join_flat(a: &mut [u32], b: &[u32]) {
        for (x, &y) in a.iter_mut().zip(b) {
            *x = (*x).max(y);
        }
    }

    /// A random message-passing run with lock-like hand-offs, on tree clocks and flat rows side
    /// by side: every join and every monotone copy agrees with the flat computation.
    #[test]
    fn joins_and_copies_agree_with_flat_clocks() {
        let width = 9;
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut rand = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut scratch = Scratch::default();
        for _ in 0..50 {
            let mut trees: Vec<TreeClock> = (0..width)
                .map(|n| TreeClock::new(width, NodeId(n as u32)))
                .collect();
            let mut flats = vec![vec![0u32; width]; width];
            // Messages in flight: (tree, flat). Locks: the clock of the last release.
            let mut mail: Vec<(TreeClock, Vec<u32>)> = Vec::new();
            let mut locks: Vec<Option<TreeClock>> = vec![None; 3];
            let mut lock_flat: Vec<Vec<u32>> = vec![vec![0; width]; 3];
            let mut spare: Vec<Option<TreeClock>> = vec![None; width];
            for _ in 0..400 {
                let n = rand(width);
                let seq = flats[n][n] + 1;
                trees[n].set_own(seq);
                flats[n][n] = seq;
                match rand(5) {
                    0 => {
                        let copy = match spare[n].take() {
                            Some(mut s) => {
                                s.monotone_copy(&trees[n], &mut scratch);
                                s
                            }
                            None => trees[n].clone(),
                        };
                        mail.push((copy, flats[n].clone()));
                    }
                    1 if !mail.is_empty() => {
                        let (t, f) = mail.swap_remove(rand(mail.len()));
                        trees[n].join(&t, &mut scratch);
                        join_flat(&mut flats[n], &f);
                        spare[n] = Some(t);
                    }
                    2 => {
                        // Acquire then, a little later, release lock l.
                        let l = rand(3);
                        if let Some(t) = &locks[l] {
                            trees[n].join(t, &mut scratch);
                            join_flat(&mut flats[n], &lock_flat[l].clone());
                        }
                        let seq = flats[n][n] + 1;
                        trees[n].set_own(seq);
                        flats[n][n] = seq;
                        match &mut locks[l] {
                            Some(t) => t.monotone_copy(&trees[n], &mut scratch),
                            None => locks[l] = Some(trees[n].clone()),
                        }
                        lock_flat[l] = flats[n].clone();
                    }
                    _ => {}
                }
                assert_eq!(trees[n].as_slice(), &flats[n][..]);
                assert_well_formed(&trees[n]);
            }
            for (l, t) in locks.iter().enumerate() {
                if let Some(t) = t {
                    assert_eq!(t.as_slice(), &lock_flat[l][..]);
                    assert_well_formed(t);
                }
            }
            for (t, f) in &mail {
                assert_eq!(t.as_slice(), &f[..]);
                assert_well_formed(t);
            }
        }
    }
}
