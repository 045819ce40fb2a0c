//! Vector clocks computed on the fly, by either engine: flat rows ([`VectorReplay`]) or tree
//! clocks ([`TreeReplay`]), or tree clocks while they stay cheap (`auto`). All hand out the
//! same clocks; they differ only in speed and memory.

use std::collections::HashSet;

use super::given::GivenReplay;
use super::row::ClockRef;
use super::table::ClockTable;
use super::tree::TreeReplay;
use super::vector::{ClockWalk, VectorReplay};
use crate::model::{EventIdx, Trace};
use crate::order::Causality;

/// Which vector-clock engine computes the clocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// One dense row per clock: joins and copies cost the number of nodes.
    Flat,
    /// Tree clocks: joins and copies cost what changed.
    Tree,
    /// Tree clocks while they stay cheap, else flat rows (see [`Replay::new`]).
    Auto,
}

impl crate::Named for Engine {
    const ALL: &'static [Engine] = &[Engine::Auto, Engine::Flat, Engine::Tree];

    fn name(self) -> &'static str {
        match self {
            Engine::Flat => "flat",
            Engine::Tree => "tree",
            Engine::Auto => "auto",
        }
    }

    fn about(self) -> &'static str {
        match self {
            Engine::Auto => "With 256 to 2,048 nodes, tree clocks until they cost more than flat rows; else flat",
            Engine::Flat => "One dense row of counters per clock",
            Engine::Tree => "Tree clocks (Mathur et al., ASPLOS 2022)",
        }
    }
}

/// With fewer nodes, `auto` uses flat rows from the start.
pub const TREE_FROM_NODES: usize = 256;

/// With more nodes, `auto` uses flat rows from the start too, and so does `tree` (see
/// [`tree_fits`]): a tree clock takes six times a dense row's memory whatever it has seen,
/// every node holds one or two, and every message in flight one (2,048 nodes: 100 to 200 MB
/// of tree clocks before any message; 20,000 nodes: 8 to 16 GB).
pub const TREE_UP_TO_NODES: usize = 2048;

/// Whether tree clocks may be used for `nodes` nodes: a tree clock holds a counter and a link
/// for every node, so with more than [`TREE_UP_TO_NODES`] nodes `--engine tree` uses flat rows
/// (whose rows stay sparse while they see few nodes) instead.
pub fn tree_fits(nodes: usize) -> bool {
    nodes <= TREE_UP_TO_NODES
}

/// `auto` leaves tree clocks when they move more nodes than this per event.
pub const TREE_MAX_MOVED_PER_EVENT: u64 = 1;

/// The events over which `auto` weighs the work of its tree clocks.
const WINDOW: u64 = 1 << 16;

/// A replay by the chosen engine.
#[derive(Debug)]
pub enum Replay {
    /// Flat rows.
    Flat(VectorReplay),
    /// Tree clocks.
    Tree(TreeReplay),
    /// Tree clocks for now, watched by `auto`.
    Trying(TreeReplay, Watch),
    /// The clocks stamped input gave, whatever the engine asked for.
    Given(GivenReplay),
}

/// What `auto` watches while it tries tree clocks.
#[derive(Debug)]
pub struct Watch {
    /// Events advanced, and nodes moved, when the current window began.
    since: (u64, u64),
    events: u64,
}

impl Replay {
    /// A replay of `trace`, whose messages `causality` matched, by `engine`.
    ///
    /// A flat join or copy is one pass over a row of `nodes` counters, which the processor
    /// does many at a time; a tree clock's costs a few scattered memory accesses per node that
    /// changed. Tree clocks can only pay off with many nodes and joins that bring news of
    /// almost none of them: threads re-taking locks they held last, nodes that talk to a few
    /// neighbours. So `auto` uses flat rows below [`TREE_FROM_NODES`] nodes (and above
    /// [`TREE_UP_TO_NODES`], to bound memory); in between, it starts
    /// with tree clocks and turns them into flat rows (their counters already are) for good as
    /// soon as they have moved more than [`TREE_MAX_MOVED_PER_EVENT`] nodes per event (copies
    /// of whole tree clocks counted too) over the
    /// current window of events (with an allowance of one node count, for bursts such as a
    /// thread forking all others). Either way the clocks are the same; the thresholds are
    /// measured in BENCHMARKS.md ("tree versus flat").
    pub fn new(engine: Engine, trace: &Trace, causality: &Causality) -> Self {
        if trace.given.is_some() {
            return Replay::Given(GivenReplay::new(trace));
        }
        match engine {
            Engine::Flat => Replay::Flat(VectorReplay::new(trace, causality)),
            Engine::Tree if !tree_fits(trace.nodes.len()) => {
                Replay::Flat(VectorReplay::new(trace, causality))
            }
            Engine::Tree => Replay::Tree(TreeReplay::new(trace, causality)),
            Engine::Auto if !(TREE_FROM_NODES..=TREE_UP_TO_NODES).contains(&trace.nodes.len()) => {
                Replay::Flat(VectorReplay::new(trace, causality))
            }
            Engine::Auto => Replay::trying(trace, causality),
        }
    }

    /// `auto`'s replay whatever the number of nodes: tree clocks until they cost too much.
    pub fn trying(trace: &Trace, causality: &Causality) -> Self {
        Replay::Trying(
            TreeReplay::new(trace, causality),
            Watch {
                since: (0, 0),
                events: 0,
            },
        )
    }

    /// The engine computing the clocks now: flat or tree.
    pub fn engine(&self) -> Engine {
        match self {
            Replay::Flat(_) | Replay::Given(_) => Engine::Flat,
            Replay::Tree(_) | Replay::Trying(..) => Engine::Tree,
        }
    }

    /// Advances to event `e`, whose causal predecessors must all have been advanced to
    /// already, and returns its vector clock.
    pub fn advance(&mut self, trace: &Trace, causality: &Causality, e: EventIdx) -> ClockRef<'_> {
        if let Replay::Trying(tree, watch) = self {
            let moved = tree.moved() - watch.since.1;
            let allowance = trace.nodes.len() as u64
                + (watch.events - watch.since.0) * TREE_MAX_MOVED_PER_EVENT;
            if moved > allowance {
                let Replay::Trying(tree, _) =
                    std::mem::replace(self, Replay::Flat(VectorReplay::default()))
                else {
                    unreachable!("matched above")
                };
                *self = Replay::Flat(tree.into_flat());
            } else {
                watch.events += 1;
                if watch.events - watch.since.0 >= WINDOW {
                    watch.since = (watch.events, tree.moved());
                }
            }
        }
        match self {
            Replay::Flat(r) => r.advance(trace, causality, e),
            Replay::Tree(r) | Replay::Trying(r, _) => r.advance(trace, causality, e),
            Replay::Given(r) => r.advance(
                trace
                    .given
                    .as_ref()
                    .expect("a given replay has given clocks"),
                e,
            ),
        }
    }

    /// Replays `order` (a causal order of all events) and keeps the clocks of `wanted` only.
    pub fn select(
        engine: Engine,
        trace: &Trace,
        causality: &Causality,
        order: &[EventIdx],
        wanted: &HashSet<EventIdx>,
    ) -> ClockTable {
        Replay::keep(engine, trace, causality, order, wanted.len(), |e| {
            wanted.contains(&e)
        })
    }

    /// Replays `order` (a causal order of all events) and keeps every event's clock, each in
    /// the smaller of its dense and sparse forms (see [`ClockTable`]).
    pub fn all(
        engine: Engine,
        trace: &Trace,
        causality: &Causality,
        order: &[EventIdx],
    ) -> ClockTable {
        Replay::keep(engine, trace, causality, order, trace.len(), |_| true)
    }

    fn keep(
        engine: Engine,
        trace: &Trace,
        causality: &Causality,
        order: &[EventIdx],
        expected: usize,
        wanted: impl Fn(EventIdx) -> bool,
    ) -> ClockTable {
        let mut replay = Replay::new(engine, trace, causality);
        let mut table = ClockTable::new(trace.nodes.len());
        table.reserve(expected);
        for &e in order {
            let clock = replay.advance(trace, causality, e);
            if wanted(e) {
                table.push(e, clock);
            }
        }
        table.finish()
    }
}

/// A [`ClockWalk`] that computes clocks as it goes, holding no clock per event.
pub struct ReplayWalk<'a> {
    replay: Replay,
    trace: &'a Trace,
    causality: &'a Causality,
}

impl<'a> ReplayWalk<'a> {
    /// A walk over `trace`, whose messages `causality` matched, by `engine`.
    pub fn new(engine: Engine, trace: &'a Trace, causality: &'a Causality) -> Self {
        ReplayWalk {
            replay: Replay::new(engine, trace, causality),
            trace,
            causality,
        }
    }
}

impl ClockWalk for ReplayWalk<'_> {
    fn visit(&mut self, e: EventIdx) -> ClockRef<'_> {
        self.replay.advance(self.trace, self.causality, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::{run, FlatVectorEngine};
    use crate::model::{EventKind, RawEvent, TraceBuilder};
    use crate::order::causal_order;

    /// Every node broadcasts and hears every broadcast, round after round: each join brings
    /// news of every node, so `auto` leaves tree clocks, mid-run, and the clocks stay exact.
    #[test]
    fn auto_turns_tree_clocks_flat_when_joins_bring_news_of_everyone() {
        let nodes = 12;
        let mut b = TraceBuilder::new();
        let f = b.add_file("t");
        for round in 0..30 {
            for n in 0..nodes {
                b.push(
                    f,
                    RawEvent {
                        node: format!("n{n:02}"),
                        kind: Some(EventKind::Send),
                        msg: Some(format!("r{round}n{n}")),
                        ..RawEvent::default()
                    },
                );
            }
            for n in 0..nodes {
                for from in (0..nodes).filter(|&m| m != n) {
                    b.push(
                        f,
                        RawEvent {
                            node: format!("n{n:02}"),
                            kind: Some(EventKind::Recv),
                            msg: Some(format!("r{round}n{from}")),
                            ..RawEvent::default()
                        },
                    );
                }
            }
        }
        let trace = b.finish();
        let causality = causal_order(&trace).unwrap();
        let stored = run(&trace, &causality, FlatVectorEngine::new(&trace));
        let mut replay = Replay::trying(&trace, &causality);
        assert_eq!(replay.engine(), Engine::Tree);
        for &e in &causality.order {
            assert_eq!(replay.advance(&trace, &causality, e), stored.row(e));
        }
        assert_eq!(replay.engine(), Engine::Flat, "auto gave up tree clocks");
    }
}
