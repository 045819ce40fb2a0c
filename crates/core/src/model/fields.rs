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

    /// Sets a field, keeping the order of the others. A key the text does not hold is
    /// appended; one it may hold (its quoted name occurs in it) is set by parsing and
    /// rewriting the text.
    pub fn insert(&mut self, key: &str, value: Value) {
        let json = self.as_json();
        let quoted = Value::from(key).to_string();
        if let Some(body) = json.strip_suffix('}').filter(|_| !json.contains(&quoted)) {
            let mut mask = self.text.as_bytes().first().map_or(0, |c| c - b'@');
            mask |= tracked_mask(std::iter::once(key));
            let value = value.to_string();
            let mut text = String::with_capacity(json.len() + quoted.len() + value.len() + 3);
            text.push(char::from(b'@' + mask));
            text.push_str(body);
            if body.len() > 1 {
                text.push(',');
            }
            text.push_str(&quoted);
            text.push(':');
            text.push_str(&value);
            text.push('}');
            self.text = text.into_boxed_str();
            return;
        }
        let mut map = self.to_map();
        map.insert(key.to_string(), value);
        *self = Fields::from_map(&map);
    }
}

/// The text of a JSON object written member by member, for parsers whose fields are strings
/// and pieces of JSON they already hold as text: no map is built, no value parsed. Keys must
/// be distinct (the caller's: a regex's group names are).
#[derive(Debug)]
pub struct ObjectWriter {
    json: Vec<u8>,
    mask: u8,
}

impl Default for ObjectWriter {
    fn default() -> Self {
        ObjectWriter::new()
    }
}

impl ObjectWriter {
    /// An empty object.
    pub fn new() -> ObjectWriter {
        ObjectWriter {
            json: b"@{".to_vec(),
            mask: 0,
        }
    }

    fn key(&mut self, key: &str) {
        if self.json.len() > 2 {
            self.json.push(b',');
        }
        write_json_string(&mut self.json, key);
        self.json.push(b':');
        self.mask |= tracked_mask(std::iter::once(key));
    }

    /// A member whose value is a string.
    pub fn string(&mut self, key: &str, value: &str) {
        self.key(key);
        write_json_string(&mut self.json, value);
    }

    /// A member whose value is given as compact JSON text (the caller guarantees it is valid).
    pub fn json(&mut self, key: &str, value: &str) {
        self.json_with(key, |out| out.extend_from_slice(value.as_bytes()));
    }

    /// A member whose value `write` appends as compact JSON text (the caller guarantees it is
    /// valid UTF-8 and valid JSON), without a string of its own first.
    pub fn json_with(&mut self, key: &str, write: impl FnOnce(&mut Vec<u8>)) {
        self.key(key);
        write(&mut self.json);
    }

    /// The fields.
    pub fn finish(mut self) -> Fields {
        self.json.push(b'}');
        self.json[0] = b'@' + self.mask;
        // Only strings and the caller's JSON text went in.
        let text = String::from_utf8(self.json).unwrap_or_else(|_| "@{}".to_string());
        Fields {
            text: text.into_boxed_str(),
        }
    }
}

/// Writes `s` as a JSON string.
fn write_json_string(out: &mut Vec<u8>, s: &str) {
    // Writing a &str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The oracle: a parsed map, set and written again by serde_json.
    fn inserted(fields: &Fields, key: &str, value: &Value) -> Fields {
        let mut map = fields.to_map();
        map.insert(key.to_string(), value.clone());
        Fields::from_map(&map)
    }

    #[test]
    fn an_object_written_member_by_member_is_the_map_serde_writes() {
        let mut w = ObjectWriter::new();
        w.string("host", "a\"b\n");
        w.json("clock", r#"{"a":1,"b\u0007":2}"#);
        w.string("vc", "tracked");
        let fields = w.finish();
        let map = json!({"host": "a\"b\n", "clock": {"a": 1, "b\u{7}": 2}, "vc": "tracked"});
        assert_eq!(fields, Fields::from_map(map.as_object().unwrap()));
        assert!(fields.has("vc") && !fields.has("id"));
        assert_eq!(ObjectWriter::new().finish(), Fields::from_map(&Map::new()));
    }

    proptest::proptest! {
        /// Setting a field gives what parsing, setting and writing again gives, whether the
        /// key is new (appended to the text) or already there (rewritten).
        #[test]
        fn insert_agrees_with_the_parsed_map(
            members in proptest::collection::vec(("[a-z\"]{1,3}", 0i64..5), 0..5),
            key in "[a-z\"]{1,3}|id|kind|msg",
            value in 0i64..5,
        ) {
            let map: Map<String, Value> =
                members.into_iter().map(|(k, v)| (k, Value::from(v))).collect();
            let mut fields = Fields::from_map(&map);
            let want = inserted(&fields, &key, &Value::from(value));
            fields.insert(&key, Value::from(value));
            proptest::prop_assert_eq!(fields, want);
        }
    }
}
