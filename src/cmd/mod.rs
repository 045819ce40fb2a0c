//! Commands: turn validated arguments into a pipeline (parse -> order -> clocks -> analysis ->
//! render) and say how it ended. The only layer below `main` that prints to stderr.

pub mod check;
pub mod conflicts;
pub mod gen;
pub mod graph;
pub mod query;
pub mod stamp;

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};

use anyhow::{Context as _, Result};
use clap::CommandFactory;

use crate::cli::{Cli, Command, EngineArgs, InputArgs};
use crate::clock::{tree_fits, Engine, TREE_UP_TO_NODES};
use crate::model::Trace;
use crate::order::{causal_order, Causality};
use crate::parse::{parse_files, ParseOptions};
use crate::term::Palette;

/// How a command ended, when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report: exit 0.
    Clean,
    /// Findings were reported: exit 1.
    Findings,
}

/// Where a command writes and how it paints.
pub struct Context<'a> {
    /// Standard output (data only).
    pub out: &'a mut dyn Write,
    /// Palette for standard output.
    pub out_palette: Palette,
    /// Palette for messages on standard error.
    pub err_palette: Palette,
    /// Whether long reads may show a progress bar on standard error (it is a terminal).
    pub progress: bool,
}

impl Context<'_> {
    /// Prints a warning on stderr: `causal: warning: ...`.
    pub fn warn(&self, message: &str) {
        eprintln!("causal: {} {message}", self.err_palette.warning("warning:"));
    }
}

/// Runs the command `cli` names.
pub fn run(cli: Cli, ctx: &mut Context<'_>) -> Result<Outcome> {
    match cli.command {
        Command::Stamp(args) => stamp::run(&args, ctx),
        Command::Conflicts(args) => conflicts::run(&args, ctx),
        Command::Check(args) => check::run(&args, ctx),
        Command::Gen(args) => gen::run(&args, ctx),
        Command::Graph(args) => graph::run(&args, ctx),
        Command::Hb(args) => query::run_hb(&args, ctx),
        Command::Past(args) => query::run_cut(&args, query::Side::Past, ctx),
        Command::Future(args) => query::run_cut(&args, query::Side::Future, ctx),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "causal", ctx.out);
            Ok(Outcome::Clean)
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command())
                .render(ctx.out)
                .context("writing the man page")?;
            Ok(Outcome::Clean)
        }
    }
}

/// The vector-clock engine `--engine` asks for. Tree clocks hold a counter and a link for
/// every node in every clock; with too many nodes the replay uses flat rows instead, and this
/// says so.
pub fn engine(clocks: &EngineArgs, trace: &Trace, ctx: &Context<'_>) -> Engine {
    let engine = clocks.pick();
    if engine == Engine::Tree && !tree_fits(trace.nodes.len()) {
        ctx.warn(&format!(
            "--engine tree keeps every node's counter in every clock; with {} nodes (more than {TREE_UP_TO_NODES}) flat rows are used instead",
            trace.nodes.len()
        ));
    }
    engine
}

/// Inputs smaller than this are read without a progress bar: they take a moment at most.
const PROGRESS_MIN_BYTES: u64 = 32 << 20;

/// Parses the inputs, with a progress bar on stderr (bytes read of the total) when `show`
/// (stderr is a terminal) and the input is large or of unknown size (standard input).
fn parse_with_progress(
    files: &[std::path::PathBuf],
    mut options: ParseOptions,
    show: bool,
) -> crate::error::Result<crate::parse::Parsed> {
    let sizes: Option<u64> = files
        .iter()
        .map(|f| std::fs::metadata(f).ok().map(|m| m.len()))
        .sum();
    let reads_stdin = files.is_empty() || files.iter().any(|f| f.as_os_str() == "-");
    let total = if reads_stdin { None } else { sizes };
    if !show || total.is_some_and(|t| t < PROGRESS_MIN_BYTES) {
        return parse_files(files, &options);
    }
    let count = Arc::new(AtomicU64::new(0));
    options.progress = Some(count.clone());
    let bar = match total {
        Some(t) => ProgressBar::new(t).with_style(
            ProgressStyle::with_template(
                "{spinner} reading {bytes}/{total_bytes} {wide_bar} {binary_bytes_per_sec} {eta}",
            )
            .expect("the template is valid"),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} reading {bytes} {binary_bytes_per_sec}")
                .expect("the template is valid"),
        ),
    };
    let done = AtomicBool::new(false);
    let parsed = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                bar.set_position(count.load(Ordering::Relaxed));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        let parsed = parse_files(files, &options);
        done.store(true, Ordering::Relaxed);
        parsed
    });
    bar.finish_and_clear();
    parsed
}

/// A parsed trace with its messages matched and a causal order found.
pub struct Loaded {
    /// The events.
    pub trace: Trace,
    /// Matching and causal order.
    pub causality: Causality,
}

/// At most this many warnings of one kind are printed; the rest are counted.
const WARNING_LIMIT: usize = 10;

/// What a command needs [`load_with`] to do besides reading and ordering.
#[derive(Clone, Copy, Debug)]
pub struct LoadOptions {
    /// Warn about the input's clock diagnostics and unmatched receives (`check` reports both
    /// as findings instead).
    pub warn_diagnostics: bool,
    /// Keep each event's pass-through fields; commands that never print them save about the
    /// input's size in memory.
    pub keep_fields: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            warn_diagnostics: true,
            keep_fields: true,
        }
    }
}

/// Reads the input, orders it causally, and warns about what the run passes over.
pub fn load(input: &InputArgs, ctx: &Context<'_>) -> Result<Loaded> {
    load_with(input, ctx, LoadOptions::default())
}

/// [`load`], as `load_options` say.
pub fn load_with(
    input: &InputArgs,
    ctx: &Context<'_>,
    load_options: LoadOptions,
) -> Result<Loaded> {
    let warn_diagnostics = load_options.warn_diagnostics;
    let options = ParseOptions {
        from: input.from,
        node: input.node.clone(),
        regex: input.regex.clone(),
        skip_unmatched: input.skip_unmatched,
        delimiter: input.delimiter.clone(),
        execution: input.execution.clone(),
        links_as_causal: input.links_as_causal,
        key_attr: input.key_attr.clone(),
        progress: None,
        drop_fields: !load_options.keep_fields,
    };
    let parsed = parse_with_progress(&input.files, options, ctx.progress)?;
    for (file, format) in &parsed.recognised {
        eprintln!("causal: reading {file} as {}", format.name());
    }
    for (file, count) in &parsed.skipped {
        ctx.warn(&format!(
            "{file}: skipped {count} line{} that did not match --regex",
            if *count == 1 { "" } else { "s" }
        ));
    }
    for warning in &parsed.warnings {
        ctx.warn(warning);
    }
    let trace = parsed.trace;
    // Clocks that contradict their log (vector-clock inputs): the run goes on without them.
    let shown = if warn_diagnostics { WARNING_LIMIT } else { 0 };
    for d in trace.diagnostics.iter().take(shown) {
        let file = &trace.files[d.source.file as usize];
        ctx.warn(&format!(
            "{file}:{}: {}: {}",
            d.source.line, d.kind, d.message
        ));
    }
    if warn_diagnostics && trace.diagnostics.len() > WARNING_LIMIT {
        ctx.warn(&format!(
            "{} more problems with the input's clocks",
            trace.diagnostics.len() - WARNING_LIMIT
        ));
    }
    let causality = causal_order(&trace)?;
    for &e in causality.unmatched_recvs.iter().take(shown) {
        ctx.warn(&format!(
            "{}: {} receives {:?}, which no event sends; stamped as a local event",
            trace.location(e),
            trace.event_id(e),
            trace.event(e).msg.as_deref().unwrap_or_default()
        ));
    }
    if warn_diagnostics && causality.unmatched_recvs.len() > WARNING_LIMIT {
        ctx.warn(&format!(
            "{} more receives of messages that no event sends",
            causality.unmatched_recvs.len() - WARNING_LIMIT
        ));
    }
    Ok(Loaded { trace, causality })
}
