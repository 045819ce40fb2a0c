//! The linearizability report: for people, each violation explained (the longest
//! linearizable prefix, the operations that cannot go next and why, and a lane diagram of the
//! concurrent window), then one summary line; for machines, one JSON object
//! (docs/reports.md).

use std::io::{self, Write};

use serde::Serialize;

use crate::analysis::lin::explain::{Impossible, Outcome, Violation};
use crate::analysis::lin::{LinReport, ModelKind, Verdict};
use crate::history::{At, History, Operation, Status, Value};
use crate::render::fmt::{display_width, one_line, truncate};
use crate::render::palette::Palette;
use crate::Named;

/// Version of the JSON report shape; bumped on incompatible changes.
pub const VERSION: u32 = 1;

/// Prefix operations shown in text; JSON has them all.
const PREFIX_SHOWN: usize = 8;

/// Lanes drawn in the window diagram at most.
const LANES_SHOWN: usize = 24;

/// Writes the report as one JSON object and a newline.
pub fn write_json(w: &mut dyn Write, history: &History, report: &LinReport) -> io::Result<()> {
    let json = JsonReport {
        version: VERSION,
        verdict: report.verdict,
        model: report.model,
        operations: report.operations,
        partitions: report.partitions,
        dropped: report.dropped,
        undecided: &report.undecided,
        violations: report
            .violations
            .iter()
            .map(|v| JsonViolation::new(history, v))
            .collect(),
    };
    serde_json::to_writer(&mut *w, &json)?;
    w.write_all(b"\n")
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    verdict: Verdict,
    model: ModelKind,
    operations: usize,
    partitions: usize,
    dropped: crate::analysis::lin::Dropped,
    undecided: &'a [Option<Value>],
    violations: Vec<JsonViolation<'a>>,
}

#[derive(Serialize)]
struct JsonViolation<'a> {
    key: &'a Option<Value>,
    operations: usize,
    prefix: Vec<JsonPlaced<'a>>,
    state: &'a Value,
    blocking: JsonOp<'a>,
    candidates: Vec<JsonCandidate<'a>>,
    earlier_unknown: usize,
    window: JsonWindow<'a>,
    impossible: Option<JsonImpossible<'a>>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
// Built once per violation: the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
enum JsonImpossible<'a> {
    NeverWritten {
        op: JsonOp<'a>,
        value: &'a Value,
    },
    Overwritten {
        op: JsonOp<'a>,
        value: &'a Value,
        writer: Option<JsonOp<'a>>,
        killer: JsonOp<'a>,
    },
}

#[derive(Serialize)]
struct JsonPlaced<'a> {
    op: JsonOp<'a>,
    state: &'a Value,
}

#[derive(Serialize)]
struct JsonCandidate<'a> {
    op: JsonOp<'a>,
    #[serde(flatten)]
    outcome: &'a Outcome,
}

#[derive(Serialize)]
struct JsonWindow<'a> {
    from: Option<JsonAt<'a>>,
    to: Option<JsonAt<'a>>,
    ops: Vec<JsonOp<'a>>,
}

#[derive(Serialize)]
struct JsonAt<'a> {
    file: &'a str,
    line: u32,
}

#[derive(Serialize)]
struct JsonOp<'a> {
    index: u32,
    process: &'a str,
    f: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a Value>,
    invoked: &'a Value,
    completed: Option<&'a Value>,
    status: Status,
    invoke: JsonAt<'a>,
    complete: Option<JsonAt<'a>>,
}

fn json_at(history: &History, at: At) -> JsonAt<'_> {
    JsonAt {
        file: &history.files[at.file as usize],
        line: at.line,
    }
}

fn json_op(history: &History, index: u32) -> JsonOp<'_> {
    let op = &history.ops[index as usize];
    JsonOp {
        index,
        process: &history.processes[op.process as usize],
        f: &op.f,
        key: op.key.as_ref(),
        invoked: &op.invoked,
        completed: op.completed.as_ref(),
        status: op.status,
        invoke: json_at(history, op.call_at),
        complete: op.ret_at.map(|at| json_at(history, at)),
    }
}

impl<'a> JsonViolation<'a> {
    fn new(history: &'a History, v: &'a Violation) -> Self {
        let (from, to) = window_ends(history, v);
        JsonViolation {
            key: &v.key,
            operations: v.operations,
            prefix: v
                .prefix
                .iter()
                .map(|p| JsonPlaced {
                    op: json_op(history, p.op),
                    state: &p.state,
                })
                .collect(),
            state: &v.state,
            blocking: json_op(history, v.blocking),
            candidates: v
                .candidates
                .iter()
                .map(|c| JsonCandidate {
                    op: json_op(history, c.op),
                    outcome: &c.outcome,
                })
                .collect(),
            window: JsonWindow {
                from: from.map(|at| json_at(history, at)),
                to: to.map(|at| json_at(history, at)),
                ops: v.window.ops.iter().map(|&i| json_op(history, i)).collect(),
            },
            earlier_unknown: v.earlier_unknown,
            impossible: v.impossible.as_ref().map(|imp| match imp {
                Impossible::NeverWritten { op, value } => JsonImpossible::NeverWritten {
                    op: json_op(history, *op),
                    value,
                },
                Impossible::Overwritten {
                    op,
                    value,
                    writer,
                    killer,
                } => JsonImpossible::Overwritten {
                    op: json_op(history, *op),
                    value,
                    writer: writer.map(|w| json_op(history, w)),
                    killer: json_op(history, *killer),
                },
            }),
        }
    }
}

/// Where the window starts (an invocation) and ends (the blocking completion).
fn window_ends(history: &History, v: &Violation) -> (Option<At>, Option<At>) {
    let op_at = |pos: u32| {
        v.window.ops.iter().find_map(|&i| {
            let op = &history.ops[i as usize];
            if op.call == pos {
                Some(op.call_at)
            } else if op.ret == Some(pos) {
                op.ret_at
            } else {
                None
            }
        })
    };
    (op_at(v.window.from), op_at(v.window.to))
}

/// Writes every violation explained, then the summary line.
pub fn write_text(
    w: &mut dyn Write,
    history: &History,
    report: &LinReport,
    palette: Palette,
    columns: usize,
) -> io::Result<()> {
    for v in &report.violations {
        write_violation(w, history, report.model, v, palette, columns)?;
        writeln!(w)?;
    }
    writeln!(w, "{}", summary(report, palette))
}

/// The one-line verdict.
fn summary(report: &LinReport, palette: Palette) -> String {
    let keyed = report.partitions > 1
        || report.violations.iter().any(|v| v.key.is_some())
        || report.undecided.iter().any(Option::is_some);
    let ops = plural(report.operations, "operation");
    let model = report.model.name();
    let mut left_out = Vec::new();
    if report.dropped.failed > 0 {
        left_out.push(format!(
            "{} that failed",
            plural(report.dropped.failed, "operation")
        ));
    }
    if report.dropped.unknown_reads > 0 {
        left_out.push(format!(
            "{} of unknown outcome",
            plural(report.dropped.unknown_reads, "read")
        ));
    }
    let left_out = if left_out.is_empty() {
        String::new()
    } else {
        format!("; left out {}", left_out.join(" and "))
    };
    let keys = if keyed {
        format!(" on {}", plural(report.partitions, "key"))
    } else {
        String::new()
    };
    match report.verdict {
        Verdict::Linearizable => format!(
            "{}: the {ops}{keys} fit the {model} model{left_out}",
            palette.bold("linearizable")
        ),
        Verdict::NotLinearizable if keyed => format!(
            "{}: on {} of {} no order fits the {model} model ({ops} checked{left_out})",
            palette.error("not linearizable"),
            report.violations.len(),
            plural(report.partitions, "key"),
        ),
        Verdict::NotLinearizable => format!(
            "{}: no order of the {ops} fits the {model} model{left_out}",
            palette.error("not linearizable"),
        ),
        Verdict::Unknown if keyed => format!(
            "{}: the timeout stopped the search with {} of {} undecided ({ops}, {model} model)",
            palette.warning("unknown"),
            report.undecided.len(),
            plural(report.partitions, "key"),
        ),
        Verdict::Unknown => format!(
            "{}: the timeout stopped the search before it could decide ({ops}, {model} model)",
            palette.warning("unknown"),
        ),
    }
}

/// `n` and `word`, plural unless `n` is 1.
fn plural(n: usize, word: &str) -> String {
    crate::render::fmt::plural(n as u64, word)
}

/// How an operation reads in a report: `write 4`, `read → 3`, `cas 1→3`, `get → "x"`,
/// `append "y"`, with `?` for what is unknown.
pub fn describe(op: &Operation) -> String {
    let value = |v: &Value| one_line(&v.to_string());
    let result = match (&op.completed, op.status) {
        (Some(v), Status::Ok) => value(v),
        _ => "?".to_string(),
    };
    let text = match op.f.as_ref() {
        "read" | "get" => format!("{} → {result}", op.f),
        "cas" => match &op.invoked {
            Value::Seq(pair) if pair.len() == 2 => {
                format!("cas {}→{}", value(&pair[0]), value(&pair[1]))
            }
            other => format!("cas {}", value(other)),
        },
        f => format!("{} {}", one_line(f), value(&op.invoked)),
    };
    match op.status {
        Status::Ok => text,
        Status::Fail => format!("{text} (fail)"),
        Status::Info => format!("{text} (info)"),
        Status::Open => format!("{text} (no completion)"),
    }
}

/// `h.edn:3-5`, `h.edn:3-` (no completion), or both files when they differ.
fn span(history: &History, op: &Operation) -> String {
    let call = history.location(op.call_at);
    match op.ret_at {
        None => format!("{call}-"),
        Some(at) if at.file == op.call_at.file => format!("{call}-{}", at.line),
        Some(at) => format!("{call} to {}", history.location(at)),
    }
}

/// What the sections of one violation's text share: the history, the violation, and the
/// column widths of the operation rows.
struct Page<'a> {
    history: &'a History,
    v: &'a Violation,
    palette: Palette,
    /// "the register", "key \"x\"".
    holder: String,
    /// The state after the prefix, as text.
    state: String,
    /// Description and lines of the prefix's operations, then the candidates'.
    rows: Vec<(String, String)>,
    widths: [usize; 3],
}

impl Page<'_> {
    fn proc(&self, op: &Operation) -> String {
        one_line(&self.history.processes[op.process as usize])
    }

    /// `P's read → 3 (file:3-5)`.
    fn named(&self, i: u32) -> String {
        let op = &self.history.ops[i as usize];
        format!(
            "{}'s {} ({})",
            self.proc(op),
            describe(op),
            span(self.history, op)
        )
    }

    /// One operation row: process, description, lines, padded to the columns.
    fn row(&self, op: &Operation, row: &(String, String)) -> String {
        format!(
            "{}  {}  {}",
            pad(&self.proc(op), self.widths[0]),
            pad(&row.0, self.widths[1]),
            pad(&row.1, self.widths[2])
        )
    }

    fn impossible(&self, w: &mut dyn Write) -> io::Result<()> {
        let label = self.palette.error("impossible");
        match &self.v.impossible {
            None => Ok(()),
            Some(Impossible::NeverWritten { op, value }) => {
                let value = one_line(&value.to_string());
                writeln!(
                    w,
                    "  {label}: {}: no operation that could come before it set {value}, and {value} is not the initial value",
                    self.named(*op),
                )
            }
            Some(Impossible::Overwritten {
                op,
                value,
                writer,
                killer,
            }) => {
                let value = one_line(&value.to_string());
                let last = match writer {
                    Some(wr) => format!(
                        "the last operation that set {value}, {}, was",
                        self.named(*wr)
                    ),
                    None => format!("{value} is the initial value, and it was"),
                };
                writeln!(
                    w,
                    "  {label}: {}: {last} overwritten by {} before the {} was invoked",
                    self.named(*op),
                    self.named(*killer),
                    one_line(&self.history.ops[*op as usize].f),
                )
            }
        }
    }

    fn prefix(&self, w: &mut dyn Write) -> io::Result<()> {
        let v = self.v;
        if v.prefix.is_empty() {
            return writeln!(
                w,
                "  longest linearizable prefix: none: not even a first operation fits"
            );
        }
        let shown = v.prefix.len().min(PREFIX_SHOWN);
        let skipped = v.prefix.len() - shown;
        writeln!(
            w,
            "  longest linearizable prefix: {} of {}{}",
            v.prefix.len(),
            plural(v.operations, "operation"),
            if skipped > 0 {
                format!(", the last {shown} shown")
            } else {
                String::new()
            }
        )?;
        if skipped > 0 {
            let earlier = format!("… {} earlier", plural(skipped, "operation"));
            writeln!(w, "    {}", self.palette.dim(&earlier))?;
        }
        let number_width = v.prefix.len().to_string().len();
        for (i, p) in v.prefix.iter().enumerate().skip(skipped) {
            let op = &self.history.ops[p.op as usize];
            writeln!(
                w,
                "    {:>number_width$}. {}  then {}",
                i + 1,
                self.row(op, &self.rows[i]),
                one_line(&p.state.to_string())
            )?;
        }
        Ok(())
    }

    fn candidates(&self, w: &mut dyn Write) -> io::Result<()> {
        let (v, holder, state) = (self.v, &self.holder, &self.state);
        let blocking = &self.history.ops[v.blocking as usize];
        let done_at = blocking
            .ret_at
            .map(|at| self.history.location(at))
            .unwrap_or_default();
        writeln!(w, "  then {holder} holds {state}")?;
        writeln!(
            w,
            "  {}'s {} completed at {done_at}: it, or an operation invoked before then, goes next, and none fits:",
            self.proc(blocking),
            describe(blocking),
        )?;
        for (c, row) in v.candidates.iter().zip(&self.rows[v.prefix.len()..]) {
            let op = &self.history.ops[c.op as usize];
            let reason = match &c.outcome {
                Outcome::Rejected { observed } => {
                    let observed = one_line(&observed.to_string());
                    let text = match op.f.as_ref() {
                        "cas" => format!("the cas expected {observed}, but {holder} holds {state}"),
                        f => format!(
                            "the {} returned {observed}, but {holder} holds {state}",
                            one_line(f)
                        ),
                    };
                    self.palette.error(&text)
                }
                Outcome::DeadEnd { state: after } => format!(
                    "fits ({holder} would hold {}), but then no order of the rest fits",
                    one_line(&after.to_string())
                ),
            };
            writeln!(w, "    {}  {reason}", self.row(op, row))?;
        }
        if v.earlier_unknown > 0 {
            let note = format!(
                "(and {} of unknown outcome invoked earlier, none of which helps)",
                plural(v.earlier_unknown, "operation")
            );
            writeln!(w, "    {}", self.palette.dim(&note))?;
        }
        Ok(())
    }

    fn window(&self, w: &mut dyn Write, columns: usize) -> io::Result<()> {
        let (v, history, palette) = (self.v, self.history, self.palette);
        let ends = match window_ends(history, v) {
            (Some(f), Some(t)) => format!(", {} to {}", history.location(f), history.location(t)),
            _ => String::new(),
        };
        writeln!(w, "  concurrent window{ends}:")?;
        let rejected: Vec<u32> = v
            .candidates
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Rejected { .. }))
            .map(|c| c.op)
            .collect();
        let in_prefix: std::collections::HashSet<u32> = v.prefix.iter().map(|p| p.op).collect();
        let lanes = window_lanes(history, &v.window.ops, columns.saturating_sub(4));
        let lane_width = lanes
            .rows
            .iter()
            .map(|r| display_width(&r.name))
            .max()
            .unwrap_or(0);
        for row in &lanes.rows {
            let mut line = String::new();
            for (text, op) in &row.cells {
                line.push_str(&match op {
                    Some(i) if rejected.contains(i) => palette.error(text),
                    Some(i) if *i == v.blocking => palette.bold(text),
                    Some(i) if in_prefix.contains(i) => palette.dim(text),
                    _ => text.clone(),
                });
            }
            let mark = if row.ops.iter().any(|i| rejected.contains(i)) {
                format!(" {}", palette.error("✗"))
            } else {
                String::new()
            };
            writeln!(
                w,
                "    {}  {}{mark}",
                pad(&row.name, lane_width),
                line.trim_end()
            )?;
        }
        if lanes.left_out > 0 {
            let note = format!("({} more not drawn)", plural(lanes.left_out, "process"));
            writeln!(w, "    {}", palette.dim(&note))?;
        }
        Ok(())
    }
}

/// `s` padded with spaces to `width` columns.
fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(display_width(s))))
}

fn write_violation(
    w: &mut dyn Write,
    history: &History,
    model: ModelKind,
    v: &Violation,
    palette: Palette,
    columns: usize,
) -> io::Result<()> {
    let holder = match (&v.key, model) {
        (Some(key), _) => format!("key {}", one_line(&key.to_string())),
        (None, ModelKind::Kv) => "the store".to_string(),
        (None, _) => "the register".to_string(),
    };
    let title = match &v.key {
        Some(key) => format!("key {}", one_line(&key.to_string())),
        None => "the history".to_string(),
    };
    writeln!(
        w,
        "{}: {} ({})",
        palette.bold(&title),
        palette.error("not linearizable"),
        plural(v.operations, "operation")
    )?;
    let ops: Vec<&Operation> = v
        .prefix
        .iter()
        .map(|p| p.op)
        .chain(v.candidates.iter().map(|c| c.op))
        .map(|i| &history.ops[i as usize])
        .collect();
    let rows: Vec<(String, String)> = ops
        .iter()
        .map(|op| (describe(op), span(history, op)))
        .collect();
    let proc_width = ops
        .iter()
        .map(|op| display_width(&one_line(&history.processes[op.process as usize])))
        .max()
        .unwrap_or(1);
    let widths = [
        proc_width,
        rows.iter().map(|r| display_width(&r.0)).max().unwrap_or(0),
        rows.iter().map(|r| display_width(&r.1)).max().unwrap_or(0),
    ];
    let page = Page {
        history,
        v,
        palette,
        holder,
        state: one_line(&v.state.to_string()),
        rows,
        widths,
    };
    page.impossible(w)?;
    page.prefix(w)?;
    page.candidates(w)?;
    page.window(w, columns)
}

/// The lane diagram of a window: one row per process, each made of runs of text, each run
/// belonging to an operation or to none.
struct Lanes {
    rows: Vec<LaneRow>,
    left_out: usize,
}

struct LaneRow {
    name: String,
    cells: Vec<(String, Option<u32>)>,
    ops: Vec<u32>,
}

/// Lays out `ops` (history indices) as intervals on one lane per process, in at most
/// `width` columns where it can: positions become columns, spaced so that each operation's
/// label fits inside its interval, labels cut when they do not.
fn window_lanes(history: &History, ops: &[u32], width: usize) -> Lanes {
    let mut processes: Vec<u32> = ops
        .iter()
        .map(|&i| history.ops[i as usize].process)
        .collect();
    processes.sort_unstable();
    processes.dedup();
    let left_out = processes.len().saturating_sub(LANES_SHOWN);
    processes.truncate(LANES_SHOWN);
    let ops: Vec<u32> = ops
        .iter()
        .copied()
        .filter(|&i| processes.contains(&history.ops[i as usize].process))
        .collect();
    // Positions drawn: every invocation and every completion that counts (an :info
    // completion does not end the interval: the operation may take effect later).
    let end = |op: &Operation| match op.status {
        Status::Ok | Status::Fail => op.ret,
        Status::Info | Status::Open => None,
    };
    let mut positions: Vec<u32> = ops
        .iter()
        .flat_map(|&i| {
            let op = &history.ops[i as usize];
            std::iter::once(op.call).chain(end(op))
        })
        .collect();
    positions.sort_unstable();
    positions.dedup();
    let col_of = |cols: &[usize], pos: u32| cols[positions.binary_search(&pos).expect("drawn")];
    let labels: Vec<String> = ops
        .iter()
        .map(|&i| describe(&history.ops[i as usize]))
        .collect();
    let layout = |label_max: usize| -> Vec<usize> {
        let mut cols = vec![0usize; positions.len()];
        for (p, &pos) in positions.iter().enumerate() {
            let mut c = if p == 0 { 0 } else { cols[p - 1] + 2 };
            for (k, &i) in ops.iter().enumerate() {
                let op = &history.ops[i as usize];
                if end(op) == Some(pos) {
                    let start = cols[positions.binary_search(&op.call).expect("drawn")];
                    c = c.max(start + display_width(&labels[k]).min(label_max) + 3);
                }
            }
            cols[p] = c;
        }
        cols
    };
    let longest = labels.iter().map(|l| display_width(l)).max().unwrap_or(1);
    let open_tail = |label_max: usize| longest.min(label_max) + 3;
    let total = |label_max: usize| {
        let cols = layout(label_max);
        cols.last().copied().unwrap_or(0) + 1 + open_tail(label_max)
    };
    let mut label_max = longest;
    while label_max > 1 && total(label_max) > width {
        label_max -= 1;
    }
    let cols = layout(label_max);
    let right = total(label_max);
    let mut rows = Vec::new();
    for &p in &processes {
        let mut cells: Vec<(String, Option<u32>)> = Vec::new();
        let mut at = 0usize;
        let mut lane_ops = Vec::new();
        for (k, &i) in ops.iter().enumerate() {
            let op = &history.ops[i as usize];
            if op.process != p {
                continue;
            }
            lane_ops.push(i);
            let start = col_of(&cols, op.call);
            if start > at {
                cells.push((" ".repeat(start - at), None));
            }
            let label = truncate(&labels[k], label_max);
            let text = match end(op) {
                Some(ret) => {
                    let stop = col_of(&cols, ret);
                    let inner = stop - start - 1;
                    let fill = inner.saturating_sub(display_width(&label) + 1);
                    format!("├─{label}{}┤", "─".repeat(fill))
                }
                None => {
                    let inner = right.saturating_sub(start + 1);
                    let fill = inner.saturating_sub(display_width(&label) + 1);
                    format!("├─{label}{}", "╌".repeat(fill))
                }
            };
            at = start + display_width(&text);
            cells.push((text, Some(i)));
        }
        rows.push(LaneRow {
            name: one_line(&history.processes[p as usize]),
            cells,
            ops: lane_ops,
        });
    }
    Lanes { rows, left_out }
}
