//! The whole pipeline on arbitrary bytes with an arbitrary `--from` and options (see
//! [`causal_fuzz::Case`]): parse, order, clocks, conflicts, check, every renderer, each with
//! its invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| causal_fuzz::run_pipeline(data));
