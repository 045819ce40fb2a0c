//! The span graph: each span's node, its parent across files, and a unique name for its events.
//! It resolves parents (cutting loops) and names; it orders nothing (`schedule` does).

use std::collections::{HashMap, HashSet};

use super::{is_null_id, node_name, Link, Span, SpanKind};

/// Spans with their nodes, parents and unique names.
pub(super) struct SpanGraph {
    /// Node name of each span.
    pub(super) node_names: Vec<String>,
    /// Node index of each span (in first-seen order).
    pub(super) node: Vec<u32>,
    pub(super) n_nodes: usize,
    pub(super) parent: Vec<Option<usize>>,
    /// Spans whose parent id names no span in the input.
    pub(super) missing: Vec<usize>,
    pub(super) cycles: usize,
    /// Unique name of each span, the stem of its event ids.
    pub(super) key: Vec<String>,
    /// Spans by (trace id, span id).
    pub(super) groups: HashMap<(String, String), Vec<usize>>,
}

impl SpanGraph {
    pub(super) fn new(spans: &[Span]) -> SpanGraph {
        let n = spans.len();
        let mut groups: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, s) in spans.iter().enumerate() {
            groups
                .entry((s.trace_id.clone(), s.span_id.clone()))
                .or_default()
                .push(i);
        }
        let node_names: Vec<String> = spans
            .iter()
            .map(|s| node_name(s.service.as_deref(), s.host.as_deref()))
            .collect();
        let mut node_ids: HashMap<&str, u32> = HashMap::new();
        let node: Vec<u32> = node_names
            .iter()
            .map(|name| {
                let next = node_ids.len() as u32;
                *node_ids.entry(name.as_str()).or_insert(next)
            })
            .collect();
        let n_nodes = node_ids.len();

        let mut parent = vec![None; n];
        let mut missing = Vec::new();
        for (i, s) in spans.iter().enumerate() {
            let group = |id: &str| groups.get(&(s.trace_id.clone(), id.to_string()));
            // A server that reuses its client's id (Zipkin's shared spans) is that client's
            // child, whatever its parentId says.
            let partner = match s.kind {
                SpanKind::Server => Some(SpanKind::Client),
                SpanKind::Consumer => Some(SpanKind::Producer),
                _ => None,
            };
            if let Some(want) = partner {
                let same_id = group(&s.span_id).into_iter().flatten();
                if let Some(&j) = same_id
                    .filter(|&&j| j != i && spans[j].kind == want)
                    .min_by_key(|&&j| (node[j] == node[i], j))
                {
                    parent[i] = Some(j);
                    continue;
                }
            }
            let Some(pid) = s.parent_id.as_deref().filter(|p| !is_null_id(p)) else {
                continue;
            };
            let candidates: Vec<usize> = group(pid)
                .into_iter()
                .flatten()
                .copied()
                .filter(|&j| j != i)
                .collect();
            // Of a client and its shared server, a child belongs to the one on its own node,
            // else to the server side.
            let chosen = candidates.iter().copied().min_by_key(|&j| {
                (
                    node[j] != node[i],
                    matches!(spans[j].kind, SpanKind::Client | SpanKind::Producer),
                    j,
                )
            });
            match chosen {
                Some(j) => parent[i] = Some(j),
                None => missing.push(i),
            }
        }

        // Parent ids that loop (bad data) would make start edges loop: cut each loop once.
        let mut cycles = 0;
        let mut state = vec![0u8; n];
        for i in 0..n {
            let mut path = Vec::new();
            let mut x = i;
            loop {
                match state[x] {
                    2 => break,
                    1 => {
                        parent[x] = None;
                        cycles += 1;
                        break;
                    }
                    _ => {}
                }
                state[x] = 1;
                path.push(x);
                match parent[x] {
                    Some(p) => x = p,
                    None => break,
                }
            }
            for p in path {
                state[p] = 2;
            }
        }

        let mut used: HashSet<String> = HashSet::with_capacity(n);
        let mut key = Vec::with_capacity(n);
        for s in spans {
            let shared = groups[&(s.trace_id.clone(), s.span_id.clone())].len() > 1;
            let mut k = if shared {
                format!("{}:{}", s.span_id, s.kind.as_str())
            } else {
                s.span_id.clone()
            };
            if used.contains(&k) {
                k = format!("{}:{k}", s.trace_id);
            }
            let base = k.clone();
            let mut suffix = 2;
            while used.contains(&k) {
                k = format!("{base}~{suffix}");
                suffix += 1;
            }
            used.insert(k.clone());
            key.push(k);
        }

        SpanGraph {
            node_names,
            node,
            n_nodes,
            parent,
            missing,
            cycles,
            key,
            groups,
        }
    }

    /// The span a link names: the first span with its trace and span id, other than `from`.
    pub(super) fn link_target(&self, from: usize, link: &Link) -> Option<usize> {
        self.groups
            .get(&(link.trace_id.clone(), link.span_id.clone()))?
            .iter()
            .copied()
            .find(|&j| j != from)
    }
}
