//! Contradictions of clock skew: the strongly connected components of the constraint graph
//! and a negative cycle in them (queue-based Bellman-Ford with parent-graph cycle checks).
//!
//! It finds cycles and feasible potentials; it computes no bounds (see `paths`).

use petgraph::graph::{DiGraph, NodeIndex};

use super::{Contradiction, Graph, Message, NONE};

/// The strongly connected component of each vertex of the constraint graph.
pub(super) fn component_ids(graph: &Graph) -> Vec<usize> {
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
pub(super) fn potentials(graph: &Graph, member: &[bool]) -> Result<Vec<i128>, Vec<usize>> {
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
pub(super) fn parent_cycle(graph: &Graph, parent: &[u32], member: &[bool]) -> Option<Vec<usize>> {
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
pub(super) fn contradiction(graph: &Graph, cycle: &[usize]) -> Contradiction {
    let mut messages: Vec<Message> = cycle.iter().map(|&e| graph.edges[e].message).collect();
    let first = (0..messages.len())
        .min_by_key(|&i| messages[i].from)
        .unwrap_or(0);
    messages.rotate_left(first);
    let total = messages.iter().map(|m| i128::from(m.delay)).sum();
    Contradiction { messages, total }
}
