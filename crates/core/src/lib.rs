//! `causal-core`: read the event logs of a distributed system, work out happens-before, stamp
//! events with Lamport and vector clocks, and analyse and render the result.
//!
//! This is the library behind the `causal` command; it has no command-line dependencies and
//! never reads the environment, prints or exits. Data flows one way: [`input`] and [`parse`]
//! build a [`model::Trace`]; [`order`] matches messages and finds a causal order; [`clock`]
//! engines stamp it; [`graph`] and [`analysis`] compute answers as data; [`render`] writes them.
//! docs/architecture.md says where each kind of change goes.

pub mod analysis;
pub mod clock;
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

/// A closed set of named choices (an input format, a clock engine, ...), so that a front end
/// can offer them by name without copying the list: `ALL` in the order to show them, each with
/// its name and a one-line description.
pub trait Named: Copy + Send + Sync + 'static {
    /// Every choice, in the order a front end lists them.
    const ALL: &'static [Self];

    /// The name a user types.
    fn name(self) -> &'static str;

    /// What the choice means, in one line.
    fn about(self) -> &'static str;

    /// The choice called `name`, if any.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.name() == name)
    }
}
