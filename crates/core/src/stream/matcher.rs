//! Message matching of online stamping: receives held back until their sends are stamped,
//! the nodes they block woken, and the limit on what is held and kept enforced.
//!
//! It decides when an event may be stamped; the clocks themselves are computed in `stamp`.

use super::{Pending, Stamped, Stamper, StreamError, StreamProblem};
use crate::model::{EventKind, RawEvent};

impl Stamper {
    /// Holds `p` back on node `n`: at the front when it is the node's next event and waits.
    pub(super) fn hold(&mut self, n: usize, mut p: Pending, front: bool) {
        if !p.counted {
            p.counted = true;
            for (kind, msg) in p.raw.roles() {
                if kind == EventKind::Send {
                    let d = self.hash(msg);
                    *self.held_sends.entry(d).or_default() += 1;
                }
            }
        }
        self.held_count += 1;
        if front {
            self.blocked.insert((p.serial, n));
            self.held[n].push_front(p);
        } else {
            self.held[n].push_back(p);
        }
    }

    /// Takes node `n`'s next held event, if any (its sends stay counted until it is stamped).
    pub(super) fn unhold(&mut self, n: usize) -> Option<Pending> {
        let p = self.held[n].pop_front()?;
        self.blocked.remove(&(p.serial, n));
        self.held_count -= 1;
        Some(p)
    }

    /// `p`'s sends are no longer held: it is being stamped.
    pub(super) fn uncount(&mut self, p: &Pending) {
        if !p.counted {
            return;
        }
        for (kind, msg) in p.raw.roles() {
            if kind == EventKind::Send {
                let d = self.hash(msg);
                if let Some(count) = self.held_sends.get_mut(&d) {
                    *count -= 1;
                    if *count == 0 {
                        self.held_sends.remove(&d);
                    }
                }
            }
        }
    }

    /// The message `raw` must wait for: its receive's, when that send has not been stamped.
    pub(super) fn waits_for(&self, raw: &RawEvent) -> Option<u64> {
        let msg = first_receive(raw)?;
        let d = self.hash(msg);
        let stamped = self.kept.contains_key(&d)
            || (self.sends.contains_key(&d) && !self.held_sends.contains_key(&d));
        (!stamped).then_some(d)
    }

    /// Stamps `p` on node `n` if its send is known (else holds it back), then wakes the nodes
    /// that waited for what it sent.
    pub(super) fn run(
        &mut self,
        n: usize,
        p: Pending,
        out: &mut Vec<Stamped>,
    ) -> Result<(), StreamError> {
        let mut ready: Vec<(usize, Pending)> = vec![(n, p)];
        while let Some((n, p)) = ready.pop() {
            if let Some(d) = self.waits_for(&p.raw) {
                self.waiting.entry(d).or_default().push(n);
                self.hold(n, p, true);
                continue;
            }
            let woken = self.stamp(n, p, out);
            // The node's next held event, then every node this send woke.
            if let Some(next) = self.unhold(n) {
                ready.push((n, next));
            }
            for w in woken {
                if let Some(next) = self.unhold(w) {
                    ready.push((w, next));
                }
            }
        }
        Ok(())
    }

    /// Keeps the held events and kept clocks within the limit: lets go of the receives held
    /// longest, then drops the clocks kept longest.
    pub(super) fn enforce_limit(&mut self, out: &mut Vec<Stamped>) -> Result<(), StreamError> {
        while self.held_count > self.limit {
            let Some(&(_, n)) = self.blocked.first() else {
                break;
            };
            let mut p = self.unhold(n).expect("a blocked node holds an event");
            let msg = first_receive(&p.raw).unwrap_or_default().to_string();
            let d = self.hash(&msg);
            self.unwait(d, n);
            let seq = self.clocks[n].get(n) + 1;
            self.problems.push(StreamProblem::Released {
                origin: p.origin,
                id: self.event_id(n, &p.raw, seq),
                msg: msg.clone(),
                limit: self.limit,
            });
            drop_receive(&mut p.raw, &msg);
            self.run(n, p, out)?;
        }
        while self.kept.len() > self.limit {
            let Some((serial, d)) = self.kept_order.pop_front() else {
                break;
            };
            if self.kept.get(&d).is_some_and(|s| s.serial == serial) {
                let sent = self.kept.remove(&d).expect("just found");
                let origin = self.sends.get(&d).expect("a kept send was read").origin;
                self.problems.push(StreamProblem::Dropped {
                    origin,
                    msg: sent.msg.into(),
                    awaiting: sent.awaiting.len(),
                    limit: self.limit,
                });
            }
        }
        // Entries of clocks dropped because every receiver had them stay in the queue until
        // they reach its front: clear them out when they outnumber the live ones.
        if self.kept_order.len() > 2 * self.kept.len() + 1024 {
            let kept = &self.kept;
            self.kept_order
                .retain(|&(serial, d)| kept.get(&d).is_some_and(|s| s.serial == serial));
        }
        Ok(())
    }

    pub(super) fn unwait(&mut self, d: u64, n: usize) {
        if let Some(list) = self.waiting.get_mut(&d) {
            list.retain(|&w| w != n);
            if list.is_empty() {
                self.waiting.remove(&d);
            }
        }
    }
}

/// The first message this event receives, if any (streamed events have one receive role).
pub(super) fn first_receive(raw: &RawEvent) -> Option<&str> {
    raw.roles()
        .find(|(k, _)| *k == EventKind::Recv)
        .map(|(_, m)| m)
}

pub(super) fn drop_receive(raw: &mut RawEvent, msg: &str) {
    if raw.kind == Some(EventKind::Recv) && raw.msg.as_deref() == Some(msg) {
        raw.kind = Some(EventKind::Local);
        raw.msg = None;
    } else {
        raw.more_roles
            .retain(|r| !(r.kind == EventKind::Recv && &*r.msg == msg));
    }
}
