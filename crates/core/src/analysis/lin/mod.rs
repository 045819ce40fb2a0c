//! Linearizability of a history: is there one order of its operations, consistent with real
//! time, in which every result is what the model would have returned?
//!
//! The history is split by key (P-compositionality: a history is linearizable exactly when
//! each key's is, for models whose keys are independent), each partition is searched
//! ([`search`]), partitions on as many threads as the machine has, and every partition that
//! fails is explained ([`explain`]). The result is plain data ([`LinReport`], serialisable)
//! for renderers and viewers; nothing here reads input or prints.

pub mod explain;
pub mod model;
pub mod search;
pub mod stale;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;

use crate::error::InputError;
use crate::history::{History, Value};
pub use explain::Violation;
pub use model::{infer_model, Dropped, ModelKind};
use search::{SearchResult, SearchStats};

/// The answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Some order of the operations explains every result.
    Linearizable,
    /// No order does (in at least one partition).
    NotLinearizable,
    /// The search stopped at the deadline before it could tell.
    Unknown,
}

/// What to check and for how long.
#[derive(Clone, Debug)]
pub struct LinOptions {
    /// The model.
    pub model: ModelKind,
    /// The initial value of every register or key.
    pub initial: Value,
    /// Stop searching at this instant and answer [`Verdict::Unknown`] for the partitions not
    /// decided by then.
    pub deadline: Option<Instant>,
    /// Partitions searched at once (at least 1).
    pub threads: usize,
}

/// The result of a check: the verdict, and for each failing partition its explanation.
#[derive(Clone, Debug, Serialize)]
pub struct LinReport {
    /// The model checked against.
    pub model: ModelKind,
    /// The verdict over all partitions: not linearizable when any is not, else unknown when
    /// any is undecided, else linearizable.
    pub verdict: Verdict,
    /// Operations checked (after leaving out those that did not happen).
    pub operations: usize,
    /// What was left out of the check.
    pub dropped: Dropped,
    /// Number of partitions (keys; 1 for an unkeyed history).
    pub partitions: usize,
    /// The failing partitions, explained, in key order.
    pub violations: Vec<Violation>,
    /// Keys of the partitions the deadline left undecided (`None` for an unkeyed history).
    pub undecided: Vec<Option<Value>>,
    /// Configurations the search stored, over all partitions.
    pub configurations: u64,
    /// The order found for each linearizable partition, in key order.
    pub linearizations: Vec<Linearization>,
}

/// A linearizable partition's order: the one the search found (others may exist).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Linearization {
    /// The key, for keyed histories.
    pub key: Option<Value>,
    /// Indices into the history's operations, in linearization order; operations of unknown
    /// outcome that never took effect are left out.
    pub order: Vec<u32>,
}

/// A partition's search result, its work, and how it was found failing before the exact
/// search ran to its end (which then only finds a prefix to explain it by).
type Checked = (SearchResult, SearchStats, Option<Found>);

/// How a partition was found failing before an exhaustive exact search.
#[derive(Clone, Copy, Debug)]
enum Found {
    /// An observation no write explains.
    Stale(stale::Stale),
    /// The search with wildcards as an endless supply found no order.
    Relaxed,
}

/// Checks one partition: an observation no write explains decides it at once (the search
/// then only finds the prefix to explain it by, within a budget); else the search decides.
fn check_partition(
    part: &mut model::Partition,
    deadline: Option<Instant>,
    stop: &AtomicBool,
) -> Checked {
    use search::Wildcards::{Exact, Relaxed};
    let limits = search::Limits {
        deadline,
        stop,
        steps: None,
    };
    // Enough for the search to descend to a violation it is told of: a step or so per
    // operation, and room to turn around a few times on the way.
    let explain = search::Limits {
        steps: Some(2 * part.ops.len() as u64 + 20_000),
        ..limits
    };
    if let Some(stale) = stale::find_stale(part) {
        let (result, stats) = search::search(part, explain, Exact);
        return (result, stats, Some(Found::Stale(stale)));
    }
    if search::has_wildcards(part) {
        // With operations of unknown outcome, a violation is proved far faster with them as
        // an endless supply; what fits so must still be checked exactly.
        let (relaxed, stats) = search::search(part, limits, Relaxed);
        match relaxed {
            SearchResult::Illegal(_) => {
                let (result, more) = search::search(part, explain, Exact);
                let stats = stats + more;
                return (result, stats, Some(Found::Relaxed));
            }
            SearchResult::Unknown(_) => return (relaxed, stats, None),
            SearchResult::Linearizable(_) => {
                let (result, more) = search::search(part, limits, Exact);
                return (result, stats + more, None);
            }
        }
    }
    let (result, stats) = search::search(part, limits, Exact);
    (result, stats, None)
}

/// Checks `history` against `options.model`.
///
/// Errors name an operation the model cannot read (a function it does not know, a bad
/// `cas` value), at its invocation's file and line.
pub fn check(history: &History, options: &LinOptions) -> Result<LinReport, InputError> {
    let (mut parts, dropped) = model::partitions(history, options.model, &options.initial)?;
    parts.sort_by(|a, b| a.key.cmp(&b.key));
    let operations = parts.iter().map(|p| p.ops.len()).sum();
    let stop = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Checked>>> = Mutex::new(vec![None; parts.len()]);
    let parts_cell: Vec<Mutex<&mut model::Partition>> = parts.iter_mut().map(Mutex::new).collect();
    let threads = options.threads.clamp(1, parts_cell.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(cell) = parts_cell.get(i) else { break };
                let mut part = cell.lock().expect("one thread per partition");
                let outcome = check_partition(&mut part, options.deadline, &stop);
                results.lock().expect("no thread panics")[i] = Some(outcome);
            });
        }
    });
    drop(parts_cell);
    let results = results.into_inner().expect("no thread panics");
    let mut violations = Vec::new();
    let mut undecided = Vec::new();
    let mut configurations = 0;
    let mut linearizations = Vec::new();
    for (part, result) in parts.iter_mut().zip(results) {
        let (result, stats, found) = result.expect("every partition was searched");
        configurations += stats.configurations;
        match (result, found) {
            (SearchResult::Linearizable(order), found) => {
                debug_assert!(found.is_none(), "a partition found failing was linearized");
                linearizations.push(Linearization {
                    key: part.key.clone(),
                    order: order.iter().map(|&k| part.ops[k as usize]).collect(),
                });
            }
            (SearchResult::Illegal(prefix) | SearchResult::Unknown(prefix), Some(found)) => {
                let stale = match found {
                    Found::Stale(stale) => Some(stale),
                    Found::Relaxed => None,
                };
                violations.push(explain::explain(part, &prefix, stale))
            }
            (SearchResult::Illegal(prefix), None) => {
                violations.push(explain::explain(part, &prefix, None))
            }
            (SearchResult::Unknown(_), None) => undecided.push(part.key.clone()),
        }
    }
    let verdict = if !violations.is_empty() {
        Verdict::NotLinearizable
    } else if !undecided.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::Linearizable
    };
    Ok(LinReport {
        model: options.model,
        verdict,
        operations,
        dropped,
        partitions: parts.len(),
        violations,
        undecided,
        configurations,
        linearizations,
    })
}
