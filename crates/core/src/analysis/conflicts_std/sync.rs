//! The synchronisation of streamed STD conflicts: clocks per thread, per released lock and
//! per pending fork, and the compact log of each event's synchronisation that the witnesses'
//! clocks are replayed from. No input or output here.

use super::*;

/// A lock's or a fork's clock, left for the event that receives it.
#[derive(Debug)]
pub(super) struct Held {
    pub(super) vc: Vec<u32>,
    pub(super) lamport: u32,
}

/// The clocks of an STD trace as it is read: what [`crate::clock`] would compute from the
/// messages [`parse`](crate::parse::std_trace::parse) makes, kept per thread only.
#[derive(Debug, Default)]
pub(super) struct SyncClocks {
    /// Per thread, its vector clock (by thread number; missing components are 0).
    pub(super) vc: Vec<Vec<u32>>,
    /// Per thread, the Lamport clock of its latest event.
    pub(super) lamport: Vec<u32>,
    /// Per lock slot, the clock its last release left, until an acquire takes it.
    pub(super) locks: Vec<Option<Held>>,
    /// Per thread, the clock a fork of it left for its next event.
    pub(super) forks: Vec<Option<Held>>,
}

pub(super) fn join(into: &mut Vec<u32>, from: &[u32]) {
    if into.len() < from.len() {
        into.resize(from.len(), 0);
    }
    for (a, &b) in into.iter_mut().zip(from) {
        *a = (*a).max(b);
    }
}

impl SyncClocks {
    pub(super) fn add_thread(&mut self) {
        self.vc.push(Vec::new());
        self.lamport.push(0);
        self.forks.push(None);
    }

    /// Thread `t`'s next event; returns its position in the thread and its Lamport clock.
    pub(super) fn step(&mut self, t: usize, fork_recv: bool, sync: StdSync) -> (u32, u32) {
        let mut lamport = self.lamport[t];
        if fork_recv {
            if let Some(held) = self.forks[t].take() {
                join(&mut self.vc[t], &held.vc);
                lamport = lamport.max(held.lamport);
            }
        }
        match sync {
            StdSync::Acquire(slot) => {
                if let Some(held) = self.locks.get_mut(slot as usize).and_then(Option::take) {
                    join(&mut self.vc[t], &held.vc);
                    lamport = lamport.max(held.lamport);
                }
            }
            StdSync::Join(child) => {
                let child = child as usize;
                let other = std::mem::take(&mut self.vc[child]);
                join(&mut self.vc[t], &other);
                self.vc[child] = other;
                lamport = lamport.max(self.lamport[child]);
            }
            _ => {}
        }
        // At most MAX_EVENTS events: a Lamport clock and a position fit u32.
        lamport += 1;
        self.lamport[t] = lamport;
        let vc = &mut self.vc[t];
        if vc.len() <= t {
            vc.resize(t + 1, 0);
        }
        vc[t] += 1;
        let seq = vc[t];
        let held = || Held {
            vc: vc.clone(),
            lamport,
        };
        match sync {
            StdSync::Release(slot) => {
                let slot = slot as usize;
                if self.locks.len() <= slot {
                    self.locks.resize_with(slot + 1, || None);
                }
                self.locks[slot] = Some(held());
            }
            StdSync::Fork(child) => self.forks[child as usize] = Some(held()),
            _ => {}
        }
        (seq, lamport)
    }
}

pub(super) const FORK_RECV: u8 = 8;

pub(super) fn sync_code(sync: StdSync) -> (u8, u32) {
    match sync {
        StdSync::None => (0, 0),
        StdSync::Acquire(n) => (1, n),
        StdSync::Release(n) => (2, n),
        StdSync::Fork(n) => (3, n),
        StdSync::Join(n) => (4, n),
    }
}

pub(super) fn push_varint(out: &mut Vec<u8>, mut n: u32) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

pub(super) fn read_varint(bytes: &[u8], at: &mut usize) -> u32 {
    let mut n = 0u32;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        n |= u32::from(b & 0x7f) << shift;
        if b < 0x80 {
            return n;
        }
        shift += 7;
    }
}

pub(super) fn sync_of(code: u8, arg: u32) -> StdSync {
    match code & 7 {
        1 => StdSync::Acquire(arg),
        2 => StdSync::Release(arg),
        3 => StdSync::Fork(arg),
        4 => StdSync::Join(arg),
        _ => StdSync::None,
    }
}
