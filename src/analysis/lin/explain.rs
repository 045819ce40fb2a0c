//! Why a partition is not linearizable: the longest linearizable prefix the search found,
//! the model state after it, the operations that could go next and why none can, and the
//! window of operations concurrent with them.
//!
//! Returns data only: operations are indices into the history, states are values.

use serde::Serialize;

use super::model::{Partition, Step, NEVER};
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
    /// next in real time, and none can.
    pub candidates: Vec<Candidate>,
    /// The concurrent window.
    pub window: Window,
}

/// Explains a failing partition from the longest prefix its search found.
pub fn explain(part: &mut Partition, prefix: &[u32]) -> Violation {
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
    let mut candidates = Vec::new();
    for &k in rest.iter().filter(|&&k| part.calls[k] < deadline) {
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
    let from = rest
        .iter()
        .filter(|&&k| part.calls[k] < deadline)
        .map(|&k| part.calls[k])
        .min()
        .unwrap_or(deadline);
    let ops = (0..n)
        .filter(|&k| part.calls[k] <= deadline && part.rets[k] >= from)
        .map(|k| part.ops[k])
        .collect();
    Violation {
        key: part.key.clone(),
        operations: n,
        prefix: placed,
        state: part.machine.value(state).clone(),
        blocking: part.ops[blocking],
        candidates,
        window: Window {
            from,
            to: deadline,
            ops,
        },
    }
}
