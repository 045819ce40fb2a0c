//! Distributed traces: OTLP, Jaeger and Zipkin JSON read into events and messages, each
//! format's quirks on fixtures of our own, `--links-as-causal`, `--key-attr`, the Chrome
//! export, bad input, and every trace of the shared corpus.

use std::collections::{BTreeMap, HashMap};

use predicates::prelude::*;
use serde_json::{json, Value};

use crate::{causal, corpus, fixture, json_lines, path, run_ok};

/// Stamps `args` (exit 0) and returns the events by id, with stderr.
fn stamp(args: &[&str]) -> (BTreeMap<String, Value>, String) {
    let mut all = vec!["stamp"];
    all.extend_from_slice(args);
    let out = causal().args(&all).assert().code(0).get_output().clone();
    let events = json_lines(&String::from_utf8(out.stdout).unwrap())
        .into_iter()
        .map(|e| (e["id"].as_str().unwrap().to_string(), e))
        .collect();
    (events, String::from_utf8(out.stderr).unwrap())
}

fn ev<'a>(events: &'a BTreeMap<String, Value>, id: &str) -> &'a Value {
    events
        .get(id)
        .unwrap_or_else(|| panic!("no event {id} in {:?}", events.keys().collect::<Vec<_>>()))
}

/// Every (kind, msg) role of a stamped event.
fn roles(e: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let (Some(k), Some(m)) = (e["kind"].as_str(), e["msg"].as_str()) {
        out.push((k.to_string(), m.to_string()));
    }
    for r in e["more_roles"].as_array().into_iter().flatten() {
        out.push((
            r["kind"].as_str().unwrap().to_string(),
            r["msg"].as_str().unwrap().to_string(),
        ));
    }
    out
}

/// Message edges (sender id, receiver id) of a stamped trace.
fn edges(events: &BTreeMap<String, Value>) -> Vec<(String, String)> {
    let mut sender = HashMap::new();
    for (id, e) in events {
        for (k, m) in roles(e) {
            if k == "send" {
                sender.insert(m, id.clone());
            }
        }
    }
    let mut out: Vec<(String, String)> = events
        .iter()
        .flat_map(|(id, e)| {
            roles(e)
                .into_iter()
                .filter(|(k, _)| k == "recv")
                .map(|(_, m)| (sender[&m].clone(), id.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    v.sort();
    v
}

/// Whether `a` happened before `b`, from their vector clocks and program positions.
fn before(events: &BTreeMap<String, Value>, a: &str, b: &str) -> bool {
    let (ea, eb) = (ev(events, a), ev(events, b));
    let node = ea["node"].as_str().unwrap();
    let pos = ea["vc"][node].as_u64().unwrap();
    a != b && eb["vc"][node].as_u64().unwrap_or(0) >= pos
}

#[test]
fn otlp_rpc_gives_a_message_each_way_per_call_and_a_node_per_service_and_host() {
    let (events, err) = stamp(&[&path("otlp-rpc.json")]);
    assert!(
        err.contains("reading tests/fixtures/otlp-rpc.json as otlp"),
        "{err}"
    );
    assert_eq!(
        events.len(),
        11,
        "5 spans, 2 events each, and one span event"
    );
    let nodes: Vec<&str> = events
        .values()
        .map(|e| e["node"].as_str().unwrap())
        .collect();
    for n in ["frontend@host-a", "payments@host-b", "ledger@host-b"] {
        assert!(
            nodes.contains(&n),
            "two services on host-b are two nodes: {n}"
        );
    }
    // Upper-case ids with leading zeros match their lower-case parent references.
    assert_eq!(
        edges(&events),
        pairs(&[
            ("00f067aa0ba902b7:start", "53995c3f42cd8ad8:start"),
            ("53995c3f42cd8ad8:end", "00f067aa0ba902b7:end"),
            ("1e4f1e2b5a6c7d8e:start", "9a8b7c6d5e4f3a2b:start"),
            ("9a8b7c6d5e4f3a2b:end", "1e4f1e2b5a6c7d8e:end"),
        ])
    );
    let root_end = ev(&events, "b7ad6b7169203331:end");
    assert_eq!(root_end["lamport"], 11);
    assert_eq!(
        root_end["vc"],
        json!({"frontend@host-a": 4, "ledger@host-b": 2, "payments@host-b": 5})
    );
    // Times from strings and from numbers; kinds from numbers and from names.
    let server = ev(&events, "53995c3f42cd8ad8:start");
    assert_eq!(server["time"], "2023-11-14T22:13:20.020Z");
    assert_eq!(server["span_kind"], "server");
    assert_eq!(ev(&events, "00f067aa0ba902b7:start")["span_kind"], "client");
    assert_eq!(ev(&events, "9a8b7c6d5e4f3a2b:start")["span_kind"], "server");
    assert_eq!(
        ev(&events, "9a8b7c6d5e4f3a2b:start")["attributes"]["http.status_code"],
        200
    );
    // The span event sits between its span's start and end, in time order.
    let inner = ev(&events, "53995c3f42cd8ad8:event1");
    assert_eq!(inner["label"], "card checked");
    assert_eq!(inner["vc"]["payments@host-b"], 2);
    assert_eq!(inner["attributes"]["card.kind"], "visa");
    assert_eq!(
        ev(&events, "53995c3f42cd8ad8:end")["status"],
        json!({"code": "error", "message": "declined once"})
    );
    assert_eq!(ev(&events, "b7ad6b7169203331:start")["scope"], "web");
}

#[test]
fn otlp_json_lines_link_producer_to_consumer_and_a_missing_parent_is_a_root() {
    let (events, err) = stamp(&[&path("otlp-lines.jsonl")]);
    assert_eq!(events.len(), 6);
    assert_eq!(
        edges(&events),
        pairs(&[("aaaaaaaaaaaaaaa1:start", "bbbbbbbbbbbbbbb2:start")]),
        "a producer sends to its consumer, with no reply"
    );
    assert_eq!(
        err.matches("read as root").count(),
        1,
        "one note for the missing parent: {err}"
    );
    assert!(
        err.contains("1 span names a parent span that is not in the input; read as root: aaaaaaaaaaaaaaa1 (tests/fixtures/otlp-lines.jsonl:1)"),
        "{err}"
    );
    let root = ev(&events, "aaaaaaaaaaaaaaa1:start");
    assert_eq!(root["missing_parent"], true);
    assert_eq!(root["parent_id"], "1111111111111111");
    assert!(before(
        &events,
        "bbbbbbbbbbbbbbb2:end",
        "ccccccccccccccc3:start"
    ));
}

#[test]
fn links_are_recorded_and_only_order_events_when_asked() {
    let (plain, _) = stamp(&[&path("otlp-links.json")]);
    let batch = ev(&plain, "c000000000000001:start");
    assert_eq!(batch["links"].as_array().unwrap().len(), 3);
    assert_eq!(
        batch["links"][1],
        json!({"trace_id": "22222222222222222222222222222222", "span_id": "b000000000000001",
               "attributes": {"batch.index": 1}})
    );
    assert!(edges(&plain).is_empty());
    assert!(!before(
        &plain,
        "a000000000000001:start",
        "c000000000000001:start"
    ));

    let (causal_links, _) = stamp(&[&path("otlp-links.json"), "--links-as-causal"]);
    assert_eq!(
        edges(&causal_links),
        pairs(&[
            ("a000000000000001:start", "c000000000000001:start"),
            ("b000000000000001:start", "c000000000000001:start"),
        ]),
        "the link to a span not in the input stays a record"
    );
    assert!(before(
        &causal_links,
        "a000000000000001:start",
        "c000000000000001:start"
    ));
    assert!(before(
        &causal_links,
        "b000000000000001:start",
        "c000000000000001:end"
    ));
}

#[test]
fn key_attr_makes_span_attributes_keys_that_conflicts_reads() {
    let (events, _) = stamp(&[&path("otlp-db.json"), "--key-attr", "db.sql.table"]);
    assert_eq!(
        ev(&events, "e000000000000001:start")["reads"],
        json!(["accounts"])
    );
    assert_eq!(
        ev(&events, "e000000000000002:start")["writes"],
        json!(["accounts"])
    );
    assert_eq!(
        ev(&events, "d000000000000001:start")["writes"],
        json!(["accounts"])
    );
    assert_eq!(ev(&events, "d000000000000001:end").get("writes"), None);

    let report = |attr: &str| -> Value {
        let out = run_ok(
            &[
                "conflicts",
                &path("otlp-db.json"),
                "--key-attr",
                attr,
                "--format",
                "json",
            ],
            1,
        );
        serde_json::from_str(&out).unwrap()
    };
    let by_table = report("db.sql.table");
    assert_eq!(by_table["total"], 2, "{by_table}");
    assert_eq!(by_table["keys"][0]["write_write"], 1);
    assert_eq!(by_table["keys"][0]["read_write"], 1);
    // The same UPDATE statement from two services is one key, written twice.
    let by_statement = report("db.statement");
    assert_eq!(by_statement["total"], 1);
    assert_eq!(
        by_statement["keys"][0]["key"],
        "UPDATE accounts SET balance = balance - 10 WHERE id = 7"
    );
    // Without the option, spans touch no keys.
    run_ok(&["conflicts", &path("otlp-db.json")], 0);
}

#[test]
fn jaeger_envelope_follows_references_and_normalises_shortened_ids() {
    let (events, err) = stamp(&[&path("jaeger-envelope.json")]);
    assert!(err.contains("as jaeger"), "{err}");
    assert!(!err.contains("warning"), "every parent is found: {err}");
    assert_eq!(events.len(), 9);
    assert_eq!(
        edges(&events),
        pairs(&[
            ("0b2c3d4e5f607182:start", "c3d4e5f607182930:start"),
            ("c3d4e5f607182930:end", "0b2c3d4e5f607182:end"),
            ("c3d4e5f607182930:start", "d4e5f60718293a4b:start"),
        ]),
        "client and server exchange two messages; a FOLLOWS_FROM child gets one"
    );
    let client = ev(&events, "0b2c3d4e5f607182:start");
    assert_eq!(client["trace_id"], "0f0e1d2c3b4a59687f0e1d2c3b4a5968");
    assert_eq!(client["node"], "frontend@web-1");
    assert_eq!(client["time"], "2023-11-14T22:13:20.010Z");
    assert_eq!(
        ev(&events, "c3d4e5f607182930:start")["node"],
        "stock@10.0.0.2"
    );
    assert_eq!(
        ev(&events, "c3d4e5f607182930:start")["attributes"]["error"],
        false
    );
    let reindex = ev(&events, "d4e5f60718293a4b:start");
    assert_eq!(reindex["node"], "indexer");
    assert_eq!(reindex["ref_type"], "follows_from");
    let log = ev(&events, "c3d4e5f607182930:event1");
    assert_eq!(log["label"], "cache miss");
    assert_eq!(log["attributes"]["key"], "sku-42");
}

#[test]
fn a_bare_jaeger_trace_reads_like_its_envelope() {
    let envelope = run_ok(&["stamp", &path("jaeger-envelope.json")], 0);
    let bare = run_ok(&["stamp", &path("jaeger-bare.json")], 0);
    assert_eq!(envelope, bare);
}

#[test]
fn a_flat_jaeger_array_takes_child_of_before_follows_from_and_keeps_the_rest_as_links() {
    let (events, _) = stamp(&[&path("jaeger-flat.json")]);
    assert_eq!(
        edges(&events),
        pairs(&[
            ("00000000000000f1:start", "00000000000000f2:start"),
            ("00000000000000f2:end", "00000000000000f1:end"),
        ])
    );
    let server = ev(&events, "00000000000000f2:start");
    assert_eq!(server["node"], "auth@auth-1");
    assert_eq!(server["parent_id"], "00000000000000f1");
    assert_eq!(
        server["links"],
        json!([{"trace_id": "7a7a7a7a7a7a7a7a", "span_id": "00000000000000f9",
                "attributes": {"ref_type": "follows_from"}}])
    );
    // Another trace's CHILD_OF is a link; the same trace's FOLLOWS_FROM is the parent.
    let check = ev(&events, "00000000000000f3:start");
    assert_eq!(check["parent_id"], "00000000000000f2");
    assert_eq!(check["links"][0]["trace_id"], "6b6b6b6b6b6b6b6b");
    assert_eq!(check["links"][0]["attributes"]["ref_type"], "child_of");
    // Same node: nested by program order, no message.
    assert!(before(
        &events,
        "00000000000000f2:start",
        "00000000000000f3:start"
    ));
    assert!(before(
        &events,
        "00000000000000f3:end",
        "00000000000000f2:end"
    ));
}

#[test]
fn a_zipkin_shared_server_span_is_its_clients_child() {
    let (events, _) = stamp(&[&path("zipkin-shared.json")]);
    assert_eq!(events.len(), 9);
    assert_eq!(
        edges(&events),
        pairs(&[
            (
                "2000000000000002:client:start",
                "2000000000000002:server:start"
            ),
            ("2000000000000002:server:end", "2000000000000002:client:end"),
        ])
    );
    let server = ev(&events, "2000000000000002:server:start");
    assert_eq!(server["node"], "backend@10.0.0.2");
    assert_eq!(server["shared"], true);
    // The local span naming the shared id belongs to the server, on its node.
    assert!(before(
        &events,
        "2000000000000002:server:start",
        "3000000000000003:start"
    ));
    assert!(before(
        &events,
        "3000000000000003:end",
        "2000000000000002:server:end"
    ));
    assert_eq!(
        ev(&events, "3000000000000003:start")["attributes"]["sku"],
        "42"
    );
    assert_eq!(
        ev(&events, "2000000000000002:client:event1")["label"],
        "wire send"
    );
    assert_eq!(
        ev(&events, "2000000000000002:client:start")["remote_endpoint"],
        json!({"serviceName": "backend"})
    );
}

#[test]
fn zipkin_lists_of_lists_and_spans_without_times_are_read() {
    let (events, err) = stamp(&[&path("zipkin-lists.json")]);
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(events.len(), 6);
    // `a11` and the padded 128-bit `...0a11` are one trace id.
    assert_eq!(
        edges(&events),
        pairs(&[
            ("00000000000000a1:start", "00000000000000b1:start"),
            ("00000000000000b1:end", "00000000000000a1:end"),
        ])
    );
    let serve = ev(&events, "00000000000000b1:start");
    assert_eq!(serve.get("time"), None, "no timestamp: no time");
    assert_eq!(
        ev(&events, "00000000000000c1:start")["time"],
        "2023-11-14T22:13:20.050Z"
    );
    assert_eq!(
        ev(&events, "00000000000000c1:end").get("time"),
        None,
        "no duration"
    );
}

#[test]
fn a_server_starting_before_its_client_is_a_clock_violation() {
    let out = run_ok(&["check", &path("zipkin-skew.json"), "--format", "json"], 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report}");
    assert_eq!(findings[0]["kind"], "clock-violation");
    let bound = &report["skew"][0];
    assert_eq!(
        (bound["a"].as_str(), bound["b"].as_str()),
        (Some("app@10.1.0.1"), Some("store@10.1.0.2"))
    );
    // The server started 60 ms before the client and replied 70 ms before the client's end.
    let near = |v: &Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-9;
    assert!(near(&bound["hi"], -0.06), "{bound}");
    assert!(near(&bound["lo"], -0.07), "{bound}");
}

#[test]
fn auto_detection_names_each_trace_format_and_from_names_it_too() {
    for (file, format) in [
        ("otlp-rpc.json", "otlp"),
        ("otlp-lines.jsonl", "otlp"),
        ("jaeger-envelope.json", "jaeger"),
        ("jaeger-bare.json", "jaeger"),
        ("jaeger-flat.json", "jaeger"),
        ("zipkin-shared.json", "zipkin"),
        ("zipkin-lists.json", "zipkin"),
    ] {
        causal()
            .args(["stamp", &path(file)])
            .assert()
            .code(0)
            .stderr(predicate::str::contains(format!("as {format}\n")));
        let named = run_ok(&["stamp", "--from", format, &path(file)], 0);
        assert_eq!(named, run_ok(&["stamp", &path(file)], 0));
    }
    // Standard input is recognised from its content too.
    let text = std::fs::read_to_string(fixture("zipkin-shared.json")).unwrap();
    causal()
        .args(["stamp", "-"])
        .write_stdin(text)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("reading <stdin> as zipkin"));
}

#[test]
fn spans_from_several_files_find_their_parents_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("zipkin-shared.json")).unwrap())
            .unwrap();
    let spans = doc.as_array().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    std::fs::write(&a, serde_json::to_string(&spans[..2]).unwrap()).unwrap();
    std::fs::write(&b, serde_json::to_string(&spans[2..]).unwrap()).unwrap();
    let split = run_ok(&["stamp", a.to_str().unwrap(), b.to_str().unwrap()], 0);
    let whole = run_ok(&["stamp", &path("zipkin-shared.json")], 0);
    assert_eq!(split, whole);
}

/// Chrome Trace Event JSON as Perfetto reads it: slices nest per thread, every flow has one
/// start and one end, each bound to an event of its thread at its time.
fn assert_chrome_structure(out: &str, nodes: &[&str], flows: usize) -> Value {
    let doc: Value = serde_json::from_str(out).expect("chrome output is one JSON object");
    let events = doc["traceEvents"].as_array().unwrap();
    let names: Vec<&str> = events
        .iter()
        .filter(|e| e["ph"] == "M" && e["name"] == "process_name")
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, nodes, "one process per node, in node order");
    let mut stacks: HashMap<(u64, u64), Vec<String>> = HashMap::new();
    let mut last_ts: HashMap<(u64, u64), f64> = HashMap::new();
    let mut flow_ends: HashMap<u64, (u32, u32)> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        let ph = e["ph"].as_str().unwrap();
        if ph == "M" {
            continue;
        }
        let key = (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
        let ts = e["ts"].as_f64().unwrap();
        let prev = last_ts.insert(key, ts).unwrap_or(f64::MIN);
        assert!(ts >= prev, "time goes forward on each thread: {e}");
        match ph {
            "B" => stacks
                .entry(key)
                .or_default()
                .push(e["name"].as_str().unwrap().to_string()),
            "E" => {
                assert!(
                    stacks.entry(key).or_default().pop().is_some(),
                    "E without B: {e}"
                );
            }
            "i" => assert_eq!(e["s"], "t"),
            "s" | "f" => {
                let id = e["id"].as_u64().unwrap();
                let entry = flow_ends.entry(id).or_default();
                if ph == "s" {
                    entry.0 += 1;
                } else {
                    entry.1 += 1;
                    assert_eq!(e["bp"], "e");
                }
                // Bound to the slice or instant of the same thread and time that the run of
                // flow events it belongs to sits next to.
                let is_flow = |x: &Value| x["ph"] == "s" || x["ph"] == "f";
                let lo = events[..i].iter().rposition(|x| !is_flow(x));
                let hi = events[i..].iter().position(|x| !is_flow(x)).map(|p| p + i);
                let bound = lo.into_iter().chain(hi).any(|j| {
                    let x = &events[j];
                    matches!(x["ph"].as_str(), Some("B" | "E" | "i"))
                        && x["pid"] == e["pid"]
                        && x["tid"] == e["tid"]
                        && x["ts"] == e["ts"]
                });
                assert!(bound, "flow event next to its event: {e}");
            }
            other => panic!("unexpected phase {other}"),
        }
    }
    assert!(stacks.values().all(Vec::is_empty), "every B has its E");
    assert_eq!(flow_ends.len(), flows, "one flow per message edge");
    assert!(
        flow_ends.values().all(|&c| c == (1, 1)),
        "each flow id has one s and one f"
    );
    doc
}

#[test]
fn chrome_export_draws_spans_as_slices_and_messages_as_flows() {
    let out = run_ok(&["stamp", "--format", "chrome", &path("otlp-rpc.json")], 0);
    let doc = assert_chrome_structure(
        &out,
        &["frontend@host-a", "ledger@host-b", "payments@host-b"],
        4,
    );
    let events = doc["traceEvents"].as_array().unwrap();
    let count = |ph: &str| events.iter().filter(|e| e["ph"] == ph).count();
    assert_eq!((count("B"), count("E"), count("i")), (5, 5, 1));
    assert_eq!(doc["otherData"]["clock"], "wall");
    assert_eq!(doc["otherData"]["origin"], "2023-11-14T22:13:20Z");
    let server = events
        .iter()
        .find(|e| e["ph"] == "B" && e["args"]["id"] == "9a8b7c6d5e4f3a2b:start")
        .unwrap();
    assert_eq!(server["ts"], 40000, "microseconds from the earliest event");
    assert_eq!(server["name"], "POST /ledger");
    assert_eq!(server["args"]["lamport"], 6);
}

#[test]
fn chrome_export_puts_overlapping_spans_of_one_node_on_separate_lanes() {
    let threads = |doc: &Value| -> Vec<String> {
        doc["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["name"] == "thread_name")
            .map(|e| e["args"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let out = run_ok(&["stamp", "--format", "chrome", &path("otlp-db.json")], 0);
    let doc = assert_chrome_structure(&out, &["api-1", "api-2"], 0);
    assert_eq!(
        threads(&doc),
        ["api-1", "api-2"],
        "sequential spans share a lane"
    );

    let out = run_ok(
        &["stamp", "--format", "chrome", &path("zipkin-overlap.json")],
        0,
    );
    let doc = assert_chrome_structure(&out, &["worker"], 0);
    assert_eq!(threads(&doc), ["worker (1)", "worker (2)"]);
    let events = doc["traceEvents"].as_array().unwrap();
    let tid_of = |name: &str| {
        events
            .iter()
            .find(|e| e["name"] == name && e["ph"] != "M")
            .map(|e| e["tid"].as_u64().unwrap())
            .unwrap()
    };
    assert_eq!(
        tid_of("job a"),
        tid_of("step"),
        "a child nests on its parent's lane"
    );
    assert_ne!(
        tid_of("job a"),
        tid_of("job b"),
        "overlapping spans get their own lanes"
    );
    assert_eq!(
        tid_of("halfway"),
        tid_of("job b"),
        "a span's event is on its lane"
    );

    let out = run_ok(
        &["stamp", "--format", "chrome", &path("zipkin-lists.json")],
        0,
    );
    assert_chrome_structure(&out, &["alpha", "beta"], 2);
}

#[test]
fn chrome_export_of_a_client_and_its_shared_server_is_pinned() {
    let out = run_ok(
        &["stamp", "--format", "chrome", &path("zipkin-shared.json")],
        0,
    );
    assert_chrome_structure(&out, &["backend@10.0.0.2", "frontend@10.0.0.1"], 2);
    insta::assert_snapshot!("zipkin-shared-chrome", out);
}

#[test]
fn stamped_otlp_output_is_pinned() {
    let out = run_ok(&["stamp", &path("otlp-rpc.json")], 0);
    insta::assert_snapshot!("otlp-rpc-jsonl", out);
}

/// One fixture per defect: file, `--from` (or auto), and the start of the message.
const BAD: &[(&str, &str, &str)] = &[
    ("otlp-bad-json.json", "auto", "otlp-bad-json.json:5:57: expected JSON: trailing comma"),
    ("otlp-bad-kind.json", "auto", "otlp-bad-kind.json:10:15: expected \"kind\" as 0-5 or a name such as SPAN_KIND_SERVER, found \"SIDEWAYS\""),
    ("otlp-bad-time.json", "auto", "otlp-bad-time.json:3:4: expected \"startTimeUnixNano\" as integer Unix nanoseconds (a number or a string), found \"soon\""),
    ("otlp-no-span-id.json", "auto", "otlp-no-span-id.json:2:3: expected \"spanId\" (hex string) in a span"),
    ("otlp-bad-lines.jsonl", "auto", "otlp-bad-lines.jsonl:2:2: expected \"resourceSpans\" (array), found number"),
    ("jaeger-bad-process.json", "auto", "jaeger-bad-process.json:10:7: expected \"processID\" to name one of the trace's processes, found \"p9\""),
    ("jaeger-bad-json.json", "jaeger", "jaeger-bad-json.json:6:41: expected JSON: expected `,` or `}`"),
    ("zipkin-bad-kind.json", "auto", "zipkin-bad-kind.json:5:5: expected \"kind\" to be CLIENT, SERVER, PRODUCER or CONSUMER, found \"SERVR\""),
    ("zipkin-bad-item.json", "zipkin", "zipkin-bad-item.json:3:3: expected Zipkin v2 JSON (a list of spans, or a list of lists of spans), found number in it"),
    ("std-bad.std", "auto", "std-bad.std:3:4: expected an STD line `thread|op(arg)|loc`"),
    ("std-no-arg.std", "std", "std-no-arg.std:2:4: expected an argument in \"r()\""),
    ("plain.txt", "otlp", "plain.txt:1:1: expected JSON: expected value"),
];

#[test]
fn malformed_traces_fail_naming_file_line_and_column() {
    for (file, from, message) in BAD {
        causal()
            .args(["stamp", "--from", from, &path(file)])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "causal: tests/fixtures/{message}"
            )));
    }
}

/// Nodes, events and message edges `causal stamp` finds in each trace of the shared corpus.
const CORPUS: &[(&str, usize, usize, usize)] = &[
    (
        "traces/jaeger/jaeger-ui__TraceGraph__testTrace.json",
        2,
        22,
        3,
    ),
    (
        "traces/jaeger/jaeger-ui__TraceStatistics__spansAmongEachOther.json",
        2,
        24,
        2,
    ),
    ("traces/jaeger/jaeger-ui__otlp2jaeger-out.json", 1, 2, 0),
    (
        "traces/jaeger/jaeger__anonymizer__trace_success.json",
        2,
        4,
        1,
    ),
    ("traces/otlp/jaeger-ui__otlp2jaeger-multi-in.jsonl", 1, 8, 0),
    (
        "traces/otlp/jaeger__integration__example_trace.json",
        3,
        20,
        0,
    ),
    ("traces/otlp/jaeger__memory__otel_traces_01.json", 1, 16, 0),
    ("traces/otlp/otel-proto__examples__trace.json", 1, 2, 0),
    ("traces/zipkin/zipkin-lens__ascend.json", 3, 16, 4),
    ("traces/zipkin/zipkin-lens__messaging-kafka.json", 2, 56, 3),
    ("traces/zipkin/zipkin-lens__messaging.json", 2, 8, 1),
    ("traces/zipkin/zipkin-lens__skew.json", 2, 8, 2),
    ("rapid/account.std", 4, 15, 4),
    ("rapid/clean.std", 8, 867, 244),
    ("rapid/mergesort.std", 5, 167, 55),
    ("rapid/twostage.std", 12, 83, 29),
];

#[test]
fn every_corpus_trace_is_stamped_with_the_expected_counts() {
    let Some(dir) = corpus() else {
        return crate::skipped("../shared/corpus not found");
    };
    for &(file, nodes, n_events, n_edges) in CORPUS {
        let p = dir.join(file);
        let (events, _) = stamp(&[p.to_str().unwrap()]);
        let distinct: std::collections::BTreeSet<&str> = events
            .values()
            .map(|e| e["node"].as_str().unwrap())
            .collect();
        assert_eq!(
            (distinct.len(), events.len(), edges(&events).len()),
            (nodes, n_events, n_edges),
            "{file}: nodes, events, message edges"
        );
        let chrome = run_ok(&["stamp", "--format", "chrome", p.to_str().unwrap()], 0);
        serde_json::from_str::<Value>(&chrome).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    // The corpus's skewed trace: the server span starts 65.4 ms before its client.
    let skew = dir.join("traces/zipkin/zipkin-lens__skew.json");
    let out = run_ok(&["check", "--format", "json", skew.to_str().unwrap()], 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    let violations: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "clock-violation")
        .collect();
    assert_eq!(violations.len(), 1, "{report}");
    // The Kafka trace: one producer's message reaches consumers on two nodes.
    let kafka = dir.join("traces/zipkin/zipkin-lens__messaging-kafka.json");
    let (events, _) = stamp(&[kafka.to_str().unwrap()]);
    let poll = ev(&events, "0562809467078eab:start");
    assert_eq!(poll["span_kind"], "consumer");
    assert_eq!(poll.get("kind"), None, "the consumer root receives nothing");
}

#[test]
fn chrome_export_without_times_places_events_by_lamport_clock() {
    let out = run_ok(&["stamp", "--format", "chrome", &path("std-locks.std")], 0);
    let doc = assert_chrome_structure(&out, &["T1", "T2", "main"], 5);
    assert_eq!(doc["otherData"]["clock"], "lamport");
    for e in doc["traceEvents"].as_array().unwrap() {
        if e["ph"] == "i" {
            assert_eq!(
                e["ts"], e["args"]["lamport"],
                "one tick per microsecond: {e}"
            );
        }
        assert!(e["ph"] != "B", "STD has no spans: {e}");
    }
}

#[test]
fn chrome_export_of_a_native_log_draws_instants_and_every_message() {
    let (events, _) = stamp(&["samples/kv-store.jsonl"]);
    let out = run_ok(
        &["stamp", "--format", "chrome", "samples/kv-store.jsonl"],
        0,
    );
    let nodes: std::collections::BTreeSet<&str> = events
        .values()
        .map(|e| e["node"].as_str().unwrap())
        .collect();
    let nodes: Vec<&str> = nodes.into_iter().collect();
    let doc = assert_chrome_structure(&out, &nodes, edges(&events).len());
    assert_eq!(doc["otherData"]["clock"], "wall");
}

#[test]
fn compressed_traces_read_like_plain_ones() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("trace.json.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&std::fs::read(fixture("jaeger-envelope.json")).unwrap())
        .unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    assert_eq!(
        run_ok(&["stamp", gz.to_str().unwrap()], 0),
        run_ok(&["stamp", &path("jaeger-envelope.json")], 0)
    );
}

#[test]
fn times_that_contradict_the_span_edges_reorder_a_node_instead_of_making_a_cycle() {
    // alpha's server span e2 is timed before alpha's client span c1, yet it serves a call
    // that c1 caused through beta: program order must follow the edges, not the clock.
    let (events, err) = stamp(&[&path("zipkin-loop.json")]);
    assert!(
        err.contains("1 span event taken out of its node's time order"),
        "{err}"
    );
    assert!(before(
        &events,
        "00000000000000c1:start",
        "00000000000000e2:start"
    ));
    assert!(before(
        &events,
        "00000000000000e2:end",
        "00000000000000c1:end"
    ));
    let out = run_ok(&["check", "--format", "json", &path("zipkin-loop.json")], 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "clock-violation"),
        "{report}"
    );
}
