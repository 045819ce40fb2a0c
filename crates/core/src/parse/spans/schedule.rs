//! Spans turned into events in program order: each span's start, inner and end events, the
//! messages and same-node constraints between them (module doc of `spans`), and a schedule of
//! each node's events by time that agrees with every edge. It builds raw events; it matches no
//! message (`order` does).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::graph::SpanGraph;
use super::keys::{access, Access};
use super::{is_null_id, rfc3339, Span, SpanKind, UNKNOWN_SERVICE};
use crate::model::{EventKind, RawEvent, RawSpan, Role, SpanPhase, Timestamp, TraceBuilder};

/// Which part of a span an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Start,
    /// The k-th event inside the span (1-based, in time order).
    Inner(u32),
    End,
}

/// Where an event sorts on its node: effective time, phase rank (end 0, inner 1, start 2),
/// span, position.
type Priority = (i64, u8, u32, u32);

/// An event being planned: where it goes and what messages it carries.
struct Draft {
    span: usize,
    phase: Phase,
    /// Index into the span's annotations, for inner events.
    annotation: usize,
    time: Option<i64>,
    /// Sort key on its node: effective time, phase rank, span, position.
    priority: Priority,
    send: Option<String>,
    recvs: Vec<String>,
}

/// Every span's events, the edges between them, and the order they go in.
pub(super) struct EventPlan {
    drafts: Vec<Draft>,
    /// Index of each span's start event; its inner events and end follow.
    first: Vec<usize>,
    succ: Vec<Vec<u32>>,
    indeg: Vec<u32>,
    node_of: Vec<u32>,
    n_nodes: usize,
    order: Vec<u32>,
}

impl EventPlan {
    pub(super) fn new(spans: &[Span], graph: &SpanGraph, links_as_causal: bool) -> EventPlan {
        let n = spans.len();
        // Untimed starts borrow a time from their own span, else from their parent's start,
        // so that they sort near where they belong.
        let mut eff_start: Vec<Option<i64>> = vec![None; n];
        let mut resolved = vec![false; n];
        for i in 0..n {
            let mut chain = Vec::new();
            let mut x = Some(i);
            while let Some(j) = x.filter(|&j| !resolved[j]) {
                chain.push(j);
                x = graph.parent[j];
            }
            for &j in chain.iter().rev() {
                let s = &spans[j];
                let own = s
                    .start
                    .or_else(|| s.annotations.iter().filter_map(|a| a.time).min())
                    .or(s.end);
                eff_start[j] = own.or_else(|| graph.parent[j].and_then(|p| eff_start[p]));
                resolved[j] = true;
            }
        }

        let mut drafts = Vec::new();
        let mut first = Vec::with_capacity(n);
        let mut node_of = Vec::new();
        for (i, s) in spans.iter().enumerate() {
            first.push(drafts.len());
            let start_eff = eff_start[i].unwrap_or(i64::MIN);
            let mut order: Vec<usize> = (0..s.annotations.len()).collect();
            order.sort_by_key(|&a| s.annotations[a].time.unwrap_or(i64::MAX));
            let mut last = start_eff;
            let mut push = |phase, annotation, time: Option<i64>, eff: i64, rank| {
                let pos = drafts.len() as u32;
                drafts.push(Draft {
                    span: i,
                    phase,
                    annotation,
                    time,
                    priority: (eff, rank, i as u32, pos),
                    send: None,
                    recvs: Vec::new(),
                });
                node_of.push(graph.node[i]);
            };
            push(Phase::Start, 0, s.start, start_eff, 2);
            for (k, &a) in order.iter().enumerate() {
                let t = s.annotations[a].time;
                last = last.max(t.unwrap_or(last));
                push(Phase::Inner(k as u32 + 1), a, t, t.unwrap_or(last), 1);
            }
            push(Phase::End, 0, s.end, s.end.unwrap_or(last), 0);
        }

        let m = drafts.len();
        let mut plan = EventPlan {
            drafts,
            first,
            succ: vec![Vec::new(); m],
            indeg: vec![0; m],
            node_of,
            n_nodes: graph.n_nodes,
            order: Vec::with_capacity(m),
        };
        for i in 0..n {
            let start = plan.first[i];
            let end = plan.end_of(i, spans);
            for e in start..end {
                plan.edge(e, e + 1);
            }
        }
        // Agreeing times, or a missing one, allow a same-node edge.
        let agree = |a: Option<i64>, b: Option<i64>| match (a, b) {
            (Some(a), Some(b)) => a <= b,
            _ => true,
        };
        for (c, s) in spans.iter().enumerate() {
            let Some(p) = graph.parent[c] else { continue };
            let ps = &spans[p];
            let (p_start, p_end) = (plan.first[p], plan.end_of(p, spans));
            let (c_start, c_end) = (plan.first[c], plan.end_of(c, spans));
            if graph.node[p] == graph.node[c] {
                if agree(ps.start, s.start) {
                    plan.edge(p_start, c_start);
                }
                if agree(s.end, ps.end) {
                    plan.edge(c_end, p_end);
                }
            } else {
                plan.message(p_start, c_start, graph);
                if ps.kind == SpanKind::Client && s.kind == SpanKind::Server {
                    plan.message(c_end, p_end, graph);
                }
            }
        }
        if links_as_causal {
            for (c, s) in spans.iter().enumerate() {
                for link in &s.links {
                    let Some(l) = graph.link_target(c, link) else {
                        continue;
                    };
                    let (l_start, c_start) = (plan.first[l], plan.first[c]);
                    if graph.node[l] == graph.node[c] {
                        if agree(spans[l].start, s.start) {
                            plan.edge(l_start, c_start);
                        }
                    } else {
                        plan.message(l_start, c_start, graph);
                    }
                }
            }
        }
        plan
    }

    fn end_of(&self, span: usize, spans: &[Span]) -> usize {
        self.first[span] + 1 + spans[span].annotations.len()
    }

    fn edge(&mut self, from: usize, to: usize) {
        self.succ[from].push(to as u32);
        self.indeg[to] += 1;
    }

    /// A message from event `from` to event `to`: `from` sends one message per event,
    /// received by every event it reaches.
    fn message(&mut self, from: usize, to: usize, graph: &SpanGraph) {
        let msg = match &self.drafts[from].send {
            Some(m) => m.clone(),
            None => {
                let m = self.event_id(from, graph);
                self.drafts[from].send = Some(m.clone());
                m
            }
        };
        if self.drafts[to].recvs.contains(&msg) {
            return;
        }
        self.drafts[to].recvs.push(msg);
        self.edge(from, to);
    }

    fn event_id(&self, e: usize, graph: &SpanGraph) -> String {
        let d = &self.drafts[e];
        let key = &graph.key[d.span];
        match d.phase {
            Phase::Start => format!("{key}:start"),
            Phase::Inner(k) => format!("{key}:event{k}"),
            Phase::End => format!("{key}:end"),
        }
    }

    /// Orders all events: each node in its time order, as far as the edges allow (see the
    /// module documentation). Returns how many events had to leave their node's time order.
    pub(super) fn schedule(&mut self) -> usize {
        let m = self.drafts.len();
        let mut remaining: Vec<BTreeSet<(Priority, u32)>> = vec![BTreeSet::new(); self.n_nodes];
        for (e, d) in self.drafts.iter().enumerate() {
            remaining[self.node_of[e] as usize].insert((d.priority, e as u32));
        }
        let mut indeg = self.indeg.clone();
        let mut active: Vec<usize> = (0..self.n_nodes).rev().collect();
        let mut reordered = 0;
        loop {
            while let Some(n) = active.pop() {
                // The node goes on with any ready event among those tied at its earliest
                // remaining time; an earlier-timed event that waits blocks it.
                while let Some(&((t, ..), _)) = remaining[n].first() {
                    let ready = remaining[n]
                        .iter()
                        .take_while(|((u, ..), _)| *u == t)
                        .find(|&&(_, e)| indeg[e as usize] == 0)
                        .copied();
                    let Some((p, e)) = ready else { break };
                    remaining[n].remove(&(p, e));
                    self.take(e, &mut indeg, &mut active);
                }
            }
            if self.order.len() == m {
                return reordered;
            }
            // Every node waits: take the earliest event that the edges allow, out of its
            // node's time order; if none, the edges loop (links) and order.rs will say so.
            let ready = (0..self.n_nodes)
                .filter_map(|n| {
                    remaining[n]
                        .iter()
                        .find(|&&(_, e)| indeg[e as usize] == 0)
                        .map(|&(p, e)| (p, e, n))
                })
                .min();
            let (p, e, n) = match ready {
                Some(x) => {
                    reordered += 1;
                    x
                }
                None => {
                    let (p, e, n) = (0..self.n_nodes)
                        .filter_map(|n| remaining[n].first().map(|&(p, e)| (p, e, n)))
                        .min()
                        .expect("events remain");
                    indeg[e as usize] = 0;
                    (p, e, n)
                }
            };
            remaining[n].remove(&(p, e));
            self.take(e, &mut indeg, &mut active);
            active.push(n);
        }
    }

    fn take(&mut self, e: u32, indeg: &mut [u32], active: &mut Vec<usize>) {
        self.order.push(e);
        for &s in &self.succ[e as usize] {
            let s = s as usize;
            indeg[s] = indeg[s].saturating_sub(1);
            if indeg[s] == 0 {
                active.push(self.node_of[s] as usize);
            }
        }
    }

    /// Pushes every event into the builder in the scheduled order; returns the spans whose
    /// `--key-attr` access has no known direction.
    pub(super) fn push_all(
        &self,
        spans: &[Span],
        graph: &SpanGraph,
        key_attr: Option<&str>,
        builder: &mut TraceBuilder,
    ) -> Vec<usize> {
        let mut undirected = Vec::new();
        for &e in &self.order {
            let raw = self.raw_event(e as usize, spans, graph, key_attr);
            let span = self.drafts[e as usize].span;
            if raw.fields.contains_key("touches") {
                undirected.push(span);
            }
            builder.push(spans[span].file, raw);
        }
        undirected
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one event's fields from its span, phase and messages, written in output order"
    )]
    fn raw_event(
        &self,
        e: usize,
        spans: &[Span],
        graph: &SpanGraph,
        key_attr: Option<&str>,
    ) -> RawEvent {
        let d = &self.drafts[e];
        let s = &spans[d.span];
        let mut roles: Vec<(EventKind, &str)> = d
            .recvs
            .iter()
            .map(|m| (EventKind::Recv, m.as_str()))
            .collect();
        if let Some(m) = &d.send {
            roles.push((EventKind::Send, m));
        }
        let mut fields = Map::new();
        let (kind, msg) = match roles.first() {
            Some(&(k, m)) => {
                fields.insert("kind".into(), k.as_str().into());
                fields.insert("msg".into(), m.into());
                (Some(k), Some(m.to_string()))
            }
            None => (None, None),
        };
        let more_roles: Vec<Role> = roles
            .iter()
            .skip(1)
            .map(|&(kind, msg)| Role {
                kind,
                msg: msg.into(),
            })
            .collect();
        if !more_roles.is_empty() {
            fields.insert("more_roles".into(), Role::json_list(&more_roles));
        }
        if let Some(t) = d.time {
            fields.insert("time".into(), rfc3339(t).into());
        }
        let label = match d.phase {
            Phase::Start => format!("{} start", s.name),
            Phase::End => format!("{} end", s.name),
            Phase::Inner(_) => {
                let a = &s.annotations[d.annotation];
                if a.name.is_empty() {
                    "event".to_string()
                } else {
                    a.name.clone()
                }
            }
        };
        fields.insert("label".into(), label.clone().into());
        fields.insert("trace_id".into(), s.trace_id.clone().into());
        fields.insert("span_id".into(), s.span_id.clone().into());
        if s.kind != SpanKind::Unspecified {
            fields.insert("span_kind".into(), s.kind.as_str().into());
        }
        let phase = match d.phase {
            Phase::Start => "start",
            Phase::Inner(_) => "event",
            Phase::End => "end",
        };
        fields.insert("phase".into(), phase.into());
        let (mut reads, mut writes) = (Vec::new(), Vec::new());
        match d.phase {
            Phase::Start => {
                if let Some(p) = &s.parent_id {
                    fields.insert("parent_id".into(), p.clone().into());
                }
                fields.insert("span".into(), s.name.clone().into());
                fields.insert(
                    "service".into(),
                    s.service
                        .clone()
                        .filter(|x| !x.is_empty())
                        .unwrap_or_else(|| UNKNOWN_SERVICE.to_string())
                        .into(),
                );
                if let Some(h) = &s.host {
                    fields.insert("host".into(), h.clone().into());
                }
                if graph.parent[d.span].is_none()
                    && s.parent_id.as_deref().is_some_and(|p| !is_null_id(p))
                {
                    fields.insert("missing_parent".into(), true.into());
                }
                if !s.attributes.is_empty() {
                    fields.insert("attributes".into(), Value::Object(s.attributes.clone()));
                }
                if !s.links.is_empty() {
                    let links = s
                        .links
                        .iter()
                        .map(|l| {
                            let mut o = Map::new();
                            o.insert("trace_id".into(), l.trace_id.clone().into());
                            o.insert("span_id".into(), l.span_id.clone().into());
                            if !l.attributes.is_empty() {
                                o.insert("attributes".into(), Value::Object(l.attributes.clone()));
                            }
                            Value::Object(o)
                        })
                        .collect();
                    fields.insert("links".into(), Value::Array(links));
                }
                for (k, v) in &s.start_fields {
                    fields.insert(k.clone(), v.clone());
                }
                if let Some((key, direction)) = key_attr.and_then(|k| access(s, k)) {
                    let list = Value::Array(vec![Value::String(key.clone())]);
                    match direction {
                        Access::Read => {
                            fields.insert("reads".into(), list);
                            reads.push(key);
                        }
                        Access::Write => {
                            fields.insert("writes".into(), list);
                            writes.push(key);
                        }
                        // Never guessed: a write it is not known to be would be a false
                        // conflict with every other access.
                        Access::Unknown => {
                            fields.insert("touches".into(), list);
                        }
                    }
                }
            }
            Phase::Inner(_) => {
                let a = &s.annotations[d.annotation];
                if !a.attributes.is_empty() {
                    fields.insert("attributes".into(), Value::Object(a.attributes.clone()));
                }
            }
            Phase::End => {
                for (k, v) in &s.end_fields {
                    fields.insert(k.clone(), v.clone());
                }
            }
        }
        RawEvent {
            node: graph.node_names[d.span].clone(),
            kind,
            msg,
            more_roles,
            to: Vec::new(),
            time: d.time.map(Timestamp),
            label: Some(label),
            id: Some(self.event_id(e, graph)),
            reads,
            writes,
            line: s.line,
            fields,
            fields_text: None,
            flags: crate::model::EventFlags::NONE,
            given: None,
            span: Some(Box::new(RawSpan {
                trace_id: s.trace_id.clone(),
                span_id: s.span_id.clone(),
                kind: (s.kind != SpanKind::Unspecified).then(|| s.kind.as_str().to_string()),
                phase: match d.phase {
                    Phase::Start => SpanPhase::Start,
                    Phase::Inner(_) => SpanPhase::Event,
                    Phase::End => SpanPhase::End,
                },
                // The parent as resolved (present in the input, no cycle), on the start only.
                parent_id: match d.phase {
                    Phase::Start => graph.parent[d.span].map(|p| spans[p].span_id.clone()),
                    _ => None,
                },
            })),
        }
    }
}
