//! `causal view`: the page it writes (self-contained, escaped, to a file or a pipe, never to a
//! terminal), the viewer's own unit tests under Node, and the pages themselves in headless
//! Chromium, checked against what `causal past`, `future`, `hb`, `graph` and `check` print.
//!
//! The browser tests need Chromium, Node and web/view/node_modules (`npm ci` in web/view):
//! without them they print "skipped: ..." and pass, except under CI=true, where .ci/run
//! installs them and they must run. Screenshots of every page go to target/tmp/view/.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::{causal, json_lines, path, root, run_ok, skipped};

/// A program on the PATH.
pub(crate) fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|p| p.is_file())
    })
}

/// Where pages and screenshots go: under target/, never committed.
pub(crate) fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("view");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `causal ARGS` with its standard output on a pseudo-terminal (util-linux `script`):
/// the exit status and what the terminal showed; `None` (said out loud) without `script`.
pub(crate) fn on_terminal(args: &str) -> Option<(Option<i32>, String)> {
    let Some(script) = which("script") else {
        skipped("`script` (util-linux) not found, so no terminal to test with");
        return None;
    };
    let bin = assert_cmd::cargo::cargo_bin("causal");
    let out = Command::new(script)
        .args(["-qec"])
        .arg(format!("{} {args}", bin.display()))
        .arg("/dev/null")
        .current_dir(root())
        .env("TERM", "dumb")
        .output()
        .unwrap();
    Some((
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

/// Chromium, when the browser tests can run (Chromium, Node and web/view's playwright-core
/// are there); else `None`, said out loud.
pub(crate) fn browser() -> Option<PathBuf> {
    let Some(chromium) = which("chromium") else {
        skipped("chromium not found (apt-get install chromium)");
        return None;
    };
    if which("node").is_none() {
        skipped("node not found");
        return None;
    }
    if !root()
        .join("web/view/node_modules/playwright-core")
        .is_dir()
    {
        skipped("web/view/node_modules/playwright-core not found (npm ci in web/view)");
        return None;
    }
    Some(chromium)
}

/// Opens `pages` in `chromium` with web/view/e2e/browser.mjs (the spec written to
/// `out_dir()/SPEC`) and returns its report, one entry per page.
pub(crate) fn run_browser(chromium: &Path, pages: Vec<Value>, spec: &str) -> Vec<Value> {
    let spec_path = out_dir().join(spec);
    std::fs::write(
        &spec_path,
        serde_json::to_string_pretty(&json!({ "chromium": chromium, "pages": pages })).unwrap(),
    )
    .unwrap();
    let out = Command::new("node")
        .arg("e2e/browser.mjs")
        .arg(&spec_path)
        .current_dir(root().join("web/view"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the browser script failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "the browser script wrote no report ({e}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn kv() -> Vec<String> {
    vec!["samples/kv-store.jsonl".to_string()]
}

fn raft() -> Vec<String> {
    ["n1", "n2", "n3"]
        .iter()
        .map(|n| format!("samples/raft/{n}.jsonl"))
        .collect()
}

fn checkout() -> Vec<String> {
    let regex = std::fs::read_to_string(root().join("samples/checkout.regex")).unwrap();
    vec![
        "samples/checkout.log".to_string(),
        "--regex".to_string(),
        regex.trim_end().to_string(),
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// `causal view INPUT... -o DIR/NAME.html`, returning the page's path.
fn write_page(name: &str, input: &[String], extra: &[&str]) -> PathBuf {
    let path = out_dir().join(format!("{name}.html"));
    let mut args = vec!["view"];
    args.extend(strs(input));
    args.extend(extra);
    args.push("-o");
    let p = path.to_str().unwrap().to_string();
    args.push(&p);
    let out = run_ok(&args, 0);
    assert_eq!(out, "", "-o leaves standard output empty");
    path
}

#[test]
fn view_writes_one_self_contained_page_to_a_pipe() {
    let page = run_ok(&["view", "samples/kv-store.jsonl"], 0);
    assert!(page.starts_with("<!doctype html>\n"), "{}", &page[..80]);
    assert!(page.trim_end().ends_with("</html>"));
    // Everything inline: no address to fetch anything from, no external resource.
    for needle in ["http://", "https://", "src=", "<link", "@import", "url("] {
        assert!(!page.contains(needle), "the page holds {needle:?}");
    }
    assert!(page.contains("Content-Security-Policy"));
    assert!(page.contains("<title>causal view: samples/kv-store.jsonl</title>"));
    assert_eq!(
        page.matches("</script>").count(),
        2,
        "the data and the code"
    );
}

#[test]
fn view_writes_the_same_page_to_a_file() {
    let path = write_page("same", &kv(), &[]);
    let piped = run_ok(&["view", "samples/kv-store.jsonl"], 0);
    assert_eq!(std::fs::read_to_string(path).unwrap(), piped);
}

#[test]
fn view_escapes_every_string_from_the_input() {
    let page = run_ok(
        &[
            "view",
            "tests/fixtures/view-hostile.jsonl",
            "--title",
            "</title><script>alert(4)</script>",
        ],
        0,
    );
    // The hostile strings travel inside the base64 data: none of them appears in the page.
    for needle in [
        "<img",
        "onerror",
        "onload",
        "<script>alert",
        "<b>",
        "<svg",
        "<!-- not",
    ] {
        assert!(!page.contains(needle), "the page holds {needle:?}");
    }
    assert!(page.contains("<title>&lt;/title&gt;&lt;script&gt;alert(4)&lt;/script&gt;</title>"));
    assert_eq!(page.matches("</script>").count(), 2);
    assert_eq!(page.matches("<script").count(), 2);
}

#[test]
fn view_refuses_to_write_to_a_terminal() {
    let Some((code, text)) = on_terminal("view samples/kv-store.jsonl") else {
        return;
    };
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains(
            "causal: standard output is a terminal: write the page to a file with -o FILE"
        ),
        "{text}"
    );
    assert!(!text.contains("<html"), "{text}");
}

#[test]
fn view_names_the_file_and_line_of_bad_input() {
    causal()
        .args(["view", "tests/fixtures/bad-json.jsonl", "-o"])
        .arg(out_dir().join("bad.html"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::starts_with(
            "causal: tests/fixtures/bad-json.jsonl:2:",
        ));
}

#[test]
fn view_cannot_write_into_a_missing_directory() {
    causal()
        .args(["view", "samples/kv-store.jsonl", "-o", "no/such/dir/v.html"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with(
            "causal: no/such/dir/v.html: cannot create the page:",
        ));
}

/// The viewer's unit tests (web/view/test/*.test.mjs) under Node's own test runner.
#[test]
fn view_unit_tests_pass_under_node() {
    let Some(node) = which("node") else {
        return skipped("node not found");
    };
    let out = Command::new(node)
        .args(["--test", "test/"])
        .current_dir(root().join("web/view"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "node --test failed:\n{text}");
    assert!(text.contains("# fail 0"), "{text}");
}

/// Ids of stamped JSON Lines.
fn ids_of(jsonl: &str) -> BTreeSet<String> {
    json_lines(jsonl)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

fn id_set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// What one page must show, and what to do on it.
struct PageCase {
    name: &'static str,
    input: Vec<String>,
    /// Extra arguments of `causal view`.
    extra: Vec<&'static str>,
    /// The page reads this instead of `input` (`causal past ... | causal view`).
    stdin: Option<Vec<u8>>,
    click: Vec<&'static str>,
    pairs: Vec<(&'static str, &'static str)>,
    hide: Vec<&'static str>,
    search: Vec<&'static str>,
    findings: bool,
    fragment: Option<(&'static str, &'static str)>,
    hostile: Option<&'static str>,
    interact: bool,
}

impl PageCase {
    fn new(name: &'static str, input: Vec<String>) -> Self {
        PageCase {
            name,
            input,
            extra: Vec::new(),
            stdin: None,
            click: Vec::new(),
            pairs: Vec::new(),
            hide: Vec::new(),
            search: Vec::new(),
            findings: true,
            fragment: None,
            hostile: None,
            interact: false,
        }
    }

    /// `causal CMD ARGS INPUT...` on this case's input.
    fn run(&self, args: &[&str], code: i32) -> String {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(strs(&self.input));
        match &self.stdin {
            None => run_ok(&all, code),
            Some(bytes) => {
                let out = causal()
                    .args(args)
                    .write_stdin(bytes.clone())
                    .assert()
                    .code(code)
                    .get_output()
                    .clone();
                String::from_utf8(out.stdout).unwrap()
            }
        }
    }

    fn page(&self) -> PathBuf {
        let path = out_dir().join(format!("{}.html", self.name));
        let mut args = vec!["view"];
        args.extend(&self.extra);
        args.push("-o");
        let p = path.to_str().unwrap().to_string();
        args.push(&p);
        self.run(&args, 0);
        path
    }
}

fn cases() -> Vec<PageCase> {
    let mut cases = Vec::new();
    let mut kv_case = PageCase::new("kv-store", kv());
    kv_case.click = vec!["alice-put-1", "kv-1#2", "bob-put-1", "kv-3#1"];
    kv_case.pairs = vec![
        ("alice-put-1", "bob-put-1"),
        ("kv-1#2", "alice-put-1"),
        ("bob-put-1", "alice-login"),
    ];
    kv_case.hide = vec!["kv-3"];
    kv_case.search = vec!["writes=cart:42", "bob-put-1", "node=kv-3", "/^PUT cart/"];
    kv_case.fragment = Some(("alice-put-1", "kv-3"));
    kv_case.interact = true;
    cases.push(kv_case);

    let mut raft_case = PageCase::new("raft", raft());
    raft_case.click = vec!["n1#3", "n1-leader-t1", "n3#4"];
    raft_case.pairs = vec![("n1#3", "n1#7"), ("n2#2", "n3#2")];
    raft_case.hide = vec!["n2"];
    raft_case.search = vec!["node=n3", "kind=send"];
    cases.push(raft_case);

    let mut checkout_case = PageCase::new("checkout", checkout());
    checkout_case.click = vec!["web#1", "payments#3"];
    checkout_case.pairs = vec![("web#1", "web#5")];
    checkout_case.search = vec!["/timeout|retry/i"];
    cases.push(checkout_case);

    let mut bare = PageCase::new("kv-store-no-analyses", kv());
    bare.extra = vec!["--no-analyses"];
    bare.click = vec!["bob-put-1"];
    cases.push(bare);

    let past = run_ok(&["past", "alice-put-1", "samples/kv-store.jsonl"], 0);
    let mut slice = PageCase::new("kv-store-past", Vec::new());
    slice.stdin = Some(past.into_bytes());
    slice.click = vec!["alice-put-1", "kv-1#2"];
    slice.pairs = vec![("kv-1#2", "alice-put-1")];
    cases.push(slice);

    // A future slice: its given clocks know about events the slice left out.
    let future = run_ok(&["future", "kv-1#2", "samples/kv-store.jsonl"], 0);
    let mut slice = PageCase::new("kv-store-future", Vec::new());
    slice.stdin = Some(future.into_bytes());
    slice.click = vec!["bob-put-1", "kv-3#2", "kv-1#2"];
    slice.pairs = vec![("kv-2#3", "bob-put-1"), ("alice-put-1", "bob-put-1")];
    slice.search = vec!["node=kv-3"];
    cases.push(slice);

    let mut hostile = PageCase::new("hostile", vec![path("view-hostile.jsonl")]);
    hostile.click = vec!["<script>alert(2)</script>"];
    hostile.search = vec!["/<img/", "<k>"];
    hostile.hostile = Some("<script>alert(2)</script>");
    cases.push(hostile);

    let mut outside = PageCase::new("outside", vec![path("view-outside.jsonl")]);
    outside.click = vec!["a#2"];
    cases.push(outside);

    let mut merge = PageCase::new("shiviz-merge", vec![path("shiviz-merge.log")]);
    merge.findings = true;
    cases.push(merge);

    if let Some(dir) = crate::corpus() {
        for (name, file) in [
            ("corpus-chord", "shiviz/shiviz__chord.log"),
            (
                "corpus-jaeger",
                "traces/jaeger/jaeger-ui__TraceGraph__testTrace.json",
            ),
            ("corpus-account", "rapid/account.std"),
        ] {
            let path = dir.join(file);
            if path.is_file() {
                cases.push(PageCase::new(
                    name,
                    vec![path.to_str().unwrap().to_string()],
                ));
            }
        }
    } else {
        skipped("../shared/corpus not found: the view tests use the samples only");
    }
    cases
}

/// The counts the page must draw at fit-all zoom, from `causal graph --format json`.
struct Expected {
    events: usize,
    ids: Vec<(String, String)>,
    messages: Vec<(String, String)>,
    loose: usize,
}

fn expected(case: &PageCase) -> Expected {
    let graph: Value = serde_json::from_str(&case.run(&["graph", "--format", "json"], 0)).unwrap();
    let ids: Vec<(String, String)> = graph["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["id"].as_str().unwrap().to_string(),
                e["node"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut messages = Vec::new();
    let mut loose = 0;
    for edge in graph["edges"].as_array().unwrap() {
        if edge["kind"] != "message" {
            continue;
        }
        // A loose end: null (never sent or received) or "outside" (a cut left it out).
        match (edge["from"].as_str(), edge["to"].as_str()) {
            (Some(a), Some(b)) if a != "outside" && b != "outside" => {
                messages.push((a.to_string(), b.to_string()))
            }
            _ => loose += 1,
        }
    }
    Expected {
        events: ids.len(),
        ids,
        messages,
        loose,
    }
}

#[test]
fn view_pages_work_in_chromium() {
    let Some(chromium) = browser() else {
        return;
    };
    let cases = cases();
    let dir = out_dir();
    let pages: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "file": c.page(),
                "screenshot": dir.join(format!("{}.png", c.name)),
                "click": c.click,
                "pairs": c.pairs.iter().map(|(a, b)| [a, b]).collect::<Vec<_>>(),
                "hide": c.hide,
                "search": c.search,
                "findings": c.findings,
                "fragment": c.fragment.map(|(a, b)| [a, b]),
                "checks": { "hostile": c.hostile },
                "interact": c.interact,
            })
        })
        .collect();
    let report = run_browser(&chromium, pages, "spec.json");
    std::fs::write(
        dir.join("report.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
    assert_eq!(report.len(), cases.len());
    for (case, seen) in cases.iter().zip(&report) {
        check_page(case, seen);
    }
}

fn check_page(case: &PageCase, seen: &Value) {
    let name = case.name;
    let want = expected(case);
    // Nothing but the page itself was loaded, and nothing went wrong in it.
    assert_eq!(seen["requests"], json!([]), "{name}: network requests");
    assert_eq!(seen["consoleErrors"], json!([]), "{name}: console errors");
    assert_eq!(seen["pageErrors"], json!([]), "{name}: uncaught exceptions");
    assert_eq!(seen["dialogs"], json!([]), "{name}: dialogs");
    assert_eq!(seen["errors"], json!([]), "{name}: errors");
    assert_eq!(seen["info"]["events"], json!(want.events), "{name}: events");

    // At fit-all zoom every event, every message arrow and every loose end is drawn.
    let fit = &seen["fit"];
    assert_eq!(fit["events"], json!(want.events), "{name}: events drawn");
    assert_eq!(
        fit["arrows"],
        json!(want.messages.len()),
        "{name}: arrows drawn"
    );
    assert_eq!(fit["stubs"], json!(want.loose), "{name}: loose ends drawn");
    for (layout, drawn) in seen["layouts"].as_object().unwrap() {
        if layout.contains("collapse") {
            assert!(drawn["events"].as_u64().unwrap() <= want.events as u64);
        } else {
            assert_eq!(drawn["events"], json!(want.events), "{name}: {layout}");
        }
        assert_eq!(
            drawn["arrows"],
            json!(want.messages.len()),
            "{name}: {layout} arrows"
        );
    }

    check_clicks(case, seen);
    check_pairs(case, seen);
    check_hides(case, seen, &want);
    check_searches(case, seen);
    check_findings(case, seen);
    // A link reproduces the view.
    if let Some((id, node)) = case.fragment {
        let f = &seen["fragment"];
        assert_eq!(f["selected"], json!([id]), "{name}: {}", f["fragment"]);
        assert!(!id_set(&f["lanes"]).contains(node));
        assert_eq!(f["view"]["mode"], "time");
    }

    if case.interact {
        let steps = &seen["interact"];
        let k = |step: &str| steps[step]["k"].as_f64().unwrap();
        let x0 = |step: &str| steps[step]["x0"].as_f64().unwrap();
        assert!(k("keyZoomIn") > k("fit"), "{name}: w zooms in: {steps}");
        assert!(x0("keyPanRight") > x0("keyZoomIn"), "{name}: d pans right");
        assert!(
            k("wheelZoomIn") > k("keyPanRight"),
            "{name}: ctrl-wheel zooms in"
        );
        assert!(
            x0("wheelPan") > x0("wheelZoomIn"),
            "{name}: a sideways wheel pans"
        );
        assert!(
            x0("drag") < x0("wheelPan"),
            "{name}: dragging right shows what is left"
        );
        assert_eq!(steps["key2"]["mode"], "time");
        assert_eq!(steps["key3"]["mode"], "program");
        assert_eq!(steps["key0"]["mode"], "lamport");
        assert_eq!(
            steps["key0"]["k"], steps["fit"]["k"],
            "{name}: 0 fits again"
        );
        assert_eq!(steps["help"], json!(true));
        assert_eq!(steps["helpClosed"], json!(true));
    }

    if let Some(id) = case.hostile {
        let h = &seen["hostile"];
        let details = h["details"].as_str().unwrap();
        assert!(details.contains(id), "{details}");
        assert!(details.contains("</script><img src=x onerror=alert(1)>"));
        assert_eq!(h["images"], json!(0));
    }
}

/// A click highlights exactly the causal past and future that the commands print.
fn check_clicks(case: &PageCase, seen: &Value) {
    let name = case.name;
    // A click highlights exactly the causal past and future that the commands print.
    for id in &case.click {
        let click = &seen["clicks"][id];
        assert_eq!(click["selected"], json!([id]), "{name}: clicking {id}");
        let past = ids_of(&case.run(&["past", id], 0));
        let future = ids_of(&case.run(&["future", id], 0));
        assert_eq!(id_set(&click["past"]), past, "{name}: past of {id}");
        assert_eq!(id_set(&click["future"]), future, "{name}: future of {id}");
    }
}

/// Two events: hb's relation, and a shortest chain of the same length.
fn check_pairs(case: &PageCase, seen: &Value) {
    let name = case.name;
    // Two events: hb's relation, and a shortest chain of the same length.
    for (pair, got) in case.pairs.iter().zip(seen["pairs"].as_array().unwrap()) {
        let (a, b) = *pair;
        let hb: Value =
            serde_json::from_str(&case.run(&["hb", a, b, "--format", "json"], 0)).unwrap();
        assert_eq!(got["selected"], json!([a, b]), "{name}: {a} then {b}");
        assert_eq!(got["relation"], hb["relation"], "{name}: hb {a} {b}");
        let path = hb["path"].as_array().unwrap();
        if path.len() >= 2 {
            let chain = got["chain"].as_array().unwrap();
            assert_eq!(chain.len(), path.len(), "{name}: chain {a} {b}");
            assert_eq!(chain.first(), path.first());
            assert_eq!(chain.last(), path.last());
        }
        // The page's first two lines are hb's (hb's chain may differ where several are
        // shortest).
        let text = case.run(&["hb", a, b], 0);
        let head: Vec<&str> = text.lines().take(2).collect();
        let details = got["details"].as_str().unwrap();
        for line in head {
            assert!(details.contains(line), "{name}: {line:?} not in\n{details}");
        }
    }
}

/// Hiding a node removes its lane and leaves its messages as stubs.
fn check_hides(case: &PageCase, seen: &Value, want: &Expected) {
    let name = case.name;
    // Hiding a node removes its lane and leaves its messages as stubs.
    for node in &case.hide {
        let hidden = &seen["hide"][node];
        let on_node: BTreeSet<&str> = want
            .ids
            .iter()
            .filter(|(_, n)| n == node)
            .map(|(id, _)| id.as_str())
            .collect();
        let kept = want
            .messages
            .iter()
            .filter(|(s, r)| !on_node.contains(s.as_str()) && !on_node.contains(r.as_str()))
            .count();
        assert_eq!(
            hidden["drawn"]["events"],
            json!(want.events - on_node.len()),
            "{name}: events with {node} hidden"
        );
        assert_eq!(hidden["drawn"]["arrows"], json!(kept), "{name}: arrows");
        assert!(
            !id_set(&hidden["lanes"]).contains(*node),
            "{name}: {node} still drawn"
        );
        assert!(
            hidden["fragment"]
                .as_str()
                .unwrap()
                .contains(&format!("hide={node}")),
            "{name}: {}",
            hidden["fragment"]
        );
    }
}

/// Search: results, and Enter jumps to the first.
fn check_searches(case: &PageCase, seen: &Value) {
    let name = case.name;
    // Search: results, and Enter jumps to the first.
    for q in &case.search {
        let got = &seen["search"][q];
        assert_eq!(got["error"], Value::Null, "{name}: {q}");
        let results = got["results"].as_array().unwrap();
        assert!(!results.is_empty(), "{name}: nothing found for {q}");
        assert_eq!(got["selected"], json!([results[0]]), "{name}: Enter on {q}");
        if let Some(expect) = expected_search(case, q) {
            assert_eq!(id_set(&got["results"]), expect, "{name}: results of {q}");
        }
    }
}

/// Findings: those `check` reports, each followed to its events.
fn check_findings(case: &PageCase, seen: &Value) {
    let name = case.name;
    // Findings: those `check` reports, each followed to its events.
    if case.findings && !case.extra.contains(&"--no-analyses") {
        let code = check_status(case);
        let check: Value =
            serde_json::from_str(&case.run(&["check", "--format", "json"], code)).unwrap();
        let expect: Vec<(String, Vec<String>)> = check["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["kind"].as_str().unwrap().to_string(),
                    f["events"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| e["id"].as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect();
        let got: Vec<(String, Vec<String>)> = seen["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["kind"].as_str().unwrap().to_string(),
                    f["events"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| e.as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect();
        assert_eq!(got, expect, "{name}: findings");
        for (followed, (_, events)) in seen["followed"].as_array().unwrap().iter().zip(&expect) {
            let mut first: Vec<&String> = events.iter().take(2).collect();
            first.dedup();
            assert_eq!(followed, &json!(first), "{name}: following a finding");
        }
    }
    if case.extra.contains(&"--no-analyses") {
        assert_eq!(seen["info"]["findings"], json!(0));
        assert_eq!(seen["info"]["conflicts"], Value::Null);
    }
}

/// `check`'s exit status on this case: 1 with findings, else 0.
fn check_status(case: &PageCase) -> i32 {
    let mut cmd = causal();
    cmd.args(["check", "--format", "json"])
        .args(strs(&case.input));
    if let Some(bytes) = &case.stdin {
        cmd.write_stdin(bytes.clone());
    }
    cmd.output().unwrap().status.code().unwrap()
}

/// The events a `field=value` search must find, read off `causal stamp`.
fn expected_search(case: &PageCase, q: &str) -> Option<BTreeSet<String>> {
    let (field, value) = q.split_once('=')?;
    if field.contains(['/', ' ']) {
        return None;
    }
    let stamped = json_lines(&case.run(&["stamp"], 0));
    let has = |v: &Value| match v {
        Value::String(s) => s == value,
        Value::Array(a) => a.iter().any(|x| x == value),
        _ => false,
    };
    Some(
        stamped
            .iter()
            .filter(|e| match field {
                "writes" | "reads" | "node" => has(&e[field]),
                "kind" => e["kind"].as_str().unwrap_or("local") == value,
                _ => false,
            })
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect(),
    )
}

/// The page's data is compact: no more than this many bytes per event plus the labels, on a
/// generated trace (the README's figure; the benchmark measures it at 10^5 events).
#[test]
fn view_page_stays_small_per_event() {
    let gen = run_ok(
        &["gen", "--nodes", "8", "--events", "20000", "--seed", "3"],
        0,
    );
    let path = out_dir().join("gen.jsonl");
    std::fs::write(&path, &gen).unwrap();
    let page = run_ok(&["view", path.to_str().unwrap(), "--no-analyses"], 0);
    let labels: usize = json_lines(&gen)
        .iter()
        .map(|e| e["label"].as_str().map_or(0, str::len))
        .sum();
    let per_event = (page.len().saturating_sub(labels)) as f64 / 20_000.0;
    assert!(
        per_event <= 60.0,
        "{per_event:.1} bytes per event beyond the labels ({} bytes in all)",
        page.len()
    );
}
