//! Clock members written fast: each node's key (`,"name":` in JSON, ` name:` for people)
//! prepared once and copied as a fixed-size move, each count in decimal without `memcpy`. At
//! 1,000 nodes a line holds up to 1,000 members, so this is the hot loop of `stamp` and of the
//! conflict report. Shared by [`crate::render::jsonl`] and [`crate::render::fmt::VcText`].
//!
//! Bytes only: what a key says (its quoting or escaping) is the caller's.

use crate::clock::ClockRef;

/// A node's key, padded to a fixed size so that copying it is a few moves instead of a call
/// to `memcpy`.
#[derive(Clone, Debug)]
pub struct MemberKey {
    short: [u8; KEY_SLOT],
    /// The key's length; longer than the slot, `long` holds it.
    len: usize,
    long: Box<[u8]>,
}

const KEY_SLOT: usize = 24;

impl MemberKey {
    /// The key `text`, written before each count of its node.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut short = [0u8; KEY_SLOT];
        let long = if bytes.len() <= KEY_SLOT {
            short[..bytes.len()].copy_from_slice(bytes);
            Box::default()
        } else {
            bytes.into()
        };
        MemberKey {
            short,
            len: bytes.len(),
            long,
        }
    }

    /// Appends the key to `w`.
    pub fn push_to(&self, w: &mut Vec<u8>) {
        if self.len <= KEY_SLOT {
            let at = w.len();
            w.extend_from_slice(&self.short);
            w.truncate(at + self.len);
        } else {
            w.extend_from_slice(&self.long);
        }
    }
}

/// What writes each node's key before its count.
pub trait Keys {
    /// Appends node `node`'s key, its leading separator first, to `w`.
    fn push_key(&self, w: &mut Vec<u8>, node: usize);
}

impl Keys for [MemberKey] {
    fn push_key(&self, w: &mut Vec<u8>, node: usize) {
        self[node].push_to(w);
    }
}

/// Writes `clock`'s nonzero members in node order, each as its node's key and its count,
/// between `brackets`; the first key's leading byte (its separator) becomes the opening
/// bracket: `{"a":1,"b":3}` from keys `,"a":`, `[a:1 b:3]` from keys ` a:`.
pub fn write_members<K: Keys + ?Sized>(
    w: &mut Vec<u8>,
    keys: &K,
    clock: ClockRef<'_>,
    brackets: [u8; 2],
) {
    let open = w.len();
    match clock {
        ClockRef::Dense(row) => {
            for (n, &count) in row.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                keys.push_key(w, n);
                push_u32(w, count);
            }
        }
        ClockRef::Sparse(entries) => {
            for x in entries {
                keys.push_key(w, x.node as usize);
                push_u32(w, x.count);
            }
        }
    }
    close_members(w, open, brackets);
}

/// Makes the members written from `open` on (each key with a leading separator) one bracketed
/// list: `{}` or `[]` when there are none.
pub fn close_members(w: &mut Vec<u8>, open: usize, [first, last]: [u8; 2]) {
    if w.len() == open {
        w.extend_from_slice(&[first, last]);
    } else {
        // The first member's separator opens the list.
        w[open] = first;
        w.push(last);
    }
}

/// Appends `n` in decimal, with fixed-size copies only.
pub fn push_u32(w: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let len = match n {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        1000..=9999 => 4,
        10000..=99999 => 5,
        100_000..=999_999 => 6,
        1_000_000..=9_999_999 => 7,
        10_000_000..=99_999_999 => 8,
        100_000_000..=999_999_999 => 9,
        _ => 10,
    };
    for d in digits[..len].iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let at = w.len();
    w.extend_from_slice(&digits);
    w.truncate(at + len);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        let mut samples: Vec<u32> = vec![0, 1, 9, 10, 99, 100, u32::MAX, u32::MAX - 1];
        for digits in 1..=9 {
            let p = 10u32.pow(digits);
            samples.extend([p - 1, p, p + 1]);
        }
        let mut state = 12345u32;
        for _ in 0..10_000 {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            samples.push(state >> (state % 32));
        }
        for n in samples {
            let mut w = b"x".to_vec();
            push_u32(&mut w, n);
            assert_eq!(String::from_utf8(w).unwrap(), format!("x{n}"));
        }
    }
}
