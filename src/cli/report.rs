//! Arguments of the commands that report on a whole execution: `stats`, `critical-path`,
//! `diff` and `view`.
//!
//! Declarations only, as in the rest of `cli`: nothing here runs a command.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{choice, EngineArgs, InputArgs, LinCheckArgs, WhyFormat};
use causal_core::analysis::critical::PathMode;
/// `causal stats`.
#[derive(Debug, Clone, Args)]
pub struct StatsArgs {
    /// The input.
    #[command(flatten)]
    pub input: InputArgs,

    /// The vector-clock engine (for the conflicts of the busiest keys).
    #[command(flatten)]
    pub clocks: EngineArgs,

    /// Correct latencies by one clock-offset estimate per node.
    #[arg(long)]
    pub skew_corrected: bool,

    /// How many of the busiest keys to list, with their conflicts counted.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub keys: usize,

    /// Rows per table in the text (the JSON lists all); 0 shows them all.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,

    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Text)]
    pub format: StatsFormat,
}

/// Output formats of `stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    /// Aligned tables with small histograms, colored on a terminal.
    Text,
    /// One JSON object (docs/reports.md).
    Json,
}

/// `causal critical-path`.
#[derive(Debug, Clone, Args)]
pub struct CriticalPathArgs {
    /// The input.
    #[command(flatten)]
    pub input: InputArgs,

    /// The event the path ends at: its id, or NODE#N (default: the last event by time).
    #[arg(long, value_name = "ID")]
    pub to: Option<String>,

    /// Which path.
    #[arg(long, value_parser = choice::<PathMode>(), default_value = "auto", value_name = "MODE")]
    pub mode: PathMode,

    /// Spans: only the traces with these ids.
    #[arg(long, value_delimiter = ',', value_name = "TRACE_ID,...")]
    pub traces: Option<Vec<String>>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = WhyFormat::Text)]
    pub format: WhyFormat,
}

/// `causal diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// Execution A (its files, before `--`), and how to read both.
    #[command(flatten)]
    pub input: InputArgs,

    /// Execution B's files, after `--`.
    #[arg(last = true, value_name = "B_FILE")]
    pub b_files: Vec<PathBuf>,

    /// With --execution X: compare execution X of the input with this one.
    #[arg(long, value_name = "NAME|INDEX", requires = "execution")]
    pub against: Option<String>,

    /// Match events by this field's value (an operation id) instead of their label.
    #[arg(long, value_name = "FIELD")]
    pub match_field: Option<String>,

    /// Witnesses listed per kind of difference (the counts are always exact); 0 lists all.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,

    /// The vector-clock engine.
    #[command(flatten)]
    pub clocks: EngineArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Counts, then the witnesses of each kind of difference, colored on a terminal.
    Text,
    /// One JSON object (docs/reports.md).
    Json,
    /// Execution B in Graphviz DOT with the differences colored.
    Dot,
}

/// `causal view`.
#[derive(Debug, Clone, Args)]
pub struct ViewArgs {
    /// The input.
    #[command(flatten)]
    pub input: InputArgs,

    /// The vector-clock engine (for the conflicts the page shows).
    #[command(flatten)]
    pub clocks: EngineArgs,

    /// Write the page to FILE (default: standard output, unless it is a terminal).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Leave out the findings of `conflicts` and `check` (faster on huge inputs).
    #[arg(long)]
    pub no_analyses: bool,

    /// The page's title (default: "causal view: " and the input files' names).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// A history (EDN, Jepsen log, JSON Lines history) is checked for linearizability and
    /// shown as operations on process lanes: these say how.
    #[command(flatten, next_help_heading = "Histories")]
    pub lin: LinCheckArgs,
}
