//! `causal diff`: what differs between two executions.

use std::collections::HashSet;

use anyhow::Result;

use super::{load_two, Context, LoadOptions, Outcome};
use crate::cli::{DiffArgs, DiffFormat, InputArgs};
use causal_core::analysis::diff::{diff, DiffOptions, Execution};
use causal_core::clock::{self, LamportEngine, Replay, Stamps};
use causal_core::error::Error;
use causal_core::graph::{HbGraph, SliceOptions, View};
use causal_core::render::diff::{write_dot, write_json, write_text, Sides};
use causal_core::render::lamport_order_of;

/// Compares the two executions; findings when they differ.
pub fn run(args: &DiffArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let (input_a, input_b) = sides(args)?;
    // The pass-through fields matter only to --field.
    let options = LoadOptions {
        keep_fields: args.match_field.is_some(),
        ..LoadOptions::default()
    };
    let (a, b) = load_two(&input_a, &input_b, ctx, options)?;
    let limit = (args.limit > 0).then_some(args.limit);
    let options = DiffOptions {
        match_field: args.match_field.clone(),
        limit,
        engine: Some(args.clocks.engine),
    };
    let report = diff(
        Execution {
            trace: &a.trace,
            causality: &a.causality,
        },
        Execution {
            trace: &b.trace,
            causality: &b.causality,
        },
        &options,
    );
    let sides = Sides {
        a: &a.trace,
        b: &b.trace,
    };
    match args.format {
        DiffFormat::Text => write_text(ctx.out, sides, &report, limit, ctx.out_palette)?,
        DiffFormat::Json => write_json(ctx.out, sides, &report, limit)?,
        DiffFormat::Dot => {
            let (trace, causality) = (&b.trace, &b.causality);
            let lamport = clock::run(trace, causality, LamportEngine::new(trace));
            let order = lamport_order_of(trace, &lamport);
            let graph = HbGraph::build(trace, causality);
            let view = View::build(trace, &graph, &order, &SliceOptions::default());
            let vector = Replay::select(
                args.clocks.engine,
                trace,
                causality,
                &order,
                &HashSet::new(),
            );
            let stamps = Stamps { lamport, vector };
            write_dot(ctx.out, sides, &report, &stamps, &view)?;
        }
    }
    let outcome = if report.differs() {
        Outcome::Findings
    } else {
        Outcome::Clean
    };
    // The process ends next: freeing two traces string by string is work for nothing (3 % of
    // the instructions of `diff` on 10^5 generated events).
    std::mem::forget((a, b, report));
    Ok(outcome)
}

/// How to read A and B: files before and after `--`, or two executions of one input.
fn sides(args: &DiffArgs) -> Result<(InputArgs, InputArgs), Error> {
    match (&args.against, args.b_files.is_empty()) {
        (Some(other), true) => {
            let mut b = args.input.clone();
            b.execution = Some(other.clone());
            Ok((args.input.clone(), b))
        }
        (None, false) => {
            let mut b = args.input.clone();
            b.files = args.b_files.clone();
            Ok((args.input.clone(), b))
        }
        (Some(_), false) => Err(Error::Usage(
            "give B either as files after `--` or as --against EXECUTION, not both".into(),
        )),
        (None, true) => Err(Error::Usage(
            "no execution B: give its files after `--` (causal diff A.jsonl -- B.jsonl), or \
             --execution X --against Y"
                .into(),
        )),
    }
}
