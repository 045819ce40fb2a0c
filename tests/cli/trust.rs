//! Trust at the edges: every wrong answer found by trying `causal` as a new user would, each
//! with the exact output it must give now; and re-reading `causal`'s own output (stamped input,
//! `outside` marks) on every sample and every file of the shared corpus.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::{causal, corpus, json_lines, root, run_ok};

/// Writes `files` (name, text) into a fresh directory and returns it.
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("a fixture is written");
    }
    dir
}

/// Runs `causal ARGS` in `dir`; returns (status, stdout, stderr).
fn run_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut cmd = causal();
    cmd.current_dir(dir).args(args);
    if let Some(text) = stdin {
        cmd.write_stdin(text.to_string());
    }
    let out = cmd.output().expect("causal runs");
    (
        out.status.code().expect("an exit status"),
        String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    )
}

/// Runs `causal ARGS` in `dir` on a file `t.jsonl` holding `lines`.
fn on(lines: &[&str], args: &[&str]) -> (i32, String, String) {
    let text = lines.join("\n") + "\n";
    let dir = dir_with(&[("t.jsonl", &text)]);
    let mut all = args.to_vec();
    all.push("t.jsonl");
    run_in(dir.path(), &all, None)
}

// 1. Duplicate ids.

#[test]
fn two_events_with_one_id_are_an_input_error() {
    let (code, out, err) = on(
        &[r#"{"node":"a","id":"x"}"#, r#"{"node":"b","id":"x"}"#],
        &["stamp"],
    );
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        "causal: t.jsonl:2: id \"x\" already used at t.jsonl:1\n"
    );
}

#[test]
fn a_number_id_and_the_same_string_id_are_one_id() {
    let (code, _, err) = on(
        &[r#"{"node":"a","id":5}"#, r#"{"node":"b","id":"5"}"#],
        &["hb", "5", "5"],
    );
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "causal: t.jsonl:2: id \"5\" already used at t.jsonl:1\n"
    );
}

#[test]
fn an_id_equal_to_another_events_positional_name_is_an_input_error() {
    // b's id names a's first event, which has no id of its own.
    let (code, _, err) = on(
        &[r#"{"node":"a"}"#, r#"{"node":"b","id":"a#1"}"#],
        &["graph", "--format", "json"],
    );
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "causal: t.jsonl:2: id \"a#1\" already used at t.jsonl:1\n"
    );
    // The other way round: the positional name comes second.
    let (code, _, err) = on(
        &[
            r#"{"node":"b","id":"a#2"}"#,
            r#"{"node":"a"}"#,
            r#"{"node":"a"}"#,
        ],
        &["stamp"],
    );
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "causal: t.jsonl:3: id \"a#2\" already used at t.jsonl:1\n"
    );
}

#[test]
fn empty_node_and_empty_id_are_input_errors() {
    let (code, _, err) = on(&[r#"{"node":""}"#], &["stamp"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "causal: t.jsonl:1:2: expected \"node\" (string) to name a node, found \"\"\n"
    );
    let (code, _, err) = on(&[r#"{"node":"a","id":""}"#], &["stamp"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "causal: t.jsonl:1:13: expected \"id\" to name the event, found \"\"\n"
    );
}

// 2. Lost copies of a multicast, and receives nobody sent to.

#[test]
fn each_lost_copy_of_a_multicast_is_one_finding_and_a_stray_receive_is_unexpected() {
    let (code, out, _) = on(
        &[
            r#"{"node":"a","kind":"send","msg":"m","to":["b","c"]}"#,
            r#"{"node":"b","kind":"recv","msg":"m"}"#,
            r#"{"node":"d","kind":"recv","msg":"m"}"#,
        ],
        &["check", "--no-skew"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "t.jsonl:1: unmatched-send: a#1 on a sends \"m\" to b, c, but c never receives it \
         (c logged nothing in this input)\n\
         t.jsonl:3: unexpected-recv: d#1 on d receives \"m\" from a#1 on a, which sent it to b, c \
         only\n\n\
         2 findings (1 unmatched-send, 1 unexpected-recv)\n"
    );
}

#[test]
fn check_finds_exactly_the_copies_gen_lost() {
    let dir = tempfile::tempdir().unwrap();
    let lost = dir.path().join("lost.jsonl");
    for seed in ["1", "2", "3"] {
        let trace = run_ok(
            &[
                "gen",
                "--nodes",
                "7",
                "--events",
                "4000",
                "--loss",
                "0.05",
                "--seed",
                seed,
                "--lost",
                lost.to_str().unwrap(),
            ],
            0,
        );
        let want: BTreeSet<(String, String, String)> =
            json_lines(&std::fs::read_to_string(&lost).unwrap())
                .iter()
                .map(|l| {
                    let s = |k: &str| l[k].as_str().unwrap().to_string();
                    (s("msg"), s("from"), s("to"))
                })
                .collect();
        assert!(
            want.len() > 10,
            "the seed loses some copies: {}",
            want.len()
        );
        let out = causal()
            .args(["check", "--no-skew", "--format", "json"])
            .write_stdin(trace)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let got: BTreeSet<(String, String, String)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "unmatched-send")
            .map(|f| {
                (
                    f["msg"].as_str().unwrap().to_string(),
                    f["events"][0]["node"].as_str().unwrap().to_string(),
                    f["receiver"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(got, want, "seed {seed}");
    }
}

// 3. Each message role on its own.

#[test]
fn an_unreceived_message_of_an_event_whose_other_message_was_received_is_lost() {
    let (code, out, _) = on(
        &[
            r#"{"node":"a","kind":"send","msg":"m1","more_roles":[{"kind":"send","msg":"m2"}]}"#,
            r#"{"node":"b","kind":"recv","msg":"m1"}"#,
        ],
        &["check", "--no-skew"],
    );
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "t.jsonl:1: unmatched-send: a#1 on a sends \"m2\", but no event receives it\n\n\
         1 finding (1 unmatched-send)\n"
    );
}

#[test]
fn a_shiviz_event_received_by_two_hosts_keeps_both_messages() {
    // a#1 is received by b and by c: two send roles of one event, both matched.
    let log =
        "a {\"a\":1}\nhello\nb {\"a\":1, \"b\":1}\nfrom a\nc {\"a\":1, \"c\":1}\nfrom a too\n";
    let dir = dir_with(&[("v.log", log)]);
    let (code, out, _) = run_in(dir.path(), &["check", "--no-skew", "v.log"], None);
    assert_eq!((code, out.as_str()), (0, "no findings\n"));
    // Re-read from stamp's output, the roles are all there.
    let (_, stamped, _) = run_in(dir.path(), &["stamp", "v.log"], None);
    assert!(
        stamped.contains(r#""more_roles":[{"kind":"send","msg":"a#1->c#1"}]"#),
        "{stamped}"
    );
    let (code, out, _) = run_in(dir.path(), &["check", "--no-skew"], Some(&stamped));
    assert_eq!((code, out.as_str()), (0, "no findings\n"));
}

// 4. Synchronisation edges.

#[test]
fn the_last_release_of_a_lock_is_not_a_lost_message() {
    let std = "T1|acq(l)|1\nT1|w(x)|2\nT1|rel(l)|3\nT1|fork(T2)|4\nT2|acq(l)|5\nT2|rel(l)|6\n";
    let dir = dir_with(&[("t.std", std)]);
    let (code, out, _) = run_in(dir.path(), &["check", "t.std"], None);
    assert_eq!(
        (code, out.as_str()),
        (
            0,
            "no findings; no skew bounds (no message between two nodes has a time at both \
             ends)\n"
        )
    );
}

#[test]
fn the_shared_corpus_std_traces_have_no_findings() {
    let Some(corpus) = corpus() else {
        return crate::skipped("../shared/corpus not found");
    };
    for name in ["account", "clean", "mergesort", "twostage"] {
        let file = corpus.join(format!("rapid/{name}.std"));
        causal().arg("check").arg(&file).assert().code(0);
    }
}

// 5. Number ids, whichever way a line is read.

#[test]
fn a_number_message_id_is_its_text_as_written_on_every_path() {
    // The receive has an escape in its label, which takes the general path.
    let (code, out, _) = on(
        &[
            r#"{"node":"a","kind":"send","msg":1e3}"#,
            r#"{"node":"b","kind":"recv","msg":"1e3","label":"tab\there"}"#,
            r#"{"node":"c","kind":"send","msg":1000,"label":"\u00e9"}"#,
            r#"{"node":"d","kind":"recv","msg":1000}"#,
        ],
        &["check", "--no-skew"],
    );
    assert_eq!((code, out.as_str()), (0, "no findings\n"));
}

// 6. A forced format whose fields are absent.

#[test]
fn tracing_forced_on_ordinary_json_lines_is_an_error_at_line_1() {
    let (code, out, err) = on(
        &[r#"{"node":"a","label":"x"}"#],
        &["stamp", "--from", "tracing"],
    );
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        "causal: t.jsonl:1: expected a DistributedClocks/tracing record with \"TracerIdentity\" \
         and \"VectorClock\", found neither: if this is another format, name it with --from \
         FORMAT\n"
    );
}

// 7. Stamped input: causal's own output read back.

#[test]
fn a_future_keeps_its_clocks_and_marks_receives_of_sends_before_it() {
    let future = run_ok(&["future", "kv-1#2", "samples/kv-store.jsonl"], 0);
    let lines = json_lines(&future);
    let kv3 = lines.iter().find(|l| l["id"] == "kv-3#1").unwrap();
    assert_eq!(kv3["vc"], json!({"kv-1": 2, "kv-3": 1}));
    // kv-3's second receive of the epoch's ack chain came from a send before the cut.
    let marked: Vec<&str> = lines
        .iter()
        .filter(|l| l["outside"] == "send")
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert!(!marked.is_empty());
    // Read back, nothing is renumbered and nothing is lost or unmatched but the real loss.
    let again = causal()
        .arg("stamp")
        .write_stdin(future.clone())
        .assert()
        .code(0)
        .stderr("causal: reading <stdin> as stamped\n")
        .get_output()
        .stdout
        .clone();
    assert_eq!(String::from_utf8(again).unwrap(), future);
    let out = causal()
        .args(["check", "--no-skew"])
        .write_stdin(future)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("<stdin>:"), "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("<stdin>:") && l.contains("unmatched"))
            .count(),
        1,
        "only rep-3, the real loss: {text}"
    );
    assert!(text.contains("\"rep-3\""), "{text}");
}

#[test]
fn stamped_clocks_that_go_backwards_along_a_message_name_both_lines() {
    let lines = [
        r#"{"node":"a","kind":"send","msg":"m","id":"a#1","lamport":1,"vc":{"a":1}}"#,
        r#"{"node":"b","kind":"recv","msg":"m","id":"b#1","lamport":2,"vc":{"b":1}}"#,
    ];
    let (code, _, err) = on(&lines, &["stamp"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "causal: reading t.jsonl as stamped\n\
         causal: t.jsonl:2: expected the clocks of b#1 to come after those of its send a#1 at \
         t.jsonl:1: \"vc\" counts \"a\" 0 here and 1 there\n"
    );
}

#[test]
fn a_stamped_event_that_receives_nothing_cannot_learn_of_other_nodes() {
    // b#2 directly follows b#1 (its own count one more) and receives nothing, yet claims to
    // know a#2: no execution gives such clocks (fuzzing found the like; a ShiViz round trip
    // of it lost the claim).
    let lines = [
        r#"{"node":"a","kind":"send","msg":"m","id":"a#1","lamport":1,"vc":{"a":1}}"#,
        r#"{"node":"a","id":"a#2","lamport":2,"vc":{"a":2}}"#,
        r#"{"node":"b","kind":"recv","msg":"m","id":"b#1","lamport":2,"vc":{"a":1,"b":1}}"#,
        r#"{"node":"b","id":"b#2","lamport":3,"vc":{"a":2,"b":2}}"#,
    ];
    let (code, _, err) = on(&lines, &["stamp"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "causal: reading t.jsonl as stamped\n\
         causal: t.jsonl:4: expected b#2 to know of other nodes what b#1 at t.jsonl:3 knew and \
         no more, as it receives nothing: \"vc\" counts \"a\" 2 here and 1 there\n"
    );
    // A slice that left b's events out between the two may well show the jump, and a receive
    // (here of a message sent outside the input) may learn.
    let left_out = [
        lines[0],
        lines[1],
        lines[2],
        &lines[3].replace(r#""b":2"#, r#""b":3"#),
    ];
    let left_out: Vec<&str> = left_out.iter().map(|l| l.as_ref()).collect();
    let (code, _, err) = on(&left_out, &["stamp"]);
    assert_eq!(
        (code, err.as_str()),
        (0, "causal: reading t.jsonl as stamped\n")
    );
    let received = lines[3].replace(
        r#""id":"b#2""#,
        r#""kind":"recv","msg":"x","outside":"send","id":"b#2""#,
    );
    let (code, _, _) = on(&[lines[0], lines[1], lines[2], &received], &["stamp"]);
    assert_eq!(code, 0);
}

#[test]
fn stamped_input_needs_its_clocks_on_every_line() {
    let lines = [
        r#"{"node":"a","id":"a#1","lamport":1,"vc":{"a":1}}"#,
        r#"{"node":"a","id":"a#2"}"#,
    ];
    let (code, _, err) = on(&lines, &["stamp"]);
    assert_eq!(code, 2);
    assert!(
        err.ends_with(
            "causal: t.jsonl:2: expected \"lamport\" on every line of stamped input (the id, \
             node, lamport and vc that causal stamp writes); read the file with --from jsonl to \
             compute clocks instead\n"
        ),
        "{err}"
    );
    // Forced the other way, the same file is read as ordinary events.
    let (code, out, _) = on(&lines, &["stamp", "--from", "jsonl"]);
    assert_eq!(code, 0);
    assert_eq!(json_lines(&out)[1]["vc"], json!({"a": 2}));
}

/// Every input the round trips run on: (a name, the arguments that read it).
fn round_trip_inputs() -> Vec<(String, Vec<String>)> {
    let mut inputs: Vec<(String, Vec<String>)> = vec![
        ("kv-store".into(), vec!["samples/kv-store.jsonl".into()]),
        (
            "raft".into(),
            ["n1", "n2", "n3"]
                .iter()
                .map(|n| format!("samples/raft/{n}.jsonl"))
                .collect(),
        ),
        (
            "checkout".into(),
            vec![
                "samples/checkout.log".into(),
                "--regex".into(),
                std::fs::read_to_string(root().join("samples/checkout.regex"))
                    .unwrap()
                    .trim()
                    .to_string(),
            ],
        ),
    ];
    match corpus() {
        None => crate::skipped("../shared/corpus not found: round trips on the samples only"),
        Some(dir) => {
            let mut files: Vec<PathBuf> = Vec::new();
            for sub in [
                "shiviz",
                "rapid",
                "traces/jaeger",
                "traces/otlp",
                "traces/zipkin",
            ] {
                for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
                    let path = entry.unwrap().path();
                    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                    if !matches!(ext, "regex" | "delimiter") {
                        files.push(path);
                    }
                }
            }
            files.sort();
            for f in files {
                inputs.push((
                    f.file_name().unwrap().to_string_lossy().into_owned(),
                    vec![f.to_string_lossy().into_owned()],
                ));
            }
        }
    }
    inputs
}

/// Runs `causal ARGS...` with `input` appended; `None` when it fails.
fn try_run(args: &[&str], input: &[String], stdin: Option<&str>) -> Option<(i32, String)> {
    let mut cmd = causal();
    cmd.args(args).args(input);
    if let Some(text) = stdin {
        cmd.write_stdin(text.to_string());
    }
    let out = cmd.output().ok()?;
    let code = out.status.code()?;
    (code != 2).then(|| (code, String::from_utf8(out.stdout).unwrap()))
}

/// The findings of a check report as comparable keys.
fn findings(report: &str) -> BTreeSet<String> {
    let r: Value = serde_json::from_str(report).unwrap();
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let ids: Vec<&str> = f["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap())
                .collect();
            if f["kind"] == "skew-contradiction" {
                // Which negative cycle is named depends on the messages at hand.
                "skew-contradiction".to_string()
            } else {
                format!("{} {:?} {} {}", f["kind"], ids, f["msg"], f["receiver"])
            }
        })
        .collect()
}

#[test]
fn reading_back_a_cut_changes_nothing_on_every_sample_and_corpus_file() {
    // Hundreds of runs of the binary: two at a time.
    let inputs = round_trip_inputs();
    let (even, odd): (Vec<_>, Vec<_>) = inputs.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| round_trips(odd.into_iter().map(|(_, x)| x)));
        round_trips(even.into_iter().map(|(_, x)| x));
        other.join().expect("the other half passes");
    });
}

fn round_trips<'a>(inputs: impl Iterator<Item = &'a (String, Vec<String>)>) {
    let no_input: [String; 0] = [];
    for (name, input) in inputs {
        let Some((_, stamped)) = try_run(&["stamp"], input, None) else {
            // Files that causal rejects (a ShiViz log ShiViz rejects too) have no cuts.
            continue;
        };
        let ids: Vec<String> = json_lines(&stamped)
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_string())
            .collect();
        let (_, whole_check) =
            try_run(&["check", "--no-skew", "--format", "json"], input, None).unwrap();
        let whole = findings(&whole_check);
        // Events spread over the Lamport order: early and late.
        let picks: BTreeSet<&String> = [ids.len() / 4, ids.len() * 3 / 4]
            .iter()
            .filter_map(|&i| ids.get(i))
            .collect();
        for x in picks {
            let (_, past) = try_run(&["past", x], input, None).unwrap();
            let (_, restamped) = try_run(&["stamp"], &no_input, Some(&past))
                .unwrap_or_else(|| panic!("{name}: past {x} reads back"));
            assert_eq!(restamped, past, "{name}: past {x} | stamp");
            let (_, future) = try_run(&["future", x], input, None).unwrap();
            for (side, cut) in [("past", &past), ("future", &future)] {
                let (_, report) = try_run(
                    &["check", "--no-skew", "--format", "json"],
                    &no_input,
                    Some(cut),
                )
                .unwrap_or_else(|| panic!("{name}: {side} {x} | check"));
                let extra: Vec<String> = findings(&report).difference(&whole).cloned().collect();
                assert!(
                    extra.is_empty(),
                    "{name}: {side} {x} | check adds {extra:?}"
                );
            }
            let in_future: Vec<String> = json_lines(&future)
                .iter()
                .map(|l| l["id"].as_str().unwrap().to_string())
                .collect();
            let n = in_future.len();
            for (a, b) in [(0, n - 1), (n - 1, n / 2)] {
                let (a, b) = (&in_future[a], &in_future[b]);
                let (_, whole_hb) = try_run(&["hb", a, b], input, None).unwrap();
                let (_, cut_hb) = try_run(&["hb", a, b], &no_input, Some(&future))
                    .unwrap_or_else(|| panic!("{name}: future {x} | hb {a} {b}"));
                assert_eq!(cut_hb, whole_hb, "{name}: future {x} | hb {a} {b}");
            }
        }
    }
}

// 8. Smaller ones.

#[test]
fn regexes_mean_what_they_say_before_braces_are_escaped() {
    let dir = dir_with(&[("t.log", "é-12 web\nab-123 db\n")]);
    let pattern = r"^\p{L}+-\d{2,3} (?<node>\w+)$";
    let (code, out, _) = run_in(dir.path(), &["stamp", "t.log", "--regex", pattern], None);
    assert_eq!(code, 0);
    assert_eq!(json_lines(&out).len(), 2);
    let (code, _, _) = run_in(
        dir.path(),
        &[
            "stamp",
            "t.log",
            "--regex",
            r"^\x{e9}-12 (?<node>\w+)$",
            "--skip-unmatched",
        ],
        None,
    );
    assert_eq!(code, 0);
}

#[test]
fn json_errors_name_no_position_of_serde_json_s_own() {
    let (code, _, err) = on(&[r#"{"node":"a","x":{"y": [1,}}"#], &["stamp"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "causal: t.jsonl:1:26: expected a JSON object: expected value\n"
    );
}

#[test]
fn check_without_skew_bounds_says_nothing_of_them() {
    let (code, out, _) = on(&[r#"{"node":"a"}"#], &["check", "--no-skew"]);
    assert_eq!((code, out.as_str()), (0, "no findings\n"));
}

#[test]
fn execution_labels_keep_their_spaces() {
    let log = "=== Execution #2  ===\na {\"a\":1}\nhello\n";
    let dir = dir_with(&[
        ("x.log", log),
        ("x.regex", r"(?<host>\S*) (?<clock>{.*})\n(?<event>.*)"),
        ("x.delimiter", r"^=== (?<trace>.*) ===$"),
    ]);
    let (code, out, _) = run_in(dir.path(), &["stamp", "x.log"], None);
    assert_eq!(code, 0);
    assert_eq!(json_lines(&out)[0]["node"], "a");
    let (_, out, _) = run_in(
        dir.path(),
        &["stamp", "x.log", "--execution", "Execution #2 "],
        None,
    );
    assert_eq!(json_lines(&out).len(), 1);
}

#[test]
fn jaeger_ui_saved_state_is_read() {
    let trace = r#"{"data":{"traceID":"a1","spans":[{"traceID":"a1","spanID":"b1","operationName":"GET /","startTime":1700000000000000,"duration":1000,"processID":"p1","references":[]}],"processes":{"p1":{"serviceName":"web"}}},"id":"a1","state":"FETCH_DONE"}"#;
    let dir = dir_with(&[("ui.json", trace)]);
    let (code, out, err) = run_in(dir.path(), &["stamp", "ui.json"], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "causal: reading ui.json as jaeger\n");
    assert_eq!(json_lines(&out).len(), 2, "the span's start and end");
}

#[test]
fn a_govector_preamble_is_passed_over_and_said() {
    let dir = dir_with(&[(
        "g.log",
        "GoVector log of w\nw {\"w\":1}\nInitialization Complete\n",
    )]);
    let (code, out, err) = run_in(dir.path(), &["stamp", "--from", "govector", "g.log"], None);
    assert_eq!(code, 0);
    assert_eq!(json_lines(&out).len(), 1);
    assert_eq!(
        err,
        "causal: warning: g.log: skipped 1 line before the first GoVector clock line\n"
    );
}

#[test]
fn a_text_log_starting_with_a_bracket_gets_the_hint_to_name_its_format() {
    let dir = dir_with(&[("app.log", "[2026-11-20 09:14:00] web: started\n")]);
    let (code, _, err) = run_in(dir.path(), &["stamp", "app.log"], None);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "causal: app.log:1: expected a format causal reads (JSON Lines events, ...): name it with \
         --from FORMAT, or give --regex PATTERN for plain text\n"
    );
}

#[test]
fn empty_input_is_said() {
    let (code, out, err) = run_in(&root(), &["stamp"], Some(""));
    assert_eq!((code, out.as_str()), (0, ""));
    assert_eq!(
        err,
        "causal: warning: no events read: the input holds no event\n"
    );
}

#[test]
fn node_names_standard_input_only() {
    let dir = dir_with(&[("db-2.jsonl", "{\"label\":\"x\"}\n")]);
    let (code, out, _) = run_in(
        dir.path(),
        &["stamp", "--node", "web", "db-2.jsonl", "-"],
        Some("{\"label\":\"y\"}\n"),
    );
    assert_eq!(code, 0);
    let nodes: Vec<Value> = json_lines(&out).iter().map(|l| l["node"].clone()).collect();
    assert_eq!(nodes, [json!("db-2"), json!("web")]);
}

// 9. Honest samples and key directions.

#[test]
fn the_conflicts_help_example_finds_a_real_conflict() {
    let out = run_ok(
        &[
            "conflicts",
            "samples/kv-store.jsonl",
            "--keys",
            "cart:42",
            "--limit",
            "1",
        ],
        1,
    );
    assert!(
        out.starts_with("cart:42: 18 conflicts (4 write-write, 14 read-write)\n"),
        "{out}"
    );
}

#[test]
fn kafka_consumers_read_and_producers_write_their_topic() {
    let Some(corpus) = corpus() else {
        return crate::skipped("../shared/corpus not found");
    };
    let file = corpus.join("traces/zipkin/zipkin-lens__messaging-kafka.json");
    let out = causal()
        .args(["conflicts", "--key-attr", "kafka.topic", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ww: u64 = r["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["write_write"].as_u64().unwrap())
        .sum();
    assert_eq!(
        ww, 0,
        "producers on one service, consumers read: no write-write"
    );
}

// Text from logs never drives the terminal.

#[test]
fn control_characters_from_a_log_never_reach_the_terminal() {
    let hostile = crate::fixture("hostile.jsonl");
    let hostile = hostile.to_str().unwrap();
    for args in [
        &["conflicts"][..],
        &["check"],
        &["stamp", "--format", "table"],
        &["hb", "x\u{1b}[2J", "b#1"],
        &["graph", "--format", "text"],
        &["past", "nobody"],
    ] {
        for color in ["never", "always"] {
            let out = causal()
                .args(args)
                .arg(hostile)
                .args(["--color", color])
                .output()
                .unwrap();
            // Colors are ESC [ ... m; nothing else may carry an ESC, a BEL or a C1 control.
            for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
                let text = String::from_utf8_lossy(bytes);
                let stripped = strip_colors(&text);
                assert!(
                    !stripped.contains(['\u{1b}', '\u{7}', '\u{9b}']),
                    "{args:?} --color {color} {stream}: {stripped:?}"
                );
            }
        }
    }
}

/// `text` without the color sequences a palette writes (`ESC [ digits ; ... m`).
fn strip_colors(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let end = tail.find(|c: char| !(c.is_ascii_digit() || c == ';'));
        match end {
            Some(i) if tail[i..].starts_with('m') => rest = &tail[i + 1..],
            _ => {
                out.push('\u{1b}');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn colored_skew_bounds_align_as_plain_ones() {
    let plain = run_ok(&["check", "samples/kv-store.jsonl", "--color", "never"], 1);
    let colored = run_ok(&["check", "samples/kv-store.jsonl", "--color", "always"], 1);
    assert_ne!(plain, colored);
    assert_eq!(strip_colors(&colored), plain);
}

#[test]
fn spans_read_back_from_stamped_output_export_the_same_slices() {
    let direct = run_ok(
        &[
            "stamp",
            "--format",
            "chrome",
            "tests/fixtures/otlp-rpc.json",
        ],
        0,
    );
    let stamped = run_ok(&["stamp", "tests/fixtures/otlp-rpc.json"], 0);
    let out = causal()
        .args(["stamp", "--format", "chrome"])
        .write_stdin(stamped)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), direct);
    assert!(direct.contains(r#""ph":"B""#), "spans are slices");
}
