//! Parsers: turn input files into a [`Trace`]. One file per input format.
//!
//! A parser reads numbered lines from [`Input`] and pushes [`RawEvent`]s into a
//! [`TraceBuilder`]; it never computes clocks and never prints. Problems with the input are
//! [`InputError`]s naming the file, the line and what was expected.

pub mod fields;
pub mod govector;
pub mod jaeger;
pub mod jsonl;
pub mod otlp;
pub mod regex;
pub mod shiviz;
pub mod spans;
// `std` would shadow the standard library inside this module.
#[path = "std.rs"]
pub mod std_trace;
pub mod tracing;
pub mod vclog;
pub mod zipkin;

use std::path::PathBuf;

use crate::error::{Error, InputError, Result};
use crate::input::Input;
use crate::model::{EventKind, RawEvent, Trace, TraceBuilder};

/// `--from`: the input formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Recognise each file's format from its content.
    #[default]
    Auto,
    /// The native JSON Lines format.
    Jsonl,
    /// Plain-text lines parsed with --regex.
    Regex,
    /// A ShiViz log: a regex with groups host, clock, event over the whole log.
    Shiviz,
    /// GoVector's default output: `HOST {clock}` lines, each followed by the event.
    Govector,
    /// DistributedClocks/tracing JSON Lines (TracerIdentity, Tag, VectorClock, ...).
    Tracing,
    /// OpenTelemetry OTLP JSON (a document, or the collector's JSON Lines).
    Otlp,
    /// Jaeger JSON (API envelope, bare trace, or flat array of spans).
    Jaeger,
    /// Zipkin v2 JSON (a list of spans, or a list of lists).
    Zipkin,
    /// RAPID STD shared-memory traces (`thread|op(arg)|loc`).
    Std,
}

impl Format {
    /// The name `--from` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Jsonl => "jsonl",
            Format::Regex => "regex",
            Format::Shiviz => "shiviz",
            Format::Govector => "govector",
            Format::Tracing => "tracing",
            Format::Otlp => "otlp",
            Format::Jaeger => "jaeger",
            Format::Zipkin => "zipkin",
            Format::Std => "std",
        }
    }
}

/// Recognises a format from the first bytes of a (decompressed) input; `None` when no
/// format fits. Empty input is native JSON Lines (no events).
pub fn detect(head: &[u8]) -> Option<Format> {
    // OTLP, Jaeger and Zipkin JSON: by the keys of the first object, which a pretty-printed
    // document puts on later lines.
    if let Some(format) = spans::detect(head) {
        return Some(format);
    }
    let text = String::from_utf8_lossy(head);
    let first = text.lines().find(|l| !l.trim().is_empty());
    match first {
        None => Some(Format::Jsonl),
        // ShiViz's upload layout: the parser regex on the first line.
        Some(line) if shiviz::is_shiviz_regex(line) => Some(Format::Shiviz),
        Some(line) if govector::is_clock_line(line) => Some(Format::Govector),
        Some(line) if tracing::is_record(line) => Some(Format::Tracing),
        Some(line) if std_trace::is_std_line(line) => Some(Format::Std),
        // JSON that no other format claims is read as JSON Lines, whose errors say what
        // a line must hold.
        Some(line) if line.trim_start().starts_with(['{', '[']) => Some(Format::Jsonl),
        Some(_) => None,
    }
}

/// How to read the inputs.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// The input format, or `Auto` to recognise each file's.
    pub from: Format,
    /// The node name for lines that carry none (else the file stem names it).
    pub node: Option<String>,
    /// Parse plain-text lines with this regex instead of JSON Lines (the ShiViz dialect is
    /// accepted, see [`regex::compile`]).
    pub regex: Option<String>,
    /// Skip lines the regex does not match (counted) instead of failing.
    pub skip_unmatched: bool,
    /// A regex whose matches split a log into executions (ShiViz's delimiter).
    pub delimiter: Option<String>,
    /// Keep only this execution (its label or 1-based index).
    pub execution: Option<String>,
    /// Bytes read so far, across files, for a progress bar.
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
    /// Trace formats: span links order events (else they are only recorded).
    pub links_as_causal: bool,
    /// Trace formats: the span attribute whose value is a data key read or written.
    pub key_attr: Option<String>,
    /// Keep no pass-through fields (see [`TraceBuilder::drop_fields`]): for commands that
    /// never print them.
    pub drop_fields: bool,
}

/// A parsed trace and what was passed over on the way.
#[derive(Debug)]
pub struct Parsed {
    /// The trace.
    pub trace: Trace,
    /// Lines skipped under `--skip-unmatched`, per file (only files with skips).
    pub skipped: Vec<(String, u64)>,
    /// Files whose format was recognised as something other than the native one.
    pub recognised: Vec<(String, Format)>,
    /// Problems passed over that the user should hear about once (spans whose parent is
    /// missing, duplicate spans).
    pub warnings: Vec<String>,
}

/// What one file parser needs to know about the file it reads.
pub struct FileContext<'a> {
    /// The file as the user named it.
    pub name: &'a str,
    /// Its index in the trace's file table.
    pub index: u32,
    /// The node for lines that name none: `--node`, else the file stem.
    pub default_node: Option<&'a str>,
}

impl FileContext<'_> {
    /// An error at `line` of this file.
    pub fn error(&self, line: u32, message: impl Into<String>) -> InputError {
        InputError::new(self.name, line, message)
    }
}

/// The compiled `--regex` when the input is read as plain-text lines (`--from auto` or
/// `regex`); `--from regex` without a pattern is a usage error.
pub fn line_regex(pattern: Option<&str>, from: Format) -> Result<Option<::regex::Regex>> {
    match (pattern, from) {
        (Some(pattern), Format::Auto | Format::Regex) => regex::compile(pattern)
            .map(Some)
            .map_err(|e| Error::Usage(format!("invalid --regex: {e}"))),
        (None, Format::Regex) => Err(Error::Usage(
            "--from regex needs --regex PATTERN".to_string(),
        )),
        _ => Ok(None),
    }
}

/// Reads every file (`-` is standard input; no file at all means standard input) into one trace.
pub fn parse_files(paths: &[PathBuf], options: &ParseOptions) -> Result<Parsed> {
    let stdin = [PathBuf::from("-")];
    let paths = if paths.is_empty() { &stdin[..] } else { paths };
    let line_regex = line_regex(options.regex.as_deref(), options.from)?;
    let mut builder = TraceBuilder::new();
    if options.drop_fields {
        builder.drop_fields();
    }
    // Vector-clock logs: messages are inferred across all files once every file is read.
    let mut clocks = vclog::VectorClockLog::new();
    // Trace spans: parents are matched across all files once every file is read.
    let mut spans = spans::SpanCollector::new();
    let mut skipped = Vec::new();
    let mut recognised = Vec::new();
    for path in paths {
        let mut input = Input::open_counted(path, options.progress.clone())?;
        let index = builder.add_file(input.name.clone());
        let name = input.name.clone();
        let stem = input.stem.clone();
        let ctx = FileContext {
            name: &name,
            index,
            default_node: options.node.as_deref().or(stem.as_deref()),
        };
        let format = match options.from {
            Format::Auto
                if options
                    .regex
                    .as_deref()
                    .is_some_and(shiviz::is_shiviz_regex) =>
            {
                recognised.push((name.clone(), Format::Shiviz));
                Format::Shiviz
            }
            Format::Auto if line_regex.is_some() => Format::Regex,
            Format::Auto if shiviz::sibling_regex(path).is_some() => {
                recognised.push((name.clone(), Format::Shiviz));
                Format::Shiviz
            }
            Format::Auto => {
                let format = detect(input.peek()?).ok_or_else(|| {
                    ctx.error(
                        1,
                        "expected a format causal reads (JSON Lines events, ...): \
                         name it with --from FORMAT, or give --regex PATTERN for plain text",
                    )
                })?;
                if format != Format::Jsonl {
                    recognised.push((name.clone(), format));
                }
                format
            }
            format => format,
        };
        if matches!(format, Format::Jsonl | Format::Regex | Format::Std) {
            // One event a line, near enough (a tenth more for lines shorter than the first).
            if let Some(lines) = input.estimated_lines() {
                builder.reserve_events((lines + lines / 10) as usize);
            }
        }
        let skips = match format {
            Format::Regex => {
                let re = line_regex.as_ref().expect("--from regex has a regex");
                regex::parse(&mut input, &ctx, re, options.skip_unmatched, &mut builder)?
            }
            Format::Shiviz => {
                shiviz::parse(&mut input, &ctx, path, options, &mut builder, &mut clocks)?;
                0
            }
            Format::Govector => {
                govector::parse(&mut input, &ctx, path, options, &mut builder, &mut clocks)?;
                0
            }
            Format::Tracing => {
                tracing::parse(&mut input, &ctx, &mut builder, &mut clocks)?;
                0
            }
            Format::Otlp => {
                otlp::parse(&mut input, &ctx, &mut spans)?;
                0
            }
            Format::Jaeger => {
                jaeger::parse(&mut input, &ctx, &mut spans)?;
                0
            }
            Format::Zipkin => {
                zipkin::parse(&mut input, &ctx, &mut spans)?;
                0
            }
            Format::Std => {
                std_trace::parse(&mut input, &ctx, &mut builder)?;
                0
            }
            Format::Jsonl | Format::Auto => {
                jsonl::parse(&mut input, &ctx, &mut builder)?;
                0
            }
        };
        if skips > 0 {
            skipped.push((name, skips));
        }
        builder.check_limits()?;
    }
    clocks.finish(&mut builder, options.execution.as_deref());
    let warnings = spans.finish(
        &mut builder,
        options.links_as_causal,
        options.key_attr.as_deref(),
    )?;
    builder.check_limits()?;
    let trace = builder
        .finish_execution(options.execution.as_deref())
        .map_err(Error::Usage)?;
    Ok(Parsed {
        trace,
        skipped,
        recognised,
        warnings,
    })
}

/// Checks what every format requires of an event: sends and receives carry a message id.
pub fn check_event(raw: &RawEvent) -> Result<(), String> {
    match raw.kind {
        Some(kind @ (EventKind::Send | EventKind::Recv)) if raw.msg.is_none() => Err(format!(
            "expected \"msg\" (string) on a {}: a message id to match sends with receives",
            kind.as_str()
        )),
        _ => Ok(()),
    }
}
