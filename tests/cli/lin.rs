//! `causal lin`: verdicts, explanations and exit statuses on small histories written for
//! these tests, history formats read as traces, and the shared corpus's verdicts.

use predicates::prelude::*;

use crate::{causal, corpus, fixture, run_ok};

fn path(name: &str) -> String {
    fixture(name).to_str().unwrap().to_string()
}

#[test]
fn a_linearizable_history_exits_0_with_one_line() {
    let out = run_ok(&["lin", &path("lin-register-ok.edn")], 0);
    assert_eq!(
        out,
        "linearizable: the 4 operations fit the register model\n"
    );
}

#[test]
fn a_violation_is_explained_with_prefix_candidates_and_window() {
    let out = run_ok(&["lin", &path("lin-cas-bad.edn")], 1);
    assert_eq!(
        out,
        "\
the history: not linearizable (4 operations)
  longest linearizable prefix: 2 of 4 operations
    1. 0  write 0  tests/fixtures/lin-cas-bad.edn:1-2  then 0
    2. 1  cas 0→1  tests/fixtures/lin-cas-bad.edn:3-5  then 1
  then the register holds 1
  2's cas 0→2 completed at tests/fixtures/lin-cas-bad.edn:6: it, or an operation invoked before then, goes next, and none fits:
    2  cas 0→2  tests/fixtures/lin-cas-bad.edn:4-6  the cas expected 0, but the register holds 1
  concurrent window, tests/fixtures/lin-cas-bad.edn:4 to tests/fixtures/lin-cas-bad.edn:6:
    1  ├─cas 0→1─┤
    2    ├─cas 0→2─┤ ✗

not linearizable: no order of the 4 operations fits the cas-register model
"
    );
}

#[test]
fn a_stale_read_is_named_with_the_write_that_overwrote_its_value() {
    let out = run_ok(&["lin", &path("lin-kv-stale.jsonl")], 1);
    assert_eq!(
        out,
        "\
key \"x\": not linearizable (3 operations)
  impossible: c2's get → \"a\" (tests/fixtures/lin-kv-stale.jsonl:7-9): the last operation that set \"a\", c1's put \"a\" (tests/fixtures/lin-kv-stale.jsonl:1-2), was overwritten by c1's put \"b\" (tests/fixtures/lin-kv-stale.jsonl:4-6) before the get was invoked
  longest linearizable prefix: 2 of 3 operations
    1. c1  put \"a\"    tests/fixtures/lin-kv-stale.jsonl:1-2  then \"a\"
    2. c1  put \"b\"    tests/fixtures/lin-kv-stale.jsonl:4-6  then \"b\"
  then key \"x\" holds \"b\"
  c2's get → \"a\" completed at tests/fixtures/lin-kv-stale.jsonl:9: it, or an operation invoked before then, goes next, and none fits:
    c2  get → \"a\"  tests/fixtures/lin-kv-stale.jsonl:7-9  the get returned \"a\", but key \"x\" holds \"b\"
  concurrent window, tests/fixtures/lin-kv-stale.jsonl:7 to tests/fixtures/lin-kv-stale.jsonl:9:
    c2  ├─get → \"a\"─┤ ✗

not linearizable: on 1 of 2 keys no order fits the kv model (6 operations checked)
"
    );
}

#[test]
fn json_reports_the_same_facts() {
    let out = run_ok(&["lin", &path("lin-cas-bad.edn"), "--format", "json"], 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["verdict"], "not-linearizable");
    assert_eq!(v["model"], "cas-register");
    let violation = &v["violations"][0];
    assert_eq!(violation["key"], serde_json::Value::Null);
    let prefix: Vec<_> = violation["prefix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["op"]["f"].as_str().unwrap(), p["state"].clone()))
        .collect();
    assert_eq!(prefix, vec![("write", 0.into()), ("cas", 1.into())]);
    assert_eq!(violation["state"], 1);
    assert_eq!(violation["blocking"]["invoke"]["line"], 4);
    assert_eq!(violation["candidates"][0]["kind"], "rejected");
    assert_eq!(violation["candidates"][0]["observed"], 0);
    assert_eq!(
        violation["candidates"][0]["op"]["invoked"],
        serde_json::json!([0, 2])
    );
    assert_eq!(violation["window"]["from"]["line"], 4);
    assert_eq!(violation["window"]["to"]["line"], 6);
    assert_eq!(violation["window"]["ops"].as_array().unwrap().len(), 2);
    assert_eq!(violation["impossible"], serde_json::Value::Null);
    let stale = run_ok(&["lin", &path("lin-kv-stale.jsonl"), "--format", "json"], 1);
    let v: serde_json::Value = serde_json::from_str(&stale).unwrap();
    let impossible = &v["violations"][0]["impossible"];
    assert_eq!(impossible["kind"], "overwritten");
    assert_eq!(impossible["value"], "a");
    assert_eq!(impossible["writer"]["invoke"]["line"], 1);
    assert_eq!(impossible["killer"]["invoke"]["line"], 4);
    assert_eq!(v["violations"][0]["key"], "x");
}

#[test]
fn jepsen_log_lines_are_read_and_other_lines_counted() {
    causal()
        .args(["lin", &path("lin-jepsen.log")])
        .assert()
        .code(0)
        .stdout("linearizable: the 4 operations fit the cas-register model; left out 1 operation that failed\n")
        .stderr("causal: warning: tests/fixtures/lin-jepsen.log: skipped 1 line that holds no operation\n");
}

#[test]
fn several_files_merge_by_time_and_need_times() {
    let out = run_ok(
        &["lin", &path("lin-node-a.edn"), &path("lin-node-b.edn")],
        0,
    );
    assert_eq!(
        out,
        "linearizable: the 3 operations fit the register model\n"
    );
    causal()
        .args(["lin", &path("lin-node-a.edn"), &path("lin-untimed.edn")])
        .assert()
        .code(2)
        .stdout("")
        .stderr("causal: tests/fixtures/lin-untimed.edn:1: expected :time (nanoseconds) on the record: several files are merged by time\n");
}

#[test]
fn the_model_and_the_initial_value_can_be_chosen() {
    // As a plain register the write of 1 and the read of 1 fit; from an initial 5 and with
    // cas-register semantics too.
    run_ok(
        &[
            "lin",
            &path("lin-register-ok.edn"),
            "--model",
            "cas-register",
        ],
        0,
    );
    // A read of nil fits only a register that starts empty.
    let history = "{:process 0, :type :invoke, :f :read, :value nil}\n{:process 0, :type :ok, :f :read, :value nil}\n";
    causal().args(["lin"]).write_stdin(history).assert().code(0);
    causal()
        .args(["lin", "--initial", "5"])
        .write_stdin(history)
        .assert()
        .code(1);
    causal()
        .args(["lin", "--initial", "[1"])
        .write_stdin(history)
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "causal: invalid --initial: expected `]`",
        ));
}

#[test]
fn a_timeout_answers_unknown_with_status_3() {
    causal()
        .args(["lin", &path("lin-cas-bad.edn"), "--timeout", "0s"])
        .assert()
        .code(3)
        .stdout("unknown: the timeout stopped the search before it could decide (4 operations, cas-register model)\n");
    causal()
        .args(["lin", &path("lin-cas-bad.edn"), "--timeout", "soon"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected a duration such as 10s"));
}

/// Bad histories: file, and the whole message after `causal: `.
const BAD: &[(&str, &str)] = &[
    ("lin-bad-type.edn", "tests/fixtures/lin-bad-type.edn:2:1: expected :type :invoke, :ok, :fail or :info, found :done"),
    ("lin-bad-f.edn", "tests/fixtures/lin-bad-f.edn:3: expected :f :read or :write for the register model, found :incr"),
    ("lin-bad-edn.edn", "tests/fixtures/lin-bad-edn.edn:2:47: expected `]`, found `}`"),
    ("lin-orphan.edn", "tests/fixtures/lin-orphan.edn:3: expected an :invoke by process 3 before this :ok"),
    ("plain.txt", "tests/fixtures/plain.txt:1: expected a history: Jepsen EDN operation maps"),
];

#[test]
fn bad_histories_name_file_line_and_expectation() {
    for (file, message) in BAD {
        causal()
            .args(["lin", &path(file)])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::starts_with(format!("causal: {message}")));
    }
}

#[test]
fn other_commands_read_a_history_as_a_trace() {
    let out = run_ok(&["stamp", "--format", "table", &path("lin-cas-bad.edn")], 0);
    assert_eq!(
        out,
        "\
LAMPORT  ID   NODE  KIND   MSG  VC     LABEL
      1  0#1  0     local       [0:1]  invoke write 0
      1  1#1  1     local       [1:1]  invoke cas [0 1]
      1  2#1  2     local       [2:1]  invoke cas [0 2]
      2  0#2  0     local       [0:2]  ok write 0
      2  1#2  1     local       [1:2]  ok cas [0 1]
      2  2#2  2     local       [2:2]  ok cas [0 2]
      3  0#3  0     local       [0:3]  invoke read nil
      4  0#4  0     local       [0:4]  ok read 2
"
    );
    let lines = run_ok(&["stamp", &path("lin-kv-stale.jsonl")], 0);
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(first["process"], "c1");
    assert_eq!(first["type"], "invoke");
    assert_eq!(first["key"], "x");
    // Ordinary event logs are not taken for histories.
    run_ok(&["lin", "--from", "edn", &path("lin-register-ok.edn")], 0);
    causal()
        .args(["stamp", &path("lin-jepsen.log")])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "skipped 1 line that holds no operation",
        ));
}

#[test]
fn generated_histories_are_seeded_and_get_the_verdict_they_were_made_for() {
    let gen = |extra: &[&str]| {
        let mut args = vec![
            "gen",
            "--history",
            "cas-register",
            "--ops",
            "400",
            "--processes",
            "6",
            "--seed",
            "9",
        ];
        args.extend_from_slice(extra);
        run_ok(&args, 0)
    };
    let good = gen(&[]);
    assert_eq!(good, gen(&[]));
    assert_eq!(
        good.lines().filter(|l| l.contains(":type :invoke")).count(),
        400
    );
    causal().arg("lin").write_stdin(good).assert().code(0);
    causal()
        .arg("lin")
        .write_stdin(gen(&["--stale-read"]))
        .assert()
        .code(1);
    let kv = run_ok(
        &[
            "gen",
            "--history",
            "kv",
            "--ops",
            "300",
            "--keys",
            "7",
            "--seed",
            "2",
            "--history-format",
            "jsonl",
            "--stale-read",
        ],
        0,
    );
    assert!(kv.starts_with("{\"process\":"));
    causal()
        .arg("lin")
        .write_stdin(kv)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("key \"0\": not linearizable"));
}

#[test]
fn a_planted_lost_update_is_found_in_every_model_even_with_one_process() {
    for model in ["register", "cas-register", "kv"] {
        for processes in ["1", "4"] {
            let history = run_ok(
                &[
                    "gen",
                    "--history",
                    model,
                    "--ops",
                    "200",
                    "--processes",
                    processes,
                    "--info",
                    "0.05",
                    "--seed",
                    "3",
                    "--lost-update",
                ],
                0,
            );
            causal()
                .args(["lin", "--model", model])
                .write_stdin(history)
                .assert()
                .code(1);
        }
    }
}

/// `histories/<dir>/<file>` and whether its project expects it linearizable.
fn corpus_verdicts(root: &std::path::Path) -> Vec<(std::path::PathBuf, bool)> {
    let dir = root.join("histories");
    let mut out = Vec::new();
    let verdicts = std::fs::read_to_string(dir.join("porcupine-jepsen/VERDICTS.txt"))
        .expect("porcupine-jepsen has VERDICTS.txt");
    for line in verdicts.lines().filter(|l| !l.trim().is_empty()) {
        let (file, verdict) = line.split_once(' ').expect("`FILE true|false`");
        out.push((
            dir.join("porcupine-jepsen").join(file),
            verdict.trim() == "true",
        ));
    }
    for sub in ["porcupine-kv", "knossos"] {
        let mut files: Vec<_> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            let good = name.starts_with("good_") || name.contains("-ok");
            let bad = name.starts_with("bad_") || name.contains("-bad");
            assert!(good != bad, "no verdict for {name}");
            out.push((file, good));
        }
    }
    out
}

#[test]
fn every_shared_history_gets_its_projects_verdict() {
    let Some(root) = corpus() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs ../shared/corpus/histories"
        );
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    };
    let cases = corpus_verdicts(&root);
    assert!(cases.len() >= 16, "{} histories", cases.len());
    for (file, linearizable) in cases {
        let code = if linearizable { 0 } else { 1 };
        causal()
            .args(["lin", file.to_str().unwrap()])
            .assert()
            .code(code);
        // The JSON report agrees, and reading the history as a trace works too.
        let json = run_ok(&["lin", file.to_str().unwrap(), "--format", "json"], code);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let expected = if linearizable {
            "linearizable"
        } else {
            "not-linearizable"
        };
        assert_eq!(v["verdict"], expected, "{}", file.display());
        causal()
            .args(["stamp", file.to_str().unwrap()])
            .assert()
            .code(0);
    }
}

#[test]
fn the_readme_shows_what_lin_prints_on_a_shared_history() {
    let readme = std::fs::read_to_string(crate::root().join("README.md")).unwrap();
    let command = "$ causal lin ../shared/corpus/histories/knossos/bad_rethink-fail-minimal.edn\n";
    let start = readme
        .find(command)
        .expect("the README shows lin on a shared history")
        + command.len();
    let shown = &readme[start..start + readme[start..].find("```").unwrap()];
    if corpus().is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs ../shared/corpus/histories"
        );
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    }
    let args: Vec<&str> = command[2..].split_whitespace().skip(1).collect();
    assert_eq!(run_ok(&args, 1), shown);
}
