//! Parsers: turn input files into a [`Trace`]. One file per input format.
//!
//! A parser reads numbered lines from [`Input`] and pushes [`RawEvent`]s into a
//! [`TraceBuilder`]; it never computes clocks and never prints. Problems with the input are
//! [`InputError`]s naming the file, the line and what was expected.

pub mod fields;
pub mod jsonl;
pub mod regex;

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
}

impl Format {
    /// The name `--from` takes.
    pub fn name(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Jsonl => "jsonl",
            Format::Regex => "regex",
        }
    }
}

/// Recognises a format from the first bytes of a (decompressed) input; `None` when no
/// format fits. Empty input is native JSON Lines (no events).
pub fn detect(head: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(head);
    let first = text.lines().find(|l| !l.trim().is_empty());
    match first {
        None => Some(Format::Jsonl),
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

/// Reads every file (`-` is standard input; no file at all means standard input) into one trace.
pub fn parse_files(paths: &[PathBuf], options: &ParseOptions) -> Result<Parsed> {
    let stdin = [PathBuf::from("-")];
    let paths = if paths.is_empty() { &stdin[..] } else { paths };
    let line_regex = match (&options.regex, options.from) {
        (Some(pattern), Format::Auto | Format::Regex) => Some(
            regex::compile(pattern).map_err(|e| Error::Usage(format!("invalid --regex: {e}")))?,
        ),
        (None, Format::Regex) => {
            return Err(Error::Usage(
                "--from regex needs --regex PATTERN".to_string(),
            ))
        }
        _ => None,
    };
    let mut builder = TraceBuilder::new();
    let mut skipped = Vec::new();
    let mut recognised = Vec::new();
    for path in paths {
        let mut input = Input::open(path)?;
        let index = builder.add_file(input.name.clone());
        let name = input.name.clone();
        let stem = input.stem.clone();
        let ctx = FileContext {
            name: &name,
            index,
            default_node: options.node.as_deref().or(stem.as_deref()),
        };
        let format = match options.from {
            Format::Auto if line_regex.is_some() => Format::Regex,
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
        let skips = match format {
            Format::Regex => {
                let re = line_regex.as_ref().expect("--from regex has a regex");
                regex::parse(&mut input, &ctx, re, options.skip_unmatched, &mut builder)?
            }
            Format::Jsonl | Format::Auto => {
                jsonl::parse(&mut input, &ctx, &mut builder)?;
                0
            }
        };
        if skips > 0 {
            skipped.push((name, skips));
        }
    }
    let trace = builder
        .finish_execution(options.execution.as_deref())
        .map_err(Error::Usage)?;
    Ok(Parsed {
        trace,
        skipped,
        recognised,
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
