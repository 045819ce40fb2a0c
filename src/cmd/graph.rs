//! `causal graph`: draw the happens-before graph, or a slice of it, as DOT, Mermaid, a
//! terminal diagram or JSON.

use std::collections::HashSet;

use anyhow::Result;

use super::{load, Context, Outcome};
use crate::cli::{GraphArgs, GraphFormat};
use causal_core::clock::{self, ClockTable, Engine, LamportEngine, Replay, Stamps};
use causal_core::error::Error;
use causal_core::graph::{ClockLabel, HbGraph, SliceOptions, View, ViewEdgeKind};
use causal_core::model::{EventIdx, NodeId, Trace};
use causal_core::render::text::{self, TextOptions};
use causal_core::render::{dot, graph_json, lamport_order_of, mermaid};

/// Builds the graph once, cuts the slice the options ask for, and renders it.
pub fn run(args: &GraphArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let loaded = load(&args.input, ctx)?;
    let trace = &loaded.trace;
    let nodes = match &args.nodes {
        Some(names) => Some(resolve_nodes(trace, names)?),
        None => None,
    };
    let around = match &args.around {
        Some(id) => Some((trace.resolve_id(&trace.id_index(), id)?, args.depth)),
        None => None,
    };
    // Lamport clocks for every event; vector clocks only for the events drawn, and only when
    // the output shows them, replayed without storing one per event.
    let causality = &loaded.causality;
    let lamport = clock::run(trace, causality, LamportEngine::new(trace));
    let order = lamport_order_of(trace, &lamport);
    let graph = HbGraph::build(trace, causality);
    let mut options = SliceOptions {
        nodes,
        around,
        collapse_local: args.collapse_local,
    };
    let view = View::build(trace, &graph, &order, &options);
    let shows_vectors = match args.format {
        GraphFormat::Json => true,
        GraphFormat::Dot | GraphFormat::Mermaid => args.clock == Some(ClockLabel::Vector),
        GraphFormat::Text => args.clock.unwrap_or(ClockLabel::Lamport) == ClockLabel::Vector,
    };
    let wanted: HashSet<EventIdx> = if shows_vectors {
        view.items
            .iter()
            .flat_map(|i| [i.first(), i.last()])
            .chain(view.edges.iter().flat_map(|e| match e.kind {
                ViewEdgeKind::Message { send, recv } => vec![send, recv],
                ViewEdgeKind::Program { .. } => Vec::new(),
            }))
            .collect()
    } else {
        HashSet::new()
    };
    let vector = if wanted.is_empty() {
        ClockTable::default()
    } else {
        Replay::select(Engine::Auto, trace, causality, &order, &wanted)
    };
    let stamps = Stamps { lamport, vector };
    let out = &mut *ctx.out;
    match args.format {
        GraphFormat::Dot => {
            let clock = args.clock.unwrap_or(ClockLabel::None);
            dot::write_dot(out, trace, &stamps, &view, clock)?
        }
        GraphFormat::Mermaid => {
            let clock = args.clock.unwrap_or(ClockLabel::None);
            mermaid::write_mermaid(out, trace, &stamps, &view, clock)?
        }
        GraphFormat::Json => graph_json::write_graph_json(out, trace, &stamps, &view)?,
        GraphFormat::Text => {
            let mut opts = TextOptions {
                clock: args.clock.unwrap_or(ClockLabel::Lamport),
                columns: crate::term::columns(),
                palette: ctx.out_palette,
                left_out: &[],
            };
            let fit = text::lanes_that_fit(trace, &stamps, &view, &opts);
            if fit < view.lanes.len() {
                // Nodes that do not fit are sliced away like `--nodes` would, so that messages
                // from them show as coming from elsewhere instead of vanishing.
                let left_out = view.lanes[fit..].to_vec();
                options.nodes = Some(view.lanes[..fit].to_vec());
                let narrow = View::build(trace, &graph, &order, &options);
                opts.left_out = &left_out;
                text::write_text(out, trace, &stamps, &narrow, &opts)?
            } else {
                text::write_text(out, trace, &stamps, &view, &opts)?
            }
        }
    }
    Ok(Outcome::Clean)
}

/// The nodes `--nodes` names, in its order, each once; an unknown name is a usage error that
/// lists the nodes there are.
fn resolve_nodes(trace: &Trace, names: &[String]) -> Result<Vec<NodeId>> {
    let mut nodes = Vec::with_capacity(names.len());
    for name in names {
        let Some(n) = trace.node_by_name(name) else {
            const SHOWN: usize = 10;
            let mut known: Vec<String> = trace
                .nodes
                .iter()
                .take(SHOWN)
                .map(|n| format!("{n:?}"))
                .collect();
            if trace.nodes.len() > SHOWN {
                known.push(format!("and {} more", trace.nodes.len() - SHOWN));
            }
            let there = if known.is_empty() {
                "the input has no nodes".to_string()
            } else {
                format!("the nodes are {}", known.join(", "))
            };
            return Err(Error::Usage(format!("unknown node {name:?} in --nodes: {there}")).into());
        };
        if !nodes.contains(&n) {
            nodes.push(n);
        }
    }
    Ok(nodes)
}
