//! Partitions of the rows that `stamp --format parquet --partition-by` writes, and the
//! directory names they get (Hive-style `KEY=VALUE`, escaped to one safe path component).
//! Names only: this module writes nothing.

/// The directory name of a partition whose value is missing (Hive's, which Spark, DuckDB and
/// Trino read as null).
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// `--partition-by`: what splits the rows into files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionBy {
    /// The distributed trace (the `trace_id` of the event's span) of trace inputs.
    Trace,
    /// The execution of a log holding several (ShiViz delimiters: the `execution` field).
    Execution,
    /// The node.
    Node,
}

impl crate::Named for PartitionBy {
    const ALL: &'static [PartitionBy] = &[
        PartitionBy::Trace,
        PartitionBy::Execution,
        PartitionBy::Node,
    ];

    fn name(self) -> &'static str {
        match self {
            PartitionBy::Trace => "trace",
            PartitionBy::Execution => "execution",
            PartitionBy::Node => "node",
        }
    }

    fn about(self) -> &'static str {
        match self {
            PartitionBy::Trace => "One file per distributed trace (its trace id; trace inputs)",
            PartitionBy::Execution => "One file per execution of a log that holds several",
            PartitionBy::Node => "One file per node",
        }
    }
}

/// The directory of one partition, `KEY=VALUE`, with the value escaped so that it is one
/// safe path component (docs/parquet.md): every byte but ASCII letters, digits, `-`, `_` and
/// `.` is written `%XX` (so `/`, `\`, `%`, `=`, spaces and control characters never appear),
/// a value of dots only has its dots written `%2E` (no `.` or `..`), a value that would read
/// as Hive's null has its first `_` written `%5F`, and a missing or empty value is
/// [`NULL_PARTITION`].
pub fn partition_dir(by: PartitionBy, value: Option<&str>) -> String {
    use crate::Named as _;
    let mut dir = format!("{}=", by.name());
    match value {
        None | Some("") => dir.push_str(NULL_PARTITION),
        Some(v) => {
            let dots = v.bytes().all(|b| b == b'.');
            for (i, b) in v.bytes().enumerate() {
                let plain = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.';
                let escape = !plain || (dots && b == b'.') || (i == 0 && v == NULL_PARTITION);
                if escape {
                    dir.push_str(&format!("%{b:02X}"));
                } else {
                    dir.push(char::from(b));
                }
            }
        }
    }
    dir
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_values_become_one_safe_path_component() {
        let dir = |v: Option<&str>| partition_dir(PartitionBy::Node, v);
        assert_eq!(dir(Some("kv-1")), "node=kv-1");
        assert_eq!(dir(Some("run 1/n1")), "node=run%201%2Fn1");
        assert_eq!(dir(Some("..")), "node=%2E%2E");
        assert_eq!(dir(Some(".")), "node=%2E");
        assert_eq!(dir(Some("a.b")), "node=a.b");
        assert_eq!(dir(Some("50%=x")), "node=50%25%3Dx");
        assert_eq!(dir(Some("\u{1b}[31m")), "node=%1B%5B31m");
        assert_eq!(dir(Some("é")), "node=%C3%A9");
        assert_eq!(dir(None), "node=__HIVE_DEFAULT_PARTITION__");
        assert_eq!(dir(Some("")), "node=__HIVE_DEFAULT_PARTITION__");
        assert_eq!(
            dir(Some("__HIVE_DEFAULT_PARTITION__")),
            "node=%5F_HIVE_DEFAULT_PARTITION__"
        );
    }
}
