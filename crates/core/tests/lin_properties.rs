//! Property tests of the linearizability checker against a brute-force oracle that shares no
//! code with it: every order of the operations consistent with real time is tried, with every
//! choice of which operations of unknown outcome took effect, and the model's semantics are
//! written out here again.

use proptest::prelude::*;
use proptest::strategy::ValueTree;

use causal_core::analysis::lin::{check, LinOptions, LinReport, ModelKind, Verdict};
use causal_core::history::{History, Process, Record, RecordType, Value};

/// What a generated operation does.
#[derive(Clone, Debug, PartialEq)]
enum Op {
    Read(Option<i64>),
    Write(i64),
    Cas(i64, i64),
    Get(String),
    Put(String),
    Append(String),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum End {
    Ok,
    Fail,
    Info,
    Open,
}

/// One operation: what it does, and its interval in event positions
/// (`ret` is `None` when it never completed or completed `:info`).
#[derive(Clone, Debug)]
struct GenOp {
    key: u8,
    op: Op,
    end: End,
    call: usize,
    ret: Option<usize>,
}

/// Plays `actions` out: each names a process, which invokes an operation when idle or else
/// completes its open one. Returns the operations and the records, in order.
fn play(kv: bool, actions: &[(u8, u8, u8, u8, u8)]) -> (Vec<GenOp>, Vec<Record>) {
    let mut ops: Vec<GenOp> = Vec::new();
    let mut records = Vec::new();
    let mut open: [Option<usize>; 4] = [None; 4];
    let mut incarnation = [0i64; 4];
    let text = |n: u8| ["a", "b", "ab", ""][n as usize % 4].to_string();
    for &(p, kind, v1, v2, end) in actions {
        let p = p as usize % 4;
        let position = records.len();
        let process = Process::Id(p as i64 + 10 * incarnation[p]);
        match open[p] {
            None => {
                let (op, f, value) = if kv {
                    match kind % 3 {
                        0 => (Op::Get(text(v1)), "get", Value::Nil),
                        1 => (Op::Put(text(v1)), "put", Value::Str(text(v1).into())),
                        _ => (Op::Append(text(v1)), "append", Value::Str(text(v1).into())),
                    }
                } else {
                    let v = |n: u8| i64::from(n % 3);
                    match kind % 3 {
                        0 => {
                            let read = (v1 % 4 != 3).then(|| v(v1));
                            (Op::Read(read), "read", Value::Nil)
                        }
                        1 => (Op::Write(v(v1)), "write", Value::Int(v(v1))),
                        _ => (
                            Op::Cas(v(v1), v(v2)),
                            "cas",
                            Value::Seq(vec![Value::Int(v(v1)), Value::Int(v(v2))]),
                        ),
                    }
                };
                let key = if kv { v2 % 2 } else { 0 };
                open[p] = Some(ops.len());
                ops.push(GenOp {
                    key,
                    op,
                    end: End::Open,
                    call: position,
                    ret: None,
                });
                records.push(Record {
                    process,
                    kind: RecordType::Invoke,
                    f: f.into(),
                    key: kv.then(|| Value::Str(key.to_string().into())),
                    value,
                    time: None,
                    line: position as u32 + 1,
                });
            }
            Some(i) => {
                open[p] = None;
                let (kind, end) = match end % 10 {
                    0 => (RecordType::Fail, End::Fail),
                    1 | 2 => (RecordType::Info, End::Info),
                    _ => (RecordType::Ok, End::Ok),
                };
                let o = &mut ops[i];
                o.end = end;
                if end != End::Info {
                    o.ret = Some(position);
                }
                if end == End::Info {
                    incarnation[p] += 1;
                }
                let (f, value) = match &o.op {
                    Op::Read(r) => ("read", r.map_or(Value::Nil, Value::Int)),
                    Op::Write(v) => ("write", Value::Int(*v)),
                    Op::Cas(a, b) => ("cas", Value::Seq(vec![Value::Int(*a), Value::Int(*b)])),
                    Op::Get(s) => ("get", Value::Str(s.as_str().into())),
                    Op::Put(s) => ("put", Value::Str(s.as_str().into())),
                    Op::Append(s) => ("append", Value::Str(s.as_str().into())),
                };
                records.push(Record {
                    process,
                    kind,
                    f: f.into(),
                    key: kv.then(|| Value::Str(o.key.to_string().into())),
                    value,
                    time: None,
                    line: position as u32 + 1,
                });
            }
        }
    }
    (ops, records)
}

/// The model's state: a register (`None` is nil) or one string per key.
#[derive(Clone, Debug, PartialEq)]
enum State {
    Register(Option<i64>),
    Store([String; 2]),
}

/// The state after `op`, or `None` when the op cannot happen there. Operations of unknown
/// outcome that the oracle chose to include must take effect: a read always fits, a cas must
/// succeed.
fn apply(state: &State, op: &GenOp) -> Option<State> {
    let indeterminate = matches!(op.end, End::Info | End::Open);
    match (state, &op.op) {
        (State::Register(s), Op::Read(r)) => (indeterminate || s == r).then(|| state.clone()),
        (State::Register(_), Op::Write(v)) => Some(State::Register(Some(*v))),
        (State::Register(s), Op::Cas(a, b)) => {
            (*s == Some(*a)).then_some(State::Register(Some(*b)))
        }
        (State::Store(m), Op::Get(v)) => {
            (indeterminate || &m[op.key as usize] == v).then(|| state.clone())
        }
        (State::Store(m), Op::Put(v)) => {
            let mut m = m.clone();
            m[op.key as usize] = v.clone();
            Some(State::Store(m))
        }
        (State::Store(m), Op::Append(v)) => {
            let mut m = m.clone();
            m[op.key as usize].push_str(v);
            Some(State::Store(m))
        }
        _ => unreachable!("the generator keeps models apart"),
    }
}

/// Whether some order of the chosen operations, consistent with real time, fits the model.
fn brute_force(ops: &[GenOp], initial: State) -> bool {
    let happened: Vec<usize> = (0..ops.len())
        .filter(|&i| ops[i].end != End::Fail)
        .collect();
    let optional: Vec<usize> = happened
        .iter()
        .copied()
        .filter(|&i| matches!(ops[i].end, End::Info | End::Open))
        .collect();
    for mask in 0u32..(1 << optional.len()) {
        let chosen: Vec<usize> = happened
            .iter()
            .copied()
            .filter(|i| match optional.iter().position(|o| o == i) {
                Some(bit) => mask & (1 << bit) != 0,
                None => true,
            })
            .collect();
        let mut placed = vec![false; ops.len()];
        if orders(ops, &chosen, &mut placed, initial.clone(), chosen.len()) {
            return true;
        }
    }
    false
}

/// Depth-first over every next operation whose real-time predecessors are all placed.
fn orders(ops: &[GenOp], chosen: &[usize], placed: &mut [bool], state: State, left: usize) -> bool {
    if left == 0 {
        return true;
    }
    for &i in chosen {
        if placed[i] {
            continue;
        }
        // i may go next only if no unplaced chosen op completed before i was invoked.
        let blocked = chosen
            .iter()
            .any(|&j| !placed[j] && j != i && ops[j].ret.is_some_and(|r| r < ops[i].call));
        if blocked {
            continue;
        }
        if let Some(next) = apply(&state, &ops[i]) {
            placed[i] = true;
            let found = orders(ops, chosen, placed, next, left - 1);
            placed[i] = false;
            if found {
                return true;
            }
        }
    }
    false
}

fn verdict_of(kv: bool, records: Vec<Record>) -> Verdict {
    report_of(kv, records).verdict
}

/// Whether the orders a linearizable check reports explain the history: each respects real
/// time, holds every operation that completed `:ok` and none that failed, and the oracle's
/// model takes every step (the keys' orders one after the other: keys are independent).
fn orders_explain(ops: &[GenOp], report: &LinReport, initial: State) -> bool {
    let mut state = initial;
    let mut seen = vec![false; ops.len()];
    for l in &report.linearizations {
        let order: Vec<usize> = l.order.iter().map(|&i| i as usize).collect();
        for (k, &i) in order.iter().enumerate() {
            if seen[i] || ops[i].end == End::Fail {
                return false;
            }
            seen[i] = true;
            if order[k + 1..]
                .iter()
                .any(|&j| ops[j].ret.is_some_and(|r| r < ops[i].call))
            {
                return false;
            }
            match apply(&state, &ops[i]) {
                Some(next) => state = next,
                None => return false,
            }
        }
    }
    (0..ops.len()).all(|i| seen[i] || ops[i].end != End::Ok)
}

fn report_of(kv: bool, records: Vec<Record>) -> LinReport {
    let history = History::assemble(vec![("p.edn".to_string(), records)]).expect("valid history");
    let options = LinOptions {
        model: if kv {
            ModelKind::Kv
        } else {
            ModelKind::CasRegister
        },
        initial: if kv {
            Value::Str("".into())
        } else {
            Value::Nil
        },
        deadline: None,
        threads: 1,
    };
    check(&history, &options).expect("the model reads every op")
}

fn actions() -> impl Strategy<Value = Vec<(u8, u8, u8, u8, u8)>> {
    proptest::collection::vec(
        (0u8..4, any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()),
        0..22,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn cas_register_verdicts_match_the_brute_force_oracle(actions in actions()) {
        let (ops, records) = play(false, &actions);
        let expected = brute_force(&ops, State::Register(None));
        let got = verdict_of(false, records);
        prop_assert_eq!(got == Verdict::Linearizable, expected, "ops: {:?}", ops);
    }

    #[test]
    fn the_orders_of_linearizable_histories_explain_them(actions in actions(), kv in any::<bool>()) {
        let (ops, records) = play(kv, &actions);
        let report = report_of(kv, records);
        if report.verdict == Verdict::Linearizable {
            let initial = if kv {
                State::Store([String::new(), String::new()])
            } else {
                State::Register(None)
            };
            prop_assert!(orders_explain(&ops, &report, initial), "ops: {:?}\norders: {:?}", ops, report.linearizations);
        } else {
            prop_assert!(report.linearizations.len() < report.partitions);
        }
    }

    #[test]
    fn kv_verdicts_match_the_brute_force_oracle(actions in actions()) {
        let (ops, records) = play(true, &actions);
        let expected = brute_force(&ops, State::Store([String::new(), String::new()]));
        let got = verdict_of(true, records);
        prop_assert_eq!(got == Verdict::Linearizable, expected, "ops: {:?}", ops);
    }
}

#[test]
fn the_generator_makes_both_verdicts() {
    // A guard on the property tests' power: about as many histories of each verdict.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut yes, mut no) = (0, 0);
    for _ in 0..300 {
        let a = actions().new_tree(&mut runner).unwrap().current();
        let (ops, _) = play(false, &a);
        if brute_force(&ops, State::Register(None)) {
            yes += 1;
        } else {
            no += 1;
        }
    }
    assert!(yes > 30 && no > 30, "linearizable {yes}, not {no}");
}
