//! RAPID's STD traces of shared-memory programs: `thread|op(arg)|loc`, one operation a line.
//!
//! Each thread is a node and each line an event. `r(x)` and `w(x)` read and write key `x`;
//! `rel(l)` sends a message (a fresh id per release) that the next `acq(l)` receives; `fork(t)`
//! sends a message that thread `t`'s next event receives, and `join(t)` receives one that `t`'s
//! last event sends; `begin`, `end` (and RoadRunner's `enter`, `exit`) are local. The trace is
//! streamed: only each thread's latest event is held back, until the thread's next line shows
//! that no `join` will add to it, so millions of lines read in one pass and little memory.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::FileContext;
use crate::error::Result;
use crate::input::Input;
use crate::model::{EventFlags, EventKind, RawEvent, Role, TraceBuilder};

/// Whether `line` (the first non-blank line of an input) is an STD line:
/// `thread|op(arg)[|loc]` with a known op.
pub fn is_std_line(line: &str) -> bool {
    split_line(line.trim()).is_ok()
}

/// One parsed line.
struct Line<'a> {
    thread: &'a str,
    op: Op,
    arg: &'a str,
    /// The op as written, `w(x)`.
    text: &'a str,
    loc: Option<&'a str>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Read,
    Write,
    Acquire,
    Release,
    Fork,
    Join,
    Local,
}

/// Splits `thread|op(arg)|loc`; on error, the message and the 1-based column.
fn split_line(text: &str) -> Result<Line<'_>, (String, u32)> {
    let expected = |found: &str, col: usize| {
        (
            format!(
                "expected an STD line `thread|op(arg)|loc` with op r, w, acq, rel, fork, join, begin or end, found {found:?}"
            ),
            crate::input::saturate(col),
        )
    };
    let mut parts = text.splitn(3, '|');
    let thread = parts.next().unwrap_or("").trim();
    let Some(op_text) = parts.next().map(str::trim) else {
        return Err(expected(text, 1));
    };
    let loc = parts.next().map(str::trim);
    let op_col = text.find('|').map_or(1, |p| text[..=p].chars().count() + 1);
    // Thread names are identifiers; this also keeps JSON with a `|` in it from looking like
    // STD.
    let odd = |c: char| c.is_whitespace() || "{}[]\"'(),".contains(c);
    if thread.is_empty() || thread.contains(odd) {
        return Err(expected(text, 1));
    }
    let (name, arg) = match op_text.split_once('(') {
        Some((name, rest)) if rest.ends_with(')') => (name.trim(), &rest[..rest.len() - 1]),
        None if !op_text.is_empty() && op_text.bytes().all(|b| b.is_ascii_alphabetic()) => {
            (op_text, "")
        }
        _ => return Err(expected(op_text, op_col)),
    };
    let op = match name {
        "r" => Op::Read,
        "w" => Op::Write,
        "acq" => Op::Acquire,
        "rel" => Op::Release,
        "fork" => Op::Fork,
        "join" => Op::Join,
        "begin" | "end" | "enter" | "exit" => Op::Local,
        _ => return Err(expected(op_text, op_col)),
    };
    let arg = arg.trim();
    if arg.is_empty() && op != Op::Local {
        return Err((
            format!("expected an argument in {op_text:?}: r, w, acq, rel, fork and join name a variable, lock or thread"),
            crate::input::saturate(op_col),
        ));
    }
    Ok(Line {
        thread,
        op,
        arg,
        text: op_text,
        loc,
    })
}

/// Line `line` of the file, split; `None` for a blank line or a comment.
fn read_line<'a>(ctx: &FileContext<'_>, line: u32, text: &'a str) -> Result<Option<Line<'a>>> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let l = split_line(trimmed).map_err(|(msg, col)| {
        let indent = text.len() - text.trim_start().len();
        ctx.error(line, msg)
            .at_column(Some(col.saturating_add(crate::input::saturate(indent))))
    })?;
    Ok(Some(l))
}

/// An event held back until its thread's next line.
struct Pending {
    line: u32,
    label: String,
    loc: Option<String>,
    roles: Vec<(EventKind, String)>,
    read: Option<String>,
    write: Option<String>,
}

#[derive(Default)]
struct Thread {
    name: String,
    pending: Option<Pending>,
    /// A fork message the thread's next event receives.
    fork_msg: Option<String>,
    /// The join message its pending event already sends, if a join took it.
    join_msg: Option<String>,
    forks: u32,
    joins: u32,
}

#[derive(Default)]
struct State {
    threads: Vec<Thread>,
    by_name: HashMap<String, usize>,
    /// Per lock: releases so far and the release the next acquire receives.
    locks: HashMap<String, (u64, Option<String>)>,
    /// Prefix of message ids, so that several STD files keep theirs apart.
    prefix: String,
}

impl State {
    fn thread(&mut self, name: &str) -> usize {
        if let Some(&t) = self.by_name.get(name) {
            return t;
        }
        let t = self.threads.len();
        self.threads.push(Thread {
            name: name.to_string(),
            ..Thread::default()
        });
        self.by_name.insert(name.to_string(), t);
        t
    }

    fn flush(&mut self, t: usize, file: u32, builder: &mut TraceBuilder) {
        if let Some(p) = self.threads[t].pending.take() {
            builder.push(file, raw_event(&self.threads[t].name, p));
        }
        self.threads[t].join_msg = None;
    }
}

fn raw_event(thread: &str, p: Pending) -> RawEvent {
    // Exact capacity: millions of events each hold this map.
    let mut fields = Map::with_capacity(
        2 + 3 * usize::from(!p.roles.is_empty())
            + usize::from(p.roles.len() > 1)
            + usize::from(p.read.is_some() || p.write.is_some()),
    );
    let mut roles = p.roles.into_iter();
    let first = roles.next();
    let more_roles: Vec<Role> = roles
        .map(|(kind, msg)| Role {
            kind,
            msg: msg.into(),
        })
        .collect();
    if let Some((kind, msg)) = &first {
        fields.insert("kind".into(), kind.as_str().into());
        fields.insert("msg".into(), msg.clone().into());
    }
    if !more_roles.is_empty() {
        fields.insert("more_roles".into(), Role::json_list(&more_roles));
    }
    fields.insert("label".into(), p.label.clone().into());
    if let Some(k) = &p.read {
        fields.insert("reads".into(), Value::Array(vec![k.clone().into()]));
    }
    if let Some(k) = &p.write {
        fields.insert("writes".into(), Value::Array(vec![k.clone().into()]));
    }
    if let Some(loc) = &p.loc {
        fields.insert("loc".into(), loc.clone().into());
    }
    let (kind, msg) = first.map_or((None, None), |(k, m)| (Some(k), Some(m)));
    // Lock hand-offs, forks and joins are synchronisation, not network messages: the last
    // release of a lock is received by nobody, and that is normal.
    let flags = if msg.is_some() {
        fields.insert("sync".into(), Value::Bool(true));
        EventFlags::SYNC
    } else {
        EventFlags::NONE
    };
    RawEvent {
        node: thread.to_string(),
        kind,
        msg,
        more_roles,
        to: Vec::new(),
        time: None,
        label: Some(p.label),
        id: None,
        reads: p.read.into_iter().collect(),
        writes: p.write.into_iter().collect(),
        line: p.line,
        fields,
        fields_text: None,
        flags,
        given: None,
        span: None,
    }
}

/// Reads every line of `input` as one event.
pub fn parse(input: &mut Input, ctx: &FileContext<'_>, builder: &mut TraceBuilder) -> Result<()> {
    let mut st = State {
        prefix: if ctx.index == 0 {
            String::new()
        } else {
            format!("{}:", ctx.index)
        },
        ..State::default()
    };
    let file = ctx.index;
    input.for_each_line(|line, text| {
        let Some(l) = read_line(ctx, line, text)? else {
            return Ok(());
        };
        let t = st.thread(l.thread);
        st.flush(t, file, builder);
        let mut ev = Pending {
            line,
            label: l.text.to_string(),
            loc: l.loc.filter(|s| !s.is_empty()).map(str::to_string),
            roles: Vec::new(),
            read: None,
            write: None,
        };
        if let Some(m) = st.threads[t].fork_msg.take() {
            ev.roles.push((EventKind::Recv, m));
        }
        match l.op {
            Op::Read => ev.read = Some(l.arg.to_string()),
            Op::Write => ev.write = Some(l.arg.to_string()),
            Op::Acquire => {
                if let Some(m) = st.locks.get_mut(l.arg).and_then(|lock| lock.1.take()) {
                    ev.roles.push((EventKind::Recv, m));
                }
            }
            Op::Release => {
                let prefix = &st.prefix;
                let lock = st.locks.entry(l.arg.to_string()).or_default();
                lock.0 += 1;
                let m = format!("{prefix}{}#{}", l.arg, lock.0);
                lock.1 = Some(m.clone());
                ev.roles.push((EventKind::Send, m));
            }
            Op::Fork => {
                let child = st.thread(l.arg);
                if child != t {
                    let c = &mut st.threads[child];
                    c.forks += 1;
                    let m = format!("{}fork:{}#{}", st.prefix, l.arg, c.forks);
                    c.fork_msg = Some(m.clone());
                    ev.roles.push((EventKind::Send, m));
                }
            }
            Op::Join => {
                let child = st.thread(l.arg);
                let prefix = st.prefix.clone();
                let c = &mut st.threads[child];
                if child != t {
                    if let Some(last) = c.pending.as_mut() {
                        let m = match &c.join_msg {
                            Some(m) => m.clone(),
                            None => {
                                c.joins += 1;
                                let m = format!("{prefix}join:{}#{}", l.arg, c.joins);
                                last.roles.push((EventKind::Send, m.clone()));
                                c.join_msg = Some(m.clone());
                                m
                            }
                        };
                        ev.roles.push((EventKind::Recv, m));
                    }
                }
            }
            Op::Local => {}
        }
        st.threads[t].pending = Some(ev);
        Ok(())
    })?;
    for t in 0..st.threads.len() {
        st.flush(t, file, builder);
    }
    Ok(())
}

/// How a streamed event synchronises, beyond its thread's program order: what [`parse`]
/// expresses as messages, resolved to the clocks a race detector keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StdSync {
    /// Nothing more: an access, `begin`, `end`, or an acquire that receives no release.
    None,
    /// Joins the clock that lock slot `n`'s last release left (an acquire; each release is
    /// received by the first acquire after it only).
    Acquire(u32),
    /// Leaves its clock in lock slot `n` (a release).
    Release(u32),
    /// Leaves its clock for thread `n`'s next event (a fork).
    Fork(u32),
    /// Joins thread `n`'s clock as it stands (a join of a thread that has run in this file).
    Join(u32),
}

/// A data access of a streamed event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StdAccess<'a> {
    /// The variable.
    pub key: &'a str,
    /// A write (`w`); else a read (`r`).
    pub write: bool,
}

/// One event of an STD trace as [`StdReader`] hands it on, in line order.
#[derive(Clone, Copy, Debug)]
pub struct StdStep<'a> {
    /// Index of the file (in the order files were read).
    pub file: u32,
    /// 1-based line.
    pub line: u32,
    /// The thread, numbered from 0 by first appearance over all files (see [`StdSink::thread`]).
    pub thread: u32,
    /// The op as written (`w(x)`): the event's label.
    pub label: &'a str,
    /// The variable it reads or writes, if any.
    pub access: Option<StdAccess<'a>>,
    /// Whether it first joins the clock a fork of its thread left (the thread's first event
    /// after the fork).
    pub fork_recv: bool,
    /// How else it synchronises.
    pub sync: StdSync,
}

/// What receives an STD trace streamed by [`StdReader`].
pub trait StdSink {
    /// A new input file begins.
    fn file(&mut self, name: &str);
    /// A thread is named for the first time (by a line or as the argument of `fork` or
    /// `join`); threads are numbered from 0 in this order.
    fn thread(&mut self, name: &str);
    /// The next event, in line order.
    fn step(&mut self, step: &StdStep<'_>);
    /// The latest event of thread `thread` takes its place in the trace [`parse`] builds:
    /// the next event index, counting from 0 (events are held back until their thread's next
    /// line, so this order is not line order).
    fn pushed(&mut self, thread: u32);
}

/// Streams STD files to a [`StdSink`], one event at a time, with what [`parse`] would make of
/// them: the same threads, the same synchronisation, the same event numbering, the same
/// errors. It keeps a few words per thread and lock, nothing per event.
#[derive(Debug, Default)]
pub struct StdReader {
    threads: HashMap<String, u32>,
    lock_slots: u32,
    events: u64,
}

/// A thread as one file sees it.
struct FileThread {
    id: u32,
    /// It has an event held back (that a `join` would receive from).
    pending: bool,
    /// A fork of it awaits its next event.
    forked: bool,
}

/// The threads of the file being read, in the order it named them (the order in which
/// [`parse`] pushes their last events).
#[derive(Default)]
struct FileState {
    by_name: HashMap<String, usize>,
    threads: Vec<FileThread>,
}

impl FileState {
    fn thread(
        &mut self,
        name: &str,
        sink: &mut dyn StdSink,
        global: &mut HashMap<String, u32>,
    ) -> usize {
        if let Some(&t) = self.by_name.get(name) {
            return t;
        }
        let id = match global.get(name) {
            Some(&id) => id,
            None => {
                // Every name is held in memory: far fewer than u32::MAX of them fit.
                let id = u32::try_from(global.len()).unwrap_or(u32::MAX);
                global.insert(name.to_string(), id);
                sink.thread(name);
                id
            }
        };
        self.threads.push(FileThread {
            id,
            pending: false,
            forked: false,
        });
        self.by_name
            .insert(name.to_string(), self.threads.len() - 1);
        self.threads.len() - 1
    }
}

impl StdReader {
    /// A reader that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Streams every line of `input`; files are read one after another, their threads shared
    /// by name and their locks, forks and joins apart (as [`parse`] keeps them).
    pub fn read(
        &mut self,
        input: &mut Input,
        ctx: &FileContext<'_>,
        sink: &mut dyn StdSink,
    ) -> Result<()> {
        sink.file(ctx.name);
        let mut file = FileState::default();
        let mut locks: HashMap<String, (u32, bool)> = HashMap::new();
        input.for_each_line(|line, text| {
            let Some(l) = read_line(ctx, line, text)? else {
                return Ok(());
            };
            if self.events >= crate::model::MAX_EVENTS as u64 {
                return Err(ctx
                    .error(
                        line,
                        format!("expected at most {} events", crate::model::MAX_EVENTS),
                    )
                    .into());
            }
            self.events += 1;
            let t = file.thread(l.thread, sink, &mut self.threads);
            let threads = &mut file.threads;
            if threads[t].pending {
                sink.pushed(threads[t].id);
            }
            let fork_recv = std::mem::take(&mut threads[t].forked);
            let mut access = None;
            let sync = match l.op {
                Op::Read | Op::Write => {
                    access = Some(StdAccess {
                        key: l.arg,
                        write: l.op == Op::Write,
                    });
                    StdSync::None
                }
                Op::Acquire => match locks.get_mut(l.arg) {
                    Some((slot, untaken)) if *untaken => {
                        *untaken = false;
                        StdSync::Acquire(*slot)
                    }
                    _ => StdSync::None,
                },
                Op::Release => {
                    let next = &mut self.lock_slots;
                    let lock = locks.entry(l.arg.to_string()).or_insert_with(|| {
                        *next += 1;
                        (*next - 1, false)
                    });
                    lock.1 = true;
                    StdSync::Release(lock.0)
                }
                Op::Fork => {
                    let child = file.thread(l.arg, sink, &mut self.threads);
                    let threads = &mut file.threads;
                    if child == t {
                        StdSync::None
                    } else {
                        threads[child].forked = true;
                        StdSync::Fork(threads[child].id)
                    }
                }
                Op::Join => {
                    let child = file.thread(l.arg, sink, &mut self.threads);
                    let threads = &mut file.threads;
                    if child != t && threads[child].pending {
                        StdSync::Join(threads[child].id)
                    } else {
                        StdSync::None
                    }
                }
                Op::Local => StdSync::None,
            };
            file.threads[t].pending = true;
            sink.step(&StdStep {
                file: ctx.index,
                line,
                thread: file.threads[t].id,
                label: l.text,
                access,
                fork_recv,
                sync,
            });
            Ok(())
        })?;
        for t in file.threads.iter().filter(|t| t.pending) {
            sink.pushed(t.id);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_into_thread_op_arg_and_location() {
        let l = split_line("T1|w(V16e92358.199)|347").unwrap();
        assert_eq!(
            (l.thread, l.op, l.arg, l.loc),
            ("T1", Op::Write, "V16e92358.199", Some("347"))
        );
        let l = split_line("T2|begin|3").unwrap();
        assert_eq!(l.op, Op::Local);
        let (msg, col) = split_line("T1|lock(x)|3").map(|_| ()).unwrap_err();
        assert!(msg.starts_with("expected an STD line"), "{msg}");
        assert_eq!(col, 4);
        assert!(split_line("just text").is_err());
        assert!(split_line("T1|r()|3").is_err());
    }

    #[test]
    fn std_is_recognised_by_its_first_line() {
        assert!(is_std_line("T2|fork(T1)|0"));
        assert!(is_std_line("main|begin"));
        assert!(!is_std_line("{\"node\":\"a|r(x)|1\"}"));
        assert!(!is_std_line("a|b|c"));
    }
}
