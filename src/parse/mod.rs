//! Parsers: turn input files into a [`Trace`]. One file per input format.
//!
//! A parser reads numbered lines from [`Input`] and pushes [`RawEvent`]s into a
//! [`TraceBuilder`]; it never computes clocks and never prints. Problems with the input are
//! [`InputError`]s naming the file, the line and what was expected.

pub mod fields;
pub mod jsonl;
pub mod regex;

use std::path::PathBuf;

use crate::error::{InputError, Result};
use crate::input::Input;
use crate::model::{EventKind, RawEvent, Trace, TraceBuilder};

/// How to read the inputs.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// The node name for lines that carry none (else the file stem names it).
    pub node: Option<String>,
    /// Parse plain-text lines with this regex instead of JSON Lines.
    pub regex: Option<::regex::Regex>,
    /// Skip lines the regex does not match (counted) instead of failing.
    pub skip_unmatched: bool,
}

/// A parsed trace and what was passed over on the way.
#[derive(Debug)]
pub struct Parsed {
    /// The trace.
    pub trace: Trace,
    /// Lines skipped under `--skip-unmatched`, per file (only files with skips).
    pub skipped: Vec<(String, u64)>,
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
    let mut builder = TraceBuilder::new();
    let mut skipped = Vec::new();
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
        let skips = match &options.regex {
            Some(re) => regex::parse(&mut input, &ctx, re, options.skip_unmatched, &mut builder)?,
            None => {
                jsonl::parse(&mut input, &ctx, &mut builder)?;
                0
            }
        };
        if skips > 0 {
            skipped.push((name, skips));
        }
    }
    Ok(Parsed {
        trace: builder.finish(),
        skipped,
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
