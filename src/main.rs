//! The `causal` binary: parse arguments, decide colors, run the command, map the outcome to
//! an exit status (0 clean, 1 findings, 2 errors, 3 no verdict in time).

use std::io::{self, BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

mod cli;
mod cmd;
mod term;

use causal_core::render::fmt::one_line;
use causal_core::render::Palette;
use cli::Cli;
use cmd::{Context, Outcome};
use term::should_color;

/// mimalloc instead of the system allocator: parsing allocates per event, and glibc's malloc
/// and free were a quarter of `stamp`'s time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let no_color = std::env::var("NO_COLOR").ok();
    let term = std::env::var("TERM").ok();
    let decide = |is_tty| should_color(cli.color, is_tty, no_color.as_deref(), term.as_deref());
    let out_palette = Palette::new(decide(io::stdout().is_terminal()));
    let err_palette = Palette::new(decide(io::stderr().is_terminal()));

    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut ctx = Context {
        out: &mut out,
        out_palette,
        err_palette,
        progress: io::stderr().is_terminal(),
    };
    let result = cmd::run(cli, &mut ctx).and_then(|outcome| {
        out.flush()?;
        Ok(outcome)
    });
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Ok(Outcome::Unknown) => ExitCode::from(3),
        // A closed pipe (`causal stamp big.jsonl | head`) is the reader saying it has seen
        // enough, not an error: stop quietly, as ripgrep and fd do.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // Messages quote the input; its control characters must not reach the terminal.
            let text = format!("{err:#}");
            let lines: Vec<String> = text.lines().map(one_line).collect();
            eprintln!("causal: {}", lines.join("\n"));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let io = cause.downcast_ref::<io::Error>().or_else(|| {
            match cause.downcast_ref::<causal_core::error::Error>() {
                Some(causal_core::error::Error::Io { error, .. }) => Some(error),
                _ => None,
            }
        });
        io.is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
