//! Differential: batch `stamp` against `stamp --order input` (src/stream.rs) on the same
//! JSON Lines or `--regex` files: both fail, or both write the same lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| causal_fuzz::run_stream(data));
