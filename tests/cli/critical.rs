//! `causal critical-path`: the slow-path sample (events, skew-corrected, with true-delay
//! intervals), Jaeger's span critical path on a Zipkin fixture, the JSON shapes, bad ids.

use predicates::prelude::*;
use serde_json::json;

use crate::{causal, path, report, run_ok};

// The request waits on db's lock for 337 ms: db holds 92 % of the path. Times are moved onto
// api's clock (api takes part in most messages); every message shows its true-delay interval.
const SLOW_PATH: &str = r#"critical path to web#4 on web (samples/slow-path.jsonl:23), from web#1: 393 ms in 19 steps
times on api's clock: each node's moved by its estimated offset (the midpoint of its skew bounds); a message's delay is on those clocks, its true delay within the interval the bounds allow
  db         360 ms  91.7%  ████████████████████
  api       16.3 ms   4.1%  ▉
  auth       3.1 ms   0.8%  ▏
  web        1.4 ms   0.4%  ▏
  messages  11.9 ms   3.0%  ▋

        AT     TOOK  HOW                                                                   EVENT   NODE  LABEL
     +0 ns                                                                                 web#1   web   GET /orders?user=7 from client 10.0.3.14
   +800 µs   800 µs  local                                                                 web#2   web   forward r-881 to api
  +3.05 ms  2.25 ms  message req-881, true delay in [0 ns, 4.5 ms] by the skew bounds      api#1   api   r-881: list orders of user 7
  +3.45 ms   400 µs  local                                                                 api#2   api   r-881: check token
   +5.2 ms  1.75 ms  message auth-881, true delay in [0 ns, 3.5 ms] by the skew bounds     auth#1  auth  verify token for user 7
     +8 ms   2.8 ms  local                                                                 auth#2  auth  token valid (cache miss, RSA verify)
   +8.3 ms   300 µs  local                                                                 auth#3  auth  token ok
  +10.1 ms  1.75 ms  message auth-ok-881, true delay in [0 ns, 3.5 ms] by the skew bounds  api#3   api   r-881: token ok
  +10.4 ms   400 µs  local                                                                 api#4   api   r-881: prefs of user 7
  +10.9 ms   500 µs  local                                                                 api#5   api   r-881: SELECT * FROM orders WHERE user_id = 7
  +12.9 ms  1.95 ms  message q-881, true delay in [0 ns, 3.9 ms] by the skew bounds        db#1    db    query orders user_id=7
  +13.7 ms   800 µs  local                                                                 db#2    db    waiting for lock on orders (autovacuum holds it)
   +351 ms   338 ms  local                                                                 db#3    db    lock acquired after 337 ms
   +373 ms  21.4 ms  local                                                                 db#4    db    42 rows
   +373 ms   500 µs  local                                                                 db#5    db    rows for r-881
   +375 ms  1.95 ms  message rows-881, true delay in [0 ns, 3.9 ms] by the skew bounds     api#7   api   r-881: 42 rows
   +390 ms  14.6 ms  local                                                                 api#8   api   r-881: rendered page (42 orders)
   +390 ms   400 µs  local                                                                 api#9   api   r-881: response
   +392 ms  2.25 ms  message resp-881, true delay in [0 ns, 4.5 ms] by the skew bounds     web#3   web   response for r-881
   +393 ms   600 µs  local                                                                 web#4   web   200 OK to client in 393 ms
"#;

// job a (0..50 ms) waits for its child step (20..30 ms): 40 ms in job a, 10 in step.
const SPANS: &str = r#"trace 7c7c7c7c7c7c7c7c: critical path of job a on worker, 50 ms (time in spans not overlapped by the child spans they waited for)
  SPAN   NODE    ON PATH  SHARE
  job a  worker    40 ms  80.0%  ████████████████████
  step   worker    10 ms  20.0%  █████

    FROM      TO   TOOK  SPAN   NODE
   +0 ns  +20 ms  20 ms  job a  worker
  +20 ms  +30 ms  10 ms  step   worker
  +30 ms  +50 ms  20 ms  job a  worker

trace 7c7c7c7c7c7c7c7d: critical path of job b on worker, 70 ms (time in spans not overlapped by the child spans they waited for)
  SPAN   NODE    ON PATH   SHARE
  job b  worker    70 ms  100.0%  ████████████████████

   FROM      TO   TOOK  SPAN   NODE
  +0 ns  +70 ms  70 ms  job b  worker
"#;

#[test]
fn the_slow_path_sample_waits_on_the_database() {
    assert_eq!(
        run_ok(&["critical-path", "samples/slow-path.jsonl"], 0),
        SLOW_PATH
    );
}

#[test]
fn span_traces_get_jaegers_critical_path_per_trace() {
    causal()
        .args(["critical-path", &path("zipkin-overlap.json")])
        .assert()
        .code(0)
        .stdout(SPANS)
        .stderr("causal: reading tests/fixtures/zipkin-overlap.json as zipkin\n");
    let r = report(
        "critical-path",
        &[&path("zipkin-overlap.json"), "--traces", "7c7c7c7c7c7c7c7c"],
        0,
    );
    assert_eq!((&r["version"], &r["mode"]), (&json!(1), &json!("spans")));
    let t = &r["traces"][0];
    assert_eq!(r["traces"].as_array().unwrap().len(), 1);
    assert_eq!(
        (&t["trace_id"], &t["total"]),
        (&json!("7c7c7c7c7c7c7c7c"), &json!(0.05))
    );
    let on_path: Vec<(&str, f64)> = t["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["on_path"].as_f64().unwrap()))
        .collect();
    assert_eq!(on_path, [("job a", 0.04), ("step", 0.01)]);
    let sections: f64 = t["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["duration"].as_f64().unwrap())
        .sum();
    assert!(
        (sections - 0.05).abs() < 1e-12,
        "the sections tile the root span"
    );
}

#[test]
fn json_path_lists_steps_with_raw_and_true_delays() {
    let r = report(
        "critical-path",
        &["samples/slow-path.jsonl", "--to", "api#3"],
        0,
    );
    assert_eq!(
        (
            &r["version"],
            &r["mode"],
            &r["start"],
            &r["end"],
            &r["reference"]
        ),
        (
            &json!(1),
            &json!("events"),
            &json!("web#1"),
            &json!("api#3"),
            &json!("api")
        )
    );
    let ids: Vec<&str> = r["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["web#1", "web#2", "api#1", "api#2", "auth#1", "auth#2", "auth#3", "api#3"]
    );
    let step = &r["steps"][6];
    assert_eq!(
        (&step["from"], &step["to"], &step["kind"], &step["msg"]),
        (
            &json!("auth#3"),
            &json!("api#3"),
            &json!("message"),
            &json!("auth-ok-881")
        )
    );
    // auth's clock runs 0.6 ms ahead of api's: 1.2 ms raw; the bounds allow [0, 3.5] ms.
    assert_eq!(step["raw_delay"], json!(0.0012));
    assert_eq!(step["true_delay"], json!([0.0, 0.0035]));
    assert_eq!(r["steps"][0]["kind"], "program");
    assert_eq!(r["steps"][0]["true_delay"], json!(null));
    let shares: f64 = r["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["time"].as_f64().unwrap())
        .sum::<f64>()
        + r["in_flight"].as_f64().unwrap();
    assert!((shares - r["total"].as_f64().unwrap()).abs() < 1e-12);
}

#[test]
fn an_unknown_event_or_a_misplaced_to_exits_two() {
    causal()
        .args(["critical-path", "samples/slow-path.jsonl", "--to", "nope"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("unknown event id \"nope\""));
    causal()
        .args([
            "critical-path",
            "samples/slow-path.jsonl",
            "--to",
            "api#1",
            "--mode",
            "spans",
        ])
        .assert()
        .code(2)
        .stdout("");
    causal()
        .args(["critical-path", &path("bad-kind.jsonl")])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "causal: tests/fixtures/bad-kind.jsonl:1:13:",
        ));
}
