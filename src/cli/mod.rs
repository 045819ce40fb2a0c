//! Command-line interface: every command, its arguments and their help, as clap derive types.
//!
//! This file holds `Cli`, the `Command` list with each command's help, and the arguments many
//! commands share (`InputArgs`, `EngineArgs`); each group of commands keeps its own arguments
//! in a submodule, re-exported here. Nothing here runs a command; `cmd/` does.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

use crate::term::ColorChoice;
use causal_core::clock::Engine;
use causal_core::parse::Format;
use causal_core::render::jsonl::VcMode;
use causal_core::Named;

mod findings;
mod query;
mod report;
mod stamp;

pub use findings::{
    CheckArgs, CheckFormat, ConflictsArgs, ConflictsFormat, LinArgs, LinCheckArgs, LinFormat,
};
pub use query::{CutArgs, GraphArgs, GraphFormat, HbArgs, HbFormat, SliceArgs, WhyArgs, WhyFormat};
pub use report::{CriticalPathArgs, DiffArgs, DiffFormat, StatsArgs, StatsFormat, ViewArgs};
pub use stamp::{GenArgs, HistoryOut, StampArgs, StampFormat, StampOrder};

const EXIT_STATUS: &str = "\
Exit status:
  0  success (no findings)
  1  findings (commands that report them: conflicts, check, lin)
  2  bad input, bad usage or an I/O error
  3  lin only: the --timeout stopped the search before a verdict (unknown)";

/// A value parser offering every choice of a library enum by name, with its description as
/// help: the library keeps the list (see [`Named`]), so it is never copied here.
fn choice<T: Named>() -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(
        T::ALL
            .iter()
            .map(|c| PossibleValue::new(c.name()).help(c.about())),
    )
    .map(|name| T::from_name(&name).expect("clap accepts only the names offered"))
}

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
        "  tail -f app.jsonl | causal stamp --order input\n",
        "  cat app.jsonl | causal stamp | jq -c 'select(.node == \"db\")'\n",
        "  causal stamp samples/kv-store.jsonl --format parquet -o kv.parquet\n",
        "  causal stamp big.jsonl --format parquet --partition-by node -o big/\n\n",
        "Exit status:\n  0  success\n  2  bad input, bad usage (parquet to a terminal) or an I/O error"
    ))]
    Stamp(StampArgs),

    /// Draw the happens-before graph: Graphviz DOT, Mermaid, a terminal diagram, or JSON.
    #[command(after_help = concat!(
        "Examples:\n",
        "  causal graph samples/raft/*.jsonl | dot -Tsvg > raft.svg\n",
        "  causal graph samples/kv-store.jsonl --format text --nodes kv-1,alice\n",
        "  causal graph samples/kv-store.jsonl --format mermaid --collapse-local\n",
        "  causal graph samples/kv-store.jsonl --around alice-put-1 --depth 3 --clock vector\n",
        "  causal past n1-leader-t1 samples/raft/*.jsonl | causal graph --format text\n\n",
        "Exit status:\n  0  success\n  2  bad input, bad usage (an unknown node or event id) or an I/O error"
    ))]
    Graph(GraphArgs),

    /// Tell whether event A happened before, after or concurrently with event B, with a
    /// shortest causal chain between them.
    #[command(after_help = concat!(
        "Relations: before (A happened before B), after, concurrent, same.\n\n",
        "Examples:\n",
        "  causal hb alice-put-1 bob-put-1 samples/kv-store.jsonl\n",
        "  causal hb n1#3 n3#4 samples/raft/*.jsonl --format json | jq -r .relation\n\n",
        "Exit status:\n  0  success, whatever the relation\n  2  bad input, an unknown event id, bad usage or an I/O error"
    ))]
    Hb(HbArgs),

    /// Print the causal past of an event as stamped JSON Lines; with the event, a consistent cut.
    #[command(after_help = concat!(
        "The output has the shape of `causal stamp`, in Lamport order, and includes the event\n",
        "itself unless --strict. The past of an event together with the event is a consistent\n",
        "cut: it holds the send of every receive it holds.\n\n",
        "Examples:\n",
        "  causal past alice-put-1 samples/kv-store.jsonl\n",
        "  causal past n1-leader-t1 samples/raft/*.jsonl | causal graph --format text\n\n",
        "Exit status:\n  0  success\n  2  bad input, an unknown event id, bad usage or an I/O error"
    ))]
    Past(CutArgs),

    /// Print the causal future of an event as stamped JSON Lines.
    #[command(after_help = concat!(
        "The output has the shape of `causal stamp`, in Lamport order, and includes the event\n",
        "itself unless --strict: every event the event could have influenced.\n\n",
        "Examples:\n",
        "  causal future kv-1#2 samples/kv-store.jsonl | jq -r .id\n",
        "  causal future n1-leader-t1 samples/raft/*.jsonl | causal graph --format mermaid\n\n",
        "Exit status:\n  0  success\n  2  bad input, an unknown event id, bad usage or an I/O error"
    ))]
    Future(CutArgs),

    /// Tell what an event knew, node by node: the latest event of each other node it had
    /// heard of, and through whom; and what it had not heard of yet.
    #[command(after_help = concat!(
        "For each other node: the latest of its events in the event's causal past (read off\n",
        "the vector clock), a shortest causal chain from it to the event, and the node's first\n",
        "event the event did not know about (concurrent with it, or after it).\n\n",
        "Examples:\n",
        "  causal why kv-3#6 samples/kv-store.jsonl\n",
        "  causal why n1-leader-t1 samples/raft/*.jsonl --format json | jq '.nodes[] | {node, last_known}'\n\n",
        "Exit status:\n  0  success\n  2  bad input, an unknown event id, bad usage or an I/O error"
    ))]
    Why(WhyArgs),

    /// Keep part of an execution, causally intact: the events the selectors name, as stamped
    /// JSON Lines with the clocks of the whole.
    #[command(after_help = concat!(
        "Selectors combine with AND and keep exactly the events they name (no causal closure is\n",
        "added). The output has the shape of `causal stamp`, in Lamport order, with the ids and\n",
        "clocks of the whole execution; a message with one end left out is marked \"outside\" at\n",
        "the end kept, so `slice | graph`, `slice | conflicts` and `slice | check` agree with the\n",
        "whole execution.\n\n",
        "Examples:\n",
        "  causal slice samples/kv-store.jsonl --nodes alice,kv-1 --key cart:42\n",
        "  causal slice samples/raft/*.jsonl --between n1,n2 | causal graph --format text\n",
        "  causal slice app.jsonl --time 2026-11-20T09:14:00Z..2026-11-20T09:15:00Z --label 'timeout|retry'\n",
        "  causal slice app.jsonl --field req=r-201 --past bob-put-1\n\n",
        "Exit status:\n  0  success\n  2  bad input, an unknown event id or node, bad usage or an I/O error"
    ))]
    Slice(Box<SliceArgs>),

    /// Summarise an execution: per node, per channel (message latencies), the longest causal
    /// chain, the busiest keys and who talks to whom.
    #[command(after_help = concat!(
        "Latency is receive time minus send time, read off two different clocks: skew makes it\n",
        "approximate. --skew-corrected moves each node's times by one clock-offset estimate\n",
        "against a reference node (the midpoint of its skew interval, as `causal view` does).\n",
        "Parallelism is events / longest causal chain. Conflicts count as in `causal conflicts`.\n\n",
        "Examples:\n",
        "  causal stats samples/kv-store.jsonl\n",
        "  causal stats samples/raft/*.jsonl --skew-corrected\n",
        "  causal stats app.jsonl --format json | jq '.channels[] | {from, to, p99: .latency.p99}'\n\n",
        "Exit status:\n  0  success\n  2  bad input, bad usage or an I/O error"
    ))]
    Stats(StatsArgs),

    /// Find the critical path: the chain of events and messages along which the wall-clock
    /// time was spent, or, for traces, the spans that held up each trace.
    #[command(name = "critical-path", after_help = concat!(
        "Events: from the event --to names (default: the last by time), step back each time to\n",
        "the immediate predecessor (previous event on the node, or a message's send) that\n",
        "finished last. Times are moved onto one clock by each node's estimated offset (as in\n",
        "`stats --skew-corrected`); each message shows the interval its true delay lies in by\n",
        "the skew bounds. Spans (OTLP, Jaeger, Zipkin): per trace, Jaeger's critical path, the\n",
        "time in spans not overlapped by the child spans they waited for.\n\n",
        "Examples:\n",
        "  causal critical-path samples/slow-path.jsonl\n",
        "  causal critical-path samples/kv-store.jsonl --to alice#11\n",
        "  causal critical-path trace.json --mode spans --format json | jq '.traces[].spans[0]'\n\n",
        "Exit status:\n  0  success\n  2  bad input, an unknown event id, bad usage or an I/O error"
    ))]
    CriticalPath(CriticalPathArgs),

    /// Compare two executions: events and messages only one has, and matched events that knew
    /// different things.
    #[command(after_help = concat!(
        "Give options and A's files, then `--`, then B's files; or one log of several executions\n",
        "with --execution X --against Y. Nodes match by name; events by node, normalised label\n",
        "(numbers, hex strings and UUIDs become #) and occurrence, or by --match-field. A matched\n",
        "event knew otherwise when its causal past holds different matched events.\n\n",
        "Examples:\n",
        "  causal diff samples/slow-path.jsonl -- samples/slow-path-2.jsonl\n",
        "  causal diff run.log --delimiter '^=== (?P<trace>.*)' --execution ok --against failed\n",
        "  causal diff --format dot a.jsonl -- b.jsonl | dot -Tsvg > diff.svg\n\n",
        "Exit status:\n  0  no difference\n  1  the executions differ\n",
        "  2  bad input, bad usage or an I/O error"
    ))]
    Diff(DiffArgs),

    /// Report concurrent accesses to the same key from different nodes (races, lost updates).
    #[command(after_help = concat!(
        "A conflict is a pair of events on different nodes that access the same key (reads,\n",
        "writes), at least one writing, neither happening before the other. An event that both\n",
        "reads and writes a key counts as a write of it.\n\n",
        "Examples:\n",
        "  causal conflicts samples/kv-store.jsonl\n",
        "  causal conflicts samples/kv-store.jsonl --keys cart:42 --limit 1\n",
        "  causal conflicts app.jsonl --format json | jq '.keys[] | {key, total}'\n\n",
        "Exit status:\n  0  no conflicts\n  1  conflicts found\n  2  bad input, bad usage or an I/O error"
    ))]
    Conflicts(ConflictsArgs),

    /// Check messages and wall clocks: lost messages, clock violations, skew bounds.
    #[command(after_help = concat!(
        "Findings: unmatched-send (a copy never received), unexpected-recv (by a node the send's\n",
        "`to` does not name), unmatched-recv, clock-violation (a receive timed before its send),\n",
        "skew-contradiction (no constant clock offsets explain the message times), clock-mismatch,\n",
        "duplicate-recv (a node receives one message twice), clock-regression (a node's time goes\n",
        "back), reordered (overtaken on a channel: information unless --fifo).\n",
        "Skew bounds: for each pair of nodes, the interval that must hold the offset of b's clock\n",
        "minus a's, from all messages with times (directly or through other nodes). Text shows\n",
        "each node against the node in most messages (tightest, loosest, unbounded); JSON every\n",
        "pair up to 1,000 nodes with timed messages, that summary above; --all-pairs every pair.\n\n",
        "Examples:\n",
        "  causal check samples/kv-store.jsonl\n",
        "  causal check logs/*.jsonl --skew-against kv-1\n",
        "  causal check app.jsonl --format json | jq '.skew[] | select(.a == \"kv-1\")'\n\n",
        "Exit status:\n  0  no findings (bounds alone are not findings)\n  1  findings\n",
        "  2  bad input, bad usage or an I/O error"
    ))]
    Check(CheckArgs),

    /// Check that a history of operations is linearizable (Jepsen EDN, Jepsen logs, JSON Lines).
    #[command(after_help = concat!(
        "A history records, per client process, each operation's invocation and completion\n",
        "(:ok, :fail: it did not happen, :info: unknown, it may take effect at any later time or\n",
        "never). It is linearizable when one order of its operations, consistent with real time,\n",
        "explains every result. Keyed histories are checked key by key.\n\n",
        "Models: register (read, write), cas-register (read, write, cas [old new]), kv (get,\n",
        "put, append on string values). Default: kv when an operation is a get, put or append,\n",
        "else cas-register when one is a cas, else register.\n\n",
        "Examples:\n",
        "  causal lin history.edn\n",
        "  causal lin jepsen.log --model cas-register --timeout 30s\n",
        "  causal lin ops.jsonl --model kv --format json | jq '.violations[].candidates'\n",
        "  causal gen --history cas-register --ops 1000 --seed 1 | causal lin\n\n",
        "Exit status:\n  0  linearizable\n  1  not linearizable (each violation explained)\n",
        "  2  bad input, bad usage or an I/O error\n",
        "  3  unknown: the --timeout stopped the search first"
    ))]
    Lin(LinArgs),

    /// Write an interactive view of the execution: one self-contained HTML page to open in a
    /// browser (no network, works offline).
    #[command(after_help = concat!(
        "The page draws one lane per node, events in program order and messages as arrows;\n",
        "click an event for its causal past and future, shift-click a second for their relation.\n",
        "It carries the findings of `conflicts` and `check` unless --no-analyses. Press ? in the\n",
        "page for its keyboard shortcuts.\n\n",
        "A history (Jepsen EDN, Jepsen log, JSON Lines history: recognised in named files, or\n",
        "named with --from) is checked as `causal lin` checks it and drawn as operations on\n",
        "process lanes: the failing window highlighted, the linearization found drawn in order.\n\n",
        "Examples:\n",
        "  causal view samples/kv-store.jsonl -o kv-store.html\n",
        "  causal view history.edn -o history.html\n",
        "  causal view samples/raft/*.jsonl > raft.html\n",
        "  causal past n1-leader-t1 samples/raft/*.jsonl | causal view -o past.html\n\n",
        "Exit status:\n  0  success\n  2  bad input, bad usage (no -o with standard output a terminal) or an I/O error"
    ))]
    View(ViewArgs),

    /// Generate a seeded synthetic trace (native JSON Lines), or an operation history
    /// (--history), for tests and benchmarks.
    #[command(after_help = concat!(
        "Nodes are named n0, n1, ...; keys k0, k1, ... with k0 the hottest (Zipf). Each node's\n",
        "clock has a fixed offset; --offsets writes them, the ground truth for skew bounds.\n\n",
        "Examples:\n",
        "  causal gen --nodes 4 --events 20 --seed 7\n",
        "  causal gen --nodes 16 --events 1000000 --seed 1 > big.jsonl\n",
        "  causal gen --nodes 100 --events 100000 --split logs/ --offsets truth.json\n",
        "  causal gen --history cas-register --ops 10000 --processes 10 --stale-read > h.edn\n\n",
        "Exit status:\n  0  success\n  2  bad usage or an I/O error"
    ))]
    Gen(GenArgs),

    /// Print shell completions to standard output.
    #[command(
        after_help = "Example:\n  causal completions bash > /etc/bash_completion.d/causal\n\nExit status:\n  0  success\n  2  bad usage or an I/O error"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print a man page (roff) to standard output: causal's, or one command's.
    #[command(
        after_help = "Examples:\n  causal man | man -l -\n  causal man stamp > causal-stamp.1\n\nExit status:\n  0  success\n  2  an unknown command or an I/O error"
    )]
    Man {
        /// The command whose page to print (causal-COMMAND(1)); none prints causal(1).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
}

/// Where events come from and how to read them; shared by every command that reads input.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Input files, one holding all nodes or one per node; `-` or none reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Node name for lines of standard input that carry none; lines of files that carry none
    /// take their file's stem (`logs/db-2.jsonl` -> db-2) whatever --node says.
    #[arg(long, value_name = "NAME")]
    pub node: Option<String>,

    /// Read plain-text lines with this regex; named groups node, kind, msg, time, label, id,
    /// reads, writes, to mean what the JSON fields mean, other groups are passed through.
    /// A ShiViz regex (groups host, clock, event) is matched over the whole log instead.
    #[arg(long, value_name = "PATTERN")]
    pub regex: Option<String>,

    /// With --regex: skip lines that do not match (counted on stderr) instead of failing.
    #[arg(long, requires = "regex")]
    pub skip_unmatched: bool,

    /// Input format; auto recognises each file's format from its content.
    #[arg(long, value_parser = choice::<Format>(), default_value = "auto", value_name = "FORMAT")]
    pub from: Format,

    /// A regex whose matching lines split a log into executions (ShiViz's delimiter; a named
    /// group `trace` labels each).
    #[arg(long, value_name = "PATTERN")]
    pub delimiter: Option<String>,

    /// Keep only this execution of a log that holds several: its label or 1-based index
    /// (default: all, with node names prefixed by the execution's label).
    #[arg(long, value_name = "NAME|INDEX")]
    pub execution: Option<String>,

    /// Traces: let span links order events (a linked span's start happens before the
    /// linking span's start); by default links are only recorded.
    #[arg(long)]
    pub links_as_causal: bool,

    /// Traces: a span attribute (db.statement, db.name, ...) whose value is a data key the
    /// span reads or writes, for `conflicts`.
    #[arg(long, value_name = "NAME")]
    pub key_attr: Option<String>,
}

/// How vector clocks are computed; shared by the commands that compute them.
#[derive(Debug, Clone, Args)]
pub struct EngineArgs {
    /// Vector-clock engine: flat rows, tree clocks (a join costs what changed: faster only
    /// with hundreds of nodes that each hear news of few), or auto (with 256 to 2,048 nodes,
    /// tree clocks until they cost more than flat rows would). The output is the same.
    /// `stamp --order input` always uses flat rows.
    #[arg(long, value_parser = choice::<Engine>(), default_value = "auto", value_name = "ENGINE")]
    pub engine: Engine,
}

/// How stamped JSON Lines carry vector clocks: `stamp`, `past`, `future` and `slice`.
#[derive(Args, Debug, Clone)]
pub struct VcArgs {
    /// Vector clocks on each line: full (`"vc"`, the whole clock), delta (`"vc_delta"`: only
    /// the members changed since the node's previous line, far smaller with many nodes; every
    /// command reads it back exactly) or none (Lamport clocks only).
    #[arg(long = "vc", value_parser = choice::<VcMode>(), default_value = "full", value_name = "WHAT")]
    pub mode: VcMode,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
