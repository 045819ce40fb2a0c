//! Parquet: `stamp --format parquet` written and read back to the same trace (every sample,
//! fixtures of every input format, the shared corpus), partitions, bad files, and the SQL of
//! docs/sql.md run by DuckDB against causal's own answers.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{Field, Schema};
use serde_json::{json, Value};

use crate::view::on_terminal;
use crate::{causal, corpus, fixture, json_lines, report, root, run_ok, skipped};

/// Runs `causal ARGS` from the repository root; returns (status, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = causal().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Checks that `stamp INPUT --format parquet`, read back, stamps as `stamp INPUT` does, with
/// each `--vc` (a file without clocks is read as events and stamped afresh): byte for byte as
/// its stamped JSON Lines read back, and to the same JSON values, in the same order, as
/// `stamp INPUT` (reading stamped lines back may spell a string's escapes differently).
fn round_trip(input: &[&str], dir: &Path) {
    let file = dir.join("t.parquet");
    let lines = dir.join("t.jsonl");
    for vc in ["full", "delta", "none"] {
        let mut write = vec!["stamp"];
        write.extend_from_slice(input);
        write.extend(["--format", "parquet", "--vc", vc, "-o", arg(&file)]);
        let (code, out, err) = run(&write);
        assert_eq!((code, out.as_str()), (0, ""), "{input:?} --vc {vc}: {err}");
        let back_vc = if vc == "none" { "full" } else { vc };
        let mut want = vec!["stamp"];
        want.extend_from_slice(input);
        want.extend(["--vc", back_vc]);
        let (code, want, err) = run(&want);
        assert_eq!(code, 0, "{err}");
        std::fs::write(&lines, &want).unwrap();
        let (code, got, err) = run(&["stamp", arg(&file), "--vc", back_vc]);
        assert_eq!(code, 0, "{input:?} --vc {vc}: {err}");
        assert_eq!(
            err,
            format!("causal: reading {} as parquet\n", file.display())
        );
        let (code, read_back, _) = run(&["stamp", arg(&lines), "--vc", back_vc]);
        assert_eq!(code, 0);
        assert_eq!(got, read_back, "{input:?} --vc {vc}");
        let values =
            |text: &str| -> Vec<String> { json_lines(text).iter().map(Value::to_string).collect() };
        assert_eq!(values(&got), values(&want), "{input:?} --vc {vc}");
    }
}

#[test]
fn every_sample_reads_back_from_parquet_as_its_stamped_lines() {
    let dir = tempfile::tempdir().unwrap();
    let regex = std::fs::read_to_string(root().join("samples/checkout.regex")).unwrap();
    let inputs: Vec<Vec<&str>> = vec![
        vec!["samples/kv-store.jsonl"],
        vec![
            "samples/raft/n1.jsonl",
            "samples/raft/n2.jsonl",
            "samples/raft/n3.jsonl",
        ],
        vec!["samples/checkout.log", "--regex", regex.trim_end()],
        vec!["samples/slow-path.jsonl"],
        vec!["samples/slow-path-2.jsonl"],
    ];
    for input in inputs {
        round_trip(&input, dir.path());
    }
}

#[test]
fn fixtures_of_every_input_format_read_back_from_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures: &[&[&str]] = &[
        &["handworked.jsonl.gz"],
        &["hostile.jsonl"],
        &["fuzz-control-names.jsonl"],
        &["otlp-rpc.json"],
        &["otlp-links.json"],
        &["jaeger-envelope.json"],
        &["shiviz-executions.log"],
        &[
            "govector-client-Log.txt",
            "govector-server-Log.txt",
            "govector-db-Log.txt",
        ],
        &["parquet-traces.jsonl"],
        &["parquet-names.jsonl"],
    ];
    for names in fixtures {
        let paths: Vec<String> = names.iter().map(|n| crate::path(n)).collect();
        let args: Vec<&str> = paths.iter().map(String::as_str).collect();
        round_trip(&args, dir.path());
    }
    // Stamped input with `outside` marks (a cut) keeps its clocks and marks.
    let past = run_ok(&["past", "kv-1#2", "samples/kv-store.jsonl"], 0);
    let cut = dir.path().join("past.jsonl");
    std::fs::write(&cut, &past).unwrap();
    assert!(past.contains(r#""outside":"recv""#));
    round_trip(&[arg(&cut)], dir.path());
}

#[test]
fn the_shared_corpus_reads_back_from_parquet() {
    let Some(corpus) = corpus() else {
        return skipped("../shared/corpus not found");
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = Vec::new();
    for sub in ["shiviz", "traces", "rapid"] {
        for entry in std::fs::read_dir(corpus.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext, "regex" | "delimiter" | "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut tried = 0;
    for file in &files {
        // Only what `causal` stamps cleanly by itself (some corpus logs need options).
        if run(&["stamp", arg(file)]).0 != 0 {
            continue;
        }
        round_trip(&[arg(file)], dir.path());
        tried += 1;
    }
    assert!(tried >= 10, "only {tried} corpus files stamped");
}

#[test]
fn parquet_is_refused_on_a_terminal() {
    let Some((code, text)) = on_terminal("stamp samples/kv-store.jsonl --format parquet") else {
        return;
    };
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains(
            "causal: standard output is a terminal: write Parquet to a file with -o FILE"
        ),
        "{text}"
    );
    assert!(!text.contains("PAR1"), "{text}");
}

#[test]
fn parquet_to_a_redirect_is_the_same_file_as_with_o() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kv.parquet");
    run_ok(
        &[
            "stamp",
            "samples/kv-store.jsonl",
            "--format",
            "parquet",
            "-o",
            arg(&file),
        ],
        0,
    );
    let out = causal()
        .args(["stamp", "samples/kv-store.jsonl", "--format", "parquet"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, std::fs::read(&file).unwrap());
    assert!(out.stdout.starts_with(b"PAR1") && out.stdout.ends_with(b"PAR1"));
    // And through standard input, where only the content can say it is Parquet.
    let back = causal()
        .arg("stamp")
        .write_stdin(out.stdout)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(back.stdout).unwrap(),
        run_ok(&["stamp", "samples/kv-store.jsonl"], 0)
    );
}

#[test]
fn other_formats_write_to_o_too_and_parquet_options_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kv.jsonl");
    run_ok(&["stamp", "samples/kv-store.jsonl", "-o", arg(&file)], 0);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        run_ok(&["stamp", "samples/kv-store.jsonl"], 0)
    );
    for (args, message) in [
        (
            &["--partition-by", "node", "-o", "x"][..],
            "causal: --partition-by needs --format parquet\n",
        ),
        (
            &["--format", "parquet", "--hlc", "-o", "x"][..],
            "causal: --hlc needs --format jsonl\n",
        ),
        (
            &["--format", "table", "--vc", "delta"][..],
            "causal: --vc delta and --vc none need --format jsonl or parquet\n",
        ),
    ] {
        let mut all = vec!["stamp", "samples/kv-store.jsonl"];
        all.extend_from_slice(args);
        assert_eq!(run(&all), (2, String::new(), message.to_string()));
    }
}

/// The files under `dir`, as paths relative to it, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for part in std::fs::read_dir(dir).unwrap() {
        let part = part.unwrap().path();
        for file in std::fs::read_dir(&part).unwrap() {
            let file = file.unwrap().path();
            found.push(
                file.strip_prefix(dir)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string(),
            );
        }
    }
    found.sort();
    found
}

#[test]
fn partitions_by_node_are_hive_directories_that_read_back_together() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kv");
    run_ok(
        &[
            "stamp",
            "samples/kv-store.jsonl",
            "--format",
            "parquet",
            "--partition-by",
            "node",
            "-o",
            arg(&out),
        ],
        0,
    );
    assert_eq!(
        tree(&out),
        [
            "node=alice/part.parquet",
            "node=bob/part.parquet",
            "node=kv-1/part.parquet",
            "node=kv-2/part.parquet",
            "node=kv-3/part.parquet"
        ]
    );
    let mut args = vec!["stamp".to_string()];
    args.extend(tree(&out).iter().map(|f| out.join(f).display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, got, _) = run(&args);
    assert_eq!(code, 0);
    assert_eq!(got, run_ok(&["stamp", "samples/kv-store.jsonl"], 0));
    // Writing again replaces the files rather than appending to them.
    run_ok(
        &[
            "stamp",
            "samples/kv-store.jsonl",
            "--format",
            "parquet",
            "--partition-by",
            "node",
            "-o",
            arg(&out),
        ],
        0,
    );
    let (code, again, _) = run(&args);
    assert_eq!((code, again), (0, got));
}

#[test]
fn partition_values_are_escaped_into_one_safe_path_component() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("names");
    run_ok(
        &[
            "stamp",
            &crate::path("parquet-names.jsonl"),
            "--format",
            "parquet",
            "--partition-by",
            "node",
            "-o",
            arg(&out),
        ],
        0,
    );
    assert_eq!(
        tree(&out),
        [
            "node=%2E%2E/part.parquet",
            "node=%5F_HIVE_DEFAULT_PARTITION__/part.parquet",
            "node=a%2Fb/part.parquet",
            "node=tab%09here%1B%5B2J/part.parquet",
            "node=x%20y%3D1%25/part.parquet",
        ]
    );
    assert!(!dir.path().join("part.parquet").exists());
}

#[test]
fn partitions_by_trace_and_execution_follow_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let traces = dir.path().join("traces");
    run_ok(
        &[
            "stamp",
            &crate::path("parquet-traces.jsonl"),
            "--format",
            "parquet",
            "--partition-by",
            "trace",
            "-o",
            arg(&traces),
        ],
        0,
    );
    assert_eq!(
        tree(&traces),
        [
            "trace=__HIVE_DEFAULT_PARTITION__/part.parquet",
            "trace=t%2F2/part.parquet",
            "trace=t-1/part.parquet",
        ]
    );
    // One trace's file alone is a slice of the execution, its clocks as stamped.
    let one = traces.join("trace=t-1/part.parquet");
    let ids: Vec<Value> = json_lines(&run_ok(&["stamp", arg(&one)], 0))
        .iter()
        .map(|e| json!([e["id"], e["vc"]]))
        .collect();
    assert_eq!(
        ids,
        [
            json!(["web#1", {"web": 1}]),
            json!(["db#1", {"db": 1, "web": 1}]),
            json!(["db#2", {"db": 2, "web": 1}]),
            json!(["web#2", {"db": 2, "web": 2}]),
        ]
    );
    let runs = dir.path().join("runs");
    run_ok(
        &[
            "stamp",
            &crate::path("shiviz-executions.log"),
            "--format",
            "parquet",
            "--partition-by",
            "execution",
            "-o",
            arg(&runs),
        ],
        0,
    );
    assert_eq!(
        tree(&runs),
        [
            "execution=first/part.parquet",
            "execution=second/part.parquet"
        ]
    );
    let mut args = vec!["stamp".to_string()];
    args.extend(
        tree(&runs)
            .iter()
            .map(|f| runs.join(f).display().to_string()),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(
        run(&args).1,
        run_ok(&["stamp", &crate::path("shiviz-executions.log")], 0)
    );
}

/// Writes a Parquet file with the given columns (all non-null).
fn write_columns(path: &Path, columns: Vec<(&str, ArrayRef)>) {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(*name, a.data_type().clone(), false))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(
        schema.clone(),
        columns.into_iter().map(|(_, a)| a).collect(),
    )
    .unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

fn strings(values: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(values.to_vec()))
}

#[test]
fn bad_parquet_is_an_input_error_naming_the_file_and_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.parquet");
    run_ok(
        &[
            "stamp",
            "samples/kv-store.jsonl",
            "--format",
            "parquet",
            "-o",
            arg(&good),
        ],
        0,
    );
    let bytes = std::fs::read(&good).unwrap();
    let t = dir.path().join("t.parquet");
    let name = t.display().to_string();
    let expect = |want: &str| {
        let (code, out, err) = run(&["stamp", &name]);
        assert_eq!((code, out.as_str()), (2, ""), "{err}");
        let err = err
            .strip_prefix(&format!("causal: reading {name} as parquet\n"))
            .unwrap_or(&err)
            .to_string();
        assert!(err.starts_with(&format!("causal: {name}{want}")), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    };
    let expected = ": expected a Parquet file as causal stamp --format parquet writes it";
    // Cut short: the footer is gone.
    std::fs::write(&t, &bytes[..bytes.len() / 2]).unwrap();
    expect(expected);
    std::fs::write(&t, &bytes[..6]).unwrap();
    expect(expected);
    // The footer kept, the data cut out of the middle.
    let mut holed = bytes[..8].to_vec();
    holed.extend_from_slice(&bytes[bytes.len() / 2..]);
    std::fs::write(&t, &holed).unwrap();
    expect(expected);
    // A column of the wrong type, a column missing.
    write_columns(
        &t,
        vec![
            ("id", Arc::new(Int64Array::from(vec![1]))),
            ("node", strings(&["a"])),
            ("lamport", Arc::new(UInt64Array::from(vec![1]))),
            ("fields", strings(&["{}"])),
        ],
    );
    expect(&format!(
        "{expected}: column \"id\" should be a string (utf8), found Int64\n"
    ));
    write_columns(
        &t,
        vec![
            ("id", strings(&["a#1"])),
            ("node", strings(&["a"])),
            ("lamport", Arc::new(UInt64Array::from(vec![1]))),
        ],
    );
    expect(&format!(
        "{expected}, with columns id, node, lamport and fields (and vc or vc_delta); found no \
         column \"fields\"\n"
    ));
    // Rows: a `fields` that is no object, an id that disagrees with it, a bad Lamport clock.
    let row = |fields: &str, id: &str, lamport: u64| {
        write_columns(
            &t,
            vec![
                ("id", strings(&[id])),
                ("node", strings(&["a"])),
                ("lamport", Arc::new(UInt64Array::from(vec![lamport]))),
                ("fields", strings(&[fields])),
            ],
        );
    };
    row("[1]", "a#1", 1);
    expect(":1: expected column \"fields\" to hold a JSON object, found \"[1]\"\n");
    row(r#"{"node":"a","id":"b"}"#, "a#1", 1);
    expect(":1: expected column \"id\" (\"a#1\") to agree with \"fields\" (\"b\")\n");
    row(r#"{"node":"a","kind":"send"}"#, "a#1", 1);
    expect(":1: expected \"msg\" (string) on a send");
    // A file whose map column's keys and values differ in length: arrow-rs panics on it,
    // which must not crash causal.
    let (code, out, err) = run(&["stamp", &crate::path("parquet-bad-map.parquet")]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.starts_with(
            "causal: tests/fixtures/parquet-bad-map.parquet: expected a Parquet file as causal \
             stamp --format parquet writes it, but its data cannot be read: "
        ),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // --from parquet on a file that is not one.
    let (code, _, err) = run(&["stamp", "--from", "parquet", "samples/kv-store.jsonl"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!("causal: samples/kv-store.jsonl{expected}: ")),
        "{err}"
    );
}

/// The queries of docs/sql.md by name: each fenced `sql` block that starts `-- name: NAME`.
fn queries() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(root().join("docs/sql.md")).unwrap();
    let mut found = Vec::new();
    let mut rest = doc.as_str();
    while let Some(start) = rest.find("```sql\n-- name: ") {
        let block = &rest[start + "```sql\n".len()..];
        let end = block.find("```").unwrap();
        let (first, body) = block[..end].split_once('\n').unwrap();
        found.push((
            first.trim_start_matches("-- name: ").to_string(),
            body.to_string(),
        ));
        rest = &block[end..];
    }
    found
}

/// Runs DuckDB from Python on `table`: each request is a query's name and its parameters;
/// the answer is each query's rows, as JSON arrays. `None` when DuckDB is not installed.
fn duckdb(table: &Path, requests: &[(&str, Value)]) -> Option<Vec<Vec<Vec<Value>>>> {
    const DRIVER: &str = r#"
import json, sys, duckdb
job = json.load(sys.stdin)
con = duckdb.connect()
table = job["table"].replace("'", "''")
con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{table}')")
out = []
for name, params in job["requests"]:
    rows = con.execute(job["queries"][name], params or None).fetchall()
    out.append([list(r) for r in rows])
json.dump(out, sys.stdout)
"#;
    let probe = Command::new("python3")
        .args(["-c", "import duckdb"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        skipped("python3 -c 'import duckdb' failed (python3 -m pip install duckdb)");
        return None;
    }
    let queries: serde_json::Map<String, Value> = queries()
        .into_iter()
        .map(|(name, sql)| (name, Value::String(sql)))
        .collect();
    let job = json!({
        "table": table.to_str().unwrap(),
        "queries": queries,
        "requests": requests,
    });
    let mut child = Command::new("python3")
        .args(["-c", DRIVER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn docs_sql_has_every_query_the_tests_check() {
    let names: Vec<String> = queries().into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["hb", "past", "conflicts", "latency", "lost"]);
}

/// Rows as their JSON text, to compare as sets.
fn rows(rows: Vec<Vec<Value>>) -> BTreeSet<String> {
    rows.into_iter()
        .map(|r| Value::Array(r).to_string())
        .collect()
}

/// Checks every query of docs/sql.md against causal on one input.
fn sql_agrees_with_causal(input: &str, hb_events: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t.parquet");
    run_ok(
        &["stamp", input, "--format", "parquet", "-o", arg(&table)],
        0,
    );
    let mut requests: Vec<(&str, Value)> = vec![
        ("conflicts", Value::Null),
        ("latency", Value::Null),
        ("lost", Value::Null),
    ];
    for a in hb_events {
        requests.push(("past", json!({ "x": a })));
        for b in hb_events {
            requests.push(("hb", json!({ "a": a, "b": b })));
        }
    }
    let Some(answers) = duckdb(&table, &requests) else {
        return;
    };
    let mut answers = answers.into_iter();

    // Conflicts: the same pairs, each with its kind, per key.
    let conflicts = report("conflicts", &[input, "--limit", "0"], 1);
    let mut want = BTreeSet::new();
    for key in conflicts["keys"].as_array().unwrap() {
        for pair in key["pairs"].as_array().unwrap() {
            let (a, b) = (pair["a"]["id"].clone(), pair["b"]["id"].clone());
            let (a, b) = if a.as_str() < b.as_str() {
                (a, b)
            } else {
                (b, a)
            };
            want.insert(json!([key["key"], pair["kind"], a, b]).to_string());
        }
    }
    let got: BTreeSet<String> = rows(answers.next().unwrap());
    assert_eq!(got.len() as u64, conflicts["total"].as_u64().unwrap());
    assert_eq!(got, want);

    // Latency per channel: messages, timed, min and max as `stats` reports them.
    let stats = report("stats", &[input], 0);
    let want: BTreeSet<String> = stats["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {} {:.9} {:.9}",
                c["from"].as_str().unwrap(),
                c["to"].as_str().unwrap(),
                c["messages"],
                c["timed"],
                c["latency"]["min"].as_f64().unwrap(),
                c["latency"]["max"].as_f64().unwrap()
            )
        })
        .collect();
    let got: BTreeSet<String> = answers
        .next()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {:.9} {:.9}",
                r[0].as_str().unwrap(),
                r[1].as_str().unwrap(),
                r[2],
                r[3],
                r[4].as_f64().unwrap() / 1e9,
                r[5].as_f64().unwrap() / 1e9
            )
        })
        .collect();
    assert_eq!(got, want);

    // Lost messages: check's unmatched-send findings.
    let check = report("check", &[input, "--no-skew"], 1);
    let want: BTreeSet<String> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "unmatched-send")
        .map(|f| json!([f["events"][0]["id"], f["msg"], f["receiver"]]).to_string())
        .collect();
    let got: BTreeSet<String> = rows(answers.next().unwrap());
    assert!(!want.is_empty());
    assert_eq!(got, want);

    // Happens-before: `past` and `hb` for every pair of the chosen events.
    for a in hb_events {
        let past: Vec<Value> = json_lines(&run_ok(&["past", a, input], 0))
            .iter()
            .map(|e| e["id"].clone())
            .collect();
        let got: Vec<Value> = answers.next().unwrap().into_iter().flatten().collect();
        assert_eq!(got, past, "past {a}");
        for b in hb_events {
            let relation = report("hb", &[a, b, input], 0)["relation"].clone();
            let got = answers.next().unwrap();
            assert_eq!(got, [vec![json!(a), json!(b), relation]], "hb {a} {b}");
        }
    }
}

#[test]
fn docs_sql_agrees_with_causal_on_the_kv_store() {
    sql_agrees_with_causal(
        "samples/kv-store.jsonl",
        &[
            "alice-put-1",
            "bob-put-1",
            "kv-1#3",
            "kv-1#14",
            "kv-3#1",
            "kv-2#10",
            "alice#11",
        ],
    );
}

#[test]
fn docs_sql_agrees_with_causal_on_a_generated_trace() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gen.jsonl");
    let trace = run_ok(
        &[
            "gen", "--nodes", "6", "--events", "600", "--seed", "7", "--keys", "5", "--loss",
            "0.05",
        ],
        0,
    );
    std::fs::write(&file, trace).unwrap();
    sql_agrees_with_causal(
        arg(&file),
        &["n0#1", "n1#20", "n2#40", "n3#60", "n4#80", "n5#99"],
    );
}

#[test]
fn fixtures_used_here_exist() {
    for name in ["parquet-traces.jsonl", "parquet-names.jsonl"] {
        assert!(root().join(fixture(name)).exists(), "{name}");
    }
}
