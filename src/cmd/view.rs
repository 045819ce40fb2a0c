//! `causal view`: write the execution as one self-contained HTML page for a browser.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::Instant;

use anyhow::{Context as _, Result};

use super::{load, Context, Outcome};
use crate::cli::{InputArgs, ViewArgs};
use causal_core::analysis::check::{check, CheckOptions};
use causal_core::analysis::conflicts::{find_conflicts, ConflictOptions};
use causal_core::analysis::lin;
use causal_core::analysis::offsets::{estimate_offsets, offsets_from_bounds, reference_node};
use causal_core::analysis::skew::SkewPairs;
use causal_core::clock::{self, LamportEngine, ReplayWalk};
use causal_core::error::Error;
use causal_core::history;
use causal_core::input::Input;
use causal_core::model::{EventIdx, Trace};
use causal_core::order::Causality;
use causal_core::parse::Format;
use causal_core::render::lamport_order_of;
use causal_core::render::view::{write_view, ViewPage};
use causal_core::render::view_history::{write_history_view, HistoryPage};

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
    if reads_history(&args.input)? {
        return run_history(args, ctx);
    }
    let loaded = load(&args.input, ctx)?;
    let trace = &loaded.trace;
    let causality = &loaded.causality;
    let lamport = clock::run(trace, causality, LamportEngine::new(trace));
    let order = page_order(trace, causality, &lamport);
    let (conflicts, report, offsets) = if args.no_analyses {
        (None, None, estimate_offsets(trace, causality))
    } else {
        let engine = super::engine(&args.clocks, trace, ctx);
        let walk = ReplayWalk::new(engine, trace, causality);
        let options = ConflictOptions {
            limit: Some(CONFLICT_WITNESSES),
            keys: None,
        };
        let conflicts = find_conflicts(trace, &order, walk, &options);
        // Bounds against the reference node only: they are what the offsets need, and all
        // pairs would be quadratic in the nodes.
        let reference = reference_node(trace, causality);
        let pairs = reference.map_or(SkewPairs::None, SkewPairs::Against);
        let report = check(trace, causality, CheckOptions { pairs, fifo: false });
        let offsets = offsets_from_bounds(trace, reference, &report.skew);
        (Some(conflicts), Some(report), offsets)
    };
    let title = match &args.title {
        Some(t) => t.clone(),
        None => format!("causal view: {}", trace.files.join(" ")),
    };
    let page = ViewPage {
        title: &title,
        trace,
        causality,
        order: &order,
        offsets: &offsets,
        conflicts: conflicts.as_ref(),
        check: report.as_ref(),
    };
    write_page(args, ctx, |w| write_view(w, &page))
}

/// Whether the input is a history, to be checked and drawn as operations: `--from` names a
/// history format, or every named file's content is one. Standard input is not peeked at
/// (what is read to look is gone): it is a history only with `--from edn|jepsen-log|history`.
fn reads_history(input: &InputArgs) -> Result<bool> {
    if input.from.history().is_some() {
        return Ok(true);
    }
    if input.from != Format::Auto
        || input.regex.is_some()
        || input.files.is_empty()
        || input.files.iter().any(|f| f.as_os_str() == "-")
    {
        return Ok(false);
    }
    for path in &input.files {
        let mut file = Input::open(path)?;
        if history::detect(file.peek()?).is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The history page: loads the history, checks it as `lin` does, and writes the page.
fn run_history(args: &ViewArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let started = Instant::now();
    let history = super::lin::load_history(&args.input.files, args.input.from, ctx)?;
    let options = super::lin::options(&args.lin, &history, started)?;
    let report = lin::check(&history, &options)?;
    let title = match &args.title {
        Some(t) => t.clone(),
        None => format!("causal view: {}", history.files.join(" ")),
    };
    let page = HistoryPage {
        title: &title,
        history: &history,
        report: &report,
    };
    write_page(args, ctx, |w| write_history_view(w, &page))
}

/// Writes a page to `-o FILE`, or to standard output.
fn write_page(
    args: &ViewArgs,
    ctx: &mut Context<'_>,
    write: impl Fn(&mut dyn Write) -> io::Result<()>,
) -> Result<Outcome> {
    match &args.output {
        Some(path) => {
            let file = File::create(path)
                .with_context(|| format!("{}: cannot create the page", path.display()))?;
            let mut out = BufWriter::with_capacity(1 << 16, file);
            write(&mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("{}: cannot write the page", path.display()))?;
        }
        None => write(ctx.out)?,
    }
    Ok(Outcome::Clean)
}

/// The order the page lists events in: Lamport's (by clock, node, position), which keeps
/// events of a time together, when it is also causal (each node's events in program order,
/// each receive after its send); stamped input's given clocks may not be, and then the causal
/// order the messages give.
fn page_order(trace: &Trace, causality: &Causality, lamport: &[u64]) -> Vec<EventIdx> {
    let order = lamport_order_of(trace, lamport);
    let mut rank = vec![0usize; trace.len()];
    for (i, &e) in order.iter().enumerate() {
        rank[e.index()] = i;
    }
    let program = trace.by_node.iter().all(|lane| {
        lane.windows(2)
            .all(|w| rank[w[0].index()] < rank[w[1].index()])
    });
    let messages = causality
        .message_edges()
        .all(|(s, r)| rank[s.index()] < rank[r.index()]);
    if program && messages {
        order
    } else {
        causality.order.clone()
    }
}
