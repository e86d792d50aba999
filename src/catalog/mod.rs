//! The requirement catalog: what CLR 2.0 requires, loaded from `suites/*.toml`.
//!
//! The TOML files are embedded at build time so the binary judges the same
//! catalog wherever it runs; the catalog hash in every report names it.

pub mod profile;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

pub use profile::Profile;

// FILES (the embedded catalog files, in hash order) and FILES_HASH, from build.rs.
include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

/// How strongly the spec asks for a behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "MUST")]
    Must,
    #[serde(rename = "SHOULD")]
    Should,
    #[serde(rename = "MAY")]
    May,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::May => "MAY",
        })
    }
}

/// A certification role a product is judged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Issuer,
    Displayer,
    ServiceProviderRead,
    ServiceProviderWrite,
    ServiceConsumerRead,
    ServiceConsumerWrite,
    Host,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Issuer,
        Role::Displayer,
        Role::ServiceProviderRead,
        Role::ServiceProviderWrite,
        Role::ServiceConsumerRead,
        Role::ServiceConsumerWrite,
        Role::Host,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Issuer => "issuer",
            Role::Displayer => "displayer",
            Role::ServiceProviderRead => "service-provider-read",
            Role::ServiceProviderWrite => "service-provider-write",
            Role::ServiceConsumerRead => "service-consumer-read",
            Role::ServiceConsumerWrite => "service-consumer-write",
            Role::Host => "host",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule rests on for CLR 2.0, so a reader can tell a CLR text from an
/// analogy (the CLR spec body itself could not be read; see the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// A CLR source says it (certification guide, implementation guide, errata).
    Clr,
    /// The official CLR JSON Schemas or contexts say it.
    ClrSchema,
    /// Open Badges 3.0 (or a standard it cites) says it, applied to CLR.
    ObInherited,
    /// Our reading: no source states it in these words.
    Inferred,
}

impl Basis {
    pub const ALL: [Basis; 4] = [
        Basis::Clr,
        Basis::ClrSchema,
        Basis::ObInherited,
        Basis::Inferred,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Clr => "clr",
            Basis::ClrSchema => "clr-schema",
            Basis::ObInherited => "ob-inherited",
            Basis::Inferred => "inferred",
        }
    }

    pub fn parse(s: &str) -> Option<Basis> {
        Basis::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// Not confirmed by a CLR text: a blocking verdict on such a row says so.
    pub fn unconfirmed(self) -> bool {
        matches!(self, Basis::ObInherited | Basis::Inferred)
    }

    /// The basis a row's source tag implies when the row does not name one: `[CLR≈OB]`
    /// and OB/RFC/VC sources are inherited; CLR schema and CLR guide sources are CLR's
    /// own; the 1EdTech validator's code alone is our reading of it.
    pub fn from_tag(tag: &str) -> Basis {
        let first = tag.split(']').next().unwrap_or_default();
        if tag.contains("CLR≈OB") {
            Basis::ObInherited
        } else if first.starts_with("[CLR-SCHEMA") || first.starts_with("[CLR-CTX") {
            Basis::ClrSchema
        } else if first.starts_with("[CLR")
            || first.starts_with("[IMPL")
            || first.starts_with("[CERT-TS")
        {
            Basis::Clr
        } else if first.starts_with("[VAL") {
            Basis::Inferred
        } else {
            Basis::ObInherited
        }
    }
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a requirement comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub url: String,
    pub tag: String,
}

/// One testable normative statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub level: Level,
    pub roles: Vec<Role>,
    pub statement: String,
    pub source: Source,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untestable: Option<String>,
    /// What the rule rests on for CLR 2.0; when the entry does not say, derived
    /// from its source tag at load time (`Basis::from_tag`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    /// The catalog file the entry came from (filled in at load time).
    #[serde(skip_deserializing, default)]
    pub file: String,
}

impl Requirement {
    /// What the rule rests on (always set once loaded).
    pub fn basis(&self) -> Basis {
        self.basis
            .unwrap_or_else(|| Basis::from_tag(&self.source.tag))
    }

    /// True when `sel` (an id prefix on dot boundaries, or a role name) selects this entry.
    pub fn matches(&self, sel: &str) -> bool {
        if let Some(role) = Role::parse(sel) {
            return self.roles.contains(&role);
        }
        self.id == sel
            || self
                .id
                .starts_with(&format!("{}.", sel.trim_end_matches('.')))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    requirement: Vec<Requirement>,
}

/// The loaded catalog, ordered by file then by position in the file.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub requirements: Vec<Requirement>,
    index: BTreeMap<String, usize>,
    /// `sha256:<hex>` over the embedded files.
    pub hash: String,
}

/// A catalog file that does not parse or breaks a catalog rule.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CatalogError {
    pub file: String,
    pub message: String,
}

impl Catalog {
    /// The embedded catalog. Panics only if the shipped data is broken, which a unit test forbids.
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            // The same files as JSON (converted by build.rs): TOML parsing was most of
            // the catalog's start-up cost. A unit test checks both give the same catalog.
            Catalog::parse(FILES_JSON, FILES_HASH.to_string(), |t| {
                serde_json::from_str(t).map_err(|e| e.to_string())
            })
            .unwrap_or_else(|e| panic!("embedded catalog is broken: {e}"))
        })
    }

    /// Parse and check catalog files given as (name, text) pairs.
    pub fn from_files(files: &[(&str, &str)]) -> Result<Catalog, CatalogError> {
        Catalog::parse(files, files_hash(files), |t| {
            toml::from_str(t).map_err(|e| e.to_string())
        })
    }

    fn parse(
        files: &[(&str, &str)],
        hash: String,
        decode: impl Fn(&str) -> Result<CatalogFile, String>,
    ) -> Result<Catalog, CatalogError> {
        let mut requirements = Vec::new();
        let mut index = BTreeMap::new();
        for (name, text) in files {
            let parsed = decode(text).map_err(|message| CatalogError {
                file: name.to_string(),
                message,
            })?;
            for mut req in parsed.requirement {
                let err = |message: String| CatalogError {
                    file: name.to_string(),
                    message,
                };
                if !valid_id(&req.id) {
                    return Err(err(format!(
                        "{}: id must be lowercase dot-separated words",
                        req.id
                    )));
                }
                if req.roles.is_empty() {
                    return Err(err(format!("{}: no roles", req.id)));
                }
                if req.statement.trim().is_empty() || req.source.url.trim().is_empty() {
                    return Err(err(format!(
                        "{}: statement and source.url are required",
                        req.id
                    )));
                }
                if index.insert(req.id.clone(), requirements.len()).is_some() {
                    return Err(err(format!("{}: duplicate id", req.id)));
                }
                req.file = name.to_string();
                req.basis = Some(
                    req.basis
                        .unwrap_or_else(|| Basis::from_tag(&req.source.tag)),
                );
                requirements.push(req);
            }
        }
        Ok(Catalog {
            requirements,
            index,
            hash,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.index.get(id).map(|&i| &self.requirements[i])
    }

    /// Entries selected by `only` (any match; empty = all) and not by `skip`.
    pub fn select<'a>(&'a self, only: &[String], skip: &[String]) -> Vec<&'a Requirement> {
        self.requirements
            .iter()
            .filter(|r| only.is_empty() || only.iter().any(|s| r.matches(s)))
            .filter(|r| !skip.iter().any(|s| r.matches(s)))
            .collect()
    }
}

/// `sha256:` over each file's name, a NUL byte and its text, in order.
fn files_hash(files: &[(&str, &str)]) -> String {
    let mut hasher = Sha256::new();
    for (name, text) in files {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

fn valid_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_counts_the_catalog() {
        let readme = include_str!("../../README.md");
        let n = Catalog::embedded().requirements.len();
        assert!(
            readme.contains(&format!("**{n} requirements**")),
            "README.md must say **{n} requirements**"
        );
    }

    #[test]
    fn basis_comes_from_the_row_or_its_source_tag() {
        assert_eq!(Basis::from_tag("[OB §6.4] [CLR≈OB]"), Basis::ObInherited);
        assert_eq!(
            Basis::from_tag("[CLR-SCHEMA] clrcredential"),
            Basis::ClrSchema
        );
        assert_eq!(Basis::from_tag("[CERT-TS] issuer test 1"), Basis::Clr);
        assert_eq!(Basis::from_tag("[VAL] PngParser"), Basis::Inferred);
        assert_eq!(Basis::from_tag("[RFC 7009 §2.1]"), Basis::ObInherited);
        let c = Catalog::embedded();
        // Retagged from the audit (§2.2): the schema confirms it.
        assert_eq!(
            c.get("data.clr-subject.identified").unwrap().basis(),
            Basis::ClrSchema
        );
        // Still an analogy: the profile scope URIs appear in no CLR source.
        assert_eq!(
            c.get("api.auth.scope.get-profile").unwrap().basis(),
            Basis::ObInherited
        );
        for b in Basis::ALL {
            assert!(
                c.requirements.iter().any(|r| r.basis() == b),
                "no row rests on {b}"
            );
        }
    }

    #[test]
    fn embedded_catalog_loads_and_is_large() {
        let c = Catalog::embedded();
        assert!(
            c.requirements.len() > 100,
            "only {} entries",
            c.requirements.len()
        );
        assert!(c.hash.starts_with("sha256:"));
    }

    #[test]
    fn the_json_the_binary_parses_is_the_toml_catalog() {
        let from_toml = Catalog::from_files(FILES).unwrap();
        assert_eq!(Catalog::embedded().requirements, from_toml.requirements);
        assert_eq!(FILES_JSON.len(), FILES.len());
    }

    #[test]
    fn build_time_hash_matches_sha2_and_covers_every_file() {
        assert_eq!(FILES_HASH, files_hash(FILES));
        assert_eq!(
            Catalog::embedded().hash,
            Catalog::from_files(FILES).unwrap().hash
        );
        let mut on_disk: Vec<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/suites"))
                .unwrap()
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with(".toml"))
                .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let t = r#"
[[requirement]]
id = "a.b"
level = "MUST"
roles = ["issuer"]
statement = "x"
source = { url = "u", tag = "t" }
"#;
        let err = Catalog::from_files(&[("x.toml", t), ("y.toml", t)]).unwrap_err();
        assert_eq!(err.file, "y.toml");
        assert!(err.message.contains("duplicate"));
    }

    #[test]
    fn unknown_keys_and_bad_ids_are_refused() {
        let bad_key = "[[requirement]]\nid='a.b'\nlevel='MUST'\nroles=['issuer']\nstatement='x'\nsource={url='u',tag='t'}\nextra=1\n";
        assert!(Catalog::from_files(&[("x.toml", bad_key)]).is_err());
        let bad_id = "[[requirement]]\nid='A.b'\nlevel='MUST'\nroles=['issuer']\nstatement='x'\nsource={url='u',tag='t'}\n";
        assert!(Catalog::from_files(&[("x.toml", bad_id)]).is_err());
    }

    #[test]
    fn selection_by_prefix_and_role() {
        let t = "[[requirement]]\nid='api.paging.limit'\nlevel='MUST'\nroles=['host']\nstatement='x'\nsource={url='u',tag='t'}\n\
[[requirement]]\nid='api.pagingx'\nlevel='MUST'\nroles=['issuer']\nstatement='x'\nsource={url='u',tag='t'}\n";
        let c = Catalog::from_files(&[("x.toml", t)]).unwrap();
        let ids = |v: Vec<&Requirement>| v.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(c.select(&["api.paging".into()], &[])),
            vec!["api.paging.limit"]
        );
        assert_eq!(ids(c.select(&["issuer".into()], &[])), vec!["api.pagingx"]);
        assert_eq!(ids(c.select(&[], &["host".into()])), vec!["api.pagingx"]);
    }
}
