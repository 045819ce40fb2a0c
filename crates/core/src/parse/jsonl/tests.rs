//! Tests of the JSON Lines reader: fields, errors, and both paths reading lines alike.

mod lines {
    use super::super::*;
    use crate::model::{EventKind, Timestamp};

    fn ctx(default_node: Option<&str>) -> FileContext<'_> {
        FileContext {
            name: "a.jsonl",
            index: 0,
            default_node,
        }
    }

    fn err(text: &str) -> String {
        parse_line(text, 3, &ctx(None)).unwrap_err().to_string()
    }

    #[test]
    fn every_field_is_read() {
        let raw = parse_line(
            r#"{"host":"db","kind":"receive","msg":7,"to":["x"],"time":1.5,"label":"l","id":"e1","reads":"k","writes":["k","j"],"extra":{"a":1}}"#,
            1,
            &ctx(None),
        )
        .unwrap();
        assert_eq!(raw.node, "db");
        assert_eq!(raw.kind, Some(EventKind::Recv));
        assert_eq!(raw.msg.as_deref(), Some("7"));
        assert_eq!(raw.to, vec!["x"]);
        assert_eq!(raw.time, Some(Timestamp(1_500_000_000)));
        assert_eq!(raw.id.as_deref(), Some("e1"));
        assert_eq!(raw.reads, vec!["k"]);
        assert_eq!(raw.writes, vec!["k", "j"]);
        assert_eq!(raw.fields_text.unwrap().get("extra").unwrap()["a"], 1);
    }

    #[test]
    fn missing_node_falls_back_to_the_file_stem() {
        let raw = parse_line(r#"{"label":"x"}"#, 1, &ctx(Some("db-2"))).unwrap();
        assert_eq!(raw.node, "db-2");
    }

    #[test]
    fn errors_name_line_column_and_expectation() {
        assert_eq!(
            err(r#"{"node": 5}"#),
            "a.jsonl:3:2: expected \"node\" (string), found number"
        );
        assert_eq!(
            err(r#"{"node":"a","kind":"send"}"#),
            "a.jsonl:3:13: expected \"msg\" (string) on a send: a message id to match sends with receives"
        );
        assert!(err(r#"{"node":"a""#).starts_with("a.jsonl:3:11: expected a JSON object: EOF"));
        assert_eq!(
            err("[1]"),
            "a.jsonl:3:1: expected a JSON object, found array"
        );
        assert!(err(r#"{"label":"x"}"#).contains("use --node NAME"));
        assert!(err(r#"{"node":"a","time":"noon"}"#).starts_with("a.jsonl:3:13: expected \"time\""));
    }
}

/// Lines read as a reference reader written here, from the format's definition alone
/// (serde_json values, chrono), would read them: property-tested on random lines.
mod against_a_reference_reader {
    use std::collections::HashMap;

    use proptest::prelude::*;
    use serde_json::value::RawValue;
    use serde_json::Value;

    use super::super::*;
    use crate::model::{EventKind, Timestamp};

    /// (node, kind, msg, id, label, time, writes) as the format defines them.
    type Meaning = (
        String,
        Option<EventKind>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<Timestamp>,
        Vec<String>,
    );

    fn reference(text: &str) -> Meaning {
        let members: HashMap<String, Box<RawValue>> = serde_json::from_str(text).unwrap();
        let value = |k: &str| {
            members
                .get(k)
                .map(|v| serde_json::from_str::<Value>(v.get()).unwrap())
        };
        // A number id is its text as written.
        let id_text = |k: &str| {
            members
                .get(k)
                .map(|v| match serde_json::from_str::<Value>(v.get()).unwrap() {
                    Value::String(s) => s,
                    _ => v.get().to_string(),
                })
        };
        let kind = value("kind").map(|k| match k.as_str().unwrap().to_lowercase().as_str() {
            "send" => EventKind::Send,
            "recv" | "receive" => EventKind::Recv,
            _ => EventKind::Local,
        });
        let time = value("time").map(|t| match t {
            Value::String(s) => Timestamp(
                chrono::DateTime::parse_from_rfc3339(&s)
                    .unwrap()
                    .timestamp_nanos_opt()
                    .unwrap(),
            ),
            n => Timestamp((n.as_f64().unwrap() * 1e9).round() as i64),
        });
        let writes = value("writes")
            .map(|w| {
                w.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        (
            value("node").unwrap().as_str().unwrap().to_string(),
            kind,
            id_text("msg"),
            id_text("id"),
            value("label").map(|l| l.as_str().unwrap().to_string()),
            time,
            writes,
        )
    }

    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u64..100_000).prop_map(|n| n.to_string()),
            (1u32..9, 0u32..4).prop_map(|(m, e)| format!("{m}e{e}")),
            (1u32..9, 0u32..4).prop_map(|(m, e)| format!("{m}E+{e}")),
            (0u32..100, 1u32..999).prop_map(|(a, b)| format!("{a}.{b}")),
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9 #:-]{1,8}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            "[a-zé\t\"\\\\\u{1}]{1,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
        ]
    }

    fn line() -> impl Strategy<Value = String> {
        (
            "[a-z]{1,4}",
            prop::sample::select(vec!["local", "send", "recv", "Receive"]),
            prop_oneof![number(), text()],
            prop::option::of(prop_oneof![number(), text()]),
            prop::option::of(text()),
            prop::option::of(prop_oneof![
                number(),
                Just("\"2026-11-20T09:14:03.120Z\"".to_string())
            ]),
            prop::collection::vec(text(), 0..3),
            prop::option::of(text()),
        )
            .prop_map(|(node, kind, msg, id, label, time, writes, extra)| {
                let mut members = vec![
                    format!("\"node\":\"{node}\""),
                    format!("\"kind\":\"{kind}\""),
                    format!("\"msg\":{msg}"),
                ];
                if let Some(id) = id {
                    members.push(format!("\"id\":{id}"));
                }
                if let Some(label) = label {
                    members.push(format!("\"label\":{label}"));
                }
                if let Some(time) = time {
                    members.push(format!("\"time\":{time}"));
                }
                members.push(format!("\"writes\":[{}]", writes.join(",")));
                if let Some(extra) = extra {
                    members.push(format!("\"extra\":{extra}"));
                }
                format!("{{{}}}", members.join(","))
            })
    }

    proptest! {
        #[test]
        fn lines_read_as_the_reference_reads_them(text in line()) {
            let ctx = FileContext { name: "p.jsonl", index: 0, default_node: Some("stem") };
            let raw = parse_line(&text, 1, &ctx).unwrap();
            let got: Meaning = (
                raw.node, raw.kind, raw.msg, raw.id, raw.label, raw.time, raw.writes,
            );
            prop_assert_eq!(got, reference(&text), "{}", text);
        }
    }
}
