//! `causal graph`: every format on every sample (snapshots), DOT checked by Graphviz, slicing,
//! awkward characters, empty input, a single node, wide traces.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

use predicates::prelude::*;
use serde_json::Value;

use crate::{causal, fixture, json_lines, path, run_ok};

const FORMATS: [&str; 4] = ["dot", "mermaid", "text", "json"];

/// The samples, as the arguments that read each.
fn samples() -> Vec<(&'static str, Vec<String>)> {
    let regex = std::fs::read_to_string(crate::root().join("samples/checkout.regex")).unwrap();
    vec![
        ("kv-store", vec!["samples/kv-store.jsonl".to_string()]),
        (
            "raft",
            vec![
                "samples/raft/n1.jsonl".to_string(),
                "samples/raft/n2.jsonl".to_string(),
                "samples/raft/n3.jsonl".to_string(),
            ],
        ),
        (
            "checkout",
            vec![
                "samples/checkout.log".to_string(),
                "--regex".to_string(),
                regex.trim_end().to_string(),
            ],
        ),
    ]
}

fn graph(input: &[String], extra: &[&str]) -> String {
    let mut args: Vec<&str> = vec!["graph"];
    args.extend(input.iter().map(String::as_str));
    args.extend(extra);
    run_ok(&args, 0)
}

fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

/// Renders `dot_source` with Graphviz and fails on any complaint. Without `dot` on the PATH the
/// check is skipped with a note, unless CI is set: CI installs Graphviz and must render.
fn assert_renders(dot_source: &str, what: &str) {
    let child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
                panic!("Graphviz `dot` is not installed, and CI must render every graph");
            }
            eprintln!("note: Graphviz `dot` not found, {what} not rendered (install graphviz)");
            return;
        }
        Err(e) => panic!("running dot: {e}"),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot_source.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "dot failed on {what}: {stderr}");
    assert!(stderr.trim().is_empty(), "dot warned on {what}: {stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
}

#[test]
fn every_format_of_every_sample_matches_its_snapshot() {
    for (name, input) in samples() {
        for format in FORMATS {
            let out = graph(&input, &["--format", format]);
            insta::assert_snapshot!(format!("{name}-{format}"), out);
        }
    }
}

#[test]
fn dot_of_every_sample_renders_with_graphviz() {
    let variants: [&[&str]; 3] = [
        &[],
        &["--clock", "vector"],
        &["--clock", "lamport", "--collapse-local"],
    ];
    let raft_slices: [&[&str]; 2] = [&["--nodes", "n1,n3"], &["--around", "n1#3", "--depth", "1"]];
    for (name, input) in samples() {
        let slices: &[&[&str]] = if name == "raft" { &raft_slices } else { &[] };
        for args in variants.iter().chain(slices) {
            let out = graph(&input, args);
            assert_renders(&out, &format!("{name} {args:?}"));
        }
    }
    for file in [
        "graph-awkward.jsonl",
        "graph-small.jsonl",
        "graph-single.jsonl",
        "graph-empty.jsonl",
    ] {
        let out = run_ok(&["graph", fixture(file).to_str().unwrap()], 0);
        assert_renders(&out, file);
    }
}

#[test]
fn dot_has_one_cluster_per_node_and_one_edge_per_receive() {
    let out = graph(&samples()[1].1, &[]);
    for (n, name) in ["n1", "n2", "n3"].iter().enumerate() {
        assert!(out.contains(&format!("subgraph cluster_{n} {{")), "{out}");
        assert!(
            out.contains(&format!("[label=\"{name}\", shape=box")),
            "{out}"
        );
    }
    // The RequestVote rv-1 is multicast: one edge to each receive.
    assert_eq!(out.matches("[label=\"rv-1\"").count(), 2, "{out}");
    // 55 events, 52 program-order edges (55 minus one first event per node).
    assert_eq!(out.matches(" [weight=10, color=").count(), 52);
}

#[test]
fn awkward_characters_are_escaped_in_every_format() {
    let file = fixture("graph-awkward.jsonl");
    let file = file.to_str().unwrap();
    let dot = run_ok(&["graph", file], 0);
    assert!(dot.contains(r#"[label="say \"hi\"", shape=box"#), "{dot}");
    assert!(dot.contains(r#"[label="back\\slash", shape=box"#), "{dot}");
    assert!(
        dot.contains(r#"[label="start \"quoted\"\nline one\nline two␉with tab"]"#),
        "{dot}"
    );
    assert!(dot.contains(r#"[label="multi\nline id\ngot it""#), "{dot}");
    assert!(dot.contains(r#"trailing\nbackslash \\""#), "{dot}");
    assert!(dot.contains("ünïcödé ☃ 日本語 🚀"), "{dot}");
    assert!(
        dot.contains(r#"label="lost\\msg (never received)""#),
        "{dot}"
    );
    assert_renders(&dot, "graph-awkward.jsonl");
    insta::assert_snapshot!("awkward-dot", dot);

    let mermaid = run_ok(&["graph", file, "--format", "mermaid"], 0);
    assert!(
        mermaid.contains("participant P1 as say \"hi\"\n"),
        "{mermaid}"
    );
    assert!(mermaid.contains("P1->>P0: m#59;1#35;x: "), "{mermaid}");
    assert!(mermaid.contains("-#gt; end"), "{mermaid}");
    // Outside Mermaid's entity codes, no `#` or `;` is left for its lexer to trip on.
    let entities = regex::Regex::new(r"#\w+;").unwrap();
    let bare = entities.replace_all(&mermaid, "");
    assert!(!bare.contains('#') && !bare.contains(';'), "{bare}");
    insta::assert_snapshot!("awkward-mermaid", mermaid);

    let text = run_ok(&["graph", file, "--format", "text"], 0);
    assert!(!text.contains('\t'));
    assert!(text.contains("multi line id  recv reply \"ok\""), "{text}");
    insta::assert_snapshot!("awkward-text", text);

    let json = parse_json(&run_ok(&["graph", file, "--format", "json"], 0));
    let ids: Vec<&str> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"multi\nline id"), "{ids:?}");
    assert!(ids.contains(&"start \"quoted\""), "{ids:?}");
    assert_eq!(json["nodes"][1], "say \"hi\"");
}

#[test]
fn empty_input_draws_an_empty_graph_in_every_format() {
    let empty = fixture("graph-empty.jsonl");
    let expected = [
        ("mermaid", "sequenceDiagram\n"),
        ("text", ""),
        (
            "json",
            "{\"version\":1,\"nodes\":[],\"focus\":null,\"events\":[\n],\"edges\":[\n]}\n",
        ),
    ];
    for (format, want) in expected {
        let out = run_ok(&["graph", empty.to_str().unwrap(), "--format", format], 0);
        assert_eq!(out, want, "{format}");
    }
    let dot = run_ok(&["graph", empty.to_str().unwrap()], 0);
    assert!(dot.contains("digraph causal {") && !dot.contains("cluster"));
    assert_renders(&dot, "empty input");
    // Standard input with nothing on it is empty input too.
    causal()
        .args(["graph", "--format", "json"])
        .write_stdin("")
        .assert()
        .code(0)
        .stdout(expected[2].1);
}

#[test]
fn a_single_node_is_one_lane_in_every_format() {
    let file = fixture("graph-single.jsonl");
    let file = file.to_str().unwrap();
    let dot = run_ok(&["graph", file], 0);
    assert_eq!(dot.matches("subgraph cluster_").count(), 1);
    // A message to itself is still a message edge.
    assert!(dot.contains("e2 -> e3 [label=\"self-1\""), "{dot}");
    let mermaid = run_ok(&["graph", file, "--format", "mermaid"], 0);
    assert!(
        mermaid.contains("    P0->>P0: self-1: enqueue for myself\n"),
        "{mermaid}"
    );
    let text = run_ok(&["graph", file, "--format", "text"], 0);
    insta::assert_snapshot!("single-text", text);
    let json = parse_json(&run_ok(&["graph", file, "--format", "json"], 0));
    assert_eq!(json["nodes"], serde_json::json!(["solo"]));
    assert_eq!(json["events"].as_array().unwrap().len(), 5);
}

#[test]
fn json_events_carry_the_clocks_stamp_computes() {
    let input = &samples()[0].1;
    let json = parse_json(&graph(input, &["--format", "json"]));
    let stamped = json_lines(&run_ok(&["stamp", &input[0]], 0));
    let events = json["events"].as_array().unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(events.len(), stamped.len());
    for (g, s) in events.iter().zip(&stamped) {
        assert_eq!(g["id"], s["id"]);
        assert_eq!(g["node"], s["node"]);
        assert_eq!(g["lamport"], s["lamport"]);
        assert_eq!(g["vc"], s["vc"]);
    }
    let ids: BTreeSet<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let edges = json["edges"].as_array().unwrap();
    let recvs = stamped.iter().filter(|e| e["kind"] == "recv").count();
    let messages = edges.iter().filter(|e| e["kind"] == "message").count();
    // Every receive has its edge (the one unmatched send adds a loose one).
    assert_eq!(messages, recvs + 1);
    for edge in edges {
        for end in [&edge["from"], &edge["to"]] {
            assert!(
                end.is_null() || ids.contains(end.as_str().unwrap()),
                "{edge}"
            );
        }
        match edge["kind"].as_str().unwrap() {
            "program" => assert!(edge["msg"].is_null()),
            "message" => assert!(edge["msg"].is_string()),
            other => panic!("edge kind {other}"),
        }
    }
}

#[test]
fn nodes_option_keeps_those_nodes_in_that_order() {
    let small = fixture("graph-small.jsonl");
    let small = small.to_str().unwrap();
    let json = parse_json(&run_ok(
        &["graph", small, "--format", "json", "--nodes", "c,a"],
        0,
    ));
    assert_eq!(json["nodes"], serde_json::json!(["c", "a"]));
    let edges = json["edges"].as_array().unwrap();
    // a's m1 goes to b, which is left out: the edge names b's receive.
    assert!(edges.iter().any(|e| e["from"] == "a#2" && e["to"] == "b#1"));
    assert!(edges
        .iter()
        .any(|e| e["from"] == "c#3" && e["to"] == "a-done"));
    let text = run_ok(
        &[
            "graph", small, "--format", "text", "--nodes", "c", "--nodes", "a",
        ],
        0,
    );
    assert!(text.starts_with("L c   a\n"), "{text}");
    assert!(text.contains("c#2  recv m2 (← b#2)"), "{text}");
}

#[test]
fn an_unknown_node_or_event_is_an_error_naming_it() {
    let small = fixture("graph-small.jsonl");
    causal()
        .args(["graph", small.to_str().unwrap(), "--nodes", "a,zed"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "causal: unknown node \"zed\" in --nodes: the nodes are \"a\", \"b\", \"c\", \"d\"",
        ));
    causal()
        .args(["graph", small.to_str().unwrap(), "--around", "nope"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "causal: unknown event id \"nope\"",
        ));
    causal()
        .args(["graph", small.to_str().unwrap(), "--depth", "3"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("--around <ID>"));
}

#[test]
fn around_keeps_the_events_within_depth_steps() {
    let small = fixture("graph-small.jsonl");
    let ids = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["graph", small.to_str().unwrap(), "--format", "json"];
        args.extend(extra);
        let json = parse_json(&run_ok(&args, 0));
        json["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&["--around", "b#2", "--depth", "1"]),
        ["b#1", "b#2", "b#3", "c#2"]
    );
    assert_eq!(
        ids(&["--around", "b#2", "--depth", "2"]),
        ["a#2", "b#1", "b#2", "b#3", "c#2", "c#3"]
    );
    assert_eq!(ids(&["--around", "a-done", "--depth", "0"]), ["a-done"]);
    let json = parse_json(&run_ok(
        &[
            "graph",
            small.to_str().unwrap(),
            "--format",
            "json",
            "--around",
            "a#2",
            "--depth",
            "6",
        ],
        0,
    ));
    assert_eq!(json["focus"], "a#2");
    let dot = run_ok(
        &[
            "graph",
            small.to_str().unwrap(),
            "--around",
            "b#1",
            "--depth",
            "1",
        ],
        0,
    );
    assert!(
        dot.contains("penwidth=2.5"),
        "the focus is highlighted: {dot}"
    );
}

#[test]
fn collapse_local_folds_runs_and_says_how_many() {
    let small = fixture("graph-small.jsonl");
    let small = small.to_str().unwrap();
    let json = parse_json(&run_ok(
        &["graph", small, "--format", "json", "--collapse-local"],
        0,
    ));
    let folded: Vec<&Value> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "folded")
        .collect();
    assert_eq!(folded.len(), 1, "a lone local event is not folded");
    assert_eq!(folded[0]["id"], "a#3..a#5");
    assert_eq!(folded[0]["count"], 3);
    assert_eq!(folded[0]["lamport"], 5);
    let edges = json["edges"].as_array().unwrap();
    assert!(edges
        .iter()
        .any(|e| e["from"] == "a#2" && e["to"] == "a#3..a#5" && e["kind"] == "program"));
    assert!(edges
        .iter()
        .any(|e| e["from"] == "a#3..a#5" && e["to"] == "a-done"));
    let dot = run_ok(&["graph", small, "--collapse-local"], 0);
    assert!(
        dot.contains("f2 [label=\"3 local events\\na#3 … a#5\""),
        "{dot}"
    );
    let mermaid = run_ok(
        &["graph", small, "--format", "mermaid", "--collapse-local"],
        0,
    );
    assert!(
        mermaid.contains("Note over P0: 3 local events a#35;3 … a#35;5\n"),
        "{mermaid}"
    );
    let text = run_ok(&["graph", small, "--format", "text", "--collapse-local"], 0);
    assert!(text.contains("3-5 ▣"), "{text}");
    assert!(text.contains("a#3 … a#5  3 local events"), "{text}");
}

#[test]
fn clock_option_adds_the_clock_to_each_event() {
    let small = fixture("graph-small.jsonl");
    let small = small.to_str().unwrap();
    let plain = run_ok(&["graph", small], 0);
    assert!(!plain.contains("\\nL1"));
    let lamport = run_ok(&["graph", small, "--clock", "lamport"], 0);
    assert!(
        lamport.contains("[label=\"c#2\\nforwarded by b\\nL5\""),
        "{lamport}"
    );
    let vector = run_ok(&["graph", small, "--clock", "vector"], 0);
    assert!(
        vector.contains("[label=\"c#2\\nforwarded by b\\n[a:2 b:2 c:2]\""),
        "{vector}"
    );
    let text = run_ok(&["graph", small, "--format", "text", "--clock", "none"], 0);
    assert!(text.starts_with("a   b   c   d\n"), "{text}");
    let text = run_ok(
        &["graph", small, "--format", "text", "--clock", "vector"],
        0,
    );
    assert!(text.contains("c#2 [a:2 b:2 c:2]  recv m2"), "{text}");
    let mermaid = run_ok(
        &["graph", small, "--format", "mermaid", "--clock", "lamport"],
        0,
    );
    assert!(
        mermaid.contains("P1->>P2: m2: forward to c [L4 → L5]"),
        "{mermaid}"
    );
}

#[test]
fn loose_message_ends_are_drawn_distinctly() {
    let small = fixture("graph-small.jsonl");
    let small = small.to_str().unwrap();
    let dot = run_ok(&["graph", small], 0);
    assert!(dot.contains("[style=dashed, color=\"#c0392b\", fontcolor=\"#c0392b\", label=\"lost (never received)\"]"), "{dot}");
    assert!(dot.contains("label=\"ghost (never sent)\""), "{dot}");
    let json = parse_json(&run_ok(&["graph", small, "--format", "json"], 0));
    let edges = json["edges"].as_array().unwrap();
    assert!(edges
        .iter()
        .any(|e| e["from"] == "c#4" && e["to"].is_null() && e["msg"] == "lost"));
    assert!(edges
        .iter()
        .any(|e| e["from"].is_null() && e["to"] == "d#1" && e["msg"] == "ghost"));
    let mermaid = run_ok(&["graph", small, "--format", "mermaid"], 0);
    assert!(
        mermaid.contains("Note over P3: d#35;1: recv ghost (never sent): from nowhere"),
        "{mermaid}"
    );
}

#[test]
fn a_wide_trace_names_the_nodes_it_leaves_out() {
    // Twelve nodes in a ring, each sending to the next.
    let mut input = String::new();
    for i in 0..12 {
        input.push_str(&format!(
            "{{\"node\":\"replica-{i:02}\",\"kind\":\"send\",\"msg\":\"m{i}\"}}\n"
        ));
        input.push_str(&format!(
            "{{\"node\":\"replica-{i:02}\",\"kind\":\"recv\",\"msg\":\"m{}\"}}\n",
            (i + 11) % 12
        ));
    }
    let out = causal()
        .args(["graph", "--format", "text"])
        .env("COLUMNS", "80")
        .write_stdin(input.clone())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.lines()
            .next()
            .unwrap()
            .starts_with("L replica-00  replica-01"),
        "{out}"
    );
    assert!(
        out.contains(
            "(8 nodes left out to fit 80 columns: replica-04, replica-05, replica-06, replica-07, \
         replica-08, replica-09, replica-10, replica-11; choose nodes with --nodes or set COLUMNS)"
        ),
        "{out}"
    );
    // The receive from a node left out says where its message came from.
    assert!(out.contains("replica-00#2  recv m11 (← re…"), "{out}");
    for line in out.lines().filter(|l| !l.starts_with('(')) {
        assert!(line.chars().count() <= 80, "{line:?} is wider than COLUMNS");
    }
    let picked = causal()
        .args([
            "graph",
            "--format",
            "text",
            "--nodes",
            "replica-11,replica-00",
        ])
        .env("COLUMNS", "80")
        .write_stdin(input)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let picked = String::from_utf8(picked).unwrap();
    assert!(picked.starts_with("L replica-11  replica-00\n"), "{picked}");
    assert!(!picked.contains("left out"), "{picked}");
}

#[test]
fn text_is_colored_only_when_asked() {
    let small = fixture("graph-small.jsonl");
    let small = small.to_str().unwrap();
    let plain = run_ok(&["graph", small, "--format", "text"], 0);
    assert!(!plain.contains('\u{1b}'));
    let painted = run_ok(
        &["--color", "always", "graph", small, "--format", "text"],
        0,
    );
    assert!(painted.contains("\u{1b}["));
    let dot = run_ok(&["--color", "always", "graph", small], 0);
    assert!(!dot.contains('\u{1b}'), "machine formats are never painted");
}

#[test]
fn graph_reads_standard_input_when_no_file_is_given() {
    let small = fixture("graph-small.jsonl");
    let from_file = run_ok(&["graph", small.to_str().unwrap(), "--format", "json"], 0);
    let input = std::fs::read_to_string(crate::root().join(&small)).unwrap();
    let from_stdin = causal()
        .args(["graph", "--format", "json"])
        .write_stdin(input)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(from_stdin).unwrap(), from_file);
}

#[test]
fn help_shows_examples_and_exit_statuses() {
    for command in ["graph", "hb", "past", "future"] {
        let out = run_ok(&[command, "--help"], 0);
        assert!(out.contains("Example"), "{command}: {out}");
        assert!(
            out.contains("Exit status:\n  0  success"),
            "{command}: {out}"
        );
    }
}

#[test]
fn the_readme_gallery_shows_what_the_commands_print() {
    let readme = std::fs::read_to_string(crate::root().join("README.md")).unwrap();
    let checkout = &samples()[2].1;
    let mermaid = graph(
        checkout,
        &["--format", "mermaid", "--nodes", "web,gateway,payments"],
    );
    assert!(
        readme.contains(&format!("```mermaid\n{mermaid}```")),
        "README's Mermaid block is stale:\n{mermaid}"
    );
    let raft = &samples()[1].1;
    let text = graph(raft, &["--format", "text"]);
    let head: String = text.lines().take(17).map(|l| format!("{l}\n")).collect();
    assert!(
        readme.contains(&format!("```text\n{head}```")),
        "README's terminal diagram is stale:\n{head}"
    );
    let hb = run_ok(&["hb", "n1#3", "n1#7", &raft[0], &raft[1], &raft[2]], 0);
    assert!(readme.contains(&hb), "README's hb example is stale:\n{hb}");
    assert!(crate::root().join("docs/raft.svg").is_file());
}

/// Positions Graphviz gives each vertex of `dot_source`, by name (`y` grows upwards), or `None`
/// when Graphviz is absent (outside CI).
fn dot_positions(dot_source: &str) -> Option<Vec<(String, String, f64, f64)>> {
    let child = Command::new("dot")
        .arg("-Tjson")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::skipped("Graphviz `dot` not found: layout not checked");
            return None;
        }
        Err(e) => panic!("running dot: {e}"),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot_source.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).expect("dot -Tjson writes JSON");
    let mut vertices = Vec::new();
    for o in doc["objects"].as_array().unwrap() {
        let (Some(name), Some(pos)) = (o["name"].as_str(), o["pos"].as_str()) else {
            continue;
        };
        let (x, y) = pos.split_once(',').unwrap();
        let label = o["label"].as_str().unwrap_or("").to_string();
        vertices.push((
            name.to_string(),
            label,
            x.parse().unwrap(),
            y.parse().unwrap(),
        ));
    }
    Some(vertices)
}

#[test]
fn dot_lanes_come_in_the_order_asked_under_level_headers_and_ranks_follow_lamport_clocks() {
    let cases: [(&str, Vec<String>, Option<&str>); 3] = [
        (
            "kv-store",
            vec!["samples/kv-store.jsonl".into()],
            Some("kv-3,alice,kv-1,bob,kv-2"),
        ),
        ("raft", samples()[1].1.clone(), None),
        (
            "graph-small",
            vec![fixture("graph-small.jsonl").to_str().unwrap().into()],
            Some("d,c,b,a"),
        ),
    ];
    for (name, input, order) in cases {
        let mut args: Vec<&str> = vec!["graph"];
        args.extend(input.iter().map(String::as_str));
        if let Some(order) = order {
            args.extend(["--nodes", order]);
        }
        let dot = run_ok(&args, 0);
        let Some(vertices) = dot_positions(&dot) else {
            return;
        };
        // Headers: the lanes' names, all at one height, left to right in the order asked.
        let headers: Vec<&(String, String, f64, f64)> =
            vertices.iter().filter(|v| v.0.starts_with('h')).collect();
        let names: Vec<&str> = headers.iter().map(|h| h.1.as_str()).collect();
        let mut by_x = headers.clone();
        by_x.sort_by(|a, b| a.2.total_cmp(&b.2));
        let left_to_right: Vec<&str> = by_x.iter().map(|h| h.1.as_str()).collect();
        match order {
            Some(order) => assert_eq!(left_to_right.join(","), order, "{name}"),
            None => assert_eq!(left_to_right, names, "{name}: name order"),
        }
        assert!(
            headers.iter().all(|h| h.3 == headers[0].3),
            "{name}: headers level"
        );
        // Events: their id is the label's first line; no event above one with a smaller
        // Lamport clock (Graphviz's y grows upwards).
        let mut stamp_args = vec!["stamp"];
        stamp_args.extend(input.iter().map(String::as_str));
        let lamport: std::collections::HashMap<String, u64> = json_lines(&run_ok(&stamp_args, 0))
            .iter()
            .map(|l| {
                (
                    l["id"].as_str().unwrap().to_string(),
                    l["lamport"].as_u64().unwrap(),
                )
            })
            .collect();
        let events: Vec<(u64, f64)> = vertices
            .iter()
            .filter(|v| v.0.starts_with('e'))
            .map(|v| {
                let id = v.1.split("\\n").next().unwrap();
                (lamport[id], v.3)
            })
            .collect();
        assert!(!events.is_empty());
        for a in &events {
            for b in &events {
                if a.0 < b.0 {
                    assert!(
                        a.1 > b.1,
                        "{name}: L{} at y {} not above L{} at y {}",
                        a.0,
                        a.1,
                        b.0,
                        b.1
                    );
                }
            }
        }
    }
}

/// Each participant's message ends (`send m` / `recv m`) in the order a Mermaid diagram shows
/// them: from arrows (sender and receiver) and from send/recv notes.
fn mermaid_ends(diagram: &str) -> std::collections::HashMap<String, Vec<String>> {
    let mut names = std::collections::HashMap::new();
    let mut ends: std::collections::HashMap<String, Vec<String>> = Default::default();
    let unescape = |s: &str| {
        s.replace("#gt;", ">")
            .replace("#lt;", "<")
            .replace("#35;", "#")
    };
    for line in diagram.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("participant ") {
            let (alias, name) = rest.split_once(" as ").unwrap();
            names.insert(alias.to_string(), name.to_string());
        } else if let Some((arrow, said)) = line.split_once(": ") {
            if let Some((from, to)) = arrow.split_once("->>") {
                let msg = unescape(said.split(": ").next().unwrap());
                ends.entry(names[from].clone())
                    .or_default()
                    .push(format!("send {msg}"));
                ends.entry(names[to].clone())
                    .or_default()
                    .push(format!("recv {msg}"));
            } else if let Some(over) = arrow.strip_prefix("Note over ") {
                let said = unescape(said);
                for (word, sep) in [("send ", " -> "), ("recv ", " <- ")] {
                    if let Some(rest) = said.strip_prefix(word) {
                        if let Some((msg, _)) = rest.split_once(sep) {
                            ends.entry(names[over].clone())
                                .or_default()
                                .push(format!("{word}{msg}"));
                        }
                    }
                }
            }
        }
    }
    ends
}

#[test]
fn mermaid_keeps_every_lane_in_program_order_and_notes_crossing_messages() {
    let crossing = run_ok(
        &[
            "graph",
            "--format",
            "mermaid",
            &path("graph-crossing.jsonl"),
        ],
        0,
    );
    assert_eq!(
        crossing,
        "sequenceDiagram\n    participant P0 as gateway\n    participant P1 as payments\n    \
         Note over P0: send m6 -#gt; payments\n    P1->>P0: m7: refund\n    \
         Note over P1: recv m6 #lt;- gateway\n"
    );
    for (name, input) in samples()
        .into_iter()
        .chain([("graph-crossing", vec![path("graph-crossing.jsonl")])])
    {
        let mut args = vec!["graph", "--format", "mermaid"];
        args.extend(input.iter().map(String::as_str));
        let ends = mermaid_ends(&run_ok(&args, 0));
        // Program order of each node's message ends, from stamp's output in input order.
        let mut stamp = vec!["stamp", "--order", "input"];
        stamp.extend(input.iter().map(String::as_str));
        let mut want: std::collections::HashMap<String, Vec<String>> = Default::default();
        for l in json_lines(&run_ok(&stamp, 0)) {
            if let (Some(kind @ ("send" | "recv")), Some(msg)) =
                (l["kind"].as_str(), l["msg"].as_str())
            {
                want.entry(l["node"].as_str().unwrap().to_string())
                    .or_default()
                    .push(format!("{kind} {msg}"));
            }
        }
        for (node, order) in &want {
            // Loose ends (never received or sent) are notes of another shape: compare the
            // message ends the diagram draws.
            let mut drawn = ends.get(node).cloned().unwrap_or_default();
            // A multicast is one send drawn as an arrow per receive, one after another.
            drawn.dedup();
            let expected: Vec<String> = order
                .iter()
                .filter(|e| drawn.contains(e))
                .cloned()
                .collect();
            assert_eq!(&drawn, &expected, "{name}: lane {node}");
        }
    }
}
