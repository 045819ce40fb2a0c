//! Regressions found by fuzzing (fuzz/): one small fixture per defect, the exact output and
//! status.

use super::{causal, fixture};

/// Control characters in ids, node names and messages stayed raw in the table: a newline in
/// an id split its row in two, and an escape sequence reached the terminal.
#[test]
fn table_cells_hold_no_control_characters() {
    causal()
        .args(["stamp", "--format", "table"])
        .arg(fixture("fuzz-table-control.jsonl"))
        .assert()
        .code(0)
        .stdout(
            "LAMPORT  ID   NODE    KIND  MSG  VC              LABEL\n      \
             1  x y  a [31m  send  m 1  [a [31m:1]      bell\n      \
             2  b#1  b       recv  m 1  [a [31m:1 b:1]\n",
        )
        .stderr("");
}
