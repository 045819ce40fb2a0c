//! Times the vector-clock engines alone on real inputs: the replay of every event's clock in
//! Lamport order (what `stamp` and `conflicts` do), by flat rows and by tree clocks, without
//! parsing or output. Used by `bench/run.sh` (section `engine`).
//!
//!     cargo run --release --example engines -- FILE... [--runs N]
//!
//! Prints one tab-separated line per file: name, events, nodes, the best flat, tree and auto
//! times in milliseconds over N runs (default 5), tree / flat, auto / flat, and the engine
//! `auto` ended on.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use causal_core::clock::{self, Engine, LamportEngine, Replay};
use causal_core::order::causal_order;
use causal_core::parse::{parse_files, ParseOptions};
use causal_core::render::lamport_order_of;
use causal_core::Named as _;

fn main() -> anyhow::Result<()> {
    let mut runs = 5usize;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            runs = args.next().unwrap_or_default().parse()?;
        } else {
            files.push(PathBuf::from(arg));
        }
    }
    println!("file\tevents\tnodes\tflat_ms\ttree_ms\tauto_ms\ttree/flat\tauto/flat\tauto_ended_on");
    for file in files {
        let trace = parse_files(std::slice::from_ref(&file), &ParseOptions::default())?.trace;
        let causality = causal_order(&trace)?;
        let lamport = clock::run(&trace, &causality, LamportEngine::new(&trace));
        let order = lamport_order_of(&trace, &lamport);
        let time = |engine: Engine| {
            (0..runs.max(1))
                .map(|_| {
                    let start = Instant::now();
                    let mut replay = Replay::new(engine, &trace, &causality);
                    let mut sum = 0u64;
                    for &e in &order {
                        // Read one component so the work cannot be optimised away.
                        sum += u64::from(replay.advance(&trace, &causality, e).get(0));
                    }
                    std::hint::black_box(sum);
                    start.elapsed()
                })
                .min()
                .unwrap_or(Duration::ZERO)
        };
        let (flat, tree, auto) = (time(Engine::Flat), time(Engine::Tree), time(Engine::Auto));
        // Where `auto` ended: still on tree clocks, or switched to flat rows.
        let mut replay = Replay::new(Engine::Auto, &trace, &causality);
        for &e in &order {
            replay.advance(&trace, &causality, e);
        }
        let auto_engine = replay.engine();
        println!(
            "{}\t{}\t{}\t{:.2}\t{:.2}\t{:.2}\t{:.2}\t{:.2}\t{}",
            file.display(),
            trace.len(),
            trace.nodes.len(),
            flat.as_secs_f64() * 1e3,
            tree.as_secs_f64() * 1e3,
            auto.as_secs_f64() * 1e3,
            tree.as_secs_f64() / flat.as_secs_f64(),
            auto.as_secs_f64() / flat.as_secs_f64(),
            auto_engine.name()
        );
    }
    Ok(())
}
