//! The shape of an execution at a glance: counts per node, message latencies per channel, the
//! longest causal chain and the parallelism it leaves, the busiest keys with their conflicts,
//! and who sends to whom. Data only: [`crate::render::stats`] writes it.
//!
//! Everything here is one pass over the events or the messages, except the conflict counts of
//! the busiest keys, which come from [`super::conflicts::find_conflicts`] restricted to those
//! keys (its clock replay holds no clock per event). The longest causal chain needs no graph
//! search: an event's Lamport clock is the number of events on the longest chain ending at it
//! (one more than the larger of its predecessors'), so the longest chain is the largest clock.

use crate::analysis::conflicts::{find_conflicts, ConflictOptions};
use crate::analysis::offsets::ClockOffsets;
use crate::clock::ClockWalk;
use crate::model::{EventIdx, EventKind, KeyId, NodeId, Timestamp, Trace};
use crate::order::Causality;

/// Columns of a node's activity histogram: the execution's time span in this many slices.
pub const ACTIVITY_BUCKETS: usize = 16;

/// Columns of a channel's latency histogram: its smallest to largest latency in this many
/// slices.
pub const LATENCY_BUCKETS: usize = 8;

/// What `stats` computes, and how.
#[derive(Clone, Debug, Default)]
pub struct StatsOptions<'a> {
    /// Latencies corrected by these clock offsets (`--skew-corrected`), where both ends of a
    /// channel have an estimate.
    pub offsets: Option<&'a ClockOffsets>,
    /// How many of the busiest keys get their conflicts counted.
    pub keys: usize,
}

/// One node's counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeStats {
    /// The node.
    pub node: NodeId,
    /// Its events.
    pub events: u64,
    /// Messages it sent (send roles; a multicast counts once).
    pub sends: u64,
    /// Messages it received (receive roles).
    pub receives: u64,
    /// Copies of its messages never received (as `check` reports them: unmatched-send).
    pub lost: u64,
    /// Its receives of messages no event sends (unmatched-recv).
    pub unmatched: u64,
    /// Its earliest and latest event time, by its own clock.
    pub first: Option<Timestamp>,
    /// See `first`.
    pub last: Option<Timestamp>,
    /// Its timed events in each of [`ACTIVITY_BUCKETS`] equal slices of the execution's span.
    pub activity: Vec<u64>,
}

/// Receive time minus send time over a channel's timed messages, in nanoseconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Latency {
    /// The smallest.
    pub min: i128,
    /// Percentiles by the nearest-rank method: the smallest latency that at least p % of the
    /// messages do not exceed.
    pub p50: i128,
    /// See `p50`.
    pub p90: i128,
    /// See `p50`.
    pub p99: i128,
    /// The largest.
    pub max: i128,
    /// The messages in each of [`LATENCY_BUCKETS`] equal slices of `[min, max]`.
    pub histogram: Vec<u64>,
}

/// The messages from one node to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelStats {
    /// The sender.
    pub from: NodeId,
    /// The receiver.
    pub to: NodeId,
    /// Matched messages (one per receive).
    pub messages: u64,
    /// Those with a time at both ends.
    pub timed: u64,
    /// Whether the latencies are corrected by clock-offset estimates of both nodes.
    pub corrected: bool,
    /// Latencies of the timed messages, if any.
    pub latency: Option<Latency>,
}

/// One of the busiest keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyStats {
    /// The key.
    pub key: KeyId,
    /// Events that read it (only).
    pub reads: u64,
    /// Events that write it (and may read it too).
    pub writes: u64,
    /// Concurrent write-write pairs on different nodes.
    pub write_write: u64,
    /// Concurrent read-write pairs on different nodes.
    pub read_write: u64,
}

/// The shape of an execution.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// Events.
    pub events: u64,
    /// Matched messages (one per receive of a send).
    pub messages: u64,
    /// Lost copies over all nodes.
    pub lost: u64,
    /// Receives of messages no event sends.
    pub unmatched: u64,
    /// The earliest and latest event time, each by its own node's clock.
    pub first: Option<Timestamp>,
    /// See `first`.
    pub last: Option<Timestamp>,
    /// Events on the longest causal chain (the largest Lamport clock).
    pub longest_chain: u64,
    /// Every node, in name order.
    pub nodes: Vec<NodeStats>,
    /// Every channel with a message, by sender then receiver.
    pub channels: Vec<ChannelStats>,
    /// The busiest keys, most accesses first (ties by name).
    pub keys: Vec<KeyStats>,
    /// Keys accessed in all.
    pub keys_accessed: u64,
    /// The node the corrected latencies' offsets are measured against, with `--skew-corrected`.
    pub reference: Option<NodeId>,
}

impl Stats {
    /// Events per event of the longest chain: how many events could run side by side on
    /// average; `None` without events.
    pub fn parallelism(&self) -> Option<f64> {
        (self.longest_chain > 0).then(|| self.events as f64 / self.longest_chain as f64)
    }
}

/// Computes the statistics. `lamport` holds every event's Lamport clock; `order` lists every
/// event after its causal predecessors and `clocks` hands out their vector clocks in that order
/// (for the conflicts of the busiest keys).
pub fn stats(
    trace: &Trace,
    causality: &Causality,
    lamport: &[u64],
    order: &[EventIdx],
    clocks: impl ClockWalk,
    options: &StatsOptions<'_>,
) -> Stats {
    let (first, last) = time_span(trace);
    let mut nodes: Vec<NodeStats> = (0..trace.nodes.len())
        .map(|n| NodeStats {
            node: NodeId(n as u32),
            events: 0,
            sends: 0,
            receives: 0,
            lost: 0,
            unmatched: 0,
            first: None,
            last: None,
            activity: vec![0; ACTIVITY_BUCKETS],
        })
        .collect();
    let span = first.zip(last);
    for ev in &trace.events {
        let s = &mut nodes[ev.node.index()];
        s.events += 1;
        for (kind, _) in ev.roles() {
            match kind {
                EventKind::Send => s.sends += 1,
                EventKind::Recv => s.receives += 1,
                EventKind::Local => {}
            }
        }
        if let Some(t) = ev.time() {
            s.first = Some(s.first.map_or(t, |f| f.min(t)));
            s.last = Some(s.last.map_or(t, |l| l.max(t)));
            if let Some((a, b)) = span {
                s.activity[bucket(t.0, a.0, b.0, ACTIVITY_BUCKETS)] += 1;
            }
        }
    }
    for copy in &causality.lost {
        nodes[trace.event(copy.send).node.index()].lost += 1;
    }
    for &r in &causality.unmatched_recvs {
        nodes[trace.event(r).node.index()].unmatched += 1;
    }
    let (channels, messages) = channels(trace, causality, options.offsets);
    let (keys, keys_accessed) = busiest_keys(trace, order, clocks, options.keys);
    Stats {
        events: trace.len() as u64,
        messages,
        lost: causality.lost.len() as u64,
        unmatched: causality.unmatched_recvs.len() as u64,
        first,
        last,
        longest_chain: lamport.iter().copied().max().unwrap_or(0),
        nodes,
        channels,
        keys,
        keys_accessed,
        reference: options.offsets.and_then(|o| o.reference),
    }
}

/// The earliest and the latest event time.
fn time_span(trace: &Trace) -> (Option<Timestamp>, Option<Timestamp>) {
    let times = trace.events.iter().filter_map(|ev| ev.time());
    let first = times.clone().min();
    (first, times.max())
}

/// Which of `buckets` equal slices of `[lo, hi]` holds `x` (the last one holds `hi`).
fn bucket(x: i64, lo: i64, hi: i64, buckets: usize) -> usize {
    let width = i128::from(hi) - i128::from(lo);
    if width <= 0 {
        return 0;
    }
    let at = (i128::from(x) - i128::from(lo)) * buckets as i128 / (width + 1);
    at.clamp(0, buckets as i128 - 1) as usize
}

/// Every channel's messages and latencies, and the number of matched messages.
fn channels(
    trace: &Trace,
    causality: &Causality,
    offsets: Option<&ClockOffsets>,
) -> (Vec<ChannelStats>, u64) {
    // (from, to, latency if timed), sorted by channel: one entry per matched message.
    let mut all: Vec<(NodeId, NodeId, Option<i128>, bool)> = Vec::new();
    for (s, r) in causality.message_edges() {
        let (sent, got) = (trace.event(s), trace.event(r));
        let (from, to) = (sent.node, got.node);
        let both = offsets.and_then(|o| o.offset(from).zip(o.offset(to)));
        let latency = sent.time().zip(got.time()).map(|(a, b)| {
            let raw = i128::from(b.0) - i128::from(a.0);
            match both {
                Some((off_from, off_to)) => raw - (off_to - off_from),
                None => raw,
            }
        });
        all.push((from, to, latency, both.is_some()));
    }
    let messages = all.len() as u64;
    all.sort_unstable_by_key(|&(from, to, latency, _)| (from, to, latency));
    let mut out = Vec::new();
    for group in all.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let timed: Vec<i128> = group.iter().filter_map(|m| m.2).collect();
        out.push(ChannelStats {
            from: group[0].0,
            to: group[0].1,
            messages: group.len() as u64,
            timed: timed.len() as u64,
            corrected: group[0].3,
            latency: latency(&timed),
        });
    }
    (out, messages)
}

/// Percentiles and a histogram of sorted latencies.
fn latency(sorted: &[i128]) -> Option<Latency> {
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    let rank = |p: usize| sorted[(sorted.len() * p).div_ceil(100).max(1) - 1];
    let mut histogram = vec![0u64; LATENCY_BUCKETS];
    let width = max - min;
    for &x in sorted {
        let at = if width == 0 {
            0
        } else {
            ((x - min) * LATENCY_BUCKETS as i128 / (width + 1)) as usize
        };
        histogram[at.min(LATENCY_BUCKETS - 1)] += 1;
    }
    Some(Latency {
        min,
        p50: rank(50),
        p90: rank(90),
        p99: rank(99),
        max,
        histogram,
    })
}

/// The `limit` keys with most accessing events and their conflict counts, and the number of
/// keys accessed at all.
fn busiest_keys(
    trace: &Trace,
    order: &[EventIdx],
    clocks: impl ClockWalk,
    limit: usize,
) -> (Vec<KeyStats>, u64) {
    let mut reads = vec![0u64; trace.keys.len()];
    let mut writes = vec![0u64; trace.keys.len()];
    for ev in &trace.events {
        for &k in ev.writes() {
            writes[k.0 as usize] += 1;
        }
        // A key both read and written counts as a write, as conflicts count it.
        for &k in ev.reads() {
            if !ev.writes().contains(&k) {
                reads[k.0 as usize] += 1;
            }
        }
    }
    let mut ranked: Vec<KeyId> = (0..trace.keys.len() as u32)
        .map(KeyId)
        .filter(|k| reads[k.0 as usize] + writes[k.0 as usize] > 0)
        .collect();
    let accessed = ranked.len() as u64;
    ranked.sort_by(|&a, &b| {
        let total = |k: KeyId| reads[k.0 as usize] + writes[k.0 as usize];
        total(b)
            .cmp(&total(a))
            .then_with(|| trace.key_name(a).cmp(trace.key_name(b)))
    });
    ranked.truncate(limit);
    if ranked.is_empty() {
        return (Vec::new(), accessed);
    }
    let options = ConflictOptions {
        limit: Some(0),
        keys: Some(ranked.clone()),
    };
    let report = find_conflicts(trace, order, clocks, &options);
    let keys = ranked
        .into_iter()
        .map(|key| {
            let found = report.keys.iter().find(|k| k.key == key);
            KeyStats {
                key,
                reads: reads[key.0 as usize],
                writes: writes[key.0 as usize],
                write_write: found.map_or(0, |k| k.write_write),
                read_write: found.map_or(0, |k| k.read_write),
            }
        })
        .collect();
    (keys, accessed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{self, LamportEngine};
    use crate::model::{test_event as event, TraceBuilder};
    use crate::order::causal_order;

    const MS: i64 = 1_000_000;

    fn run(trace: &Trace) -> Stats {
        let c = causal_order(trace).unwrap();
        let lamport = clock::run(trace, &c, LamportEngine::new(trace));
        let stamps = clock::stamp(trace, &c);
        let options = StatsOptions {
            offsets: None,
            keys: 10,
        };
        stats(trace, &c, &lamport, &c.order, &stamps.vector, &options)
    }

    #[test]
    fn counts_latencies_and_the_longest_chain() {
        let mut b = TraceBuilder::new();
        let f = b.add_file("t");
        // a sends four messages to b with latencies 1, 2, 3 and 10 ms; b sends one back.
        for (i, (s, r)) in [(0, 1), (10, 12), (20, 23), (30, 40)].iter().enumerate() {
            b.push(f, event("a", EventKind::Send, &format!("m{i}"), *s));
            b.push(f, event("b", EventKind::Recv, &format!("m{i}"), *r));
        }
        b.push(f, event("b", EventKind::Send, "back", 41));
        b.push(f, event("a", EventKind::Recv, "back", 45));
        b.push(f, event("c", EventKind::Send, "lost", 5));
        let t = b.finish();
        let s = run(&t);
        assert_eq!((s.events, s.messages, s.lost), (11, 5, 1));
        assert_eq!(s.longest_chain, 7, "a#1 .. a#4, b#4, b#5, a#5");
        let ab = &s.channels[0];
        assert_eq!((ab.from, ab.to, ab.messages), (NodeId(0), NodeId(1), 4));
        let l = ab.latency.as_ref().unwrap();
        let ms = |x: i128| x / i128::from(MS);
        assert_eq!(
            (ms(l.min), ms(l.p50), ms(l.p90), ms(l.p99), ms(l.max)),
            (1, 2, 10, 10, 10)
        );
        assert_eq!(l.histogram.iter().sum::<u64>(), 4);
        assert_eq!(l.histogram, [2, 1, 0, 0, 0, 0, 0, 1]);
        let a = &s.nodes[0];
        assert_eq!((a.events, a.sends, a.receives, a.lost), (5, 4, 1, 0));
        assert_eq!(s.nodes[2].lost, 1);
        assert_eq!(a.activity.iter().sum::<u64>(), 5);
        assert_eq!(a.first, Some(Timestamp(0)));
    }

    #[test]
    fn busiest_keys_come_first_with_their_conflicts() {
        let mut b = TraceBuilder::new();
        let f = b.add_file("t");
        for (node, key, write) in [("a", "x", true), ("b", "x", true), ("b", "y", false)] {
            let mut e = event(node, EventKind::Local, "", 0);
            if write {
                e.writes = vec![key.into()];
            } else {
                e.reads = vec![key.into()];
            }
            b.push(f, e);
        }
        let t = b.finish();
        let s = run(&t);
        assert_eq!(s.keys_accessed, 2);
        assert_eq!(t.key_name(s.keys[0].key), "x");
        assert_eq!((s.keys[0].writes, s.keys[0].write_write), (2, 1));
        assert_eq!((s.keys[1].reads, s.keys[1].read_write), (1, 0));
    }
}
