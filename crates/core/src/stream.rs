//! Online stamping: events stamped as they arrive, for `stamp --order input` on live logs.
//!
//! Events come out in input order, except that a receive waits for its send (and the events
//! after it on its node wait with it). This layer neither reads nor writes: the command feeds
//! it parsed events and writes what it hands back, and warns about the problems it reports.
//!
//! Memory stays bounded on an endless input. What is kept: each node's current clock (sparse
//! while it has seen few nodes, see [`crate::clock::row`]); the clocks of sends that a receiver
//! may still receive, each dropped once every node its `to` names has received it; and the
//! events held back behind receives whose sends have not come. The last two are bounded by the
//! limit given to [`Stamper::with_limit`] (`--max-in-flight`): past it, the oldest send's clock
//! is dropped ([`StreamProblem::Dropped`]), or the receive held longest is let go
//! ([`StreamProblem::Released`]); such a receive is stamped as received from outside, its
//! clock not joined with its send's. To tell duplicates, every event id and message id leaves
//! a 64-bit digest (keyed at random per run, so no input can aim at a collision) and where it
//! was first seen: 16 bytes and a table slot per explicit id and per message, 8 bytes per
//! other event (its `NODE#N` is known from its position). That is the one part of the state
//! that grows with the input.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use crate::clock::{Entry, Row, RowPolicy};
use crate::model::{EventFlags, EventKind, Fields, RawEvent};

/// The default of `--max-in-flight`: sends' clocks kept, and events held back, at most.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 1_000_000;

/// Where an event came from, for messages: a file registered with [`Stamper::add_file`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    /// Index of the file, see [`Stamper::file_name`].
    pub file: u32,
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

/// A problem found while stamping online; the run goes on (warnings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamProblem {
    /// At the end of the input, a receive whose message was never sent: stamped as a local
    /// event.
    NeverSent {
        /// Where the receive is.
        origin: Origin,
        /// Its id.
        id: String,
        /// The message.
        msg: String,
    },
    /// A receive of a message whose send's clock is no longer kept (every node its `to` names
    /// had received it, or the limit dropped it): stamped as received from outside.
    FromOutside {
        /// Where the receive is.
        origin: Origin,
        /// Its id.
        id: String,
        /// The message.
        msg: String,
        /// Where the send is.
        sent: Origin,
    },
    /// A send's clock dropped because more were kept than the limit: its later receives are
    /// stamped as received from outside.
    Dropped {
        /// Where the send is.
        origin: Origin,
        /// The message.
        msg: String,
        /// Receivers its `to` names that had not received it (0 when it names none).
        awaiting: usize,
        /// The limit.
        limit: usize,
    },
    /// A receive held back for its send, let go because more events were held than the limit:
    /// stamped as received from outside.
    Released {
        /// Where the receive is.
        origin: Origin,
        /// Its id.
        id: String,
        /// The message.
        msg: String,
        /// The limit.
        limit: usize,
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
    /// An event id used twice: two explicit ids, or an explicit id and another event's
    /// `NODE#N`.
    DuplicateId {
        /// The second use.
        origin: Origin,
        /// The id.
        id: String,
        /// The first use.
        first: Origin,
    },
    /// An event whose node name is empty.
    EmptyNode(Origin),
    /// An event whose `id` is empty.
    EmptyId(Origin),
    /// A node with more events than positions can count (`u32`).
    TooManyEvents(Origin),
    /// More nodes than `u32` numbers.
    TooManyNodes(Origin),
    /// Receives that wait for sends held back behind them: no causal order exists.
    Cycle(Vec<(Origin, String)>),
}

/// A 64-bit digest used as a hash-table key: already uniformly spread, so the table uses it as
/// is instead of hashing it again.
#[derive(Default)]
struct Digested(u64);

impl Hasher for Digested {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type DigestMap<V> = HashMap<u64, V, BuildHasherDefault<Digested>>;

struct Pending {
    raw: RawEvent,
    origin: Origin,
    /// Arrival order, for letting go of the receive held longest.
    serial: u64,
    /// Whether its sends are counted in [`Stamper::held_sends`]: from when it is first held
    /// until it is stamped (also while it waits on the stack of events ready to run).
    counted: bool,
}

/// A send whose clock is kept for receives still to come.
struct Sent {
    clock: Row,
    lamport: u64,
    msg: Box<str>,
    /// Digests of the names in its `to` that have not received it yet.
    awaiting: Vec<u64>,
    serial: u64,
}

/// Every send read so far: where, and which event of which node.
#[derive(Clone, Copy)]
struct SendRecord {
    origin: Origin,
    node: u32,
    seq: u32,
}

/// A node's event at a position, by where it was read; `file` is [`EXPLICIT`] for an event
/// that has an explicit id (whose `NODE#N` then names nothing).
const EXPLICIT: u32 = u32::MAX;

/// Stamps events one at a time, holding back receives until their sends arrive.
pub struct Stamper {
    files: Vec<String>,
    names: Vec<String>,
    index: HashMap<String, usize>,
    /// Each node's name digest, to tick it off a send's `to`.
    name_digest: Vec<u64>,
    /// Node indices in name order, for writing vector clocks.
    by_name: Vec<u32>,
    clocks: Vec<Row>,
    policy: RowPolicy,
    scratch: Vec<Entry>,
    lamport: Vec<u64>,
    /// Events read per node (stamped or held).
    pushed: Vec<u32>,
    /// Per node, where each of its events was read (see [`EXPLICIT`]).
    positions: Vec<Vec<Origin>>,
    /// Events held back per node, oldest first; the first waits for a send.
    held: Vec<VecDeque<Pending>>,
    held_count: usize,
    /// Nodes whose first held event waits, by that event's arrival.
    blocked: BTreeSet<(u64, usize)>,
    /// Per message digest, the nodes whose first held event waits for it.
    waiting: DigestMap<Vec<usize>>,
    /// Per message digest, how many held events send it.
    held_sends: DigestMap<u32>,
    /// Sends whose clocks are kept, and the order they were kept in (with stale entries,
    /// skipped and compacted away).
    kept: DigestMap<Sent>,
    kept_order: VecDeque<(u64, u64)>,
    /// Every send read, and every explicit id.
    sends: DigestMap<SendRecord>,
    ids: DigestMap<Origin>,
    digest: RandomState,
    limit: usize,
    serial: u64,
    problems: Vec<StreamProblem>,
}

impl Default for Stamper {
    fn default() -> Self {
        Stamper::new()
    }
}

impl Stamper {
    /// An empty stamper with the default limit ([`DEFAULT_MAX_IN_FLIGHT`]).
    pub fn new() -> Self {
        Stamper::with_limit(DEFAULT_MAX_IN_FLIGHT)
    }

    /// An empty stamper keeping at most `limit` sends' clocks and `limit` held events.
    pub fn with_limit(limit: usize) -> Self {
        Stamper::with_policy(limit, RowPolicy::default())
    }

    /// As [`Stamper::with_limit`], with clocks turning dense as `policy` says.
    pub fn with_policy(limit: usize, policy: RowPolicy) -> Self {
        Stamper {
            files: Vec::new(),
            names: Vec::new(),
            index: HashMap::new(),
            name_digest: Vec::new(),
            by_name: Vec::new(),
            clocks: Vec::new(),
            policy,
            scratch: Vec::new(),
            lamport: Vec::new(),
            pushed: Vec::new(),
            positions: Vec::new(),
            held: Vec::new(),
            held_count: 0,
            blocked: BTreeSet::new(),
            waiting: DigestMap::default(),
            held_sends: DigestMap::default(),
            kept: DigestMap::default(),
            kept_order: VecDeque::new(),
            sends: DigestMap::default(),
            ids: DigestMap::default(),
            digest: RandomState::new(),
            limit,
            serial: 0,
            problems: Vec::new(),
        }
    }

    /// Registers an input file and returns its index for [`Origin::file`].
    pub fn add_file(&mut self, name: impl Into<String>) -> u32 {
        self.files.push(name.into());
        // Files come from a command line: far fewer than u32::MAX.
        u32::try_from(self.files.len() - 1).unwrap_or(EXPLICIT - 1)
    }

    /// The name of file `file`, as registered.
    pub fn file_name(&self, file: u32) -> &str {
        self.files.get(file as usize).map_or("-", String::as_str)
    }

    /// The nodes seen so far, indexed as [`Stamped::node`] and [`Stamped::vc`] index them.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Sends whose clocks are kept, and events held back, now.
    pub fn in_flight(&self) -> (usize, usize) {
        (self.kept.len(), self.held_count)
    }

    /// The problems found since the last call, oldest first.
    pub fn take_problems(&mut self) -> Vec<StreamProblem> {
        std::mem::take(&mut self.problems)
    }

    fn hash(&self, s: &str) -> u64 {
        self.digest.hash_one(s)
    }

    fn node(&mut self, name: &str, origin: Origin) -> Result<usize, StreamError> {
        if let Some(&n) = self.index.get(name) {
            return Ok(n);
        }
        let n = self.names.len();
        let id = u32::try_from(n)
            .ok()
            .filter(|&id| id < u32::MAX)
            .ok_or(StreamError::TooManyNodes(origin))?;
        let at = self
            .by_name
            .partition_point(|&m| self.names[m as usize].as_str() < name);
        self.by_name.insert(at, id);
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), n);
        self.name_digest.push(self.hash(name));
        self.clocks.push(self.policy.new_row(n + 1));
        self.lamport.push(0);
        self.pushed.push(0);
        self.positions.push(Vec::new());
        self.held.push(VecDeque::new());
        Ok(n)
    }

    /// Takes one event; returns the events that are now stamped, in order. Problems found on
    /// the way are kept for [`Stamper::take_problems`].
    pub fn push(&mut self, raw: RawEvent, origin: Origin) -> Result<Vec<Stamped>, StreamError> {
        if raw.node.is_empty() {
            return Err(StreamError::EmptyNode(origin));
        }
        if raw.id.as_deref() == Some("") {
            return Err(StreamError::EmptyId(origin));
        }
        let n = self.node(&raw.node, origin)?;
        let seq = self.pushed[n]
            .checked_add(1)
            .ok_or(StreamError::TooManyEvents(origin))?;
        self.check_id(n, seq, &raw, origin)?;
        self.record_sends(n, seq, &raw, origin)?;
        self.pushed[n] = seq;
        self.positions[n].push(if raw.id.is_some() {
            Origin {
                file: EXPLICIT,
                line: 0,
            }
        } else {
            origin
        });
        self.serial += 1;
        let p = Pending {
            raw,
            origin,
            serial: self.serial,
            counted: false,
        };
        let mut out = Vec::new();
        if self.held[n].is_empty() {
            self.run(n, p, &mut out)?;
        } else {
            self.hold(n, p, false);
        }
        self.enforce_limit(&mut out)?;
        Ok(out)
    }

    /// An explicit id must differ from every explicit id and every other event's `NODE#N`;
    /// an event without one takes `NODE#seq`, which no explicit id may have taken.
    fn check_id(
        &mut self,
        n: usize,
        seq: u32,
        raw: &RawEvent,
        origin: Origin,
    ) -> Result<(), StreamError> {
        let duplicate = |id: String, first: Origin| StreamError::DuplicateId { origin, id, first };
        match &raw.id {
            Some(id) => {
                let d = self.hash(id);
                if let Some(&first) = self.ids.get(&d) {
                    return Err(duplicate(id.clone(), first));
                }
                // `NODE#N` of an event already read, which had no explicit id.
                if let Some((name, pos)) = id.rsplit_once('#') {
                    let event = pos.parse::<u32>().ok().filter(|&p| p >= 1);
                    let m = self.index.get(name).copied();
                    if let (Some(m), Some(p)) = (m, event) {
                        let first = self.positions[m].get(p as usize - 1);
                        if let Some(&first) = first.filter(|o| o.file != EXPLICIT) {
                            return Err(duplicate(id.clone(), first));
                        }
                    }
                }
                self.ids.insert(d, origin);
            }
            None if !self.ids.is_empty() => {
                let id = format!("{}#{seq}", self.names[n]);
                if let Some(&first) = self.ids.get(&self.hash(&id)) {
                    return Err(duplicate(id, first));
                }
            }
            None => {}
        }
        Ok(())
    }

    fn record_sends(
        &mut self,
        n: usize,
        seq: u32,
        raw: &RawEvent,
        origin: Origin,
    ) -> Result<(), StreamError> {
        for (kind, msg) in raw.roles() {
            if kind != EventKind::Send {
                continue;
            }
            let d = self.hash(msg);
            if let Some(first) = self.sends.get(&d) {
                return Err(StreamError::DuplicateSend {
                    origin,
                    msg: msg.to_string(),
                    first: first.origin,
                });
            }
            self.sends.insert(
                d,
                SendRecord {
                    origin,
                    node: n as u32,
                    seq,
                },
            );
        }
        Ok(())
    }

    /// Holds `p` back on node `n`: at the front when it is the node's next event and waits.
    fn hold(&mut self, n: usize, mut p: Pending, front: bool) {
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
    fn unhold(&mut self, n: usize) -> Option<Pending> {
        let p = self.held[n].pop_front()?;
        self.blocked.remove(&(p.serial, n));
        self.held_count -= 1;
        Some(p)
    }

    /// `p`'s sends are no longer held: it is being stamped.
    fn uncount(&mut self, p: &Pending) {
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
    fn waits_for(&self, raw: &RawEvent) -> Option<u64> {
        let msg = first_receive(raw)?;
        let d = self.hash(msg);
        let stamped = self.kept.contains_key(&d)
            || (self.sends.contains_key(&d) && !self.held_sends.contains_key(&d));
        (!stamped).then_some(d)
    }

    /// Stamps `p` on node `n` if its send is known (else holds it back), then wakes the nodes
    /// that waited for what it sent.
    fn run(&mut self, n: usize, p: Pending, out: &mut Vec<Stamped>) -> Result<(), StreamError> {
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

    fn event_id(&self, n: usize, raw: &RawEvent, seq: u32) -> String {
        raw.id
            .clone()
            .unwrap_or_else(|| format!("{}#{seq}", self.names[n]))
    }

    fn stamp(&mut self, n: usize, p: Pending, out: &mut Vec<Stamped>) -> Vec<usize> {
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
    fn vc_by_name(&self, n: usize) -> Vec<(usize, u32)> {
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

    /// Keeps the held events and kept clocks within the limit: lets go of the receives held
    /// longest, then drops the clocks kept longest.
    fn enforce_limit(&mut self, out: &mut Vec<Stamped>) -> Result<(), StreamError> {
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

    fn unwait(&mut self, d: u64, n: usize) {
        if let Some(list) = self.waiting.get_mut(&d) {
            list.retain(|&w| w != n);
            if list.is_empty() {
                self.waiting.remove(&d);
            }
        }
    }

    /// Ends the input: receives of messages never sent are stamped as local events (and
    /// reported), which may release the events behind them. Receives still waiting then wait
    /// for sends held back behind other receives: a cycle.
    pub fn finish(&mut self) -> Result<Vec<Stamped>, StreamError> {
        let mut out = Vec::new();
        loop {
            // Receives whose message no held event sends can never be matched. Letting one go
            // cannot make another one's message sent, so all of them go in one round.
            let mut orphans: Vec<usize> = self
                .blocked
                .iter()
                .map(|&(_, n)| n)
                .filter(|&n| {
                    self.held[n]
                        .front()
                        .and_then(|p| first_receive(&p.raw))
                        .is_some_and(|m| !self.held_sends.contains_key(&self.hash(m)))
                })
                .collect();
            if orphans.is_empty() {
                break;
            }
            orphans.sort_unstable();
            for n in orphans {
                let mut p = self.unhold(n).expect("an orphan is held");
                let msg = first_receive(&p.raw).unwrap_or_default().to_string();
                let seq = self.clocks[n].get(n) + 1;
                // A synchronisation receive with no release before it (a lock's first acquire)
                // is no problem, as in batch ordering.
                if !p.raw.flags.contains(EventFlags::SYNC) {
                    self.problems.push(StreamProblem::NeverSent {
                        origin: p.origin,
                        id: self.event_id(n, &p.raw, seq),
                        msg: msg.clone(),
                    });
                }
                self.unwait(self.hash(&msg), n);
                // The receive becomes local: later roles (a send) still count.
                drop_receive(&mut p.raw, &msg);
                self.run(n, p, &mut out)?;
            }
        }
        let stuck: Vec<(Origin, String)> = self
            .held
            .iter()
            .filter_map(|q| q.front())
            .map(|p| {
                (
                    p.origin,
                    first_receive(&p.raw).unwrap_or_default().to_string(),
                )
            })
            .collect();
        if stuck.is_empty() {
            Ok(out)
        } else {
            Err(StreamError::Cycle(stuck))
        }
    }
}

/// The first message this event receives, if any (streamed events have one receive role).
fn first_receive(raw: &RawEvent) -> Option<&str> {
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

    fn to(mut raw: RawEvent, names: &[&str]) -> RawEvent {
        raw.to = names.iter().map(|n| n.to_string()).collect();
        raw
    }

    fn at(line: u32) -> Origin {
        Origin { file: 0, line }
    }

    fn ids(out: &[Stamped]) -> Vec<&str> {
        out.iter().map(|e| e.id.as_str()).collect()
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
        assert_eq!(s.in_flight(), (0, 2));
        let out = s.push(ev("a", EventKind::Send, Some("m")), at(3)).unwrap();
        assert_eq!(ids(&out), ["a#1", "b#1", "b#2"]);
        assert_eq!(s.names(), ["b", "a"]);
        assert_eq!(out[1].vc, vec![(1, 1), (0, 1)]);
        assert_eq!(out[2].lamport, 3);
        assert!(s.finish().unwrap().is_empty());
        assert!(s.take_problems().is_empty());
        // No `to`: the clock stays for receivers to come.
        assert_eq!(s.in_flight(), (1, 0));
    }

    #[test]
    fn a_message_never_sent_is_local_at_the_end() {
        let mut s = Stamper::new();
        s.push(ev("b", EventKind::Recv, Some("ghost")), at(1))
            .unwrap();
        let out = s.finish().unwrap();
        assert_eq!(out[0].vc, vec![(0, 1)]);
        let problems = s.take_problems();
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

    #[test]
    fn a_clock_goes_once_every_named_receiver_has_it() {
        let mut s = Stamper::new();
        s.push(
            to(ev("a", EventKind::Send, Some("m")), &["b", "c", "b"]),
            at(1),
        )
        .unwrap();
        assert_eq!(s.in_flight(), (1, 0));
        s.push(ev("b", EventKind::Recv, Some("m")), at(2)).unwrap();
        // A receiver the send does not name leaves it waiting.
        s.push(ev("d", EventKind::Recv, Some("m")), at(3)).unwrap();
        assert_eq!(s.in_flight(), (1, 0));
        let out = s.push(ev("c", EventKind::Recv, Some("m")), at(4)).unwrap();
        assert_eq!(
            out[0].vc,
            vec![(0, 1), (3, 1)],
            "a:1 c:1 (c is the fourth node seen)"
        );
        assert_eq!(s.in_flight(), (0, 0));
        // After it went: the receiver that had seen the send loses nothing, another does.
        s.push(ev("b", EventKind::Recv, Some("m")), at(5)).unwrap();
        assert!(s.take_problems().is_empty());
        let out = s.push(ev("e", EventKind::Recv, Some("m")), at(6)).unwrap();
        assert_eq!(out[0].vc, vec![(4, 1)], "stamped as received from outside");
        assert_eq!(
            s.take_problems(),
            vec![StreamProblem::FromOutside {
                origin: at(6),
                id: "e#1".into(),
                msg: "m".into(),
                sent: at(1),
            }]
        );
    }

    #[test]
    fn the_limit_drops_the_oldest_clock_and_lets_go_of_the_longest_held_receive() {
        let mut s = Stamper::with_limit(2);
        for (i, m) in ["m1", "m2", "m3"].iter().enumerate() {
            s.push(ev("a", EventKind::Send, Some(m)), at(i as u32 + 1))
                .unwrap();
        }
        assert_eq!(s.in_flight(), (2, 0));
        let problems = s.take_problems();
        assert_eq!(
            problems,
            vec![StreamProblem::Dropped {
                origin: at(1),
                msg: "m1".into(),
                awaiting: 0,
                limit: 2,
            }]
        );
        // Receives of m1 elsewhere come from outside; m2 is still kept.
        let out = s.push(ev("b", EventKind::Recv, Some("m1")), at(4)).unwrap();
        assert_eq!(out[0].vc, vec![(1, 1)]);
        let out = s.push(ev("c", EventKind::Recv, Some("m2")), at(5)).unwrap();
        assert_eq!(out[0].vc, vec![(0, 2), (2, 1)]);
        s.take_problems();
        // Three receives waiting for sends not yet read: the one held longest goes.
        s.push(ev("x", EventKind::Recv, Some("later1")), at(6))
            .unwrap();
        s.push(ev("y", EventKind::Recv, Some("later2")), at(7))
            .unwrap();
        assert_eq!(s.in_flight().1, 2);
        let out = s.push(ev("y", EventKind::Local, None), at(8)).unwrap();
        assert_eq!(ids(&out), ["x#1"]);
        assert_eq!(s.in_flight().1, 2);
        assert!(matches!(
            &s.take_problems()[..],
            [StreamProblem::Released { origin, msg, limit: 2, .. }] if *origin == at(6) && msg == "later1"
        ));
        let out = s
            .push(ev("z", EventKind::Send, Some("later2")), at(9))
            .unwrap();
        assert_eq!(ids(&out), ["z#1", "y#1", "y#2"]);
    }

    #[test]
    fn ids_are_used_once_whether_explicit_or_positional() {
        let with_id = |node: &str, id: &str| RawEvent {
            node: node.into(),
            id: Some(id.into()),
            ..RawEvent::default()
        };
        let mut s = Stamper::new();
        s.push(ev("a", EventKind::Local, None), at(1)).unwrap();
        s.push(with_id("b", "x"), at(2)).unwrap();
        // An explicit id equal to an earlier event's NODE#N.
        assert_eq!(
            s.push(with_id("c", "a#1"), at(3)).unwrap_err(),
            StreamError::DuplicateId {
                origin: at(3),
                id: "a#1".into(),
                first: at(1),
            }
        );
        let mut s = Stamper::new();
        s.push(with_id("b", "x"), at(1)).unwrap();
        assert_eq!(
            s.push(with_id("a", "x"), at(2)).unwrap_err(),
            StreamError::DuplicateId {
                origin: at(2),
                id: "x".into(),
                first: at(1),
            }
        );
        // A later event whose NODE#N an explicit id took.
        s.push(with_id("c", "a#2"), at(3)).unwrap();
        s.push(ev("a", EventKind::Local, None), at(4)).unwrap();
        assert_eq!(
            s.push(ev("a", EventKind::Local, None), at(5)).unwrap_err(),
            StreamError::DuplicateId {
                origin: at(5),
                id: "a#2".into(),
                first: at(3),
            }
        );
        // An event's own NODE#N as its explicit id names nothing else.
        let mut s = Stamper::new();
        s.push(with_id("a", "a#1"), at(1)).unwrap();
        s.push(with_id("b", "a#2"), at(2)).unwrap();
        s.push(with_id("a", "z"), at(3)).unwrap();
    }

    #[test]
    fn empty_nodes_and_ids_are_errors() {
        let mut s = Stamper::new();
        assert_eq!(
            s.push(ev("", EventKind::Local, None), at(1)).unwrap_err(),
            StreamError::EmptyNode(at(1))
        );
        let mut raw = ev("a", EventKind::Local, None);
        raw.id = Some(String::new());
        assert_eq!(s.push(raw, at(2)).unwrap_err(), StreamError::EmptyId(at(2)));
    }
}
