//! `--from std` on arbitrary bytes (files separated by NUL bytes): parsing never panics,
//! whatever it accepts keeps every invariant of [`causal_fuzz::check_trace`], and `conflicts`'
//! streamed path agrees with its batch path ([`causal_fuzz::run_std`]).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| causal_fuzz::run_std(data));
