//! `--from edn` (Jepsen EDN histories) on arbitrary bytes (files separated by NUL bytes): parsing
//! never panics, and whatever it accepts keeps every invariant of [`causal_fuzz::check_trace`].
#![no_main]

use causal_core::parse::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| causal_fuzz::run_format(Format::Edn, data));
