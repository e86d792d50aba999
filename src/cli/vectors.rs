//! `clr-conformance vectors generate|check`: write the signed test-vector
//! corpus, or prove the committed one fresh and every verdict right.

use crate::report::model::exit;
use crate::vectors;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct VectorsArgs {
    #[command(subcommand)]
    pub action: VectorsAction,
}

#[derive(Debug, Subcommand)]
pub enum VectorsAction {
    /// Write the corpus (byte-identical on every run).
    Generate {
        /// Corpus folder.
        #[arg(long, default_value = "vectors")]
        dir: PathBuf,
    },
    /// Regenerate in memory, compare with the folder, judge every case.
    Check {
        /// Corpus folder.
        #[arg(long, default_value = "vectors")]
        dir: PathBuf,
    },
}

pub fn run(a: &VectorsArgs) -> anyhow::Result<i32> {
    match &a.action {
        VectorsAction::Generate { dir } => {
            let corpus = vectors::generate();
            vectors::write(&corpus, dir)
                .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", dir.display()))?;
            let n: usize = corpus.cases.iter().map(|(_, f)| f.number_of_tests).sum();
            crate::outln!(
                "wrote {} files ({n} cases) to {}",
                corpus.files.len(),
                dir.display()
            );
            Ok(exit::OK)
        }
        VectorsAction::Check { dir } => {
            if !dir.is_dir() {
                anyhow::bail!("{}: no such folder", dir.display());
            }
            let c = vectors::check_dir(dir);
            crate::out!("{}", summary(&c));
            Ok(if c.ok() { exit::OK } else { exit::MUST_FAILED })
        }
    }
}

/// The check report: stale files, mismatches, per-requirement counts, gaps.
pub fn summary(c: &vectors::Checked) -> String {
    let mut s = String::new();
    for f in &c.stale {
        s.push_str(&format!(
            "stale: {f} (run `clr-conformance vectors generate`)\n"
        ));
    }
    for m in &c.mismatches {
        s.push_str(&format!(
            "mismatch: {} tcId {}: {}\n",
            m.file, m.tc_id, m.message
        ));
    }
    for m in &c.known_gaps {
        let why = vectors::check::KNOWN_ENGINE_GAPS
            .iter()
            .find(|(id, _)| *id == m.tc_id)
            .map_or("", |(_, w)| *w);
        s.push_str(&format!(
            "known engine gap: {} tcId {}: {} ({why})\n",
            m.file, m.tc_id, m.message
        ));
    }
    for id in &c.fixed_gaps {
        s.push_str(&format!(
            "fixed: tcId {id} now passes; remove it from KNOWN_ENGINE_GAPS (src/vectors/check.rs)\n"
        ));
    }
    s.push_str("invalid vectors per requirement (issuer and displayer roles):\n");
    let catalog = crate::catalog::Catalog::embedded();
    for r in catalog.requirements.iter().filter(|r| {
        r.roles.iter().any(|x| {
            matches!(
                x,
                crate::catalog::Role::Issuer | crate::catalog::Role::Displayer
            )
        })
    }) {
        let n = c.counts.get(&r.id).copied().unwrap_or(0);
        s.push_str(&format!("  {:>4}  [{}] {}\n", n, r.level, r.id));
    }
    if !c.uncovered.is_empty() {
        s.push_str(&format!(
            "credential MUSTs without an invalid vector ({}):\n",
            c.uncovered.len()
        ));
        for id in &c.uncovered {
            s.push_str(&format!("  {id}\n"));
        }
    }
    s.push_str(&format!(
        "{} cases, {} stale files, {} mismatches, {} known engine gaps\n",
        c.cases,
        c.stale.len(),
        c.mismatches.len(),
        c.known_gaps.len()
    ));
    s
}
