//! Which catalog entries this harness can fail.
//!
//! Credential requirements (`data.`, `proof.`, `verify.`) count as covered only
//! when an invalid vector of the committed corpus (JSON cases, or byte-level
//! `document` cases for encoding, document and baking rules) lists the id and
//! our verify engine makes it fail (a SHOULD or MAY: an acceptable vector that leaves it
//! unmet): `vectors generate` records those ids in
//! `vectors/coverage.json`, embedded here, and `vectors check` proves the file
//! fresh. Service-provider requirements (the ids the provider suites declare)
//! count only when a fault of the reference provider breaks them: the fault
//! matrix test (`tests/run_builtin.rs`) proves the suite detects every fault.
//! Every other entry (consumer, displayer) counts as covered when a judging
//! module names its id: the build script collects those names, and the judge
//! tests drive faulty consumers and wrong displayer answers against them.
//! Entries not covered are what `requirements --untested` lists.

use crate::catalog::Catalog;
use std::collections::BTreeSet;

mod claims {
    include!(concat!(env!("OUT_DIR"), "/claims.rs"));
}

/// The coverage index written by `vectors generate`.
const VECTOR_INDEX: &str = include_str!("../vectors/coverage.json");

/// Who judges `id`: the provider checks that declare it (name, where declared), then
/// the other places in the judging modules that name it (file, line; the verify
/// steps, consumer and displayer judges name their ids where they record findings).
pub fn judged_by(id: &str) -> (Vec<crate::suites::CheckSpec>, Vec<(&'static str, u32)>) {
    let checks: Vec<crate::suites::CheckSpec> = crate::suites::provider::all_checks()
        .into_iter()
        .filter(|c| c.ids.contains(&id))
        .collect();
    let named = claims::CLAIMED_AT
        .binary_search_by(|(k, _)| (*k).cmp(id))
        .map(|i| claims::CLAIMED_AT[i].1.to_vec())
        .unwrap_or_default()
        .into_iter()
        .filter(|(file, _)| !file.starts_with("src/suites/provider/") || checks.is_empty())
        .collect();
    (checks, named)
}

/// Whether `id` is a credential requirement (judged by vectors, not claims).
pub fn is_credential(id: &str) -> bool {
    crate::credential::verify::SCOPE
        .iter()
        .any(|p| id.starts_with(&format!("{p}.")))
}

/// Catalog ids covered: credential ids with a failing vector, other ids some check claims.
pub fn covered() -> BTreeSet<&'static str> {
    let catalog = Catalog::embedded();
    let failing = crate::vectors::covered_ids(VECTOR_INDEX);
    let provider_ids: BTreeSet<&str> = crate::suites::provider::all_checks()
        .iter()
        .flat_map(|c| c.ids.iter().copied())
        .collect();
    let faulted: BTreeSet<&str> = crate::provider::faults::all_faults()
        .iter()
        .flat_map(|f| f.breaks.iter().copied())
        .collect();
    let claimed = claims::CLAIMED
        .iter()
        .copied()
        .filter(|id| !is_credential(id))
        .filter(move |id| !provider_ids.contains(id) || faulted.contains(id));
    let vectored = catalog
        .requirements
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| is_credential(id) && failing.contains(*id));
    claimed
        .chain(vectored)
        .filter(|id| catalog.get(id).is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn credential_ids_need_a_failing_vector() {
        let c = super::covered();
        assert!(c.contains("proof.di.signature"));
        assert!(c.contains("data.clr.context-order"));
        // Claimed by the engine, but no vector can make it fail.
        assert!(!c.contains("verify.generation.vc11"));
    }

    #[test]
    fn document_rules_are_covered_by_byte_vectors() {
        let c = super::covered();
        for id in [
            "data.serialization.utf8",
            "data.document.single-credential",
            "data.document.jws-or-json",
            "data.baked.png",
            "data.baked.svg",
            "verify.refresh.after-proof",
        ] {
            assert!(c.contains(id), "{id}");
        }
        // Named by the refresh vectors, but no verdict can fail it.
        assert!(!c.contains("verify.refresh.once"));
    }

    #[test]
    fn provider_ids_need_a_fault() {
        let c = super::covered();
        // Broken by the omit-x-total-count fault.
        assert!(c.contains("api.paging.x-total-count"));
        // Declared by a provider check, but no fault breaks it.
        assert!(!c.contains("api.paging.x-total-count-unknown"));
    }
}
