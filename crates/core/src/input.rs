//! Opening inputs: a file or `-` for standard input, gzip or not, read as numbered lines of
//! UTF-8 or as one document.
//!
//! This layer knows bytes and lines, not formats: parsers in `parse/` get `(line, text)` pairs
//! or the whole text. Gzip is recognised by its magic bytes (standard input too), and line
//! numbers count lines of the decompressed text.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{Error, InputError, Result};

/// The error for an input with more lines than line numbers count (`u32`).
pub fn too_many_lines(name: &str) -> InputError {
    InputError::new(name, 0, format!("expected at most {} lines", u32::MAX))
}

/// A 1-based column (or line) for a message from a 0-based count of characters: past
/// `u32::MAX` it stays there, as the message is about something else already.
pub fn position(count: usize) -> u32 {
    u32::try_from(count).map_or(u32::MAX, |c| c.saturating_add(1))
}

/// A line or column that is already 1-based, for a message: past `u32::MAX` it stays there.
pub fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Line `first + offset`, or the error for an input with more lines than `u32` counts.
pub fn line_number(name: &str, first: u32, offset: usize) -> Result<u32, InputError> {
    u32::try_from(offset)
        .ok()
        .and_then(|o| first.checked_add(o))
        .ok_or_else(|| too_many_lines(name))
}

/// Calls `f` with each line of `bytes` (whose first line is number `first_line`), without its
/// `\n` or `\r\n`; invalid UTF-8 is an error naming the line and column, as in
/// [`Input::for_each_line`].
pub fn for_each_line_of(
    name: &str,
    bytes: &[u8],
    first_line: u32,
    mut f: impl FnMut(u32, &str) -> Result<()>,
) -> Result<()> {
    let mut offset = 0usize;
    let mut rest = bytes;
    while !rest.is_empty() {
        let line_no = line_number(name, first_line, offset)?;
        let end = memchr::memchr(b'\n', rest);
        let (mut line, next) = match end {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        if line.last() == Some(&b'\r') {
            line = &line[..line.len() - 1];
        }
        let text = std::str::from_utf8(line).map_err(|e| {
            let good = std::str::from_utf8(&line[..e.valid_up_to()]).unwrap_or("");
            InputError::new(
                name,
                line_no,
                format!(
                    "expected UTF-8 text, found byte 0x{:02x}",
                    line[e.valid_up_to()]
                ),
            )
            .at_column(Some(position(good.chars().count())))
        })?;
        f(line_no, text)?;
        offset += 1;
        rest = next;
    }
    Ok(())
}

/// The name used for standard input in messages.
pub const STDIN_NAME: &str = "<stdin>";

/// An opened input: its display name, the node name its file stem suggests, and its bytes.
pub struct Input {
    /// The file as the user named it, or `<stdin>`.
    pub name: String,
    /// The node name taken from the file stem (`logs/db-2.jsonl` gives `db-2`); none for stdin.
    pub stem: Option<String>,
    /// The file it was opened from; none for standard input and bytes in memory.
    path: Option<PathBuf>,
    reader: Box<dyn Buffered>,
    /// The file's size in bytes, when it is a plain file.
    size: Option<u64>,
    /// Whether the bytes are gzip-compressed (then `size` says little about the text).
    gzip: bool,
}

/// A buffered reader that tells whether it holds a whole line: when not, reading the next line
/// may wait for the writer.
trait Buffered: BufRead {
    fn holds_line(&self) -> bool;
}

impl<R: Read> Buffered for BufReader<R> {
    fn holds_line(&self) -> bool {
        memchr::memchr(b'\n', self.buffer()).is_some()
    }
}

/// Counts the bytes read through it into a shared counter, for progress bars.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl Input {
    /// Opens `path`, or standard input when it is `-`.
    pub fn open(path: &Path) -> Result<Input> {
        Input::open_counted(path, None)
    }

    /// Opens `path` like [`Input::open`], adding the bytes read (before decompression) to
    /// `count` when given.
    pub fn open_counted(path: &Path, count: Option<Arc<AtomicU64>>) -> Result<Input> {
        if path.as_os_str() == "-" {
            let stdin = io::stdin().lock();
            return Ok(match count {
                Some(count) => Input::from_reader(
                    STDIN_NAME,
                    None,
                    Counting {
                        inner: stdin,
                        count,
                    },
                ),
                None => Input::from_reader(STDIN_NAME, None, stdin),
            });
        }
        let name = path.display().to_string();
        let file = File::open(path).map_err(|error| Error::Io {
            path: name.clone(),
            error,
        })?;
        let stem = node_name_from_path(path);
        let size = file
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        let mut input = match count {
            Some(count) => Input::from_reader(&name, stem, Counting { inner: file, count }),
            None => Input::from_reader(&name, stem, file),
        };
        input.size = size;
        input.path = Some(path.to_path_buf());
        Ok(input)
    }

    /// Wraps any reader (used by tests and by callers that already hold the bytes);
    /// gzip-compressed bytes are decompressed.
    pub fn from_reader(name: &str, stem: Option<String>, reader: impl Read + 'static) -> Input {
        let mut buffered = BufReader::with_capacity(1 << 16, reader);
        let gzip = matches!(buffered.fill_buf(), Ok(b) if b.starts_with(&[0x1f, 0x8b]));
        let reader: Box<dyn Buffered> = if gzip {
            Box::new(BufReader::with_capacity(
                1 << 16,
                flate2::bufread::MultiGzDecoder::new(buffered),
            ))
        } else {
            Box::new(buffered)
        };
        Input {
            name: name.to_string(),
            stem,
            path: None,
            reader,
            size: None,
            gzip,
        }
    }

    /// Bytes already in memory, named `name` in messages, with the node name that `name` would
    /// suggest as a file's (`a.jsonl` gives `a`); gzip-compressed bytes are decompressed. For
    /// callers that hold the input rather than a path (fuzzing, embedding).
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Input {
        let stem = node_name_from_path(Path::new(name));
        Input::from_reader(name, stem, io::Cursor::new(bytes))
    }

    /// The file the input was opened from: none for standard input and in-memory bytes, which
    /// have no neighbouring files (a `.regex` or `.delimiter` next to a log).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The first bytes of the (decompressed) input, without consuming them; empty at the end.
    pub fn peek(&mut self) -> Result<&[u8]> {
        let name = &self.name;
        self.reader.fill_buf().map_err(|error| Error::Io {
            path: name.clone(),
            error,
        })
    }

    /// About how many lines the input holds, from its size and the lines in its first
    /// buffered bytes; `None` for standard input, pipes and gzip (their size is unknown).
    pub fn estimated_lines(&mut self) -> Option<u64> {
        let size = self.size.filter(|_| !self.gzip)?;
        let head = self.peek().ok()?;
        let lines = memchr::memchr_iter(b'\n', head).count() as u64;
        // Too few lines to go by (a header, one long line): no estimate. At most one line per
        // 16 bytes, so that short lines at the start cannot ask for a huge table; too low an
        // estimate only means that the table grows.
        if lines < 16 {
            return None;
        }
        Some((size * lines / head.len() as u64 + 1).min(size / 16))
    }

    /// Calls `f` with blocks of whole lines, about `size` bytes each, and the number of the
    /// first line of each block; for parsers that split the work across threads.
    pub fn for_each_block(
        &mut self,
        size: usize,
        mut f: impl FnMut(u32, &[u8]) -> Result<()>,
    ) -> Result<()> {
        let mut block = Vec::with_capacity(size + 4096);
        let mut first_line: u32 = 1;
        let mut lines = 0usize;
        loop {
            if lines > 0 {
                // The lines of the previous block are counted; this block starts after them.
                first_line = line_number(&self.name, first_line, lines)?;
            }
            block.clear();
            lines = 0;
            while block.len() < size {
                let n = self
                    .reader
                    .read_until(b'\n', &mut block)
                    .map_err(|error| Error::Io {
                        path: self.name.clone(),
                        error,
                    })?;
                if n == 0 {
                    break;
                }
                lines += 1;
            }
            if block.is_empty() {
                return Ok(());
            }
            f(first_line, &block)?;
        }
    }

    /// The whole remaining (decompressed) bytes, for binary formats read at random (Parquet).
    pub fn read_to_bytes(&mut self) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.reader
            .read_to_end(&mut bytes)
            .map_err(|error| Error::Io {
                path: self.name.clone(),
                error,
            })?;
        Ok(bytes)
    }

    /// The whole remaining text, for formats that are one document (a JSON trace).
    ///
    /// Invalid UTF-8 is an error naming the line and column of the first bad byte, and so is
    /// a text of more lines than `u32` counts: every line number in it fits.
    pub fn read_to_string(&mut self) -> Result<String> {
        let bytes = self.read_to_bytes()?;
        if memchr::memchr_iter(b'\n', &bytes).count() >= u32::MAX as usize {
            return Err(too_many_lines(&self.name).into());
        }
        String::from_utf8(bytes).map_err(|e| {
            let bytes = e.as_bytes();
            let bad = e.utf8_error().valid_up_to();
            let line_start = bytes[..bad]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let line = position(memchr::memchr_iter(b'\n', &bytes[..bad]).count());
            let column = position(
                String::from_utf8_lossy(&bytes[line_start..bad])
                    .chars()
                    .count(),
            );
            InputError::new(
                &self.name,
                line,
                format!("expected UTF-8 text, found byte 0x{:02x}", bytes[bad]),
            )
            .at_column(Some(column))
            .into()
        })
    }

    /// Calls `f` with each line's 1-based number and text, without its `\n` or `\r\n`.
    ///
    /// Invalid UTF-8 is an error naming the line and the column of the first bad byte.
    pub fn for_each_line(&mut self, mut f: impl FnMut(u32, &str) -> Result<()>) -> Result<()> {
        self.for_each_line_live(|line, text, _| f(line, text))
    }

    /// Like [`Input::for_each_line`], also telling `f` whether the line was the last whole one
    /// read so far: then reading the next may wait for a writer (`tail -f`, or a writer that
    /// flushes in blocks, mid-line), and output that follows the input live should be flushed
    /// now. Reading a file, that is about once per 64 KiB.
    pub fn for_each_line_live(
        &mut self,
        mut f: impl FnMut(u32, &str, bool) -> Result<()>,
    ) -> Result<()> {
        let mut buf = Vec::with_capacity(256);
        let mut read = 0usize;
        loop {
            buf.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut buf)
                .map_err(|error| Error::Io {
                    path: self.name.clone(),
                    error,
                })?;
            if n == 0 {
                return Ok(());
            }
            let line_no = line_number(&self.name, 1, read)?;
            read += 1;
            if buf.last() == Some(&b'\n') {
                buf.pop();
                if buf.last() == Some(&b'\r') {
                    buf.pop();
                }
            }
            let text = std::str::from_utf8(&buf).map_err(|e| {
                let good = std::str::from_utf8(&buf[..e.valid_up_to()]).unwrap_or("");
                InputError::new(
                    &self.name,
                    line_no,
                    format!(
                        "expected UTF-8 text, found byte 0x{:02x}",
                        buf[e.valid_up_to()]
                    ),
                )
                .at_column(Some(position(good.chars().count())))
            })?;
            f(line_no, text, !self.reader.holds_line())?;
        }
    }
}

/// The node name a file's stem suggests: `logs/db-2.jsonl` gives `db-2`.
pub fn node_name_from_path(path: &Path) -> Option<String> {
    let mut stem = path.file_stem()?.to_string_lossy().into_owned();
    // `x.jsonl.gz` should name node `x`, not `x.jsonl`.
    if path.extension().is_some_and(|e| e == "gz") {
        if let Some((base, _)) = stem.rsplit_once('.') {
            stem = base.to_string();
        }
    }
    (!stem.is_empty()).then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_past_u32_are_an_error_naming_the_file() {
        assert_eq!(line_number("x", 7, 3).unwrap(), 10);
        assert_eq!(line_number("x", u32::MAX - 1, 1).unwrap(), u32::MAX);
        let err = line_number("x", u32::MAX - 1, 2).unwrap_err();
        assert_eq!(err.to_string(), "x: expected at most 4294967295 lines");
        let mut seen = Vec::new();
        let err = for_each_line_of("x", b"a\nb\nc\n", u32::MAX - 1, |line, text| {
            seen.push((line, text.to_string()));
            Ok(())
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "x: expected at most 4294967295 lines");
        assert_eq!(seen.len(), 2, "the lines that fit are read");
        assert_eq!(position(0), 1);
        assert_eq!(position(usize::MAX), u32::MAX);
    }

    fn lines(bytes: &'static [u8]) -> Result<Vec<(u32, String)>> {
        let mut input = Input::from_reader("t", None, bytes);
        let mut out = Vec::new();
        input.for_each_line(|n, s| {
            out.push((n, s.to_string()));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn lines_are_numbered_and_crlf_is_stripped() {
        let got = lines(b"a\r\n\nb").unwrap();
        assert_eq!(got, vec![(1, "a".into()), (2, "".into()), (3, "b".into())]);
    }

    #[test]
    fn invalid_utf8_names_line_and_column() {
        let err = lines(b"ok\nab\xff\n").unwrap_err().to_string();
        assert_eq!(err, "t:2:3: expected UTF-8 text, found byte 0xff");
    }

    #[test]
    fn gzip_is_recognised_by_its_magic_bytes() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"one\ntwo\n").unwrap();
        let bytes: &'static [u8] = Box::leak(enc.finish().unwrap().into_boxed_slice());
        assert_eq!(
            lines(bytes).unwrap(),
            vec![(1, "one".into()), (2, "two".into())]
        );
    }

    #[test]
    fn whole_documents_report_bad_utf8_by_line() {
        let mut input = Input::from_reader("d.json", None, &b"{\n  \"a\": \"\xff\"\n}"[..]);
        let err = input.read_to_string().unwrap_err().to_string();
        assert_eq!(err, "d.json:2:9: expected UTF-8 text, found byte 0xff");
    }

    #[test]
    fn node_names_come_from_file_stems() {
        assert_eq!(
            node_name_from_path(Path::new("logs/db-2.jsonl")).as_deref(),
            Some("db-2")
        );
        assert_eq!(
            node_name_from_path(Path::new("x.jsonl.gz")).as_deref(),
            Some("x")
        );
    }
}
