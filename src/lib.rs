//! `causal`: read the event logs of a distributed system, work out happens-before, and stamp
//! events with Lamport and vector clocks.
//!
//! Data flows one way: [`input`] and [`parse`] build a [`model::Trace`]; [`order`] matches
//! messages and finds a causal order; [`clock`] engines stamp it; [`render`] writes it;
//! [`cmd`] wires a command's pipeline; the binary maps the outcome to an exit status.

pub mod analysis;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod error;
pub mod gen;
pub mod graph;
pub mod history;
pub mod input;
pub mod model;
pub mod order;
pub mod parse;
pub mod render;
pub mod stream;
pub mod term;
