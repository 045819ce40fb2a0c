//! `causal conflicts`: concurrent accesses to the same key from different nodes.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Result;

use super::{load_with, Context, LoadOptions, Outcome};
use crate::cli::{ConflictsArgs, ConflictsFormat};
use causal_core::analysis::conflicts::{find_conflicts, ConflictOptions};
use causal_core::analysis::conflicts_std::{StdConflictFinder, StdConflictOptions};
use causal_core::clock::{self, LamportEngine, PackedClocks, ReplayWalk};
use causal_core::input::Input;
use causal_core::model::KeyId;
use causal_core::parse::{recognise, stream_std, Format};
use causal_core::render::conflicts::{write_json, write_text, WitnessClocks};
use causal_core::render::lamport_order_of;

/// Finds and reports conflicts; findings when there is at least one.
pub fn run(args: &ConflictsArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let input = &args.input;
    // STD traces are streamed (same report, a fraction of the memory): named so, or files
    // that `--from auto` recognises as STD, every one of them. Options that pick executions
    // or read lines by regex take the general path.
    if input.execution.is_none() && input.delimiter.is_none() && input.regex.is_none() {
        if input.from == Format::Std {
            return run_std(args, ctx, false);
        }
        if input.from == Format::Auto && all_std(&input.files)? {
            return run_std(args, ctx, true);
        }
    }
    // The report prints no event's pass-through fields.
    let options = LoadOptions {
        keep_fields: false,
        ..LoadOptions::default()
    };
    let loaded = load_with(&args.input, ctx, options)?;
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
    let causality = &loaded.causality;
    let options = ConflictOptions {
        limit: (args.limit > 0).then_some(args.limit),
        keys,
    };
    // Lamport order visits conflicts roughly as they happened, so the witnesses kept first
    // are the earliest; and it makes `a` of each pair the one first in Lamport's order.
    // Vector clocks are computed on the fly (no clock per event is stored); a second replay
    // keeps the clocks of the witnesses, which the report prints, packed (see PackedClocks).
    let lamport = clock::run(trace, causality, LamportEngine::new(trace));
    let order = lamport_order_of(trace, &lamport);
    let engine = super::engine(&args.clocks, trace, ctx);
    let walk = ReplayWalk::new(engine, trace, causality);
    let report = find_conflicts(trace, &order, walk, &options);
    let witnesses = report.witness_events();
    let vector = PackedClocks::select(engine, trace, causality, &order, &witnesses);
    let clocks = WitnessClocks {
        lamport: &lamport,
        vector: &vector,
    };
    match args.format {
        ConflictsFormat::Text => write_text(ctx.out, trace, &clocks, &report, ctx.out_palette)?,
        ConflictsFormat::Json => write_json(ctx.out, trace, &clocks, &report)?,
    }
    Ok(if report.total > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Whether `files` (standard input not among them) are all STD traces by their content.
fn all_std(files: &[PathBuf]) -> Result<bool> {
    if files.is_empty() {
        return Ok(false);
    }
    for file in files {
        if recognise(file)? != Some(Format::Std) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// [`run`] on STD input (`--from std`), streamed: no trace is built. `recognised`: the files
/// were recognised as STD by their content, which is said once they are read, as the general
/// path says it.
fn run_std(args: &ConflictsArgs, ctx: &mut Context<'_>, recognised: bool) -> Result<Outcome> {
    let options = StdConflictOptions {
        limit: (args.limit > 0).then_some(args.limit),
        keys: (!args.keys.is_empty())
            .then(|| args.keys.iter().map(|k| k.trim().to_string()).collect()),
    };
    let mut finder = StdConflictFinder::new(&options);
    let stdin = [PathBuf::from("-")];
    let files = if args.input.files.is_empty() {
        &stdin[..]
    } else {
        &args.input.files[..]
    };
    stream_std(files.iter().map(|f| Input::open(f)), &mut finder)?;
    if recognised {
        for file in files {
            super::say_reading_as(&file.display().to_string(), Format::Std);
        }
    }
    let found = finder.finish();
    if found.events == 0 {
        ctx.warn("no events read: the input holds no event");
    }
    for name in &found.unknown_keys {
        ctx.warn(&format!("key {name:?} does not appear in the input"));
    }
    super::engine_for(&args.clocks, found.nodes, ctx);
    let clocks = WitnessClocks {
        lamport: &found.lamport,
        vector: &found.vector,
    };
    let (trace, report) = (&found.trace, &found.report);
    match args.format {
        ConflictsFormat::Text => write_text(ctx.out, trace, &clocks, report, ctx.out_palette)?,
        ConflictsFormat::Json => write_json(ctx.out, trace, &clocks, report)?,
    }
    Ok(if report.total > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
