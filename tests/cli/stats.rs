//! `causal stats`: hand-worked counts and latencies on a small fixture (one node's clock a
//! second ahead), corrected latencies, the JSON shape, the samples, and bad input.

use predicates::prelude::*;
use serde_json::json;

use crate::{causal, path, report, run_ok};

// a and b trade m1 (2 ms) and m2 (1 ms); a and c trade m3 and m4, 3 ms each in truth, but c's
// clock runs 1 s ahead; b's m5 to c is lost. The longest chain: a#1 a#2 b#1 b#2 a#3 a#4 c#1
// c#2 c#3 a#5. b's read of k is concurrent with c's write of k (a#1's write is before both).
const SMALL: &str = "\
tests/fixtures/stats-small.jsonl: 12 events on 3 nodes, 4 messages (1 lost, 0 unmatched receives)
time: 2026-01-01T00:00:00Z to 2026-01-01T00:00:01.011Z (1.01 s, each event by its own node's clock)
longest causal chain: 10 events; parallelism 1.20 (events / longest chain)

nodes (first and last event after the first of all; activity over the whole time)
  NODE  EVENTS  SENDS  RECVS  LOST  UNMATCHED    FIRST     LAST  ACTIVITY
  a          5      2      2     0          0    +0 ns   +14 ms  |█               |
  b          4      2      1     1          0    +3 ms    +8 ms  |▇               |
  c          3      1      1     0          0  +1.01 s  +1.01 s  |               ▅|

channels (most messages first; latency = receive time - send time, read off two clocks: skew makes them approximate, --skew-corrected corrects them)
  FROM  TO  MSGS      MIN      P50      P90      P99      MAX  LATENCY
  a     b      1     2 ms     2 ms     2 ms     2 ms     2 ms  |█       |
  a     c      1      1 s      1 s      1 s      1 s      1 s  |█       |
  b     a      1     1 ms     1 ms     1 ms     1 ms     1 ms  |█       |
  c     a      1  -997 ms  -997 ms  -997 ms  -997 ms  -997 ms  |█       |

who talks to whom (messages from the row's node to the column's)
     a  b  c
  a  .  1  1
  b  1  .  .
  c  1  .  .

busiest keys (most accesses first; conflicts as `causal conflicts` counts them)
  KEY  ACCESSES  READS  WRITES  CONFLICTS  WRITE-WRITE  READ-WRITE
  k           3      1       2          1            0           1
";

#[test]
fn small_trace_counts_and_latencies_are_exact() {
    let out = run_ok(&["stats", &path("stats-small.jsonl")], 0);
    assert_eq!(out, SMALL);
}

#[test]
fn skew_corrected_latencies_use_one_offset_per_node() {
    // Against a (most messages): c's offset lies in (997, 1003) ms, estimate 1000 ms, so m3
    // and m4 take 3 ms; b's in (-1, 2) ms, estimate 0.5 ms, so m1 and m2 take 1.5 ms.
    let out = run_ok(
        &["stats", &path("stats-small.jsonl"), "--skew-corrected"],
        0,
    );
    let channels = "\
channels (most messages first; latency = receive time - send time, corrected by each node's estimated clock offset against a (* marks channels with an end that has no estimate: uncorrected))
  FROM  TO  MSGS     MIN     P50     P90     P99     MAX  LATENCY
  a     b      1  1.5 ms  1.5 ms  1.5 ms  1.5 ms  1.5 ms  |█       |
  a     c      1    3 ms    3 ms    3 ms    3 ms    3 ms  |█       |
  b     a      1  1.5 ms  1.5 ms  1.5 ms  1.5 ms  1.5 ms  |█       |
  c     a      1    3 ms    3 ms    3 ms    3 ms    3 ms  |█       |
";
    assert!(out.contains(channels), "{out}");
    let r = report(
        "stats",
        &[&path("stats-small.jsonl"), "--skew-corrected"],
        0,
    );
    assert_eq!(
        (&r["skew_corrected"], &r["reference"]),
        (&json!(true), &json!("a"))
    );
    let ac = &r["channels"][1];
    assert_eq!(
        (&ac["from"], &ac["to"], &ac["corrected"]),
        (&json!("a"), &json!("c"), &json!(true))
    );
    assert_eq!(ac["latency"]["p50"], json!(0.003));
}

#[test]
fn json_report_has_every_documented_field() {
    let r = report("stats", &[&path("stats-small.jsonl")], 0);
    assert_eq!(r["version"], 1);
    let top: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        top,
        [
            "version",
            "files",
            "events",
            "nodes",
            "messages",
            "lost",
            "unmatched_recvs",
            "first_time",
            "last_time",
            "longest_chain",
            "parallelism",
            "skew_corrected",
            "reference",
            "per_node",
            "channels",
            "keys_accessed",
            "keys"
        ]
    );
    assert_eq!(
        (
            &r["events"],
            &r["messages"],
            &r["lost"],
            &r["longest_chain"]
        ),
        (&json!(12), &json!(4), &json!(1), &json!(10))
    );
    assert_eq!(r["parallelism"], json!(1.2));
    assert_eq!(
        r["per_node"][1],
        json!({"node": "b", "events": 4, "sends": 2, "receives": 1, "lost": 1, "unmatched": 0,
               "first_time": "2026-01-01T00:00:00.003Z", "last_time": "2026-01-01T00:00:00.008Z",
               "activity": [4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]})
    );
    assert_eq!(
        r["channels"][3],
        json!({"from": "c", "to": "a", "messages": 1, "timed": 1, "corrected": false,
               "latency": {"min": -0.997, "p50": -0.997, "p90": -0.997, "p99": -0.997,
                           "max": -0.997, "histogram": [1, 0, 0, 0, 0, 0, 0, 0]}})
    );
    assert_eq!(
        r["keys"],
        json!([{"key": "k", "accesses": 3, "reads": 1, "writes": 2, "write_write": 0,
                "read_write": 1, "conflicts": 1}])
    );
}

#[test]
fn stats_of_the_sample_agree_with_conflicts_and_check() {
    let s = report("stats", &["samples/kv-store.jsonl", "--keys", "100"], 0);
    let c = report("conflicts", &["samples/kv-store.jsonl"], 1);
    let conflicts: u64 = s["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["conflicts"].as_u64().unwrap())
        .sum();
    assert_eq!(json!(conflicts), c["total"]);
    let check = report("check", &["samples/kv-store.jsonl"], 1);
    let lost = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "unmatched-send")
        .count();
    assert_eq!(s["lost"], json!(lost));
}

#[test]
fn long_tables_are_cut_and_say_so() {
    let out = run_ok(
        &[
            "stats",
            "samples/kv-store.jsonl",
            "--limit",
            "2",
            "--keys",
            "1",
        ],
        0,
    );
    assert!(
        out.contains("  (2 of 5 nodes shown; --limit 0 shows all)\n"),
        "{out}"
    );
    assert!(
        out.contains("  (2 of 8 channels shown; --limit 0 shows all)\n"),
        "{out}"
    );
    assert!(
        out.contains("  (1 of 3 keys shown; --keys N lists more)\n"),
        "{out}"
    );
}

#[test]
fn bad_input_exits_two_naming_the_line() {
    causal()
        .args(["stats", &path("bad-kind.jsonl")])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "causal: tests/fixtures/bad-kind.jsonl:1:13:",
        ));
}
