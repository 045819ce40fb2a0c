//! `causal conflicts`: concurrent accesses to the same key from different nodes.

use std::collections::HashMap;

use anyhow::Result;

use super::{load, Context, Outcome};
use crate::analysis::conflicts::{find_conflicts, ConflictOptions};
use crate::cli::{ConflictsArgs, ConflictsFormat};
use crate::clock;
use crate::model::KeyId;
use crate::render::conflicts::{write_json, write_text};
use crate::render::lamport_order;

/// Finds and reports conflicts; findings when there is at least one.
pub fn run(args: &ConflictsArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let loaded = load(&args.input, ctx)?;
    let trace = &loaded.trace;
    let keys = if args.keys.is_empty() {
        None
    } else {
        let index: HashMap<&str, KeyId> = trace
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), KeyId(i as u32)))
            .collect();
        let mut selected = Vec::new();
        for name in args.keys.iter().map(|k| k.trim()) {
            match index.get(name) {
                Some(&k) => selected.push(k),
                None => ctx.warn(&format!("key {name:?} does not appear in the input")),
            }
        }
        Some(selected)
    };
    let stamps = clock::stamp(trace, &loaded.causality);
    let options = ConflictOptions {
        limit: (args.limit > 0).then_some(args.limit),
        keys,
    };
    // Lamport order visits conflicts roughly as they happened, so the witnesses kept first
    // are the earliest; and it makes `a` of each pair the one first in Lamport's order.
    let order = lamport_order(trace, &stamps);
    let report = find_conflicts(trace, &order, &stamps.vector, &options);
    match args.format {
        ConflictsFormat::Text => write_text(ctx.out, trace, &stamps, &report, ctx.out_palette)?,
        ConflictsFormat::Json => write_json(ctx.out, trace, &stamps, &report)?,
    }
    Ok(if report.total > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
