//! RAPID STD traces: locks, fork and join become messages between threads, reads and writes
//! become keys, so `conflicts` reports happens-before data races.

use serde_json::{json, Value};

use crate::{by_id, causal, json_lines, path, run_ok};

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
