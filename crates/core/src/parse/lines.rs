//! Reading events one line at a time, for online stamping (`stamp --order input`): which
//! formats can be read so, and the parse of each line by the same parsers batch reading uses.
//!
//! Only the decision and the per-line parse live here; the caller owns the input and the
//! stamping. Nothing here prints.

use ::regex::Regex;

use super::{detect, jsonl, line_regex, regex, FileContext, Format};
use crate::error::{Error, InputError, Result};
use crate::model::RawEvent;

/// How the lines of one file are read.
#[derive(Clone, Debug)]
pub enum LineFormat {
    /// The native JSON Lines format.
    Jsonl,
    /// Plain-text lines parsed with `--regex`.
    Regex(Regex),
}

/// What `--from` and `--regex` say about every file, before any is read.
#[derive(Clone, Debug)]
pub struct LineFormats {
    given: Option<LineFormat>,
}

impl LineFormats {
    /// The line formats `from` and `pattern` allow; a usage error for a format that is not
    /// read line by line.
    pub fn new(from: Format, pattern: Option<&str>) -> Result<LineFormats> {
        match from {
            Format::Auto | Format::Jsonl | Format::Regex => Ok(LineFormats {
                given: line_regex(pattern, from)?
                    .map(LineFormat::Regex)
                    .or((from == Format::Jsonl).then_some(LineFormat::Jsonl)),
            }),
            from => Err(Error::Usage(format!(
                "--order input reads JSON Lines or --regex logs, not --from {}",
                crate::Named::name(from)
            ))),
        }
    }

    /// The format of file `name`, whose first bytes are `head`: the one given, else what
    /// [`detect`] recognises, which must be JSON Lines.
    pub fn for_file(&self, name: &str, head: &[u8]) -> Result<LineFormat> {
        if let Some(given) = &self.given {
            return Ok(given.clone());
        }
        match detect(head) {
            Some(Format::Jsonl) => Ok(LineFormat::Jsonl),
            Some(other) => Err(Error::Usage(format!(
                "{name} looks like {}; --order input reads JSON Lines or --regex logs",
                crate::Named::name(other)
            ))),
            None => Err(InputError::new(
                name,
                1,
                "expected JSON Lines events (or give --regex PATTERN)",
            )
            .into()),
        }
    }
}

impl LineFormat {
    /// The event on one non-blank line; `None` for a line the regex does not match when
    /// `skip_unmatched`, else such a line is an error.
    pub fn parse_line(
        &self,
        text: &str,
        line: u32,
        file: &FileContext<'_>,
        skip_unmatched: bool,
    ) -> Result<Option<RawEvent>, InputError> {
        match self {
            LineFormat::Jsonl => jsonl::parse_line(text, line, file).map(Some),
            LineFormat::Regex(re) => match regex::parse_line(re, text, line, file)? {
                Some(raw) => Ok(Some(raw)),
                None if skip_unmatched => Ok(None),
                None => Err(regex::unmatched(file, line, re)),
            },
        }
    }
}
