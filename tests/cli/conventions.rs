//! Conventions every command follows: help with examples, completions, man page, the README's
//! main command.

use predicates::prelude::*;

use crate::causal;

#[test]
fn help_shows_examples_and_exit_statuses() {
    causal()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit status:").and(predicate::str::contains("stamp")));
    causal().args(["stamp", "--help"]).assert().code(0).stdout(
        predicate::str::contains("causal stamp samples/kv-store.jsonl")
            .and(predicate::str::contains("Exit status:")),
    );
}

/// The commands `causal --help` lists.
fn commands() -> Vec<String> {
    let help = crate::run_ok(&["--help"], 0);
    let list = help
        .split("Commands:\n")
        .nth(1)
        .expect("help lists the commands");
    list.lines()
        .take_while(|l| !l.trim().is_empty())
        // A command's line starts two spaces in; its help's wrapped lines further.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn every_command_has_an_example_and_its_exit_statuses_in_help() {
    let commands = commands();
    assert!(commands.len() >= 11, "{commands:?}");
    for command in commands {
        causal().args([&command, "--help"]).assert().code(0).stdout(
            predicate::str::contains("Example").and(predicate::str::contains("Exit status:")),
        );
    }
}

#[test]
fn completions_and_man_page_are_printed() {
    for shell in ["bash", "zsh", "fish"] {
        causal()
            .args(["completions", shell])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("stamp"));
    }
    causal()
        .arg("man")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(".TH causal"));
    for command in [
        "stamp",
        "graph",
        "hb",
        "past",
        "future",
        "conflicts",
        "check",
        "gen",
    ] {
        causal()
            .args(["man", command])
            .assert()
            .code(0)
            .stdout(predicate::str::contains(format!(".TH causal-{command} 1")));
    }
    causal()
        .args(["man", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "causal: no command \"nope\": the commands are stamp,",
        ));
}

#[test]
fn the_readme_quick_start_command_runs_on_the_bundled_sample() {
    let readme = std::fs::read_to_string(crate::root().join("README.md")).unwrap();
    let line = readme
        .lines()
        .find(|l| l.trim_start().starts_with("cargo run --release -- "))
        .expect("the README has a quick-start command");
    let args: Vec<&str> = line
        .trim()
        .trim_start_matches("cargo run --release -- ")
        .split_whitespace()
        .collect();
    let out = causal()
        .args(&args)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("LAMPORT"), "{text}");
    assert_eq!(
        text.lines().count(),
        70,
        "a header and the sample's 69 events"
    );
}

#[test]
fn the_readme_names_the_test_command_that_ci_runs() {
    let readme = std::fs::read_to_string(crate::root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(crate::root().join(".ci/run")).unwrap();
    assert!(readme.contains("\n    cargo test\n"));
    assert!(ci.contains("cargo test --locked"));
}
