//! Command-line interface: every command, its arguments and their help, as clap derive types.
//!
//! Nothing here runs a command; `cmd/` does.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::parse::Format;
use crate::term::ColorChoice;

const EXIT_STATUS: &str = "\
Exit status:
  0  success (no findings)
  1  findings (commands that report them: conflicts, check)
  2  bad input, bad usage or an I/O error";

/// Work out what happened in a distributed system: happens-before, Lamport and vector clocks.
///
/// causal reads the event logs that many nodes wrote (one file for all, or one per node),
/// matches each receive with its send, and orders the events by happens-before.
#[derive(Debug, Parser)]
#[command(name = "causal", version, after_help = EXIT_STATUS, max_term_width = 100)]
pub struct Cli {
    /// When to color output: auto colors a terminal unless NO_COLOR is set or TERM=dumb.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,

    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Stamp every event with its id, Lamport clock and vector clock.
    #[command(after_help = concat!(
        "Examples:\n",
        "  causal stamp samples/kv-store.jsonl\n",
        "  causal stamp samples/raft/*.jsonl --format table\n",
        "  causal stamp samples/checkout.log --regex \"$(cat samples/checkout.regex)\"\n",
        "  cat app.jsonl | causal stamp | jq -c 'select(.node == \"db\")'\n\n",
        "Exit status:\n  0  success\n  2  bad input, bad usage or an I/O error"
    ))]
    Stamp(StampArgs),

    /// Print shell completions to standard output.
    #[command(after_help = "Example:\n  causal completions bash > /etc/bash_completion.d/causal")]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff) to standard output.
    #[command(after_help = "Example:\n  causal man | man -l -")]
    Man,
}

/// Where events come from and how to read them; shared by every command that reads input.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Input files, one holding all nodes or one per node; `-` or none reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Node name for lines that carry none (default: each file's stem, `logs/db-2.jsonl` -> db-2).
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,

    /// Read plain-text lines with this regex; named groups node, kind, msg, time, label, id,
    /// reads, writes, to mean what the JSON fields mean, other groups are passed through.
    #[arg(long, value_name = "PATTERN")]
    pub regex: Option<String>,

    /// With --regex: skip lines that do not match (counted on stderr) instead of failing.
    #[arg(long, requires = "regex")]
    pub skip_unmatched: bool,

    /// Input format; auto recognises each file's format from its content.
    #[arg(long, value_enum, default_value_t = Format::Auto, value_name = "FORMAT")]
    pub from: Format,

    /// A regex whose matching lines split a log into executions (ShiViz's delimiter; a named
    /// group `trace` labels each).
    #[arg(long, value_name = "PATTERN")]
    pub delimiter: Option<String>,

    /// Keep only this execution of a log that holds several: its label or 1-based index
    /// (default: all, with node names prefixed by the execution's label).
    #[arg(long, value_name = "NAME|INDEX")]
    pub execution: Option<String>,
}

/// `causal stamp`.
#[derive(Debug, Clone, Args)]
pub struct StampArgs {
    /// The input.
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = StampFormat::Jsonl)]
    pub format: StampFormat,
}

/// Output formats of `stamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StampFormat {
    /// One JSON object per event: the input's fields plus id, node, lamport and vc.
    Jsonl,
    /// An aligned table for people, colored on a terminal.
    Table,
}
