//! Duplicate checks of online stamping: every event id and every sent message is used once.
//!
//! It keeps only digests and first positions (see the parent module); it stamps nothing and
//! holds nothing back.

use super::{Origin, SendRecord, Stamper, StreamError, EXPLICIT};
use crate::model::{EventKind, RawEvent};

impl Stamper {
    /// An explicit id must differ from every explicit id and every other event's `NODE#N`;
    /// an event without one takes `NODE#seq`, which no explicit id may have taken.
    pub(super) fn check_id(
        &mut self,
        n: usize,
        seq: u32,
        raw: &RawEvent,
        origin: Origin,
    ) -> Result<(), StreamError> {
        let duplicate = |id: String, first: Origin| StreamError::DuplicateId { origin, id, first };
        match &raw.id {
            Some(id) => {
                let d = self.hash(id);
                if let Some(&first) = self.ids.get(&d) {
                    return Err(duplicate(id.clone(), first));
                }
                // `NODE#N` of an event already read, which had no explicit id.
                if let Some((name, pos)) = id.rsplit_once('#') {
                    let event = pos.parse::<u32>().ok().filter(|&p| p >= 1);
                    let m = self.index.get(name).copied();
                    if let (Some(m), Some(p)) = (m, event) {
                        let first = self.positions[m].get(p as usize - 1);
                        if let Some(&first) = first.filter(|o| o.file != EXPLICIT) {
                            return Err(duplicate(id.clone(), first));
                        }
                    }
                }
                self.ids.insert(d, origin);
            }
            None if !self.ids.is_empty() => {
                let id = format!("{}#{seq}", self.names[n]);
                if let Some(&first) = self.ids.get(&self.hash(&id)) {
                    return Err(duplicate(id, first));
                }
            }
            None => {}
        }
        Ok(())
    }

    pub(super) fn record_sends(
        &mut self,
        n: usize,
        seq: u32,
        raw: &RawEvent,
        origin: Origin,
    ) -> Result<(), StreamError> {
        for (kind, msg) in raw.roles() {
            if kind != EventKind::Send {
                continue;
            }
            let d = self.hash(msg);
            if let Some(first) = self.sends.get(&d) {
                return Err(StreamError::DuplicateSend {
                    origin,
                    msg: msg.to_string(),
                    first: first.origin,
                });
            }
            self.sends.insert(
                d,
                SendRecord {
                    origin,
                    node: n as u32,
                    seq,
                },
            );
        }
        Ok(())
    }

    pub(super) fn event_id(&self, n: usize, raw: &RawEvent, seq: u32) -> String {
        raw.id
            .clone()
            .unwrap_or_else(|| format!("{}#{seq}", self.names[n]))
    }
}
