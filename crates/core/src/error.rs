//! Error types of the library: what went wrong, and where in which input.
//!
//! Messages follow the GNU form `FILE:LINE:COLUMN: message` (lowercase, no trailing period);
//! the binary prefixes `causal: `. Nothing here prints.

use std::fmt;
use std::io;

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that does not say what it must: names the file, the line and what was expected.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A file that could not be read.
    #[error("{path}: {}", lowercase_first(&.error.to_string()))]
    Io {
        /// The file as the user named it.
        path: String,
        /// What the operating system said.
        error: io::Error,
    },
    /// Receives that wait for sends that come after them: no causal order exists.
    #[error("{0}")]
    Cycle(String),
    /// A bad argument that clap could not catch (a regex, an unknown event id, ...).
    #[error("{0}")]
    Usage(String),
}

/// A problem with one place of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// The file as the user named it (`<stdin>` for standard input).
    pub file: String,
    /// 1-based line, 0 when the problem concerns the whole file.
    pub line: u32,
    /// 1-based column (in characters), when known.
    pub column: Option<u32>,
    /// What was expected and what was found.
    pub message: String,
}

impl InputError {
    /// An error at `file:line`.
    pub fn new(file: &str, line: u32, message: impl Into<String>) -> Self {
        InputError {
            file: file.to_string(),
            line,
            column: None,
            message: message.into(),
        }
    }

    /// The same error at a given column.
    pub fn at_column(mut self, column: Option<u32>) -> Self {
        self.column = column;
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for InputError {}

/// `No such file` -> `no such file`, for GNU-style messages.
fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The sentence for a message sent a second time; `first` says where the first send is
/// (`by a#1 at f.jsonl:1`, or `at f.jsonl:1` when online stamping no longer knows its event).
/// Batch ordering and online stamping both say it so.
pub fn sent_again(msg: &str, first: &str) -> String {
    format!("expected each message to be sent once, but {msg:?} is sent again (first {first})")
}

/// One receive on a happens-before cycle, as [`cycle`] names it: where it is, its id, the
/// message it waits for, and the send of that message (its id and where it is).
pub struct CycleStep {
    /// Where the receive is: `file:line`.
    pub recv_at: String,
    /// The receive's id.
    pub recv_id: String,
    /// The message it receives.
    pub msg: String,
    /// The send's id.
    pub send_id: String,
    /// Where the send is: `file:line`.
    pub send_at: String,
}

/// The error for a happens-before cycle, naming each receive on it with the send it waits
/// for (which comes after the next receive on its node). Batch ordering and online stamping
/// both report their cycles so.
pub fn cycle(steps: &[CycleStep]) -> Error {
    let mut text = String::from(
        "no causal order exists: each receive below comes, in program order, before the send \
         of the message the previous one waits for (a happens-before cycle)",
    );
    for step in steps {
        text.push_str(&format!(
            "\n  {}: {} receives {:?}, sent by {} at {}",
            step.recv_at, step.recv_id, step.msg, step.send_id, step.send_at
        ));
    }
    Error::Cycle(text)
}

/// The sentence for an event id used a second time, `first` where it was used first.
pub fn id_used_again(id: &str, first: &str) -> String {
    format!("id {id:?} already used at {first}")
}
