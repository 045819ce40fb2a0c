//! Bounds of clock skew: shortest paths over the consistent part of the constraint graph,
//! by Floyd-Warshall when it is dense, else Johnson's reweighting and Dijkstra.
//!
//! It assumes the potentials `cycles` found (no negative cycle among live vertices); it
//! looks for no contradictions.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{Edge, Graph, Message, SkewBound, INF, NONE};

/// Distances and last edges of shortest paths between live vertices: a table of every pair
/// (Floyd-Warshall, for dense graphs), or for each source only the vertices it reaches
/// (Johnson's), so that many nodes with few messages take memory for the pairs that have a
/// path, not for nodes x nodes.
pub(super) enum Paths {
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
pub(super) struct Reached {
    vertex: u32,
    last: u32,
    dist: i128,
}

impl Paths {
    pub(super) fn lookup(&self, u: usize, v: usize) -> Option<(i128, u32)> {
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

    pub(super) fn dist(&self, u: usize, v: usize) -> Option<i128> {
        self.lookup(u, v).map(|(d, _)| d)
    }

    pub(super) fn messages(&self, graph: &Graph, u: usize, v: usize) -> Vec<Message> {
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

pub(super) fn all_bounds(graph: &Graph, live: &[bool], h: &[i128]) -> Vec<SkewBound> {
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

pub(super) fn bounds_against(
    graph: &Graph,
    live: &[bool],
    h: &[i128],
    reference: usize,
) -> Vec<SkewBound> {
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
pub(super) fn bound(
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
pub(super) fn floyd_warshall(graph: &Graph, live: &[bool]) -> Paths {
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
pub(super) fn johnson(graph: &Graph, live: &[bool], h: &[i128]) -> Paths {
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
pub(super) fn dijkstra(
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
