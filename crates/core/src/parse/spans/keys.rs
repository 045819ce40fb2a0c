//! Which data key a span touches under `--key-attr`, and whether it reads or writes it: never a
//! guess (an access of unknown direction is said so). Heuristics only; it builds no event.

use serde_json::Value;

use super::{Span, SpanKind};

/// Words that make a `--key-attr` access a read (first word of `db.operation`, of the key's
/// value when it is a statement, or of the span name; any case). Anything else is a write.
const READ_WORDS: &[&str] = &[
    "select",
    "get",
    "mget",
    "hget",
    "hgetall",
    "hmget",
    "read",
    "find",
    "findone",
    "query",
    "scan",
    "count",
    "exists",
    "lrange",
    "smembers",
    "zrange",
    "fetch",
    "head",
    "describe",
    "show",
    "search",
    "list",
    "aggregate",
];

/// Statement verbs that write, so that `UPDATE ...` in a span named `query` is a write.
const WRITE_WORDS: &[&str] = &[
    "insert", "update", "delete", "upsert", "merge", "replace", "create", "drop", "alter",
    "truncate", "set", "put", "post", "patch", "del", "incr", "decr", "hset", "lpush", "rpush",
    "sadd", "zadd", "write",
];

/// Which way a span accesses its `--key-attr` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Access {
    /// It reads the key (a query, a get, a consumer polling a topic).
    Read,
    /// It writes the key (an update, a put, a producer sending to a topic).
    Write,
    /// Nothing says which.
    Unknown,
}

/// Messaging operations that read a topic or queue.
const CONSUME_WORDS: &[&str] = &[
    "poll",
    "receive",
    "consume",
    "process",
    "fetch",
    "subscribe",
];

/// Messaging operations that write a topic or queue.
const PRODUCE_WORDS: &[&str] = &["send", "publish", "produce", "enqueue"];

/// The data key a span touches under `--key-attr NAME`, and which way: a CONSUMER span reads
/// its topic and a PRODUCER span writes it; otherwise the database or messaging operation
/// (`db.operation`, `messaging.operation`), the statement's first word or the span's name
/// decide; when none does, the direction is unknown.
pub(super) fn access(s: &Span, attr: &str) -> Option<(String, Access)> {
    let key = match s.attributes.get(attr)? {
        Value::String(v) if !v.trim().is_empty() => v.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    match s.kind {
        SpanKind::Consumer => return Some((key, Access::Read)),
        SpanKind::Producer => return Some((key, Access::Write)),
        _ => {}
    }
    let first_word = |text: &str| {
        text.split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
    };
    let direction = |w: &str| {
        if READ_WORDS.contains(&w) || CONSUME_WORDS.contains(&w) {
            Some(Access::Read)
        } else if WRITE_WORDS.contains(&w) || PRODUCE_WORDS.contains(&w) {
            Some(Access::Write)
        } else {
            None
        }
    };
    let named = [
        "db.operation",
        "db.operation.name",
        "db.method",
        "messaging.operation",
        "messaging.operation.type",
    ]
    .iter()
    .find_map(|k| s.attributes.get(*k).and_then(Value::as_str))
    .and_then(first_word);
    let found = named
        .as_deref()
        .and_then(direction)
        .or_else(|| first_word(&key).as_deref().and_then(direction))
        .or_else(|| first_word(&s.name).as_deref().and_then(direction))
        .unwrap_or(Access::Unknown);
    Some((key, found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_attr_reads_and_writes() {
        let mut s = Span {
            name: "query".into(),
            ..Span::default()
        };
        s.attributes
            .insert("db.statement".into(), "SELECT * FROM t".into());
        assert_eq!(
            access(&s, "db.statement").map(|(k, a)| (k, a == Access::Read)),
            Some(("SELECT * FROM t".into(), true))
        );
        s.attributes
            .insert("db.statement".into(), "UPDATE t SET x = 1".into());
        assert_eq!(access(&s, "db.statement").map(|a| a.1), Some(Access::Write));
        s.attributes.insert("db.name".into(), "users".into());
        s.attributes.insert("db.operation".into(), "GET".into());
        assert_eq!(access(&s, "db.name"), Some(("users".into(), Access::Read)));
        assert_eq!(access(&s, "nothing"), None);
    }

    #[test]
    fn consumers_read_producers_write_and_the_rest_is_never_guessed() {
        let mut s = Span {
            name: "poll".into(),
            kind: SpanKind::Consumer,
            ..Span::default()
        };
        s.attributes.insert("kafka.topic".into(), "orders".into());
        assert_eq!(access(&s, "kafka.topic").map(|a| a.1), Some(Access::Read));
        s.kind = SpanKind::Producer;
        assert_eq!(access(&s, "kafka.topic").map(|a| a.1), Some(Access::Write));
        s.kind = SpanKind::Internal;
        s.name = "on-message".into();
        assert_eq!(
            access(&s, "kafka.topic").map(|a| a.1),
            Some(Access::Unknown)
        );
        s.name = "receive".into();
        assert_eq!(access(&s, "kafka.topic").map(|a| a.1), Some(Access::Read));
        s.attributes
            .insert("db.statement".into(), "EXPLAIN SELECT 1".into());
        s.name = "statement".into();
        assert_eq!(
            access(&s, "db.statement").map(|a| a.1),
            Some(Access::Unknown)
        );
    }
}
