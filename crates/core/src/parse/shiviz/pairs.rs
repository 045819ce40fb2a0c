//! The common ShiViz parser regexes (`(?<host>\S*) (?<clock>{.*})\n(?<event>.*)` and its
//! `.*` host, `^`/`$` and `(?P<` spellings) matched by hand, a pair of lines at a time.
//!
//! Written by hand because a benchmark justifies it: on a 200,000-event ShiViz log the regex
//! crate spent a quarter of `stamp`'s time resolving these groups (its bounded backtracker,
//! about 2 us an event), against a few dozen nanoseconds here. The hand matcher answers only
//! when every pair of lines of the text matches the pattern in the plain way (the host up to
//! the first space, or the last ` {`; the clock to the end of its line; the event the whole
//! next line); on anything else (blank lines, text between events, a clock not at the end of
//! its line) it answers nothing and the caller runs the regex, so the result is always the
//! regex's own. A property test holds the two against each other.

/// How a recognised pattern's `host` group ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Host {
    /// `\S*`: at the first whitespace, which must be a space.
    NonSpace,
    /// `.*`: at the last ` {` of the line.
    Any,
}

/// The host rule of `pattern` when it is one of the recognised spellings.
pub(super) fn recognise(pattern: &str) -> Option<Host> {
    let p = pattern.replace("(?P<", "(?<");
    let p = p.strip_prefix('^').unwrap_or(&p);
    let p = p.strip_suffix('$').unwrap_or(p);
    let (host, rest) = if let Some(rest) = p.strip_prefix(r"(?<host>\S*)") {
        (Host::NonSpace, rest)
    } else if let Some(rest) = p.strip_prefix(r"(?<host>.*)") {
        (Host::Any, rest)
    } else {
        return None;
    };
    matches!(
        rest,
        r" (?<clock>{.*})\n(?<event>.*)" | r" (?<clock>\{.*\})\n(?<event>.*)"
    )
    .then_some(host)
}

/// One match: byte ranges of the whole match, the host, the clock and the event in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Pair {
    pub whole: (usize, usize),
    pub host: (usize, usize),
    pub clock: (usize, usize),
    pub event: (usize, usize),
}

/// Every match in `text`, when all of it is pairs of lines the pattern matches plainly.
pub(super) fn pairs(text: &str, host: Host) -> Option<Vec<Pair>> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 48);
    let mut at = 0;
    while at < b.len() {
        let first_end = at + memchr::memchr(b'\n', &b[at..])?;
        let second_end = first_end
            + 1
            + memchr::memchr(b'\n', &b[first_end + 1..]).unwrap_or(b.len() - first_end - 1);
        let line = &text[at..first_end];
        let space = match host {
            Host::NonSpace => {
                let ws = line.find(char::is_whitespace)?;
                (line.as_bytes()[ws] == b' ').then_some(ws)?
            }
            Host::Any => line.rfind(" {")?,
        };
        let clock = &line[space + 1..];
        if !(clock.len() >= 2 && clock.starts_with('{') && clock.ends_with('}')) {
            return None;
        }
        out.push(Pair {
            whole: (at, second_end),
            host: (at, at + space),
            clock: (at + space + 1, first_end),
            event: (first_end + 1, second_end),
        });
        at = second_end + 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn by_regex(pattern: &str, text: &str) -> Vec<Pair> {
        let re = super::super::compile(pattern).unwrap();
        let span = |m: Option<regex::Match<'_>>| m.map(|m| (m.start(), m.end())).unwrap();
        re.captures_iter(text)
            .map(|c| Pair {
                whole: span(c.get(0)),
                host: span(c.name("host")),
                clock: span(c.name("clock")),
                event: span(c.name("event")),
            })
            .collect()
    }

    const PATTERNS: [&str; 4] = [
        r"(?<host>\S*) (?<clock>{.*})\n(?<event>.*)",
        r"^(?<host>.*) (?<clock>{.*})\n(?<event>.*)",
        r"(?P<host>\S*) (?P<clock>\{.*\})\n(?P<event>.*)$",
        r"^(?<host>.*) (?<clock>{.*})\n(?<event>.*)$",
    ];

    #[test]
    fn the_common_patterns_are_recognised_and_others_are_not() {
        let hosts: Vec<_> = PATTERNS.iter().map(|p| recognise(p)).collect();
        assert_eq!(
            hosts,
            [
                Some(Host::NonSpace),
                Some(Host::Any),
                Some(Host::NonSpace),
                Some(Host::Any)
            ]
        );
        assert_eq!(
            recognise(r"(?<host>\S*) (?<clock>{.*})\n(?<event>.*)\n"),
            None
        );
        assert_eq!(
            recognise(r"(?<date>\S+) (?<host>\S*) (?<clock>{.*})\n(?<event>.*)"),
            None
        );
    }

    proptest! {
        /// Whenever the hand matcher answers, it answers what the regex finds, on texts made
        /// of lines of hosts, spaces, braces, tabs and other characters.
        #[test]
        fn hand_matches_are_the_regex_matches(
            lines in proptest::collection::vec("[a-c {}\t\u{a0}]{0,8}", 0..8),
            pattern in 0usize..4,
        ) {
            let text = lines.join("\n");
            let pattern = PATTERNS[pattern];
            if let Some(found) = pairs(&text, recognise(pattern).unwrap()) {
                prop_assert_eq!(found, by_regex(pattern, &text));
            }
        }

        /// On well-formed logs the hand matcher answers (so the fast path is taken).
        #[test]
        fn well_formed_logs_are_matched_by_hand(
            events in proptest::collection::vec(("[a-z0-9]{1,5}", "[a-z {}]{0,10}"), 1..6),
            pattern in 0usize..4,
        ) {
            let text: Vec<String> = events
                .iter()
                .map(|(h, e)| format!("{h} {{\"{h}\":1}}\n{e}"))
                .collect();
            let text = text.join("\n");
            let pattern = PATTERNS[pattern];
            let found = pairs(&text, recognise(pattern).unwrap());
            prop_assert_eq!(found, Some(by_regex(pattern, &text)));
        }
    }
}
