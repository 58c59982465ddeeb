//! An export's file read line by line with bounded memory, plain or gzip, from where a checkpoint left off.

use std::{
    fs::File,
    io::{BufRead, BufReader, Read, Seek, SeekFrom},
    path::{Path, PathBuf},
};

use anyhow::Context;
use flate2::read::MultiGzDecoder;

/// Longer lines are rejected, never held whole.
pub const MAX_LINE: usize = 64 * 1024;

/// `<name>.jsonl` or `<name>.jsonl.gz` in `dir`, if there is one.
pub fn find(dir: &Path, name: &str) -> anyhow::Result<Option<PathBuf>> {
    let plain = dir.join(format!("{name}.jsonl"));
    let gzip = dir.join(format!("{name}.jsonl.gz"));
    match (plain.is_file(), gzip.is_file()) {
        (true, true) => anyhow::bail!("both {} and {} exist: keep one", plain.display(), gzip.display()),
        (true, false) => Ok(Some(plain)),
        (false, true) => Ok(Some(gzip)),
        (false, false) => Ok(None),
    }
}

/// One line as read: its text, or why it has none.
pub enum Line<'a> {
    Text(&'a str),
    TooLong,
    NotUtf8,
}

pub struct Source {
    reader: Box<dyn BufRead + Send>,
    buffer: Vec<u8>,
    line: u64,
    /// Bytes consumed: of the file, or of the decompressed stream for gzip.
    offset: u64,
}

impl Source {
    /// Opens `path` positioned after line `line` (at byte `offset` of a plain
    /// file, which it seeks to; a gzip stream is read up to that line again).
    pub fn open(path: &Path, line: u64, offset: u64) -> anyhow::Result<Self> {
        let mut file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let gzip = path.extension().is_some_and(|e| e == "gz");
        let reader: Box<dyn BufRead + Send> = if gzip {
            Box::new(BufReader::with_capacity(256 * 1024, MultiGzDecoder::new(BufReader::new(file))))
        } else {
            file.seek(SeekFrom::Start(offset))?;
            Box::new(BufReader::with_capacity(256 * 1024, file))
        };
        let mut source = Self { reader, buffer: Vec::new(), line: 0, offset: if gzip { 0 } else { offset } };
        if gzip {
            while source.line < line {
                if source.next_line()?.is_none() {
                    break;
                }
            }
        } else {
            source.line = line;
        }
        Ok(source)
    }

    /// Lines read so far (1-based number of the last one).
    pub fn line(&self) -> u64 {
        self.line
    }

    pub fn byte_offset(&self) -> u64 {
        self.offset
    }

    /// The next non-empty line with its number, or None at the end.
    pub fn next_line(&mut self) -> anyhow::Result<Option<(u64, Line<'_>)>> {
        loop {
            self.buffer.clear();
            let read = (&mut self.reader).take(MAX_LINE as u64 + 1).read_until(b'\n', &mut self.buffer)?;
            if read == 0 {
                return Ok(None);
            }
            self.offset += read as u64;
            self.line += 1;
            let too_long = !self.buffer.ends_with(b"\n") && self.buffer.len() > MAX_LINE;
            if too_long {
                // skip the rest of the line without keeping it
                loop {
                    self.buffer.clear();
                    let more =
                        (&mut self.reader).take(MAX_LINE as u64).read_until(b'\n', &mut self.buffer)?;
                    self.offset += more as u64;
                    if more == 0 || self.buffer.ends_with(b"\n") {
                        break;
                    }
                }
                return Ok(Some((self.line, Line::TooLong)));
            }
            let mut end = self.buffer.len();
            if self.buffer[..end].ends_with(b"\n") {
                end -= 1;
            }
            if self.buffer[..end].ends_with(b"\r") {
                end -= 1;
            }
            if self.buffer[..end].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line = match std::str::from_utf8(&self.buffer[..end]) {
                Ok(text) => Line::Text(text),
                Err(_) => Line::NotUtf8,
            };
            return Ok(Some((self.line, line)));
        }
    }
}
