//! Clock engines: stamp events with logical clocks, visiting them in a causal order.
//!
//! An engine is neither a parser nor a writer: it sees events (and, for a matched receive,
//! its send) in an order from [`crate::order`] and keeps what later layers need to ask.
//! Engines can be combined in one pass with a tuple.

pub mod given;
pub mod hlc;
pub mod lamport;
pub mod packed;
pub mod replay;
pub mod row;
pub mod table;
pub mod tree;
pub mod vector;

pub use given::GivenReplay;
pub use lamport::{LamportClocks, LamportEngine};
pub use packed::PackedClocks;
pub use replay::{tree_fits, Engine, Replay, ReplayWalk, TREE_UP_TO_NODES};
pub use row::{ClockRef, Entry, Row, RowPolicy};
pub use table::ClockTable;
pub use tree::{TreeClock, TreeReplay};
pub use vector::{ClockWalk, Clocks, FlatVectorEngine, VectorClocks, VectorReplay};

use crate::model::{EventIdx, Trace};
use crate::order::Causality;

/// A clock engine: visited once per event, each after its causal predecessors.
pub trait ClockEngine {
    /// What the engine yields once every event has been visited.
    type Output;
    /// Stamps event `e`; `sends` are the sends that `e` receives (usually none or one).
    fn visit(&mut self, trace: &Trace, e: EventIdx, sends: &[EventIdx]);
    /// The stamps.
    fn finish(self) -> Self::Output;
}

impl<A: ClockEngine, B: ClockEngine> ClockEngine for (A, B) {
    type Output = (A::Output, B::Output);
    fn visit(&mut self, trace: &Trace, e: EventIdx, sends: &[EventIdx]) {
        self.0.visit(trace, e, sends);
        self.1.visit(trace, e, sends);
    }
    fn finish(self) -> Self::Output {
        (self.0.finish(), self.1.finish())
    }
}

/// Runs `engine` over `trace` in the causal order of `causality`.
pub fn run<E: ClockEngine>(trace: &Trace, causality: &Causality, mut engine: E) -> E::Output {
    let mut sends = Vec::with_capacity(2);
    for &e in &causality.order {
        sends.clear();
        sends.extend(causality.sends(e));
        engine.visit(trace, e, &sends);
    }
    engine.finish()
}

/// Lamport clocks of every event, and vector clocks of every event (the default) or of some
/// ([`ClockTable`]).
#[derive(Clone, Debug)]
pub struct Stamps<V = VectorClocks> {
    /// Lamport clock per event.
    pub lamport: LamportClocks,
    /// Vector clocks.
    pub vector: V,
}

/// Computes Lamport clocks and every event's dense vector clock in one causal pass: events x
/// nodes counters, the reference for tests. Commands replay instead ([`Replay`]).
pub fn stamp(trace: &Trace, causality: &Causality) -> Stamps {
    let (lamport, vector) = run(
        trace,
        causality,
        (LamportEngine::new(trace), FlatVectorEngine::new(trace)),
    );
    Stamps { lamport, vector }
}

/// How two events are related by happens-before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    /// The same event.
    Same,
    /// The first happened before the second.
    Before,
    /// The second happened before the first.
    After,
    /// Neither happened before the other.
    Concurrent,
}

impl Relation {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Same => "same",
            Relation::Before => "before",
            Relation::After => "after",
            Relation::Concurrent => "concurrent",
        }
    }
}

/// The relation of `a` to `b`, in constant time from vector clocks.
///
/// `a` happened before `b` exactly when `b`'s clock has seen `a`: `vc(b)[node(a)] >= seq(a)`.
pub fn relation<C: Clocks + ?Sized>(trace: &Trace, vc: &C, a: EventIdx, b: EventIdx) -> Relation {
    if a == b {
        return Relation::Same;
    }
    let (ea, eb) = (trace.event(a), trace.event(b));
    if vc.get(b, ea.node) >= ea.seq {
        Relation::Before
    } else if vc.get(a, eb.node) >= eb.seq {
        Relation::After
    } else {
        Relation::Concurrent
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventKind, RawEvent, Role, TraceBuilder};
    use crate::order::causal_order;

    fn event(node: &str, kind: EventKind, msg: Option<&str>) -> RawEvent {
        RawEvent {
            node: node.into(),
            kind: Some(kind),
            msg: msg.map(str::to_string),
            ..RawEvent::default()
        }
    }

    /// a: send m1 | b: local, recv m1 and send m2 at once | c: recv m2.
    #[test]
    fn an_event_that_receives_and_sends_passes_on_what_it_received() {
        let mut b = TraceBuilder::new();
        let f = b.add_file("t");
        b.push(f, event("a", EventKind::Send, Some("m1")));
        b.push(f, event("b", EventKind::Local, None));
        let mut both = event("b", EventKind::Recv, Some("m1"));
        both.more_roles = vec![Role {
            kind: EventKind::Send,
            msg: "m2".into(),
        }];
        b.push(f, both);
        b.push(f, event("c", EventKind::Recv, Some("m2")));
        let trace = b.finish();
        let causality = causal_order(&trace).unwrap();
        let stamps = stamp(&trace, &causality);
        assert_eq!(stamps.lamport, vec![1, 1, 2, 3]);
        assert_eq!(stamps.vector.row(EventIdx(2)), &[1, 2, 0]);
        assert_eq!(stamps.vector.row(EventIdx(3)), &[1, 2, 1]);
        assert_eq!(
            relation(&trace, &stamps.vector, EventIdx(0), EventIdx(3)),
            Relation::Before
        );
        assert_eq!(
            relation(&trace, &stamps.vector, EventIdx(1), EventIdx(0)),
            Relation::Concurrent
        );
    }

    /// A merge of two messages takes the maximum of both senders' clocks.
    #[test]
    fn an_event_that_receives_two_messages_merges_both() {
        let mut b = TraceBuilder::new();
        let f = b.add_file("t");
        b.push(f, event("a", EventKind::Local, None));
        b.push(f, event("a", EventKind::Send, Some("x")));
        b.push(f, event("b", EventKind::Send, Some("y")));
        let mut merge = event("c", EventKind::Recv, Some("x"));
        merge.more_roles = vec![Role {
            kind: EventKind::Recv,
            msg: "y".into(),
        }];
        b.push(f, merge);
        let trace = b.finish();
        let causality = causal_order(&trace).unwrap();
        assert_eq!(causality.sends(EventIdx(3)).count(), 2);
        let stamps = stamp(&trace, &causality);
        assert_eq!(stamps.vector.row(EventIdx(3)), &[2, 1, 1]);
        assert_eq!(stamps.lamport[3], 3);
    }
}
