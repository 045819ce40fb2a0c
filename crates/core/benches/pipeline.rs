//! In-process benchmarks: each phase of the pipeline (parse, causal order, each clock engine,
//! each analysis) on one generated trace, with throughput in events per second.
//!
//! `cargo bench` runs them all in about a minute; `cargo bench -- clock` runs those whose name
//! holds `clock`. Whole commands are timed by `bench/run.sh`. Each bench is one call of the
//! library, so that adapting it to a changed signature is a one-line edit.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

use causal_core::analysis::check::{check, CheckOptions};
use causal_core::analysis::conflicts::{find_conflicts, ConflictOptions};
use causal_core::analysis::skew::{analyze_skew, SkewPairs};
use causal_core::clock::{
    self, hlc::HlcEngine, Engine, FlatVectorEngine, LamportEngine, Replay, ReplayWalk, VectorClocks,
};
use causal_core::gen::{generate, GenConfig};
use causal_core::model::{EventIdx, Trace};
use causal_core::order::{causal_order, Causality};
use causal_core::parse::{parse_files, ParseOptions};
use causal_core::render::lamport_order_of;
use divan::counter::ItemsCount;
use divan::Bencher;

/// Events in the generated trace: enough for per-event costs to dominate, few enough for
/// `cargo bench` to finish in about a minute.
const EVENTS: u64 = 100_000;

/// The trace: the shape of BENCHMARKS.md's gen-16, a tenth of its size.
fn config() -> GenConfig {
    GenConfig {
        nodes: 16,
        events: EVENTS,
        seed: 1,
        keys: 1000,
        ..GenConfig::default()
    }
}

/// The generated file and what each phase needs from the phases before it, built once.
struct Fixture {
    file: PathBuf,
    trace: Trace,
    causality: Causality,
    /// Lamport's total order, in which `stamp` and `conflicts` visit the events.
    lamport_order: Vec<EventIdx>,
    /// Every event's flat vector clock, for the analysis without the clocks' cost.
    vector: VectorClocks,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        let (file, path) = tempfile::Builder::new()
            .prefix("causal-bench-")
            .suffix(".jsonl")
            .tempfile()
            .expect("create a temporary file")
            .keep()
            .expect("keep the temporary file");
        let mut out = BufWriter::new(file);
        generate(&config(), &mut out).expect("generate the trace");
        out.flush().expect("write the trace");
        let trace = parse_files(std::slice::from_ref(&path), &ParseOptions::default())
            .expect("parse the generated trace")
            .trace;
        let causality = causal_order(&trace).expect("order the generated trace");
        let lamport = clock::run(&trace, &causality, LamportEngine::new(&trace));
        let lamport_order = lamport_order_of(&trace, &lamport);
        let vector = clock::run(&trace, &causality, FlatVectorEngine::new(&trace));
        Fixture {
            file: path,
            trace,
            causality,
            lamport_order,
            vector,
        }
    })
}

fn main() {
    divan::main();
    // Statics are never dropped, so the generated file is removed here.
    if let Some(f) = FIXTURE.get() {
        let _ = std::fs::remove_file(&f.file);
    }
}

fn events() -> ItemsCount {
    ItemsCount::new(EVENTS)
}

#[divan::bench(max_time = 5)]
fn parse(bencher: Bencher) {
    let f = fixture();
    let options = ParseOptions::default();
    bencher
        .counter(events())
        .bench(|| parse_files(std::slice::from_ref(&f.file), &options).unwrap());
}

#[divan::bench(max_time = 5)]
fn order(bencher: Bencher) {
    let f = fixture();
    bencher
        .counter(events())
        .bench(|| causal_order(&f.trace).unwrap());
}

#[divan::bench(max_time = 5)]
fn clock_lamport(bencher: Bencher) {
    let f = fixture();
    bencher
        .counter(events())
        .bench(|| clock::run(&f.trace, &f.causality, LamportEngine::new(&f.trace)));
}

#[divan::bench(max_time = 5)]
fn clock_flat_vector(bencher: Bencher) {
    let f = fixture();
    bencher
        .counter(events())
        .bench(|| clock::run(&f.trace, &f.causality, FlatVectorEngine::new(&f.trace)));
}

/// The lean engines `stamp` writes with: clocks computed on the fly, in Lamport order, by flat
/// rows or by tree clocks.
#[divan::bench(max_time = 5, args = [Engine::Flat, Engine::Tree, Engine::Auto])]
fn clock_vector_replay(bencher: Bencher, engine: Engine) {
    let f = fixture();
    bencher.counter(events()).bench(|| {
        let mut replay = Replay::new(engine, &f.trace, &f.causality);
        for &e in &f.lamport_order {
            replay.advance(&f.trace, &f.causality, e);
        }
        replay
    });
}

#[divan::bench(max_time = 5)]
fn clock_hlc(bencher: Bencher) {
    let f = fixture();
    bencher
        .counter(events())
        .bench(|| clock::run(&f.trace, &f.causality, HlcEngine::new(&f.trace)));
}

/// As `causal conflicts` runs it: Lamport order, clocks replayed on the fly, ten witnesses
/// per key.
#[divan::bench(max_time = 5)]
fn analysis_conflicts(bencher: Bencher) {
    let f = fixture();
    let options = conflict_options();
    bencher.counter(events()).bench(|| {
        let clocks = ReplayWalk::new(Engine::Auto, &f.trace, &f.causality);
        find_conflicts(&f.trace, &f.lamport_order, clocks, &options)
    });
}

/// The conflict search alone, over stored clocks.
#[divan::bench(max_time = 5)]
fn analysis_conflicts_stored_clocks(bencher: Bencher) {
    let f = fixture();
    let options = conflict_options();
    bencher
        .counter(events())
        .bench(|| find_conflicts(&f.trace, &f.lamport_order, &f.vector, &options));
}

fn conflict_options() -> ConflictOptions {
    ConflictOptions {
        limit: Some(10),
        keys: None,
    }
}

/// As `causal check --all-pairs` (and JSON up to 1,000 nodes) runs it: every finding, skew
/// bounds for all pairs of nodes.
#[divan::bench(max_time = 5)]
fn analysis_check(bencher: Bencher) {
    let f = fixture();
    bencher
        .counter(events())
        .bench(|| check(&f.trace, &f.causality, CheckOptions::default()));
}

/// The skew part of `check` alone.
#[divan::bench(max_time = 5)]
fn analysis_skew(bencher: Bencher) {
    let f = fixture();
    bencher
        .counter(events())
        .bench(|| analyze_skew(&f.trace, &f.causality, SkewPairs::All));
}
