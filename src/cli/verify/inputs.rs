//! What `verify` reads, one input at a time: files, folders (walked once, sorted),
//! stdin, URLs and JSON Lines streams (one credential per line). Nothing is read
//! before its turn, so memory does not grow with the number of inputs; stdin and URL
//! inputs, which cannot be read twice, are kept for the run (`--online` reads the
//! inputs twice: first for what they name, then to verify them).

use crate::cli::args::Shard;
use crate::credential::parse::MAX_INPUT_BYTES;
use crate::credential::verify::documents::{self, FetchPolicy};
use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// File endings `verify DIR` picks up.
const EXTENSIONS: &[&str] = &[
    "json", "jsonld", "jwt", "jws", "1ob", "clr", "png", "svg", "jsonl", "ndjson",
];
/// File endings read as JSON Lines without `--jsonl`.
const LINE_EXTENSIONS: &[&str] = &["jsonl", "ndjson"];

/// One input source, as named on the command line or met in a folder.
pub enum Source {
    File(PathBuf),
    /// Met in a folder walk but not read (a FIFO, a symlink loop): why.
    Skipped(PathBuf, String),
    Stdin,
    Url(String),
    /// A JSON Lines file (`None`: stdin): one credential per line.
    Lines(Option<PathBuf>),
}

impl Source {
    pub fn name(&self) -> String {
        match self {
            Source::File(p) | Source::Skipped(p, _) | Source::Lines(Some(p)) => {
                p.display().to_string()
            }
            Source::Stdin | Source::Lines(None) => "<stdin>".into(),
            Source::Url(u) => u.clone(),
        }
    }
}

/// One input: its name (`file.json`, `file.jsonl:17`) and its bytes, or why it could
/// not be read. A file is read by whoever verifies it ([`Item::bytes`]), so its
/// bytes are allocated and freed on one thread.
pub struct Item {
    pub name: String,
    read: Content,
    /// Met in a folder but not read (the report header says why).
    pub skipped: bool,
}

enum Content {
    Read(Result<Vec<u8>, String>),
    /// A file not yet read, and its size when listed.
    File(PathBuf, u64),
}

impl Item {
    fn read(name: String, read: Result<Vec<u8>, String>) -> Item {
        Item {
            name,
            read: Content::Read(read),
            skipped: false,
        }
    }

    /// The input's bytes (reading the file now if it was not read yet).
    pub fn bytes(self) -> Result<Vec<u8>, String> {
        match self.read {
            Content::Read(r) => r,
            Content::File(p, _) => read(&Source::File(p), None),
        }
    }

    /// Bytes held or to be read (what a batch of inputs weighs).
    pub fn weight(&self) -> usize {
        match &self.read {
            Content::Read(r) => r.as_ref().map_or(0, Vec::len),
            Content::File(_, len) => usize::try_from(*len).unwrap_or(usize::MAX),
        }
    }
}

/// Files, folders (recursively, sorted), `-` and URLs; with `jsonl`, files and `-` are
/// JSON Lines (files ending `.jsonl` or `.ndjson` always are).
pub fn expand(inputs: &[String], jsonl: bool) -> anyhow::Result<Vec<Source>> {
    let mut out = Vec::new();
    for i in inputs {
        if i == "-" {
            out.push(if jsonl {
                Source::Lines(None)
            } else {
                Source::Stdin
            });
        } else if i.starts_with("https://") || i.starts_with("http://") {
            out.push(Source::Url(i.clone()));
        } else {
            let p = Path::new(i);
            if p.is_dir() {
                let mut files = Vec::new();
                let mut seen = std::collections::HashSet::new();
                walk(p, &mut files, &mut seen)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
                files.sort_by_key(Source::name);
                if files.is_empty() {
                    anyhow::bail!(
                        "{}: no credential files (.{}) in this folder",
                        p.display(),
                        EXTENSIONS.join(", .")
                    );
                }
                out.extend(files);
            } else if p.exists() {
                out.push(file(p.to_path_buf(), jsonl));
            } else {
                anyhow::bail!("{i}: no such file or folder");
            }
        }
    }
    Ok(out)
}

fn file(path: PathBuf, jsonl: bool) -> Source {
    if jsonl || has_extension(&path, LINE_EXTENSIONS) {
        Source::Lines(Some(path))
    } else {
        Source::File(path)
    }
}

/// Credential files under `dir`, recursively. A folder met twice (through a symlink
/// loop) is walked once; a credential-named entry that is not a regular file (a FIFO
/// would block the read forever) is listed as skipped, so the report says why it was
/// not read.
fn walk(
    dir: &Path,
    out: &mut Vec<Source>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> std::io::Result<()> {
    let real = std::fs::canonicalize(dir)?;
    if !seen.insert(real) {
        out.push(Source::Skipped(
            dir.to_path_buf(),
            "folder already walked (a symlink loop or a second link to it); not walked again"
                .into(),
        ));
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        // Follows symlinks: a dangling one is skipped with its error.
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                if has_extension(&path, EXTENSIONS) {
                    out.push(Source::Skipped(path, e.to_string()));
                }
                continue;
            }
        };
        if meta.is_dir() {
            walk(&path, out, seen)?;
        } else if has_extension(&path, EXTENSIONS) {
            if meta.is_file() {
                out.push(file(path, false));
            } else {
                out.push(Source::Skipped(
                    path,
                    "not a regular file (a FIFO, socket or device); not read".into(),
                ));
            }
        }
    }
    Ok(())
}

fn has_extension(path: &Path, endings: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| endings.contains(&e.to_ascii_lowercase().as_str()))
}

/// Whether any source is a stream of unknown length.
pub fn has_lines(sources: &[Source]) -> bool {
    sources.iter().any(|s| matches!(s, Source::Lines(_)))
}

/// Inputs that cannot be read twice (stdin, URLs), kept once read.
#[derive(Default)]
pub struct Kept(Mutex<HashMap<String, Result<Vec<u8>, String>>>);

/// The items of `sources` in order, read one at a time; with a shard, only that
/// shard's items (every K-th of N, counted over files and lines alike).
pub struct Inputs<'a> {
    sources: std::slice::Iter<'a, Source>,
    online: Option<&'a FetchPolicy>,
    kept: &'a Kept,
    shard: Option<Shard>,
    /// Items met so far (the shard counts them).
    met: usize,
    lines: Option<Lines>,
}

impl<'a> Inputs<'a> {
    pub fn new(
        sources: &'a [Source],
        online: Option<&'a FetchPolicy>,
        kept: &'a Kept,
        shard: Option<Shard>,
    ) -> Inputs<'a> {
        Inputs {
            sources: sources.iter(),
            online,
            kept,
            shard,
            met: 0,
            lines: None,
        }
    }

    /// The next item, whether or not the shard keeps it.
    fn next_any(&mut self) -> Option<Item> {
        loop {
            if let Some(lines) = &mut self.lines {
                match lines.next() {
                    Some(item) => return Some(item),
                    None => self.lines = None,
                }
            }
            let src = self.sources.next()?;
            let name = src.name();
            match src {
                Source::Lines(path) => match Lines::open(path.as_deref()) {
                    Ok(lines) => self.lines = Some(lines),
                    Err(why) => return Some(Item::read(name, Err(why))),
                },
                Source::Stdin | Source::Url(_) => {
                    let mut kept = self.kept.0.lock().unwrap_or_else(|e| e.into_inner());
                    let read = kept
                        .entry(name.clone())
                        .or_insert_with(|| read(src, self.online))
                        .clone();
                    return Some(Item::read(name, read));
                }
                Source::Skipped(..) => {
                    return Some(Item {
                        read: Content::Read(read(src, self.online)),
                        name,
                        skipped: true,
                    });
                }
                Source::File(p) => {
                    let len = std::fs::metadata(p).map_or(0, |m| m.len());
                    return Some(Item {
                        read: Content::File(p.clone(), len),
                        name,
                        skipped: false,
                    });
                }
            }
        }
    }
}

impl Iterator for Inputs<'_> {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        loop {
            let item = self.next_any()?;
            let index = self.met;
            self.met += 1;
            match self.shard {
                Some(s) if index % s.n != s.k - 1 => continue,
                _ => return Some(item),
            }
        }
    }
}

/// Read at most MAX_INPUT_BYTES + 1 bytes, so an oversized input is detected without
/// reading it whole.
fn read(src: &Source, online: Option<&FetchPolicy>) -> Result<Vec<u8>, String> {
    let limit = (MAX_INPUT_BYTES + 1) as u64;
    let mut buf = Vec::new();
    match src {
        Source::Skipped(_, why) => return Err(why.clone()),
        Source::File(p) => {
            std::fs::File::open(p)
                .and_then(|f| f.take(limit).read_to_end(&mut buf))
                .map_err(|e| e.to_string())?;
        }
        Source::Stdin => {
            std::io::stdin()
                .take(limit)
                .read_to_end(&mut buf)
                .map_err(|e| e.to_string())?;
        }
        Source::Url(u) => {
            let Some(policy) = online else {
                return Err("URL inputs need --online".into());
            };
            let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            if let Some(why) = documents::refused(u, policy) {
                return Err(why);
            }
            let client = documents::client(policy).map_err(|e| e.to_string())?;
            // The bytes as served: a baked PNG by URL is judged like the same file.
            buf = rt.block_on(documents::fetch_bytes(&client, u, MAX_INPUT_BYTES + 1))?;
        }
        Source::Lines(_) => return Err("a JSON Lines source is read line by line".into()),
    };
    Ok(buf)
}

/// A JSON Lines stream, one item per non-blank line, each line bounded like a file.
struct Lines {
    name: String,
    reader: Box<dyn BufRead>,
    line: usize,
    done: bool,
}

impl Lines {
    fn open(path: Option<&Path>) -> Result<Lines, String> {
        let (name, reader): (String, Box<dyn BufRead>) = match path {
            Some(p) => {
                let f = std::fs::File::open(p).map_err(|e| e.to_string())?;
                (
                    p.display().to_string(),
                    Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
                )
            }
            None => ("<stdin>".into(), Box::new(std::io::stdin().lock())),
        };
        Ok(Lines {
            name,
            reader,
            line: 0,
            done: false,
        })
    }

    fn item(&self, read: Result<Vec<u8>, String>) -> Item {
        Item::read(format!("{}:{}", self.name, self.line), read)
    }

    /// Consume the rest of an over-long line without keeping it.
    fn skip_line(&mut self) -> std::io::Result<()> {
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            match buf.iter().position(|b| *b == b'\n') {
                Some(i) => {
                    self.reader.consume(i + 1);
                    return Ok(());
                }
                None => {
                    let n = buf.len();
                    self.reader.consume(n);
                }
            }
        }
    }
}

impl Iterator for Lines {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        while !self.done {
            self.line += 1;
            let mut buf = Vec::new();
            let limit = (MAX_INPUT_BYTES + 1) as u64;
            match (&mut self.reader).take(limit).read_until(b'\n', &mut buf) {
                Ok(0) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(self.item(Err(format!("cannot be read: {e}"))));
                }
                Ok(_) if buf.len() > MAX_INPUT_BYTES && buf.last() != Some(&b'\n') => {
                    let why = format!("line longer than the {MAX_INPUT_BYTES}-byte input limit");
                    if let Err(e) = self.skip_line() {
                        self.done = true;
                        return Some(self.item(Err(format!("{why}; then: {e}"))));
                    }
                    return Some(self.item(Err(why)));
                }
                Ok(_) => {
                    while matches!(buf.last(), Some(b'\n' | b'\r')) {
                        buf.pop();
                    }
                    if !buf.iter().all(u8::is_ascii_whitespace) {
                        return Some(self.item(Ok(buf)));
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &[u8]) -> Vec<(String, Result<Vec<u8>, String>)> {
        let mut l = Lines {
            name: "t.jsonl".into(),
            reader: Box::new(std::io::Cursor::new(text.to_vec())),
            line: 0,
            done: false,
        };
        std::iter::from_fn(|| l.next())
            .map(|i| (i.name.clone(), i.bytes()))
            .collect()
    }

    #[test]
    fn json_lines_are_named_by_line_and_blank_lines_are_not_inputs() {
        let got = lines(b"{\"a\":1}\r\n\n  \n{\"b\":2}");
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["t.jsonl:1", "t.jsonl:4"]);
        assert_eq!(got[0].1.as_deref().unwrap(), b"{\"a\":1}");
        assert_eq!(got[1].1.as_deref().unwrap(), b"{\"b\":2}");
    }

    #[test]
    fn an_over_long_line_is_refused_and_the_next_line_still_read() {
        let mut text = vec![b'x'; MAX_INPUT_BYTES + 10];
        text.extend_from_slice(b"\n{\"ok\":true}\n");
        let got = lines(&text);
        assert_eq!(got.len(), 2);
        assert!(
            got[0].1.as_ref().unwrap_err().contains("longer than"),
            "{:?}",
            got[0].1.as_ref().err()
        );
        assert_eq!(got[1].0, "t.jsonl:2");
        assert_eq!(got[1].1.as_deref().unwrap(), b"{\"ok\":true}");
    }

    #[test]
    fn a_shard_counts_lines_and_files_alike() {
        let dir = std::env::temp_dir().join(format!("clr-inputs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = dir.join("a.json");
        let b = dir.join("b.jsonl");
        std::fs::write(&a, "{}").unwrap();
        std::fs::write(&b, "{}\n{}\n{}\n").unwrap();
        let sources = vec![file(a, false), file(b, false)];
        let kept = Kept::default();
        let names = |shard| -> Vec<String> {
            Inputs::new(&sources, None, &kept, shard)
                .map(|i| i.name)
                .collect()
        };
        let all = names(None);
        assert_eq!(all.len(), 4, "{all:?}");
        let one = names(Some(Shard { k: 1, n: 2 }));
        let two = names(Some(Shard { k: 2, n: 2 }));
        assert_eq!(one.len() + two.len(), 4);
        assert!(one.iter().all(|n| !two.contains(n)));
        std::fs::remove_dir_all(&dir).ok();
    }
}
