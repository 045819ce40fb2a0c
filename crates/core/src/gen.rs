//! A seeded generator of synthetic traces in the native JSON Lines format, for benchmarks,
//! tests, and anyone testing their own tools.
//!
//! The trace is simulated in true time and streamed: memory holds only the messages in flight,
//! never the trace. Structure: each node's own events come at random intervals (one per
//! millisecond per node on average); a fraction of them send a message to one random other node,
//! or (one send in ten) multicast it to two to four; each delivery is lost with a probability,
//! else arrives after a positive latency (0.1 ms plus two uniform draws of up to 2 ms each).
//! Events read or write keys `k0`, `k1`, ... drawn from a Zipf distribution (exponent 1), so
//! `k0` is hot. A node's wall clock reads true time plus a fixed offset drawn uniformly from
//! `[-max_offset, +max_offset]`: those offsets are the ground truth that clock-skew bounds
//! must contain. Same seed and settings, same bytes, on every platform.
//!
//! This module writes lines to a [`Sink`] and opens no files itself.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io;

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct GenConfig {
    /// Number of nodes (at least 1).
    pub nodes: u32,
    /// Number of events, exactly.
    pub events: u64,
    /// The seed: equal seeds and settings give equal traces.
    pub seed: u64,
    /// Number of distinct keys; 0 means events touch no keys.
    pub keys: u32,
    /// Probability that a node's own event (not a receive) sends a message.
    pub msg_ratio: f64,
    /// Probability that a message is lost on its way to one receiver.
    pub loss: f64,
    /// Largest absolute clock offset of a node, in nanoseconds.
    pub max_offset_ns: i64,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            nodes: 8,
            events: 1000,
            seed: 0,
            keys: 100,
            msg_ratio: 0.3,
            loss: 0.01,
            max_offset_ns: 2_000_000,
        }
    }
}

/// Where generated lines go: one call per event, with the index of the node that recorded it.
pub trait Sink {
    /// Writes one line (with its newline) recorded by node `node`.
    fn line(&mut self, node: u32, line: &[u8]) -> io::Result<()>;

    /// Hears that the copy of message `m{msg}` that node `from` sent to node `to` was lost
    /// (`gen --lost` records them; most sinks ignore it).
    fn lost(&mut self, _msg: u64, _from: u32, _to: u32) -> io::Result<()> {
        Ok(())
    }
}

impl<W: io::Write> Sink for W {
    fn line(&mut self, _node: u32, line: &[u8]) -> io::Result<()> {
        self.write_all(line)
    }
}

/// Counts of what was generated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GenStats {
    /// Events written.
    pub events: u64,
    /// Sends among them.
    pub sends: u64,
    /// Receives among them.
    pub recvs: u64,
    /// Deliveries lost (a multicast can lose some of its copies).
    pub lost: u64,
}

/// Wall-clock time of the simulation's start: 2026-11-20T09:00:00Z, in ns since the epoch.
pub const START_NS: i64 = 1_795_165_200 * 1_000_000_000;

/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64: small, fast and the same
/// everywhere.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator seeded from `seed`.
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A number in `0..n` (n > 0), by Lemire's multiply-and-shift (bias below 2^-32 here).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// The node names: `n0`... zero-padded to one width, so name order is numeric order.
pub fn node_names(nodes: u32) -> Vec<String> {
    let width = nodes.saturating_sub(1).to_string().len();
    (0..nodes).map(|i| format!("n{i:0width$}")).collect()
}

/// Each node's clock offset in nanoseconds (its clock reads true time plus this).
///
/// Drawn from a stream of its own, so the offsets do not depend on the event count.
pub fn offsets(config: &GenConfig) -> Vec<i64> {
    let mut rng = Rng::new(config.seed ^ 0x6f66_6673_6574_7321);
    let span = config.max_offset_ns.max(0) as u64;
    (0..config.nodes)
        .map(|_| rng.below(2 * span + 1) as i64 - span as i64)
        .collect()
}

/// A message copy on its way to one receiver, ordered by arrival time then send order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Delivery {
    arrival: i64,
    serial: u64,
    msg: u64,
    to: u32,
}

/// Zipf-distributed key picks, by binary search in the cumulative weights.
struct Keys {
    cumulative: Vec<f64>,
}

impl Keys {
    fn new(keys: u32) -> Keys {
        let mut total = 0.0;
        let cumulative = (0..keys)
            .map(|i| {
                total += 1.0 / f64::from(i + 1);
                total
            })
            .collect();
        Keys { cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> Option<u32> {
        let total = *self.cumulative.last()?;
        let x = rng.unit() * total;
        let i = self.cumulative.partition_point(|&c| c <= x);
        Some(i.min(self.cumulative.len() - 1) as u32)
    }
}

/// Writes `config.events` events to `sink`.
pub fn generate(config: &GenConfig, sink: &mut dyn Sink) -> io::Result<GenStats> {
    let k = config.nodes.max(1);
    let names = node_names(k);
    let offsets = offsets(config);
    let keys = Keys::new(config.keys);
    let mut rng = Rng::new(config.seed);
    let mut stats = GenStats::default();
    let mut in_flight: BinaryHeap<Reverse<Delivery>> = BinaryHeap::new();
    let mut serial = 0u64;
    let mut next_msg = 0u64;
    // Each node has an event every millisecond on average: a global gap of 2 ms / k at most.
    let max_gap = 2_000_000 / u64::from(k) + 1;
    let mut tick = rng.below(max_gap) as i64;
    let mut line = Vec::with_capacity(256);
    let mut receivers: Vec<u32> = Vec::with_capacity(4);

    while stats.events < config.events {
        let remaining = config.events - stats.events;
        let due = in_flight
            .peek()
            .is_some_and(|d| in_flight.len() as u64 >= remaining || d.0.arrival <= tick);
        line.clear();
        if due {
            let Reverse(d) = in_flight.pop().expect("a delivery is due");
            let now = d.arrival;
            begin(
                &mut line,
                &names[d.to as usize],
                START_NS + now + offsets[d.to as usize],
            );
            line.extend_from_slice(b",\"kind\":\"recv\",\"msg\":\"m");
            push_u64(&mut line, d.msg);
            line.push(b'"');
            let label = access(&mut line, &mut rng, &keys, 0.5);
            finish(&mut line, "recv", label, Some(d.msg));
            sink.line(d.to, &line)?;
            stats.recvs += 1;
        } else {
            let now = tick;
            tick = now + rng.below(max_gap) as i64;
            let node = rng.below(u64::from(k)) as u32;
            begin(
                &mut line,
                &names[node as usize],
                START_NS + now + offsets[node as usize],
            );
            // Deliveries still owed must fit in the events left, so the trace ends with no
            // message in flight: a send may only add as many copies as there is room for.
            let room = remaining - 1 - in_flight.len() as u64;
            let fanout = if k > 1 && room > 0 && rng.chance(config.msg_ratio) {
                let wanted = if k > 2 && rng.chance(0.1) {
                    2 + rng.below(u64::from(3.min(k - 2)))
                } else {
                    1
                };
                wanted.min(room)
            } else {
                0
            };
            if fanout == 0 {
                let label = access(&mut line, &mut rng, &keys, 0.7);
                finish(&mut line, "tick", label, None);
            } else {
                let msg = next_msg;
                next_msg += 1;
                receivers.clear();
                while (receivers.len() as u64) < fanout {
                    let to = rng.below(u64::from(k)) as u32;
                    if to != node && !receivers.contains(&to) {
                        receivers.push(to);
                    }
                }
                line.extend_from_slice(b",\"kind\":\"send\",\"msg\":\"m");
                push_u64(&mut line, msg);
                line.extend_from_slice(b"\",\"to\":[");
                for (i, &to) in receivers.iter().enumerate() {
                    if i > 0 {
                        line.push(b',');
                    }
                    line.push(b'"');
                    line.extend_from_slice(names[to as usize].as_bytes());
                    line.push(b'"');
                    if rng.chance(config.loss) {
                        stats.lost += 1;
                        sink.lost(msg, node, to)?;
                        continue;
                    }
                    let latency = 100_000 + rng.below(2_000_000) + rng.below(2_000_000);
                    in_flight.push(Reverse(Delivery {
                        arrival: now + latency as i64,
                        serial,
                        msg,
                        to,
                    }));
                    serial += 1;
                }
                line.push(b']');
                let label = access(&mut line, &mut rng, &keys, 0.2);
                finish(&mut line, "send", label, Some(msg));
                stats.sends += 1;
            }
            sink.line(node, &line)?;
        }
        stats.events += 1;
    }
    Ok(stats)
}

/// `{"node":"n3","time":"2026-11-20T09:00:00.001234567Z"`
fn begin(line: &mut Vec<u8>, node: &str, time_ns: i64) {
    line.extend_from_slice(b"{\"node\":\"");
    line.extend_from_slice(node.as_bytes());
    line.extend_from_slice(b"\",\"time\":\"");
    crate::render::fmt::push_time_nanos(line, time_ns);
    line.push(b'"');
}

/// With probability `p`, a read (3 in 4) or a write of one key; returns the label's verb and key.
fn access(line: &mut Vec<u8>, rng: &mut Rng, keys: &Keys, p: f64) -> Option<(bool, u32)> {
    if !rng.chance(p) {
        return None;
    }
    let key = keys.pick(rng)?;
    let write = rng.below(4) == 0;
    line.extend_from_slice(if write {
        b",\"writes\":[\"k"
    } else {
        b",\"reads\":[\"k"
    });
    push_u64(line, u64::from(key));
    line.extend_from_slice(b"\"]");
    Some((write, key))
}

/// `,"label":"..."}` and the newline.
fn finish(line: &mut Vec<u8>, verb: &str, access: Option<(bool, u32)>, msg: Option<u64>) {
    line.extend_from_slice(b",\"label\":\"");
    line.extend_from_slice(verb.as_bytes());
    if let Some(m) = msg {
        line.extend_from_slice(b" m");
        push_u64(line, m);
    }
    if let Some((write, key)) = access {
        line.extend_from_slice(if write { b", put k" } else { b", get k" });
        push_u64(line, u64::from(key));
    }
    line.extend_from_slice(b"\"}\n");
}

fn push_u64(line: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    line.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_and_exact_event_count() {
        let config = GenConfig {
            events: 5000,
            ..GenConfig::default()
        };
        let mut a = Vec::new();
        let stats = generate(&config, &mut a).unwrap();
        let mut b = Vec::new();
        generate(&config, &mut b).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.iter().filter(|&&c| c == b'\n').count(), 5000);
        assert_eq!(stats.events, 5000);
        assert!(stats.sends > 0 && stats.recvs > 0);
        let mut other = Vec::new();
        generate(
            &GenConfig {
                seed: 1,
                ..config.clone()
            },
            &mut other,
        )
        .unwrap();
        assert_ne!(a, other);
    }

    #[test]
    fn one_node_sends_nothing() {
        let config = GenConfig {
            nodes: 1,
            events: 100,
            msg_ratio: 1.0,
            ..GenConfig::default()
        };
        let stats = generate(&config, &mut Vec::new()).unwrap();
        assert_eq!((stats.events, stats.sends), (100, 0));
    }

    #[test]
    fn node_names_sort_numerically() {
        assert_eq!(node_names(11)[3], "n03");
        assert_eq!(node_names(1), vec!["n0"]);
    }
}
