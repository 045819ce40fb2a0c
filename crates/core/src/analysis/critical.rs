//! Critical paths: where the wall-clock time of an execution went.
//!
//! **Events.** The critical path ending at an event is found backwards: of the event's
//! immediate predecessors (the previous event on its node, and the send of each message it
//! receives), take the one that finished last, i.e. what the event waited for, and go on from
//! there until an event has no predecessor. Times are compared on one clock: each node's times
//! moved by its estimated offset ([`super::offsets`]); a predecessor without a time counts as
//! finished before every timed one, and on a tie program order wins. Each step takes time:
//! on a node, the local time between two of its events (one clock, so no skew); along a
//! message, its delay on the corrected clocks, which the skew bounds confine to an interval
//! (`true delay in [lo, hi]`): with `offset(to) - offset(from)` in `[a, b]`, a message whose
//! receive and send times differ by `d` took between `d - b` and `d - a`.
//!
//! **Spans.** For distributed traces, the critical path of each trace as Jaeger defines it:
//! the time in spans not overlapped by the child spans the parent waited for. From the root's
//! end, walk backwards: the child that finished last (before the point reached) took the time
//! from its end up to that point off the parent; its own path is found the same way, and the
//! walk goes on in the parent from the child's start. A child is first clipped to its parent's
//! span (dropped when wholly outside it). Times are as the spans give them, as Jaeger takes
//! them. Data only: [`crate::render::critical`] writes the paths.

use std::collections::HashMap;

use super::offsets::ClockOffsets;
use super::skew::pair_bounds;
use crate::model::{EventIdx, NodeId, SpanPhase, Trace};
use crate::order::Causality;

/// Which critical path to find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathMode {
    /// Spans when the input has spans, else events.
    Auto,
    /// The chain of events and messages each event waited for.
    Events,
    /// Per trace, the time in spans not overlapped by their children (Jaeger's).
    Spans,
}

impl crate::Named for PathMode {
    const ALL: &'static [PathMode] = &[PathMode::Auto, PathMode::Events, PathMode::Spans];

    fn name(self) -> &'static str {
        match self {
            PathMode::Auto => "auto",
            PathMode::Events => "events",
            PathMode::Spans => "spans",
        }
    }

    fn about(self) -> &'static str {
        match self {
            PathMode::Auto => "Spans when the input has spans (and no --to), else events",
            PathMode::Events => "The chain of events and messages each event waited for",
            PathMode::Spans => "Per trace, time in spans not overlapped by their children (Jaeger)",
        }
    }
}

/// How one step of a path leads from one event to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// The next event on the same node: local time.
    Program,
    /// A message from `from` to `to`.
    Message {
        /// Receive time minus send time, each by its own node's clock (no correction).
        raw: Option<i128>,
        /// The interval that holds the message's true delay by the skew bounds between the
        /// two nodes: `(raw - hi, raw - lo)`, an end `None` where no chain of messages bounds
        /// the offset on that side.
        bounds: (Option<i128>, Option<i128>),
    },
}

/// One step of a critical path, from a predecessor to the event that waited for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PathStep {
    /// The predecessor.
    pub from: EventIdx,
    /// The event that waited for it.
    pub to: EventIdx,
    /// Program order or a message.
    pub kind: StepKind,
    /// The time it took in nanoseconds on the corrected clocks, when both events have a time.
    pub duration: Option<i128>,
}

/// The critical path ending at an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriticalPath {
    /// The first event of the path (it has no predecessor).
    pub start: EventIdx,
    /// The event the path ends at.
    pub end: EventIdx,
    /// The steps from `start` to `end`, in order.
    pub steps: Vec<PathStep>,
    /// The sum of the steps' durations (those known), in nanoseconds.
    pub total: i128,
    /// Local time on the path per node, largest first (ties by name); nodes without local
    /// steps left out.
    pub nodes: Vec<(NodeId, i128)>,
    /// Time on the path spent in messages, in nanoseconds.
    pub in_flight: i128,
    /// The node whose clock the times were corrected to (`None`: no correction possible).
    pub reference: Option<NodeId>,
}

/// The event with the latest time on the corrected clocks (ties: the last in the input);
/// without any time, the last event of the causal order.
pub fn last_event(
    trace: &Trace,
    causality: &Causality,
    offsets: &ClockOffsets,
) -> Option<EventIdx> {
    let timed = (0..trace.len() as u32).map(EventIdx).filter_map(|e| {
        let ev = trace.event(e);
        ev.time().map(|t| (offsets.corrected(ev.node, t.0), e))
    });
    timed
        .max()
        .map(|(_, e)| e)
        .or_else(|| causality.order.last().copied())
}

/// The event before `e` on its node, if any.
pub fn prev_on_node(trace: &Trace, e: EventIdx) -> Option<EventIdx> {
    let ev = trace.event(e);
    let lane = &trace.by_node[ev.node.index()];
    let at = lane
        .binary_search_by_key(&ev.seq, |&x| trace.event(x).seq)
        .ok()?;
    at.checked_sub(1).map(|p| lane[p])
}

/// The critical path ending at `end`, times corrected by `offsets`.
pub fn critical_path(
    trace: &Trace,
    causality: &Causality,
    offsets: &ClockOffsets,
    end: EventIdx,
) -> CriticalPath {
    let time = |e: EventIdx| {
        let ev = trace.event(e);
        ev.time().map(|t| offsets.corrected(ev.node, t.0))
    };
    let mut steps = Vec::new();
    let mut at = end;
    loop {
        // Program order first, so that it wins a tie: `max_by_key` keeps the last maximum.
        let mut candidates: Vec<(EventIdx, bool)> = Vec::with_capacity(2);
        candidates.extend(prev_on_node(trace, at).map(|p| (p, true)));
        candidates.extend(causality.sends(at).map(|s| (s, false)));
        let best = candidates
            .iter()
            .enumerate()
            .max_by_key(|&(i, &(p, _))| (time(p).is_some(), time(p), std::cmp::Reverse(i)))
            .map(|(_, &c)| c);
        let Some((from, program)) = best else { break };
        let duration = time(at)
            .zip(time(from))
            .map(|(b, a)| i128::from(b) - i128::from(a));
        let kind = if program {
            StepKind::Program
        } else {
            let raw = trace
                .event(at)
                .time()
                .zip(trace.event(from).time())
                .map(|(b, a)| i128::from(b.0) - i128::from(a.0));
            StepKind::Message {
                raw,
                bounds: (None, None),
            }
        };
        steps.push(PathStep {
            from,
            to: at,
            kind,
            duration,
        });
        at = from;
    }
    steps.reverse();
    fill_bounds(trace, causality, &mut steps);
    let mut local: HashMap<NodeId, i128> = HashMap::new();
    let mut in_flight = 0;
    for s in &steps {
        let d = s.duration.unwrap_or(0);
        match s.kind {
            StepKind::Program => *local.entry(trace.event(s.to).node).or_default() += d,
            StepKind::Message { .. } => in_flight += d,
        }
    }
    let mut nodes: Vec<(NodeId, i128)> = local.into_iter().collect();
    nodes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    CriticalPath {
        start: at,
        end,
        total: steps.iter().filter_map(|s| s.duration).sum(),
        steps,
        nodes,
        in_flight,
        reference: offsets.reference,
    }
}

/// The true-delay interval of every message step, from the skew bounds of its two nodes.
fn fill_bounds(trace: &Trace, causality: &Causality, steps: &mut [PathStep]) {
    let mut pairs: Vec<(NodeId, NodeId)> = steps
        .iter()
        .filter(|s| matches!(s.kind, StepKind::Message { raw: Some(_), .. }))
        .map(|s| (trace.event(s.from).node, trace.event(s.to).node))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    if pairs.is_empty() {
        return;
    }
    let bounds: HashMap<(NodeId, NodeId), (Option<i128>, Option<i128>)> = pairs
        .iter()
        .copied()
        .zip(pair_bounds(trace, causality, &pairs))
        .collect();
    for s in steps {
        if let StepKind::Message {
            raw: Some(raw),
            bounds: b,
        } = &mut s.kind
        {
            let pair = (trace.event(s.from).node, trace.event(s.to).node);
            let (lo, hi) = bounds[&pair];
            *b = (hi.map(|h| *raw - h), lo.map(|l| *raw - l));
        }
    }
}

/// A span with both ends timed, as the span critical path sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimedSpan {
    /// Index into [`Trace::spans`].
    pub span: u32,
    /// Its start event.
    pub start_event: EventIdx,
    /// Its end event.
    pub end_event: EventIdx,
    /// Its start, clipped to its parent's span (ns since the epoch).
    pub start: i64,
    /// Its end, clipped likewise.
    pub end: i64,
}

/// A stretch of a span's own time on the critical path: `[start, end]`, no child running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Section {
    /// Index into [`SpanPath::spans`].
    pub span: usize,
    /// Start, ns since the epoch.
    pub start: i64,
    /// End.
    pub end: i64,
}

/// The critical path of one trace from one root span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanPath {
    /// The spans on the path, the root first (each with at least one section).
    pub spans: Vec<TimedSpan>,
    /// The sections in time order; they tile the root span.
    pub sections: Vec<Section>,
    /// The root's duration in nanoseconds: the sum of the sections.
    pub total: i128,
}

/// The critical path of every root span of every trace (ordered by the root's start, then
/// trace id), or of the traces `only` names (trace ids).
pub fn span_paths(trace: &Trace, only: Option<&[&str]>) -> Vec<SpanPath> {
    let n = trace.spans.len();
    let mut start: Vec<Option<(EventIdx, i64)>> = vec![None; n];
    let mut end: Vec<Option<(EventIdx, i64)>> = vec![None; n];
    for (i, slot) in trace.span_of.iter().enumerate() {
        let Some((s, phase)) = *slot else { continue };
        let e = EventIdx(i as u32);
        let Some(t) = trace.event(e).time() else {
            continue;
        };
        match phase {
            SpanPhase::Start => start[s as usize] = Some((e, t.0)),
            SpanPhase::End => end[s as usize] = Some((e, t.0)),
            SpanPhase::Event => {}
        }
    }
    let index: HashMap<(&str, &str), usize> = trace
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| ((&*s.trace_id, &*s.span_id), i))
        .collect();
    let parent: Vec<Option<usize>> = trace
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let p = s.parent_id.as_deref()?;
            index.get(&(&*s.trace_id, p)).copied().filter(|&p| p != i)
        })
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (c, p) in parent.iter().enumerate() {
        if let Some(p) = *p {
            children[p].push(c);
        }
    }
    let mut roots: Vec<usize> = (0..n)
        .filter(|&i| parent[i].is_none())
        .filter(|&i| only.is_none_or(|ids| ids.contains(&&*trace.spans[i].trace_id)))
        .filter(|&i| start[i].zip(end[i]).is_some_and(|(s, e)| s.1 <= e.1))
        .collect();
    roots.sort_by(|&a, &b| {
        let key = |i: usize| (start[i].map(|s| s.1), &trace.spans[i].trace_id);
        key(a).cmp(&key(b))
    });
    roots
        .into_iter()
        .map(|root| {
            let mut walk = Walk {
                start: &start,
                end: &end,
                children: &children,
                spans: Vec::new(),
                sections: Vec::new(),
                placed: HashMap::new(),
            };
            let (s, e) = (start[root].expect("timed").1, end[root].expect("timed").1);
            walk.visit(root, s, e);
            walk.sections.sort_by_key(|x| (x.start, x.end));
            SpanPath {
                total: i128::from(e) - i128::from(s),
                spans: walk.spans,
                sections: walk.sections,
            }
        })
        .collect()
}

/// A span being walked: its clipped bounds, the point reached, and its children by end.
struct Frame {
    span: usize,
    lo: i64,
    hi: i64,
    until: i64,
    kids: Vec<(i64, i64, usize)>,
    /// Children before this one (in `kids`) finished after the point reached.
    next: usize,
}

/// The backwards walk of one root's path.
struct Walk<'a> {
    start: &'a [Option<(EventIdx, i64)>],
    end: &'a [Option<(EventIdx, i64)>],
    children: &'a [Vec<usize>],
    spans: Vec<TimedSpan>,
    sections: Vec<Section>,
    /// Span index -> index into `spans`.
    placed: HashMap<usize, usize>,
}

impl Walk<'_> {
    /// The path through span `s`, clipped to `[lo, hi]`, from its end backwards: a stack of
    /// spans being walked instead of recursion, since a trace may nest spans deeply.
    fn visit(&mut self, s: usize, lo: i64, hi: i64) {
        let mut stack = vec![self.frame(s, lo, hi)];
        while let Some(top) = stack.last_mut() {
            // The child that finished last before `until`; in a span not yet entered (the
            // walk starts at its end), the last to finish at all.
            let (until, fresh) = (top.until, top.until == top.hi);
            let found = (top.next..top.kids.len())
                .find(|&i| top.kids[i].1 < until || (fresh && top.kids[i].1 <= until));
            let (s, lo, hi) = (top.span, top.lo, top.hi);
            match found {
                Some(i) => {
                    let (a, b, c) = top.kids[i];
                    top.until = a;
                    top.next = i + 1;
                    self.section(s, lo, hi, b, until);
                    stack.push(self.frame(c, a, b));
                }
                None => {
                    self.section(s, lo, hi, lo, until);
                    stack.pop();
                }
            }
        }
    }

    /// Span `s` clipped to `[lo, hi]`, about to be walked from its end, with its children
    /// clipped to it (those wholly outside dropped), last-finishing first.
    fn frame(&self, s: usize, lo: i64, hi: i64) -> Frame {
        let mut kids: Vec<(i64, i64, usize)> = self.children[s]
            .iter()
            .filter_map(|&c| {
                let (a, b) = (self.start[c]?.1, self.end[c]?.1);
                if a > b || a >= hi || b <= lo {
                    return None;
                }
                Some((a.max(lo), b.min(hi), c))
            })
            .collect();
        // Ties by the later start, then span order, for a stable walk.
        kids.sort_by(|x, y| y.1.cmp(&x.1).then(y.0.cmp(&x.0)).then(x.2.cmp(&y.2)));
        Frame {
            span: s,
            lo,
            hi,
            until: hi,
            kids,
            next: 0,
        }
    }

    fn section(&mut self, s: usize, lo: i64, hi: i64, from: i64, to: i64) {
        let k = match self.placed.get(&s) {
            Some(&k) => k,
            None => {
                self.spans.push(TimedSpan {
                    span: s as u32,
                    start_event: self.start[s].expect("timed").0,
                    end_event: self.end[s].expect("timed").0,
                    start: lo,
                    end: hi,
                });
                self.placed.insert(s, self.spans.len() - 1);
                self.spans.len() - 1
            }
        };
        if from < to {
            self.sections.push(Section {
                span: k,
                start: from,
                end: to,
            });
        }
    }
}

impl SpanPath {
    /// Each span's time on the path (its sections' total), in the order of `spans`.
    pub fn self_times(&self) -> Vec<i128> {
        let mut out = vec![0i128; self.spans.len()];
        for s in &self.sections {
            out[s.span] += i128::from(s.end) - i128::from(s.start);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::offsets::estimate_offsets;
    use crate::model::test_event as event;
    use crate::model::{EventKind, RawEvent, RawSpan, Timestamp, TraceBuilder};
    use crate::order::causal_order;

    const MS: i64 = 1_000_000;

    #[test]
    fn the_path_follows_what_each_event_waited_for() {
        // a: local 0, send m1 10, recv m2 50 | b: recv m1 12, local 40, send m2 45
        let mut b = TraceBuilder::new();
        let f = b.add_file("t");
        b.push(f, event("a", EventKind::Local, "", 0));
        b.push(f, event("a", EventKind::Send, "m1", 10));
        b.push(f, event("b", EventKind::Recv, "m1", 12));
        b.push(f, event("b", EventKind::Local, "", 40));
        b.push(f, event("b", EventKind::Send, "m2", 45));
        b.push(f, event("a", EventKind::Recv, "m2", 50));
        let t = b.finish();
        let c = causal_order(&t).unwrap();
        let offsets = estimate_offsets(&t, &c);
        let end = last_event(&t, &c, &offsets).unwrap();
        assert_eq!(end, EventIdx(5));
        let path = critical_path(&t, &c, &offsets, end);
        let hops: Vec<(u32, u32)> = path.steps.iter().map(|s| (s.from.0, s.to.0)).collect();
        assert_eq!(hops, [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]);
        assert_eq!(path.start, EventIdx(0));
        let ms = i128::from(MS);
        assert_eq!(path.total, 50 * ms);
        assert_eq!(path.in_flight, 7 * ms);
        assert_eq!(path.nodes, [(NodeId(1), 33 * ms), (NodeId(0), 10 * ms)]);
        // Two messages bound b's offset against a to [-5, 2] ms: m1's 2 ms delay is truly
        // between 0 and 7 ms.
        let StepKind::Message { raw, bounds } = path.steps[1].kind else {
            panic!("a message")
        };
        assert_eq!(raw, Some(2 * ms));
        assert_eq!(bounds, (Some(0), Some(7 * ms)));
    }

    fn span_event(span: &str, parent: Option<&str>, phase: SpanPhase, ms: i64) -> RawEvent {
        RawEvent {
            node: "svc".into(),
            time: Some(Timestamp(ms * MS)),
            span: Some(Box::new(RawSpan {
                trace_id: "t1".into(),
                span_id: span.into(),
                kind: None,
                phase,
                parent_id: parent.map(str::to_string),
            })),
            ..RawEvent::default()
        }
    }

    #[test]
    fn span_paths_take_the_last_finishing_child_as_jaeger_does() {
        //  root  0 ............................ 100
        //  a       10 ...... 40
        //  b                    50 ...... 90
        //  c (child of b)          60 . 70
        //  d (overlaps b, ends earlier)  55 .. 80
        let mut b = TraceBuilder::new();
        let f = b.add_file("t");
        for (span, parent, s, e) in [
            ("root", None, 0, 100),
            ("a", Some("root"), 10, 40),
            ("b", Some("root"), 50, 90),
            ("d", Some("root"), 55, 80),
            ("c", Some("b"), 60, 70),
        ] {
            b.push(f, span_event(span, parent, SpanPhase::Start, s));
            b.push(f, span_event(span, parent, SpanPhase::End, e));
        }
        let t = b.finish();
        let paths = span_paths(&t, None);
        assert_eq!(paths.len(), 1);
        let p = &paths[0];
        let name = |k: usize| &*t.spans[p.spans[k].span as usize].span_id;
        let sections: Vec<(&str, i64, i64)> = p
            .sections
            .iter()
            .map(|s| (name(s.span), s.start / MS, s.end / MS))
            .collect();
        assert_eq!(
            sections,
            [
                ("root", 0, 10),
                ("a", 10, 40),
                ("root", 40, 50),
                ("b", 50, 60),
                ("c", 60, 70),
                ("b", 70, 90),
                ("root", 90, 100)
            ]
        );
        assert_eq!(p.total, i128::from(100 * MS));
        assert_eq!(p.self_times().iter().sum::<i128>(), p.total);
    }
}
