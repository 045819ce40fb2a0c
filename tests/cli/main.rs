//! End-to-end tests: run the real `causal` binary on files and on standard input.

mod bounded;
mod check;
mod conflicts;
mod conventions;
mod critical;
mod diff;
mod errors;
mod fuzz;
mod gen;
mod graph;
mod lin;
mod parquet;
mod query;
mod shiviz;
mod slice;
mod stamp;
mod stats;
// A module named `std` would shadow the standard library here.
#[path = "std.rs"]
mod std_traces;
mod traces;
mod trust;
mod vc;
mod view;
mod view_history;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The built binary with a pinned environment: no color variables, fixed width, run from
/// the repository root so sample paths resolve.
pub fn causal() -> Command {
    let mut cmd = Command::cargo_bin("causal").expect("the causal binary is built");
    cmd.current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env("COLUMNS", "100")
        .env("TERM", "xterm");
    cmd
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new("tests/fixtures").join(name)
}

/// Runs `causal` with `args`, expects exit status `code`, and returns stdout.
pub fn run_ok(args: &[&str], code: i32) -> String {
    let out = causal().args(args).assert().code(code).get_output().clone();
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

/// The path of a fixture under tests/fixtures, as an argument.
pub fn path(name: &str) -> String {
    fixture(name).to_str().unwrap().to_string()
}

/// The event whose `id` is `id` among stamped lines.
pub fn by_id(events: &[serde_json::Value], id: &str) -> serde_json::Value {
    events
        .iter()
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("no event {id}"))
        .clone()
}

/// Runs `causal COMMAND --format json ARGS...`, expects status `code`, and parses the one
/// JSON object it writes (the reports of `check`, `conflicts`, ...).
pub fn report(command: &str, args: &[&str], code: i32) -> serde_json::Value {
    let mut all = vec![command, "--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&run_ok(&all, code)).expect("one JSON object")
}

/// Parses JSON Lines output into values.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// The shared corpus of real logs, when this checkout sits beside it.
pub fn corpus() -> Option<PathBuf> {
    let dir = root().join("../shared/corpus");
    dir.is_dir().then_some(dir)
}

/// Says out loud that a test could not run what it needs; under `CI=true` that is a failure,
/// because CI installs everything the tests need.
pub fn skipped(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("required under CI=true, but {why}");
    }
    eprintln!("skipped: {why}");
}
