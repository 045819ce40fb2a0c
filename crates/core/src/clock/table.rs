//! The vector clocks of chosen events (or of all), kept for renderers that need them out of
//! causal order. This layer stores and looks up; it computes no clock and writes nothing.
//!
//! Each clock is kept in whichever form is smaller: dense counters, or its nonzero entries.
//! Memory is at most the dense table's, and with many nodes that each see few others it is
//! the entries actually used, not events x nodes.

use super::row::{ClockRef, Entry, DENSE_UP_TO_NODES};
use super::vector::Clocks;
use crate::model::EventIdx;

/// Vector clocks of some events, all of one width (the trace's nodes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClockTable {
    width: usize,
    /// One per kept event, sorted by event once [`ClockTable::finish`] ran.
    rows: Vec<TableRow>,
    /// Dense rows' counters, `width` each.
    cells: Vec<u32>,
    /// Sparse rows' entries.
    entries: Vec<Entry>,
    sorted: bool,
    /// Rows expected in all (see [`ClockTable::reserve`]).
    expected: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TableRow {
    event: EventIdx,
    /// Entries of a sparse row; [`DENSE`] for a dense one.
    len: u32,
    /// Where the row starts in `cells` or `entries`.
    start: u64,
}

const DENSE: u32 = u32::MAX;

impl ClockTable {
    /// An empty table for clocks of `width` components.
    pub fn new(width: usize) -> Self {
        ClockTable {
            width,
            sorted: true,
            ..ClockTable::default()
        }
    }

    /// Makes room for `rows` more clocks (and, with few nodes, once the first dense one comes,
    /// for that many dense rows: then most are, and a table grown by doubling holds its old
    /// and new copy at once).
    pub fn reserve(&mut self, rows: usize) {
        self.rows.reserve_exact(rows);
        self.expected = self.rows.len() + rows;
    }

    /// Keeps `clock` as event `e`'s; `e` must not be kept yet.
    pub fn push(&mut self, e: EventIdx, clock: ClockRef<'_>) {
        let nonzero = clock.nonzero();
        // An entry takes two counters' room.
        let row = if nonzero * 2 < self.width {
            let start = self.entries.len() as u64;
            self.entries
                .extend(clock.entries().map(|(n, count)| Entry { node: n.0, count }));
            TableRow {
                event: e,
                len: nonzero as u32,
                start,
            }
        } else {
            // With few nodes most rows are dense; with many, some dense rows say nothing of
            // the rest, and reserving for all would take nodes x events.
            if self.cells.capacity() == 0 && self.width <= DENSE_UP_TO_NODES {
                let rows = self.expected.saturating_sub(self.rows.len()).max(1);
                self.cells.reserve_exact(rows.saturating_mul(self.width));
            }
            let start = self.cells.len() as u64;
            match clock {
                ClockRef::Dense(row) if row.len() == self.width => {
                    self.cells.extend_from_slice(row);
                }
                _ => self.cells.extend(clock.to_dense(self.width)),
            }
            TableRow {
                event: e,
                len: DENSE,
                start,
            }
        };
        if self.rows.last().is_some_and(|last| last.event > e) {
            self.sorted = false;
        }
        self.rows.push(row);
    }

    /// Sorts the rows by event, for lookups; call once every clock is in.
    pub fn finish(mut self) -> Self {
        if !self.sorted {
            self.rows.sort_unstable_by_key(|r| r.event);
            self.sorted = true;
        }
        self
    }

    /// Event `e`'s clock, when it is kept.
    pub fn find(&self, e: EventIdx) -> Option<ClockRef<'_>> {
        debug_assert!(self.sorted, "ClockTable::finish sorts the rows");
        // With every event kept, event e is row e.
        let row = match self.rows.get(e.index()) {
            Some(r) if r.event == e => *r,
            _ => {
                let i = self.rows.binary_search_by_key(&e, |r| r.event).ok()?;
                self.rows[i]
            }
        };
        let start = row.start as usize;
        Some(if row.len == DENSE {
            ClockRef::Dense(&self.cells[start..start + self.width])
        } else {
            ClockRef::Sparse(&self.entries[start..start + row.len as usize])
        })
    }

    /// How many clocks are kept.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no clock is kept.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl Clocks for ClockTable {
    fn clock(&self, e: EventIdx) -> ClockRef<'_> {
        self.find(e)
            .unwrap_or_else(|| panic!("no clock kept for event {}", e.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_clock_reads_back_as_it_was_kept(
            width in 1usize..24,
            rows in prop::collection::vec(
                (prop::collection::vec(prop_oneof![3 => Just(0u32), 1 => 1u32..9], 24), any::<bool>()),
                0..20,
            ),
            order_seed in any::<u64>(),
        ) {
            let mut table = ClockTable::new(width);
            let mut kept = Vec::new();
            for (i, (cells, as_dense)) in rows.iter().enumerate() {
                let cells = &cells[..width];
                // Events pushed out of order, as a replay in Lamport order does.
                let e = EventIdx(((i as u64 * 7919) ^ order_seed) as u32 % 1000);
                if kept.iter().any(|(k, _)| *k == e) {
                    continue;
                }
                let entries: Vec<Entry> = cells
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| c > 0)
                    .map(|(n, &c)| Entry { node: n as u32, count: c })
                    .collect();
                let clock = if *as_dense { ClockRef::Dense(cells) } else { ClockRef::Sparse(&entries) };
                table.push(e, clock);
                kept.push((e, cells.to_vec()));
            }
            let table = table.finish();
            prop_assert_eq!(table.len(), kept.len());
            for (e, cells) in &kept {
                prop_assert_eq!(table.clock(*e).to_dense(width), cells.clone());
            }
            prop_assert!(table.find(EventIdx(5000)).is_none());
        }
    }

    #[test]
    fn each_clock_takes_the_smaller_form() {
        let mut table = ClockTable::new(8);
        table.push(EventIdx(0), ClockRef::Dense(&[1, 0, 0, 0, 0, 0, 0, 2]));
        table.push(EventIdx(1), ClockRef::Dense(&[1, 1, 1, 1, 0, 0, 0, 2]));
        let table = table.finish();
        assert_eq!(table.entries.len(), 2);
        assert_eq!(table.cells.len(), 8);
        assert!(matches!(table.clock(EventIdx(0)), ClockRef::Sparse(_)));
        assert!(matches!(table.clock(EventIdx(1)), ClockRef::Dense(_)));
    }
}
