//! The palette renderers paint with: per node, per event kind, warnings.
//!
//! Whether to paint is decided by the binary (per stream, from `--color`, the terminal and
//! NO_COLOR); this module only paints once told yes, and never looks at the environment.

use colored::{Color, Colorize};

use crate::model::EventKind;

/// Colors for people: per node, per event kind, headers. Paints nothing when disabled.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    enabled: bool,
}

const NODE_COLORS: [Color; 6] = [
    Color::Cyan,
    Color::Magenta,
    Color::Yellow,
    Color::Green,
    Color::Blue,
    Color::Red,
];

impl Palette {
    /// A palette that paints when `enabled`.
    pub fn new(enabled: bool) -> Self {
        if enabled {
            colored::control::set_override(true);
        }
        Palette { enabled }
    }

    /// A palette that paints nothing.
    pub fn plain() -> Self {
        Palette { enabled: false }
    }

    /// Whether this palette paints.
    pub fn enabled(self) -> bool {
        self.enabled
    }

    /// `text` in node `index`'s color.
    pub fn node(self, index: usize, text: &str) -> String {
        self.paint(text, NODE_COLORS[index % NODE_COLORS.len()], false)
    }

    /// `text` in the color of an event kind: sends green, receives blue, local events dim.
    pub fn kind(self, kind: EventKind, text: &str) -> String {
        match kind {
            EventKind::Send => self.paint(text, Color::Green, false),
            EventKind::Recv => self.paint(text, Color::Blue, false),
            EventKind::Local => self.dim(text),
        }
    }

    /// `text` as a warning (bold yellow).
    pub fn warning(self, text: &str) -> String {
        self.paint(text, Color::Yellow, true)
    }

    /// `text` as an error (bold red).
    pub fn error(self, text: &str) -> String {
        self.paint(text, Color::Red, true)
    }

    /// `text` in bold.
    pub fn bold(self, text: &str) -> String {
        if self.enabled {
            text.bold().to_string()
        } else {
            text.to_string()
        }
    }

    /// `text` dimmed.
    pub fn dim(self, text: &str) -> String {
        if self.enabled {
            text.dimmed().to_string()
        } else {
            text.to_string()
        }
    }

    /// What [`Palette::dim`] writes before and after a text (both empty when not painting),
    /// for a renderer that writes a long dimmed text straight into its output.
    pub fn dim_codes(self) -> (String, String) {
        let marked = self.dim("\0");
        let (before, after) = marked.split_once('\0').unwrap_or_default();
        (before.to_string(), after.to_string())
    }

    fn paint(self, text: &str, color: Color, bold: bool) -> String {
        if !self.enabled {
            return text.to_string();
        }
        let s = text.color(color);
        if bold { s.bold() } else { s }.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_palette_paints_nothing() {
        assert_eq!(Palette::plain().node(3, "db"), "db");
    }
}
