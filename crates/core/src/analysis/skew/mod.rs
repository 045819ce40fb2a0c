//! Clock skew: what the wall-clock times of messages say about the offsets between the nodes'
//! clocks, and which messages no constant offsets can explain.
//!
//! Model: node X's clock reads `true time + offset(X)`. A message from A to B sent at `s` (A's
//! clock) and received at `r` (B's clock) took a non-negative time, so
//! `offset(B) - offset(A) <= r - s`, its apparent delay. These are difference constraints: an
//! edge A -> B of weight `r - s`, of which only the smallest per ordered pair of nodes matters.
//! The tightest bound on `offset(B) - offset(A)` is the shortest path from A to B (upper bound)
//! and minus the shortest path from B to A (lower bound). A negative cycle means no offsets at
//! all satisfy the constraints: a skew contradiction (drift, a clock step, corrupt times).
//!
//! Algorithm: group nodes into strongly connected components of the constraint graph (a
//! negative cycle lies inside one); look for a negative cycle in each with a queue-based
//! Bellman-Ford that checks its parent graph for cycles (any such cycle is negative). Nodes of a
//! component with a contradiction get no bounds. The rest get all-pairs shortest paths:
//! Floyd-Warshall when the graph is dense, else Johnson's reweighting and Dijkstra from each
//! node; with a reference node, only the paths from and to it. Distances are i128 nanoseconds,
//! so no sum of i64 delays can overflow. Time O(V^3) or O(V (E + V log V)) over the V nodes
//! with timed messages and E <= V^2 ordered pairs; memory O(V^2) for dense graphs
//! (E >= V^2 / 8), else O(E + P) for the P ordered pairs joined by a path. This layer does no
//! I/O.

use std::collections::HashMap;

use crate::model::{EventIdx, NodeId, Trace};
use crate::order::Causality;

mod cycles;
mod paths;
#[cfg(test)]
mod tests;

use cycles::{component_ids, contradiction, potentials};
use paths::{all_bounds, bounds_against, dijkstra, floyd_warshall};

/// A matched message whose send and receive both have a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    /// The send.
    pub send: EventIdx,
    /// The receive.
    pub recv: EventIdx,
    /// The sender's node.
    pub from: NodeId,
    /// The receiver's node.
    pub to: NodeId,
    /// Receive time minus send time in nanoseconds, each by its own node's clock: an upper
    /// bound on `offset(to) - offset(from)`.
    pub delay: i64,
}

/// The tightest interval for `offset(b) - offset(a)`, and the messages that set each end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkewBound {
    /// The node the offset is measured from.
    pub a: NodeId,
    /// The node whose offset is bounded.
    pub b: NodeId,
    /// Lower bound in nanoseconds (`None`: no chain of messages from b to a bounds it).
    pub lo: Option<i128>,
    /// Upper bound in nanoseconds (`None`: no chain of messages from a to b bounds it).
    pub hi: Option<i128>,
    /// The chain of messages from b to a whose delays add up to `-lo`.
    pub lo_messages: Vec<Message>,
    /// The chain of messages from a to b whose delays add up to `hi`.
    pub hi_messages: Vec<Message>,
}

/// A cycle of messages whose delays add up to less than zero.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contradiction {
    /// The messages in cycle order: each is sent by the node that received the previous one.
    pub messages: Vec<Message>,
    /// The sum of their delays in nanoseconds (negative).
    pub total: i128,
}

/// Which bounds to compute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SkewPairs {
    /// Every pair of nodes with a finite bound.
    #[default]
    All,
    /// Only pairs of this node with each other node.
    Against(NodeId),
    /// Every pair when at most `up_to` nodes have timed messages with other nodes, else a
    /// summary: each node against `reference` (see [`SkewSummary`]). `up_to: 0` always
    /// summarises. All pairs are quadratic in the nodes (half a million at 1,000 nodes) and
    /// cubic to compute; the summary is two shortest-path searches.
    Summary {
        /// The node the summary measures against (`offsets::reference_node`: the node in most
        /// messages); `None` when no node takes part in a message.
        reference: Option<NodeId>,
        /// The most nodes with timed messages for which all pairs are given instead.
        up_to: usize,
    },
    /// No bounds (contradictions are still looked for).
    None,
}

/// What a summary of the bounds adds to them: the bounds are then those of each node against
/// the reference, ordered tightest first (both ends finite, by width `hi - lo`, then by node),
/// then the bounds finite on one side only (by node).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SkewSummary {
    /// The node every bound is measured against (`a` of each bound).
    pub reference: Option<NodeId>,
    /// How many nodes have timed messages with other nodes (the constraint graph's size).
    pub timed_nodes: usize,
    /// How many of the bounds have both ends finite (they come first).
    pub two_sided: usize,
    /// Nodes other than the reference with no bound against it, by node: no timed message
    /// with another node, or no chain of timed messages to or from the reference. Nodes in
    /// a contradiction are not here (they are in `contradicted_nodes`).
    pub unbounded: Vec<NodeId>,
}

/// Bounds and contradictions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SkewReport {
    /// Pairs with at least one finite bound; `a < b` by node name, or `a` the reference node.
    pub bounds: Vec<SkewBound>,
    /// One negative cycle per group of nodes whose messages contradict each other.
    pub contradictions: Vec<Contradiction>,
    /// Nodes left without bounds because they are in a group with a contradiction.
    pub contradicted_nodes: Vec<NodeId>,
    /// Messages whose delay overflows 64-bit nanoseconds (times centuries apart): ignored.
    pub unusable: usize,
    /// Set when [`SkewPairs::Summary`] summarised rather than giving all pairs.
    pub summary: Option<SkewSummary>,
}

/// Every matched message with a time at both ends, in input order of the receives.
///
/// The second value counts messages left out because their delay does not fit in i64.
pub fn timed_messages(trace: &Trace, causality: &Causality) -> (Vec<Message>, usize) {
    let mut messages = Vec::new();
    let mut unusable = 0;
    for (send, recv) in causality.message_edges() {
        let (sent, got) = (trace.event(send), trace.event(recv));
        let (Some(s), Some(r)) = (sent.time(), got.time()) else {
            continue;
        };
        match r.0.checked_sub(s.0) {
            Some(delay) => messages.push(Message {
                send,
                recv,
                from: sent.node,
                to: got.node,
                delay,
            }),
            None => unusable += 1,
        }
    }
    (messages, unusable)
}

const NONE: u32 = u32::MAX;
const INF: i128 = i128::MAX;

/// The constraint graph over the nodes that have timed messages with other nodes.
struct Graph {
    /// Graph vertex -> node, ascending.
    nodes: Vec<NodeId>,
    /// The tightest message per ordered pair, sorted by (from, to) vertex.
    edges: Vec<Edge>,
    /// `edges[start[u]..start[u + 1]]` leave vertex `u`.
    start: Vec<usize>,
}

#[derive(Clone, Copy, Debug)]
struct Edge {
    from: u32,
    to: u32,
    weight: i128,
    message: Message,
}

impl Graph {
    fn new(messages: &[Message]) -> Graph {
        let mut best: HashMap<(NodeId, NodeId), Message> = HashMap::new();
        for m in messages.iter().filter(|m| m.from != m.to) {
            best.entry((m.from, m.to))
                .and_modify(|b| {
                    if m.delay < b.delay {
                        *b = *m;
                    }
                })
                .or_insert(*m);
        }
        let mut nodes: Vec<NodeId> = best.keys().flat_map(|&(a, b)| [a, b]).collect();
        nodes.sort_unstable();
        nodes.dedup();
        let vertex = |n: NodeId| nodes.binary_search(&n).expect("an edge's node") as u32;
        let mut edges: Vec<Edge> = best
            .into_values()
            .map(|m| Edge {
                from: vertex(m.from),
                to: vertex(m.to),
                weight: i128::from(m.delay),
                message: m,
            })
            .collect();
        edges.sort_unstable_by_key(|e| (e.from, e.to));
        let mut start = vec![0; nodes.len() + 1];
        for e in &edges {
            start[e.from as usize + 1] += 1;
        }
        for u in 0..nodes.len() {
            start[u + 1] += start[u];
        }
        Graph {
            nodes,
            edges,
            start,
        }
    }

    fn len(&self) -> usize {
        self.nodes.len()
    }

    fn out(&self, u: usize) -> std::ops::Range<usize> {
        self.start[u]..self.start[u + 1]
    }
}

/// Finds the contradictions and, as `pairs` asks, the bounds.
pub fn analyze_skew(trace: &Trace, causality: &Causality, pairs: SkewPairs) -> SkewReport {
    let (graph, live, h, mut report) = solve(trace, causality);
    report.bounds = match pairs {
        SkewPairs::None => Vec::new(),
        SkewPairs::All => all_bounds(&graph, &live, &h),
        SkewPairs::Against(node) => against(&graph, &live, &h, node),
        SkewPairs::Summary { up_to, .. } if up_to > 0 && graph.len() <= up_to => {
            all_bounds(&graph, &live, &h)
        }
        SkewPairs::Summary { reference, .. } => {
            let mut bounds = reference.map_or_else(Vec::new, |r| against(&graph, &live, &h, r));
            let summary = summarise(trace, &graph, &report, reference, &mut bounds);
            report.summary = Some(summary);
            bounds
        }
    };
    report
}

/// The bounds of each live node against `node`, none when it is not live.
fn against(graph: &Graph, live: &[bool], h: &[i128], node: NodeId) -> Vec<SkewBound> {
    match graph.nodes.binary_search(&node) {
        Ok(v) if live[v] => bounds_against(graph, live, h, v),
        _ => Vec::new(),
    }
}

/// Orders the bounds against the reference as [`SkewSummary`] says and finds the nodes left
/// without one.
fn summarise(
    trace: &Trace,
    graph: &Graph,
    report: &SkewReport,
    reference: Option<NodeId>,
    bounds: &mut [SkewBound],
) -> SkewSummary {
    let width = |b: &SkewBound| match (b.lo, b.hi) {
        (Some(lo), Some(hi)) => Some(hi - lo),
        _ => None,
    };
    // Two-sided first (None sorts before Some, hence the flag), narrowest first, then by node.
    bounds.sort_by_key(|b| (width(b).is_none(), width(b), b.b));
    let two_sided = bounds.iter().take_while(|b| width(b).is_some()).count();
    let mut bounded = vec![false; trace.nodes.len()];
    for n in bounds.iter().map(|b| b.b).chain(reference) {
        bounded[n.index()] = true;
    }
    for n in &report.contradicted_nodes {
        bounded[n.index()] = true;
    }
    let unbounded = (0..trace.nodes.len() as u32)
        .map(NodeId)
        .filter(|n| !bounded[n.index()])
        .collect();
    SkewSummary {
        reference,
        timed_nodes: graph.len(),
        two_sided,
        unbounded,
    }
}

/// The bounds `(lo, hi)` on `offset(b) - offset(a)` in nanoseconds for each pair `(a, b)`
/// asked, as [`analyze_skew`] computes them but without the chains of messages: two Dijkstra
/// runs per distinct `a` (or all pairs at once by Floyd-Warshall when that is cheaper). A pair
/// of one node with itself is `(0, 0)`; nodes without timed messages, or in a group with a
/// contradiction, get `(None, None)`.
pub fn pair_bounds(
    trace: &Trace,
    causality: &Causality,
    pairs: &[(NodeId, NodeId)],
) -> Vec<(Option<i128>, Option<i128>)> {
    let (graph, live, h, _) = solve(trace, causality);
    let n = graph.len();
    let vertex = |node: NodeId| graph.nodes.binary_search(&node).ok().filter(|&v| live[v]);
    let mut sources: Vec<usize> = pairs.iter().filter_map(|&(a, _)| vertex(a)).collect();
    sources.sort_unstable();
    sources.dedup();
    let finite = |d: i128| (d != INF).then_some(d);
    // Per source, the distances from it and to it; or every pair when that costs less.
    let dense = sources.len().saturating_mul(graph.edges.len() + n) > n * n * n / 4;
    let paths = dense.then(|| floyd_warshall(&graph, &live));
    let mut trees: HashMap<usize, (Vec<i128>, Vec<i128>)> = HashMap::new();
    if !dense {
        for &s in &sources {
            let from = dijkstra(&graph, &live, &h, s, false).0;
            let to = dijkstra(&graph, &live, &h, s, true).0;
            trees.insert(s, (from, to));
        }
    }
    pairs
        .iter()
        .map(|&(a, b)| {
            if a == b {
                return (Some(0), Some(0));
            }
            let (Some(u), Some(v)) = (vertex(a), vertex(b)) else {
                return (None, None);
            };
            let (forward, backward) = match &paths {
                Some(p) => (p.dist(u, v), p.dist(v, u)),
                None => {
                    let (from, to) = &trees[&u];
                    (finite(from[v]), finite(to[v]))
                }
            };
            (backward.map(|d| -d), forward)
        })
        .collect()
}

/// The constraint graph, which of its vertices are free of contradictions, feasible
/// potentials for those, and a report with the contradictions found (no bounds yet).
fn solve(trace: &Trace, causality: &Causality) -> (Graph, Vec<bool>, Vec<i128>, SkewReport) {
    let (messages, unusable) = timed_messages(trace, causality);
    let mut report = SkewReport {
        unusable,
        ..SkewReport::default()
    };
    // A message to oneself received "before" it was sent is a cycle of one message.
    for m in messages.iter().filter(|m| m.from == m.to && m.delay < 0) {
        report.contradictions.push(Contradiction {
            messages: vec![*m],
            total: i128::from(m.delay),
        });
    }
    let graph = Graph::new(&messages);
    let n = graph.len();
    let component = component_ids(&graph);
    let mut live = vec![true; n];
    // Each negative cycle lies inside one component; report it, set the component aside and
    // look again, until the rest is consistent.
    let h = loop {
        match potentials(&graph, &live) {
            Ok(h) => break h,
            Err(cycle) => {
                report.contradictions.push(contradiction(&graph, &cycle));
                let bad = component[graph.edges[cycle[0]].from as usize];
                for v in (0..n).filter(|&v| component[v] == bad) {
                    live[v] = false;
                    report.contradicted_nodes.push(graph.nodes[v]);
                }
            }
        }
    };
    report.contradicted_nodes.sort_unstable();
    report.contradictions.sort_by_key(|c| {
        let first = c.messages[0];
        (first.from, trace.event(first.send).seq)
    });
    (graph, live, h, report)
}
