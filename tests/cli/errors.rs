//! Bad input: every defect gets a message naming file and line, and exit status 2.

use predicates::prelude::*;

use crate::{causal, fixture};

/// One fixture per defect: file, and the start of the message after `causal: `.
const CASES: &[(&str, &str)] = &[
    ("bad-json.jsonl", "tests/fixtures/bad-json.jsonl:2:12: expected a JSON object: EOF while parsing a value"),
    ("not-an-object.jsonl", "tests/fixtures/not-an-object.jsonl:1:1: expected a JSON object, found array"),
    ("node-number.jsonl", "tests/fixtures/node-number.jsonl:2:2: expected \"node\" (string), found number"),
    ("send-without-msg.jsonl", "tests/fixtures/send-without-msg.jsonl:1:13: expected \"msg\" (string) on a send"),
    ("bad-time.jsonl", "tests/fixtures/bad-time.jsonl:3:13: expected \"time\" as RFC 3339"),
    ("bad-kind.jsonl", "tests/fixtures/bad-kind.jsonl:1:13: expected \"kind\" to be \"local\", \"send\" or \"recv\", found \"sent\""),
    ("bad-keys.jsonl", "tests/fixtures/bad-keys.jsonl:1:13: expected \"reads\" to hold strings, found number"),
    ("invalid-utf8.jsonl", "tests/fixtures/invalid-utf8.jsonl:2:25: expected UTF-8 text, found byte 0xe9"),
    ("duplicate-send.jsonl", "tests/fixtures/duplicate-send.jsonl:3: expected each message to be sent once, but \"m\" is sent again (first by a#1 at tests/fixtures/duplicate-send.jsonl:1)"),
    ("no-such-file.jsonl", "tests/fixtures/no-such-file.jsonl: no such file or directory"),
];

#[test]
fn each_bad_input_names_file_line_and_expectation() {
    for (file, message) in CASES {
        causal()
            .args(["stamp", fixture(file).to_str().unwrap()])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::starts_with(format!("causal: {message}")));
    }
}

#[test]
fn a_bad_line_after_good_files_still_fails_the_whole_run() {
    causal()
        .args([
            "stamp",
            "samples/kv-store.jsonl",
            fixture("bad-kind.jsonl").to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with(
            "causal: tests/fixtures/bad-kind.jsonl:1:13: expected \"kind\"",
        ));
}

#[test]
fn stdin_without_a_node_says_how_to_name_one() {
    causal()
        .arg("stamp")
        .write_stdin("{\"label\":\"x\"}\n")
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("<stdin>:1: expected \"node\" (string)")
                .and(predicate::str::contains("--node NAME")),
        );
}

#[test]
fn a_receive_before_its_own_send_is_a_cycle_naming_the_events() {
    causal()
        .args(["stamp", fixture("cycle.jsonl").to_str().unwrap()])
        .assert()
        .code(2)
        .stdout("")
        .stderr(
            predicate::str::contains("no causal order exists")
                .and(predicate::str::contains("tests/fixtures/cycle.jsonl:1: A#1 receives \"m2\", sent by B#2 at tests/fixtures/cycle.jsonl:4"))
                .and(predicate::str::contains("tests/fixtures/cycle.jsonl:3: B#1 receives \"m1\", sent by A#2 at tests/fixtures/cycle.jsonl:2")),
        );
}

#[test]
fn a_regex_without_a_node_group_on_stdin_is_an_error() {
    causal()
        .args(["stamp", "--regex", "^(?<label>.*)$"])
        .write_stdin("hello\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "<stdin>: expected the regex to have a named group \"node\"",
        ));
}

#[test]
fn an_invalid_regex_is_a_usage_error() {
    causal()
        .args(["stamp", "--regex", "(?<node>", "samples/checkout.log"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("causal: invalid --regex"));
}

#[test]
fn a_bad_time_in_a_regex_group_names_its_column() {
    causal()
        .args(["stamp", "--regex", r"^(?<node>\w+) (?<time>\S+)$"])
        .write_stdin("api 2026-11-20T09:00:00Z\napi noon\n")
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "causal: <stdin>:2:5: expected \"time\"",
        ));
}

#[test]
fn usage_errors_exit_2() {
    causal()
        .args(["stamp", "--format", "xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: invalid value 'xml' for '--format <FORMAT>'",
        ));
    causal()
        .arg("frobnicate")
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: unrecognized subcommand 'frobnicate'",
        ));
    causal()
        .args(["stamp", "--skip-unmatched"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--regex <PATTERN>"));
}

#[test]
fn a_directory_is_an_io_error() {
    causal()
        .args(["stamp", "tests"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("causal: tests: "));
}

#[test]
fn text_that_no_format_fits_asks_for_from_or_regex() {
    causal()
        .args(["stamp", fixture("plain.txt").to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(
            predicate::str::starts_with(
                "causal: tests/fixtures/plain.txt:1: expected a format causal reads",
            )
            .and(predicate::str::contains("--from FORMAT")),
        );
}

#[test]
fn an_unknown_execution_lists_the_ones_there_are() {
    causal()
        .args([
            "stamp",
            "--execution",
            "7",
            fixture("handworked.jsonl").to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no execution \"7\": the input holds one unnamed execution (1)",
        ));
}

#[test]
fn from_regex_without_a_pattern_is_a_usage_error() {
    causal()
        .args(["stamp", "--from", "regex", "samples/checkout.log"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--from regex needs --regex PATTERN",
        ));
}

#[test]
fn line_numbers_hold_across_the_parallel_parser_blocks() {
    // More than one 4 MiB block, so lines are parsed in several blocks and halves.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let mut text = String::new();
    for i in 1..=70_000 {
        if i == 61_234 {
            text.push_str("{\"node\":\"n1\",\"kind\":\"sent\",\"msg\":\"x\"}\n");
        } else {
            text.push_str(&format!(
                "{{\"node\":\"n{}\",\"label\":\"event number {i} with some padding text\"}}\n",
                i % 5
            ));
        }
    }
    std::fs::write(&path, text).unwrap();
    causal()
        .args(["stamp", path.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "big.jsonl:61234:14: expected \"kind\"",
        ));
}
