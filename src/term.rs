//! Terminal decisions of the binary: whether a stream gets color, the width to draw in, and the
//! progress bar of long reads. The library never looks at a terminal; this module does.
//!
//! The color decision is ours, per stream (colored's own check looks at stdout only and lets
//! CLICOLOR_FORCE beat NO_COLOR); the library's `Palette` only paints once we have said yes.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use causal_core::parse::{parse_files, ParseOptions, Parsed};
use indicatif::{ProgressBar, ProgressStyle};

/// `--color`: when to color output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Color a stream only when it is a terminal, NO_COLOR is unset or empty and TERM is not dumb.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

/// Whether a stream should be colored, given the choice, whether it is a terminal and the
/// environment's NO_COLOR and TERM.
pub fn should_color(
    choice: ColorChoice,
    is_terminal: bool,
    no_color: Option<&str>,
    term: Option<&str>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && no_color.is_none_or(str::is_empty) && term != Some("dumb")
        }
    }
}

/// The width of a terminal diagram when nothing says otherwise.
const DEFAULT_COLUMNS: usize = 80;

/// The width to fit a terminal diagram in: COLUMNS when it holds a number, else the
/// terminal's width when standard output is one, else 80.
pub fn columns() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return n;
    }
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size_of(&stdout) {
            return usize::from(w);
        }
    }
    DEFAULT_COLUMNS
}

/// Inputs smaller than this are read without a progress bar: they take a moment at most.
const PROGRESS_MIN_BYTES: u64 = 32 << 20;

/// Parses the inputs, with a progress bar on stderr (bytes read of the total) when `show`
/// (stderr is a terminal) and the input is large or of unknown size (standard input).
pub fn parse_with_progress(
    files: &[PathBuf],
    mut options: ParseOptions,
    show: bool,
) -> causal_core::error::Result<Parsed> {
    let sizes: Option<u64> = files
        .iter()
        .map(|f| std::fs::metadata(f).ok().map(|m| m.len()))
        .sum();
    let reads_stdin = files.is_empty() || files.iter().any(|f| f.as_os_str() == "-");
    let total = if reads_stdin { None } else { sizes };
    if !show || total.is_some_and(|t| t < PROGRESS_MIN_BYTES) {
        return parse_files(files, &options);
    }
    let count = Arc::new(AtomicU64::new(0));
    options.progress = Some(count.clone());
    let bar = match total {
        Some(t) => ProgressBar::new(t).with_style(
            ProgressStyle::with_template(
                "{spinner} reading {bytes}/{total_bytes} {wide_bar} {binary_bytes_per_sec} {eta}",
            )
            .expect("the template is valid"),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} reading {bytes} {binary_bytes_per_sec}")
                .expect("the template is valid"),
        ),
    };
    let done = AtomicBool::new(false);
    let parsed = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                bar.set_position(count.load(Ordering::Relaxed));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        let parsed = parse_files(files, &options);
        done.store(true, Ordering::Relaxed);
        parsed
    });
    bar.finish_and_clear();
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colors_only_a_terminal_without_no_color() {
        use ColorChoice::*;
        assert!(should_color(Auto, true, None, Some("xterm")));
        assert!(should_color(Auto, true, Some(""), None));
        assert!(!should_color(Auto, false, None, None));
        assert!(!should_color(Auto, true, Some("1"), None));
        assert!(!should_color(Auto, true, None, Some("dumb")));
        assert!(should_color(Always, false, Some("1"), None));
        assert!(!should_color(Never, true, None, None));
    }
}
