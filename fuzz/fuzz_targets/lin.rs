//! `causal lin` on arbitrary small histories: see [`causal_fuzz::run_lin`].
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| causal_fuzz::run_lin(data));
