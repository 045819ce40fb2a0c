//! Differential: flat vector clocks against tree clocks and `auto` (tree clocks turned flat
//! at a point the input picks), in causal and in Lamport order, on any input the pipeline
//! target takes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| causal_fuzz::run_engines(data));
