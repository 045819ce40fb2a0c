//! Analyses over a stamped trace: conflicting accesses to keys, lost messages, clock anomalies
//! and clock skew bounds.
//!
//! An analysis takes the trace, its causality and (when it needs them) clocks, and returns
//! findings as data. It reads no input, prints nothing and decides nothing about format.

pub mod check;
pub mod conflicts;
pub mod conflicts_std;
pub mod critical;
pub mod diff;
pub mod lin;
pub mod offsets;
pub mod skew;
pub mod stats;
pub mod why;
