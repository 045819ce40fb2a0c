//! Vector-clock logs (ShiViz, GoVector, DistributedClocks/tracing): events that carry a
//! vector clock and no message ids.
//!
//! Parsers push each event with its logged clock through a [`VectorClockLog`]; once every
//! file is read, [`VectorClockLog::finish`] infers the messages from the clocks, as ShiViz
//! does, and turns each inconsistency into a `clock-mismatch` diagnostic instead of
//! rejecting the log. This module computes no clocks of its own and never prints.
//!
//! Inference, per execution: a host's events run in log order and its own clock entry
//! counts them 1, 2, 3, ... An event receives from host O when its entry for O rises above
//! every earlier entry for O on its host; the send is O's event whose own entry is that
//! value. A rise that another received clock explains is not a message of its own: when
//! event b of host B is received and b's clock already holds C:5, a rise to C:5 came
//! through b, so there is no direct message from C. One event may receive from several
//! hosts and be received by several; its further roles go to `more_roles`.
//!
//! Message ids are synthesized from the positional names of both ends,
//! `SENDER#N->RECEIVER#M` (host and position in its program order, which the own clock
//! entry equals in a consistent log), with the execution label in front of each host
//! (`LABEL/HOST#N`) when a log holds several executions and all are kept, as node names are.

use std::collections::HashSet;

// foldhash, not SipHash: lookups per event and per clock entry (see model::builder).
use foldhash::{HashMap, HashMapExt};

use crate::model::{Diagnostic, EventKind, RawEvent, Role, Source, TraceBuilder};

/// The diagnostic kind of every problem found in a vector-clock log.
pub const CLOCK_MISMATCH: &str = "clock-mismatch";

/// A vector clock as logged: host names and counts in the log's order (zeros kept).
pub type VectorClock = Vec<(String, u64)>;

mod clock_text;

pub use clock_text::{clock_from_map, clock_json_text, parse_clock};

/// Events of vector-clock logs, collected across files until their messages are inferred.
#[derive(Debug, Default)]
pub struct VectorClockLog {
    events: Vec<Clocked>,
    /// Every host name met in an event or a clock, once: events and their clocks hold
    /// indices into it, not a string per name (at 8 hosts, nine strings per event).
    hosts: Hosts,
    /// Problems found while reading, with the execution they belong to.
    found: Vec<(u32, Diagnostic)>,
    /// Labels of the executions started here.
    labels: HashSet<String>,
    /// The next ` (N)` to try for a label already used.
    next_suffix: HashMap<String, u32>,
}

/// An event read from a vector-clock log, waiting to be pushed with the rest of its part of
/// the log. Made by [`VectorClockLog::read`], which keeps the clock's host names once.
#[derive(Debug)]
pub struct ReadEvent {
    /// The event; its node is the host.
    pub raw: RawEvent,
    /// Its clock as logged, hosts as indices into the log's hosts, or why it could not be read.
    clock: Result<Vec<(u32, u64)>, String>,
}

/// Host names, each once, by index.
#[derive(Debug, Default)]
pub struct Hosts {
    index: HashMap<String, u32>,
    names: Vec<String>,
    /// Each name as a JSON string, quotes and all.
    quoted: Vec<String>,
}

impl Hosts {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.index.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.index.insert(name.to_string(), id);
        self.names.push(name.to_string());
        self.quoted.push(serde_json::Value::from(name).to_string());
        id
    }
}

/// An event's host and clock as logged (hosts as indices into the log's hosts), or why the
/// clock could not be read: what [`VectorClockLog::push_part_with`] orders a part by. Made by
/// [`VectorClockLog::read_clock`] and [`VectorClockLog::read_clock_text`].
#[derive(Debug)]
pub struct PartClock {
    host: u32,
    clock: Result<Vec<(u32, u64)>, String>,
}

impl PartClock {
    /// Whether the clock could be read.
    pub fn is_read(&self) -> bool {
        self.clock.is_ok()
    }

    /// Appends the clock, if it could be read, as the compact text of a JSON object of counts
    /// in the log's order (as [`clock_json_text`] writes it); `hosts` as
    /// [`VectorClockLog::push_part_with`] gives them.
    pub fn write_json(&self, hosts: &Hosts, out: &mut Vec<u8>) {
        let Ok(clock) = &self.clock else {
            return;
        };
        out.push(b'{');
        for (i, &(h, n)) in clock.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(hosts.quoted[h as usize].as_bytes());
            out.push(b':');
            out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        }
        out.push(b'}');
    }
}

#[derive(Debug)]
struct Clocked {
    /// Index of the event in the builder.
    index: usize,
    /// The builder's execution when it was pushed.
    execution: u32,
    /// The host, an index into [`VectorClockLog::hosts`].
    host: u32,
    /// The clock as logged, hosts as indices into [`VectorClockLog::hosts`]; `None` when the
    /// clock could not be read (already diagnosed).
    clock: Option<Vec<(u32, u64)>>,
    /// Where the event is.
    source: Source,
}

impl VectorClockLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// `raw` (whose node is the host) with its clock as logged, or why the clock could not be
    /// read, to push with the rest of its part: the clock's host names are kept once, here.
    pub fn read(&mut self, raw: RawEvent, clock: Result<VectorClock, String>) -> ReadEvent {
        let clock = self.read_clock(&raw.node, clock).clock;
        ReadEvent { raw, clock }
    }

    /// The clock of an event of `host` as logged, or why it could not be read, for
    /// [`VectorClockLog::push_part_with`]: host names are kept once, here.
    pub fn read_clock(&mut self, host: &str, clock: Result<VectorClock, String>) -> PartClock {
        let hosts = &mut self.hosts;
        PartClock {
            host: hosts.id(host),
            clock: clock.map(|c| c.iter().map(|(h, n)| (hosts.id(h), *n)).collect()),
        }
    }

    /// [`VectorClockLog::read_clock`] of the clock logged as `text` (as [`parse_clock`] reads
    /// it), host names looked up as they are read instead of copied first.
    pub fn read_clock_text(&mut self, host: &str, text: &str) -> PartClock {
        let mut clock = Vec::new();
        let hosts = &mut self.hosts;
        let read = clock_text::relaxed_clock(text, |name, n| clock.push((hosts.id(&name), n)));
        match read {
            Ok(()) => PartClock {
                host: hosts.id(host),
                clock: Ok(clock),
            },
            Err(()) => self.read_clock(host, parse_clock(text)),
        }
    }

    /// Pushes `raw` (whose node is host `host`) into `builder` and keeps its clock for
    /// inference; a clock that could not be read is a diagnostic at the event's line.
    fn push(
        &mut self,
        builder: &mut TraceBuilder,
        file: u32,
        (raw, host): (RawEvent, u32),
        clock: Result<Vec<(u32, u64)>, String>,
    ) {
        let execution = builder.executions().len().saturating_sub(1) as u32;
        let source = Source {
            file,
            line: raw.line,
        };
        let clock = match clock {
            Ok(c) => Some(c),
            Err(message) => {
                self.found.push((
                    execution,
                    Diagnostic {
                        kind: CLOCK_MISMATCH,
                        source,
                        message,
                    },
                ));
                None
            }
        };
        self.events.push(Clocked {
            index: builder.pushed(),
            execution,
            host,
            clock,
            source,
        });
        builder.push(file, raw);
    }

    /// Pushes the events of one part of one file (all of it, or one execution), each host's
    /// events in the order of their own clock entries, as ShiViz orders them: a host's events
    /// that the log has out of order trade places among that host's lines. Events whose own
    /// entry is unknown stay right after the event they followed.
    ///
    /// With `execution` (the part is one execution of a delimited log), a part that holds
    /// events first starts an execution named by the label, or by its position when it has
    /// none; a part without events is no execution.
    pub fn push_part(
        &mut self,
        builder: &mut TraceBuilder,
        file: u32,
        execution: Option<Option<&str>>,
        events: Vec<ReadEvent>,
    ) {
        let mut clocks = Vec::with_capacity(events.len());
        let mut raws = Vec::with_capacity(events.len());
        for r in events {
            clocks.push(PartClock {
                host: self.hosts.id(&r.raw.node),
                clock: r.clock,
            });
            raws.push(Some(r.raw));
        }
        self.push_part_with(builder, file, execution, clocks, |i, _, _| {
            raws[i].take().expect("each event is placed once")
        });
    }

    /// [`VectorClockLog::push_part`] for events made only as they are pushed: `clocks` holds
    /// each event's host and clock, and `event(i, clock, hosts)` makes event `i` (`hosts`
    /// are those its clock's indices stand for). A log's events are held as one small
    /// clock each instead of whole events until their order is known.
    pub fn push_part_with(
        &mut self,
        builder: &mut TraceBuilder,
        file: u32,
        execution: Option<Option<&str>>,
        clocks: Vec<PartClock>,
        mut event: impl FnMut(usize, &PartClock, &Hosts) -> RawEvent,
    ) {
        if clocks.is_empty() {
            return;
        }
        if let Some(label) = execution {
            self.start_execution(builder, label);
        }
        let own = |i: usize| {
            let PartClock { host, clock } = &clocks[i];
            clock
                .as_ref()
                .ok()
                .and_then(|c| c.iter().find(|&&(h, _)| h == *host).map(|&(_, n)| n))
        };
        let mut slots: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, c) in clocks.iter().enumerate() {
            slots.entry(c.host).or_default().push(i);
        }
        let mut order: Vec<usize> = (0..clocks.len()).collect();
        for host_slots in slots.values() {
            let mut last = 0;
            let keys: Vec<u64> = host_slots
                .iter()
                .map(|&i| {
                    last = own(i).unwrap_or(last);
                    last
                })
                .collect();
            if keys.windows(2).all(|w| w[0] <= w[1]) {
                continue;
            }
            let mut by_clock: Vec<usize> = (0..host_slots.len()).collect();
            by_clock.sort_by_key(|&k| keys[k]);
            for (&slot, k) in host_slots.iter().zip(by_clock) {
                order[slot] = host_slots[k];
            }
        }
        let mut clocks: Vec<Option<PartClock>> = clocks.into_iter().map(Some).collect();
        for i in order {
            let c = clocks[i].take().expect("each event is placed once");
            let raw = event(i, &c, &self.hosts);
            self.push(builder, file, (raw, c.host), c.clock);
        }
    }

    /// Starts an execution in `builder` named `label`, or by its 1-based position when the
    /// label is missing or empty; a label already used gets ` (2)`, ` (3)`, ...
    fn start_execution(&mut self, builder: &mut TraceBuilder, label: Option<&str>) {
        let ordinal = builder.executions().len() + 1;
        // The label as the delimiter captured it, spaces and all (ShiViz keeps them too).
        let base = match label {
            Some(l) if !l.trim().is_empty() => l.to_string(),
            _ => ordinal.to_string(),
        };
        let mut name = base.clone();
        let mut n = self.next_suffix.get(&base).copied().unwrap_or(2);
        while self.labels.contains(&name) {
            name = format!("{base} ({n})");
            n += 1;
        }
        self.next_suffix.insert(base, n);
        self.labels.insert(name.clone());
        builder.start_execution(name);
    }

    /// Infers the messages of every event pushed, gives the events their roles and records
    /// the diagnostics (only those of the execution `selection` names, when it names one).
    pub fn finish(self, builder: &mut TraceBuilder, selection: Option<&str>) {
        if self.events.is_empty() && self.found.is_empty() {
            return;
        }
        let keep = selection.and_then(|s| builder.execution_index(s).ok());
        let labels = builder.executions().to_vec();
        let prefix = labels.len() > 1 && selection.is_none();
        let inferred = infer(
            &self.events,
            &self.hosts.names,
            prefix.then_some(labels.as_slice()),
        );
        let mut diagnostics = self.found;
        diagnostics.extend(inferred.diagnostics);
        diagnostics.sort_by_key(|(_, d)| (d.source.file, d.source.line));
        for (x, d) in diagnostics {
            if keep.is_none_or(|k| k == x) {
                builder.add_diagnostic(d);
            }
        }
        let ids = inferred.ids;
        // Receives first: an event that receives and is received reads as "got, then sent".
        for (&(_, r), id) in inferred.edges.iter().zip(&ids) {
            builder.add_role(
                self.events[r as usize].index,
                Role {
                    kind: EventKind::Recv,
                    msg: id.as_str().into(),
                },
            );
        }
        for (&(s, _), id) in inferred.edges.iter().zip(ids) {
            builder.add_role(
                self.events[s as usize].index,
                Role {
                    kind: EventKind::Send,
                    msg: id.into_boxed_str(),
                },
            );
        }
    }
}

/// What inference found: message edges (send, receive) as indices into the events, their
/// ids, and the problems with the execution each belongs to.
struct Inferred {
    edges: Vec<(u32, u32)>,
    /// The message id of each edge.
    ids: Vec<String>,
    diagnostics: Vec<(u32, Diagnostic)>,
}

/// A clock with host names resolved to lane ids, sorted by id, zero entries dropped.
type Resolved = Vec<(u32, u64)>;

fn entry(clock: &Resolved, host: u32) -> u64 {
    clock
        .binary_search_by_key(&host, |&(h, _)| h)
        .map_or(0, |i| clock[i].1)
}

/// Host lanes: one per (execution, host name), holding that host's events in log order.
/// Names that appear only inside clocks get an empty lane.
struct Lanes<'a> {
    ids: HashMap<(u32, u32), u32>,
    events: Vec<Vec<u32>>,
    name: Vec<&'a str>,
    /// Host names by index.
    hosts: &'a [String],
}

impl<'a> Lanes<'a> {
    fn new(hosts: &'a [String]) -> Self {
        Lanes {
            ids: HashMap::new(),
            events: Vec::new(),
            name: Vec::new(),
            hosts,
        }
    }

    /// The lane of host `host` (an index into the hosts) in `execution`.
    fn id(&mut self, execution: u32, host: u32) -> u32 {
        let Lanes {
            ids,
            events,
            name: names,
            hosts,
        } = self;
        *ids.entry((execution, host)).or_insert_with(|| {
            events.push(Vec::new());
            names.push(&hosts[host as usize]);
            (events.len() - 1) as u32
        })
    }
}

/// Infers message edges from the clocks, then breaks any happens-before cycle they form.
///
/// Linear in events plus clock entries, except that pruning explained rises is quadratic
/// in the number of hosts a single event receives from at once.
#[expect(
    clippy::too_many_lines,
    reason = "message inference is one walk over the lanes with shared state (see the module doc)"
)]
fn infer(events: &[Clocked], hosts: &[String], labels: Option<&[String]>) -> Inferred {
    let mut lanes = Lanes::new(hosts);
    let mut position = Vec::with_capacity(events.len());
    for (i, ev) in events.iter().enumerate() {
        let l = lanes.id(ev.execution, ev.host) as usize;
        lanes.events[l].push(i as u32);
        position.push(lanes.events[l].len() as u32);
    }
    let clocks: Vec<Option<Resolved>> = events
        .iter()
        .map(|ev| {
            ev.clock.as_ref().map(|c| {
                let mut r: Resolved = c
                    .iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|&(h, n)| (lanes.id(ev.execution, h), n))
                    .collect();
                r.sort_by_key(|&(h, _)| h);
                r.dedup_by_key(|&mut (h, _)| h);
                r
            })
        })
        .collect();
    let name = |e: u32| {
        let (ev, pos) = (&events[e as usize], position[e as usize]);
        let host = &hosts[ev.host as usize];
        match labels.and_then(|l| l.get(ev.execution as usize)) {
            Some(label) => format!("{label}/{host}#{pos}"),
            None => format!("{host}#{pos}"),
        }
    };
    let mut diagnostics = Vec::new();
    let mut report = |e: u32, message: String| {
        let ev = &events[e as usize];
        diagnostics.push((
            ev.execution,
            Diagnostic {
                kind: CLOCK_MISMATCH,
                source: ev.source,
                message,
            },
        ));
    };

    // The own entry counts a host's events; remember which event has which count.
    let mut own: HashMap<(u32, u64), u32> = HashMap::new();
    for (l, lane) in lanes.events.iter().enumerate() {
        let host = lanes.name[l];
        let mut prev: Option<u64> = None;
        for (k, &e) in lane.iter().enumerate() {
            let Some(clock) = &clocks[e as usize] else {
                prev = None;
                continue;
            };
            let v = entry(clock, l as u32);
            if v == 0 {
                report(
                    e,
                    format!("{}'s clock has no entry for its own host {host:?}", name(e)),
                );
                prev = None;
                continue;
            }
            own.entry((l as u32, v)).or_insert(e);
            let expected = prev.map_or(k as u64 + 1, |p| p + 1);
            if v != expected {
                let message = match prev {
                    Some(p) => format!(
                        "{}'s own clock entry goes from {host:?}:{p} to {host:?}:{v}, \
                         expected {expected}: it grows by 1 with each event of the host",
                        name(e)
                    ),
                    None => format!(
                        "{}'s own clock entry is {host:?}:{v}, expected {expected}: it counts \
                         the host's events from 1",
                        name(e)
                    ),
                };
                report(e, message);
            }
            prev = Some(v);
        }
    }

    let knows = |x: u32, host: u32, count: u64| {
        clocks[x as usize]
            .as_ref()
            .is_some_and(|c| entry(c, host) >= count)
    };
    let mut known = vec![0u64; lanes.events.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut candidates: Vec<(u32, u64, u32)> = Vec::new();
    let mut edges: Vec<(u32, u32)> = Vec::new();
    for (l, lane) in lanes.events.iter().enumerate() {
        let l = l as u32;
        for &h in &touched {
            known[h as usize] = 0;
        }
        touched.clear();
        let mut prev: Option<&Resolved> = None;
        for &e in lane {
            let Some(clock) = &clocks[e as usize] else {
                continue;
            };
            if let Some((host, before, now)) = prev.and_then(|p| first_decrease(p, clock, l)) {
                let host = lanes.name[host as usize];
                let message = if now == 0 {
                    format!(
                        "{}'s clock drops the entry {host:?}:{before} of the host's previous \
                         event: entries never go down",
                        name(e)
                    )
                } else {
                    format!(
                        "{}'s clock entry for {host:?} goes down from {before} to {now}: \
                         entries never go down",
                        name(e)
                    )
                };
                report(e, message);
            }
            prev = Some(clock);
            candidates.clear();
            for &(o, t) in clock {
                if o == l || t <= known[o as usize] {
                    continue;
                }
                if known[o as usize] == 0 {
                    touched.push(o);
                }
                known[o as usize] = t;
                let other = &lanes.events[o as usize];
                // A send whose own clock could not be read still holds its place.
                let send = own.get(&(o, t)).copied().or_else(|| {
                    let s = *other.get(usize::try_from(t - 1).ok()?)?;
                    clocks[s as usize].is_none().then_some(s)
                });
                let host = lanes.name[o as usize];
                match send {
                    Some(s) => candidates.push((o, t, s)),
                    None if other.is_empty() => report(
                        e,
                        format!(
                            "{}'s clock has {host:?}:{t}, but the log has no event of host \
                             {host:?} (read every node's log together)",
                            name(e)
                        ),
                    ),
                    None => report(
                        e,
                        format!(
                            "{}'s clock has {host:?}:{t}, but no event of {host:?} has own \
                             entry {t} (it has {} events)",
                            name(e),
                            other.len()
                        ),
                    ),
                }
            }
            for (i, &(o, t, s)) in candidates.iter().enumerate() {
                let explained = candidates
                    .iter()
                    .enumerate()
                    .any(|(j, &(o2, t2, s2))| j != i && knows(s2, o, t) && !knows(s, o2, t2));
                if explained {
                    continue;
                }
                edges.push((s, e));
                let sender = clocks[s as usize].as_deref().unwrap_or_default();
                if let Some(&(p, u)) = sender.iter().find(|&&(p, u)| p != l && entry(clock, p) < u)
                {
                    let (host, p_host) = (lanes.name[o as usize], lanes.name[p as usize]);
                    report(
                        e,
                        format!(
                            "{} receives from {} ({host:?}:{t}) but has {p_host:?}:{} where \
                             the sender has {p_host:?}:{u}: a receive takes the larger of \
                             each entry",
                            name(e),
                            name(s),
                            entry(clock, p)
                        ),
                    );
                }
            }
        }
    }

    let dropped = break_cycles(&lanes.events, &mut edges, events.len());
    for (s, r) in dropped {
        report(
            r,
            format!(
                "the clocks say {} receives from {} and also that {} comes after {} (a \
                 happens-before cycle): this receive is ignored",
                name(r),
                name(s),
                name(s),
                name(r)
            ),
        );
    }
    let ids = edges
        .iter()
        .map(|&(s, r)| format!("{}->{}", name(s), name(r)))
        .collect();
    Inferred {
        edges,
        ids,
        diagnostics,
    }
}

/// The first host (other than `own`) whose entry is lower in `now` than in `before`, with
/// both values.
fn first_decrease(before: &Resolved, now: &Resolved, own: u32) -> Option<(u32, u64, u64)> {
    before
        .iter()
        .filter(|&&(h, _)| h != own)
        .find_map(|&(h, b)| {
            let n = entry(now, h);
            (n < b).then_some((h, b, n))
        })
}

/// Removes edges until every event can be ordered after its program-order predecessor and
/// its sends; returns the removed edges (send, receive).
///
/// Runs each lane forward until a receive whose send has not run (as `order` does); when
/// every unfinished lane waits, following the waits from one of them comes back around a
/// cycle, and the receive where it closes loses that edge.
fn break_cycles(lanes: &[Vec<u32>], edges: &mut Vec<(u32, u32)>, n: usize) -> Vec<(u32, u32)> {
    let mut sends: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut lane_of = vec![0u32; n];
    for (l, lane) in lanes.iter().enumerate() {
        for &e in lane {
            lane_of[e as usize] = l as u32;
        }
    }
    for &(s, r) in edges.iter() {
        sends.entry(r).or_default().push(s);
    }
    let mut next = vec![0usize; lanes.len()];
    let mut done = vec![false; n];
    let mut waiting: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut ready: Vec<u32> = (0..lanes.len() as u32).rev().collect();
    let mut dropped = Vec::new();
    loop {
        while let Some(l) = ready.pop() {
            let lane = &lanes[l as usize];
            while let Some(&e) = lane.get(next[l as usize]) {
                let pending = sends
                    .get(&e)
                    .and_then(|ss| ss.iter().copied().find(|&s| !done[s as usize]));
                if let Some(s) = pending {
                    waiting.entry(s).or_default().push(l);
                    break;
                }
                done[e as usize] = true;
                next[l as usize] += 1;
                if let Some(woken) = waiting.remove(&e) {
                    ready.extend(woken);
                }
            }
        }
        let Some(start) = (0..lanes.len()).find(|&l| next[l] < lanes[l].len()) else {
            break;
        };
        let mut seen: HashSet<u32> = HashSet::new();
        let mut l = start as u32;
        let (mut recv, mut send);
        loop {
            recv = lanes[l as usize][next[l as usize]];
            send = sends[&recv]
                .iter()
                .copied()
                .find(|&s| !done[s as usize])
                .expect("a waiting lane waits for a send");
            if !seen.insert(l) {
                break;
            }
            l = lane_of[send as usize];
        }
        if let Some(ss) = sends.get_mut(&recv) {
            ss.retain(|&s| s != send);
        }
        if let Some(w) = waiting.get_mut(&send) {
            w.retain(|&x| x != l);
        }
        ready.push(l);
        dropped.push((send, recv));
    }
    if !dropped.is_empty() {
        let gone: HashSet<(u32, u32)> = dropped.iter().copied().collect();
        edges.retain(|edge| !gone.contains(edge));
    }
    dropped
}

#[cfg(test)]
mod tests;
