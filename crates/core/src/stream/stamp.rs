//! The clocks of online stamping: one event's Lamport and vector clock from its node's clock
//! joined with the kept clocks of the sends it receives.
//!
//! It stamps an event it is handed; when an event may be stamped is decided in `matcher`.

use super::{Pending, Sent, Stamped, Stamper, StreamProblem};
use crate::clock::Row;
use crate::model::{EventKind, Fields};

impl Stamper {
    pub(super) fn stamp(&mut self, n: usize, p: Pending, out: &mut Vec<Stamped>) -> Vec<usize> {
        self.uncount(&p);
        let raw = p.raw;
        let width = self.names.len();
        let seq = self.clocks[n].get(n) + 1;
        let mut lamport = self.lamport[n];
        for (kind, msg) in raw.roles() {
            if kind != EventKind::Recv {
                continue;
            }
            let d = self.hash(msg);
            if let Some(sent) = self.kept.get_mut(&d) {
                self.clocks[n].join(
                    sent.clock.as_clock(),
                    width,
                    &self.policy,
                    &mut self.scratch,
                );
                lamport = lamport.max(sent.lamport);
                if let Some(i) = sent.awaiting.iter().position(|&x| x == self.name_digest[n]) {
                    sent.awaiting.swap_remove(i);
                    if sent.awaiting.is_empty() {
                        // Every receiver its `to` names has it.
                        self.kept.remove(&d);
                    }
                }
            } else if let Some(&record) = self.sends.get(&d) {
                // Sent, and its clock let go: nothing is lost if this node has seen the send.
                if self.clocks[n].get(record.node as usize) < record.seq {
                    let id = self.event_id(n, &raw, seq);
                    self.problems.push(StreamProblem::FromOutside {
                        origin: p.origin,
                        id,
                        msg: msg.to_string(),
                        sent: record.origin,
                    });
                }
            }
        }
        lamport += 1;
        self.lamport[n] = lamport;
        self.clocks[n].set(n, seq, width, &self.policy);
        let mut woken = Vec::new();
        for (kind, msg) in raw.roles() {
            if kind != EventKind::Send {
                continue;
            }
            let d = self.hash(msg);
            let mut awaiting: Vec<u64> = raw.to.iter().map(|name| self.hash(name)).collect();
            awaiting.sort_unstable();
            awaiting.dedup();
            self.serial += 1;
            self.kept.insert(
                d,
                Sent {
                    clock: self.clocks[n].clone(),
                    lamport,
                    msg: msg.into(),
                    awaiting,
                    serial: self.serial,
                },
            );
            self.kept_order.push_back((self.serial, d));
            woken.extend(self.waiting.remove(&d).unwrap_or_default());
        }
        out.push(Stamped {
            id: self.event_id(n, &raw, seq),
            fields: raw
                .fields_text
                .unwrap_or_else(|| Fields::from_map(&raw.fields)),
            node: n,
            lamport,
            vc: self.vc_by_name(n),
        });
        woken
    }

    /// Node `n`'s clock as (node, count) in name order, zeros left out: its components
    /// sorted by name when they are few next to the nodes, else the nodes walked in name order.
    pub(super) fn vc_by_name(&self, n: usize) -> Vec<(usize, u32)> {
        let mut vc: Vec<(usize, u32)> = match &self.clocks[n] {
            Row::Dense(row) if row.len() * 8 >= self.names.len() => {
                return self
                    .by_name
                    .iter()
                    .map(|&m| m as usize)
                    .filter_map(|m| row.get(m).filter(|&&c| c > 0).map(|&c| (m, c)))
                    .collect();
            }
            Row::Dense(row) => row
                .iter()
                .enumerate()
                .filter(|(_, &c)| c > 0)
                .map(|(m, &c)| (m, c))
                .collect(),
            Row::Sparse(entries) => entries.iter().map(|x| (x.node as usize, x.count)).collect(),
        };
        vc.sort_unstable_by(|a, b| self.names[a.0].cmp(&self.names[b.0]));
        vc
    }
}
