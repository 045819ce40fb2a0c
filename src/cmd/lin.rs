//! `causal lin`: read a history, check it against a model, explain any violation.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;

use super::{Context, Outcome};
use crate::cli::{LinArgs, LinCheckArgs, LinFormat};
use causal_core::analysis::lin::{check, infer_model, LinOptions, Verdict};
use causal_core::error::Error;
use causal_core::history::{edn, load, History};
use causal_core::parse::Format;
use causal_core::render::lin::{write_json, write_text};

/// Checks the history; findings when it is not linearizable, unknown when the timeout hit.
pub fn run(args: &LinArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let started = Instant::now();
    let history = load_history(&args.files, args.from, ctx)?;
    let options = options(&args.check, &history, started)?;
    let report = check(&history, &options)?;
    match args.format {
        LinFormat::Text => write_text(
            ctx.out,
            &history,
            &report,
            ctx.out_palette,
            crate::term::columns(),
        )?,
        LinFormat::Json => write_json(ctx.out, &history, &report)?,
    }
    Ok(match report.verdict {
        Verdict::Linearizable => Outcome::Clean,
        Verdict::NotLinearizable => Outcome::Findings,
        Verdict::Unknown => Outcome::Unknown,
    })
}

/// Reads the history in `files` (`from` a history format, or auto), warning about lines that
/// hold no operation.
pub fn load_history(files: &[PathBuf], from: Format, ctx: &Context<'_>) -> Result<History> {
    let format = match from {
        Format::Auto => None,
        other => Some(other.history().ok_or_else(|| {
            Error::Usage(format!(
                "lin reads histories: --from auto, edn, jepsen-log or history, not {}",
                causal_core::Named::name(other)
            ))
        })?),
    };
    let loaded = load(files, format)?;
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
    Ok(loaded.history)
}

/// The check's options from its arguments: the model (inferred from the operations unless
/// named), the initial value, the deadline counted from `started`, the threads.
pub fn options(args: &LinCheckArgs, history: &History, started: Instant) -> Result<LinOptions> {
    let model = args.model.unwrap_or_else(|| infer_model(history));
    let initial = match &args.initial {
        None => model.default_initial(),
        Some(text) => edn::parse_value("--initial", text, 1, 1)
            .map_err(|e| Error::Usage(format!("invalid --initial: {}", e.message)))?,
    };
    // Asking for the number of cores reads cgroup files, a millisecond or more: not worth it
    // for a history without keys, which is searched on one thread anyway.
    let keyed = history.ops.iter().any(|op| op.key.is_some());
    let threads = args.threads.unwrap_or_else(|| {
        if keyed {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            1
        }
    });
    if threads == 0 {
        return Err(Error::Usage("--threads must be at least 1".to_string()).into());
    }
    Ok(LinOptions {
        model,
        initial,
        deadline: args.timeout.map(|t| started + t),
        threads,
    })
}
