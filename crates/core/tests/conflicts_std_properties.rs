//! Property tests of the streamed conflict finder for STD traces against the batch path: the
//! trace built by the STD parser, ordered, stamped and searched by `find_conflicts`, whose
//! report (counts, witnesses, their clocks) must come out byte for byte the same, as JSON and
//! as text. The two share the line splitter and the renderer, nothing of the ordering, the
//! clocks or the search. The batch path itself is held against a brute-force all-pairs count
//! in analysis_properties.rs.

use proptest::prelude::*;

use causal_core::analysis::conflicts::{find_conflicts, ConflictOptions};
use causal_core::analysis::conflicts_std::{StdConflictFinder, StdConflictOptions};
use causal_core::clock::{self, Engine, LamportEngine, PackedClocks, ReplayWalk};
use causal_core::input::Input;
use causal_core::order::causal_order;
use causal_core::parse::{parse_inputs, stream_std, Format, ParseOptions};
use causal_core::render::conflicts::{write_json, write_text, WitnessClocks};
use causal_core::render::{lamport_order_of, Palette};

const KEYS: [&str; 3] = ["x", "y", "z"];

/// One line: thread, op (0..10), argument pick, and whether to write it with spaces.
fn line_strategy(threads: usize) -> impl Strategy<Value = String> {
    (0..threads, 0u8..12, 0usize..8, 0u8..10).prop_map(move |(t, op, pick, odd)| {
        let key = KEYS[pick % KEYS.len()];
        let lock = format!("L{}", pick % 2);
        let other = format!("T{}", pick % (threads + 1));
        let (name, arg) = match op {
            0..=2 => ("r", key.to_string()),
            3..=5 => ("w", key.to_string()),
            6 => ("acq", lock),
            7 => ("rel", lock),
            8 => ("fork", other),
            9 => ("join", other),
            10 => ("begin", String::new()),
            _ => ("end", String::new()),
        };
        let op = match (arg.is_empty(), odd) {
            (true, _) => name.to_string(),
            (false, 0) => format!("{name}( {arg} )"),
            (false, _) => format!("{name}({arg})"),
        };
        match odd {
            1 => format!("T{t}|{op}"),
            2 => "# a comment".to_string(),
            _ => format!("T{t}|{op}|{pick}"),
        }
    })
}

/// One to three files of STD lines over one to six threads.
fn files_strategy() -> impl Strategy<Value = Vec<String>> {
    (1usize..7).prop_flat_map(|threads| {
        proptest::collection::vec(
            proptest::collection::vec(line_strategy(threads), 0..40)
                .prop_map(|lines| lines.join("\n")),
            1..4,
        )
    })
}

fn inputs(files: &[String]) -> Vec<causal_core::error::Result<Input>> {
    files
        .iter()
        .enumerate()
        .map(|(i, text)| {
            Ok(Input::from_bytes(
                &format!("t{i}.std"),
                text.clone().into_bytes(),
            ))
        })
        .collect()
}

/// The report as the batch path writes it: JSON, then text.
fn batch(files: &[String], limit: Option<usize>, keys: Option<&[String]>) -> (String, String) {
    let options = ParseOptions {
        from: Format::Std,
        drop_fields: true,
        ..ParseOptions::default()
    };
    let trace = parse_inputs(inputs(files), &options).unwrap().trace;
    let causality = causal_order(&trace).unwrap();
    let keys = keys.map(|names| names.iter().filter_map(|n| trace.key_id(n)).collect());
    let options = ConflictOptions { limit, keys };
    let lamport = clock::run(&trace, &causality, LamportEngine::new(&trace));
    let order = lamport_order_of(&trace, &lamport);
    let walk = ReplayWalk::new(Engine::Flat, &trace, &causality);
    let report = find_conflicts(&trace, &order, walk, &options);
    let witnesses = report.witness_events();
    let vector = PackedClocks::select(Engine::Flat, &trace, &causality, &order, &witnesses);
    let clocks = WitnessClocks {
        lamport: &lamport,
        vector: &vector,
    };
    let (mut json, mut text) = (Vec::new(), Vec::new());
    write_json(&mut json, &trace, &clocks, &report).unwrap();
    write_text(&mut text, &trace, &clocks, &report, Palette::plain()).unwrap();
    (
        String::from_utf8(json).unwrap(),
        String::from_utf8(text).unwrap(),
    )
}

/// The same, streamed.
fn streamed(files: &[String], limit: Option<usize>, keys: Option<&[String]>) -> (String, String) {
    let mut finder = StdConflictFinder::new(&StdConflictOptions {
        limit,
        keys: keys.map(<[String]>::to_vec),
    });
    stream_std(inputs(files), &mut finder).unwrap();
    let found = finder.finish();
    let clocks = WitnessClocks {
        lamport: &found.lamport,
        vector: &found.vector,
    };
    let (mut json, mut text) = (Vec::new(), Vec::new());
    write_json(&mut json, &found.trace, &clocks, &found.report).unwrap();
    write_text(
        &mut text,
        &found.trace,
        &clocks,
        &found.report,
        Palette::plain(),
    )
    .unwrap();
    (
        String::from_utf8(json).unwrap(),
        String::from_utf8(text).unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn streamed_reports_equal_the_batch_reports(
        files in files_strategy(),
        limit in 0usize..4,
        only in proptest::option::weighted(0.2, proptest::sample::subsequence(vec!["x", "z", "w"], 1..3)),
    ) {
        let limit = (limit > 0).then_some(limit);
        let keys: Option<Vec<String>> = only.map(|k| k.into_iter().map(String::from).collect());
        let expected = batch(&files, limit, keys.as_deref());
        let got = streamed(&files, limit, keys.as_deref());
        prop_assert_eq!(got.0, expected.0);
        prop_assert_eq!(got.1, expected.1);
    }
}

/// Many threads and long runs without synchronisation: witnesses found late in the input
/// that come early in Lamport order, and cursors reused over long unseen suffixes.
#[test]
fn a_long_racy_trace_gives_the_batch_report() {
    let mut lines = Vec::new();
    let mut state: u64 = 7;
    for n in 0..1200 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let r = (state >> 33) as usize;
        let t = if n < 500 { r % 3 } else { r % 16 };
        let line = match r % 11 {
            0 => format!("T{t}|acq(L{})|{n}", r % 3),
            1 => format!("T{t}|rel(L{})|{n}", r % 3),
            2..=5 => format!("T{t}|r(s{})|{n}", r % 4),
            _ => format!("T{t}|w(s{})|{n}", r % 4),
        };
        lines.push(line);
    }
    let files = [lines.join("\n")];
    for limit in [Some(1), Some(10), None] {
        assert_eq!(streamed(&files, limit, None), batch(&files, limit, None));
    }
}

/// One line of a wide trace: mostly accesses of two keys, and locks taken `sync` times in
/// 100, so that readers lag some lanes by a few accesses and others by many; a few joins,
/// after which a reader has seen a lane up to an access, not only up to a release.
fn wide_line(threads: usize, sync: u8) -> impl Strategy<Value = String> {
    (0..threads, 0u8..100, 0usize..threads).prop_map(move |(t, op, pick)| {
        let key = ["x", "y"][pick % 2];
        match op {
            o if o < sync => format!("T{t}|acq(L{})|{o}", pick % 2),
            o if o < 2 * sync => format!("T{t}|rel(L{})|{o}", pick % 2),
            o if o >= 98 => format!("T{t}|join(T{pick})|{o}"),
            o if o % 3 == 0 => format!("T{t}|w({key})|{o}"),
            o => format!("T{t}|r({key})|{o}"),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Many threads and long lanes: each visit counts most lanes from their latest accesses,
    /// some from their lists (readers more than a few accesses behind), some with cursors
    /// (readers with as many accesses as the key has lanes). A lane skipped or counted
    /// wrongly changes the counts.
    #[test]
    fn streamed_reports_equal_the_batch_reports_with_many_threads(
        lines in (8usize..40, 0u8..15).prop_flat_map(|(threads, sync)| {
            proptest::collection::vec(wide_line(threads, sync), 100..700)
        }),
        limit in prop_oneof![Just(None), (1usize..4).prop_map(Some)],
    ) {
        let files = [lines.join("\n")];
        let expected = batch(&files, limit, None);
        let got = streamed(&files, limit, None);
        prop_assert_eq!(got.0, expected.0);
        prop_assert_eq!(got.1, expected.1);
    }
}

/// Accesses of one thread more than `u16::MAX` positions apart, read by threads that have
/// seen it up to just before, between or long before them: the distances a lane's head
/// keeps saturate, and the head must still count exactly or leave the count to the lists.
#[test]
fn accesses_far_apart_in_their_thread_give_the_batch_report() {
    let mut lines: Vec<String> = ["A|w(x)|1", "A|acq(L0)|2", "A|rel(L0)|3"]
        .map(String::from)
        .to_vec();
    let filler = |lines: &mut Vec<String>, count: usize| {
        lines.extend((0..count).map(|i| format!("A|r(p)|{i}")));
    };
    // A's lane of x: writes at positions 1, 66,009 and 66,012. B has seen none of A, C up
    // to 3 (a distance past u16::MAX: the lists count), D up to 5,005 (60,000 or so behind
    // the newest write: the head counts, the first write's distance saturated), E all but
    // the last write.
    filler(&mut lines, 5_000);
    lines.extend(["A|acq(L1)|0", "A|rel(L1)|0"].map(String::from));
    filler(&mut lines, 61_000);
    lines.extend(["A|w(x)|0", "A|acq(L2)|0", "A|rel(L2)|0", "A|w(x)|0"].map(String::from));
    for (t, lock) in [("B", None), ("C", Some(0)), ("D", Some(1)), ("E", Some(2))] {
        if let Some(l) = lock {
            lines.push(format!("{t}|acq(L{l})|0"));
        }
        lines.push(format!("{t}|r(x)|0"));
        lines.push(format!("{t}|w(x)|0"));
    }
    let files = [lines.join("\n")];
    for limit in [Some(2), None] {
        assert_eq!(streamed(&files, limit, None), batch(&files, limit, None));
    }
}
