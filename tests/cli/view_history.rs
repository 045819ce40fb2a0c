//! `causal view` on a history: the page's data (decoded here from web/view/README.md's
//! "History data", independently of the writer) holds the operations as intervals on their
//! processes and the linearizability check's facts: verdict, failing operations, window,
//! longest prefix or linearization. Then the page itself in headless Chromium (skipped
//! without Chromium, except under CI=true), with screenshots in target/tmp/view/.

use std::io::Read;

use serde_json::{json, Value};

use crate::view::{browser, out_dir, run_browser};
use crate::{causal, corpus, path, root, run_ok, skipped};

/// One operation as the `ops` section holds it, strings resolved.
#[derive(Debug, PartialEq)]
struct Op {
    process: String,
    status: &'static str,
    call: u64,
    ret: Option<u64>,
    lines: (u64, Option<u64>),
    key: Option<String>,
    label: String,
    f: String,
    invoked: String,
    completed: Option<String>,
}

/// The page's data: the header, the operations, the orders and the prefixes' states.
struct Page {
    header: Value,
    ops: Vec<Op>,
    orders: Vec<Vec<u64>>,
    states: Vec<Vec<String>>,
}

fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(value(c)) << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// A reader of LEB128 varints.
struct Varints<'a>(&'a [u8]);

impl Varints<'_> {
    fn u(&mut self) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = self.0[0];
            self.0 = &self.0[1..];
            v |= u64::from(b & 127) << shift;
            shift += 7;
            if b < 128 {
                return v;
            }
        }
    }

    fn i(&mut self) -> i64 {
        let v = self.u();
        (v >> 1) as i64 ^ -((v & 1) as i64)
    }
}

/// Decodes the data of the page at `html`.
fn decode(html: &str) -> Page {
    let start = html
        .find(r#"<script id="causal-data" type="application/octet-stream">"#)
        .expect("the data element");
    let rest = &html[start..];
    let text = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&base64(text)[..])
        .read_to_end(&mut raw)
        .unwrap();
    assert_eq!(&raw[..4], b"CVW1");
    let len = u32::from_le_bytes(raw[4..8].try_into().unwrap()) as usize;
    let header: Value = serde_json::from_slice(&raw[8..8 + len]).unwrap();
    if header["mode"] != "history" {
        return Page {
            header,
            ops: Vec::new(),
            orders: Vec::new(),
            states: Vec::new(),
        };
    }
    let mut at = 8 + len;
    let mut section = std::collections::HashMap::new();
    for s in header["sections"].as_array().unwrap() {
        let n = s[1].as_u64().unwrap() as usize;
        section.insert(s[0].as_str().unwrap().to_string(), &raw[at..at + n]);
        at += n;
    }
    assert_eq!(at, raw.len(), "the sections fill the data");
    // Strings: lengths in UTF-16 units, then all the text.
    let text = std::str::from_utf8(section["string_text"]).unwrap();
    let mut lengths = Varints(section["string_lengths"]);
    let mut strings = Vec::new();
    let mut chars = text.chars();
    for _ in 0..header["strings"].as_u64().unwrap() {
        let mut units = lengths.u() as usize;
        let mut s = String::new();
        while units > 0 {
            let c = chars.next().unwrap();
            units -= c.len_utf16();
            s.push(c);
        }
        strings.push(s);
    }
    let mut next = 0;
    let mut string = |r: &mut Varints| {
        let v = r.u() as usize;
        if v == 0 {
            next += 1;
            strings[next - 1].clone()
        } else {
            strings[v - 1].clone()
        }
    };
    let processes = header["processes"].as_array().unwrap().clone();
    let keys = header["keys"].as_array().unwrap().clone();
    let several = header["files"].as_array().unwrap().len() > 1;
    let mut r = Varints(section["ops"]);
    let (mut call, mut line) = (0u64, 0i64);
    let mut ops = Vec::new();
    for _ in 0..header["operations"].as_u64().unwrap() {
        let process = processes[r.u() as usize].as_str().unwrap().to_string();
        let flags = r.u();
        let status = ["ok", "fail", "info", "open"][(flags & 3) as usize];
        call += r.u();
        let done = status != "open";
        let ret = done.then(|| call + r.u());
        if several {
            r.u();
            if done {
                r.u();
            }
        }
        line += r.i();
        let ret_line = done.then(|| (line + r.i()) as u64);
        let key = (flags & 4 != 0).then(|| keys[r.u() as usize].as_str().unwrap().to_string());
        let label = string(&mut r);
        let f = string(&mut r);
        let invoked = string(&mut r);
        let completed = done.then(|| string(&mut r));
        ops.push(Op {
            process,
            status,
            call,
            ret,
            lines: (line as u64, ret_line),
            key,
            label,
            f,
            invoked,
            completed,
        });
    }
    assert!(r.0.is_empty(), "the ops section holds the operations only");
    let lin = &header["history"];
    let violations = lin["violations"].as_array().unwrap().len();
    let lists = violations + lin["linearizations"].as_array().unwrap().len();
    let mut r = Varints(section["orders"]);
    let orders: Vec<Vec<u64>> = (0..lists)
        .map(|_| {
            let n = r.u();
            let mut last = 0i64;
            (0..n)
                .map(|_| {
                    last += r.i();
                    last as u64
                })
                .collect()
        })
        .collect();
    let mut r = Varints(section["states"]);
    let states = (0..violations)
        .map(|v| orders[v].iter().map(|_| string(&mut r)).collect())
        .collect();
    Page {
        header,
        ops,
        orders,
        states,
    }
}

/// `causal view ARGS -o DIR/NAME.html`: the page's path and its decoded data.
fn view(name: &str, args: &[&str]) -> (std::path::PathBuf, Page) {
    let page = out_dir().join(format!("{name}.html"));
    let mut all = vec!["view"];
    all.extend_from_slice(args);
    all.extend(["-o", page.to_str().unwrap()]);
    assert_eq!(run_ok(&all, 0), "");
    let data = decode(&std::fs::read_to_string(&page).unwrap());
    (page, data)
}

/// (process, status, call, ret, label) of each operation.
fn intervals(page: &Page) -> Vec<(&str, &str, u64, Option<u64>, &str)> {
    page.ops
        .iter()
        .map(|o| (&*o.process, o.status, o.call, o.ret, &*o.label))
        .collect()
}

#[test]
fn view_of_a_linearizable_history_holds_its_operations_and_order() {
    let (_, page) = view("h-linearizable", &[&path("hview-linearizable.edn")]);
    let h = &page.header;
    assert_eq!(h["mode"], "history");
    assert_eq!(h["processes"], json!(["0", "1"]));
    assert_eq!(h["keys"], json!([]));
    assert_eq!(h["positions"], 8);
    assert_eq!(
        intervals(&page),
        vec![
            ("0", "ok", 0, Some(2), "write 1"),
            ("1", "ok", 1, Some(3), "read → 1"),
            ("0", "ok", 4, Some(5), "write 2"),
            ("1", "ok", 6, Some(7), "read → 2"),
        ]
    );
    assert_eq!(page.ops[1].lines, (2, Some(4)));
    assert_eq!((&*page.ops[1].f, &*page.ops[1].invoked), ("read", "nil"));
    assert_eq!(page.ops[1].completed.as_deref(), Some("1"));
    let lin = &h["history"];
    assert_eq!(lin["version"], 1);
    assert_eq!(lin["verdict"], "linearizable");
    assert_eq!(lin["model"], "register");
    assert_eq!(lin["violations"], json!([]));
    assert_eq!(lin["linearizations"], json!([null]));
    assert_eq!(page.orders, vec![vec![0, 1, 2, 3]]);
    assert!(lin["text"]
        .as_str()
        .unwrap()
        .starts_with("linearizable: the 4 operations fit the register model"));
}

#[test]
fn view_of_a_stale_read_holds_the_failing_window_and_prefix() {
    let (_, page) = view("h-stale", &[&path("hview-stale.edn")]);
    let lin = &page.header["history"];
    assert_eq!(lin["verdict"], "not-linearizable");
    assert_eq!(
        lin["violations"],
        json!([{
            "key": null,
            "operations": 3,
            "prefix": 2,
            "state": "2",
            "blocking": 2,
            "candidates": [{"op": 2, "kind": "rejected", "observed": "1"}],
            "earlier_unknown": 0,
            "window": {"from": 4, "to": 5, "ops": [2]},
            "impossible": {"kind": "overwritten", "op": 2, "value": "1", "writer": 0, "killer": 1},
        }])
    );
    assert_eq!(page.orders, vec![vec![0, 1]]);
    assert_eq!(page.states, vec![vec!["1".to_string(), "2".to_string()]]);
    assert_eq!(
        intervals(&page)[2],
        ("1", "ok", 4, Some(5), "read → 1"),
        "the failing read"
    );
    // The report panel's text is `causal lin`'s own.
    let text = run_ok(&["lin", &path("hview-stale.edn")], 1);
    assert_eq!(lin["text"].as_str().unwrap(), text);
}

#[test]
fn view_of_a_kv_history_holds_each_key_as_a_partition() {
    let (_, page) = view("h-kv", &[&path("hview-kv.jsonl")]);
    let h = &page.header;
    assert_eq!(h["keys"], json!(["\"x\"", "\"y\""]));
    let keys: Vec<Option<&str>> = page.ops.iter().map(|o| o.key.as_deref()).collect();
    assert_eq!(
        keys,
        vec![
            Some("\"x\""),
            Some("\"x\""),
            Some("\"y\""),
            Some("\"y\""),
            Some("\"y\"")
        ]
    );
    let lin = &h["history"];
    assert_eq!(lin["model"], "kv");
    assert_eq!(lin["partitions"], 2);
    assert_eq!(lin["violations"].as_array().unwrap().len(), 1);
    let v = &lin["violations"][0];
    assert_eq!(v["key"], 1, "key \"y\" fails");
    assert_eq!(
        v["candidates"],
        json!([{"op": 4, "kind": "rejected", "observed": "\"1\""}])
    );
    assert_eq!(v["window"], json!({"from": 8, "to": 9, "ops": [4]}));
    assert_eq!(
        lin["linearizations"],
        json!([0]),
        "key \"x\" is linearizable"
    );
    // The prefix of "y", then the order of "x".
    assert_eq!(page.orders, vec![vec![2, 3], vec![0, 1]]);
}

#[test]
fn view_of_info_and_fail_operations_keeps_their_outcome() {
    let (_, page) = view("h-info-fail", &[&path("hview-info-fail.edn")]);
    assert_eq!(page.header["processes"], json!(["0", "1", "2", "0~2"]));
    assert_eq!(
        intervals(&page),
        vec![
            ("0", "info", 0, Some(2), "write 1 (info)"),
            ("1", "fail", 1, Some(3), "write 2 (fail)"),
            ("2", "ok", 4, Some(5), "read → 1"),
            ("0~2", "ok", 6, Some(7), "read → 1"),
        ]
    );
    let lin = &page.header["history"];
    assert_eq!(lin["verdict"], "linearizable");
    assert_eq!(lin["dropped"], json!({"failed": 1, "unknown_reads": 0}));
    // The :info write took effect; the :fail one did not happen.
    assert_eq!(page.orders, vec![vec![0, 2, 3]]);
}

#[test]
fn view_checks_a_history_with_lins_options() {
    let (_, page) = view(
        "h-timeout",
        &[&path("hview-linearizable.edn"), "--timeout", "0"],
    );
    let lin = &page.header["history"];
    assert_eq!(lin["verdict"], "unknown");
    assert_eq!(lin["undecided"], json!([null]));
    assert_eq!(page.orders, Vec::<Vec<u64>>::new());
    causal()
        .args(["view", &path("hview-stale.edn"), "--model", "kv"])
        .assert()
        .code(2)
        .stderr(
            "causal: tests/fixtures/hview-stale.edn:1: expected :f :get, :put or :append for the kv model, found :write\n",
        );
}

#[test]
fn view_reads_a_history_on_standard_input_only_when_told() {
    let stdin = std::fs::read(root().join(path("hview-stale.edn"))).unwrap();
    let out = causal()
        .args(["view", "--from", "edn"])
        .write_stdin(stdin.clone())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let page = decode(&String::from_utf8(out).unwrap());
    assert_eq!(page.header["mode"], "history");
    assert_eq!(page.header["files"], json!(["<stdin>"]));
    // Unnamed, standard input is read as events (what was read to look would be gone).
    let out = causal()
        .args(["view"])
        .write_stdin(stdin)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let page = decode(&String::from_utf8(out).unwrap());
    assert_eq!(page.header["mode"], Value::Null);
    assert_eq!(page.header["events"], 6);
}

#[test]
fn view_of_a_history_keeps_its_strings_inside_the_data() {
    let hostile = "{\"process\":\"</script><b>\",\"type\":\"invoke\",\"f\":\"put\",\"key\":\"<img src=x onerror=alert(1)>\",\"value\":\"</style>\"}\n";
    let out = causal()
        .args(["view", "--from", "history", "--title", "<i>t</i>"])
        .write_stdin(hostile)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let html = String::from_utf8(out).unwrap();
    for text in ["<img", "<b>", "</style>\"", "<i>"] {
        assert!(!html.contains(text), "{text} in the page");
    }
    let page = decode(&html);
    assert_eq!(page.header["processes"], json!(["</script><b>"]));
    assert_eq!(
        page.header["keys"],
        json!(["\"<img src=x onerror=alert(1)>\""])
    );
    assert_eq!(page.ops[0].invoked, "\"</style>\"");
    assert_eq!(page.ops[0].status, "open");
}

/// The history pages in Chromium: no console error, the lanes and the failing window drawn,
/// the failing operation selected by a click on its bar, its model state shown.
#[test]
fn history_pages_work_in_chromium() {
    let Some(chromium) = browser() else {
        return;
    };
    let dir = out_dir();
    let mut cases = vec![
        (
            "h-linearizable",
            view("h-linearizable", &[&path("hview-linearizable.edn")]).0,
        ),
        ("h-stale", view("h-stale", &[&path("hview-stale.edn")]).0),
        ("h-kv", view("h-kv", &[&path("hview-kv.jsonl")]).0),
        (
            "h-info-fail",
            view("h-info-fail", &[&path("hview-info-fail.edn")]).0,
        ),
    ];
    match corpus() {
        Some(corpus) => {
            let etcd = corpus.join("histories/porcupine-jepsen/etcd_000.log");
            cases.push((
                "h-etcd-000",
                view("h-etcd-000", &[etcd.to_str().unwrap()]).0,
            ));
        }
        None => skipped("../shared/corpus not found: the history pages use the fixtures only"),
    }
    let pages: Vec<Value> = cases
        .iter()
        .map(|(name, file)| {
            json!({"name": name, "file": file, "screenshot": dir.join(format!("{name}.png")), "history": true})
        })
        .collect();
    let report = run_browser(&chromium, pages, "history-spec.json");
    assert_eq!(report.len(), cases.len());
    for seen in &report {
        let name = seen["name"].as_str().unwrap();
        let page = decode(&std::fs::read_to_string(dir.join(format!("{name}.html"))).unwrap());
        let lin = &page.header["history"];
        for list in ["consoleErrors", "pageErrors", "requests", "errors"] {
            assert_eq!(seen[list], json!([]), "{name}: {list}");
        }
        assert_eq!(seen["info"]["verdict"], lin["verdict"], "{name}");
        assert!(
            seen["fit"]["lanes"].as_u64().unwrap() > 0,
            "{name}: lanes drawn"
        );
        assert!(
            seen["fit"]["bars"].as_u64().unwrap() > 0,
            "{name}: bars drawn"
        );
        let failing = lin["violations"].as_array().unwrap();
        if let Some(v) = failing.first() {
            assert_eq!(
                seen["failure"]["window"], true,
                "{name}: the window is drawn"
            );
            assert!(seen["failure"]["bars"].as_u64().unwrap() > 0, "{name}");
            let op = &v["candidates"][0]["op"];
            assert_eq!(
                &seen["clicked"], op,
                "{name}: a click on the failing operation selects it"
            );
            let details = seen["details"].as_str().unwrap();
            let state = v["state"].as_str().unwrap();
            assert!(
                details.contains(&format!("model state\t{state}"))
                    || details.contains(&format!("model state\n{state}")),
                "{name}: {details}"
            );
            assert!(
                seen["check"].as_str().unwrap().contains("Not linearizable"),
                "{name}"
            );
        } else {
            assert!(
                seen["check"].as_str().unwrap().contains("Linearizable"),
                "{name}"
            );
            let order = &seen["order"];
            assert_eq!(
                order.as_array().unwrap().len(),
                page.orders.first().map_or(0, Vec::len),
                "{name}: the order drawn"
            );
        }
    }
}
