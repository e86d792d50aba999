//! Reports: the model, its renderers, and writing them to disk atomically.
//!
//! Every format is rendered from the one canonical `Report` (report.json), so
//! `clr-conformance report` can re-render a saved run into any format.

pub mod baseline;
pub mod diff;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod merge;
pub mod model;
pub mod run_info;

pub use model::{Certifiable, FailOn, Header, Outcome, Report, Row};

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    Json,
    Junit,
    Md,
    Html,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Json, Format::Junit, Format::Md, Format::Html];

    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => "report.json",
            Format::Junit => "junit.xml",
            Format::Md => "report.md",
            Format::Html => "report.html",
        }
    }

    pub fn render(self, report: &Report) -> String {
        match self {
            Format::Json => to_json(report),
            Format::Junit => junit::render(report),
            Format::Md => markdown::render(report),
            Format::Html => html::render(report),
        }
    }
}

/// The canonical JSON text of a report (pretty, stable member order, trailing newline).
pub fn to_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("report serializes");
    s.push('\n');
    s
}

/// Parse a saved report.json, naming the file on error.
pub fn load(path: &Path) -> anyhow::Result<Report> {
    let text = fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: not JSON: {e}", path.display()))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(model::FORMAT) => {}
        _ => anyhow::bail!(
            "{}: not a clr-conformance report (no \"format\": \"{}\")",
            path.display(),
            model::FORMAT
        ),
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(model::FORMAT_VERSION) => {}
        other => anyhow::bail!(
            "{}: report version {:?} is not supported (this tool reads version {})",
            path.display(),
            other,
            model::FORMAT_VERSION
        ),
    }
    serde_json::from_value(value).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// Write `text` to `path` atomically: a temp file in the same folder, then rename.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(text.as_bytes()))
}

/// Write to `path` atomically through a buffered writer on a temp file in the
/// same folder, then rename; on error the temp file is removed and `path` is
/// untouched.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("report");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut w = std::io::BufWriter::with_capacity(64 * 1024, fs::File::create(&tmp)?);
        fill(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()
    })();
    match written {
        Ok(()) => fs::rename(&tmp, path),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Write the report in each format under `dir`; returns the paths written.
/// report.json is streamed to the file; the other formats are rendered first
/// (they are bounded: a row keeps at most `model::MAX_ROW_FINDINGS` findings per verdict).
/// Each format is rendered, written and synced on its own thread: the fsyncs
/// then overlap instead of adding up.
pub fn write_all(report: &Report, dir: &Path, formats: &[Format]) -> std::io::Result<Vec<PathBuf>> {
    let write = |f: &Format| -> std::io::Result<PathBuf> {
        let path = dir.join(f.file_name());
        match f {
            Format::Json => write_atomic_with(&path, |w| {
                serde_json::to_writer_pretty(&mut *w, report).map_err(std::io::Error::other)?;
                w.write_all(b"\n")
            })?,
            _ => write_atomic(&path, &f.render(report))?,
        }
        Ok(path)
    };
    let Some((first, rest)) = formats.split_first() else {
        return Ok(Vec::new());
    };
    std::thread::scope(|scope| {
        let others: Vec<_> = rest.iter().map(|f| scope.spawn(move || write(f))).collect();
        let mut written = vec![write(first)];
        for handle in others {
            written.push(
                handle
                    .join()
                    .unwrap_or_else(|_| Err(std::io::Error::other("report writer panicked"))),
            );
        }
        written.into_iter().collect()
    })
}

/// The default output folder, new for every run: `reports/<UTC timestamp>-<command>/`,
/// with `-2`, `-3`, ... when a run of the same command in the same second has it.
/// Made with create-new semantics, so two runs started together never share one.
pub fn create_out_dir(root: &Path, command: &str) -> std::io::Result<PathBuf> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    create_out_dir_stamped(root, command, &stamp)
}

fn create_out_dir_stamped(root: &Path, command: &str, stamp: &str) -> std::io::Result<PathBuf> {
    fs::create_dir_all(root)?;
    let slug: String = command
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let stem = format!("{stamp}-{slug}");
    for n in 1..=10_000u32 {
        let dir = if n == 1 {
            root.join(&stem)
        } else {
            root.join(format!("{stem}-{n}"))
        };
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "{}: no free report folder name after 10000 tries",
        root.join(stem).display()
    )))
}

/// The report files (any format) already in `dir`, if it exists.
pub fn existing_reports(dir: &Path) -> Vec<PathBuf> {
    Format::ALL
        .iter()
        .map(|f| dir.join(f.file_name()))
        .filter(|p| p.exists())
        .collect()
}

#[cfg(test)]
mod out_dir_tests {
    use super::*;

    #[test]
    fn runs_in_the_same_second_get_their_own_folders() {
        let root = std::env::temp_dir().join(format!("clr-outdir-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let names: Vec<String> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        create_out_dir_stamped(&root, "judge consumer-read", "20261201T000000Z")
                    })
                })
                .collect();
            hs.into_iter()
                .map(|h| {
                    h.join()
                        .unwrap()
                        .unwrap()
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .to_string()
                })
                .collect()
        });
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 8, "{names:?}");
        assert!(sorted.contains(&"20261201T000000Z-judge-consumer-read".to_string()));
        assert!(sorted.contains(&"20261201T000000Z-judge-consumer-read-8".to_string()));
        fs::remove_dir_all(&root).unwrap();
    }
}
