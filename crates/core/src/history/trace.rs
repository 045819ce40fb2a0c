//! Histories as traces: each process a node, each invocation and each completion a local
//! event, so that `stamp`, `graph` and the other commands show a history.
//!
//! Pushes events into a [`TraceBuilder`]; never checks anything and never prints.

use serde_json::{Map, Value as Json};

use super::{read_input, HistoryFormat, Record};
use crate::error::Result;
use crate::input::Input;
use crate::model::{RawEvent, Timestamp, TraceBuilder};
use crate::parse::FileContext;

/// Reads one history file and adds its records as events; returns how many lines held no
/// operation (and were skipped).
pub fn push_file(
    input: &mut Input,
    ctx: &FileContext<'_>,
    format: HistoryFormat,
    builder: &mut TraceBuilder,
) -> Result<u64> {
    let file = read_input(input, format)?;
    for record in file.records {
        builder.push(ctx.index, raw_event(record));
    }
    Ok(file.skipped)
}

/// The event of one record: node = process, label = `invoke write 3`, fields = the record's
/// process, type, f, key and value, time = its `:time` (nanoseconds since the epoch).
pub fn raw_event(r: Record) -> RawEvent {
    let mut label = format!("{} {}", r.kind.as_str(), r.f);
    if let Some(key) = &r.key {
        label.push_str(&format!(" {key}"));
    }
    label.push_str(&format!(" {}", r.value));
    let mut fields = Map::with_capacity(5);
    let process = match &r.process {
        super::Process::Id(i) => Json::from(*i),
        other => Json::from(other.to_string()),
    };
    fields.insert("process".into(), process);
    fields.insert("type".into(), Json::from(r.kind.as_str()));
    fields.insert("f".into(), Json::from(&*r.f));
    if let Some(key) = &r.key {
        fields.insert(
            "key".into(),
            serde_json::to_value(key).unwrap_or(Json::Null),
        );
    }
    fields.insert(
        "value".into(),
        serde_json::to_value(&r.value).unwrap_or(Json::Null),
    );
    fields.insert("label".into(), Json::from(label.clone()));
    RawEvent {
        node: r.process.to_string(),
        time: r.time.map(Timestamp),
        label: Some(label),
        line: r.line,
        fields,
        ..RawEvent::default()
    }
}
