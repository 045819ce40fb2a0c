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

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use petgraph::graph::{DiGraph, NodeIndex};

use crate::model::{EventIdx, NodeId, Trace};
use crate::order::Causality;

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
    /// No bounds (contradictions are still looked for).
    None,
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
        SkewPairs::Against(node) => match graph.nodes.binary_search(&node) {
            Ok(v) if live[v] => bounds_against(&graph, &live, &h, v),
            _ => Vec::new(),
        },
    };
    report
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

/// The strongly connected component of each vertex of the constraint graph.
fn component_ids(graph: &Graph) -> Vec<usize> {
    let mut g: DiGraph<(), ()> = DiGraph::with_capacity(graph.len(), graph.edges.len());
    for _ in 0..graph.len() {
        g.add_node(());
    }
    for e in &graph.edges {
        g.add_edge(
            NodeIndex::new(e.from as usize),
            NodeIndex::new(e.to as usize),
            (),
        );
    }
    let mut ids = vec![0; graph.len()];
    for (id, members) in petgraph::algo::tarjan_scc(&g).into_iter().enumerate() {
        for v in members {
            ids[v.index()] = id;
        }
    }
    ids
}

/// Shortest distances from a virtual source joined to every member with weight 0 (feasible
/// potentials: `h(v) <= h(u) + w(u, v)` on every edge between members), or, when the
/// members' edges hold a negative cycle, that cycle's edge indices.
///
/// A queue-based Bellman-Ford. Every `members` relaxations it looks for a cycle in the graph
/// of last-relaxed edges: any cycle there is negative (Cormen et al., lemma 24.16), and with a
/// negative cycle one appears after finitely many relaxations (Cherkassky and Goldberg, 1999).
fn potentials(graph: &Graph, member: &[bool]) -> Result<Vec<i128>, Vec<usize>> {
    let n = graph.len();
    let size = member.iter().filter(|&&m| m).count().max(1);
    let mut dist = vec![0i128; n];
    let mut parent = vec![NONE; n];
    let mut queued = member.to_vec();
    let mut queue: std::collections::VecDeque<usize> = (0..n).filter(|&v| member[v]).collect();
    let mut relaxations = 0usize;
    while let Some(u) = queue.pop_front() {
        queued[u] = false;
        for i in graph.out(u) {
            let e = &graph.edges[i];
            let v = e.to as usize;
            if !member[v] {
                continue;
            }
            let through = dist[u] + e.weight;
            if through < dist[v] {
                dist[v] = through;
                parent[v] = i as u32;
                relaxations += 1;
                if relaxations.is_multiple_of(size) {
                    if let Some(cycle) = parent_cycle(graph, &parent, member) {
                        return Err(cycle);
                    }
                }
                if !queued[v] {
                    queued[v] = true;
                    queue.push_back(v);
                }
            }
        }
    }
    Ok(dist)
}

/// A cycle in the graph of last-relaxed edges, as edge indices in path order.
fn parent_cycle(graph: &Graph, parent: &[u32], member: &[bool]) -> Option<Vec<usize>> {
    let n = graph.len();
    // 0: not seen; otherwise the 1-based walk that reached the vertex first.
    let mut walk_of = vec![0usize; n];
    for startv in (0..n).filter(|&v| member[v]) {
        if walk_of[startv] != 0 {
            continue;
        }
        let walk = startv + 1;
        let mut v = startv;
        loop {
            if walk_of[v] == walk {
                // Back on this walk: v is on a cycle.
                let mut cycle = Vec::new();
                let mut u = v;
                loop {
                    let e = parent[u] as usize;
                    cycle.push(e);
                    u = graph.edges[e].from as usize;
                    if u == v {
                        break;
                    }
                }
                cycle.reverse();
                return Some(cycle);
            }
            if walk_of[v] != 0 {
                break;
            }
            walk_of[v] = walk;
            match parent[v] {
                NONE => break,
                e => v = graph.edges[e as usize].from as usize,
            }
        }
    }
    None
}

/// The cycle as a finding, starting at its message from the smallest node for stable output.
fn contradiction(graph: &Graph, cycle: &[usize]) -> Contradiction {
    let mut messages: Vec<Message> = cycle.iter().map(|&e| graph.edges[e].message).collect();
    let first = (0..messages.len())
        .min_by_key(|&i| messages[i].from)
        .unwrap_or(0);
    messages.rotate_left(first);
    let total = messages.iter().map(|m| i128::from(m.delay)).sum();
    Contradiction { messages, total }
}

/// Distances and last edges of shortest paths between live vertices: a table of every pair
/// (Floyd-Warshall, for dense graphs), or for each source only the vertices it reaches
/// (Johnson's), so that many nodes with few messages take memory for the pairs that have a
/// path, not for nodes x nodes.
enum Paths {
    Dense {
        n: usize,
        dist: Vec<i128>,
        last: Vec<u32>,
    },
    /// Per source vertex, every other vertex it reaches, sorted by vertex.
    Sparse(Vec<Vec<Reached>>),
}

/// A vertex reached from a source: the distance, and the last edge of a shortest path.
#[derive(Clone, Copy, Debug)]
struct Reached {
    vertex: u32,
    last: u32,
    dist: i128,
}

impl Paths {
    fn lookup(&self, u: usize, v: usize) -> Option<(i128, u32)> {
        match self {
            Paths::Dense { n, dist, last } => {
                let d = dist[u * n + v];
                (d != INF).then_some((d, last[u * n + v]))
            }
            Paths::Sparse(rows) => {
                let row = &rows[u];
                row.binary_search_by_key(&v, |r| r.vertex as usize)
                    .ok()
                    .map(|i| (row[i].dist, row[i].last))
            }
        }
    }

    fn dist(&self, u: usize, v: usize) -> Option<i128> {
        self.lookup(u, v).map(|(d, _)| d)
    }

    fn messages(&self, graph: &Graph, u: usize, v: usize) -> Vec<Message> {
        let last = |at: usize| self.lookup(u, at).map_or(NONE, |(_, e)| e);
        // All-pairs bounds keep two chains for each of up to half a million pairs, most of
        // one or two messages: sized exactly, they take half what growing leaves them.
        let mut hops = 0;
        let mut at = v;
        while at != u {
            match last(at) {
                NONE => return Vec::new(),
                e => at = graph.edges[e as usize].from as usize,
            }
            hops += 1;
        }
        let mut out = Vec::with_capacity(hops);
        let mut at = v;
        while at != u {
            let e = last(at);
            if e == NONE {
                return Vec::new();
            }
            let edge = &graph.edges[e as usize];
            out.push(edge.message);
            at = edge.from as usize;
        }
        out.reverse();
        out
    }
}

fn all_bounds(graph: &Graph, live: &[bool], h: &[i128]) -> Vec<SkewBound> {
    let n = graph.len();
    let live_edges = graph
        .edges
        .iter()
        .filter(|e| live[e.from as usize] && live[e.to as usize])
        .count();
    let paths = if live_edges.saturating_mul(8) >= n * n {
        floyd_warshall(graph, live)
    } else {
        johnson(graph, live, h)
    };
    let mut bounds = Vec::new();
    let mut add = |a: usize, b: usize| {
        if let Some(bound) = bound(graph, a, b, paths.dist(a, b), paths.dist(b, a), |u, v| {
            paths.messages(graph, u, v)
        }) {
            bounds.push(bound);
        }
    };
    match &paths {
        Paths::Dense { .. } => {
            for a in (0..n).filter(|&v| live[v]) {
                for b in (a + 1..n).filter(|&v| live[v]) {
                    add(a, b);
                }
            }
        }
        Paths::Sparse(rows) => {
            // Only pairs with a path one way or the other have a bound.
            let mut pairs: Vec<(u32, u32)> = rows
                .iter()
                .enumerate()
                .flat_map(|(u, row)| {
                    row.iter().map(move |r| {
                        let (u, v) = (u as u32, r.vertex);
                        (u.min(v), u.max(v))
                    })
                })
                .collect();
            pairs.sort_unstable();
            pairs.dedup();
            for (a, b) in pairs {
                add(a as usize, b as usize);
            }
        }
    }
    bounds.shrink_to_fit();
    bounds
}

fn bounds_against(graph: &Graph, live: &[bool], h: &[i128], reference: usize) -> Vec<SkewBound> {
    let forward = dijkstra(graph, live, h, reference, false);
    let backward = dijkstra(graph, live, h, reference, true);
    let path = |tree: &(Vec<i128>, Vec<u32>), target: usize, reverse: bool| -> Vec<Message> {
        let mut out = Vec::new();
        let mut at = target;
        while at != reference {
            let e = tree.1[at];
            if e == NONE {
                return Vec::new();
            }
            let edge = &graph.edges[e as usize];
            out.push(edge.message);
            at = if reverse { edge.to } else { edge.from } as usize;
        }
        if !reverse {
            out.reverse();
        }
        out
    };
    (0..graph.len())
        .filter(|&v| live[v] && v != reference)
        .filter_map(|b| {
            let hi = (forward.0[b] != INF).then_some(forward.0[b]);
            let back = (backward.0[b] != INF).then_some(backward.0[b]);
            bound(graph, reference, b, hi, back, |u, _| {
                if u == reference {
                    path(&forward, b, false)
                } else {
                    path(&backward, b, true)
                }
            })
        })
        .collect()
}

/// The bound of pair (a, b) from the distances a -> b and b -> a, if either is finite.
fn bound(
    graph: &Graph,
    a: usize,
    b: usize,
    forward: Option<i128>,
    backward: Option<i128>,
    messages: impl Fn(usize, usize) -> Vec<Message>,
) -> Option<SkewBound> {
    if forward.is_none() && backward.is_none() {
        return None;
    }
    Some(SkewBound {
        a: graph.nodes[a],
        b: graph.nodes[b],
        lo: backward.map(|d| -d),
        hi: forward,
        lo_messages: backward.map_or_else(Vec::new, |_| messages(b, a)),
        hi_messages: forward.map_or_else(Vec::new, |_| messages(a, b)),
    })
}

/// All pairs by Floyd-Warshall, keeping the last edge of each shortest path.
fn floyd_warshall(graph: &Graph, live: &[bool]) -> Paths {
    let n = graph.len();
    let mut dist = vec![INF; n * n];
    let mut last = vec![NONE; n * n];
    for v in 0..n {
        dist[v * n + v] = 0;
    }
    for (i, e) in graph.edges.iter().enumerate() {
        let (u, v) = (e.from as usize, e.to as usize);
        if live[u] && live[v] {
            dist[u * n + v] = e.weight;
            last[u * n + v] = i as u32;
        }
    }
    for k in (0..n).filter(|&k| live[k]) {
        let row_k: Vec<i128> = dist[k * n..k * n + n].to_vec();
        let last_k: Vec<u32> = last[k * n..k * n + n].to_vec();
        for i in 0..n {
            let d_ik = dist[i * n + k];
            if d_ik == INF || i == k {
                continue;
            }
            let row = &mut dist[i * n..i * n + n];
            let last_row = &mut last[i * n..i * n + n];
            for j in 0..n {
                let d_kj = row_k[j];
                if d_kj != INF && d_ik + d_kj < row[j] {
                    row[j] = d_ik + d_kj;
                    last_row[j] = last_k[j];
                }
            }
        }
    }
    Paths::Dense { n, dist, last }
}

/// All pairs by Johnson's algorithm: Dijkstra from each live vertex on reweighted edges,
/// keeping for each source only the vertices it reaches. The working arrays are shared by all
/// sources and reset where a search touched them, so the time is that of the searches, not
/// vertices x vertices.
fn johnson(graph: &Graph, live: &[bool], h: &[i128]) -> Paths {
    let n = graph.len();
    let mut dist = vec![INF; n];
    let mut tree = vec![NONE; n];
    let mut done = vec![false; n];
    let mut touched: Vec<usize> = Vec::new();
    let mut heap = BinaryHeap::new();
    let reduced = |e: &Edge| e.weight + h[e.from as usize] - h[e.to as usize];
    let mut rows = Vec::with_capacity(n);
    for s in 0..n {
        if !live[s] {
            rows.push(Vec::new());
            continue;
        }
        dist[s] = 0;
        touched.push(s);
        heap.push(Reverse((0i128, s)));
        while let Some(Reverse((d, u))) = heap.pop() {
            if done[u] {
                continue;
            }
            done[u] = true;
            for i in graph.out(u) {
                let v = graph.edges[i].to as usize;
                if !live[v] || done[v] {
                    continue;
                }
                let through = d + reduced(&graph.edges[i]);
                if through < dist[v] {
                    if dist[v] == INF {
                        touched.push(v);
                    }
                    dist[v] = through;
                    tree[v] = i as u32;
                    heap.push(Reverse((through, v)));
                }
            }
        }
        touched.sort_unstable();
        // Undo the reweighting: d(s, v) = d'(s, v) - h(s) + h(v).
        let row: Vec<Reached> = touched
            .iter()
            .filter(|&&v| v != s)
            .map(|&v| Reached {
                vertex: v as u32,
                last: tree[v],
                dist: dist[v] - h[s] + h[v],
            })
            .collect();
        rows.push(row);
        for &v in &touched {
            dist[v] = INF;
            tree[v] = NONE;
            done[v] = false;
        }
        touched.clear();
    }
    Paths::Sparse(rows)
}

/// Shortest paths from `source` (or, `reverse`, to it) over live vertices, with potentials `h`
/// making every weight non-negative. Returns true distances and each vertex's tree edge.
fn dijkstra(
    graph: &Graph,
    live: &[bool],
    h: &[i128],
    source: usize,
    reverse: bool,
) -> (Vec<i128>, Vec<u32>) {
    let n = graph.len();
    let incoming = reverse.then(|| {
        let mut incoming: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, e) in graph.edges.iter().enumerate() {
            incoming[e.to as usize].push(i as u32);
        }
        incoming
    });
    // Reduced weight of edge e: w + h(from) - h(to) >= 0, for either direction of travel.
    let reduced = |e: &Edge| e.weight + h[e.from as usize] - h[e.to as usize];
    let mut dist = vec![INF; n];
    let mut tree = vec![NONE; n];
    let mut done = vec![false; n];
    let mut heap = BinaryHeap::new();
    dist[source] = 0;
    heap.push(Reverse((0i128, source)));
    while let Some(Reverse((d, u))) = heap.pop() {
        if done[u] {
            continue;
        }
        done[u] = true;
        let mut relax = |i: usize, v: usize, dist: &mut Vec<i128>| {
            if !live[v] || done[v] {
                return;
            }
            let through = d + reduced(&graph.edges[i]);
            if through < dist[v] {
                dist[v] = through;
                tree[v] = i as u32;
                heap.push(Reverse((through, v)));
            }
        };
        match &incoming {
            None => {
                for i in graph.out(u) {
                    relax(i, graph.edges[i].to as usize, &mut dist);
                }
            }
            Some(incoming) => {
                for &i in &incoming[u] {
                    relax(i as usize, graph.edges[i as usize].from as usize, &mut dist);
                }
            }
        }
    }
    // Undo the reweighting: d'(s, v) = d(s, v) + h(s) - h(v).
    for v in 0..n {
        if dist[v] != INF {
            dist[v] = if reverse {
                dist[v] - h[v] + h[source]
            } else {
                dist[v] - h[source] + h[v]
            };
        }
    }
    (dist, tree)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_message_trace;
    use crate::order::causal_order;

    /// Messages (from, to, send time, recv time) in ms, each on its own line pair.
    fn trace(messages: &[(&str, &str, i64, i64)]) -> Trace {
        test_message_trace(messages, &[])
    }

    fn analyze(t: &Trace, pairs: SkewPairs) -> SkewReport {
        analyze_skew(t, &causal_order(t).unwrap(), pairs)
    }

    const MS: i128 = 1_000_000;

    #[test]
    fn messages_both_ways_bound_the_offset_on_both_sides() {
        // a -> b: 10 ms apparent delay; b -> a: -4 ms. So offset(b) - offset(a) in [4, 10] ms.
        let t = trace(&[("a", "b", 0, 10), ("b", "a", 20, 16)]);
        let r = analyze(&t, SkewPairs::All);
        assert!(r.contradictions.is_empty());
        assert_eq!(r.bounds.len(), 1);
        assert_eq!(
            (r.bounds[0].lo, r.bounds[0].hi),
            (Some(4 * MS), Some(10 * MS))
        );
        assert_eq!(r.bounds[0].hi_messages.len(), 1);
    }

    #[test]
    fn bounds_go_through_intermediate_nodes() {
        // a -> b <= 3, b -> c <= 5: c - a <= 8, with no message between a and c.
        let t = trace(&[("a", "b", 0, 3), ("b", "c", 10, 15)]);
        let r = analyze(&t, SkewPairs::All);
        let ac = r
            .bounds
            .iter()
            .find(|b| b.a == NodeId(0) && b.b == NodeId(2))
            .unwrap();
        assert_eq!((ac.lo, ac.hi), (None, Some(8 * MS)));
        assert_eq!(ac.hi_messages.len(), 2);
        let against = analyze(&t, SkewPairs::Against(NodeId(2)));
        assert_eq!(against.bounds.len(), 2);
        let ca = against.bounds.iter().find(|b| b.b == NodeId(0)).unwrap();
        assert_eq!((ca.lo, ca.hi), (Some(-8 * MS), None));
        assert_eq!(ca.lo_messages.len(), 2);
    }

    #[test]
    fn a_negative_cycle_is_a_contradiction_and_its_nodes_get_no_bounds() {
        // a -> b says b - a <= -5, b -> a says a - b <= 2: -5 + 2 < 0.
        let t = trace(&[("a", "b", 10, 5), ("b", "a", 20, 22), ("c", "d", 0, 1)]);
        let r = analyze(&t, SkewPairs::All);
        assert_eq!(r.contradictions.len(), 1);
        assert_eq!(r.contradictions[0].total, -3 * MS);
        assert_eq!(r.contradictions[0].messages.len(), 2);
        assert_eq!(r.contradicted_nodes, vec![NodeId(0), NodeId(1)]);
        assert_eq!(r.bounds.len(), 1);
        assert_eq!(r.bounds[0].a, NodeId(2));
    }

    #[test]
    fn pair_bounds_agree_with_the_full_report_either_way_round() {
        let t = trace(&[("a", "b", 0, 10), ("b", "a", 20, 16), ("b", "c", 30, 33)]);
        let c = causal_order(&t).unwrap();
        let full = analyze_skew(&t, &c, SkewPairs::All);
        let (a, b, cc) = (NodeId(0), NodeId(1), NodeId(2));
        let pairs = [(a, b), (b, a), (a, cc), (cc, cc), (b, cc)];
        let got = pair_bounds(&t, &c, &pairs);
        let ab = &full.bounds[0];
        assert_eq!(got[0], (ab.lo, ab.hi));
        assert_eq!(got[1], (ab.hi.map(|h| -h), ab.lo.map(|l| -l)));
        let ac = full.bounds.iter().find(|x| x.a == a && x.b == cc).unwrap();
        assert_eq!(got[2], (ac.lo, ac.hi));
        assert_eq!(got[3], (Some(0), Some(0)));
        assert_eq!(got[4], (None, Some(3 * MS)));
    }

    #[test]
    fn only_the_tightest_message_per_pair_counts() {
        let t = trace(&[("a", "b", 0, 10), ("a", "b", 0, 7), ("a", "b", 0, 9)]);
        let r = analyze(&t, SkewPairs::All);
        assert_eq!(r.bounds[0].hi, Some(7 * MS));
        assert_eq!(r.bounds[0].hi_messages[0].send, EventIdx(2));
    }
}
