//! RAPID STD traces: locks, fork and join become messages between threads, reads and writes
//! become keys, so `conflicts` reports happens-before data races.

use serde_json::{json, Value};

use crate::{by_id, causal, corpus, fixture, json_lines, path, run_ok, skipped};

#[test]
fn a_release_sends_to_the_next_acquire_and_fork_and_join_link_threads() {
    let events = json_lines(&run_ok(&["stamp", &path("std-locks.std")], 0));
    assert_eq!(events.len(), 14, "one event per line");
    let t1_first = by_id(&events, "T1#1");
    assert_eq!(t1_first["label"], "acq(L)");
    assert_eq!(
        (t1_first["kind"].clone(), t1_first["msg"].clone()),
        (json!("recv"), json!("fork:T1#1")),
        "the first acquire of L receives nothing but the fork"
    );
    assert_eq!(by_id(&events, "T1#3")["msg"], "L#1");
    // T2's first event receives both its fork and T1's release of L.
    let t2_first = by_id(&events, "T2#1");
    assert_eq!(t2_first["msg"], "fork:T2#1");
    assert_eq!(
        t2_first["more_roles"],
        json!([{"kind": "recv", "msg": "L#1"}])
    );
    assert_eq!(t2_first["vc"], json!({"T1": 3, "T2": 1, "main": 2}));
    // A thread's last event before a join sends to it.
    assert_eq!(by_id(&events, "T1#4")["msg"], "join:T1#1");
    assert_eq!(by_id(&events, "main#3")["msg"], "join:T1#1");
    assert_eq!(
        by_id(&events, "main#5")["vc"],
        json!({"T1": 4, "T2": 5, "main": 5})
    );
    let w = by_id(&events, "T2#3");
    assert_eq!(
        (w["writes"].clone(), w["loc"].clone()),
        (json!(["balance"]), json!("22"))
    );
    assert_eq!(by_id(&events, "T2#2")["reads"], json!(["balance"]));
}

#[test]
fn conflicts_on_an_std_trace_are_its_data_races() {
    let out = run_ok(
        &["conflicts", "--format", "json", &path("std-locks.std")],
        1,
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report["total"], 1,
        "only the unprotected log write races: {report}"
    );
    assert_eq!(report["keys"][0]["key"], "log");
    assert_eq!(report["keys"][0]["write_write"], 1);
    // Fork orders what came before it, join what came after.
    run_ok(&["conflicts", &path("std-fork-join.std")], 0);
}

#[test]
fn joining_a_thread_that_never_ran_is_a_local_event() {
    let events = json_lines(&run_ok(&["stamp", &path("std-fork-join.std")], 0));
    let join = by_id(&events, "T0#6");
    assert_eq!(join["label"], "join(T9)");
    assert_eq!(join.get("kind"), None);
    assert_eq!(by_id(&events, "T0#1")["label"], "begin");
    assert_eq!(by_id(&events, "T1#2")["kind"], "send");
}

#[test]
fn a_long_std_trace_streams_through() {
    // Two threads hand a lock back and forth 50,000 times: every acquire receives the other
    // thread's release, so the last event has seen all of both threads.
    let mut text = String::from("main|fork(A)|0\nmain|fork(B)|0\n");
    for i in 0..50_000 {
        let t = if i % 2 == 0 { "A" } else { "B" };
        text.push_str(&format!("{t}|acq(L)|{i}\n{t}|w(x)|{i}\n{t}|rel(L)|{i}\n"));
    }
    let out = causal()
        .args(["stamp", "--format", "table", "-"])
        .write_stdin(text.clone())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8(out).unwrap();
    let last = table.lines().last().unwrap();
    assert!(last.contains("B#75000"), "{last}");
    assert!(last.contains("[A:75000 B:75000 main:2]"), "{last}");
    causal()
        .args(["conflicts", "-"])
        .write_stdin(text)
        .assert()
        .code(0);
}

/// `conflicts --from std` streams the trace; `--execution 1` (one execution: the same trace)
/// takes the batch path. Both must print the same bytes and exit the same way.
fn streamed_and_batch(file: &str, extra: &[&str]) -> (String, i32) {
    let run = |batch: bool| {
        let mut args = vec!["conflicts", "--from", "std"];
        if batch {
            args.extend(["--execution", "1"]);
        }
        args.extend_from_slice(extra);
        args.push(file);
        let out = causal().args(&args).output().unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
            out.status.code().unwrap(),
        )
    };
    let (streamed, batch) = (run(false), run(true));
    assert_eq!(streamed, batch, "{file} {extra:?}");
    (streamed.0, streamed.2)
}

#[test]
fn streamed_std_conflicts_print_exactly_the_batch_report() {
    let file = path("std-races.std");
    let (text, code) = streamed_and_batch(&file, &["--limit", "1"]);
    assert_eq!(code, 1);
    assert_eq!(text, EXPECTED_RACES);
    for extra in [
        &[][..],
        &["--format", "json"],
        &["--limit", "0", "--format", "json"],
        &["--keys", "acct,nothing"],
        &["--engine", "tree"],
    ] {
        streamed_and_batch(&file, extra);
    }
    for fixture in ["std-locks.std", "std-fork-join.std"] {
        for extra in [&[][..], &["--format", "json"]] {
            streamed_and_batch(&path(fixture), extra);
        }
    }
    let (text, code) = streamed_and_batch(&path("std-fork-join.std"), &[]);
    assert_eq!((text.as_str(), code), ("no conflicts\n", 0));
}

#[test]
fn streamed_std_conflicts_read_standard_input_and_name_bad_lines() {
    let text = std::fs::read_to_string(fixture("std-races.std")).unwrap();
    let out = causal()
        .args(["conflicts", "--from", "std", "--limit", "1", "-"])
        .write_stdin(text)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let expected = EXPECTED_RACES.replace("tests/fixtures/std-races.std", "<stdin>");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    let out = causal()
        .args(["conflicts", "--from", "std", &path("std-bad.std")])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("causal: tests/fixtures/std-bad.std:"),
        "{stderr}"
    );
    let out = causal()
        .args(["conflicts", "--from", "std", "-"])
        .write_stdin("# nothing\n")
        .assert()
        .code(0)
        .get_output()
        .clone();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "no conflicts\n");
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "causal: warning: no events read: the input holds no event\n"
    );
}

#[test]
fn streamed_std_conflicts_equal_the_batch_report_on_the_corpus() {
    let Some(root) = corpus() else {
        skipped("no ../shared/corpus beside the checkout");
        return;
    };
    let dir = root.join("rapid");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "std"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no STD traces in {}", dir.display());
    for file in &files {
        let file = file.to_str().unwrap();
        for extra in [&[][..], &["--format", "json"], &["--limit", "0"]] {
            streamed_and_batch(file, extra);
        }
    }
}

/// `conflicts --from std --limit 1` on std-races.std, as the batch path printed it.
const EXPECTED_RACES: &str = "\
hits: 5 conflicts (3 write-write, 2 read-write)
  write-write
    W1#4  W1 write  -  tests/fixtures/std-races.std:9  w(hits)
          lamport 6  vc [W1:4 main:2]
    W3#2  W3 write  -  tests/fixtures/std-races.std:17  w(hits)
          lamport 6  vc [W3:2 main:4]
    W3#2 had seen nothing of W1, and W1#4 had seen nothing of W3: neither happened before the other
  (1 of 5 pairs shown; --limit 0 shows all)

acct: 3 conflicts (2 write-write, 1 read-write)
  write-write
    W1#2  W1 write  -  tests/fixtures/std-races.std:6  w( acct )
          lamport 4  vc [W1:2 main:2]
    W3#3  W3 write  -  tests/fixtures/std-races.std:19  w(acct)
          lamport 7  vc [W3:3 main:4]
    W3#3 had seen nothing of W1, and W1#2 had seen nothing of W3: neither happened before the other
  (1 of 3 pairs shown; --limit 0 shows all)

total: 2 conflicts (1 write-write, 1 read-write)
  write-write
    W3#1    W3 write  -  tests/fixtures/std-races.std:12  w(total)
            lamport 5  vc [W3:1 main:4]
    main#6  main write  -  tests/fixtures/std-races.std:21  w(total)
            lamport 9  vc [W1:5 main:6]
    main#6 had seen nothing of W3, and W3#1 had seen main only up to main#4: neither happened before the other
  (1 of 2 pairs shown; --limit 0 shows all)

10 conflicts on 3 keys (6 write-write, 4 read-write)
";

/// A file that `--from auto` recognises as STD streams too, and says how it was read, as the
/// general path does; the report is the batch path's (`--execution 1` keeps that path).
#[test]
fn std_files_recognised_by_their_content_stream_as_well() {
    let file = fixture("std-locks.std");
    let file = file.to_str().unwrap();
    let auto = causal().args(["conflicts", file]).output().unwrap();
    let batch = causal()
        .args(["conflicts", "--execution", "1", file])
        .output()
        .unwrap();
    assert_eq!(auto.status.code(), Some(1));
    assert_eq!(auto.status.code(), batch.status.code());
    assert_eq!(auto.stdout, batch.stdout);
    assert_eq!(
        String::from_utf8_lossy(&auto.stderr),
        format!("causal: reading {file} as std\n")
    );
    assert_eq!(auto.stderr, batch.stderr);
}
