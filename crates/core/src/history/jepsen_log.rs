//! Jepsen's log lines, as Porcupine reads them: `INFO  jepsen.util - 3\t:ok\t:read\t2`.
//!
//! An operation line is any line where `jepsen.util` is followed by `-` or `:`, then the
//! process, the type, the function and the value separated by tabs (further fields, such as
//! an error, are ignored). Jepsen logs hold other messages too: those lines are counted and
//! skipped. Values are EDN (`nil`, `3`, `[3 0]`, `:timed-out`). Knows nothing of models.

use super::value::Value;
use super::{edn, FileRecords, Process, Record, RecordType};
use crate::error::InputError;
use crate::input::for_each_line_of;

const MARK: &str = "jepsen.util";

/// Whether `head` (the first bytes of an input) is a Jepsen log: its first non-blank line
/// mentions jepsen, and a whole line of the head is an operation.
pub fn is_jepsen_log(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    let mut lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    // The last line may be cut off, unless it is the only one.
    if !text.ends_with('\n') && lines.len() > 1 {
        lines.pop();
    }
    let mut lines = lines.into_iter().peekable();
    if !lines.peek().is_some_and(|l| l.contains("jepsen")) {
        return false;
    }
    lines.any(|l| matches!(split(l), Some(Ok(_))))
}

/// The fields of an operation line, and the column where the value starts.
struct Fields<'a> {
    process: &'a str,
    kind: &'a str,
    f: &'a str,
    value: &'a str,
    value_column: u32,
}

/// `None` when the line is no operation line (another message); an error message when it
/// starts like one but is not.
fn split(line: &str) -> Option<Result<Fields<'_>, String>> {
    let at = line.find(MARK)?;
    let rest = &line[at + MARK.len()..];
    let rest = rest
        .strip_prefix(" -")
        .or_else(|| rest.strip_prefix(':'))?
        .trim_start_matches(' ');
    let mut parts = rest.split('\t');
    let process = parts.next()?.trim();
    // Other jepsen.util messages do not start with a process and a type.
    let is_process = process.parse::<i64>().is_ok() || process.starts_with(':');
    let kind = parts.next().map(str::trim).unwrap_or("");
    if !is_process || RecordType::from_name(kind).is_none() {
        return None;
    }
    let Some(f) = parts.next().map(str::trim) else {
        return Some(Err(
            "expected the operation's function after its type (`3\\t:ok\\t:read\\t2`)".into(),
        ));
    };
    let value = parts.next().unwrap_or("nil");
    let value_start = value.as_ptr() as usize - line.as_ptr() as usize;
    let value_column = line[..value_start.min(line.len())].chars().count() as u32 + 1;
    Some(Ok(Fields {
        process,
        kind,
        f,
        value,
        value_column,
    }))
}

/// Parses every operation line of `bytes`; other lines are counted in `skipped`.
pub fn parse_records(name: &str, bytes: &[u8]) -> Result<FileRecords, InputError> {
    let mut out = FileRecords::default();
    let result = for_each_line_of(name, bytes, 1, |line, text| {
        if text.trim().is_empty() {
            return Ok(());
        }
        match split(text) {
            None => out.skipped += 1,
            Some(Err(m)) => return Err(InputError::new(name, line, m).into()),
            Some(Ok(fields)) => out.records.push(record(name, line, &fields)?),
        }
        Ok(())
    });
    match result {
        Ok(()) => Ok(out),
        Err(crate::error::Error::Input(e)) => Err(e),
        Err(other) => Err(InputError::new(name, 0, other.to_string())),
    }
}

fn record(name: &str, line: u32, fields: &Fields<'_>) -> Result<Record, InputError> {
    let err = |m: String| InputError::new(name, line, m);
    let process = match fields.process.parse::<i64>() {
        Ok(i) => Process::Id(i),
        Err(_) if fields.process == ":nemesis" => Process::Nemesis,
        Err(_) => Process::Name(fields.process.trim_start_matches(':').into()),
    };
    let kind = RecordType::from_name(fields.kind).expect("split checked the type");
    let f = fields.f.strip_prefix(':').unwrap_or(fields.f);
    if f.is_empty() && process != Process::Nemesis {
        return Err(err(
            "expected the operation's function (:read, :write, ...) after its type".into(),
        ));
    }
    let value = if fields.value.trim().is_empty() {
        Value::Nil
    } else {
        edn::parse_value(name, fields.value, line, fields.value_column)?
    };
    Ok(Record {
        process,
        kind,
        f: f.into(),
        key: None,
        value,
        time: None,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcupine_and_newer_jepsen_lines_are_read() {
        let text = "INFO  jepsen.util - 3\t:invoke\t:cas\t[3 0]\n\
                    2017-03-23 16:19:37,185{GMT}\tINFO\t[jepsen worker 1] jepsen.util: 3\t:info\t:cas\t:timed-out\n\
                    INFO  jepsen.core - Run complete\n\
                    INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n";
        let out = parse_records("e.log", text.as_bytes()).unwrap();
        assert_eq!(out.skipped, 1);
        assert_eq!(out.records.len(), 3);
        assert_eq!(
            out.records[0].value,
            Value::Seq(vec![Value::Int(3), Value::Int(0)])
        );
        assert_eq!(out.records[1].kind, RecordType::Info);
        assert_eq!(out.records[1].line, 2);
        assert_eq!(out.records[2].process, Process::Nemesis);
    }

    #[test]
    fn a_bad_value_names_line_and_column() {
        let err = parse_records("e.log", b"INFO  jepsen.util - 3\t:ok\t:read\t[3 0\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "e.log:1:33: expected `]` to close what opens here, found the end of the input"
        );
    }

    #[test]
    fn jepsen_logs_are_recognised() {
        assert!(is_jepsen_log(
            b"INFO  jepsen.util - 0\t:invoke\t:read\tnil\n"
        ));
        assert!(is_jepsen_log(b"INFO  jepsen.util - 0\t:invoke\t:read\tnil"));
        assert!(!is_jepsen_log(
            b"INFO  jepsen.core - start\nINFO  jepsen.util - 0\t:inv"
        ));
        assert!(!is_jepsen_log(b"{\"node\":\"a\"}\n"));
    }
}
