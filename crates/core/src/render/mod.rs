//! Renderers: write stamped traces for machines and people.
//!
//! A renderer writes to a `&mut dyn Write` and does no other I/O: it reads no files, no
//! environment, and decides nothing about color (it gets a [`crate::render::Palette`]).

pub mod check;
pub mod chrome;
pub mod conflicts;
pub mod critical;
pub mod diff;
pub mod dot;
pub mod fmt;
pub mod graph_json;
pub mod hb;
pub mod jsonl;
pub mod lin;
pub mod members;
pub mod mermaid;
pub mod palette;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod partition;
pub mod shiviz;
pub mod stats;
pub mod table;
pub mod text;
pub mod view;
pub mod view_history;
pub mod why;

pub use palette::Palette;
pub use partition::PartitionBy;

use crate::clock::Stamps;
use crate::model::{EventIdx, Trace};

/// Every event in Lamport's total order: by Lamport clock, then node name, then position.
///
/// Deterministic, and every event comes after its causal predecessors.
pub fn lamport_order(trace: &Trace, stamps: &Stamps) -> Vec<EventIdx> {
    lamport_order_of(trace, &stamps.lamport)
}

/// [`lamport_order`] from Lamport clocks alone.
pub fn lamport_order_of(trace: &Trace, lamport: &[u64]) -> Vec<EventIdx> {
    let mut order: Vec<EventIdx> = (0..trace.len() as u32).map(EventIdx).collect();
    order.sort_unstable_by_key(|&e| {
        let ev = trace.event(e);
        (lamport[e.index()], ev.node, ev.seq)
    });
    order
}
