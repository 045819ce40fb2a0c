//! `causal stamp`: every event with its id, Lamport clock and vector clock.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use super::{load, Context, Loaded, Outcome, WARNING_LIMIT};
use crate::cli::{StampArgs, StampFormat, StampOrder};
use causal_core::clock::{self, Engine, LamportEngine, Replay, Stamps};
use causal_core::error::Error;
use causal_core::input::Input;
use causal_core::parse::lines::LineFormats;
use causal_core::parse::FileContext;
use causal_core::render::jsonl::{write_stamped, StampedLines, StreamWriter, VcMode};
use causal_core::render::Palette;
use causal_core::render::{chrome, lamport_order_of, shiviz, table};
use causal_core::stream::{Origin, Stamper, StreamProblem, DEFAULT_MAX_IN_FLIGHT};

/// Stamps the input and writes it in Lamport order (to `-o FILE` when given).
pub fn run(args: &StampArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    if args.hlc && args.format != StampFormat::Jsonl {
        return Err(Error::Usage("--hlc needs --format jsonl".into()).into());
    }
    if args.vc.mode != VcMode::Full
        && !matches!(args.format, StampFormat::Jsonl | StampFormat::Parquet)
    {
        return Err(
            Error::Usage("--vc delta and --vc none need --format jsonl or parquet".into()).into(),
        );
    }
    if args.partition_by.is_some() && args.format != StampFormat::Parquet {
        return Err(Error::Usage("--partition-by needs --format parquet".into()).into());
    }
    if args.format == StampFormat::Parquet {
        return parquet_out::run(args, ctx);
    }
    if let Some(path) = &args.output {
        let file = std::fs::File::create(path)
            .with_context(|| format!("{}: cannot create the output", path.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
        let mut to_file = Context {
            out: &mut out,
            out_palette: Palette::plain(),
            err_palette: ctx.err_palette,
            progress: ctx.progress,
        };
        let outcome = stamp_to(args, &mut to_file)?;
        std::io::Write::flush(&mut out)
            .with_context(|| format!("{}: cannot write the output", path.display()))?;
        return Ok(outcome);
    }
    stamp_to(args, ctx)
}

/// Stamps the input and writes it to `ctx.out`.
fn stamp_to(args: &StampArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    if args.order == StampOrder::Input {
        return stamp_online(args, ctx);
    }
    if args.max_in_flight.is_some() {
        return Err(Error::Usage("--max-in-flight applies to --order input".into()).into());
    }
    let loaded = load(&args.input, ctx)?;
    let (trace, causality) = (&loaded.trace, &loaded.causality);
    let engine = super::engine(&args.clocks, trace, ctx);
    // Every event's clock, each kept dense or sparse, whichever is smaller: these formats
    // write events out of causal order (chrome) or hold the whole table (table).
    let stamped = || {
        let lamport = clock::run(trace, causality, LamportEngine::new(trace));
        let order = lamport_order_of(trace, &lamport);
        let vector = Replay::all(engine, trace, causality, &order);
        (Stamps { lamport, vector }, order)
    };
    match args.format {
        StampFormat::Jsonl => write_jsonl(args, engine, &loaded, ctx)?,
        StampFormat::Table => {
            let (stamps, order) = stamped();
            table::write_table(ctx.out, trace, &stamps, &order, ctx.out_palette)?
        }
        StampFormat::Shiviz => {
            let (stamps, order) = stamped();
            shiviz::write_shiviz(ctx.out, trace, &stamps, &order)?
        }
        StampFormat::Chrome => {
            let (stamps, _) = stamped();
            chrome::write_chrome(ctx.out, trace, &stamps, causality)?
        }
        StampFormat::Parquet => unreachable!("parquet is written by parquet_out::run"),
    }
    Ok(Outcome::Clean)
}

/// JSON Lines in Lamport order.
fn write_jsonl(
    args: &StampArgs,
    engine: Engine,
    loaded: &Loaded,
    ctx: &mut Context<'_>,
) -> Result<()> {
    let lines = StampedLines {
        kept: None,
        hlc: args.hlc,
        vc: args.vc.mode,
    };
    write_stamped(ctx.out, &loaded.trace, &loaded.causality, engine, lines)?;
    Ok(())
}

/// `--order input`: each event written as soon as its clock is known, flushed whenever the
/// input is caught up, so that `tail -f app.log | causal stamp --order input` follows a live
/// log.
fn stamp_online(args: &StampArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    if args.format != StampFormat::Jsonl || args.hlc {
        return Err(
            Error::Usage("--order input writes --format jsonl, without --hlc".into()).into(),
        );
    }
    let input = &args.input;
    let formats = LineFormats::new(input.from, input.regex.as_deref())?;
    let stdin = [PathBuf::from("-")];
    let paths = if input.files.is_empty() {
        &stdin[..]
    } else {
        &input.files[..]
    };
    let mut stamper = Stamper::with_limit(args.max_in_flight.unwrap_or(DEFAULT_MAX_IN_FLIGHT));
    let mut writer = StreamWriter::new().with_vc(args.vc.mode);
    let mut warnings = StreamWarnings::new(ctx.err_palette);
    for path in paths {
        let mut skipped = 0u64;
        let mut reader = Input::open(path)?;
        let name = reader.name.clone();
        let stem = reader.stem.clone();
        let file_index = stamper.add_file(name.clone());
        let file = FileContext {
            name: &name,
            index: 0,
            // As in batch stamping: --node names standard input only; files keep their stems.
            default_node: stem.as_deref().or(input.node.as_deref()),
        };
        let format = formats.for_file(&name, reader.peek()?)?;
        let out = &mut *ctx.out;
        // Output is flushed whenever the input has nothing more buffered (the next read may
        // wait for the log's writer), not after every line: live logs stay live, and a file
        // is written in large blocks.
        let mut unflushed = false;
        reader.for_each_line_live(|line, text, caught_up| {
            let flush = |out: &mut dyn std::io::Write, unflushed: &mut bool| {
                if caught_up && std::mem::take(unflushed) {
                    out.flush().map_err(io_error)?;
                }
                Ok::<(), Error>(())
            };
            if text.trim().is_empty() {
                return flush(out, &mut unflushed);
            }
            let Some(raw) = format.parse_line(text, line, &file, input.skip_unmatched)? else {
                skipped += 1;
                return flush(out, &mut unflushed);
            };
            let origin = Origin {
                file: file_index,
                line,
            };
            let ready = stamper.push(raw, origin).map_err(|e| stamper.error(e))?;
            for e in &ready {
                writer.write(out, stamper.names(), e).map_err(io_error)?;
            }
            unflushed |= !ready.is_empty();
            let problems = stamper.take_problems();
            warnings.report(&stamper, problems);
            flush(out, &mut unflushed)
        })?;
        if unflushed {
            out.flush().map_err(io_error)?;
        }
        if skipped > 0 {
            ctx.warn(&format!(
                "{name}: skipped {skipped} line{} that did not match --regex",
                if skipped == 1 { "" } else { "s" }
            ));
        }
    }
    let rest = stamper.finish().map_err(|e| stamper.error(e))?;
    for e in &rest {
        writer.write(ctx.out, stamper.names(), e)?;
    }
    let problems = stamper.take_problems();
    warnings.report(&stamper, problems);
    warnings.finish();
    Ok(Outcome::Clean)
}

/// The warnings of `--order input`, as they come: at most [`WARNING_LIMIT`] of each kind,
/// then a line saying that more are counted, and the counts when the input ends (a live log
/// may warn for ever; its terminal should not fill up).
struct StreamWarnings {
    palette: Palette,
    seen: [u64; 4],
}

/// What a kind of warning is about, in the plural, for the counts.
const STREAM_WARNING_KINDS: [&str; 4] = [
    "receives of messages that no event sends",
    "receives stamped as received from outside after their send's clock was let go",
    "clocks dropped by --max-in-flight",
    "receives let go by --max-in-flight",
];

impl StreamWarnings {
    fn new(palette: Palette) -> Self {
        StreamWarnings {
            palette,
            seen: [0; 4],
        }
    }

    fn warn(&self, message: &str) {
        eprintln!("causal: {} {message}", self.palette.warning("warning:"));
    }

    fn report(&mut self, stamper: &Stamper, problems: Vec<StreamProblem>) {
        for problem in problems {
            let at = |o: Origin| format!("{}:{}", stamper.file_name(o.file), o.line);
            let (kind, text) = match problem {
                StreamProblem::NeverSent { origin, id, msg } => (
                    0,
                    format!(
                        "{}: {id} receives {msg:?}, which no event sends; stamped as a local event",
                        at(origin)
                    ),
                ),
                StreamProblem::FromOutside {
                    origin,
                    id,
                    msg,
                    sent,
                } => (
                    1,
                    format!(
                        "{}: {id} receives {msg:?}, sent at {}, after its clock was let go (every node its \"to\" names had received it, or --max-in-flight was reached): stamped as received from outside",
                        at(origin),
                        at(sent)
                    ),
                ),
                StreamProblem::Dropped {
                    origin,
                    msg,
                    awaiting,
                    limit,
                } => {
                    let missing = match awaiting {
                        0 => String::new(),
                        k => format!(" (not yet received by {k} of the nodes its \"to\" names)"),
                    };
                    (
                        2,
                        format!(
                            "{}: the clock of {msg:?}{missing} is dropped, as more than --max-in-flight {limit} sends await receives; its later receives are stamped as received from outside",
                            at(origin)
                        ),
                    )
                }
                StreamProblem::Released {
                    origin,
                    id,
                    msg,
                    limit,
                } => (
                    3,
                    format!(
                        "{}: {id} receives {msg:?}, whose send has not been read, and more than --max-in-flight {limit} events are held back: stamped as received from outside",
                        at(origin)
                    ),
                ),
            };
            self.seen[kind] += 1;
            let seen = self.seen[kind];
            if seen <= WARNING_LIMIT as u64 {
                self.warn(&text);
            } else if seen == WARNING_LIMIT as u64 + 1 {
                self.warn(&format!(
                    "more {} follow; they are counted, not shown",
                    STREAM_WARNING_KINDS[kind]
                ));
            }
        }
    }

    fn finish(&self) {
        for (kind, &seen) in self.seen.iter().enumerate() {
            if seen > WARNING_LIMIT as u64 {
                self.warn(&format!(
                    "{} more {}",
                    seen - WARNING_LIMIT as u64,
                    STREAM_WARNING_KINDS[kind]
                ));
            }
        }
    }
}

/// An output error inside the line loop, kept as I/O so a closed pipe still ends quietly.
fn io_error(error: std::io::Error) -> Error {
    Error::Io {
        path: "<stdout>".into(),
        error,
    }
}

/// `--format parquet`: one file (`-o FILE`, or standard output when it is no terminal), or
/// with `--partition-by` one file per partition under `-o DIR`.
#[cfg(feature = "parquet")]
mod parquet_out {
    use std::collections::HashSet;
    use std::fs::{self, File, OpenOptions};
    use std::io::{BufWriter, IsTerminal, Write};

    use anyhow::{Context as _, Result};

    use super::super::{load, Context, Outcome};
    use crate::cli::StampArgs;
    use causal_core::error::Error;
    use causal_core::render::parquet::{write_parquet, write_partitions, ParquetOptions};

    pub fn run(args: &StampArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
        // Refuse before reading anything: Parquet is binary, of no use on a terminal.
        if args.output.is_none() && std::io::stdout().is_terminal() {
            return Err(Error::Usage(
                "standard output is a terminal: write Parquet to a file with -o FILE (for \
                 example `causal stamp app.jsonl --format parquet -o app.parquet`), or redirect \
                 it"
                .to_string(),
            )
            .into());
        }
        let loaded = load(&args.input, ctx)?;
        let (trace, causality) = (&loaded.trace, &loaded.causality);
        let engine = super::super::engine(&args.clocks, trace, ctx);
        let options = ParquetOptions {
            vc: args.vc.mode,
            ..ParquetOptions::default()
        };
        match (&args.output, args.partition_by) {
            (Some(dir), Some(by)) => {
                fs::create_dir_all(dir)
                    .with_context(|| format!("{}: cannot create the directory", dir.display()))?;
                // A partition's file is created (emptied) with its first bytes, then appended
                // to: no more files are open at once than one.
                let mut started = HashSet::new();
                let mut sink = |part: &str, bytes: &[u8]| -> std::io::Result<()> {
                    let path = dir.join(part).join("part.parquet");
                    let mut file = if started.insert(part.to_string()) {
                        fs::create_dir_all(dir.join(part))?;
                        File::create(&path)?
                    } else {
                        OpenOptions::new().append(true).open(&path)?
                    };
                    file.write_all(bytes)
                };
                write_partitions(trace, causality, engine, options, by, &mut sink)
                    .with_context(|| format!("{}: cannot write the partitions", dir.display()))?;
            }
            (Some(path), None) => {
                let file = File::create(path)
                    .with_context(|| format!("{}: cannot create the output", path.display()))?;
                let mut out = BufWriter::with_capacity(1 << 16, file);
                write_parquet(&mut out, trace, causality, engine, options)
                    .and_then(|()| out.flush())
                    .with_context(|| format!("{}: cannot write the output", path.display()))?;
            }
            (None, _) => write_parquet(ctx.out, trace, causality, engine, options)?,
        }
        Ok(Outcome::Clean)
    }
}

/// Without the `parquet` feature, `--format parquet` is refused with a message saying why.
#[cfg(not(feature = "parquet"))]
mod parquet_out {
    use anyhow::Result;

    use super::super::{Context, Outcome};
    use crate::cli::StampArgs;
    use causal_core::error::Error;

    pub fn run(_args: &StampArgs, _ctx: &mut Context<'_>) -> Result<Outcome> {
        Err(Error::Usage(
            "--format parquet: this causal was built without Parquet support (cargo feature \
             `parquet`)"
                .to_string(),
        )
        .into())
    }
}
