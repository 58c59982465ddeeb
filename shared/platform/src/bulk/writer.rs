//! Writing an export's files, plain or gzip, one JSON object a line: what the
//! generators of synthetic exports share.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::Path,
};

use flate2::{Compression, write::GzEncoder};

/// A bad row a generator wrote, and the reason a load must give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub file: String,
    pub line: u64,
    pub reason: &'static str,
}

/// Lines written per table (bad ones included), in load order, and the bad rows.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    pub lines: Vec<(&'static str, u64)>,
    pub bad_rows: Vec<BadRow>,
}

impl Generated {
    pub fn lines_of(&self, table: &str) -> u64 {
        self.lines.iter().find(|(t, _)| *t == table).map_or(0, |(_, n)| *n)
    }

    /// Adds a finished file's count, flushing it.
    pub fn finish(&mut self, out: OutFile) -> anyhow::Result<()> {
        self.lines.push((out.name, out.lines));
        out.sink.finish()
    }
}

enum Sink {
    Plain(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
}

impl Sink {
    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w,
        }
    }

    /// Flushes, writing gzip's trailer.
    fn finish(self) -> anyhow::Result<()> {
        match self {
            Sink::Plain(mut w) => w.flush()?,
            Sink::Gzip(w) => w.finish()?.flush()?,
        }
        Ok(())
    }
}

/// One file of an export being written: `<name>.jsonl` or `<name>.jsonl.gz`.
pub struct OutFile {
    name: &'static str,
    file: String,
    sink: Sink,
    lines: u64,
}

impl OutFile {
    pub fn create(dir: &Path, name: &'static str, gzip: bool) -> anyhow::Result<Self> {
        let file = format!("{name}.jsonl{}", if gzip { ".gz" } else { "" });
        let inner = BufWriter::with_capacity(256 * 1024, File::create(dir.join(&file))?);
        let sink =
            if gzip { Sink::Gzip(GzEncoder::new(inner, Compression::fast())) } else { Sink::Plain(inner) };
        Ok(Self { name, file, sink, lines: 0 })
    }

    pub fn write(&mut self, row: &serde_json::Value) -> anyhow::Result<()> {
        serde_json::to_writer(self.sink.writer(), row)?;
        self.sink.writer().write_all(b"\n")?;
        self.lines += 1;
        Ok(())
    }

    /// A line as given (a malformed one, for tests).
    pub fn write_raw(&mut self, text: &str) -> anyhow::Result<()> {
        self.sink.writer().write_all(text.as_bytes())?;
        self.sink.writer().write_all(b"\n")?;
        self.lines += 1;
        Ok(())
    }

    /// The bad row just written, with the reason a load must give.
    pub fn bad_row(&self, reason: &'static str) -> BadRow {
        BadRow { file: self.file.clone(), line: self.lines, reason }
    }
}
