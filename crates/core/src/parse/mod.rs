//! Parsers: turn input files into a [`Trace`]. One file per input format.
//!
//! A parser reads numbered lines from [`Input`] and pushes [`RawEvent`]s into a
//! [`TraceBuilder`]; it never computes clocks and never prints. Problems with the input are
//! [`InputError`]s naming the file, the line and what was expected.

pub mod fields;
pub mod govector;
pub mod jaeger;
pub mod jsonl;
pub mod lines;
pub mod otlp;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod regex;
pub mod shiviz;
pub mod spans;
// `std` would shadow the standard library inside this module.
#[path = "std.rs"]
pub mod std_trace;
pub mod tracing;
pub mod vclog;
pub mod zipkin;

use std::path::{Path, PathBuf};

use crate::error::{Error, InputError, Result};
use crate::history::HistoryFormat;
use crate::input::Input;
use crate::model::{EventIdx, EventKind, RawEvent, Trace, TraceBuilder};

/// `--from`: the input formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
    /// Stamped JSON Lines (`causal stamp`'s output): ids and clocks taken as given.
    Stamped,
    /// A Jepsen EDN history: operation maps, alone or in a vector or list.
    Edn,
    /// A Jepsen log of operations (`INFO  jepsen.util - 3\t:ok\t:read\t2`).
    JepsenLog,
    /// A JSON Lines history: `{"process", "type", "f", "value", ...}` per line.
    History,
    /// Apache Parquet, as `stamp --format parquet` writes it (docs/parquet.md).
    Parquet,
}

impl crate::Named for Format {
    const ALL: &'static [Format] = &[
        Format::Auto,
        Format::Jsonl,
        Format::Regex,
        Format::Shiviz,
        Format::Govector,
        Format::Tracing,
        Format::Otlp,
        Format::Jaeger,
        Format::Zipkin,
        Format::Std,
        Format::Stamped,
        Format::Edn,
        Format::JepsenLog,
        Format::History,
        Format::Parquet,
    ];

    fn about(self) -> &'static str {
        match self {
            Format::Auto => "Recognise each file's format from its content",
            Format::Jsonl => "The native JSON Lines format",
            Format::Regex => "Plain-text lines parsed with --regex",
            Format::Shiviz => {
                "A ShiViz log: a regex with groups host, clock, event over the whole log"
            }
            Format::Govector => {
                "GoVector's default output: `HOST {clock}` lines, each followed by the event"
            }
            Format::Tracing => {
                "DistributedClocks/tracing JSON Lines (TracerIdentity, Tag, VectorClock, ...)"
            }
            Format::Otlp => "OpenTelemetry OTLP JSON (a document, or the collector's JSON Lines)",
            Format::Jaeger => "Jaeger JSON (API envelope, bare trace, or flat array of spans)",
            Format::Zipkin => "Zipkin v2 JSON (a list of spans, or a list of lists)",
            Format::Std => "RAPID STD shared-memory traces (`thread|op(arg)|loc`)",
            Format::Stamped => {
                "Stamped JSON Lines (causal's own output): ids and clocks used as given"
            }
            Format::Edn => "A Jepsen EDN history: operation maps, alone or in a vector or list",
            Format::JepsenLog => "A Jepsen log of operations (INFO  jepsen.util - 3 :ok :read 2)",
            Format::History => "A JSON Lines history: process, type, f, value (key, time) per line",
            Format::Parquet => {
                "Apache Parquet as stamp --format parquet writes it (clocks used as given)"
            }
        }
    }

    fn name(self) -> &'static str {
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
            Format::Stamped => "stamped",
            Format::Edn => "edn",
            Format::JepsenLog => "jepsen-log",
            Format::History => "history",
            Format::Parquet => "parquet",
        }
    }
}

impl Format {
    /// The history format this names, for the history formats.
    pub fn history(self) -> Option<HistoryFormat> {
        match self {
            Format::Edn => Some(HistoryFormat::Edn),
            Format::JepsenLog => Some(HistoryFormat::JepsenLog),
            Format::History => Some(HistoryFormat::Json),
            _ => None,
        }
    }
}

/// Recognises a format from the first bytes of a (decompressed) input; `None` when no
/// format fits. Empty input is native JSON Lines (no events).
pub fn detect(head: &[u8]) -> Option<Format> {
    // Parquet's magic bytes; no text format starts with them.
    if head.starts_with(b"PAR1") {
        return Some(Format::Parquet);
    }
    // OTLP, Jaeger and Zipkin JSON: by the keys of the first object, which a pretty-printed
    // document puts on later lines.
    if let Some(format) = spans::detect(head) {
        return Some(format);
    }
    // Operation histories (EDN, Jepsen logs, JSON Lines with process/type/f).
    match crate::history::detect(head) {
        Some(HistoryFormat::Edn) => return Some(Format::Edn),
        Some(HistoryFormat::JepsenLog) => return Some(Format::JepsenLog),
        Some(HistoryFormat::Json) => return Some(Format::History),
        None => {}
    }
    let text = String::from_utf8_lossy(head);
    let first = text.lines().find(|l| !l.trim().is_empty());
    match first {
        None => Some(Format::Jsonl),
        // ShiViz's upload layout: the parser regex on the first line.
        Some(line) if shiviz::is_shiviz_regex(line) => Some(Format::Shiviz),
        Some(line) if govector::is_clock_line(line) => Some(Format::Govector),
        Some(line) if jsonl::is_stamped(line) => Some(Format::Stamped),
        Some(line) if tracing::is_record(line) => Some(Format::Tracing),
        Some(line) if std_trace::is_std_line(line) => Some(Format::Std),
        // JSON that no other format claims is read as JSON Lines, whose errors say what
        // a line must hold. A line that merely starts with `[` and is no JSON is text (a
        // `[2026-11-20 09:14:00] web ...` log): the caller's hint to name the format fits it.
        Some(line) if line.trim_start().starts_with('{') => Some(Format::Jsonl),
        Some(line)
            if line.trim_start().starts_with('[')
                && serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok() =>
        {
            Some(Format::Jsonl)
        }
        Some(_) => None,
    }
}

/// How to read the inputs.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// The input format, or `Auto` to recognise each file's.
    pub from: Format,
    /// The node name for lines of standard input that carry none (a file's stem names its
    /// own lines).
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
    parse_inputs(
        paths
            .iter()
            .map(|path| Input::open_counted(path, options.progress.clone())),
        options,
    )
}

/// Reads inputs into one trace, as [`parse_files`] reads files: each input is taken from
/// `inputs` when its turn comes (so files are opened one at a time), and an `Err` stops the
/// run. Inputs need not be files: `parse_inputs([Ok(Input::from_bytes("a.jsonl", bytes))],
/// options)` parses bytes held in memory.
#[expect(
    clippy::too_many_lines,
    reason = "the per-file dispatch over every format; each arm is one call"
)]
pub fn parse_inputs(
    inputs: impl IntoIterator<Item = Result<Input>>,
    options: &ParseOptions,
) -> Result<Parsed> {
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
    // The first file, and whether it was stamped input.
    let mut mixing: Option<(String, bool)> = None;
    let mut warnings = Vec::new();
    for input in inputs {
        let mut input = input?;
        // Neighbouring files (`.regex`, `.delimiter`) are looked up next to a file only; `-`
        // has none.
        let path = &input
            .path()
            .map_or_else(|| PathBuf::from("-"), Path::to_path_buf);
        let index = builder.add_file(input.name.clone());
        let name = input.name.clone();
        let stem = input.stem.clone();
        let ctx = FileContext {
            name: &name,
            index,
            // --node names standard input only: a file names its lines by its stem.
            default_node: stem.as_deref().or(options.node.as_deref()),
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
        if matches!(
            format,
            Format::Jsonl | Format::Regex | Format::Std | Format::Stamped
        ) {
            // One event a line, near enough (a tenth more for lines shorter than the first).
            if let Some(lines) = input.estimated_lines() {
                builder.reserve_events((lines + lines / 10) as usize);
            }
        }
        // Parquet files hold stamped rows unless written with `--vc none`.
        let mut stamped_parquet = false;
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
                let preamble =
                    govector::parse(&mut input, &ctx, path, options, &mut builder, &mut clocks)?;
                if preamble > 0 {
                    warnings.push(format!(
                        "{name}: skipped {preamble} line{} before the first GoVector clock line",
                        if preamble == 1 { "" } else { "s" }
                    ));
                }
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
            Format::Edn | Format::JepsenLog | Format::History => {
                let history = format.history().expect("a history format");
                let skips =
                    crate::history::trace::push_file(&mut input, &ctx, history, &mut builder)?;
                if skips > 0 {
                    warnings.push(format!(
                        "{name}: skipped {skips} {} no operation",
                        if skips == 1 {
                            "line that holds"
                        } else {
                            "lines that hold"
                        }
                    ));
                }
                0
            }
            Format::Jsonl | Format::Auto => {
                jsonl::parse(&mut input, &ctx, jsonl::Mode::Native, &mut builder)?;
                0
            }
            Format::Stamped => {
                jsonl::parse(&mut input, &ctx, jsonl::Mode::Stamped, &mut builder)?;
                0
            }
            Format::Parquet => {
                stamped_parquet = parse_parquet(&mut input, &ctx, &mut builder)?;
                0
            }
        };
        // Stamped input's clocks count only the events of stamped input: mixed with events
        // whose clocks are computed, neither would be right.
        let stamped = format == Format::Stamped || stamped_parquet;
        match &mixing {
            Some((first, was_stamped)) if *was_stamped != stamped => {
                let (s, u) = if stamped {
                    (&name, first)
                } else {
                    (first, &name)
                };
                return Err(Error::Usage(format!(
                    "cannot read stamped input ({s}) together with unstamped input ({u}): \
                     stamped clocks are used as given and would not count the other's events"
                )));
            }
            Some(_) => {}
            None => mixing = Some((name.clone(), stamped)),
        }
        if skips > 0 {
            skipped.push((name, skips));
        }
        builder.check_limits()?;
    }
    clocks.finish(&mut builder, options.execution.as_deref());
    warnings.extend(spans.finish(
        &mut builder,
        options.links_as_causal,
        options.key_attr.as_deref(),
    )?);
    builder.check_limits()?;
    let trace = builder
        .finish_execution(options.execution.as_deref())
        .map_err(Error::Usage)?;
    check_ids(&trace)?;
    Ok(Parsed {
        trace,
        skipped,
        recognised,
        warnings,
    })
}

/// The format `--from auto` reads the file at `path` as, when neither `--regex` nor a format
/// is given: as [`parse_files`] decides it (a ShiViz log by the `.regex` beside it, else by
/// its first lines), reading only its head. `None` for standard input (`-`, which cannot be
/// read twice) and for content no format recognises.
pub fn recognise(path: &Path) -> Result<Option<Format>> {
    if path.as_os_str() == "-" {
        return Ok(None);
    }
    if shiviz::sibling_regex(path).is_some() {
        return Ok(Some(Format::Shiviz));
    }
    let mut input = Input::open(path)?;
    Ok(detect(input.peek()?))
}

/// Streams STD inputs (`--from std`) to `sink` one event at a time, in line order, without
/// building a trace: what [`parse_inputs`] would read from them, for analyses that hold only
/// per-thread and per-variable state (see [`std_trace::StdReader`]).
pub fn stream_std(
    inputs: impl IntoIterator<Item = Result<Input>>,
    sink: &mut dyn std_trace::StdSink,
) -> Result<()> {
    let mut reader = std_trace::StdReader::new();
    for (index, input) in inputs.into_iter().enumerate() {
        let mut input = input?;
        let name = input.name.clone();
        let ctx = FileContext {
            name: &name,
            // Files are named on a command line: far fewer than u32::MAX.
            index: index as u32,
            default_node: None,
        };
        reader.read(&mut input, &ctx, sink)?;
    }
    Ok(())
}

/// Reads a Parquet file; whether its clocks are given (stamped).
#[cfg(feature = "parquet")]
fn parse_parquet(
    input: &mut Input,
    ctx: &FileContext<'_>,
    builder: &mut TraceBuilder,
) -> Result<bool> {
    parquet::parse(input, ctx, builder)
}

/// Without the `parquet` feature, Parquet input is refused with a message saying why.
#[cfg(not(feature = "parquet"))]
fn parse_parquet(
    _input: &mut Input,
    ctx: &FileContext<'_>,
    _builder: &mut TraceBuilder,
) -> Result<bool> {
    Err(ctx
        .error(
            0,
            "expected a format this causal reads: it was built without Parquet support \
             (cargo feature `parquet`)",
        )
        .into())
}

/// Checks what every format requires of an event: a node name and an id that are not empty,
/// and a message id on sends and receives.
pub fn check_event(raw: &RawEvent) -> Result<(), String> {
    if raw.node.is_empty() {
        return Err("expected a node name, found \"\"".to_string());
    }
    if raw.id.as_deref() == Some("") {
        return Err("expected an event id, found \"\"".to_string());
    }
    match raw.kind {
        Some(kind @ (EventKind::Send | EventKind::Recv)) if raw.msg.is_none() => Err(format!(
            "expected \"msg\" (string) on a {}: a message id to match sends with receives",
            kind.as_str()
        )),
        _ => Ok(()),
    }
}

/// Every event id names one event: the input's ids are unique, and none equals the `NODE#N`
/// of an event that has no id of its own (stamped input has ids on every event, and no
/// `NODE#N` aliases). The error is at the later of the two, naming the earlier.
pub fn check_ids(trace: &Trace) -> Result<(), InputError> {
    // foldhash: one lookup per event (see model::builder).
    let mut seen: foldhash::HashMap<&str, EventIdx> =
        foldhash::HashMapExt::with_capacity(trace.len());
    // (later, earlier): the collision whose later event comes first in the input.
    let mut found: Option<(EventIdx, EventIdx)> = None;
    let mut note = |later: EventIdx, earlier: EventIdx| {
        let key = |e: EventIdx| {
            let s = trace.event(e).source;
            (s.file, s.line, e)
        };
        let (later, earlier) = if key(later) < key(earlier) {
            (earlier, later)
        } else {
            (later, earlier)
        };
        if found.is_none_or(|(f, _)| key(later) < key(f)) {
            found = Some((later, earlier));
        }
    };
    for (i, ev) in trace.events.iter().enumerate() {
        let Some(id) = ev.user_id() else { continue };
        let e = EventIdx(i as u32);
        if let Some(&first) = seen.get(id) {
            note(e, first);
        } else {
            seen.insert(id, e);
        }
    }
    if trace.given.is_none() {
        for (&id, &e) in &seen {
            let Some((node, n)) = id.rsplit_once('#') else {
                continue;
            };
            let (Some(node), Ok(n)) = (trace.node_by_name(node), n.parse::<usize>()) else {
                continue;
            };
            if let Some(&other) = n
                .checked_sub(1)
                .and_then(|k| trace.by_node[node.index()].get(k))
            {
                if other != e && trace.event(other).user_id().is_none() {
                    note(e, other);
                }
            }
        }
    }
    match found {
        None => Ok(()),
        Some((later, earlier)) => {
            let here = trace.location(later);
            let id = trace.event_id(later).to_string();
            let id = if trace.event(later).user_id().is_some() {
                id
            } else {
                trace.event_id(earlier).to_string()
            };
            Err(InputError::new(
                here.file,
                here.line,
                crate::error::id_used_again(&id, &trace.location(earlier).to_string()),
            ))
        }
    }
}
