//! Stamped events as Apache Parquet: one row per event, the columns of docs/parquet.md, for the
//! engines users already run (DuckDB, DataFusion, Spark, Trino).
//!
//! A row holds what a stamped JSON Lines line holds, so that `--from parquet` reads it back to
//! the same trace: the typed columns for queries, and `fields`, the event's JSON object without
//! its clocks, for everything else. Rows are written in Lamport order, a batch of
//! [`BATCH_ROWS`] at a time; at most [`ROW_GROUP_ROWS`] rows are held (built or encoded) at
//! once, across all partitions. This module writes bytes to a `&mut dyn Write` (or hands each
//! partition's bytes to a callback); it opens no file.

use std::io::{self, Write};
use std::sync::Arc;

use arrow_array::builder::{
    ListBuilder, MapBuilder, StringBuilder, TimestampNanosecondBuilder, UInt32Builder,
    UInt64Builder,
};
use arrow_array::{Array as _, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::jsonl::{JsonlWriter, LastClocks, VcMode};
use super::partition::{partition_dir, PartitionBy};
use crate::clock::{self, ClockRef, Engine, LamportEngine, Replay};
use crate::model::{EventIdx, NodeId, Trace};
use crate::order::Causality;
use crate::render::lamport_order_of;

/// Rows per row group at most (1 Mi): also the most rows held in memory at once.
pub const ROW_GROUP_ROWS: usize = 1 << 20;

/// Rows built in Arrow arrays before they are encoded into the open row group.
pub const BATCH_ROWS: usize = 1 << 16;

/// How to write.
#[derive(Clone, Copy, Debug)]
pub struct ParquetOptions {
    /// Which vector-clock column (`vc`, `vc_delta` or none).
    pub vc: VcMode,
    /// Rows per row group at most; also the most rows held at once.
    pub row_group_rows: usize,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        ParquetOptions {
            vc: VcMode::Full,
            row_group_rows: ROW_GROUP_ROWS,
        }
    }
}

/// The Arrow schema of the rows (docs/parquet.md): the vector clock's column is `vc`,
/// `vc_delta`, or absent, as `vc` says.
pub fn schema(vc: VcMode) -> SchemaRef {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    let list = |name: &str| Field::new(name, Columns::list().finish().data_type().clone(), false);
    let mut fields = vec![
        text("id", false),
        text("node", false),
        Field::new("seq", DataType::UInt32, false),
        Field::new("lamport", DataType::UInt64, false),
        text("kind", false),
        text("msg", true),
        Field::new(
            "time",
            TimestampNanosecondBuilder::new()
                .with_timezone("UTC")
                .finish()
                .data_type()
                .clone(),
            true,
        ),
        text("label", true),
        list("keys"),
        list("writes"),
        list("to"),
    ];
    match vc {
        VcMode::Full => fields.push(Field::new(
            "vc",
            Columns::map().finish().data_type().clone(),
            false,
        )),
        VcMode::Delta => fields.push(Field::new(
            "vc_delta",
            Columns::map().finish().data_type().clone(),
            false,
        )),
        VcMode::None => {}
    }
    fields.push(text("fields", false));
    fields.push(text("outside", true));
    Arc::new(Schema::new(fields))
}

/// Writes the stamped events of `trace` as one Parquet file to `w`.
pub fn write_parquet(
    w: &mut dyn Write,
    trace: &Trace,
    causality: &Causality,
    engine: Engine,
    options: ParquetOptions,
) -> io::Result<()> {
    write_rows(trace, causality, engine, options, None, &mut |_, bytes| {
        w.write_all(bytes)
    })
}

/// Writes the stamped events of `trace` as one Parquet file per partition: `sink` gets each
/// file's bytes in order, with the partition's directory name (`node=kv-1`, see
/// [`partition_dir`]). A file's first bytes come in the first call for its directory.
pub fn write_partitions(
    trace: &Trace,
    causality: &Causality,
    engine: Engine,
    options: ParquetOptions,
    by: PartitionBy,
    sink: &mut dyn FnMut(&str, &[u8]) -> io::Result<()>,
) -> io::Result<()> {
    write_rows(trace, causality, engine, options, Some(by), sink)
}

fn io_error(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> io::Error {
    io::Error::other(e)
}

/// The rows of one trace, written in Lamport order into one file or one per partition.
fn write_rows(
    trace: &Trace,
    causality: &Causality,
    engine: Engine,
    options: ParquetOptions,
    by: Option<PartitionBy>,
    sink: &mut dyn FnMut(&str, &[u8]) -> io::Result<()>,
) -> io::Result<()> {
    let lamport = clock::run(trace, causality, LamportEngine::new(trace));
    let order = lamport_order_of(trace, &lamport);
    let mut replay = Replay::new(engine, trace, causality);
    let schema = schema(options.vc);
    let row_group_rows = options.row_group_rows.max(1);
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(row_group_rows))
        .set_created_by(format!("causal {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut partitions = Partitions::new(trace, by);
    let mut files: Vec<File> = Vec::new();
    let mut object = JsonlWriter::new(trace);
    let mut text = Vec::with_capacity(512);
    // Rows held in builders and open row groups, across files.
    let mut held = 0usize;
    for e in order {
        let vc = replay.advance(trace, causality, e);
        let part = partitions.of(e);
        if part == files.len() {
            let writer = ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props.clone()))
                .map_err(io_error)?;
            files.push(File {
                dir: by.map_or_else(String::new, |by| partition_dir(by, partitions.value(part))),
                writer,
                columns: Columns::new(options.vc),
                last: LastClocks::default(),
                started: false,
            });
        }
        let file = &mut files[part];
        text.clear();
        object.write_object(&mut text, e)?;
        file.columns
            .push(trace, e, lamport[e.index()], vc, &text, &mut file.last);
        if file.columns.rows == BATCH_ROWS {
            file.encode(&schema)?;
        }
        held += 1;
        if held >= row_group_rows {
            for file in &mut files {
                file.encode(&schema)?;
                file.writer.flush().map_err(io_error)?;
                file.drain(sink)?;
            }
            held = 0;
        }
    }
    if files.is_empty() && by.is_none() {
        // No events: still a file, with the schema and no rows.
        let writer = ArrowWriter::try_new(Vec::new(), schema.clone(), Some(props.clone()))
            .map_err(io_error)?;
        files.push(File {
            dir: String::new(),
            writer,
            columns: Columns::new(options.vc),
            last: LastClocks::default(),
            started: false,
        });
    }
    for file in &mut files {
        file.encode(&schema)?;
        file.writer.finish().map_err(io_error)?;
        file.drain(sink)?;
    }
    Ok(())
}

/// One output file: its writer (encoding into memory), the rows not yet encoded, and for
/// `vc_delta` each node's last written clock.
struct File {
    dir: String,
    writer: ArrowWriter<Vec<u8>>,
    columns: Columns,
    last: LastClocks,
    started: bool,
}

impl File {
    /// Encodes the built rows into the open row group.
    fn encode(&mut self, schema: &SchemaRef) -> io::Result<()> {
        if self.columns.rows > 0 {
            let batch = self.columns.finish(schema)?;
            self.writer.write(&batch).map_err(io_error)?;
        }
        Ok(())
    }

    /// Hands the bytes written so far to `sink` and forgets them.
    fn drain(&mut self, sink: &mut dyn FnMut(&str, &[u8]) -> io::Result<()>) -> io::Result<()> {
        self.writer.sync()?;
        let bytes = std::mem::take(self.writer.inner_mut());
        if !bytes.is_empty() || !self.started {
            sink(&self.dir, &bytes)?;
            self.started = true;
        }
        Ok(())
    }
}

/// Which file each event goes to.
struct Partitions<'t> {
    trace: &'t Trace,
    by: Option<PartitionBy>,
    /// Each partition's value, in the order they first appear.
    values: Vec<Option<String>>,
    index: std::collections::HashMap<Option<String>, usize>,
    /// Per node, its partition, for partitions that a node never leaves (node, execution).
    of_node: Vec<Option<usize>>,
}

impl<'t> Partitions<'t> {
    fn new(trace: &'t Trace, by: Option<PartitionBy>) -> Self {
        Partitions {
            trace,
            by,
            values: Vec::new(),
            index: std::collections::HashMap::new(),
            of_node: vec![None; trace.nodes.len()],
        }
    }

    fn value(&self, part: usize) -> Option<&str> {
        self.values[part].as_deref()
    }

    /// The partition of event `e` (a new one gets the next number).
    fn of(&mut self, e: EventIdx) -> usize {
        let trace = self.trace;
        let ev = trace.event(e);
        let per_node = matches!(self.by, Some(PartitionBy::Node | PartitionBy::Execution));
        if per_node {
            if let Some(part) = self.of_node[ev.node.index()] {
                return part;
            }
        }
        let value = match self.by {
            None => None,
            Some(PartitionBy::Node) => Some(trace.node_name(ev.node).to_string()),
            Some(PartitionBy::Execution) => execution_of(trace, ev.node),
            Some(PartitionBy::Trace) => match trace.span(e) {
                Some((span, _)) => Some(span.trace_id.to_string()),
                None => string_field(trace, e, "trace_id"),
            },
        };
        let part = match self.index.get(&value) {
            Some(&part) => part,
            None => {
                let part = self.values.len();
                self.index.insert(value.clone(), part);
                self.values.push(value);
                part
            }
        };
        if per_node {
            self.of_node[ev.node.index()] = Some(part);
        }
        part
    }
}

/// The execution a node belongs to: the `execution` field of its events (every event of a
/// node has the same, as the trace builder writes it).
fn execution_of(trace: &Trace, node: NodeId) -> Option<String> {
    let first = *trace.by_node[node.index()].first()?;
    string_field(trace, first, "execution")
}

/// A field of event `e` that is a string.
fn string_field(trace: &Trace, e: EventIdx, key: &str) -> Option<String> {
    match trace.event(e).fields.get(key)? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    }
}

/// The rows being built, one Arrow builder per column.
struct Columns {
    rows: usize,
    id: StringBuilder,
    node: StringBuilder,
    seq: UInt32Builder,
    lamport: UInt64Builder,
    kind: StringBuilder,
    msg: StringBuilder,
    time: TimestampNanosecondBuilder,
    label: StringBuilder,
    keys: ListBuilder<StringBuilder>,
    writes: ListBuilder<StringBuilder>,
    to: ListBuilder<StringBuilder>,
    vc: Option<(VcMode, MapBuilder<StringBuilder, UInt64Builder>)>,
    fields: StringBuilder,
    outside: StringBuilder,
    /// Reused for each row's id, so that no row allocates one.
    text: String,
}

impl Columns {
    fn new(vc: VcMode) -> Self {
        Columns {
            rows: 0,
            id: StringBuilder::new(),
            node: StringBuilder::new(),
            seq: UInt32Builder::new(),
            lamport: UInt64Builder::new(),
            kind: StringBuilder::new(),
            msg: StringBuilder::new(),
            time: TimestampNanosecondBuilder::new().with_timezone("UTC"),
            label: StringBuilder::new(),
            keys: Columns::list(),
            writes: Columns::list(),
            to: Columns::list(),
            vc: (vc != VcMode::None).then(|| (vc, Columns::map())),
            fields: StringBuilder::new(),
            outside: StringBuilder::new(),
            text: String::new(),
        }
    }

    /// A list of strings whose items are never null.
    fn list() -> ListBuilder<StringBuilder> {
        ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
            "item",
            DataType::Utf8,
            false,
        )))
    }

    /// A map from node name to count, counts never null.
    fn map() -> MapBuilder<StringBuilder, UInt64Builder> {
        MapBuilder::new(None, StringBuilder::new(), UInt64Builder::new())
            .with_values_field(Arc::new(Field::new("value", DataType::UInt64, false)))
    }

    /// Adds event `e` with its clocks; `object` is its JSON object without clocks.
    fn push(
        &mut self,
        trace: &Trace,
        e: EventIdx,
        lamport: u64,
        vc: ClockRef<'_>,
        object: &[u8],
        last: &mut LastClocks,
    ) {
        let ev = trace.event(e);
        let node = ev.node;
        self.rows += 1;
        self.text.clear();
        // Writing into a String cannot fail.
        let _ = std::fmt::Write::write_fmt(&mut self.text, format_args!("{}", trace.event_id(e)));
        self.id.append_value(&self.text);
        self.node.append_value(trace.node_name(node));
        // The event's own member of its clock: its position in the node's whole program
        // order, which stamped input of a cut gives and `seq` alone would not.
        let own = match vc.get(node.index()) {
            0 => ev.seq,
            count => count,
        };
        self.seq.append_value(own);
        self.lamport.append_value(lamport);
        self.kind.append_value(ev.kind.as_str());
        self.msg.append_option(ev.msg.as_deref());
        self.time.append_option(ev.time().map(|t| t.0));
        self.label.append_option(ev.label.as_deref());
        let name = |k: &crate::model::KeyId| trace.key_name(*k);
        self.keys
            .append_value(ev.writes().iter().chain(ev.reads()).map(name).map(Some));
        self.writes
            .append_value(ev.writes().iter().map(name).map(Some));
        self.to
            .append_value(ev.to().iter().map(|t| Some(t.as_ref())));
        match &mut self.vc {
            None => {}
            Some((VcMode::Full, map)) => {
                for (n, count) in vc.entries() {
                    map.keys().append_value(trace.node_name(n));
                    map.values().append_value(u64::from(count));
                }
                map.append(true)
                    .expect("keys and values are appended in pairs");
            }
            Some((_, map)) => {
                let members = vc.entries().map(|(n, c)| (n.0, c));
                last.for_changed(node.index(), members, |n, count| {
                    map.keys().append_value(trace.node_name(NodeId(n)));
                    map.values().append_value(u64::from(count));
                });
                map.append(true)
                    .expect("keys and values are appended in pairs");
            }
        }
        // The writer writes JSON, which is UTF-8.
        self.fields
            .append_value(std::str::from_utf8(object).unwrap_or_default());
        self.outside.append_option(ev.flags.outside());
    }

    /// The rows built so far as a batch; the builders start empty again.
    fn finish(&mut self, schema: &SchemaRef) -> io::Result<RecordBatch> {
        self.rows = 0;
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.node.finish()),
            Arc::new(self.seq.finish()),
            Arc::new(self.lamport.finish()),
            Arc::new(self.kind.finish()),
            Arc::new(self.msg.finish()),
            Arc::new(self.time.finish()),
            Arc::new(self.label.finish()),
            Arc::new(self.keys.finish()),
            Arc::new(self.writes.finish()),
            Arc::new(self.to.finish()),
        ];
        if let Some((_, map)) = &mut self.vc {
            columns.push(Arc::new(map.finish()));
        }
        columns.push(Arc::new(self.fields.finish()));
        columns.push(Arc::new(self.outside.finish()));
        RecordBatch::try_new(schema.clone(), columns).map_err(io_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Input;
    use crate::parse::{parse_inputs, ParseOptions};
    use parquet::file::reader::{FileReader, SerializedFileReader};

    /// Stamps `n` events on three nodes and writes them with row groups of `rows`.
    fn written(n: usize, rows: usize, by: Option<PartitionBy>) -> Vec<(String, Vec<u8>)> {
        let text: String = (0..n)
            .map(|i| format!("{{\"node\":\"n{}\",\"label\":\"e{i}\"}}\n", i % 3))
            .collect();
        let input = Input::from_bytes("t.jsonl", text.into_bytes());
        let trace = parse_inputs([Ok(input)], &ParseOptions::default())
            .unwrap()
            .trace;
        let causality = crate::order::causal_order(&trace).unwrap();
        let options = ParquetOptions {
            vc: VcMode::Full,
            row_group_rows: rows,
        };
        let mut files: Vec<(String, Vec<u8>)> = Vec::new();
        let mut sink = |dir: &str, bytes: &[u8]| {
            match files.iter_mut().find(|(d, _)| d == dir) {
                Some((_, b)) => b.extend_from_slice(bytes),
                None => files.push((dir.to_string(), bytes.to_vec())),
            }
            Ok(())
        };
        write_rows(&trace, &causality, Engine::Flat, options, by, &mut sink).unwrap();
        files
    }

    fn row_groups(bytes: &[u8]) -> Vec<i64> {
        let reader = SerializedFileReader::new(bytes::Bytes::from(bytes.to_vec())).unwrap();
        reader
            .metadata()
            .row_groups()
            .iter()
            .map(|g| g.num_rows())
            .collect()
    }

    #[test]
    fn row_groups_hold_at_most_the_limit() {
        let files = written(10, 4, None);
        assert_eq!(files.len(), 1);
        assert_eq!(row_groups(&files[0].1), [4, 4, 2]);
    }

    #[test]
    fn partitions_together_hold_at_most_the_limit_at_once() {
        // 3 nodes, 12 events, at most 6 rows held: each file's row group closes when the
        // files together hold 6.
        let files = written(12, 6, Some(PartitionBy::Node));
        let dirs: Vec<&str> = files.iter().map(|(d, _)| d.as_str()).collect();
        assert_eq!(dirs, ["node=n0", "node=n1", "node=n2"]);
        for (_, bytes) in &files {
            assert_eq!(row_groups(bytes), [2, 2]);
        }
    }

    #[test]
    fn no_events_make_a_file_with_the_schema_and_no_rows() {
        let files = written(0, 4, None);
        assert_eq!(files.len(), 1);
        assert!(files[0].1.starts_with(b"PAR1"));
        assert_eq!(row_groups(&files[0].1), Vec::<i64>::new());
    }
}
