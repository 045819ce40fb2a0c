//! `causal gen`: write a seeded synthetic trace to standard output or one file per node.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use super::{Context, Outcome};
use crate::cli::{GenArgs, HistoryOut};
use causal_core::analysis::lin::ModelKind;
use causal_core::error::Error;
use causal_core::gen::{generate, node_names, offsets, GenConfig, Sink};
use causal_core::history::gen::{generate_history, GenFormat, GenModel, HistoryConfig, Plant};

/// Generates the trace and, when asked, the file of true clock offsets.
pub fn run(args: &GenArgs, ctx: &mut Context<'_>) -> Result<Outcome> {
    if let Some(model) = args.history {
        return run_history(args, model, ctx);
    }
    let config = config(args)?;
    let lost = match &args.lost {
        Some(path) => Some(LostFile::create(path, node_names(config.nodes))?),
        None => None,
    };
    let lost = match &args.split {
        None => {
            let mut sink = Recording {
                inner: &mut ctx.out,
                lost,
            };
            generate(&config, &mut sink)?;
            sink.lost
        }
        Some(dir) => {
            fs::create_dir_all(dir).map_err(|error| Error::Io {
                path: dir.display().to_string(),
                error,
            })?;
            let mut sink = Recording {
                inner: SplitSink::new(dir, node_names(config.nodes)),
                lost,
            };
            generate(&config, &mut sink)?;
            sink.inner.flush_all()?;
            sink.lost
        }
    };
    if let Some(mut lost) = lost {
        lost.out.flush().map_err(|error| Error::Io {
            path: lost.path.display().to_string(),
            error,
        })?;
    }
    if let Some(path) = &args.offsets {
        write_offsets(path, &config)?;
    }
    Ok(Outcome::Clean)
}

fn config(args: &GenArgs) -> Result<GenConfig, Error> {
    let probability = |name: &str, p: f64| {
        if (0.0..=1.0).contains(&p) {
            Ok(p)
        } else {
            Err(Error::Usage(format!(
                "--{name} must be between 0 and 1, found {p}"
            )))
        }
    };
    if !(1..=1_000_000).contains(&args.nodes) {
        return Err(Error::Usage(format!(
            "--nodes must be between 1 and 1000000, found {}",
            args.nodes
        )));
    }
    if !(0.0..=3600.0).contains(&args.max_offset) {
        return Err(Error::Usage(format!(
            "--max-offset must be between 0 and 3600 seconds, found {}",
            args.max_offset
        )));
    }
    Ok(GenConfig {
        nodes: args.nodes,
        events: args.events,
        seed: args.seed,
        keys: args.keys,
        msg_ratio: probability("msg-ratio", args.msg_ratio)?,
        loss: probability("loss", args.loss)?,
        max_offset_ns: (args.max_offset * 1e9).round() as i64,
    })
}

/// A sink that also records the lost copies of messages, when asked.
struct Recording<S> {
    inner: S,
    lost: Option<LostFile>,
}

impl<S: Sink> Sink for Recording<S> {
    fn line(&mut self, node: u32, line: &[u8]) -> io::Result<()> {
        self.inner.line(node, line)
    }

    fn lost(&mut self, msg: u64, from: u32, to: u32) -> io::Result<()> {
        match &mut self.lost {
            Some(file) => file.record(msg, from, to),
            None => Ok(()),
        }
    }
}

/// `gen --lost FILE`: `{"msg":"m17","from":"n3","to":"n5"}` per lost copy.
struct LostFile {
    path: PathBuf,
    out: io::BufWriter<File>,
    names: Vec<String>,
}

impl LostFile {
    fn create(path: &Path, names: Vec<String>) -> Result<LostFile, Error> {
        let file = File::create(path).map_err(|error| Error::Io {
            path: path.display().to_string(),
            error,
        })?;
        Ok(LostFile {
            path: path.to_path_buf(),
            out: io::BufWriter::new(file),
            names,
        })
    }

    fn record(&mut self, msg: u64, from: u32, to: u32) -> io::Result<()> {
        writeln!(
            self.out,
            "{{\"msg\":\"m{msg}\",\"from\":\"{}\",\"to\":\"{}\"}}",
            self.names[from as usize], self.names[to as usize]
        )
    }
}

/// `{"version":1,"unit":"ns","offsets":{"n0":-1234,...}}`: each node's clock minus true time.
fn write_offsets(path: &Path, config: &GenConfig) -> Result<()> {
    let names = node_names(config.nodes);
    let offsets: serde_json::Map<String, serde_json::Value> = names
        .into_iter()
        .zip(offsets(config))
        .map(|(n, o)| (n, o.into()))
        .collect();
    let doc = serde_json::json!({"version": 1, "unit": "ns", "offsets": offsets});
    fs::write(path, format!("{doc}\n"))
        .with_context(|| format!("{}: cannot write the offsets", path.display()))
}

/// One file per node, `DIR/<node>.jsonl`, written through per-node buffers so that a thousand
/// nodes need no thousand open files.
struct SplitSink {
    dir: PathBuf,
    names: Vec<String>,
    buffers: Vec<Vec<u8>>,
    started: Vec<bool>,
}

const SPLIT_BUFFER: usize = 32 * 1024;

impl SplitSink {
    fn new(dir: &Path, names: Vec<String>) -> SplitSink {
        SplitSink {
            dir: dir.to_path_buf(),
            buffers: vec![Vec::new(); names.len()],
            started: vec![false; names.len()],
            names,
        }
    }

    fn flush(&mut self, node: usize) -> io::Result<()> {
        let path = self.dir.join(format!("{}.jsonl", self.names[node]));
        // The first write of a run truncates what an earlier run left.
        let mut file = if std::mem::replace(&mut self.started[node], true) {
            OpenOptions::new().append(true).open(&path)
        } else {
            File::create(&path)
        }
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        file.write_all(&self.buffers[node])?;
        self.buffers[node].clear();
        Ok(())
    }

    fn flush_all(&mut self) -> io::Result<()> {
        for node in 0..self.buffers.len() {
            if !self.buffers[node].is_empty() {
                self.flush(node)?;
            }
        }
        Ok(())
    }
}

impl Sink for SplitSink {
    fn line(&mut self, node: u32, line: &[u8]) -> io::Result<()> {
        let node = node as usize;
        self.buffers[node].extend_from_slice(line);
        if self.buffers[node].len() >= SPLIT_BUFFER {
            self.flush(node)?;
        }
        Ok(())
    }
}

/// `gen --history`: a seeded operation history on standard output.
fn run_history(args: &GenArgs, model: ModelKind, ctx: &mut Context<'_>) -> Result<Outcome> {
    if !(0.0..=1.0).contains(&args.info) {
        return Err(Error::Usage(format!(
            "--info must be between 0 and 1, found {}",
            args.info
        ))
        .into());
    }
    for (name, n) in [
        ("processes", args.processes),
        ("values", args.values),
        ("keys", args.keys),
    ] {
        if n == 0 {
            return Err(Error::Usage(format!("--{name} must be at least 1")).into());
        }
    }
    let config = HistoryConfig {
        model: match model {
            ModelKind::Register => GenModel::Register,
            ModelKind::CasRegister => GenModel::CasRegister,
            ModelKind::Kv => GenModel::Kv,
        },
        ops: args.ops,
        processes: args.processes,
        keys: args.keys,
        values: args.values,
        info: args.info,
        violation: if args.stale_read {
            Some(Plant::StaleRead)
        } else if args.lost_update {
            Some(Plant::LostUpdate)
        } else {
            None
        },
        seed: args.seed,
        format: match args.history_format {
            HistoryOut::Edn => GenFormat::Edn,
            HistoryOut::Jsonl => GenFormat::Json,
        },
    };
    generate_history(&config, &mut ctx.out)?;
    Ok(Outcome::Clean)
}
