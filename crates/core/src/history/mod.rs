//! Operation histories: what each client process invoked, when, and what came back.
//!
//! Parsers (one file per format: [`edn`], [`jepsen_log`], [`json`]) turn input into
//! [`Record`]s, one per invocation or completion; [`History::assemble`] orders them in real
//! time and pairs each invocation with its completion into an [`Operation`]. This layer knows
//! no model and checks nothing: the linearizability checker (`analysis::lin`) reads a
//! [`History`], and [`trace`] turns records into trace events for the other commands.
//!
//! Rules (Jepsen's): a history's line order is its real-time order, unless every record has a
//! `:time`, when times order it; several files must have times and are merged by them (ties:
//! invocations first, since intervals are closed, then file and line). Records of the
//! `:nemesis` process are not operations. A process runs one operation at a time; after an
//! `:info` completion (the outcome is unknown) it never completes another, so when it invokes
//! again it is counted as a new process, `P~2`, `P~3`, ... An invocation never completed is
//! indeterminate, like `:info`.

pub mod edn;
pub mod gen;
pub mod jepsen_log;
pub mod json;
pub mod trace;
pub mod value;

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, InputError, Result};
use crate::input::Input;
pub use value::Value;

/// What a record says happened: an invocation, or one of the three completions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordType {
    /// The client invoked the operation.
    Invoke,
    /// It completed and took effect.
    Ok,
    /// It completed without taking effect.
    Fail,
    /// Its outcome is unknown (a timeout, a crash): it may take effect at any later time, or
    /// never.
    Info,
}

impl RecordType {
    /// The type named `name` (`invoke`, `ok`, `fail`, `info`, with or without a colon).
    pub fn from_name(name: &str) -> Option<RecordType> {
        match name.strip_prefix(':').unwrap_or(name) {
            "invoke" => Some(RecordType::Invoke),
            "ok" => Some(RecordType::Ok),
            "fail" => Some(RecordType::Fail),
            "info" => Some(RecordType::Info),
            _ => None,
        }
    }

    /// The name, as Jepsen writes it without the colon.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Invoke => "invoke",
            RecordType::Ok => "ok",
            RecordType::Fail => "fail",
            RecordType::Info => "info",
        }
    }
}

/// Who invoked an operation: a client process, or the nemesis (fault injection).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Process {
    /// A numbered process (Jepsen's).
    Id(i64),
    /// A named process (`"c1"`).
    Name(Box<str>),
    /// Jepsen's `:nemesis`, whose records are not operations.
    Nemesis,
}

impl fmt::Display for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Process::Id(i) => write!(f, "{i}"),
            Process::Name(n) => f.write_str(n),
            Process::Nemesis => f.write_str("nemesis"),
        }
    }
}

/// One line of a history: an invocation or a completion, as the input gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The process.
    pub process: Process,
    /// Invocation or completion.
    pub kind: RecordType,
    /// The operation's function: `read`, `write`, `cas`, `get`, `put`, `append`, ...
    pub f: Box<str>,
    /// The key, for keyed histories.
    pub key: Option<Value>,
    /// `:value`: the argument on an invocation, the result on a completion.
    pub value: Value,
    /// `:time` in nanoseconds, when given.
    pub time: Option<i64>,
    /// The 1-based line the record starts on.
    pub line: u32,
}

/// The formats histories come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum HistoryFormat {
    /// Jepsen's EDN: operation maps, alone or in a vector or list.
    Edn,
    /// Jepsen's log lines, `INFO  jepsen.util - 3\t:ok\t:read\t2`.
    JepsenLog,
    /// JSON Lines with `process`, `type`, `f`, `value` (and `key`, `time`).
    Json,
}

/// Recognises a history format from the first bytes of an input.
pub fn detect(head: &[u8]) -> Option<HistoryFormat> {
    if edn::is_edn_history(head) {
        Some(HistoryFormat::Edn)
    } else if jepsen_log::is_jepsen_log(head) {
        Some(HistoryFormat::JepsenLog)
    } else if json::is_json_history(head) {
        Some(HistoryFormat::Json)
    } else {
        None
    }
}

/// The records of one file.
#[derive(Clone, Debug, Default)]
pub struct FileRecords {
    /// The records, in the order written.
    pub records: Vec<Record>,
    /// Lines that hold no operation (other messages of a Jepsen log), counted.
    pub skipped: u64,
}

/// Reads one opened input in `format`.
pub fn read_input(input: &mut Input, format: HistoryFormat) -> Result<FileRecords> {
    let text = input.read_to_string()?;
    let name = input.name.clone();
    Ok(match format {
        HistoryFormat::Edn => FileRecords {
            records: edn::parse_records(&name, text.as_bytes())?,
            skipped: 0,
        },
        HistoryFormat::JepsenLog => jepsen_log::parse_records(&name, text.as_bytes())?,
        HistoryFormat::Json => FileRecords {
            records: json::parse_records(&name, text.as_bytes())?,
            skipped: 0,
        },
    })
}

/// Where a record is: an index into [`History::files`] and a 1-based line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct At {
    /// Index into [`History::files`].
    pub file: u32,
    /// 1-based line.
    pub line: u32,
}

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// `:ok`: it took effect, and returned its completion's value.
    Ok,
    /// `:fail`: it did not take effect.
    Fail,
    /// `:info`: unknown; it may take effect at any time after its invocation, or never.
    Info,
    /// Never completed: as unknown as `:info`.
    Open,
}

impl Status {
    /// Whether the outcome is unknown (`:info`, or no completion).
    pub fn indeterminate(self) -> bool {
        matches!(self, Status::Info | Status::Open)
    }
}

/// An invocation paired with its completion.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Operation {
    /// Index into [`History::processes`].
    pub process: u32,
    /// The function.
    pub f: Box<str>,
    /// The key, for keyed histories.
    pub key: Option<Value>,
    /// The invocation's `:value`.
    pub invoked: Value,
    /// The completion's `:value`, when it completed.
    pub completed: Option<Value>,
    /// How it ended.
    pub status: Status,
    /// Position of the invocation in real-time order (over all invocations and completions).
    pub call: u32,
    /// Position of the completion, when there is one (`:info` ones included).
    pub ret: Option<u32>,
    /// Where the invocation is.
    pub call_at: At,
    /// Where the completion is.
    pub ret_at: Option<At>,
    /// The invocation's `:time`.
    pub call_time: Option<i64>,
    /// The completion's `:time`.
    pub ret_time: Option<i64>,
}

/// A history: its operations in invocation order, and the processes that ran them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct History {
    /// Input files as named on the command line.
    pub files: Vec<String>,
    /// Process names (`3`, `c1`, `3~2` for process 3 after its first `:info`).
    pub processes: Vec<String>,
    /// Operations, by the position of their invocation.
    pub ops: Vec<Operation>,
    /// Invocations and completions, all together (the positions run from 0 to this).
    pub events: u32,
    /// Records of the nemesis, which are not operations.
    pub nemesis: u32,
}

impl History {
    /// `file:line` of `at`.
    pub fn location(&self, at: At) -> String {
        format!("{}:{}", self.files[at.file as usize], at.line)
    }

    /// Orders the records of every file in real time and pairs invocations with completions.
    ///
    /// Errors name the record's file and line: a completion without an invocation, an
    /// invocation while the process has one open, a completion whose `:f` differs from its
    /// invocation's, missing times where times are needed.
    pub fn assemble(files: Vec<(String, Vec<Record>)>) -> Result<History, InputError> {
        let order = real_time_order(&files)?;
        let names: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
        let mut history = History {
            files: names,
            ..History::default()
        };
        // Per process as given: the open operation, how many incarnations it had, and whether
        // the current one has crashed (completed an `:info`).
        struct Slot {
            open: Option<usize>,
            incarnation: u32,
            crashed: bool,
            index: u32,
        }
        let mut slots: HashMap<&Process, Slot> = HashMap::new();
        for (rank, &(fi, ri)) in order.iter().enumerate() {
            let (file_name, records) = &files[fi as usize];
            let r = &records[ri as usize];
            let at = At {
                file: fi,
                line: r.line,
            };
            let rank = rank as u32;
            if r.process == Process::Nemesis {
                history.nemesis += 1;
                continue;
            }
            let err = |m: String| InputError::new(file_name, r.line, m);
            match r.kind {
                RecordType::Invoke => {
                    let slot = slots.entry(&r.process).or_insert_with(|| Slot {
                        open: None,
                        incarnation: 0,
                        crashed: true,
                        index: 0,
                    });
                    if let Some(open) = slot.open {
                        let op: &Operation = &history.ops[open];
                        return Err(err(format!(
                            "expected a completion of process {}'s :{} invoked at {} before it invokes again",
                            r.process,
                            op.f,
                            history.location(op.call_at)
                        )));
                    }
                    if slot.crashed {
                        slot.incarnation += 1;
                        slot.crashed = false;
                        slot.index = history.processes.len() as u32;
                        history.processes.push(if slot.incarnation == 1 {
                            r.process.to_string()
                        } else {
                            format!("{}~{}", r.process, slot.incarnation)
                        });
                    }
                    slot.open = Some(history.ops.len());
                    history.ops.push(Operation {
                        process: slot.index,
                        f: r.f.clone(),
                        key: r.key.clone(),
                        invoked: r.value.clone(),
                        completed: None,
                        status: Status::Open,
                        call: rank,
                        ret: None,
                        call_at: at,
                        ret_at: None,
                        call_time: r.time,
                        ret_time: None,
                    });
                }
                kind => {
                    let Some(open) = slots.get_mut(&r.process).and_then(|s| s.open.take()) else {
                        return Err(err(format!(
                            "expected an :invoke by process {} before this :{}",
                            r.process,
                            kind.as_str()
                        )));
                    };
                    let op = &mut history.ops[open];
                    if op.f != r.f {
                        return Err(err(format!(
                            "expected :f :{} as invoked at line {}, found :{}",
                            op.f, op.call_at.line, r.f
                        )));
                    }
                    if let (Some(invoked), Some(found)) = (&op.key, &r.key) {
                        if invoked != found {
                            return Err(err(format!(
                                "expected :key {invoked} as invoked at line {}, found {found}",
                                op.call_at.line
                            )));
                        }
                    }
                    op.completed = Some(r.value.clone());
                    op.ret = Some(rank);
                    op.ret_at = Some(at);
                    op.ret_time = r.time;
                    op.status = match kind {
                        RecordType::Ok => Status::Ok,
                        RecordType::Fail => Status::Fail,
                        _ => Status::Info,
                    };
                    if kind == RecordType::Info {
                        slots
                            .get_mut(&r.process)
                            .expect("it had an open op")
                            .crashed = true;
                    }
                }
            }
        }
        history.events = order.len() as u32;
        Ok(history)
    }
}

/// Every record as (file, index), in real-time order (see the module's rules).
fn real_time_order(files: &[(String, Vec<Record>)]) -> Result<Vec<(u32, u32)>, InputError> {
    let several = files.iter().filter(|f| !f.1.is_empty()).count() > 1;
    for (name, records) in files {
        let with = records.iter().filter(|r| r.time.is_some()).count();
        if with == records.len() {
            continue;
        }
        if several || with > 0 {
            let missing = records
                .iter()
                .find(|r| r.time.is_none())
                .expect("one lacks a time");
            let why = if several {
                "several files are merged by time"
            } else {
                "other records of this file have one, and a history is ordered by time only when all do"
            };
            return Err(InputError::new(
                name,
                missing.line,
                format!("expected :time (nanoseconds) on the record: {why}"),
            ));
        }
    }
    let mut order: Vec<(u32, u32)> = files
        .iter()
        .enumerate()
        .flat_map(|(fi, (_, records))| (0..records.len() as u32).map(move |ri| (fi as u32, ri)))
        .collect();
    let all_timed = files.iter().all(|f| f.1.iter().all(|r| r.time.is_some()));
    if all_timed {
        // Stable: equal times keep invocations first (closed intervals overlap), then the
        // order of files and lines.
        order.sort_by_key(|&(fi, ri)| {
            let r = &files[fi as usize].1[ri as usize];
            (r.time, r.kind != RecordType::Invoke)
        });
    }
    Ok(order)
}

/// Reads and assembles the history in `paths` (`-` is standard input, no path at all too),
/// each file in `format` or, when `None`, in the format its content shows.
///
/// Returns the history and, per file, the lines skipped as no operation.
pub fn load(paths: &[std::path::PathBuf], format: Option<HistoryFormat>) -> Result<Loaded> {
    let stdin = [std::path::PathBuf::from("-")];
    let paths = if paths.is_empty() { &stdin[..] } else { paths };
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut formats = Vec::new();
    for path in paths {
        let (name, records) = read_path(path, format, &mut formats)?;
        if records.skipped > 0 {
            skipped.push((name.clone(), records.skipped));
        }
        files.push((name, records.records));
    }
    let history = History::assemble(files)?;
    Ok(Loaded {
        history,
        skipped,
        formats,
    })
}

fn read_path(
    path: &Path,
    format: Option<HistoryFormat>,
    formats: &mut Vec<(String, HistoryFormat)>,
) -> Result<(String, FileRecords)> {
    let mut input = Input::open(path)?;
    let name = input.name.clone();
    let format = match format {
        Some(f) => f,
        None => {
            let head = input.peek()?;
            if head.iter().all(u8::is_ascii_whitespace) {
                return Ok((name, FileRecords::default()));
            }
            detect(head).ok_or_else(|| {
                Error::from(InputError::new(
                    &name,
                    1,
                    "expected a history: Jepsen EDN operation maps ({:process 0, :type :invoke, :f :read, :value nil}), \
                     Jepsen log lines (INFO  jepsen.util - 0\t:invoke\t:read\tnil) or JSON Lines with \"process\", \"type\" and \"f\"",
                ))
            })?
        }
    };
    formats.push((name.clone(), format));
    let records = read_input(&mut input, format)?;
    Ok((name, records))
}

/// A loaded history and what was passed over on the way.
#[derive(Debug)]
pub struct Loaded {
    /// The history.
    pub history: History,
    /// Lines skipped as no operation, per file (only files with skips).
    pub skipped: Vec<(String, u64)>,
    /// The format each file was read in.
    pub formats: Vec<(String, HistoryFormat)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(process: i64, kind: RecordType, f: &str, value: Value, line: u32) -> Record {
        Record {
            process: Process::Id(process),
            kind,
            f: f.into(),
            key: None,
            value,
            time: None,
            line,
        }
    }

    #[test]
    fn invocations_pair_with_completions_and_info_starts_a_new_process() {
        use RecordType::*;
        let records = vec![
            rec(1, Invoke, "write", Value::Int(1), 1),
            rec(2, Invoke, "read", Value::Nil, 2),
            rec(1, Info, "write", Value::Keyword("timed-out".into()), 3),
            rec(2, Ok, "read", Value::Int(1), 4),
            rec(1, Invoke, "read", Value::Nil, 5),
        ];
        let h = History::assemble(vec![("h.edn".into(), records)]).unwrap();
        assert_eq!(h.processes, vec!["1", "2", "1~2"]);
        assert_eq!(h.ops.len(), 3);
        assert_eq!(h.ops[0].status, Status::Info);
        assert_eq!(h.ops[1].completed, Some(Value::Int(1)));
        assert_eq!((h.ops[1].call, h.ops[1].ret), (1, Some(3)));
        assert_eq!(h.ops[2].status, Status::Open);
        assert_eq!(h.ops[2].process, 2);
    }

    #[test]
    fn pairing_errors_name_the_line() {
        use RecordType::*;
        let bad = |records: Vec<Record>| {
            History::assemble(vec![("h.edn".into(), records)])
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            bad(vec![rec(1, Ok, "read", Value::Nil, 7)]),
            "h.edn:7: expected an :invoke by process 1 before this :ok"
        );
        assert_eq!(
            bad(vec![
                rec(1, Invoke, "read", Value::Nil, 1),
                rec(1, Invoke, "read", Value::Nil, 2)
            ]),
            "h.edn:2: expected a completion of process 1's :read invoked at h.edn:1 before it invokes again"
        );
        assert_eq!(
            bad(vec![
                rec(1, Invoke, "read", Value::Nil, 1),
                rec(1, Ok, "write", Value::Nil, 2)
            ]),
            "h.edn:2: expected :f :read as invoked at line 1, found :write"
        );
    }

    #[test]
    fn several_files_merge_by_time_and_need_times() {
        use RecordType::*;
        let timed = |p, k, t, line| Record {
            time: Some(t),
            ..rec(p, k, "write", Value::Int(p), line)
        };
        let a = vec![timed(1, Invoke, 10, 1), timed(1, Ok, 30, 2)];
        let b = vec![timed(2, Invoke, 20, 1), timed(2, Ok, 30, 2)];
        let h = History::assemble(vec![("a".into(), a.clone()), ("b".into(), b)]).unwrap();
        assert_eq!(h.ops[1].call, 1);
        assert_eq!(h.ops[0].ret, Some(2));
        let untimed = vec![rec(2, Invoke, "read", Value::Nil, 4)];
        assert_eq!(
            History::assemble(vec![("a".into(), a), ("b".into(), untimed)])
                .unwrap_err()
                .to_string(),
            "b:4: expected :time (nanoseconds) on the record: several files are merged by time"
        );
    }
}
