//! Slices of the happens-before graph ready to draw ([`View`]): lanes, items in Lamport order,
//! program-order and message edges, folded runs of local events, and loose message ends.
//!
//! The DOT, Mermaid, text and JSON renderers draw a view; this module decides what is in it and
//! writes nothing.

use std::collections::HashSet;

use super::{is_plain_local, HbGraph};
use crate::model::{EventFlags, EventIdx, EventKind, NodeId, Trace};

/// Which clock a drawing shows beside each event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockLabel {
    /// The Lamport clock.
    Lamport,
    /// The vector clock, zero components left out.
    Vector,
    /// No clock.
    None,
}

impl crate::Named for ClockLabel {
    const ALL: &'static [ClockLabel] = &[ClockLabel::Lamport, ClockLabel::Vector, ClockLabel::None];

    fn name(self) -> &'static str {
        match self {
            ClockLabel::Lamport => "lamport",
            ClockLabel::Vector => "vector",
            ClockLabel::None => "none",
        }
    }

    fn about(self) -> &'static str {
        match self {
            ClockLabel::Lamport => "The Lamport clock",
            ClockLabel::Vector => "The vector clock, zero components left out",
            ClockLabel::None => "No clock",
        }
    }
}

/// What of the graph to draw.
#[derive(Clone, Debug, Default)]
pub struct SliceOptions {
    /// Keep these nodes only, as lanes in this order; `None` keeps every node, by name.
    pub nodes: Option<Vec<NodeId>>,
    /// Keep only the events within `depth` happens-before steps of this event.
    pub around: Option<(EventIdx, u32)>,
    /// Fold each run of two or more consecutive local events on a node into one item.
    pub collapse_local: bool,
}

/// One box of a drawing: an event, or a run of local events folded into one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// One event.
    Event(EventIdx),
    /// `count` consecutive local events of one node, `first` to `last` in program order.
    Folded {
        /// The first event of the run.
        first: EventIdx,
        /// The last event of the run.
        last: EventIdx,
        /// How many events the run holds.
        count: u32,
    },
}

impl Item {
    /// The first event of the item.
    pub fn first(self) -> EventIdx {
        match self {
            Item::Event(e) | Item::Folded { first: e, .. } => e,
        }
    }

    /// The last event of the item (its clocks are the item's state after it).
    pub fn last(self) -> EventIdx {
        match self {
            Item::Event(e) | Item::Folded { last: e, .. } => e,
        }
    }
}

/// An edge between two items of a [`View`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewEdge {
    /// Index into [`View::items`].
    pub from: usize,
    /// Index into [`View::items`].
    pub to: usize,
    /// Program order or message.
    pub kind: ViewEdgeKind,
}

/// What a [`ViewEdge`] stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewEdgeKind {
    /// Program order on one node; `hidden` events of the node lie between, sliced away.
    Program {
        /// How many events of the node between the two items the slice left out.
        hidden: u32,
    },
    /// A message from `send` to `recv`.
    Message {
        /// The send event.
        send: EventIdx,
        /// The receive event.
        recv: EventIdx,
    },
}

/// A message end drawn with nothing at the other end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LooseEnd<'t> {
    /// Index into [`View::items`] of the end that is drawn.
    pub item: usize,
    /// The message id.
    pub msg: &'t str,
    /// Why the other end is missing.
    pub kind: LooseKind,
}

/// Why a message has only one end in a drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LooseKind {
    /// A send that no event in the trace receives.
    NeverReceived,
    /// A receive of a message that no event in the trace sends.
    NeverSent,
    /// A send received by this event, which the slice left out.
    ToHidden(EventIdx),
    /// A receive sent by this event, which the slice left out.
    FromHidden(EventIdx),
    /// A send whose receive lies outside the input (marked `outside` by the cut that wrote it).
    ToOutside,
    /// A receive whose send lies outside the input (marked `outside`).
    FromOutside,
}

/// A slice of the happens-before graph, ready to draw: lanes, items in a total order
/// consistent with happens-before, edges between items, and loose message ends.
#[derive(Clone, Debug)]
pub struct View<'t> {
    /// The nodes drawn, as lanes, in order; only nodes with at least one item.
    pub lanes: Vec<NodeId>,
    /// Everything drawn, ordered as the `order` the view was built from (by each item's
    /// first event).
    pub items: Vec<Item>,
    /// Program-order edges (lane by lane), then message edges (by receiving item).
    pub edges: Vec<ViewEdge>,
    /// Message ends whose other end is missing or sliced away, by item.
    pub loose: Vec<LooseEnd<'t>>,
    /// The event the slice is centred on (`--around`), drawn highlighted.
    pub focus: Option<EventIdx>,
    item_of: Vec<u32>,
}

const HIDDEN: u32 = u32::MAX;

impl<'t> View<'t> {
    /// Cuts the slice `options` asks for out of `graph`. `order` lists every event of `trace`
    /// once, each after its causal predecessors (the renderers use Lamport order).
    #[expect(
        clippy::too_many_lines,
        reason = "one pass over the slice: lanes, items, folds, edges and loose ends share its tables"
    )]
    pub fn build(
        trace: &'t Trace,
        graph: &HbGraph,
        order: &[EventIdx],
        options: &SliceOptions,
    ) -> View<'t> {
        let mut visible = match options.around {
            Some((center, depth)) => graph.neighbourhood(center, depth),
            None => vec![true; trace.len()],
        };
        let selected: Vec<NodeId> = match &options.nodes {
            Some(nodes) => nodes.clone(),
            None => (0..trace.nodes.len() as u32).map(NodeId).collect(),
        };
        if options.nodes.is_some() {
            let mut wanted = vec![false; trace.nodes.len()];
            for n in &selected {
                wanted[n.index()] = true;
            }
            for (i, ev) in trace.events.iter().enumerate() {
                visible[i] &= wanted[ev.node.index()];
            }
        }
        let focus = options.around.map(|(center, _)| center);
        let lanes: Vec<NodeId> = selected
            .into_iter()
            .filter(|n| trace.by_node[n.index()].iter().any(|e| visible[e.index()]))
            .collect();

        // Runs to fold, keyed by their first event: (last, count).
        let mut run_of: Vec<Option<(EventIdx, EventIdx, u32)>> = vec![None; trace.len()];
        if options.collapse_local {
            for &n in &lanes {
                let lane = &trace.by_node[n.index()];
                let foldable = |e: EventIdx| {
                    visible[e.index()] && Some(e) != focus && is_plain_local(trace, e)
                };
                let mut k = 0;
                while k < lane.len() {
                    let start = k;
                    while k < lane.len() && foldable(lane[k]) {
                        k += 1;
                    }
                    if k - start >= 2 {
                        let run = (lane[start], lane[k - 1], (k - start) as u32);
                        for &e in &lane[start..k] {
                            run_of[e.index()] = Some(run);
                        }
                    }
                    k = k.max(start + 1);
                }
            }
        }

        let mut item_of = vec![HIDDEN; trace.len()];
        let mut items = Vec::new();
        for &e in order {
            if !visible[e.index()] {
                continue;
            }
            match run_of[e.index()] {
                Some((first, last, count)) if first == e => {
                    items.push(Item::Folded { first, last, count });
                }
                Some((first, _, _)) => {
                    // Program order is part of `order`, so the run's first event came first.
                    item_of[e.index()] = item_of[first.index()];
                    continue;
                }
                None => items.push(Item::Event(e)),
            }
            item_of[e.index()] = (items.len() - 1) as u32;
        }

        let mut edges = Vec::new();
        for &n in &lanes {
            let mut prev: Option<(usize, u32)> = None;
            for &e in &trace.by_node[n.index()] {
                let item = item_of[e.index()];
                if item == HIDDEN {
                    continue;
                }
                let seq = trace.event(e).seq;
                if let Some((p, last_seq)) = prev {
                    if p != item as usize {
                        edges.push(ViewEdge {
                            from: p,
                            to: item as usize,
                            kind: ViewEdgeKind::Program {
                                hidden: seq - last_seq - 1,
                            },
                        });
                    }
                }
                prev = Some((item as usize, seq));
            }
        }

        let mut loose = Vec::new();
        let mut messages = Vec::new();
        for (send, recv) in graph.message_edges() {
            let (s, r) = (item_of[send.index()], item_of[recv.index()]);
            let msg = trace.message_id(send, recv);
            match (s != HIDDEN, r != HIDDEN) {
                (true, true) => messages.push(ViewEdge {
                    from: s as usize,
                    to: r as usize,
                    kind: ViewEdgeKind::Message { send, recv },
                }),
                (true, false) => loose.push(LooseEnd {
                    item: s as usize,
                    msg,
                    kind: LooseKind::ToHidden(recv),
                }),
                (false, true) => loose.push(LooseEnd {
                    item: r as usize,
                    msg,
                    kind: LooseKind::FromHidden(send),
                }),
                (false, false) => {}
            }
        }
        messages.sort_by_key(|m| (m.to, m.from));
        edges.extend(messages);
        loose.extend(unmatched_ends(trace, &item_of));
        loose.sort_by_key(|l| l.item);

        View {
            lanes,
            items,
            edges,
            loose,
            focus,
            item_of,
        }
    }

    /// The item that shows event `e`, if the slice keeps it.
    pub fn item_of(&self, e: EventIdx) -> Option<usize> {
        match self.item_of[e.index()] {
            HIDDEN => None,
            i => Some(i as usize),
        }
    }
}

/// Sends nobody receives and receives nobody sends, among the events drawn.
fn unmatched_ends<'t>(trace: &'t Trace, item_of: &[u32]) -> Vec<LooseEnd<'t>> {
    let mut sent = HashSet::new();
    let mut received = HashSet::new();
    for ev in &trace.events {
        for (kind, msg) in ev.roles() {
            match kind {
                EventKind::Send => sent.insert(msg),
                _ => received.insert(msg),
            };
        }
    }
    let mut loose = Vec::new();
    for (i, ev) in trace.events.iter().enumerate() {
        if item_of[i] == HIDDEN {
            continue;
        }
        for (kind, msg) in ev.roles() {
            let outside = |mark| ev.flags.contains(mark);
            let kind = match kind {
                EventKind::Send if !received.contains(msg) => {
                    if outside(EventFlags::OUTSIDE_RECV) {
                        LooseKind::ToOutside
                    } else {
                        LooseKind::NeverReceived
                    }
                }
                EventKind::Recv if !sent.contains(msg) => {
                    if outside(EventFlags::OUTSIDE_SEND) {
                        LooseKind::FromOutside
                    } else {
                        LooseKind::NeverSent
                    }
                }
                _ => continue,
            };
            loose.push(LooseEnd {
                item: item_of[i] as usize,
                msg,
                kind,
            });
        }
    }
    loose
}
