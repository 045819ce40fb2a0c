//! Online stamping: events stamped as they arrive, for `stamp --order input` on live logs.
//!
//! Events come out in input order, except that a receive waits for its send (and the events
//! after it on its node wait with it). Only each node's current clock, the clocks of sends
//! (a send may be received by nodes not yet seen) and the events held back are kept. This
//! layer neither reads nor writes: the command feeds it parsed events and writes what it hands
//! back.

use std::collections::{HashMap, VecDeque};

use crate::model::{EventKind, Fields, RawEvent};

/// Where an event came from, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: u32,
}

/// An event with its clocks, ready to write.
#[derive(Clone, Debug, PartialEq)]
pub struct Stamped {
    /// The input's own fields.
    pub fields: Fields,
    /// The event id: the input's `id`, else `NODE#N`.
    pub id: String,
    /// The node, an index into [`Stamper::names`].
    pub node: usize,
    /// Lamport clock.
    pub lamport: u64,
    /// Vector clock: (node, count) in node-name order, zero components left out; nodes are
    /// indices into [`Stamper::names`].
    pub vc: Vec<(usize, u32)>,
}

/// A problem found while stamping online.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamProblem {
    /// A receive whose message was never sent: stamped as a local event (a warning).
    NeverSent {
        /// Where the receive is.
        origin: Origin,
        /// Its id.
        id: String,
        /// The message.
        msg: String,
    },
}

/// Why online stamping must stop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamError {
    /// A message id sent twice.
    DuplicateSend {
        /// The second send.
        origin: Origin,
        /// The message.
        msg: String,
        /// The first send.
        first: Origin,
    },
    /// Receives that wait for sends held back behind them: no causal order exists.
    Cycle(Vec<(Origin, String)>),
}

struct Pending {
    raw: RawEvent,
    origin: Origin,
}

struct Sent {
    clock: Vec<u32>,
    lamport: u64,
    origin: Origin,
}

/// Stamps events one at a time, holding back receives until their sends arrive.
#[derive(Default)]
pub struct Stamper {
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// Node indices in name order, for writing vector clocks.
    by_name: Vec<usize>,
    clocks: Vec<Vec<u32>>,
    lamport: Vec<u64>,
    /// Events held back per node, oldest first; the first waits for a send.
    held: Vec<VecDeque<Pending>>,
    /// Nodes whose first held event waits for this message.
    waiting: HashMap<String, Vec<usize>>,
    sent: HashMap<String, Sent>,
}

impl Stamper {
    /// An empty stamper.
    pub fn new() -> Self {
        Stamper::default()
    }

    /// The nodes seen so far, indexed as [`Stamped::node`] and [`Stamped::vc`] index them.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    fn node(&mut self, name: &str) -> usize {
        if let Some(&n) = self.index.get(name) {
            return n;
        }
        let n = self.names.len();
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), n);
        for clock in &mut self.clocks {
            clock.push(0);
        }
        self.clocks.push(vec![0; n + 1]);
        self.lamport.push(0);
        self.held.push(VecDeque::new());
        self.by_name.push(n);
        let names = &self.names;
        self.by_name.sort_by(|&a, &b| names[a].cmp(&names[b]));
        n
    }

    /// Takes one event; returns the events that are now stamped, in order.
    pub fn push(&mut self, raw: RawEvent, origin: Origin) -> Result<Vec<Stamped>, StreamError> {
        let n = self.node(&raw.node);
        let mut out = Vec::new();
        if !self.held[n].is_empty() {
            self.held[n].push_back(Pending { raw, origin });
            return Ok(out);
        }
        self.run(n, Pending { raw, origin }, &mut out)?;
        Ok(out)
    }

    /// Stamps `p` on node `n` if its send is known (else holds it back), then wakes the nodes
    /// that waited for what it sent.
    fn run(&mut self, n: usize, p: Pending, out: &mut Vec<Stamped>) -> Result<(), StreamError> {
        let mut ready: Vec<(usize, Pending)> = vec![(n, p)];
        while let Some((n, p)) = ready.pop() {
            if let Some(msg) = waits_for(&p.raw) {
                if !self.sent.contains_key(msg) {
                    self.waiting.entry(msg.to_string()).or_default().push(n);
                    self.held[n].push_front(p);
                    continue;
                }
            }
            let woken = self.stamp(n, p, out)?;
            // The node's next held event, then every node this send woke.
            if let Some(next) = self.held[n].pop_front() {
                ready.push((n, next));
            }
            for w in woken {
                if let Some(next) = self.held[w].pop_front() {
                    ready.push((w, next));
                }
            }
        }
        Ok(())
    }

    fn stamp(
        &mut self,
        n: usize,
        p: Pending,
        out: &mut Vec<Stamped>,
    ) -> Result<Vec<usize>, StreamError> {
        let raw = p.raw;
        let mut lamport = self.lamport[n];
        for (kind, msg) in raw.roles() {
            if kind == EventKind::Recv {
                if let Some(sent) = self.sent.get(msg) {
                    let clock = &mut self.clocks[n];
                    for (c, &s) in clock.iter_mut().zip(&sent.clock) {
                        *c = (*c).max(s);
                    }
                    lamport = lamport.max(sent.lamport);
                }
            }
        }
        lamport += 1;
        self.lamport[n] = lamport;
        self.clocks[n][n] += 1;
        let seq = self.clocks[n][n];
        let mut woken = Vec::new();
        for (kind, msg) in raw.roles() {
            if kind != EventKind::Send {
                continue;
            }
            if let Some(first) = self.sent.get(msg) {
                return Err(StreamError::DuplicateSend {
                    origin: p.origin,
                    msg: msg.to_string(),
                    first: first.origin.clone(),
                });
            }
            self.sent.insert(
                msg.to_string(),
                Sent {
                    clock: self.clocks[n].clone(),
                    lamport,
                    origin: p.origin.clone(),
                },
            );
            woken.extend(self.waiting.remove(msg).unwrap_or_default());
        }
        let clock = &self.clocks[n];
        let vc = self
            .by_name
            .iter()
            .filter(|&&m| clock[m] > 0)
            .map(|&m| (m, clock[m]))
            .collect();
        out.push(Stamped {
            fields: raw
                .fields_text
                .clone()
                .unwrap_or_else(|| Fields::from_map(&raw.fields)),
            id: raw
                .id
                .clone()
                .unwrap_or_else(|| format!("{}#{seq}", self.names[n])),
            node: n,
            lamport,
            vc,
        });
        Ok(woken)
    }

    /// Ends the input: receives of messages never sent are stamped as local events (and
    /// reported), which may release the events behind them. Receives still waiting then wait
    /// for sends held back behind other receives: a cycle.
    pub fn finish(&mut self) -> Result<(Vec<Stamped>, Vec<StreamProblem>), StreamError> {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        loop {
            let held_sends: std::collections::HashSet<String> = self
                .held
                .iter()
                .flatten()
                .flat_map(|p| p.raw.roles().filter(|(k, _)| *k == EventKind::Send))
                .map(|(_, m)| m.to_string())
                .collect();
            let orphan = (0..self.held.len()).find(|&n| {
                self.held[n]
                    .front()
                    .and_then(|p| waits_for(&p.raw))
                    .is_some_and(|m| !held_sends.contains(m))
            });
            let Some(n) = orphan else { break };
            let mut p = self.held[n].pop_front().expect("an orphan is held");
            let msg = waits_for(&p.raw).unwrap_or_default().to_string();
            // A synchronisation receive with no release before it (a lock's first acquire) is
            // no problem, as in batch ordering.
            let sync = p.raw.flags.contains(crate::model::EventFlags::SYNC);
            if !sync {
                problems.push(StreamProblem::NeverSent {
                    origin: p.origin.clone(),
                    id: p
                        .raw
                        .id
                        .clone()
                        .unwrap_or_else(|| format!("{}#{}", self.names[n], self.clocks[n][n] + 1)),
                    msg: msg.clone(),
                });
            }
            if let Some(list) = self.waiting.get_mut(&msg) {
                list.retain(|&w| w != n);
            }
            // The receive becomes local: later roles (a send) still count.
            drop_receive(&mut p.raw, &msg);
            self.run(n, p, &mut out)?;
        }
        let stuck: Vec<(Origin, String)> = self
            .held
            .iter()
            .filter_map(|q| q.front())
            .map(|p| {
                (
                    p.origin.clone(),
                    waits_for(&p.raw).unwrap_or_default().to_string(),
                )
            })
            .collect();
        if stuck.is_empty() {
            Ok((out, problems))
        } else {
            Err(StreamError::Cycle(stuck))
        }
    }
}

/// The first message this event receives, if any (streamed events have one receive role).
fn waits_for(raw: &RawEvent) -> Option<&str> {
    raw.roles()
        .find(|(k, _)| *k == EventKind::Recv)
        .map(|(_, m)| m)
}

fn drop_receive(raw: &mut RawEvent, msg: &str) {
    if raw.kind == Some(EventKind::Recv) && raw.msg.as_deref() == Some(msg) {
        raw.kind = Some(EventKind::Local);
        raw.msg = None;
    } else {
        raw.more_roles
            .retain(|r| !(r.kind == EventKind::Recv && &*r.msg == msg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(node: &str, kind: EventKind, msg: Option<&str>) -> RawEvent {
        RawEvent {
            node: node.into(),
            kind: Some(kind),
            msg: msg.map(str::to_string),
            ..RawEvent::default()
        }
    }

    fn at(line: u32) -> Origin {
        Origin {
            file: "t".into(),
            line,
        }
    }

    #[test]
    fn a_receive_waits_for_its_send_and_its_node_waits_with_it() {
        let mut s = Stamper::new();
        assert!(s
            .push(ev("b", EventKind::Recv, Some("m")), at(1))
            .unwrap()
            .is_empty());
        assert!(s
            .push(ev("b", EventKind::Local, None), at(2))
            .unwrap()
            .is_empty());
        let out = s.push(ev("a", EventKind::Send, Some("m")), at(3)).unwrap();
        let ids: Vec<&str> = out.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["a#1", "b#1", "b#2"]);
        assert_eq!(s.names(), ["b", "a"]);
        assert_eq!(out[1].vc, vec![(1, 1), (0, 1)]);
        assert_eq!(out[2].lamport, 3);
        let (rest, problems) = s.finish().unwrap();
        assert!(rest.is_empty() && problems.is_empty());
    }

    #[test]
    fn a_message_never_sent_is_local_at_the_end() {
        let mut s = Stamper::new();
        s.push(ev("b", EventKind::Recv, Some("ghost")), at(1))
            .unwrap();
        let (out, problems) = s.finish().unwrap();
        assert_eq!(out[0].vc, vec![(0, 1)]);
        assert!(matches!(&problems[0], StreamProblem::NeverSent { msg, .. } if msg == "ghost"));
    }

    #[test]
    fn crossed_receives_are_a_cycle() {
        let mut s = Stamper::new();
        s.push(ev("a", EventKind::Recv, Some("m2")), at(1)).unwrap();
        s.push(ev("a", EventKind::Send, Some("m1")), at(2)).unwrap();
        s.push(ev("b", EventKind::Recv, Some("m1")), at(3)).unwrap();
        s.push(ev("b", EventKind::Send, Some("m2")), at(4)).unwrap();
        assert!(matches!(s.finish(), Err(StreamError::Cycle(stuck)) if stuck.len() == 2));
    }
}
