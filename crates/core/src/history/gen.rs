//! A seeded generator of operation histories for tests and benchmarks: client processes
//! running operations against a simulated atomic register (or key-value store), so the
//! history is linearizable by construction, unless a violation is planted.
//!
//! Each process invokes an operation, which takes effect at one instant within its interval
//! (its linearization point, applied to the true state) and completes; then it thinks and
//! invokes the next. With probability `info` an operation times out: it completes `:info`,
//! takes effect or not (even odds), and its process is replaced by a new one (Jepsen's rule:
//! process `p + processes`). A compare-and-set whose old value is not the state completes
//! `:fail`. With a planted violation, halfway through the run every process finishes what it
//! is doing, then one or two processes run a few operations no order explains (see
//! [`Plant`]), with fresh values that no other operation writes. Same seed and settings, same
//! bytes.
//!
//! Writes lines to a `Write`; opens no files.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io::{self, Write};

use crate::gen::Rng;

/// The kind of history to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenModel {
    /// Reads and writes of one register.
    Register,
    /// Reads, writes and compare-and-sets of one register.
    CasRegister,
    /// Gets, puts and appends of string values on keys.
    Kv,
}

/// How generated records are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GenFormat {
    /// EDN maps, one a line (`{:process 0, :type :invoke, :f :read, :value nil, :time 0}`).
    Edn,
    /// JSON Lines (`{"process":0,"type":"invoke","f":"read","value":null,"time":0}`).
    Json,
}

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryConfig {
    /// The model.
    pub model: GenModel,
    /// Operations, exactly.
    pub ops: u64,
    /// Client processes running at once (at least 1).
    pub processes: u32,
    /// Keys, for `kv` (at least 1).
    pub keys: u32,
    /// Register values are drawn from `0..values` (at least 1).
    pub values: u32,
    /// Probability that an operation times out (`:info`).
    pub info: f64,
    /// Plant one violation (the history is then not linearizable), or none.
    pub violation: Option<Plant>,
    /// The seed.
    pub seed: u64,
    /// The output format.
    pub format: GenFormat,
}

/// A violation planted halfway through a history, while every other process waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plant {
    /// A fresh write, another, then a read of the first.
    StaleRead,
    /// Two overlapping updates from one value that both succeed, as if one were lost: two
    /// compare-and-sets (cas-register), two appends of which a later get sees one (kv), or
    /// two writes whose order two later reads disagree on (register).
    LostUpdate,
}

/// Counts of what was generated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HistoryStats {
    /// Operations invoked.
    pub ops: u64,
    /// Of those, completed `:info`.
    pub info: u64,
    /// Of those, completed `:fail`.
    pub failed: u64,
}

/// Longest pause between a process's operations (ns).
const THINK_NS: u64 = 8_000_000;
/// Shortest and longest operation latency (ns).
const LATENCY_NS: (u64, u64) = (100_000, 2_000_000);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum F {
    Read,
    Write,
    Cas,
    Get,
    Put,
    Append,
}

impl F {
    fn name(self) -> &'static str {
        match self {
            F::Read => "read",
            F::Write => "write",
            F::Cas => "cas",
            F::Get => "get",
            F::Put => "put",
            F::Append => "append",
        }
    }
}

/// A value as written: an integer, a pair, a string, or nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
enum V {
    Nil,
    Int(i64),
    Pair(i64, i64),
    Str(String),
}

#[derive(Clone, Debug)]
struct InFlight {
    slot: u32,
    process: u64,
    f: F,
    key: Option<u32>,
    arg: V,
    result: V,
    ok: bool,
    info: bool,
    applies: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Invoke(u32),
    Apply(u64),
    Complete(u64),
}

struct Sim<'w> {
    config: HistoryConfig,
    rng: Rng,
    out: &'w mut dyn Write,
    line: Vec<u8>,
    heap: BinaryHeap<Reverse<(u64, u64, Ev)>>,
    seq: u64,
    flight: HashMap<u64, InFlight>,
    next_op: u64,
    process: Vec<u64>,
    register: i64,
    store: Vec<String>,
    stats: HistoryStats,
    /// Processes waiting for the planted violation to be done.
    parked: Vec<u32>,
    planted: bool,
}

/// Writes the history `config` describes to `out`.
pub fn generate_history(config: &HistoryConfig, out: &mut dyn Write) -> io::Result<HistoryStats> {
    let mut sim = Sim {
        config: config.clone(),
        rng: Rng::new(config.seed),
        out,
        line: Vec::with_capacity(128),
        heap: BinaryHeap::new(),
        seq: 0,
        flight: HashMap::new(),
        next_op: 0,
        process: (0..u64::from(config.processes.max(1))).collect(),
        register: -1,
        store: vec![String::new(); config.keys.max(1) as usize],
        stats: HistoryStats::default(),
        parked: Vec::new(),
        planted: config.violation.is_none(),
    };
    for slot in 0..config.processes.max(1) {
        let t = sim.rng.below(THINK_NS);
        sim.schedule(t, Ev::Invoke(slot));
    }
    while let Some(Reverse((t, _, ev))) = sim.heap.pop() {
        match ev {
            Ev::Invoke(slot) => sim.invoke(t, slot)?,
            Ev::Apply(id) => sim.apply(id),
            Ev::Complete(id) => sim.complete(t, id)?,
        }
    }
    Ok(sim.stats)
}

impl Sim<'_> {
    fn schedule(&mut self, t: u64, ev: Ev) {
        self.seq += 1;
        self.heap.push(Reverse((t, self.seq, ev)));
    }

    fn invoke(&mut self, t: u64, slot: u32) -> io::Result<()> {
        if self.stats.ops >= self.config.ops {
            return Ok(());
        }
        if !self.planted && self.stats.ops >= self.config.ops / 2 && self.config.ops >= 3 {
            self.parked.push(slot);
            if self.flight.is_empty() && self.parked.len() == self.process.len() {
                return self.plant(t);
            }
            return Ok(());
        }
        let (f, key, arg) = self.choose(self.process[slot as usize]);
        let latency = LATENCY_NS.0 + self.rng.below(LATENCY_NS.1 - LATENCY_NS.0);
        let at = self.rng.below(latency + 1);
        let info = self.rng.chance(self.config.info);
        let applies = !info || self.rng.chance(0.5);
        let id = self.next_op;
        self.next_op += 1;
        let op = InFlight {
            slot,
            process: self.process[slot as usize],
            f,
            key,
            arg,
            result: V::Nil,
            ok: true,
            info,
            applies,
        };
        self.write(t, &op, "invoke", invoked_value(&op))?;
        self.stats.ops += 1;
        self.flight.insert(id, op);
        self.schedule(t + at, Ev::Apply(id));
        self.schedule(t + latency, Ev::Complete(id));
        Ok(())
    }

    fn choose(&mut self, process: u64) -> (F, Option<u32>, V) {
        let values = u64::from(self.config.values.max(1));
        let r = self.rng.below(100);
        match self.config.model {
            GenModel::Register | GenModel::CasRegister => {
                let cas = self.config.model == GenModel::CasRegister;
                let v = self.rng.below(values) as i64;
                if r < 40 {
                    (F::Read, None, V::Nil)
                } else if !cas || r < 70 {
                    (F::Write, None, V::Int(v))
                } else {
                    let new = self.rng.below(values) as i64;
                    (F::Cas, None, V::Pair(v, new))
                }
            }
            GenModel::Kv => {
                let key = self.rng.below(u64::from(self.config.keys.max(1))) as u32;
                let token = format!("x {process} {} y", self.next_op);
                if r < 45 {
                    (F::Get, Some(key), V::Nil)
                } else if r < 55 {
                    (F::Put, Some(key), V::Str(token))
                } else {
                    (F::Append, Some(key), V::Str(token))
                }
            }
        }
    }

    fn apply(&mut self, id: u64) {
        let Some(op) = self.flight.get_mut(&id) else {
            return;
        };
        if !op.applies {
            return;
        }
        match (op.f, &op.arg) {
            (F::Read, _) => op.result = int_or_nil(self.register),
            (F::Write, V::Int(v)) => self.register = *v,
            (F::Cas, V::Pair(old, new)) => {
                op.ok = self.register == *old;
                if op.ok {
                    self.register = *new;
                }
            }
            (F::Get, _) => op.result = V::Str(self.store[op.key.unwrap_or(0) as usize].clone()),
            (F::Put, V::Str(s)) => self.store[op.key.unwrap_or(0) as usize] = s.clone(),
            (F::Append, V::Str(s)) => self.store[op.key.unwrap_or(0) as usize].push_str(s),
            _ => {}
        }
    }

    fn complete(&mut self, t: u64, id: u64) -> io::Result<()> {
        let op = self.flight.remove(&id).expect("completes once");
        let slot = op.slot;
        if op.info {
            self.stats.info += 1;
            let value = invoked_value(&op);
            self.write(t, &op, "info", value)?;
            self.process[slot as usize] += u64::from(self.config.processes.max(1));
        } else if !op.ok {
            self.stats.failed += 1;
            self.write(t, &op, "fail", invoked_value(&op))?;
        } else {
            let value = match op.f {
                F::Read | F::Get => op.result.clone(),
                _ => invoked_value(&op),
            };
            self.write(t, &op, "ok", value)?;
        }
        let think = self.rng.below(THINK_NS);
        self.schedule(t + 1 + think, Ev::Invoke(slot));
        Ok(())
    }

    /// The planted violation (see [`Plant`]), from the first one or two processes while
    /// every other is idle. Then everyone resumes.
    fn plant(&mut self, mut t: u64) -> io::Result<()> {
        self.planted = true;
        let Some(kind) = self.config.violation else {
            return Ok(());
        };
        let first = self.parked[0];
        // A second process when there is one, for operations that must overlap.
        let second = *self.parked.get(1).unwrap_or(&first);
        let fresh = i64::from(self.config.values.max(1));
        let kv = self.config.model == GenModel::Kv;
        let key = kv.then_some(0);
        let text = |s: &str| V::Str(s.to_string());
        // The operations (process slot, function, argument), their script, and the state
        // after them.
        let (ops, script, state): (Vec<(u32, F, V)>, Script, V) = match (kind, self.config.model) {
            (Plant::StaleRead, GenModel::Kv) => (
                vec![
                    (first, F::Put, text("stale a")),
                    (first, F::Put, text("stale b")),
                    (first, F::Get, V::Nil),
                ],
                sequential(&[text("stale a"), text("stale b"), text("stale a")]),
                text("stale b"),
            ),
            (Plant::StaleRead, _) => (
                vec![
                    (first, F::Write, V::Int(fresh)),
                    (first, F::Write, V::Int(fresh + 1)),
                    (first, F::Read, V::Nil),
                ],
                sequential(&[V::Int(fresh), V::Int(fresh + 1), V::Int(fresh)]),
                V::Int(fresh + 1),
            ),
            (Plant::LostUpdate, GenModel::Kv) => (
                vec![
                    (first, F::Put, text("lost a")),
                    (first, F::Append, text("x")),
                    (second, F::Append, text("y")),
                    (first, F::Get, V::Nil),
                ],
                overlapping(text("lost a"), text("x"), text("y"), text("lost ax")),
                text("lost axy"),
            ),
            (Plant::LostUpdate, GenModel::CasRegister) => (
                vec![
                    (first, F::Write, V::Int(fresh)),
                    (first, F::Cas, V::Pair(fresh, fresh + 1)),
                    (second, F::Cas, V::Pair(fresh, fresh + 2)),
                    (first, F::Read, V::Nil),
                ],
                overlapping(
                    V::Int(fresh),
                    V::Pair(fresh, fresh + 1),
                    V::Pair(fresh, fresh + 2),
                    V::Int(fresh + 2),
                ),
                V::Int(fresh + 2),
            ),
            (Plant::LostUpdate, GenModel::Register) => {
                // Two reads that disagree on the order of two overlapping writes.
                let mut script = overlapping(
                    V::Int(fresh),
                    V::Int(fresh + 1),
                    V::Int(fresh + 2),
                    V::Int(fresh + 2),
                );
                script.push((4, None));
                script.push((4, Some(V::Int(fresh + 1))));
                (
                    vec![
                        (first, F::Write, V::Int(fresh)),
                        (first, F::Write, V::Int(fresh + 1)),
                        (second, F::Write, V::Int(fresh + 2)),
                        (first, F::Read, V::Nil),
                        (first, F::Read, V::Nil),
                    ],
                    script,
                    V::Int(fresh + 2),
                )
            }
        };
        // With one process nothing overlaps: its operations run one after another, which
        // stays a violation (the later update's old value is then plainly stale).
        let script = if first == second {
            let mut script = script;
            script.sort_by_key(|(i, result)| (*i, result.is_some()));
            script
        } else {
            script
        };
        let mut invoked = vec![false; ops.len()];
        for (i, result) in script {
            let (slot, f, arg) = ops[i].clone();
            let op = InFlight {
                slot,
                process: self.process[slot as usize],
                f,
                key,
                arg,
                result: V::Nil,
                ok: true,
                info: false,
                applies: true,
            };
            t += 1;
            match result {
                None if self.stats.ops < self.config.ops => {
                    self.write(t, &op, "invoke", invoked_value(&op))?;
                    self.stats.ops += 1;
                    invoked[i] = true;
                }
                Some(result) if invoked[i] => self.write(t, &op, "ok", result)?,
                _ => {}
            }
        }
        // The true state after the planted operations: later reads see it.
        match state {
            V::Str(s) => self.store[0] = s,
            V::Int(v) => self.register = v,
            _ => {}
        }
        for slot in std::mem::take(&mut self.parked) {
            let think = self.rng.below(THINK_NS);
            self.schedule(t + 1 + think, Ev::Invoke(slot));
        }
        Ok(())
    }

    fn write(&mut self, t: u64, op: &InFlight, kind: &str, value: V) -> io::Result<()> {
        let line = &mut self.line;
        line.clear();
        match self.config.format {
            GenFormat::Edn => {
                write!(
                    line,
                    "{{:process {}, :type :{kind}, :f :{}",
                    op.process,
                    op.f.name()
                )?;
                if let Some(k) = op.key {
                    write!(line, ", :key \"{k}\"")?;
                }
                line.extend_from_slice(b", :value ");
                match &value {
                    V::Nil => line.extend_from_slice(b"nil"),
                    V::Int(i) => write!(line, "{i}")?,
                    V::Pair(a, b) => write!(line, "[{a} {b}]")?,
                    V::Str(s) => write!(line, "\"{s}\"")?,
                }
                writeln!(line, ", :time {t}}}")?;
            }
            GenFormat::Json => {
                write!(
                    line,
                    "{{\"process\":{},\"type\":\"{kind}\",\"f\":\"{}\"",
                    op.process,
                    op.f.name()
                )?;
                if let Some(k) = op.key {
                    write!(line, ",\"key\":\"{k}\"")?;
                }
                line.extend_from_slice(b",\"value\":");
                match &value {
                    V::Nil => line.extend_from_slice(b"null"),
                    V::Int(i) => write!(line, "{i}")?,
                    V::Pair(a, b) => write!(line, "[{a},{b}]")?,
                    V::Str(s) => write!(line, "\"{s}\"")?,
                }
                writeln!(line, ",\"time\":{t}}}")?;
            }
        }
        self.out.write_all(&self.line)
    }
}

/// The order of a planted violation: by operation, its invocation (`None`) or its
/// completion with its result.
type Script = Vec<(usize, Option<V>)>;

/// A script of operations one after another, each completing with its result.
fn sequential(results: &[V]) -> Script {
    results
        .iter()
        .enumerate()
        .flat_map(|(i, r)| [(i, None), (i, Some(r.clone()))])
        .collect()
}

/// A script of four operations: the first alone, the second and third overlapping (both
/// invoked before either completes), then the fourth.
fn overlapping(first: V, second: V, third: V, fourth: V) -> Script {
    vec![
        (0, None),
        (0, Some(first)),
        (1, None),
        (2, None),
        (1, Some(second)),
        (2, Some(third)),
        (3, None),
        (3, Some(fourth)),
    ]
}

fn int_or_nil(v: i64) -> V {
    if v < 0 {
        V::Nil
    } else {
        V::Int(v)
    }
}

/// The value an invocation carries: the argument, `nil` for reads.
fn invoked_value(op: &InFlight) -> V {
    match op.f {
        F::Read | F::Get => V::Nil,
        _ => op.arg.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen(model: GenModel, ops: u64, stale: bool) -> String {
        let config = HistoryConfig {
            model,
            ops,
            processes: 3,
            keys: 2,
            values: 3,
            info: 0.1,
            violation: stale.then_some(Plant::StaleRead),
            seed: 7,
            format: GenFormat::Edn,
        };
        let mut out = Vec::new();
        let stats = generate_history(&config, &mut out).unwrap();
        assert_eq!(stats.ops, ops);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_history() {
        assert_eq!(
            gen(GenModel::CasRegister, 50, true),
            gen(GenModel::CasRegister, 50, true)
        );
        assert_ne!(
            gen(GenModel::CasRegister, 50, true),
            gen(GenModel::CasRegister, 50, false)
        );
    }

    #[test]
    fn every_invocation_completes_and_the_plant_reads_a_stale_value() {
        let text = gen(GenModel::Kv, 40, true);
        let invokes = text.matches(":type :invoke").count();
        let completions = text.lines().count() - invokes;
        assert_eq!((invokes, completions), (40, 40));
        assert!(text.contains(":type :ok, :f :get, :key \"0\", :value \"stale a\""));
    }
}
