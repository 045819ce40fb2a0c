//! An event's own fields, kept as the compact text of one JSON object, with a mask of the keys
//! the writers care about. Data only: it reads and writes no file.

use serde_json::{Map, Value};

/// An event's own fields, kept as the compact text of one JSON object.
///
/// Text instead of a parsed map keeps an event small (a `serde_json::Map` of a typical log
/// line costs about a kilobyte) and lets writers copy the fields out unchanged. Readers that
/// need values parse on demand with [`Fields::to_map`] or [`Fields::get`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    /// One character saying which of the names writers care about occur as keys
    /// ([`Fields::has`]: `'@'` plus one bit per name of [`TRACKED_KEYS`]), then a JSON object
    /// without whitespace between its top-level members. Empty for no fields at all. The
    /// character rides in the text because a separate byte would cost an event eight.
    text: Box<str>,
}

/// Keys that [`Fields::has`] answers without parsing.
pub const TRACKED_KEYS: [&str; 5] = ["id", "node", "lamport", "vc", "hlc"];

// The mask character stays ASCII ('@' plus six bits at most).
const _: () = assert!(TRACKED_KEYS.len() <= 6);

impl Fields {
    /// The fields of a parsed JSON object.
    pub fn from_map(map: &Map<String, Value>) -> Fields {
        let json = serde_json::to_string(map).unwrap_or_else(|_| "{}".to_string());
        Fields::pack(&json, tracked_mask(map.keys().map(String::as_str)))
    }

    /// Fields from the text of a JSON object whose top-level keys are `keys`; the caller
    /// guarantees that `json` is one valid object without top-level whitespace.
    /// One spare byte of capacity in `json` spares a copy.
    pub fn from_object_text<'k>(mut json: String, keys: impl Iterator<Item = &'k str>) -> Fields {
        json.insert(0, char::from(b'@' + tracked_mask(keys)));
        Fields {
            text: json.into_boxed_str(),
        }
    }

    fn pack(json: &str, mask: u8) -> Fields {
        let mut text = String::with_capacity(json.len() + 1);
        text.push(char::from(b'@' + mask));
        text.push_str(json);
        Fields {
            text: text.into_boxed_str(),
        }
    }

    /// The JSON object text.
    pub fn as_json(&self) -> &str {
        self.text.get(1..).unwrap_or_default()
    }

    /// Whether `key` (one of [`TRACKED_KEYS`]) is a field.
    pub fn has(&self, key: &str) -> bool {
        let mask = self.text.as_bytes().first().map_or(0, |c| c - b'@');
        TRACKED_KEYS
            .iter()
            .position(|k| *k == key)
            .is_some_and(|i| mask & (1 << i) != 0)
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.as_json().len() <= 2
    }

    /// The fields as a map (parses the text).
    pub fn to_map(&self) -> Map<String, Value> {
        serde_json::from_str(self.as_json()).unwrap_or_default()
    }

    /// The value of one field (parses the text).
    pub fn get(&self, key: &str) -> Option<Value> {
        self.to_map().remove(key)
    }

    /// Sets a field, keeping the order of the others (parses and rewrites the text).
    pub fn insert(&mut self, key: &str, value: Value) {
        let mut map = self.to_map();
        map.insert(key.to_string(), value);
        *self = Fields::from_map(&map);
    }
}

/// At most five bits, so `'@'` plus the mask is one ASCII character (`@` to `_`).
fn tracked_mask<'k>(keys: impl Iterator<Item = &'k str>) -> u8 {
    let mut mask = 0;
    for key in keys {
        if let Some(i) = TRACKED_KEYS.iter().position(|k| *k == key) {
            mask |= 1 << i;
        }
    }
    mask
}
