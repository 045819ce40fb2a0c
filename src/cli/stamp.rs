//! Arguments of the commands that write traces: `stamp` (every event with its clocks) and
//! `gen` (a seeded synthetic trace or operation history).
//!
//! Declarations only, as in the rest of `cli`: nothing here runs a command.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{choice, EngineArgs, InputArgs, VcArgs};
use causal_core::analysis::lin::ModelKind;
use causal_core::render::PartitionBy;
/// `causal stamp`.
#[derive(Debug, Clone, Args)]
pub struct StampArgs {
    /// The input.
    #[command(flatten)]
    pub input: InputArgs,

    /// The vector-clock engine.
    #[command(flatten)]
    pub clocks: EngineArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = StampFormat::Jsonl)]
    pub format: StampFormat,

    /// Vector clocks (jsonl and parquet).
    #[command(flatten)]
    pub vc: VcArgs,

    /// Write to FILE instead of standard output (with --partition-by: into the directory
    /// DIR). Parquet is never written to a terminal.
    #[arg(short, long, value_name = "FILE|DIR")]
    pub output: Option<PathBuf>,

    /// With --format parquet: one file per trace, execution or node, Hive-style
    /// `DIR/node=NAME/part.parquet` under the directory -o names (docs/parquet.md).
    #[arg(long, value_parser = choice::<PartitionBy>(), value_name = "KEY", requires = "output")]
    pub partition_by: Option<PartitionBy>,

    /// Add a hybrid logical clock, `"hlc":{"l":TIME,"c":N}`, computed from `time` (jsonl only).
    #[arg(long)]
    pub hlc: bool,

    /// Output order: lamport (Lamport's total order, after reading all input) or input
    /// (each event as soon as its clock is known, for live logs: `tail -f app.log | causal
    /// stamp --order input`; JSON Lines and --regex input, jsonl output).
    #[arg(long, value_enum, default_value_t = StampOrder::Lamport)]
    pub order: StampOrder,

    /// With --order input: keep at most N sends' clocks for receives to come and N events
    /// held back for their sends; past that the oldest goes, with a warning, and its receive
    /// is stamped as received from outside [default: 1000000].
    #[arg(long, value_name = "N")]
    pub max_in_flight: Option<usize>,
}

/// Output orders of `stamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StampOrder {
    /// Lamport's total order: by Lamport clock, then node name, then position.
    Lamport,
    /// Input order, a receive (and its node's later events) held back until its send is read.
    Input,
}

/// Output formats of `stamp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StampFormat {
    /// One JSON object per event: the input's fields plus id, node, lamport and vc.
    Jsonl,
    /// An aligned table for people, colored on a terminal.
    Table,
    /// A log ShiViz opens as is (its upload layout: the parser regex first).
    Shiviz,
    /// Chrome Trace Event JSON for Perfetto and chrome://tracing: a process per node, flow
    /// arrows for messages.
    Chrome,
    /// Apache Parquet, one row per event, for DuckDB, Spark, DataFusion or Trino
    /// (docs/parquet.md); needs -o FILE or a redirect.
    Parquet,
}

/// `causal gen`.
#[derive(Debug, Clone, Args)]
pub struct GenArgs {
    /// Number of nodes.
    #[arg(long, value_name = "K", default_value_t = 8)]
    pub nodes: u32,

    /// Number of events.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub events: u64,

    /// Seed: the same seed and options give the same trace.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    /// Number of distinct keys read and written (0: none).
    #[arg(long, value_name = "M", default_value_t = 100)]
    pub keys: u32,

    /// Probability that a node's own event sends a message (receives come on top).
    #[arg(long, value_name = "R", default_value_t = 0.3)]
    pub msg_ratio: f64,

    /// Probability that a message copy is lost on its way.
    #[arg(long, value_name = "P", default_value_t = 0.01)]
    pub loss: f64,

    /// Largest clock offset of a node from true time, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 0.002)]
    pub max_offset: f64,

    /// Write one file per node, DIR/<node>.jsonl, instead of standard output.
    #[arg(long, value_name = "DIR")]
    pub split: Option<PathBuf>,

    /// Write each node's true clock offset (ns) to FILE as JSON.
    #[arg(long, value_name = "FILE")]
    pub offsets: Option<PathBuf>,

    /// Write every copy of a message that was lost to FILE, one JSON object a line:
    /// {"msg":"m17","from":"n3","to":"n5"} (`check` reports exactly these as unmatched-send).
    #[arg(long, value_name = "FILE")]
    pub lost: Option<PathBuf>,

    /// Write an operation history for `causal lin` instead of a trace: clients of a
    /// simulated atomic register (or key-value store, --keys keys), linearizable unless
    /// --stale-read.
    #[arg(long, value_parser = choice::<ModelKind>(), value_name = "MODEL", conflicts_with_all = ["split", "offsets", "lost"])]
    pub history: Option<ModelKind>,

    /// With --history: the number of operations.
    #[arg(long, value_name = "N", default_value_t = 1000, requires = "history")]
    pub ops: u64,

    /// With --history: client processes running at once.
    #[arg(long, value_name = "P", default_value_t = 5, requires = "history")]
    pub processes: u32,

    /// With --history: register values are drawn from 0..V.
    #[arg(long, value_name = "V", default_value_t = 5, requires = "history")]
    pub values: u32,

    /// With --history: probability that an operation times out (:info; it may or may not
    /// take effect, and its process is replaced).
    #[arg(long, value_name = "P", default_value_t = 0.01, requires = "history")]
    pub info: f64,

    /// With --history: plant one stale read halfway (a fresh write, another, then a read of
    /// the first), so the history is not linearizable.
    #[arg(long, requires = "history")]
    pub stale_read: bool,

    /// With --history: plant one lost update halfway (two overlapping compare-and-sets from
    /// one value that both succeed; for kv two appends of which a later get sees one; for a
    /// register two reads that disagree on the order of two writes), so the history is not
    /// linearizable.
    #[arg(long, requires = "history", conflicts_with = "stale_read")]
    pub lost_update: bool,

    /// With --history: edn (one map a line) or jsonl.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = HistoryOut::Edn, requires = "history")]
    pub history_format: HistoryOut,
}

/// Formats of `gen --history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryOut {
    /// Jepsen EDN, one operation map a line.
    Edn,
    /// JSON Lines with process, type, f, key, value, time.
    Jsonl,
}
