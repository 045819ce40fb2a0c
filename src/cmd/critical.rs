//! `causal critical-path`: where the wall-clock time of an execution went.

use anyhow::Result;

use super::{load_without_fields, Context, Outcome};
use crate::cli::{CriticalPathArgs, WhyFormat};
use causal_core::analysis::critical::{critical_path, last_event, span_paths, PathMode};
use causal_core::analysis::offsets::estimate_offsets;
use causal_core::error::Error;
use causal_core::render::critical;

/// Finds and writes the critical path (events) or paths (spans, one per trace).
pub fn run(args: &CriticalPathArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let loaded = load_without_fields(&args.input, ctx)?;
    let (trace, causality) = (&loaded.trace, &loaded.causality);
    let spans = match args.mode {
        PathMode::Auto => !trace.spans.is_empty() && args.to.is_none(),
        PathMode::Events => false,
        PathMode::Spans => true,
    };
    if spans {
        if args.to.is_some() {
            return Err(
                Error::Usage("--to names an event: it goes with --mode events".into()).into(),
            );
        }
        let only: Option<Vec<&str>> = args
            .traces
            .as_ref()
            .map(|ids| ids.iter().map(String::as_str).collect());
        let paths = span_paths(trace, only.as_deref());
        match args.format {
            WhyFormat::Text => critical::write_spans_text(ctx.out, trace, &paths, ctx.out_palette)?,
            WhyFormat::Json => critical::write_spans_json(ctx.out, trace, &paths)?,
        }
        return Ok(Outcome::Clean);
    }
    let offsets = estimate_offsets(trace, causality);
    let end = match &args.to {
        Some(id) => trace.resolve_id(&trace.id_index(), id)?,
        None => match last_event(trace, causality, &offsets) {
            Some(e) => e,
            // An empty input has been warned about; there is no path to print.
            None => return Ok(Outcome::Clean),
        },
    };
    let path = critical_path(trace, causality, &offsets, end);
    match args.format {
        WhyFormat::Text => critical::write_path_text(ctx.out, trace, &path, ctx.out_palette)?,
        WhyFormat::Json => critical::write_path_json(ctx.out, trace, &path)?,
    }
    Ok(Outcome::Clean)
}
