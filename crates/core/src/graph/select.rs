//! Selections of events for `slice`: by node, by the messages between two nodes, by label,
//! field, key, time, Lamport clock, id, neighbourhood, past or future. Selectors combine with
//! AND and keep exactly the events they name: no causal closure is added. This module decides
//! what is kept; `graph::cut` marks the messages that cross the edge, `render` writes.

use std::collections::HashSet;

use regex::Regex;
use serde_json::Value;

use super::{cut, HbGraph, Side};
use crate::model::{EventIdx, KeyId, NodeId, Timestamp, Trace};
use crate::order::Causality;

/// What a slice keeps: every selector given must hold (none given keeps everything).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Events of these nodes.
    pub nodes: Option<Vec<NodeId>>,
    /// Sends and receives of the messages between these two nodes (either way).
    pub between: Option<(NodeId, NodeId)>,
    /// Events whose label matches.
    pub label: Option<Regex>,
    /// Events whose fields hold these values (`KEY=VALUE`: a string equal to VALUE, or a
    /// number or boolean written as VALUE).
    pub fields: Vec<(String, String)>,
    /// Events that read or write this key.
    pub key: Option<KeyId>,
    /// Events whose time lies in this range (inclusive; an open end is `None`); events
    /// without a time are left out.
    pub time: Option<(Option<Timestamp>, Option<Timestamp>)>,
    /// Events whose Lamport clock lies in this range (inclusive).
    pub lamport: Option<(Option<u64>, Option<u64>)>,
    /// These events.
    pub ids: Option<Vec<EventIdx>>,
    /// Events within `depth` direct steps of this event.
    pub around: Option<(EventIdx, u32)>,
    /// The event and its causal past.
    pub past: Option<EventIdx>,
    /// The event and its causal future.
    pub future: Option<EventIdx>,
}

impl Selection {
    /// Whether no selector is given.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_none()
            && self.between.is_none()
            && self.label.is_none()
            && self.fields.is_empty()
            && self.key.is_none()
            && self.time.is_none()
            && self.lamport.is_none()
            && self.ids.is_none()
            && self.around.is_none()
            && self.past.is_none()
            && self.future.is_none()
    }
}

/// Which events `selection` keeps, by event index. `lamport` holds every event's Lamport clock.
pub fn select(
    trace: &Trace,
    causality: &Causality,
    lamport: &[u64],
    selection: &Selection,
) -> Vec<bool> {
    let mut kept = vec![true; trace.len()];
    let mut keep_only = |wanted: &[bool]| {
        for (k, &w) in kept.iter_mut().zip(wanted) {
            *k &= w;
        }
    };
    if let Some(nodes) = &selection.nodes {
        let nodes: HashSet<NodeId> = nodes.iter().copied().collect();
        keep_only(&by_event(trace, |_, ev| nodes.contains(&ev.node)));
    }
    if let Some((a, b)) = selection.between {
        let mut wanted = vec![false; trace.len()];
        for (s, r) in causality.message_edges() {
            let ends = (trace.event(s).node, trace.event(r).node);
            if ends == (a, b) || ends == (b, a) {
                wanted[s.index()] = true;
                wanted[r.index()] = true;
            }
        }
        keep_only(&wanted);
    }
    if let Some(re) = &selection.label {
        keep_only(&by_event(trace, |_, ev| {
            ev.label.as_deref().is_some_and(|l| re.is_match(l))
        }));
    }
    if !selection.fields.is_empty() {
        keep_only(&by_event(trace, |_, ev| {
            let fields = ev.fields.to_map();
            selection.fields.iter().all(|(k, v)| match fields.get(k) {
                Some(Value::String(s)) => s == v,
                Some(Value::Number(n)) => n.to_string() == *v,
                Some(Value::Bool(b)) => b.to_string() == *v,
                _ => false,
            })
        }));
    }
    if let Some(key) = selection.key {
        keep_only(&by_event(trace, |_, ev| {
            ev.reads().contains(&key) || ev.writes().contains(&key)
        }));
    }
    if let Some((from, to)) = selection.time {
        keep_only(&by_event(trace, |_, ev| {
            ev.time()
                .is_some_and(|t| from.is_none_or(|f| t >= f) && to.is_none_or(|u| t <= u))
        }));
    }
    if let Some((from, to)) = selection.lamport {
        keep_only(&by_event(trace, |e, _| {
            let l = lamport[e.index()];
            from.is_none_or(|f| l >= f) && to.is_none_or(|u| l <= u)
        }));
    }
    if let Some(ids) = &selection.ids {
        let mut wanted = vec![false; trace.len()];
        for e in ids {
            wanted[e.index()] = true;
        }
        keep_only(&wanted);
    }
    if let Some((center, depth)) = selection.around {
        keep_only(&HbGraph::build(trace, causality).neighbourhood(center, depth));
    }
    if let Some(x) = selection.past {
        keep_only(&cut(trace, causality, x, Side::Past, false));
    }
    if let Some(x) = selection.future {
        keep_only(&cut(trace, causality, x, Side::Future, false));
    }
    kept
}

fn by_event(trace: &Trace, keep: impl Fn(EventIdx, &crate::model::Event) -> bool) -> Vec<bool> {
    trace
        .events
        .iter()
        .enumerate()
        .map(|(i, ev)| keep(EventIdx(i as u32), ev))
        .collect()
}

/// Compiles a `--label` pattern (Rust's regex syntax).
pub fn label_regex(pattern: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|e| format!("invalid regex: {e}"))
}

/// Reads a range `FROM..TO` (either end may be empty) with `parse` for each end.
pub fn parse_range<T>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<(Option<T>, Option<T>), String> {
    let (from, to) = text.split_once("..").ok_or_else(|| {
        format!("expected a range FROM..TO (either end may be left out), found {text:?}")
    })?;
    let end = |s: &str| -> Result<Option<T>, String> {
        let s = s.trim();
        if s.is_empty() {
            Ok(None)
        } else {
            parse(s).map(Some)
        }
    };
    Ok((end(from)?, end(to)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_trace as trace;
    use crate::order::causal_order;

    #[test]
    fn ranges_may_leave_either_end_open() {
        let int = |s: &str| s.parse::<u64>().map_err(|e| e.to_string());
        assert_eq!(parse_range("3..7", int).unwrap(), (Some(3), Some(7)));
        assert_eq!(parse_range("..7", int).unwrap(), (None, Some(7)));
        assert_eq!(parse_range("3..", int).unwrap(), (Some(3), None));
        assert!(parse_range("3-7", int).is_err());
        assert!(parse_range("x..7", int).is_err());
    }

    #[test]
    fn between_keeps_both_ends_of_the_messages_between_two_nodes() {
        let t = trace(&[
            ("a", "send", "m1"),
            ("b", "recv", "m1"),
            ("b", "send", "m2"),
            ("c", "recv", "m2"),
            ("c", "local", ""),
        ]);
        let c = causal_order(&t).unwrap();
        let lamport = vec![1, 2, 3, 4, 5];
        let (a, b) = (t.node_by_name("a").unwrap(), t.node_by_name("b").unwrap());
        let kept = select(
            &t,
            &c,
            &lamport,
            &Selection {
                between: Some((b, a)),
                ..Selection::default()
            },
        );
        assert_eq!(kept, [true, true, false, false, false]);
    }
}
