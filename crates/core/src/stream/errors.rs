//! What online stamping's errors say: each [`StreamError`] as the library's [`Error`], in
//! the same words batch ordering and parsing use for the same faults (a message sent twice,
//! an id used twice, a happens-before cycle; see `error::sent_again`, `error::id_used_again`,
//! `error::cycle`).
//!
//! Sentences only; nothing here prints.

use super::{Origin, Stamper, StreamError};
use crate::error::{cycle, id_used_again, sent_again, CycleStep, Error, InputError};

impl Stamper {
    /// `e` as an error naming the file and line of its event.
    pub fn error(&self, e: StreamError) -> Error {
        let input = |o: Origin, message: String| -> Error {
            InputError::new(self.file_name(o.file), o.line, message).into()
        };
        let at = |o: Origin| format!("{}:{}", self.file_name(o.file), o.line);
        match e {
            StreamError::DuplicateSend { origin, msg, first } => {
                input(origin, sent_again(&msg, &format!("at {}", at(first))))
            }
            StreamError::DuplicateId { origin, id, first } => {
                input(origin, id_used_again(&id, &at(first)))
            }
            StreamError::EmptyNode(origin) => {
                input(origin, "expected a non-empty node name, found \"\"".into())
            }
            StreamError::EmptyId(origin) => {
                input(origin, "expected a non-empty \"id\", found \"\"".into())
            }
            StreamError::TooManyEvents(origin) => input(
                origin,
                format!("expected at most {} events per node", u32::MAX),
            ),
            StreamError::TooManyNodes(origin) => {
                input(origin, format!("expected at most {} nodes", u32::MAX - 1))
            }
            StreamError::Cycle(waits) => {
                let steps: Vec<CycleStep> = waits
                    .into_iter()
                    .map(|w| CycleStep {
                        recv_at: at(w.recv),
                        recv_id: w.recv_id,
                        msg: w.msg,
                        send_id: w.send_id,
                        send_at: at(w.send),
                    })
                    .collect();
                cycle(&steps)
            }
        }
    }
}
