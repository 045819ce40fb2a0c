//! Arguments of the commands that query the happens-before order: `graph`, `hb`, `past` and
//! `future`, `why` and `slice`.
//!
//! Declarations only, as in the rest of `cli`: nothing here runs a command.

use clap::{Args, ValueEnum};

use super::{choice, EngineArgs, InputArgs, VcArgs};
use causal_core::graph::ClockLabel;
/// `causal graph`.
#[derive(Debug, Clone, Args)]
pub struct GraphArgs {
    /// The input.
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,

    /// Clock shown beside each event [default: lamport for text, none for dot and mermaid;
    /// json always has both].
    #[arg(long, value_parser = choice::<ClockLabel>(), value_name = "CLOCK")]
    pub clock: Option<ClockLabel>,

    /// Keep only these nodes, drawn in this order (comma-separated, or repeat the option).
    #[arg(long, value_delimiter = ',', value_name = "NODE,...")]
    pub nodes: Option<Vec<String>>,

    #[command(flatten)]
    pub around: AroundArgs,

    /// Fold each run of two or more consecutive local events on a node into one box that
    /// says how many.
    #[arg(long)]
    pub collapse_local: bool,
}

/// `--around ID --depth K`, shared by `graph` and `slice`.
#[derive(Args, Clone, Debug)]
pub struct AroundArgs {
    /// Keep only the events within --depth happens-before steps of this event (its id or
    /// NODE#N), before or after it.
    #[arg(long, value_name = "ID")]
    pub around: Option<String>,

    /// With --around: how many direct steps (program order or message) to follow each way.
    #[arg(long, default_value_t = 2, requires = "around", value_name = "K")]
    pub depth: u32,
}

/// Output formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT, one cluster (lane) per node: `| dot -Tsvg > graph.svg`.
    Dot,
    /// A Mermaid sequenceDiagram, for Markdown.
    Mermaid,
    /// A space-time diagram for the terminal, one column per node.
    Text,
    /// One JSON document: nodes, events and edges.
    Json,
}

/// `causal hb`.
#[derive(Debug, Clone, Args)]
pub struct HbArgs {
    /// The first event: its id, or NODE#N (the Nth event of NODE).
    #[arg(value_name = "A")]
    pub a: String,

    /// The second event.
    #[arg(value_name = "B")]
    pub b: String,

    /// The input.
    #[command(flatten)]
    pub input: InputArgs,

    /// The vector-clock engine.
    #[command(flatten)]
    pub clocks: EngineArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = HbFormat::Text)]
    pub format: HbFormat,
}

/// Output formats of `hb`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HbFormat {
    /// The relation, then the chain one event a line.
    Text,
    /// `{"version":1,"a","b","relation","path":[ids],"messages":[ids]}`.
    Json,
}

/// `causal past` and `causal future`.
#[derive(Debug, Clone, Args)]
pub struct CutArgs {
    /// The event: its id, or NODE#N.
    #[arg(value_name = "ID")]
    pub id: String,

    /// The input.
    #[command(flatten)]
    pub input: InputArgs,

    /// The vector-clock engine.
    #[command(flatten)]
    pub clocks: EngineArgs,

    /// Vector clocks on each line.
    #[command(flatten)]
    pub vc: VcArgs,

    /// Leave the event itself out: only the events strictly before (or after) it.
    #[arg(long)]
    pub strict: bool,
}

/// `causal why`.
#[derive(Debug, Clone, Args)]
pub struct WhyArgs {
    /// The event: its id, or NODE#N.
    #[arg(value_name = "ID")]
    pub id: String,

    /// The input.
    #[command(flatten)]
    pub input: InputArgs,

    /// The vector-clock engine.
    #[command(flatten)]
    pub clocks: EngineArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = WhyFormat::Text)]
    pub format: WhyFormat,
}

/// Output formats of `why`, `stats` and `critical-path`: text for people or one JSON object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WhyFormat {
    /// One line per node, for people.
    Text,
    /// One JSON object (docs/reports.md).
    Json,
}

/// `causal slice`.
#[derive(Debug, Clone, Args)]
pub struct SliceArgs {
    /// The input.
    #[command(flatten)]
    pub input: InputArgs,

    /// The vector-clock engine.
    #[command(flatten)]
    pub clocks: EngineArgs,

    /// Vector clocks on each line.
    #[command(flatten)]
    pub vc: VcArgs,

    /// Events of these nodes.
    #[arg(long, value_delimiter = ',', value_name = "NODE,...")]
    pub nodes: Option<Vec<String>>,

    /// The sends and receives of the messages between two nodes, either way.
    #[arg(long, value_name = "A,B")]
    pub between: Option<String>,

    /// Events whose label matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub label: Option<String>,

    /// Events whose field KEY holds VALUE (a string, or a number or boolean as written);
    /// repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub field: Vec<String>,

    /// Events that read or write this data key.
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,

    /// Events whose time lies in FROM..TO (RFC 3339 or seconds; either end may be left out).
    #[arg(long, value_name = "FROM..TO")]
    pub time: Option<String>,

    /// Events whose Lamport clock lies in FROM..TO (either end may be left out).
    #[arg(long, value_name = "FROM..TO")]
    pub lamport: Option<String>,

    /// These events (ids or NODE#N).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub ids: Option<Vec<String>>,

    #[command(flatten)]
    pub around: AroundArgs,

    /// The event and everything that happened before it.
    #[arg(long, value_name = "ID")]
    pub past: Option<String>,

    /// The event and everything that happened after it.
    #[arg(long, value_name = "ID")]
    pub future: Option<String>,
}
