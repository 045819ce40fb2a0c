//! `causal stamp`: every event with its id, Lamport clock and vector clock.

use anyhow::Result;

use super::{load, Context, Outcome};
use crate::cli::{StampArgs, StampFormat};
use crate::clock;
use crate::render::{jsonl, lamport_order, table};

/// Stamps the input and writes it in Lamport order.
pub fn run(args: &StampArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    let loaded = load(&args.input, ctx)?;
    let stamps = clock::stamp(&loaded.trace, &loaded.causality);
    let order = lamport_order(&loaded.trace, &stamps);
    if args.hlc {
        if args.format != StampFormat::Jsonl {
            return Err(crate::error::Error::Usage("--hlc needs --format jsonl".into()).into());
        }
        let engine = clock::hlc::HlcEngine::new(&loaded.trace);
        let hlc = clock::run(&loaded.trace, &loaded.causality, engine);
        jsonl::write_stamped_hlc(ctx.out, &loaded.trace, &stamps, &hlc, &order)?;
        return Ok(Outcome::Clean);
    }
    match args.format {
        StampFormat::Jsonl => jsonl::write_stamped(ctx.out, &loaded.trace, &stamps, &order)?,
        StampFormat::Table => {
            table::write_table(ctx.out, &loaded.trace, &stamps, &order, ctx.out_palette)?
        }
        StampFormat::Shiviz => {
            crate::render::shiviz::write_shiviz(ctx.out, &loaded.trace, &stamps, &order)?
        }
        StampFormat::Chrome => {
            crate::render::chrome::write_chrome(ctx.out, &loaded.trace, &stamps, &loaded.causality)?
        }
    }
    Ok(Outcome::Clean)
}
