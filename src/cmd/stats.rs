//! `causal stats`: the shape of an execution at a glance.

use anyhow::Result;

use super::{load_with, Context, LoadOptions, Outcome};
use crate::cli::{StatsArgs, StatsFormat};
use causal_core::analysis::offsets::estimate_offsets;
use causal_core::analysis::stats::{stats, StatsOptions};
use causal_core::clock::{self, LamportEngine, ReplayWalk};
use causal_core::render::lamport_order_of;
use causal_core::render::stats::{write_json, write_text};

/// Computes and writes the statistics; they are never findings.
pub fn run(args: &StatsArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    // The report prints no event's pass-through fields.
    let options = LoadOptions {
        keep_fields: false,
        ..LoadOptions::default()
    };
    let loaded = load_with(&args.input, ctx, options)?;
    let (trace, causality) = (&loaded.trace, &loaded.causality);
    let lamport = clock::run(trace, causality, LamportEngine::new(trace));
    let order = lamport_order_of(trace, &lamport);
    let offsets = args
        .skew_corrected
        .then(|| estimate_offsets(trace, causality));
    let options = StatsOptions {
        offsets: offsets.as_ref(),
        keys: args.keys,
    };
    let walk = ReplayWalk::new(args.clocks.engine, trace, causality);
    let s = stats(trace, causality, &lamport, &order, walk, &options);
    match args.format {
        StatsFormat::Text => {
            let limit = (args.limit > 0).then_some(args.limit);
            write_text(ctx.out, trace, &s, limit, ctx.out_palette)?;
        }
        StatsFormat::Json => write_json(ctx.out, trace, &s)?,
    }
    Ok(Outcome::Clean)
}
