//! Arguments of the commands that report findings and exit 1 on them: `conflicts`, `check`
//! and `lin` (with its `--timeout` duration parser).
//!
//! Declarations only, as in the rest of `cli`: nothing here runs a command.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{choice, EngineArgs, InputArgs};
use causal_core::analysis::lin::ModelKind;
use causal_core::parse::Format;
/// `causal conflicts`.
#[derive(Debug, Clone, Args)]
pub struct ConflictsArgs {
    /// The input.
    #[command(flatten)]
    pub input: InputArgs,

    /// The vector-clock engine.
    #[command(flatten)]
    pub clocks: EngineArgs,

    /// Witness pairs shown per key (the counts are always exact); 0 shows them all.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,

    /// Only these keys (comma-separated).
    #[arg(long, value_name = "KEY,...", value_delimiter = ',')]
    pub keys: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ConflictsFormat::Text)]
    pub format: ConflictsFormat,
}

/// Output formats of `conflicts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConflictsFormat {
    /// Grouped by key, most conflicts first, colored on a terminal.
    Text,
    /// `{"version":1,"total","keys":[{"key","write_write","read_write","total","pairs"}]}`.
    Json,
}

/// `causal check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The input.
    #[command(flatten)]
    pub input: InputArgs,

    /// Report skew bounds only between this node and each other node (for many nodes).
    #[arg(long, value_name = "NODE", conflicts_with_all = ["no_skew", "all_pairs"])]
    pub skew_against: Option<String>,

    /// Report skew bounds for every pair of nodes. Without it, text shows a summary (each node
    /// against the node in most messages: tightest, loosest, nodes without bounds), and JSON
    /// every pair up to 1,000 nodes with timed messages, the summary above.
    #[arg(long, conflicts_with = "no_skew")]
    pub all_pairs: bool,

    /// Report no skew bounds (contradictions are still found).
    #[arg(long)]
    pub no_skew: bool,

    /// The channels promise FIFO order: a message received after one sent later on the same
    /// channel is a finding (`reordered`), not information.
    #[arg(long)]
    pub fifo: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// One finding a line (`file:line: kind: explanation`), then the bounds.
    Text,
    /// `{"version":1,"findings":[...],"skew":[{"a","b","lo","hi",...}]}`.
    Json,
}

/// How a history is checked: shared by `lin` and by `view` when it opens a history.
#[derive(Debug, Clone, Args)]
pub struct LinCheckArgs {
    /// The model [default: kv for get, put or append; cas-register for cas; else register].
    #[arg(long, value_parser = choice::<ModelKind>(), value_name = "MODEL")]
    pub model: Option<ModelKind>,

    /// Initial value of the register, or of every key, in EDN: 0, nil, "x"
    /// [default: nil; "" for kv].
    #[arg(long, value_name = "VALUE")]
    pub initial: Option<String>,

    /// Stop after this long (10s, 500ms, 2m, 1h; a bare number is seconds) and answer
    /// unknown (`lin` exits with status 3).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,

    /// Keys searched at once [default: the number of CPUs].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

/// `causal lin`.
#[derive(Debug, Clone, Args)]
pub struct LinArgs {
    /// History files, merged by :time when several; `-` or none reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The model, starting state, time and threads of the check.
    #[command(flatten)]
    pub check: LinCheckArgs,

    /// History format: auto (recognise each file's from its content), edn, jepsen-log or
    /// history (JSON Lines).
    #[arg(long, value_parser = choice::<Format>(), default_value = "auto", value_name = "FORMAT")]
    pub from: Format,

    /// Output format.
    #[arg(long, value_enum, default_value_t = LinFormat::Text)]
    pub format: LinFormat,
}

/// Output formats of `lin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LinFormat {
    /// Each violation explained, with a lane diagram, then a summary line.
    Text,
    /// `{"version":1,"verdict","model","violations":[...]}` (docs/reports.md).
    Json,
}

/// A duration: a number with `ms`, `s`, `m` or `h`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "s"),
    };
    let scale = match unit {
        "ms" => 0.001,
        "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => {
            return Err(format!(
                "expected a duration such as 10s, 500ms, 2m or 1h, found {text:?}"
            ))
        }
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("expected a duration such as 10s, 500ms, 2m or 1h, found {text:?}"))?;
    let secs = n * scale;
    if !secs.is_finite() || secs > 1e9 {
        return Err(format!(
            "expected a duration of at most 10^9 seconds, found {text:?}"
        ));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}
