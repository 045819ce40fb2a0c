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

/// Both ways of reading a line must agree: the borrowed fast path and the general path that
/// unusual lines take. Property-tested on random lines, the general path forced.
#[cfg(test)]
mod two_paths {
    use proptest::prelude::*;

    use super::super::*;

    /// The general path alone, as `event_from_members` takes it when the fast one gives up.
    fn general(text: &str) -> Result<RawEvent, InputError> {
        let ctx = FileContext {
            name: "p.jsonl",
            index: 0,
            default_node: Some("stem"),
        };
        let RawObject(members) = serde_json::from_str::<RawObject<'_>>(text).expect("an object");
        let mut known = Map::new();
        for (key, value) in &members {
            if KNOWN.contains(&key.as_ref()) {
                let t = value.get();
                let parsed = if matches!(key.as_ref(), "msg" | "id") && is_number(t) {
                    Value::String(t.to_string())
                } else {
                    serde_json::from_str(t).expect("valid JSON")
                };
                known.insert(key.to_string(), parsed);
            }
        }
        event_from_object(known, text, 1, &ctx, Mode::Native)
    }

    /// What a line means, without its pass-through fields.
    fn meaning(raw: &RawEvent) -> impl PartialEq + std::fmt::Debug {
        (
            raw.node.clone(),
            raw.kind,
            raw.msg.clone(),
            raw.to.clone(),
            raw.time,
            raw.label.clone(),
            raw.id.clone(),
            raw.reads.clone(),
            raw.writes.clone(),
            raw.flags,
            raw.more_roles.clone(),
            raw.span.clone(),
        )
    }

    fn number() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u64..100_000).prop_map(|n| n.to_string()),
            (-500i64..500).prop_map(|n| n.to_string()),
            (1u32..9, 0u32..4).prop_map(|(m, e)| format!("{m}e{e}")),
            (1u32..9, 0u32..4).prop_map(|(m, e)| format!("{m}E+{e}")),
            (0u32..100, 1u32..999).prop_map(|(a, b)| format!("{a}.{b}")),
        ]
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z0-9 #:-]{0,8}".prop_map(|s| serde_json::to_string(&s).unwrap()),
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
        fn the_fast_and_the_general_path_read_a_line_alike(text in line()) {
            let ctx = FileContext { name: "p.jsonl", index: 0, default_node: Some("stem") };
            let fast = parse_line(&text, 1, &ctx);
            let slow = general(&text);
            match (&fast, &slow) {
                (Ok(a), Ok(b)) => prop_assert_eq!(meaning(a), meaning(b), "{}", text),
                (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
                _ => prop_assert!(false, "one path failed: {:?} / {:?} on {}", fast.is_ok(), slow.is_ok(), text),
            }
        }
    }
}
