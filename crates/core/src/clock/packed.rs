//! Vector clocks of chosen events, packed to keep many: each clock as its smallest component
//! and every component's excess over it in one byte (two or four when they lie further apart),
//! or, when few of its components are nonzero, as those components alone.
//!
//! A conflict report keeps the clocks of its witness events, tens of thousands at 1,000 nodes;
//! as rows of `u32` they took more memory than the whole trace. The components of one clock lie
//! close together (each counts the events of one node the event has seen, and news of every
//! node spreads at about the same pace), so one byte each nearly always suffices: a quarter of
//! the memory. A clock is unpacked whole, when it is printed. This layer does no I/O.

use std::collections::HashSet;

use super::row::{ClockRef, Entry};
use super::{Engine, Replay};
use crate::model::{EventIdx, Trace};
use crate::order::Causality;

/// Packed vector clocks of some events, all of one width (the trace's nodes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackedClocks {
    width: usize,
    /// One entry per kept event, sorted by event.
    rows: Vec<PackedRow>,
    /// Every dense row's excesses, `size` bytes each, little-endian.
    bytes: Vec<u8>,
    /// Every sparse row's nonzero components.
    entries: Vec<Entry>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PackedRow {
    event: EventIdx,
    /// The smallest component.
    base: u32,
    /// Bytes per component: 1, 2 or 4; 0 for a row kept as its `len` nonzero components.
    size: u8,
    /// Nonzero components of a sparse row.
    len: u32,
    /// Where the row's bytes (or entries) start.
    start: usize,
}

impl PackedClocks {
    /// An empty store for clocks of `width` components.
    pub fn new(width: usize) -> Self {
        PackedClocks {
            width,
            ..PackedClocks::default()
        }
    }

    /// Replays `order` (a causal order of all events) by `engine` and keeps the clocks of
    /// `wanted` only.
    pub fn select(
        engine: Engine,
        trace: &Trace,
        causality: &Causality,
        order: &[EventIdx],
        wanted: &HashSet<EventIdx>,
    ) -> Self {
        let mut replay = Replay::new(engine, trace, causality);
        let mut packed = PackedClocks::new(trace.nodes.len());
        packed.rows.reserve_exact(wanted.len());
        for &e in order {
            let clock = replay.advance(trace, causality, e);
            if wanted.contains(&e) {
                // Once one clock is dense, most are (news spreads at about the same pace
                // everywhere), and one byte per component is the usual size: reserving it
                // spares growing by doubling.
                if packed.bytes.capacity() == 0 && clock.nonzero() * 8 >= packed.width {
                    packed.bytes.reserve_exact(wanted.len() * packed.width);
                }
                packed.push(e, clock);
            }
        }
        packed.rows.sort_unstable_by_key(|r| r.event);
        packed
    }

    /// Keeps `clock` as event `e`'s; `e` must not be kept yet.
    pub fn push(&mut self, e: EventIdx, clock: ClockRef<'_>) {
        let nonzero = clock.nonzero();
        // A sparse entry takes eight bytes; a dense component at least one.
        if nonzero * 8 < self.width {
            let start = self.entries.len();
            self.entries
                .extend(clock.entries().map(|(n, count)| Entry { node: n.0, count }));
            self.insert(PackedRow {
                event: e,
                base: 0,
                size: 0,
                len: nonzero as u32,
                start,
            });
            return;
        }
        let dense;
        let row = match clock {
            ClockRef::Dense(row) if row.len() == self.width => row,
            _ => {
                dense = clock.to_dense(self.width);
                &dense[..]
            }
        };
        let base = row.iter().copied().min().unwrap_or(0);
        let spread = row.iter().map(|&c| c - base).max().unwrap_or(0);
        let size: u8 = match spread {
            0..=0xff => 1,
            0x100..=0xffff => 2,
            _ => 4,
        };
        let start = self.bytes.len();
        self.bytes.reserve(row.len() * usize::from(size));
        // One loop per size, so that no byte goes through a copy of variable length.
        let excesses = row.iter().map(|&c| c - base);
        match size {
            1 => self.bytes.extend(excesses.map(|x| x as u8)),
            2 => self
                .bytes
                .extend(excesses.flat_map(|x| (x as u16).to_le_bytes())),
            _ => self.bytes.extend(excesses.flat_map(u32::to_le_bytes)),
        }
        self.insert(PackedRow {
            event: e,
            base,
            size,
            len: 0,
            start,
        });
    }

    fn insert(&mut self, packed: PackedRow) {
        let e = packed.event;
        // Rows usually arrive in causal order; keep them sorted by event once all are in.
        match self.rows.last() {
            Some(last) if last.event > e => {
                let at = self.rows.partition_point(|r| r.event < e);
                self.rows.insert(at, packed);
            }
            _ => self.rows.push(packed),
        }
    }

    /// Event `e`'s clock, unpacked into `out` (replacing what it held); `false` when `e`'s
    /// clock is not kept.
    pub fn unpack_into(&self, e: EventIdx, out: &mut Vec<u32>) -> bool {
        out.clear();
        let Ok(i) = self.rows.binary_search_by_key(&e, |r| r.event) else {
            return false;
        };
        let row = self.rows[i];
        if row.size == 0 {
            out.resize(self.width, 0);
            for x in &self.entries[row.start..row.start + row.len as usize] {
                out[x.node as usize] = x.count;
            }
            return true;
        }
        let size = usize::from(row.size);
        let bytes = &self.bytes[row.start..row.start + self.width * size];
        let base = row.base;
        match size {
            1 => out.extend(bytes.iter().map(|&x| base + u32::from(x))),
            2 => out.extend(
                bytes
                    .chunks_exact(2)
                    .map(|x| base + u32::from(u16::from_le_bytes([x[0], x[1]]))),
            ),
            _ => out.extend(
                bytes
                    .chunks_exact(4)
                    .map(|x| base + u32::from_le_bytes([x[0], x[1], x[2], x[3]])),
            ),
        }
        true
    }

    /// Event `e`'s clock as it is kept, when it is kept as its nonzero components (a clock that
    /// has seen few of many nodes): no need to unpack a row as wide as the trace.
    pub fn sparse(&self, e: EventIdx) -> Option<&[Entry]> {
        let i = self.rows.binary_search_by_key(&e, |r| r.event).ok()?;
        let row = self.rows[i];
        (row.size == 0).then(|| &self.entries[row.start..row.start + row.len as usize])
    }

    /// Event `e`'s clock. Panics when it is not kept.
    pub fn row(&self, e: EventIdx) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.width);
        assert!(self.unpack_into(e, &mut out), "no clock kept for {e:?}");
        out
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_clock_unpacks_as_it_was_kept(
            rows in prop::collection::vec(
                (0u32..1 << 20, prop::sample::select(vec![0u32, 1, 255, 256, 65_535, 65_536, u32::MAX >> 1])),
                1..20,
            ),
            width in 1usize..12,
            seed in any::<u64>(),
        ) {
            // Each row: components scattered over [base, base + spread], by a seeded mix.
            let mut kept = Vec::new();
            let mut packed = PackedClocks::new(width);
            for (i, &(base, spread)) in rows.iter().enumerate() {
                let row: Vec<u32> = (0..width)
                    .map(|k| {
                        let mix = (seed ^ (i as u64 * 31 + k as u64))
                            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
                        let offset = if spread == 0 { 0 } else { (mix >> 33) as u32 % spread };
                        // One component at each end, so the spread is exactly `spread`.
                        match k {
                            0 => base,
                            1 => base + spread,
                            _ => base + offset,
                        }
                    })
                    .collect();
                // Events pushed out of order, as a replay in a causal order may.
                let e = EventIdx(((i as u32) * 7919) % 1000);
                if kept.iter().any(|(k, _)| *k == e) {
                    continue;
                }
                packed.push(e, ClockRef::Dense(&row));
                kept.push((e, row));
            }
            prop_assert_eq!(packed.len(), kept.len());
            for (e, row) in &kept {
                prop_assert_eq!(&packed.row(*e), row);
            }
            let mut out = Vec::new();
            prop_assert!(!packed.unpack_into(EventIdx(1000), &mut out));
        }
    }

    #[test]
    fn each_clock_takes_the_bytes_its_spread_needs() {
        let mut packed = PackedClocks::new(4);
        packed.push(EventIdx(3), ClockRef::Dense(&[900, 1000, 1200, 950]));
        packed.push(EventIdx(1), ClockRef::Dense(&[0, 5, 0, 255]));
        assert_eq!(packed.bytes.len(), 4 * 2 + 4);
        assert_eq!(packed.row(EventIdx(1)), vec![0, 5, 0, 255]);
        assert_eq!(packed.row(EventIdx(3)), vec![900, 1000, 1200, 950]);
        let mut wide = PackedClocks::new(20);
        let sparse = [Entry { node: 3, count: 9 }, Entry { node: 19, count: 1 }];
        wide.push(EventIdx(0), ClockRef::Sparse(&sparse));
        assert!(
            wide.bytes.is_empty() && wide.entries.len() == 2,
            "kept sparse"
        );
        let mut expected = vec![0; 20];
        expected[3] = 9;
        expected[19] = 1;
        assert_eq!(wide.row(EventIdx(0)), expected);
    }
}
