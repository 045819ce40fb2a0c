//! `causal slice`: keep the events the selectors name, as stamped JSON Lines with the ids and
//! clocks of the whole execution and `outside` marks on the messages cut.

use anyhow::Result;

use super::{load, Context, Outcome};
use crate::cli::SliceArgs;
use causal_core::clock::{self, LamportEngine};
use causal_core::error::Error;
use causal_core::graph::{label_regex, parse_range, select, Selection};
use causal_core::parse::fields::parse_time_str;
use causal_core::render::jsonl::{write_stamped, StampedLines};

/// Selects and writes.
pub fn run(args: &SliceArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let loaded = load(&args.input, ctx)?;
    let (trace, causality) = (&loaded.trace, &loaded.causality);
    let usage = |option: &str, why: String| Error::Usage(format!("{option}: {why}"));
    let index = trace.id_index();
    let id = |text: &str| trace.resolve_id(&index, text);
    let between = match &args.between {
        None => None,
        Some(pair) => {
            let names: Vec<String> = pair.split(',').map(|s| s.trim().to_string()).collect();
            let [a, b] = names.as_slice() else {
                return Err(usage(
                    "--between",
                    format!("expected two nodes A,B, found {pair:?}"),
                )
                .into());
            };
            let nodes = trace.resolve_nodes(&[a.clone(), b.clone()], "--between")?;
            Some((nodes[0], *nodes.get(1).unwrap_or(&nodes[0])))
        }
    };
    let selection = Selection {
        nodes: match &args.nodes {
            Some(names) => Some(trace.resolve_nodes(names, "--nodes")?),
            None => None,
        },
        between,
        label: match &args.label {
            Some(re) => Some(label_regex(re).map_err(|e| usage("--label", e))?),
            None => None,
        },
        fields: args
            .field
            .iter()
            .map(|f| {
                f.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .ok_or_else(|| usage("--field", format!("expected KEY=VALUE, found {f:?}")))
            })
            .collect::<Result<_, _>>()?,
        // A key nobody touches selects nothing, as a filter would.
        key: args.key.as_ref().map(|k| {
            trace
                .key_id(k)
                .unwrap_or(causal_core::model::KeyId(u32::MAX))
        }),
        time: match &args.time {
            Some(r) => Some(parse_range(r, parse_time_str).map_err(|e| usage("--time", e))?),
            None => None,
        },
        lamport: match &args.lamport {
            Some(r) => Some(
                parse_range(r, |s| {
                    s.parse::<u64>()
                        .map_err(|_| format!("expected a Lamport clock (an integer), found {s:?}"))
                })
                .map_err(|e| usage("--lamport", e))?,
            ),
            None => None,
        },
        ids: match &args.ids {
            Some(ids) => Some(ids.iter().map(|i| id(i)).collect::<Result<_, _>>()?),
            None => None,
        },
        around: match &args.around.around {
            Some(a) => Some((id(a)?, args.around.depth)),
            None => None,
        },
        past: args.past.as_deref().map(id).transpose()?,
        future: args.future.as_deref().map(id).transpose()?,
    };
    let lamport = clock::run(trace, causality, LamportEngine::new(trace));
    let kept = select(trace, causality, &lamport, &selection);
    let engine = super::engine(&args.clocks, trace, ctx);
    let lines = StampedLines {
        kept: Some(&kept),
        hlc: false,
        vc: args.vc.mode,
    };
    write_stamped(ctx.out, trace, causality, engine, lines)?;
    Ok(Outcome::Clean)
}
