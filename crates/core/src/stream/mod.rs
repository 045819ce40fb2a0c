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
use crate::order::follow_waits;

mod errors;
mod ids;
mod matcher;
mod stamp;
#[cfg(test)]
mod tests;

use matcher::{drop_receive, first_receive};

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
    /// Receives that wait for sends held back behind them: no causal order exists. The
    /// receives on one such loop, each waiting for a send held behind the next.
    Cycle(Vec<CycleWait>),
}

/// A receive on a happens-before cycle of online stamping, and the send it waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleWait {
    /// Where the receive is.
    pub recv: Origin,
    /// Its id.
    pub recv_id: String,
    /// The message it waits for.
    pub msg: String,
    /// Where that message's send is.
    pub send: Origin,
    /// The send's id.
    pub send_id: String,
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
        match (0..self.held.len()).find(|&n| !self.held[n].is_empty()) {
            None => Ok(out),
            Some(start) => Err(StreamError::Cycle(follow_waits(start, |n| {
                self.cycle_wait(n)
            }))),
        }
    }

    /// What node `n`, stuck at the end of the input, waits for: its first held event, a
    /// receive whose message a held event sends (the orphans are gone), and the node of that
    /// send, stuck too.
    fn cycle_wait(&self, n: usize) -> (CycleWait, usize) {
        let p = self.held[n].front().expect("a stuck node holds an event");
        let msg = first_receive(&p.raw).unwrap_or_default();
        let sent = self.sends[&self.hash(msg)];
        let m = sent.node as usize;
        let sends_it = |q: &&Pending| q.raw.roles().any(|(k, x)| k == EventKind::Send && x == msg);
        let send_id = match self.held[m].iter().find(sends_it) {
            Some(q) => self.event_id(m, &q.raw, sent.seq),
            None => format!("{}#{}", self.names[m], sent.seq),
        };
        let wait = CycleWait {
            recv: p.origin,
            recv_id: self.event_id(n, &p.raw, self.clocks[n].get(n) + 1),
            msg: msg.to_string(),
            send: sent.origin,
            send_id,
        };
        (wait, m)
    }
}
