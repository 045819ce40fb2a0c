//! `causal check`: lost messages, receives of messages never sent, clocks that contradict
//! causality, and bounds on the offsets between the nodes' clocks.

use anyhow::Result;

use super::{load_with, Context, LoadOptions, Outcome};
use crate::cli::{CheckArgs, CheckFormat};
use causal_core::analysis::check::{check, CheckOptions};
use causal_core::analysis::offsets::reference_node;
use causal_core::analysis::skew::SkewPairs;
use causal_core::error::Error;
use causal_core::render::check::{write_json, write_text};

/// Above this many nodes with timed messages, JSON summarises the skew bounds unless
/// `--all-pairs` asks for every pair (half a million pairs at 1,000 nodes).
const SUMMARY_ABOVE: usize = 1_000;

/// Runs the checks and reports; findings when there is at least one.
pub fn run(args: &CheckArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    // Clock diagnostics become findings below rather than warnings; no finding prints an
    // event's pass-through fields.
    let options = LoadOptions {
        warn_diagnostics: false,
        keep_fields: false,
    };
    let loaded = load_with(&args.input, ctx, options)?;
    let trace = &loaded.trace;
    let pairs = match (&args.skew_against, args.no_skew) {
        (_, true) => SkewPairs::None,
        _ if args.all_pairs => SkewPairs::All,
        (Some(name), false) => match trace.node_by_name(name) {
            Some(node) => SkewPairs::Against(node),
            None => {
                return Err(Error::Usage(format!(
                    "--skew-against: no node named {name:?} in the input"
                ))
                .into())
            }
        },
        // People get a summary; JSON every pair up to SUMMARY_ABOVE timed nodes.
        (None, false) => SkewPairs::Summary {
            reference: reference_node(trace, &loaded.causality),
            up_to: match args.format {
                CheckFormat::Text => 0,
                CheckFormat::Json => SUMMARY_ABOVE,
            },
        },
    };
    let options = CheckOptions {
        pairs,
        fifo: args.fifo,
    };
    let report = check(trace, &loaded.causality, options);
    if report.skew.unusable > 0 {
        ctx.warn(&format!(
            "{} message(s) with send and receive times centuries apart were left out of the skew bounds",
            report.skew.unusable
        ));
    }
    match args.format {
        CheckFormat::Text => write_text(ctx.out, trace, &report, ctx.out_palette)?,
        CheckFormat::Json => write_json(ctx.out, trace, &report)?,
    }
    Ok(if report.findings.is_empty() {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}
