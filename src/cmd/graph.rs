//! `causal graph`: draw the happens-before graph, or a slice of it, as DOT, Mermaid, a
//! terminal diagram or JSON.

use std::collections::HashSet;

use anyhow::Result;

use super::{load, Context, Outcome};
use crate::cli::{GraphArgs, GraphFormat};
use causal_core::clock::{self, ClockTable, Engine, LamportEngine, Replay, Stamps};
use causal_core::graph::{ClockLabel, HbGraph, SliceOptions, View, ViewEdgeKind};
use causal_core::model::EventIdx;
use causal_core::render::text::{self, TextOptions};
use causal_core::render::{dot, graph_json, lamport_order_of, mermaid};

/// Builds the graph once, cuts the slice the options ask for, and renders it.
pub fn run(args: &GraphArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let loaded = load(&args.input, ctx)?;
    let trace = &loaded.trace;
    let nodes = match &args.nodes {
        Some(names) => Some(trace.resolve_nodes(names, "--nodes")?),
        None => None,
    };
    let around = match &args.around.around {
        Some(id) => Some((trace.resolve_id(&trace.id_index(), id)?, args.around.depth)),
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
    let warn = ctx.err_palette;
    let too_big = move |what: &str| {
        super::warn_with(
            warn,
            &format!(
                "{what}: a picture this size stops being readable; draw part of it with --around \
             ID --depth K or --nodes A,B, or open the whole execution with causal view"
            ),
        );
    };
    if view.items.len() > READABLE_ITEMS && args.format != GraphFormat::Json {
        too_big(&format!("{} events to draw", view.items.len()));
    }
    let out = &mut *ctx.out;
    match args.format {
        GraphFormat::Dot => {
            let clock = args.clock.unwrap_or(ClockLabel::None);
            dot::write_dot(out, trace, &stamps, &view, clock)?
        }
        GraphFormat::Mermaid => {
            let clock = args.clock.unwrap_or(ClockLabel::None);
            let mut text = Vec::new();
            mermaid::write_mermaid(&mut text, trace, &stamps, &view, clock)?;
            if text.len() > MERMAID_MAX_TEXT && view.items.len() <= READABLE_ITEMS {
                too_big(&format!(
                    "{} characters of Mermaid, over the {MERMAID_MAX_TEXT} Mermaid renders",
                    text.len()
                ));
            }
            out.write_all(&text)?
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

/// Above this many items, a drawing stops being readable (Graphviz takes seconds and draws
/// pages): `graph` says so on stderr and suggests a slice or `causal view`.
const READABLE_ITEMS: usize = 2000;

/// Mermaid refuses diagrams of more text than this (its `maxTextSize`).
const MERMAID_MAX_TEXT: usize = 50_000;
