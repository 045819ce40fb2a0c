//! `causal why ID`: what an event knew, node by node, and through whom.

use std::collections::HashSet;

use anyhow::Result;

use super::{load_without_fields, Context, Outcome};
use crate::cli::{WhyArgs, WhyFormat};
use causal_core::analysis::why::{knowledge, wanted};
use causal_core::clock::{Clocks, Replay};
use causal_core::graph::HbGraph;
use causal_core::render::why;

/// Answers and writes.
pub fn run(args: &WhyArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let loaded = load_without_fields(&args.input, ctx)?;
    let (trace, causality) = (&loaded.trace, &loaded.causality);
    let e = trace.resolve_id(&trace.id_index(), &args.id)?;
    let engine = super::engine(&args.clocks, trace, ctx);
    // Two replays, no clock per event: e's clock says which others the answer needs.
    let own = Replay::select(
        engine,
        trace,
        causality,
        &causality.order,
        &HashSet::from([e]),
    );
    let more: HashSet<_> = wanted(trace, e, own.clock(e)).into_iter().collect();
    let clocks = Replay::select(engine, trace, causality, &causality.order, &more);
    let graph = HbGraph::build(trace, causality);
    let answer = knowledge(trace, &graph, &clocks, e);
    match args.format {
        WhyFormat::Text => why::write_text(ctx.out, trace, &answer, ctx.out_palette)?,
        WhyFormat::Json => why::write_json(ctx.out, trace, &answer)?,
    }
    Ok(Outcome::Clean)
}
