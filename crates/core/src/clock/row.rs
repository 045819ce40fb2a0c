//! One vector clock at a time, as the replays hold them: sparse while few of its components
//! are nonzero, dense once many are. This layer computes joins and reads; it stores no clock
//! per event and writes nothing.
//!
//! A dense row is `width` counters indexed by node; a sparse row lists its nonzero components
//! as `(node, count)` entries sorted by node. A node's clock starts sparse (holding only its
//! own component) and turns dense for good once its entries would take more than a fixed
//! share of a dense row ([`RowPolicy`]), so that memory grows with the components actually
//! used, not with nodes x nodes, and clocks that fill keep the fast dense joins. With few nodes
//! every row is dense from the start.

use std::cmp::Ordering;

use crate::model::NodeId;

/// A nonzero component of a sparse clock: how many of `node`'s events the clock has seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entry {
    /// The node, an index into the trace's nodes.
    pub node: u32,
    /// Its count, never zero.
    pub count: u32,
}

/// A borrowed vector clock: dense counters or sparse entries. Components past a dense row's
/// end are zero.
#[derive(Clone, Copy, Debug)]
pub enum ClockRef<'a> {
    /// Counters indexed by node.
    Dense(&'a [u32]),
    /// Nonzero components, sorted by node.
    Sparse(&'a [Entry]),
}

impl<'a> ClockRef<'a> {
    /// Component `n`: how many of node `n`'s events the clock has seen.
    #[inline]
    pub fn get(self, n: usize) -> u32 {
        match self {
            ClockRef::Dense(row) => row.get(n).copied().unwrap_or(0),
            ClockRef::Sparse(entries) => entries
                .binary_search_by(|x| (x.node as usize).cmp(&n))
                .map_or(0, |i| entries[i].count),
        }
    }

    /// The nonzero components in node order (which is node-name order in a trace).
    pub fn entries(self) -> Entries<'a> {
        match self {
            ClockRef::Dense(row) => Entries::Dense(row.iter().enumerate()),
            ClockRef::Sparse(entries) => Entries::Sparse(entries.iter()),
        }
    }

    /// How many components are nonzero.
    pub fn nonzero(self) -> usize {
        match self {
            ClockRef::Dense(row) => row.iter().filter(|&&c| c > 0).count(),
            ClockRef::Sparse(entries) => entries.len(),
        }
    }

    /// The clock as `width` dense counters.
    pub fn to_dense(self, width: usize) -> Vec<u32> {
        let mut out = vec![0; width];
        match self {
            ClockRef::Dense(row) => {
                let n = row.len().min(width);
                out[..n].copy_from_slice(&row[..n]);
            }
            ClockRef::Sparse(entries) => {
                for x in entries {
                    out[x.node as usize] = x.count;
                }
            }
        }
        out
    }
}

/// Two clocks are equal when every component is, however they are held.
impl PartialEq for ClockRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.entries().eq(other.entries())
    }
}

impl PartialEq<[u32]> for ClockRef<'_> {
    fn eq(&self, other: &[u32]) -> bool {
        *self == ClockRef::Dense(other)
    }
}

impl PartialEq<&[u32]> for ClockRef<'_> {
    fn eq(&self, other: &&[u32]) -> bool {
        *self == ClockRef::Dense(other)
    }
}

/// The nonzero components of a clock, in node order (see [`ClockRef::entries`]).
#[derive(Clone, Debug)]
pub enum Entries<'a> {
    /// Over a dense row, skipping zeros.
    Dense(std::iter::Enumerate<std::slice::Iter<'a, u32>>),
    /// Over sparse entries.
    Sparse(std::slice::Iter<'a, Entry>),
}

impl Iterator for Entries<'_> {
    type Item = (NodeId, u32);

    #[inline]
    fn next(&mut self) -> Option<(NodeId, u32)> {
        match self {
            Entries::Dense(it) => it
                .find(|(_, &c)| c > 0)
                .map(|(n, &c)| (NodeId(n as u32), c)),
            Entries::Sparse(it) => it.next().map(|x| (NodeId(x.node), x.count)),
        }
    }
}

/// When a row is dense: always with few nodes, else once its entries fill a share of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowPolicy {
    /// Rows of at most this many nodes are dense from the start.
    pub dense_up_to: usize,
    /// A sparse row turns dense once its entries number at least `width / dense_share`;
    /// 0 keeps it sparse.
    pub dense_share: usize,
}

/// With this many nodes or fewer, every row is dense (a dense row of 256 nodes is a kilobyte,
/// nodes x nodes of them 256 KB): sparse rows would save nothing worth their slower joins.
pub const DENSE_UP_TO_NODES: usize = 256;

/// A sparse row turns dense when its entries reach one sixteenth of the nodes: a dense row
/// then takes at most 8 times the bytes of the entries it replaces, and its joins scan
/// counters many at a time instead of merging lists.
pub const DENSE_SHARE: usize = 16;

impl Default for RowPolicy {
    fn default() -> Self {
        RowPolicy {
            dense_up_to: DENSE_UP_TO_NODES,
            dense_share: DENSE_SHARE,
        }
    }
}

impl RowPolicy {
    /// Rows sparse until they hold `width / dense_share` entries (for ever with 0), whatever
    /// the width: for tests that want sparse rows with few nodes.
    pub fn sparse_until(dense_share: usize) -> Self {
        RowPolicy {
            dense_up_to: 0,
            dense_share,
        }
    }

    /// An all-zero clock of `width` components.
    pub fn new_row(&self, width: usize) -> Row {
        if width <= self.dense_up_to {
            Row::Dense(vec![0; width])
        } else {
            Row::Sparse(Vec::new())
        }
    }

    fn wants_dense(&self, entries: usize, width: usize) -> bool {
        width <= self.dense_up_to
            || (self.dense_share > 0 && entries.saturating_mul(self.dense_share) >= width)
    }
}

/// An owned vector clock that can change: dense counters or sparse entries (see the module
/// documentation). Components past a dense row's end are zero, so a row made before more
/// nodes were known stays valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    /// Counters indexed by node.
    Dense(Vec<u32>),
    /// Nonzero components, sorted by node.
    Sparse(Vec<Entry>),
}

impl Default for Row {
    fn default() -> Self {
        Row::Sparse(Vec::new())
    }
}

impl Row {
    /// The clock, borrowed.
    #[inline]
    pub fn as_clock(&self) -> ClockRef<'_> {
        match self {
            Row::Dense(row) => ClockRef::Dense(row),
            Row::Sparse(entries) => ClockRef::Sparse(entries),
        }
    }

    /// Component `n`.
    pub fn get(&self, n: usize) -> u32 {
        self.as_clock().get(n)
    }

    /// Whether the row is held dense.
    pub fn is_dense(&self) -> bool {
        matches!(self, Row::Dense(_))
    }

    /// Sets component `n` to `count` (nonzero) in a clock of `width` components.
    pub fn set(&mut self, n: usize, count: u32, width: usize, policy: &RowPolicy) {
        match self {
            Row::Dense(row) => {
                let grows = n >= row.len();
                if grows {
                    row.resize(width.max(n + 1), 0);
                }
                row[n] = count;
                if grows {
                    self.sparse_again(policy);
                }
            }
            Row::Sparse(entries) => {
                match entries.binary_search_by(|x| (x.node as usize).cmp(&n)) {
                    Ok(i) => entries[i].count = count,
                    Err(i) => entries.insert(
                        i,
                        Entry {
                            node: n as u32,
                            count,
                        },
                    ),
                }
                if policy.wants_dense(entries.len(), width) {
                    self.make_dense(width);
                }
            }
        }
    }

    /// Makes `self` the component-wise maximum of `self` and `from`, in clocks of `width`
    /// components. `scratch` is working space, kept between calls to spare allocations.
    pub fn join(
        &mut self,
        from: ClockRef<'_>,
        width: usize,
        policy: &RowPolicy,
        scratch: &mut Vec<Entry>,
    ) {
        match (&mut *self, from) {
            (Row::Dense(row), ClockRef::Dense(other)) => {
                let grows = other.len() > row.len();
                if grows {
                    row.resize(width.max(other.len()), 0);
                }
                for (a, &b) in row.iter_mut().zip(other) {
                    *a = (*a).max(b);
                }
                if grows {
                    self.sparse_again(policy);
                }
            }
            (Row::Dense(row), ClockRef::Sparse(entries)) => {
                let grows = entries
                    .last()
                    .is_some_and(|last| last.node as usize >= row.len());
                if grows {
                    let len = entries.last().map_or(0, |x| x.node as usize + 1);
                    row.resize(width.max(len), 0);
                }
                for x in entries {
                    let a = &mut row[x.node as usize];
                    *a = (*a).max(x.count);
                }
                if grows {
                    self.sparse_again(policy);
                }
            }
            (Row::Sparse(mine), ClockRef::Dense(other)) => {
                // A dense clock usually has many entries, and the join then too; but an online
                // stamper's first clocks are dense because few nodes were known then.
                let theirs = other.iter().filter(|&&c| c > 0).count();
                if policy.wants_dense(mine.len() + theirs, width) {
                    self.make_dense(width);
                    self.join(from, width, policy, scratch);
                } else {
                    merge_max_dense(mine, other, scratch);
                    std::mem::swap(mine, scratch);
                }
            }
            (Row::Sparse(mine), ClockRef::Sparse(theirs)) => {
                if theirs.is_empty() {
                    return;
                }
                merge_max(mine, theirs, scratch);
                std::mem::swap(mine, scratch);
                if policy.wants_dense(mine.len(), width) {
                    self.make_dense(width);
                }
            }
        }
    }

    /// A dense row made when there were few nodes (an online stamper learns of nodes as it
    /// goes) and stretched over many: sparse again when few of its counters are set.
    fn sparse_again(&mut self, policy: &RowPolicy) {
        if let Row::Dense(row) = self {
            let nonzero = row.iter().filter(|&&c| c > 0).count();
            if !policy.wants_dense(nonzero, row.len()) {
                *self = Row::Sparse(sparse_entries(row));
            }
        }
    }

    /// Turns the row dense, `width` counters (or more, if it holds larger nodes).
    pub fn make_dense(&mut self, width: usize) {
        if let Row::Sparse(entries) = self {
            let len = entries.last().map_or(0, |x| x.node as usize + 1);
            let mut row = vec![0; width.max(len)];
            for x in entries.iter() {
                row[x.node as usize] = x.count;
            }
            *self = Row::Dense(row);
        }
    }
}

/// The component-wise maximum of two sorted entry lists, into `out`.
fn merge_max(a: &[Entry], b: &[Entry], out: &mut Vec<Entry>) {
    out.clear();
    out.reserve(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].node.cmp(&b[j].node) {
            Ordering::Less => {
                out.push(a[i]);
                i += 1;
            }
            Ordering::Greater => {
                out.push(b[j]);
                j += 1;
            }
            Ordering::Equal => {
                out.push(Entry {
                    node: a[i].node,
                    count: a[i].count.max(b[j].count),
                });
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

/// The component-wise maximum of a sorted entry list and a dense row, into `out`.
fn merge_max_dense(a: &[Entry], b: &[u32], out: &mut Vec<Entry>) {
    out.clear();
    let mut i = 0;
    for (node, &count) in b.iter().enumerate() {
        let node = node as u32;
        while i < a.len() && a[i].node < node {
            out.push(a[i]);
            i += 1;
        }
        let mine = match a.get(i) {
            Some(x) if x.node == node => {
                i += 1;
                x.count
            }
            _ => 0,
        };
        let count = mine.max(count);
        if count > 0 {
            out.push(Entry { node, count });
        }
    }
    out.extend_from_slice(&a[i..]);
}

/// The nonzero counters of a dense row, as a sparse row's entries in node order.
fn sparse_entries(dense: &[u32]) -> Vec<Entry> {
    dense
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(n, &c)| Entry {
            node: n as u32,
            count: c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A clock of `width` components, about a third of them nonzero.
    fn clock(width: usize) -> impl Strategy<Value = Vec<u32>> {
        prop::collection::vec(prop_oneof![2 => Just(0u32), 1 => 1u32..50], width)
    }

    fn row_of(dense: &[u32], as_dense: bool) -> Row {
        if as_dense {
            Row::Dense(dense.to_vec())
        } else {
            Row::Sparse(sparse_entries(dense))
        }
    }

    proptest! {
        /// Joins and sets, in any mix of dense and sparse rows and under any policy, agree
        /// with the component-wise maximum of plain arrays.
        #[test]
        fn joins_and_sets_agree_with_plain_arrays(
            width in 1usize..40,
            steps in prop::collection::vec((any::<bool>(), any::<bool>(), any::<prop::sample::Index>(), 1u32..60), 1..30),
            start in any::<bool>(),
            share in 0usize..8,
            seeds in prop::collection::vec(any::<u64>(), 1..30),
        ) {
            let policy = RowPolicy::sparse_until(share);
            let mut plain = vec![0u32; width];
            let mut row = if start { Row::Dense(vec![0; width]) } else { Row::Sparse(Vec::new()) };
            let mut scratch = Vec::new();
            for (k, &(is_join, other_dense, at, count)) in steps.iter().enumerate() {
                if is_join {
                    // An operand derived from the seed: about a third of its components set.
                    let seed = seeds[k % seeds.len()];
                    // A dense operand may be shorter than the width (an online stamper's).
                    let len = if other_dense { at.index(width) + 1 } else { width };
                    let other: Vec<u32> = (0..len)
                        .map(|i| {
                            let x = (seed ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
                                .wrapping_mul(0xbf58_476d_1ce4_e5b9);
                            if x.is_multiple_of(3) { (x >> 40) as u32 % 40 + 1 } else { 0 }
                        })
                        .collect();
                    let other_row = row_of(&other, other_dense);
                    row.join(other_row.as_clock(), width, &policy, &mut scratch);
                    for (a, b) in plain.iter_mut().zip(&other) {
                        *a = (*a).max(*b);
                    }
                } else {
                    let n = at.index(width);
                    let c = plain[n].max(count);
                    row.set(n, c, width, &policy);
                    plain[n] = c;
                }
                prop_assert_eq!(row.as_clock(), ClockRef::Dense(&plain));
                prop_assert_eq!(row.as_clock().to_dense(width), plain.clone());
                for (n, &c) in plain.iter().enumerate() {
                    prop_assert_eq!(row.get(n), c);
                }
                prop_assert_eq!(row.as_clock().nonzero(), plain.iter().filter(|&&c| c > 0).count());
                if let Row::Sparse(entries) = &row {
                    prop_assert!(entries.windows(2).all(|w| w[0].node < w[1].node), "sorted");
                    prop_assert!(entries.iter().all(|x| x.count > 0), "no zero entries");
                    prop_assert!(share == 0 || entries.len() * share < width, "a full row turns dense");
                }
            }
        }

        #[test]
        fn entries_list_the_nonzero_components_in_node_order(dense in clock(30)) {
            let expected: Vec<(NodeId, u32)> = dense
                .iter()
                .enumerate()
                .filter(|(_, &c)| c > 0)
                .map(|(n, &c)| (NodeId(n as u32), c))
                .collect();
            for as_dense in [true, false] {
                let row = row_of(&dense, as_dense);
                prop_assert_eq!(row.as_clock().entries().collect::<Vec<_>>(), expected.clone());
            }
        }
    }

    #[test]
    fn a_dense_row_shorter_than_its_width_reads_zero_past_its_end() {
        let policy = RowPolicy::default();
        let mut row = Row::Dense(vec![1, 2]);
        assert_eq!(row.get(5), 0);
        row.set(4, 7, 6, &policy);
        assert_eq!(row.as_clock().to_dense(6), vec![1, 2, 0, 0, 7, 0]);
        let mut scratch = Vec::new();
        let other = [Entry { node: 7, count: 3 }];
        row.join(ClockRef::Sparse(&other), 8, &policy, &mut scratch);
        assert_eq!(row.as_clock().to_dense(8), vec![1, 2, 0, 0, 7, 0, 0, 3]);
    }

    #[test]
    fn rows_start_dense_only_with_few_nodes() {
        let policy = RowPolicy::default();
        assert!(policy.new_row(DENSE_UP_TO_NODES).is_dense());
        assert!(!policy.new_row(DENSE_UP_TO_NODES + 1).is_dense());
        let mut row = policy.new_row(1600);
        for n in 0..99 {
            row.set(n * 3, 1, 1600, &policy);
        }
        assert!(!row.is_dense(), "99 entries of 1,600 stay sparse");
        row.set(1000, 1, 1600, &policy);
        assert!(row.is_dense(), "100 entries, a sixteenth, turn dense");
        assert_eq!(row.as_clock().nonzero(), 100);
    }
}
