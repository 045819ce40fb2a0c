//! Why a partition is not linearizable: the longest linearizable prefix the search found,
//! the model state after it, the operations that could go next and why none can, and the
//! window of operations concurrent with them.
//!
//! Returns data only: operations are indices into the history, states are values.

use serde::Serialize;

use super::model::{Partition, Step, NEVER};
use super::stale::{Cause, Stale};
use crate::history::Value;

/// An operation placed in the prefix, with the state after it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Placed {
    /// Index into the history's operations.
    pub op: u32,
    /// The model state after it.
    pub state: Value,
}

/// Why an operation that could go next does not.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Outcome {
    /// The model cannot take the step: the operation returned (or compared against)
    /// `observed`, and the state is not that.
    Rejected {
        /// What a read returned, or the old value a compare-and-set expected.
        observed: Value,
    },
    /// The model takes the step, to `state`, but every way on from there fails.
    DeadEnd {
        /// The state after the step.
        state: Value,
    },
}

/// An operation that could be linearized next, and what happens when it is.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// Index into the history's operations.
    pub op: u32,
    /// Why it does not go next.
    pub outcome: Outcome,
}

/// The stretch of real time around the failure: from the earliest invocation of a candidate
/// to the completion that must follow them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Window {
    /// First position (an invocation) of the window.
    pub from: u32,
    /// Last position (a completion) of the window.
    pub to: u32,
    /// The partition's operations whose interval meets the window, by invocation.
    pub ops: Vec<u32>,
}

/// An observation that no order explains, found before any search (see `stale`): the
/// operation indices are the history's.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Impossible {
    /// No operation that could come before it set the value, nor was it the initial value.
    NeverWritten {
        /// The read or compare-and-set.
        op: u32,
        /// The value it observed.
        value: Value,
    },
    /// Every operation that set the value was overwritten before the observer was invoked.
    Overwritten {
        /// The read or compare-and-set.
        op: u32,
        /// The value it observed.
        value: Value,
        /// The setter overwritten last; `None` when that is the initial value.
        writer: Option<u32>,
        /// The completed operation that overwrote it, invoked after the setter completed
        /// and completed before the observer was invoked.
        killer: u32,
    },
}

/// A partition that no order explains.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Violation {
    /// The key, for keyed histories.
    pub key: Option<Value>,
    /// Operations of the partition checked.
    pub operations: usize,
    /// The longest linearizable prefix found, in order.
    pub prefix: Vec<Placed>,
    /// The state after the prefix (the initial value when it is empty).
    pub state: Value,
    /// The operation with the earliest completion not in the prefix: it had to take effect
    /// before anything invoked after it completed.
    pub blocking: u32,
    /// The operations invoked before that completion and not in the prefix: each could go
    /// next in real time, and none can (operations of unknown outcome only from the window
    /// on).
    pub candidates: Vec<Candidate>,
    /// Operations of unknown outcome invoked before the window and not in the prefix: they
    /// could go next too (none helps), and are not listed.
    pub earlier_unknown: usize,
    /// The concurrent window.
    pub window: Window,
    /// An observation that no order explains, when one was found before the search.
    pub impossible: Option<Impossible>,
}

/// Explains a failing partition from the longest prefix its search found.
pub fn explain(part: &mut Partition, prefix: &[u32], stale: Option<Stale>) -> Violation {
    let n = part.ops.len();
    let mut state = part.initial;
    let mut placed = Vec::with_capacity(prefix.len());
    let mut in_prefix = vec![false; n];
    for &k in prefix {
        state = part
            .machine
            .step(state, part.steps[k as usize])
            .expect("the prefix is linearizable");
        in_prefix[k as usize] = true;
        placed.push(Placed {
            op: part.ops[k as usize],
            state: part.machine.value(state).clone(),
        });
    }
    let rest: Vec<usize> = (0..n).filter(|&k| !in_prefix[k]).collect();
    // The search only fails at a completion, so some remaining operation completes.
    let blocking = rest
        .iter()
        .copied()
        .filter(|&k| part.rets[k] != NEVER)
        .min_by_key(|&k| part.rets[k])
        .expect("a failing partition has an operation that completes");
    let deadline = part.rets[blocking];
    // Ordinary candidates, and the wildcards invoked in their window; wildcards invoked
    // earlier could go next too, and are only counted.
    let from = rest
        .iter()
        .filter(|&&k| part.rets[k] != NEVER && part.calls[k] < deadline)
        .map(|&k| part.calls[k])
        .min()
        .unwrap_or(deadline);
    let mut candidates = Vec::new();
    let mut earlier_unknown = 0;
    for &k in rest.iter().filter(|&&k| part.calls[k] < deadline) {
        if part.rets[k] == NEVER && part.calls[k] < from {
            earlier_unknown += 1;
            continue;
        }
        let step = part.steps[k];
        let outcome = match part.machine.step(state, step) {
            Some(next) => Outcome::DeadEnd {
                state: part.machine.value(next).clone(),
            },
            None => Outcome::Rejected {
                observed: match step {
                    Step::Read(v) | Step::Cas(v, _) | Step::CasMaybe(v, _) => {
                        part.machine.value(v).clone()
                    }
                    Step::Write(v) | Step::Append(v) => part.machine.value(v).clone(),
                },
            },
        };
        candidates.push(Candidate {
            op: part.ops[k],
            outcome,
        });
    }
    let ops = (0..n)
        .filter(|&k| {
            part.calls[k] <= deadline
                && part.rets[k] >= from
                && (part.rets[k] != NEVER || part.calls[k] >= from)
        })
        .map(|k| part.ops[k])
        .collect();
    Violation {
        key: part.key.clone(),
        operations: n,
        prefix: placed,
        state: part.machine.value(state).clone(),
        blocking: part.ops[blocking],
        candidates,
        earlier_unknown,
        window: Window {
            from,
            to: deadline,
            ops,
        },
        impossible: stale.map(|st| {
            let op = part.ops[st.observer as usize];
            let value = match part.steps[st.observer as usize] {
                Step::Read(v) | Step::Cas(v, _) | Step::CasMaybe(v, _) => v,
                Step::Write(v) | Step::Append(v) => v,
            };
            let value = part.machine.value(value).clone();
            match st.cause {
                Cause::NeverWritten => Impossible::NeverWritten { op, value },
                Cause::Overwritten { writer, killer } => Impossible::Overwritten {
                    op,
                    value,
                    writer: writer.map(|w| part.ops[w as usize]),
                    killer: part.ops[killer as usize],
                },
            }
        }),
    }
}
