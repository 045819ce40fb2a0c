//! The sequential specifications: register, cas-register and key-value store, and how a
//! history's operations become their steps, one partition per key.
//!
//! Values are interned per partition, so a model state is one `u32` and a step compares
//! integers; a key-value store's appends intern each new string once. Knows nothing of the
//! search or of output.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::InputError;
use crate::history::{History, Operation, Status, Value};
use crate::Named;

/// The models `lin` checks against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// A register: `read` returns the last `write`'s value.
    Register,
    /// A register with compare-and-set: `cas [old new]` sets `new` when it holds `old`.
    CasRegister,
    /// A key-value store of strings: `get`, `put`, `append`, each key on its own.
    Kv,
}

impl crate::Named for ModelKind {
    const ALL: &'static [ModelKind] = &[ModelKind::Register, ModelKind::CasRegister, ModelKind::Kv];

    fn name(self) -> &'static str {
        match self {
            ModelKind::Register => "register",
            ModelKind::CasRegister => "cas-register",
            ModelKind::Kv => "kv",
        }
    }

    fn about(self) -> &'static str {
        match self {
            ModelKind::Register => "read and write",
            ModelKind::CasRegister => "read, write and cas [old new]",
            ModelKind::Kv => "get, put and append on string values, each key on its own",
        }
    }
}

impl ModelKind {
    /// The functions the model knows.
    fn functions(self) -> &'static str {
        match self {
            ModelKind::Register => ":read or :write",
            ModelKind::CasRegister => ":read, :write or :cas",
            ModelKind::Kv => ":get, :put or :append",
        }
    }

    /// The initial value when none is given: `nil` for registers, `""` for a key-value store
    /// (as Porcupine's models).
    pub fn default_initial(self) -> Value {
        match self {
            ModelKind::Register | ModelKind::CasRegister => Value::Nil,
            ModelKind::Kv => Value::Str("".into()),
        }
    }

    /// What the model calls its state, for explanations: "the register", "the key".
    pub fn holder(self) -> &'static str {
        match self {
            ModelKind::Register | ModelKind::CasRegister => "the register",
            ModelKind::Kv => "the key",
        }
    }
}

/// The model the operations suggest: `kv` when any is a `get`, `put` or `append`, else
/// `cas-register` when any is a `cas`, else `register`.
pub fn infer_model(history: &History) -> ModelKind {
    let has = |names: &[&str]| history.ops.iter().any(|op| names.contains(&op.f.as_ref()));
    if has(&["get", "put", "append"]) {
        ModelKind::Kv
    } else if has(&["cas"]) {
        ModelKind::CasRegister
    } else {
        ModelKind::Register
    }
}

/// One operation as the model sees it; values are partition-local ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// A read (or get) that returned this value: legal when the state holds it.
    Read(u32),
    /// A write (or put): the state becomes this value.
    Write(u32),
    /// A compare-and-set that succeeded: legal when the state holds `.0`, which becomes `.1`.
    Cas(u32, u32),
    /// A compare-and-set of unknown outcome: sets `.1` when the state holds `.0`, else leaves
    /// it (it failed, which is as good as never happening).
    CasMaybe(u32, u32),
    /// An append to a key-value store's string.
    Append(u32),
}

/// The values of one partition and the steps that move between them.
#[derive(Clone, Debug, Default)]
pub struct Machine {
    values: Vec<Value>,
    ids: HashMap<Value, u32>,
    /// Key-value appends already computed: (state, appended) -> state.
    appends: HashMap<(u32, u32), u32>,
    /// Whether values are strings that appends concatenate (the `kv` model).
    strings: bool,
}

impl Machine {
    fn new(strings: bool) -> Self {
        Machine {
            strings,
            ..Machine::default()
        }
    }

    /// The id of `value` (interned on first sight).
    pub fn intern(&mut self, value: &Value) -> u32 {
        let value = if self.strings {
            Value::Str(value.as_text().into())
        } else {
            value.clone()
        };
        if let Some(&id) = self.ids.get(&value) {
            return id;
        }
        let id = self.values.len() as u32;
        self.values.push(value.clone());
        self.ids.insert(value, id);
        id
    }

    /// The value of state or value `id`.
    pub fn value(&self, id: u32) -> &Value {
        &self.values[id as usize]
    }

    /// The state after `step` from `state`, or `None` when the step is illegal there.
    #[inline]
    pub fn step(&mut self, state: u32, step: Step) -> Option<u32> {
        match step {
            Step::Read(v) => (state == v).then_some(state),
            Step::Write(v) => Some(v),
            Step::Cas(old, new) => (state == old).then_some(new),
            Step::CasMaybe(old, new) => Some(if state == old { new } else { state }),
            Step::Append(v) => Some(self.append(state, v)),
        }
    }

    fn append(&mut self, state: u32, v: u32) -> u32 {
        if let Some(&s) = self.appends.get(&(state, v)) {
            return s;
        }
        let text = format!("{}{}", self.value(state).as_text(), self.value(v).as_text());
        let id = self.intern(&Value::Str(text.into()));
        self.appends.insert((state, v), id);
        id
    }
}

/// The operations of one key, ready for the search.
#[derive(Clone, Debug)]
pub struct Partition {
    /// The key, for keyed histories.
    pub key: Option<Value>,
    /// The history's index of each operation checked, in invocation order.
    pub ops: Vec<u32>,
    /// Each operation's step.
    pub steps: Vec<Step>,
    /// Each operation's invocation position.
    pub calls: Vec<u32>,
    /// Each operation's completion position, [`NEVER`] when it may take effect at any time
    /// after its invocation (`:info`, or no completion).
    pub rets: Vec<u32>,
    /// The initial state.
    pub initial: u32,
    /// Values and steps.
    pub machine: Machine,
}

/// The completion position of an operation that may take effect at any later time.
pub const NEVER: u32 = u32::MAX;

/// What the model leaves out of the check: operations that did not happen, and reads whose
/// result is unknown (they constrain nothing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Dropped {
    /// `:fail` operations.
    pub failed: usize,
    /// Reads (or gets) of unknown outcome.
    pub unknown_reads: usize,
}

/// The history's operations, split per key and turned into steps of `model`.
///
/// Errors name the invocation's file and line: a function the model does not know, a `cas`
/// whose value is not `[old new]`.
pub fn partitions(
    history: &History,
    model: ModelKind,
    initial: &Value,
) -> Result<(Vec<Partition>, Dropped), InputError> {
    let mut by_key: HashMap<Option<&Value>, usize> = HashMap::new();
    let mut parts: Vec<Partition> = Vec::new();
    let mut dropped = Dropped::default();
    for (index, op) in history.ops.iter().enumerate() {
        let err = |m: String| {
            InputError::new(&history.files[op.call_at.file as usize], op.call_at.line, m)
        };
        let kind = classify(model, op).map_err(err)?;
        if op.status == Status::Fail {
            dropped.failed += 1;
            continue;
        }
        let indeterminate = op.status.indeterminate();
        if indeterminate && kind == Kind::Read {
            dropped.unknown_reads += 1;
            continue;
        }
        let slot = *by_key.entry(op.key.as_ref()).or_insert_with(|| {
            let mut machine = Machine::new(model == ModelKind::Kv);
            let initial = machine.intern(initial);
            parts.push(Partition {
                key: op.key.clone(),
                ops: Vec::new(),
                steps: Vec::new(),
                calls: Vec::new(),
                rets: Vec::new(),
                initial,
                machine,
            });
            parts.len() - 1
        });
        let part = &mut parts[slot];
        let m = &mut part.machine;
        let step = match kind {
            Kind::Read => {
                let read = op.completed.as_ref().unwrap_or(&Value::Nil);
                Step::Read(m.intern(read))
            }
            Kind::Write => Step::Write(m.intern(&op.invoked)),
            Kind::Append => Step::Append(m.intern(&op.invoked)),
            Kind::Cas => {
                let Value::Seq(pair) = &op.invoked else {
                    return Err(err(format!(
                        "expected :value [old new] for :cas, found {}",
                        op.invoked
                    )));
                };
                let [old, new] = &pair[..] else {
                    return Err(err(format!(
                        "expected :value [old new] for :cas, found {}",
                        op.invoked
                    )));
                };
                let (old, new) = (m.intern(old), m.intern(new));
                if indeterminate {
                    Step::CasMaybe(old, new)
                } else {
                    Step::Cas(old, new)
                }
            }
        };
        part.ops.push(index as u32);
        part.steps.push(step);
        part.calls.push(op.call);
        part.rets.push(match (op.status, op.ret) {
            (Status::Ok, Some(r)) => r,
            _ => NEVER,
        });
    }
    Ok((parts, dropped))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
    Cas,
    Append,
}

fn classify(model: ModelKind, op: &Operation) -> Result<Kind, String> {
    let kind = match (model, op.f.as_ref()) {
        (ModelKind::Register | ModelKind::CasRegister, "read") => Kind::Read,
        (ModelKind::Register | ModelKind::CasRegister, "write") => Kind::Write,
        (ModelKind::CasRegister, "cas") => Kind::Cas,
        (ModelKind::Kv, "get") => Kind::Read,
        (ModelKind::Kv, "put") => Kind::Write,
        (ModelKind::Kv, "append") => Kind::Append,
        (_, f) => {
            return Err(format!(
                "expected :f {} for the {} model, found :{}{}",
                model.functions(),
                model.name(),
                f,
                if model == ModelKind::Register && f == "cas" {
                    " (--model cas-register checks it)"
                } else {
                    ""
                }
            ))
        }
    };
    Ok(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_the_sequential_specifications() {
        let mut m = Machine::new(false);
        let (nil, one, two) = (
            m.intern(&Value::Nil),
            m.intern(&Value::Int(1)),
            m.intern(&Value::Int(2)),
        );
        assert_eq!(m.step(nil, Step::Read(nil)), Some(nil));
        assert_eq!(m.step(nil, Step::Read(one)), None);
        assert_eq!(m.step(nil, Step::Write(one)), Some(one));
        assert_eq!(m.step(one, Step::Cas(one, two)), Some(two));
        assert_eq!(m.step(two, Step::Cas(one, two)), None);
        assert_eq!(m.step(two, Step::CasMaybe(one, nil)), Some(two));
        let mut kv = Machine::new(true);
        let (empty, x, y) = (
            kv.intern(&Value::Nil),
            kv.intern(&Value::Str("x".into())),
            kv.intern(&Value::Str("y".into())),
        );
        let xy = kv.step(x, Step::Append(y)).unwrap();
        assert_eq!(kv.value(xy), &Value::Str("xy".into()));
        assert_eq!(kv.step(x, Step::Append(y)), Some(xy));
        assert_eq!(kv.value(empty), &Value::Str("".into()));
    }
}
