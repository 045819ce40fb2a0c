//! Commands: turn validated arguments into a pipeline (parse -> order -> clocks -> analysis ->
//! render) and say how it ended. The only layer below `main` that prints to stderr.

pub mod check;
pub mod conflicts;
pub mod critical;
pub mod diff;
pub mod gen;
pub mod graph;
pub mod lin;
pub mod query;
pub mod slice;
pub mod stamp;
pub mod stats;
pub mod view;
pub mod why;

use std::io::{Read as _, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use clap::CommandFactory;

use crate::cli::{Cli, Command, EngineArgs, InputArgs};
use causal_core::clock::{tree_fits, Engine, TREE_UP_TO_NODES};
use causal_core::input::Input;
use causal_core::model::Trace;
use causal_core::order::{causal_order, Causality};
use causal_core::parse::{parse_inputs, ParseOptions, Parsed};
use causal_core::render::Palette;
use causal_core::Named as _;

/// How a command ended, when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report: exit 0.
    Clean,
    /// Findings were reported: exit 1.
    Findings,
    /// No verdict: a time limit stopped the work first (`lin --timeout`): exit 3.
    Unknown,
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
        warn_with(self.err_palette, message);
    }
}

/// Prints a warning on stderr in `palette`: `causal: warning: ...`, one-line safe.
pub fn warn_with(palette: Palette, message: &str) {
    eprintln!(
        "causal: {} {}",
        palette.warning("warning:"),
        causal_core::render::fmt::one_line(message)
    );
}

/// Runs the command `cli` names.
pub fn run(cli: Cli, ctx: &mut Context<'_>) -> Result<Outcome> {
    match cli.command {
        Command::Stamp(args) => stamp::run(&args, ctx),
        Command::Conflicts(args) => conflicts::run(&args, ctx),
        Command::Check(args) => check::run(&args, ctx),
        Command::Gen(args) => gen::run(&args, ctx),
        Command::Lin(args) => lin::run(&args, ctx),
        Command::View(args) => view::run(&args, ctx),
        Command::Graph(args) => graph::run(&args, ctx),
        Command::Hb(args) => query::run_hb(&args, ctx),
        Command::Slice(args) => slice::run(&args, ctx),
        Command::Why(args) => why::run(&args, ctx),
        Command::Stats(args) => stats::run(&args, ctx),
        Command::CriticalPath(args) => critical::run(&args, ctx),
        Command::Diff(args) => diff::run(&args, ctx),
        Command::Past(args) => query::run_cut(&args, causal_core::graph::Side::Past, ctx),
        Command::Future(args) => query::run_cut(&args, causal_core::graph::Side::Future, ctx),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "causal", ctx.out);
            Ok(Outcome::Clean)
        }
        Command::Man { command } => {
            let cli = Cli::command();
            let page = match command {
                None => cli,
                Some(name) => {
                    let names: Vec<String> = cli
                        .get_subcommands()
                        .map(|c| c.get_name().to_string())
                        .collect();
                    let found = cli.find_subcommand(&name).cloned().ok_or_else(|| {
                        causal_core::error::Error::Usage(format!(
                            "no command {name:?}: the commands are {}",
                            names.join(", ")
                        ))
                    })?;
                    // The page is named causal-COMMAND, as git's are.
                    let title = format!("causal-{}", found.get_name());
                    found.name(title)
                }
            };
            clap_mangen::Man::new(page)
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
    if trace.given.is_some() {
        return clocks.engine;
    }
    engine_for(clocks, trace.nodes.len(), ctx)
}

/// [`engine`] for a trace of `nodes` nodes whose clocks are computed.
pub fn engine_for(clocks: &EngineArgs, nodes: usize, ctx: &Context<'_>) -> Engine {
    let engine = clocks.engine;
    if engine == Engine::Tree && !tree_fits(nodes) {
        ctx.warn(&format!(
            "--engine tree keeps every node's counter in every clock; with {nodes} nodes (more than {TREE_UP_TO_NODES}) flat rows are used instead"
        ));
    }
    engine
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

/// [`load`] without the events' pass-through fields, for commands whose output never shows
/// them (saves about the input's size in memory).
pub fn load_without_fields(input: &InputArgs, ctx: &Context<'_>) -> Result<Loaded> {
    let options = LoadOptions {
        keep_fields: false,
        ..LoadOptions::default()
    };
    load_with(input, ctx, options)
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
    let read = read_and_order(input, load_options, ctx.progress, None)?;
    finish_load(read, ctx, load_options)
}

/// Reads and orders two inputs at once, B on a second thread (`diff`'s two executions): the
/// wall time of about one. Warnings and errors come out as [`load_with`] would print them,
/// A's first. When both sides read standard input (`--execution X --against Y` on a pipe),
/// it is read once and both parse the same bytes.
pub fn load_two(
    a: &InputArgs,
    b: &InputArgs,
    ctx: &Context<'_>,
    load_options: LoadOptions,
) -> Result<(Loaded, Loaded)> {
    let stdin = if reads_stdin(a) && reads_stdin(b) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|error| causal_core::error::Error::Io {
                path: causal_core::input::STDIN_NAME.to_string(),
                error,
            })?;
        Some(Arc::<[u8]>::from(bytes))
    } else {
        None
    };
    let (read_a, read_b) = std::thread::scope(|scope| {
        let b = scope.spawn(|| read_and_order(b, load_options, false, stdin.as_ref()));
        let read_a = read_and_order(a, load_options, ctx.progress, stdin.as_ref());
        let read_b = b
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (read_a, read_b)
    });
    let a = finish_load(read_a?, ctx, load_options)?;
    let b = finish_load(read_b?, ctx, load_options)?;
    Ok((a, b))
}

/// Says on stderr that `file` is read as `format`, recognised by its content.
pub fn say_reading_as(file: &str, format: causal_core::parse::Format) {
    eprintln!(
        "causal: reading {} as {}",
        causal_core::render::fmt::one_line(file),
        format.name()
    );
}

/// Whether `input` reads standard input (no files, or `-` among them).
fn reads_stdin(input: &InputArgs) -> bool {
    input.files.is_empty() || input.files.iter().any(|f| f.as_os_str() == "-")
}

/// An input read and ordered, its warnings not yet printed.
struct ReadInput {
    parsed: Parsed,
    /// The causal order, or why there is none (printed after the reading's warnings).
    causality: causal_core::error::Result<Causality>,
}

/// Reads `input` and orders it, printing nothing but the progress bar (`progress`). `stdin`,
/// when given, holds standard input already read.
fn read_and_order(
    input: &InputArgs,
    load_options: LoadOptions,
    progress: bool,
    stdin: Option<&Arc<[u8]>>,
) -> causal_core::error::Result<ReadInput> {
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
    let parsed = match stdin {
        None => crate::term::parse_with_progress(&input.files, options, progress)?,
        Some(bytes) => {
            let dash = [PathBuf::from("-")];
            let files = if input.files.is_empty() {
                &dash[..]
            } else {
                &input.files[..]
            };
            let inputs = files.iter().map(|file| {
                if file.as_os_str() == "-" {
                    Ok(Input::from_reader(
                        causal_core::input::STDIN_NAME,
                        None,
                        std::io::Cursor::new(bytes.clone()),
                    ))
                } else {
                    Input::open(file)
                }
            });
            parse_inputs(inputs, &options)?
        }
    };
    let causality = causal_order(&parsed.trace);
    Ok(ReadInput { parsed, causality })
}

/// Prints what reading `read` passed over, as `load_options` say, and returns it loaded (or
/// the ordering's error).
fn finish_load(read: ReadInput, ctx: &Context<'_>, load_options: LoadOptions) -> Result<Loaded> {
    let warn_diagnostics = load_options.warn_diagnostics;
    let parsed = read.parsed;
    for (file, format) in &parsed.recognised {
        say_reading_as(file, *format);
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
    if trace.is_empty() {
        ctx.warn("no events read: the input holds no event");
    }
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
    let causality = read.causality?;
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
