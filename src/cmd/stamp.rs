//! `causal stamp`: every event with its id, Lamport clock and vector clock.

use anyhow::Result;

use super::{load, Context, Loaded, Outcome};
use crate::cli::{StampArgs, StampFormat};
use crate::clock::{self, LamportEngine, VectorReplay};
use crate::error::Error;
use crate::render::jsonl::JsonlWriter;
use crate::render::{chrome, lamport_order, lamport_order_of, shiviz, table};

/// Stamps the input and writes it in Lamport order.
pub fn run(args: &StampArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    if args.hlc && args.format != StampFormat::Jsonl {
        return Err(Error::Usage("--hlc needs --format jsonl".into()).into());
    }
    let loaded = load(&args.input, ctx)?;
    let (trace, causality) = (&loaded.trace, &loaded.causality);
    let stamped = || {
        let stamps = clock::stamp(trace, causality);
        let order = lamport_order(trace, &stamps);
        (stamps, order)
    };
    match args.format {
        StampFormat::Jsonl => write_jsonl(args, &loaded, ctx)?,
        StampFormat::Table => {
            let (stamps, order) = stamped();
            table::write_table(ctx.out, trace, &stamps, &order, ctx.out_palette)?
        }
        StampFormat::Shiviz => {
            let (stamps, order) = stamped();
            shiviz::write_shiviz(ctx.out, trace, &stamps, &order)?
        }
        StampFormat::Chrome => {
            let (stamps, _) = stamped();
            chrome::write_chrome(ctx.out, trace, &stamps, causality)?
        }
    }
    Ok(Outcome::Clean)
}

/// JSON Lines in Lamport order. Lamport's total order is a causal order, so vector clocks
/// are computed while writing, holding only the nodes' current clocks and the messages in
/// flight, never one clock per event.
fn write_jsonl(args: &StampArgs, loaded: &Loaded, ctx: &mut Context<'_>) -> Result<()> {
    let (trace, causality) = (&loaded.trace, &loaded.causality);
    let lamport = clock::run(trace, causality, LamportEngine::new(trace));
    let hlc = args
        .hlc
        .then(|| clock::run(trace, causality, clock::hlc::HlcEngine::new(trace)));
    let mut replay = VectorReplay::new(trace, causality);
    let mut writer = JsonlWriter::new(trace);
    for e in lamport_order_of(trace, &lamport) {
        let vc = replay.advance(trace, causality, e);
        let h = hlc.as_ref().map(|h| h[e.index()]);
        writer.write(ctx.out, e, lamport[e.index()], vc, h)?;
    }
    Ok(())
}
