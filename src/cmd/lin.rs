//! `causal lin`: read a history, check it against a model, explain any violation.

use std::time::Instant;

use anyhow::Result;

use super::{Context, Outcome};
use crate::analysis::lin::{check, infer_model, LinOptions, Verdict};
use crate::cli::{LinArgs, LinFormat};
use crate::error::Error;
use crate::history::{edn, load};
use crate::render::lin::{write_json, write_text};

/// Checks the history; findings when it is not linearizable, unknown when the timeout hit.
pub fn run(args: &LinArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let started = Instant::now();
    let loaded = load(&args.files, args.from.pick())?;
    for (file, count) in &loaded.skipped {
        ctx.warn(&format!(
            "{file}: skipped {count} {} no operation",
            if *count == 1 {
                "line that holds"
            } else {
                "lines that hold"
            }
        ));
    }
    let history = loaded.history;
    let model = args
        .model
        .map(|m| m.pick())
        .unwrap_or_else(|| infer_model(&history));
    let initial = match &args.initial {
        None => model.default_initial(),
        Some(text) => edn::parse_value("--initial", text, 1, 1)
            .map_err(|e| Error::Usage(format!("invalid --initial: {}", e.message)))?,
    };
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    if threads == 0 {
        return Err(Error::Usage("--threads must be at least 1".to_string()).into());
    }
    let options = LinOptions {
        model,
        initial,
        deadline: args.timeout.map(|t| started + t),
        threads,
    };
    let report = check(&history, &options)?;
    match args.format {
        LinFormat::Text => write_text(
            ctx.out,
            &history,
            &report,
            ctx.out_palette,
            super::graph::columns(),
        )?,
        LinFormat::Json => write_json(ctx.out, &history, &report)?,
    }
    Ok(match report.verdict {
        Verdict::Linearizable => Outcome::Clean,
        Verdict::NotLinearizable => Outcome::Findings,
        Verdict::Unknown => Outcome::Unknown,
    })
}
