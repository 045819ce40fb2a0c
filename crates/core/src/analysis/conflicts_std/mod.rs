//! Conflicts of RAPID STD traces in one pass over their lines, as race detectors work: a
//! vector clock per thread, per released lock and per pending fork, and per variable the
//! accesses needed to count its conflicts. It reports exactly what
//! [`find_conflicts`](super::conflicts::find_conflicts) reports on the trace that
//! [`parse`](crate::parse::std_trace::parse) builds from the same lines, without building it:
//! an STD line is about 20 bytes, an event of a trace over 100 with its clocks.
//!
//! Lines come in order, and line order is a causal order of an STD trace (every release,
//! fork and last event before a join is on an earlier line than what receives it). So, as in
//! [`find_conflicts`](super::conflicts::find_conflicts), an access `f` is concurrent with an
//! earlier access `e` of another thread exactly when `f` has not seen it, `vc(f)[thread(e)] <
//! seq(e)`, and each unordered pair is counted once, when its later line comes. Per variable
//! and thread we keep the thread's reads and writes (position, Lamport clock, line, event
//! index: 16 bytes an access) in program order; the unseen ones are a suffix, counted from
//! the lane's latest eight accesses that its head keeps (readers usually lag a lane by a
//! few), else found by binary search. A key whose accesses so far were each after all
//! earlier ones (as under a lock) is not visited at all when the access has seen the latest.
//! Counts are therefore the batch counts, pair for pair.
//!
//! Witnesses are harder: the batch analysis visits events in Lamport order (Lamport clock,
//! then node name) and keeps, per variable and kind, the first `limit` pairs ordered by the
//! visit of their later event `b`, then by the event index of the other, `a`. Lines do not
//! come in that order. Each pair's `b` is the greater of its two events in Lamport order, so
//! pairs are gathered in groups by `b`, in a map ordered as the visit; a group beyond the
//! point where the groups before it already hold `limit` pairs can never show a pair and is
//! dropped, and no pair past that point is looked at again. Within a thread, Lamport clocks
//! and event indices grow with the position, so a group keeps at most `limit` events of each
//! thread, the earliest, and they are sorted by event index at the end (an event's index is
//! known only once its thread's next line is read). The witnesses' vector clocks are then
//! rebuilt by replaying a log of the synchronisation (2 or 3 bytes an event with fewer than
//! 128 threads) up to the last witness. This layer reads no input and writes no output.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use super::conflicts::{ConflictKind, ConflictReport, KeyConflicts, Witness};
use crate::clock::{ClockRef, PackedClocks};
use crate::model::{EventIdx, GivenClocks, GivenStamp, KeyId, RawEvent, Trace, TraceBuilder};
use crate::parse::std_trace::{StdSink, StdStep, StdSync};

mod sync;
mod witnesses;

use sync::*;
use witnesses::*;

/// What to look for: [`super::conflicts::ConflictOptions`] with keys by name (the trace's
/// key numbers are not known before it is read).
#[derive(Clone, Debug, Default)]
pub struct StdConflictOptions {
    /// Witness pairs per key; `None` keeps them all.
    pub limit: Option<usize>,
    /// Only the keys of these names; `None` means every key.
    pub keys: Option<Vec<String>>,
}

/// What [`StdConflictFinder::finish`] found: the report and what the renderers need to show
/// it, as [`find_conflicts`](super::conflicts::find_conflicts) and its callers have them.
#[derive(Debug)]
pub struct StdConflicts {
    /// The witness events alone, each with its clocks given (its node name, position in its
    /// thread, label, key, file and line are the full trace's).
    pub trace: Trace,
    /// The conflicts; its events and keys are numbered in `trace`.
    pub report: ConflictReport,
    /// The Lamport clock of each event of `trace`.
    pub lamport: Vec<u64>,
    /// The vector clock of each event of `trace`.
    pub vector: PackedClocks,
    /// Events read.
    pub events: u64,
    /// Threads that have events: the nodes of the full trace.
    pub nodes: usize,
    /// The names of `keys` in the options that no event reads or writes, in their order.
    pub unknown_keys: Vec<String>,
}

/// The given vector clocks of every event of `trace`, packed.
fn packed_clocks(trace: &Trace, given: &GivenClocks) -> PackedClocks {
    let mut vector = PackedClocks::new(trace.nodes.len());
    let mut row = Vec::new();
    for e in 0..trace.len() {
        let e = EventIdx(e as u32);
        row.clear();
        row.resize(trace.nodes.len(), 0);
        for &(n, c) in given.vc(e) {
            row[n.index()] = c;
        }
        vector.push(e, ClockRef::Dense(&row));
    }
    vector
}

/// Finds conflicts in an STD trace streamed to it (see the module's documentation); hand it
/// to [`crate::parse::stream_std`], then call [`StdConflictFinder::finish`].
#[derive(Debug)]
pub struct StdConflictFinder {
    cap: u64,
    keys_wanted: Option<Vec<String>>,
    files: Vec<String>,
    /// Per file, the batch index of its first event.
    file_starts: Vec<u32>,
    names: Vec<Rc<str>>,
    has_events: Vec<bool>,
    clocks: SyncClocks,
    key_ids: HashMap<String, u32>,
    key_names: Vec<String>,
    key_selected: Vec<bool>,
    states: Vec<KeyState>,
    lane_of: HashMap<(u32, u32), u32>,
    /// Per thread, its latest event's place in a lane, if it was a selected access: its
    /// batch index is written there when it is pushed.
    held: Vec<Option<(u32, Access)>>,
    next_idx: u32,
    /// Per event, for the replay: its thread, the kind of its synchronisation (8 added when
    /// it receives a fork) and, unless none, its argument (lock slot or thread); numbers
    /// as LEB128 varints.
    log: Vec<u8>,
    /// Labels not written `r(KEY)` or `w(KEY)` (spaces in them), by thread and position.
    odd_labels: HashMap<(u32, u32), Box<str>>,
    events: u64,
}

impl StdConflictFinder {
    /// A finder that has read nothing yet.
    pub fn new(options: &StdConflictOptions) -> Self {
        StdConflictFinder {
            cap: options.limit.map_or(u64::MAX, |l| l as u64),
            keys_wanted: options.keys.clone(),
            files: Vec::new(),
            file_starts: Vec::new(),
            names: Vec::new(),
            has_events: Vec::new(),
            clocks: SyncClocks::default(),
            key_ids: HashMap::new(),
            key_names: Vec::new(),
            key_selected: Vec::new(),
            states: Vec::new(),
            lane_of: HashMap::new(),
            held: Vec::new(),
            next_idx: 0,
            log: Vec::new(),
            odd_labels: HashMap::new(),
            events: 0,
        }
    }

    fn key(&mut self, name: &str) -> u32 {
        if let Some(&k) = self.key_ids.get(name) {
            return k;
        }
        // Fewer keys than events: it fits.
        let k = self.key_names.len() as u32;
        self.key_ids.insert(name.to_string(), k);
        self.key_names.push(name.to_string());
        let selected = self
            .keys_wanted
            .as_ref()
            .is_none_or(|wanted| wanted.iter().any(|w| w == name));
        self.key_selected.push(selected);
        self.states.push(KeyState::default());
        k
    }

    /// Counts the pairs of access `v` on key `k` with the earlier ones, and offers them as
    /// witnesses.
    fn visit(&mut self, k: u32, v: &mut Visitor) {
        let cap = self.cap;
        let vc = &self.clocks.vc[v.thread as usize];
        let state = &mut self.states[k as usize];
        let names = &self.names;
        for kind in 0..2 {
            v.wanted[kind] = state.tops[kind]
                .bound(cap)
                .is_none_or(|b| before(v.lamport, &v.name, b));
        }
        let write = v.access.write;
        let lanes = state.heads.len() as u64;
        let reader = v.access.lane as usize;
        // A row of cursors takes 12 bytes a lane: kept for readers with at least half as
        // many accesses to the key as it has lanes, so at most 24 bytes an access.
        let own = &state.heads[reader];
        let own_accesses = u64::from(own.writes) + u64::from(own.reads);
        let mut cursors = (own_accesses * 2 >= lanes).then(|| {
            let mut row = std::mem::take(&mut state.cursors[reader]);
            row.resize(lanes as usize, Cursor::default());
            row
        });
        for (lane_no, head) in state.heads.iter().enumerate() {
            if head.thread == v.thread {
                continue;
            }
            let seen = vc.get(head.thread as usize).copied().unwrap_or(0);
            let last = if write {
                head.last_write.max(head.last_read)
            } else {
                head.last_write
            };
            if last <= seen {
                continue;
            }
            // Where the unseen writes and reads start: from the lane's latest accesses when
            // they reach back to what the reader has seen, else from its lists. With a
            // cursor whose reader has not come to see the lane's next access since, no list
            // is touched either.
            let (w_from, r_from) = match head.recent_unseen(seen) {
                Some((w, r)) => (head.writes - w, head.reads - r),
                None => unseen_from(
                    cursors.as_mut(),
                    lane_no,
                    head,
                    &state.lanes[lane_no],
                    seen,
                    write,
                ),
            };
            let unseen_writes = (head.writes - w_from) as u64;
            let unseen_reads = if write {
                (head.reads - r_from) as u64
            } else {
                0
            };
            let (ww, rw) = if write {
                (unseen_writes, unseen_reads)
            } else {
                (0, unseen_writes)
            };
            state.write_write += ww;
            state.read_write += rw;
            if !(v.wanted[0] && ww > 0 || v.wanted[1] && rw > 0) {
                continue;
            }
            let lane = &state.lanes[lane_no];
            let (w_from, r_from) = (w_from as usize, r_from as usize);
            let unseen_writes = (&lane.writes[w_from..], true, w_from);
            let unseen_reads = (&lane.reads[r_from..], false, r_from);
            let (ww, rw) = if write {
                (unseen_writes, unseen_reads)
            } else {
                ((&[][..], true, 0), unseen_writes)
            };
            for (kind, (list, list_write, from)) in [ww, rw].into_iter().enumerate() {
                if !v.wanted[kind] || list.is_empty() {
                    continue;
                }
                let lane = Unseen {
                    thread: head.thread,
                    name: &names[head.thread as usize],
                    lane: lane_no as u32,
                    write: list_write,
                    from,
                    list,
                };
                offer(
                    &mut state.tops[kind],
                    &mut v.own[kind],
                    v.thread,
                    v.lamport,
                    &v.name,
                    v.access,
                    &lane,
                    cap,
                );
            }
        }
        if let Some(row) = cursors {
            state.cursors[reader] = row;
        }
        for kind in 0..2 {
            let own = &mut v.own[kind];
            if own.count == 0 {
                continue;
            }
            let top = &mut state.tops[kind];
            if top.bound(cap).is_none_or(|b| before(v.lamport, &v.name, b)) {
                let group = Group {
                    b: v.access,
                    count: own.count,
                    partners: std::mem::take(&mut own.partners),
                };
                top.total += group.count;
                top.groups.insert((v.lamport, v.name.clone()), group);
                top.prune(cap);
            }
        }
    }

    /// The report, once every input is read.
    pub fn finish(mut self) -> StdConflicts {
        let cap = usize::try_from(self.cap).unwrap_or(usize::MAX);
        // Per key with conflicts: its witnesses, as (a, b, kind) accesses.
        let mut found: Vec<(u32, Vec<Pair>)> = Vec::new();
        for (k, state) in self.states.iter_mut().enumerate() {
            if state.write_write + state.read_write == 0 {
                continue;
            }
            let mut pairs = select_witnesses(state, cap);
            pairs.truncate(cap);
            found.push((k as u32, pairs));
        }

        // The witness events, by thread and position, with what the trace shows of them.
        let mut wanted: BTreeMap<(u32, u32), (u32, Entry, bool)> = BTreeMap::new();
        for (k, pairs) in &found {
            let state = &self.states[*k as usize];
            for &(a, b, _) in pairs {
                for x in [a, b] {
                    let thread = state.heads[x.lane as usize].thread;
                    let entry = *state.entry(x);
                    wanted.insert((thread, entry.seq), (*k, entry, x.write));
                }
            }
        }
        let vcs = self.replay(&wanted);

        let mut builder = TraceBuilder::new();
        builder.drop_fields();
        for name in &self.files {
            builder.add_file(name.clone());
        }
        let mut index: HashMap<(u32, u32), EventIdx> = HashMap::new();
        for (i, (&(thread, seq), &(k, entry, write))) in wanted.iter().enumerate() {
            let key = self.key_names[k as usize].clone();
            let label = match self.odd_labels.remove(&(thread, seq)) {
                Some(label) => label.into_string(),
                None => format!("{}({key})", if write { 'w' } else { 'r' }),
            };
            let file = self.file_starts.partition_point(|&s| s <= entry.idx) - 1;
            let vc = vcs[i]
                .iter()
                .enumerate()
                .filter(|&(_, &c)| c > 0)
                .map(|(n, &c)| (self.names[n].to_string(), c))
                .collect();
            let (reads, writes) = if write {
                (Vec::new(), vec![key])
            } else {
                (vec![key], Vec::new())
            };
            builder.push(
                file as u32,
                RawEvent {
                    node: self.names[thread as usize].to_string(),
                    label: Some(label),
                    reads,
                    writes,
                    line: entry.line,
                    given: Some(Box::new(GivenStamp {
                        lamport: u64::from(entry.lamport),
                        vc,
                        delta: false,
                    })),
                    ..RawEvent::default()
                },
            );
            index.insert((thread, seq), EventIdx(i as u32));
        }
        let mut trace = builder.finish();
        let mut keys: Vec<KeyConflicts> = Vec::new();
        for (k, pairs) in found {
            let state = &self.states[k as usize];
            let name = &self.key_names[k as usize];
            let key = trace.key_id(name).unwrap_or_else(|| {
                trace.keys.push(name.clone());
                KeyId(trace.keys.len() as u32 - 1)
            });
            let event = |x: Access| {
                let thread = state.heads[x.lane as usize].thread;
                index[&(thread, state.entry(x).seq)]
            };
            keys.push(KeyConflicts {
                key,
                write_write: state.write_write,
                read_write: state.read_write,
                witnesses: pairs
                    .into_iter()
                    .map(|(a, b, kind)| Witness {
                        a: event(a),
                        b: event(b),
                        kind,
                    })
                    .collect(),
            });
        }
        keys.sort_by(|x, y| {
            y.total()
                .cmp(&x.total())
                .then_with(|| trace.key_name(x.key).cmp(trace.key_name(y.key)))
        });
        let total = keys.iter().map(KeyConflicts::total).sum();
        let given = trace.given.clone().unwrap_or_default();
        let vector = packed_clocks(&trace, &given);
        let unknown_keys = self
            .keys_wanted
            .iter()
            .flatten()
            .filter(|name| !self.key_ids.contains_key(name.as_str()))
            .cloned()
            .collect();
        StdConflicts {
            lamport: given.lamport.clone(),
            trace,
            report: ConflictReport { keys, total },
            vector,
            events: self.events,
            nodes: self.has_events.iter().filter(|&&x| x).count(),
            unknown_keys,
        }
    }

    /// The vector clocks of the `wanted` events (by thread and position), in that order,
    /// from a replay of the log that stops at the last of them.
    fn replay<V>(&self, wanted: &BTreeMap<(u32, u32), V>) -> Vec<Vec<u32>> {
        let mut clocks = SyncClocks::default();
        for _ in 0..self.names.len() {
            clocks.add_thread();
        }
        let place: HashMap<(u32, u32), usize> =
            wanted.keys().enumerate().map(|(i, &k)| (k, i)).collect();
        let mut vcs = vec![Vec::new(); wanted.len()];
        let mut left = wanted.len();
        let mut at = 0;
        while left > 0 && at < self.log.len() {
            let thread = read_varint(&self.log, &mut at);
            let code = self.log[at];
            at += 1;
            let arg = if code & 7 == 0 {
                0
            } else {
                read_varint(&self.log, &mut at)
            };
            let t = thread as usize;
            let (seq, _) = clocks.step(t, code & FORK_RECV != 0, sync_of(code, arg));
            if let Some(&i) = place.get(&(thread, seq)) {
                vcs[i] = clocks.vc[t].clone();
                left -= 1;
            }
        }
        vcs
    }
}

impl StdSink for StdConflictFinder {
    fn file(&mut self, name: &str) {
        self.files.push(name.to_string());
        self.file_starts.push(self.next_idx);
    }

    fn thread(&mut self, name: &str) {
        self.names.push(name.into());
        self.has_events.push(false);
        self.held.push(None);
        self.clocks.add_thread();
    }

    fn step(&mut self, step: &StdStep<'_>) {
        self.events += 1;
        let t = step.thread;
        self.has_events[t as usize] = true;
        let (code, arg) = sync_code(step.sync);
        push_varint(&mut self.log, t);
        self.log
            .push(code | if step.fork_recv { FORK_RECV } else { 0 });
        if code != 0 {
            push_varint(&mut self.log, arg);
        }
        let (seq, lamport) = self.clocks.step(t as usize, step.fork_recv, step.sync);
        self.held[t as usize] = None;
        let Some(access) = step.access else {
            return;
        };
        let k = self.key(access.key);
        if !self.key_selected[k as usize] {
            return;
        }
        if step.label.len() != access.key.len() + 3 {
            self.odd_labels.insert((t, seq), step.label.into());
        }
        let state = &mut self.states[k as usize];
        let lane = *self.lane_of.entry((k, t)).or_insert_with(|| {
            state.heads.push(LaneHead::new(t));
            state.lanes.push(Lane {
                writes: Vec::new(),
                reads: Vec::new(),
            });
            state.cursors.push(Vec::new());
            // Fewer lanes than events.
            (state.lanes.len() - 1) as u32
        });
        let (head, list) = (
            &mut state.heads[lane as usize],
            &mut state.lanes[lane as usize],
        );
        head.push(seq, access.write);
        let list = if access.write {
            &mut list.writes
        } else {
            &mut list.reads
        };
        list.push(Entry {
            seq,
            lamport,
            line: step.line,
            idx: u32::MAX,
        });
        let at = Access {
            lane,
            write: access.write,
            pos: (list.len() - 1) as u32,
        };
        self.held[t as usize] = Some((k, at));
        if state.after_all(t, seq, &self.clocks.vc[t as usize]) {
            return;
        }
        let empty = || Group {
            b: at,
            count: 0,
            partners: Vec::new(),
        };
        let mut visitor = Visitor {
            thread: t,
            name: self.names[t as usize].clone(),
            lamport,
            access: at,
            wanted: [false; 2],
            own: [empty(), empty()],
        };
        self.visit(k, &mut visitor);
    }

    fn pushed(&mut self, thread: u32) {
        let idx = self.next_idx;
        self.next_idx += 1;
        if let Some((k, at)) = self.held[thread as usize].take() {
            let state = &mut self.states[k as usize];
            let lane = &mut state.lanes[at.lane as usize];
            let list = if at.write {
                &mut lane.writes
            } else {
                &mut lane.reads
            };
            list[at.pos as usize].idx = idx;
        }
    }
}
