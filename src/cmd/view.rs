//! `causal view`: write the execution as one self-contained HTML page for a browser.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};

use anyhow::{Context as _, Result};

use super::{load, Context, Outcome};
use crate::analysis::check::check;
use crate::analysis::conflicts::{find_conflicts, ConflictOptions};
use crate::analysis::offsets::{estimate_offsets, offsets_from_bounds, reference_node};
use crate::analysis::skew::SkewPairs;
use crate::cli::ViewArgs;
use crate::clock::{self, LamportEngine, ReplayWalk};
use crate::error::Error;
use crate::model::Trace;
use crate::render::lamport_order_of;
use crate::render::view::{write_view, Outside, ViewPage};

/// Witness pairs per key that the page lists, as `conflicts` shows by default.
const CONFLICT_WITNESSES: usize = 10;

/// Loads, runs the analyses the page shows, and writes the page.
pub fn run(args: &ViewArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    // Refuse before reading anything: a page of HTML is no use on a terminal.
    if args.output.is_none() && std::io::stdout().is_terminal() {
        return Err(Error::Usage(
            "standard output is a terminal: write the page to a file with -o FILE (for \
             example `causal view app.jsonl -o view.html`), or redirect it"
                .to_string(),
        )
        .into());
    }
    let loaded = load(&args.input, ctx)?;
    let trace = &loaded.trace;
    let causality = &loaded.causality;
    let lamport = clock::run(trace, causality, LamportEngine::new(trace));
    let order = lamport_order_of(trace, &lamport);
    let (conflicts, report, offsets) = if args.no_analyses {
        (None, None, estimate_offsets(trace, causality))
    } else {
        let walk = ReplayWalk::new(args.clocks.pick(), trace, causality);
        let options = ConflictOptions {
            limit: Some(CONFLICT_WITNESSES),
            keys: None,
        };
        let conflicts = find_conflicts(trace, &order, walk, &options);
        // Bounds against the reference node only: they are what the offsets need, and all
        // pairs would be quadratic in the nodes.
        let reference = reference_node(trace, causality);
        let pairs = reference.map_or(SkewPairs::None, SkewPairs::Against);
        let report = check(trace, causality, pairs);
        let offsets = offsets_from_bounds(trace, reference, &report.skew);
        (Some(conflicts), Some(report), offsets)
    };
    let outside = outside_marks(trace);
    let title = match &args.title {
        Some(t) => t.clone(),
        None => format!("causal view: {}", trace.files.join(" ")),
    };
    let page = ViewPage {
        title: &title,
        trace,
        causality,
        order: &order,
        given: None,
        outside: &outside,
        offsets: &offsets,
        conflicts: conflicts.as_ref(),
        check: report.as_ref(),
    };
    match &args.output {
        Some(path) => {
            let file = File::create(path)
                .with_context(|| format!("{}: cannot create the page", path.display()))?;
            let mut out = BufWriter::with_capacity(1 << 16, file);
            write_view(&mut out, &page)
                .and_then(|()| out.flush())
                .with_context(|| format!("{}: cannot write the page", path.display()))?;
        }
        None => write_view(ctx.out, &page)?,
    }
    Ok(Outcome::Clean)
}

/// The `outside` marks of a slice (`"outside":"recv"` on a send whose receive was left out,
/// `"outside":"send"` on a receive whose send was), read from the events' fields.
fn outside_marks(trace: &Trace) -> Vec<Option<Outside>> {
    let mut any = false;
    let marks = trace
        .events
        .iter()
        .map(|ev| {
            // Most events have no such field: look for the key before parsing.
            if !ev.fields.as_json().contains("\"outside\"") {
                return None;
            }
            let mark = match ev.fields.get("outside")?.as_str()? {
                "recv" => Outside::Recv,
                "send" => Outside::Send,
                _ => return None,
            };
            any = true;
            Some(mark)
        })
        .collect();
    if any {
        marks
    } else {
        Vec::new()
    }
}
