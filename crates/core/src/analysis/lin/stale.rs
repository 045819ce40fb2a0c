//! Observations no write can explain: a read (or a compare-and-set's old value) of a value
//! whose every writer was overwritten, by a write that definitely came later, before the
//! read was even invoked. Such a read is a violation whatever the order of everything else,
//! so it is found in O(n log n), before any search.
//!
//! The rule, for an observation `o` of value `v` in a register (or a key-value store without
//! appends): every operation `p` that can set `v` and can precede `o` (invoked before `o`
//! completed; the initial value counts as one, before everything) has a *killer*: an
//! operation that completed and set another value, invoked after `p` completed and completed
//! before `o` was invoked. Then in every order the last operation to set the state before
//! `o` set something other than `v`. Operations of unknown outcome never completed, so they
//! have no killer. Data only; no output.

use super::model::{Partition, Step, NEVER};

/// An impossible observation: partition-local operation indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stale {
    /// The read or compare-and-set.
    pub observer: u32,
    /// Why no order explains it.
    pub cause: Cause,
}

/// Why an observation is impossible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// No operation that can precede it sets the value, nor is it the initial value.
    NeverWritten,
    /// Every setter was overwritten before it was invoked; the last of them (`None` for the
    /// initial value) by `killer`.
    Overwritten {
        /// The setter overwritten last.
        writer: Option<u32>,
        /// The operation that overwrote it.
        killer: u32,
    },
}

/// The value an operation sets, and whether it surely did (it completed).
fn sets(step: Step) -> Option<u32> {
    match step {
        Step::Write(v) | Step::Cas(_, v) | Step::CasMaybe(_, v) => Some(v),
        Step::Read(_) | Step::Append(_) => None,
    }
}

/// The earliest-invoked impossible observation of `part`, if any. Partitions with appends
/// are passed over (an append's result is not one of the values written).
pub fn find_stale(part: &Partition) -> Option<Stale> {
    let n = part.ops.len();
    if part.steps.iter().any(|s| matches!(s, Step::Append(_))) {
        return None;
    }
    // Killers: completed operations that set a value, by invocation.
    let mut killers: Vec<(u32, u32, u32, u32)> = (0..n)
        .filter(|&k| {
            part.rets[k] != NEVER && matches!(part.steps[k], Step::Write(_) | Step::Cas(..))
        })
        .map(|k| {
            let value = sets(part.steps[k]).expect("a setter");
            (part.calls[k], part.rets[k], value, k as u32)
        })
        .collect();
    killers.sort_unstable();
    // Suffix minima of completion: the earliest, and the earliest of another value.
    #[derive(Clone, Copy)]
    struct Best {
        first: (u32, u32, u32),
        other: (u32, u32, u32),
    }
    const NONE: (u32, u32, u32) = (u32::MAX, u32::MAX, u32::MAX);
    let mut suffix = vec![
        Best {
            first: NONE,
            other: NONE,
        };
        killers.len() + 1
    ];
    for i in (0..killers.len()).rev() {
        let (_, ret, value, k) = killers[i];
        let mut b = suffix[i + 1];
        let cand = (ret, value, k);
        if cand.0 < b.first.0 {
            if b.first.1 != value {
                b.other = b.first;
            }
            b.first = cand;
        } else if value != b.first.1 && cand.0 < b.other.0 {
            b.other = cand;
        }
        suffix[i] = b;
    }
    // The earliest completion of an operation invoked after `after` that sets a value other
    // than `v`: (completion, killer).
    let kill = |after: Option<u32>, v: u32| -> (u32, u32) {
        let from = match after {
            None => 0,
            Some(t) => killers.partition_point(|&(call, ..)| call <= t),
        };
        let b = suffix[from];
        let pick = if b.first.1 != v { b.first } else { b.other };
        (pick.0, pick.2)
    };
    // Writers per value, with when they were killed, by invocation.
    let mut writers: std::collections::HashMap<u32, Vec<(u32, u32, u32, u32)>> =
        std::collections::HashMap::new();
    for k in 0..n {
        if let Some(v) = sets(part.steps[k]) {
            let (killed, killer) = if part.rets[k] == NEVER {
                (u32::MAX, u32::MAX)
            } else {
                kill(Some(part.rets[k]), v)
            };
            writers
                .entry(v)
                .or_default()
                .push((part.calls[k], killed, killer, k as u32));
        }
    }
    for list in writers.values_mut() {
        list.sort_unstable();
        // Running maximum of `killed`, with its writer and killer.
        let mut best = (0u32, 0u32, 0u32);
        for w in list.iter_mut() {
            if w.1 >= best.0 {
                best = (w.1, w.2, w.3);
            }
            *w = (w.0, best.0, best.1, best.2);
        }
    }
    let initial_kill = kill(None, part.initial);
    let mut found: Option<(u32, Stale)> = None;
    for k in 0..n {
        if part.rets[k] == NEVER {
            continue;
        }
        let v = match part.steps[k] {
            Step::Read(v) => v,
            // A cas that sets what it observes would be one of its own writers.
            Step::Cas(v, w) if v != w => v,
            _ => continue,
        };
        let (call, ret) = (part.calls[k], part.rets[k]);
        // The latest kill among the writers that can precede the observation.
        let mut latest: Option<(u32, Option<u32>, u32)> = None;
        if v == part.initial {
            latest = Some((initial_kill.0, None, initial_kill.1));
        }
        if let Some(list) = writers.get(&v) {
            let i = list.partition_point(|w| w.0 < ret);
            if i > 0 {
                let (_, killed, killer, writer) = list[i - 1];
                if latest.is_none_or(|l| killed >= l.0) {
                    latest = Some((killed, Some(writer), killer));
                }
            }
        }
        let cause = match latest {
            None => Cause::NeverWritten,
            Some((killed, writer, killer)) if killed < call => {
                Cause::Overwritten { writer, killer }
            }
            Some(_) => continue,
        };
        if found.is_none_or(|f| call < f.0) {
            found = Some((
                call,
                Stale {
                    observer: k as u32,
                    cause,
                },
            ));
        }
    }
    found.map(|f| f.1)
}
