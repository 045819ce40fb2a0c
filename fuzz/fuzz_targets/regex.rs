//! `--from regex` on arbitrary bytes: the first line is the pattern, the rest the log (files
//! separated by NUL bytes). Parsing never panics, and whatever it accepts keeps every
//! invariant of [`causal_fuzz::check_trace`].
#![no_main]

use causal_core::parse::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| causal_fuzz::run_format(Format::Regex, data));
