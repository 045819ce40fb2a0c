//! Parquet input: the files `stamp --format parquet` writes (docs/parquet.md), read back to
//! the trace their stamped JSON Lines would give.
//!
//! Each row becomes the stamped line it stands for (its `fields` object, then `lamport`, the
//! vector clock and `outside`) and is read by the stamped JSON Lines reader, so both formats
//! share one reading of every field. Rows count as lines in messages. A file without a vector
//! clock column (`--vc none`) is read as ordinary events, its clocks computed again, as its
//! JSON Lines would be. This module reads no other file and computes no clock.

use std::fmt::Write as _;

use arrow_array::cast::AsArray as _;
use arrow_array::types::UInt64Type;
use arrow_array::{Array, MapArray, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use super::jsonl;
use super::FileContext;
use crate::error::{InputError, Result};
use crate::input::{too_many_lines, Input};
use crate::model::TraceBuilder;

/// The magic bytes a Parquet file starts (and ends) with.
pub const MAGIC: &[u8; 4] = b"PAR1";

/// Whether the first bytes of an input are a Parquet file's.
pub fn is_parquet(head: &[u8]) -> bool {
    head.starts_with(MAGIC)
}

/// Rows decoded at a time.
const BATCH: usize = 8192;

/// What a file must hold, for messages.
const EXPECTED: &str = "a Parquet file as causal stamp --format parquet writes it";

/// The columns read, by their index in the file's schema.
struct Layout {
    id: usize,
    node: usize,
    lamport: usize,
    fields: usize,
    /// The vector clock's column and its name (`vc` or `vc_delta`), when there is one.
    vc: Option<(usize, &'static str)>,
    outside: Option<usize>,
}

/// Reads every row of `input` as one event; returns whether the file is stamped (it has a
/// vector clock column, so its clocks are taken as given).
pub fn parse(input: &mut Input, ctx: &FileContext<'_>, builder: &mut TraceBuilder) -> Result<bool> {
    let bytes = input.read_to_bytes()?;
    let reader = quietly(|| ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)))
        .and_then(|r| r.map_err(|e| e.to_string()))
        .map_err(|e| ctx.error(0, format!("expected {EXPECTED}: {e}")))?;
    let layout = layout(reader.schema(), ctx)?;
    let mut roots = vec![layout.id, layout.node, layout.lamport, layout.fields];
    roots.extend(layout.vc.map(|(i, _)| i));
    roots.extend(layout.outside);
    let mask = ProjectionMask::roots(reader.parquet_schema(), roots);
    let mut batches = reader
        .with_projection(mask)
        .with_batch_size(BATCH)
        .build()
        .map_err(|e| ctx.error(0, format!("expected {EXPECTED}: {e}")))?;
    // The projected batches hold the chosen columns in schema order.
    let mut order: Vec<(usize, &str)> = vec![
        (layout.id, "id"),
        (layout.node, "node"),
        (layout.lamport, "lamport"),
        (layout.fields, "fields"),
    ];
    order.extend(layout.vc);
    order.extend(layout.outside.map(|i| (i, "outside")));
    order.sort_unstable();
    let at = |name: &str| order.iter().position(|&(_, n)| n == name);
    let mut row: u64 = 0;
    let mut line = String::with_capacity(512);
    let unreadable = |e: String| {
        ctx.error(
            0,
            format!("expected {EXPECTED}, but its data cannot be read: {e}"),
        )
    };
    while let Some(batch) = quietly(|| batches.next()).map_err(unreadable)? {
        let batch = batch.map_err(|e| unreadable(e.to_string()))?;
        let columns = BatchColumns::of(&batch, &at, layout.vc.map(|(_, name)| name));
        for i in 0..batch.num_rows() {
            row += 1;
            let number = u32::try_from(row).map_err(|_| too_many_lines(ctx.name))?;
            columns
                .line(i, &mut line)
                .map_err(|m| ctx.error(number, m))?;
            let raw = if layout.vc.is_some() {
                jsonl::parse_stamped_line(&line, number, ctx)
            } else {
                jsonl::parse_line(&line, number, ctx)
            }
            // A column would point into the line made from the row, which nobody sees.
            .map_err(|e| e.at_column(None))?;
            let id = columns.id.value(i);
            if raw.id.as_deref().is_some_and(|given| given != id) {
                return Err(ctx
                    .error(
                        number,
                        format!(
                            "expected column \"id\" ({id:?}) to agree with \"fields\" ({:?})",
                            raw.id.as_deref().unwrap_or_default()
                        ),
                    )
                    .into());
            }
            let node = columns.node.value(i);
            if raw.node != node {
                return Err(ctx
                    .error(
                        number,
                        format!(
                            "expected column \"node\" ({node:?}) to agree with \"fields\" ({:?})",
                            raw.node
                        ),
                    )
                    .into());
            }
            builder.push(ctx.index, raw);
        }
    }
    Ok(layout.vc.is_some())
}

/// Runs `decode`, turning a panic inside it into an error: arrow-rs 60 unwraps on some
/// malformed files (a map whose keys and values differ in length, found by mutating a file),
/// and bad input must never crash `causal`. The panic hook is silenced meanwhile, so that
/// nothing is printed; parsing runs no other thread then.
fn quietly<T>(decode: impl FnOnce() -> T) -> Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode));
    std::panic::set_hook(hook);
    result.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("the decoder failed")
            .to_string()
    })
}

/// Finds the columns `causal` reads and checks their types.
fn layout(schema: &Schema, ctx: &FileContext<'_>) -> Result<Layout, InputError> {
    let wrong = |name: &str, want: &str, found: &DataType| {
        ctx.error(
            0,
            format!("expected {EXPECTED}: column {name:?} should be {want}, found {found}"),
        )
    };
    let find = |name: &str| schema.index_of(name).ok();
    let required = |name: &str, want: &DataType, spelled: &str| -> Result<usize, InputError> {
        let Some(i) = find(name) else {
            return Err(ctx.error(
                0,
                format!(
                    "expected {EXPECTED}, with columns id, node, lamport and fields (and vc or \
                     vc_delta); found no column {name:?}"
                ),
            ));
        };
        let found = schema.field(i).data_type();
        if found == want {
            Ok(i)
        } else {
            Err(wrong(name, spelled, found))
        }
    };
    let id = required("id", &DataType::Utf8, "a string (utf8)")?;
    let node = required("node", &DataType::Utf8, "a string (utf8)")?;
    let lamport = required("lamport", &DataType::UInt64, "uint64")?;
    let fields = required("fields", &DataType::Utf8, "a string (utf8, a JSON object)")?;
    let vc = match (find("vc"), find("vc_delta")) {
        (Some(_), Some(_)) => {
            return Err(ctx.error(
                0,
                format!("expected {EXPECTED}: a column \"vc\" or \"vc_delta\", not both"),
            ))
        }
        (Some(i), None) => Some((i, "vc")),
        (None, Some(i)) => Some((i, "vc_delta")),
        (None, None) => None,
    };
    if let Some((i, name)) = vc {
        let found = schema.field(i).data_type();
        let fits = match found {
            DataType::Map(entries, _) => match entries.data_type() {
                DataType::Struct(kv) => {
                    kv.len() == 2
                        && kv[0].data_type() == &DataType::Utf8
                        && kv[1].data_type() == &DataType::UInt64
                }
                _ => false,
            },
            _ => false,
        };
        if !fits {
            return Err(wrong(name, "a map from string to uint64", found));
        }
    }
    let outside = match find("outside") {
        None => None,
        Some(i) if schema.field(i).data_type() == &DataType::Utf8 => Some(i),
        Some(i) => {
            return Err(wrong(
                "outside",
                "a string (utf8)",
                schema.field(i).data_type(),
            ))
        }
    };
    Ok(Layout {
        id,
        node,
        lamport,
        fields,
        vc,
        outside,
    })
}

/// One batch's columns, typed.
struct BatchColumns<'b> {
    id: &'b StringArray,
    node: &'b StringArray,
    lamport: &'b UInt64Array,
    fields: &'b StringArray,
    vc: Option<(&'b MapArray, &'static str)>,
    outside: Option<&'b StringArray>,
}

impl<'b> BatchColumns<'b> {
    fn of(
        batch: &'b RecordBatch,
        at: &dyn Fn(&str) -> Option<usize>,
        vc: Option<&'static str>,
    ) -> Self {
        // `layout` checked every type, and the projection keeps schema order.
        let column = |name: &str| batch.column(at(name).expect("a projected column"));
        BatchColumns {
            id: column("id").as_string::<i32>(),
            node: column("node").as_string::<i32>(),
            lamport: column("lamport").as_primitive::<UInt64Type>(),
            fields: column("fields").as_string::<i32>(),
            vc: vc.map(|name| (column(name).as_map(), name)),
            outside: at("outside").map(|i| batch.column(i).as_string::<i32>()),
        }
    }

    /// Writes row `i` as the stamped JSON line it stands for into `line`.
    fn line(&self, i: usize, line: &mut String) -> Result<(), String> {
        line.clear();
        let null = |name: &str| format!("expected column {name:?} to hold a value, found null");
        for (column, name) in [
            (self.id, "id"),
            (self.node, "node"),
            (self.fields, "fields"),
        ] {
            if column.is_null(i) {
                return Err(null(name));
            }
        }
        if self.lamport.is_null(i) {
            return Err(null("lamport"));
        }
        let fields = self.fields.value(i).trim();
        let inner = fields
            .strip_prefix('{')
            .and_then(|f| f.strip_suffix('}'))
            .ok_or_else(|| {
                format!(
                    "expected column \"fields\" to hold a JSON object, found {:?}",
                    crate::render::fmt::one_line(&fields.chars().take(40).collect::<String>())
                )
            })?;
        line.push('{');
        line.push_str(inner);
        if !inner.trim().is_empty() {
            line.push(',');
        }
        let _ = write!(line, "\"lamport\":{}", self.lamport.value(i));
        if let Some((map, name)) = self.vc {
            if map.is_null(i) {
                return Err(null(name));
            }
            let _ = write!(line, ",\"{name}\":{{");
            let entries = map.value(i);
            let nodes = entries.column(0).as_string::<i32>();
            let counts = entries.column(1).as_primitive::<UInt64Type>();
            for k in 0..entries.len() {
                if nodes.is_null(k) || counts.is_null(k) {
                    return Err(format!(
                        "expected column {name:?} to map node names to counts, found null"
                    ));
                }
                if k > 0 {
                    line.push(',');
                }
                line.push_str(&serde_json::Value::from(nodes.value(k)).to_string());
                let _ = write!(line, ":{}", counts.value(k));
            }
            line.push('}');
        }
        if let Some(outside) = self.outside.filter(|o| !o.is_null(i)) {
            line.push_str(",\"outside\":");
            line.push_str(&serde_json::Value::from(outside.value(i)).to_string());
        }
        line.push('}');
        Ok(())
    }
}
