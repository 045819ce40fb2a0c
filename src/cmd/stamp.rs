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
    match args.format {
        StampFormat::Jsonl => jsonl::write_stamped(ctx.out, &loaded.trace, &stamps, &order)?,
        StampFormat::Table => {
            table::write_table(ctx.out, &loaded.trace, &stamps, &order, ctx.out_palette)?
        }
    }
    Ok(Outcome::Clean)
}
