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
//! Every other entry (consumer, displayer) counts as covered when a registered
//! check declares it (the family tables: `suites::provider::AREAS`,
//! `credential::verify`'s steps, the consumer and displayer units; debug builds
//! assert that a unit records only the ids its checks declare), and the judge
//! tests drive faulty consumers and wrong displayer answers against them.
//! Entries not covered are what `requirements --untested` lists.

use crate::catalog::Catalog;
use crate::registry::CheckSpec;
use std::collections::BTreeSet;

/// The coverage index written by `vectors generate`.
const VECTOR_INDEX: &str = include_str!("../vectors/coverage.json");

/// Every registered check of every family: (family, unit, check).
pub fn registered() -> Vec<(&'static str, &'static str, CheckSpec)> {
    let mut out: Vec<_> = crate::registry::listed(crate::suites::provider::AREAS)
        .into_iter()
        .map(|(unit, c)| ("provider", unit, c))
        .collect();
    let families: [(&str, Vec<(&'static str, CheckSpec)>); 3] = [
        ("verify", crate::credential::verify::registered_checks()),
        (
            "consumer",
            crate::judge::consumer_checks::registered_checks(),
        ),
        ("displayer", crate::judge::displayer::registered_checks()),
    ];
    for (family, checks) in families {
        out.extend(checks.into_iter().map(|(unit, c)| (family, unit, c)));
    }
    out
}

/// Who judges `id`: every registered check that declares it (family, unit, check).
pub fn judged_by(id: &str) -> Vec<(&'static str, &'static str, CheckSpec)> {
    registered()
        .into_iter()
        .filter(|(_, _, c)| c.ids.contains(&id))
        .collect()
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
    let declared: BTreeSet<&'static str> = registered()
        .into_iter()
        .flat_map(|(_, _, c)| c.ids.iter().copied())
        .collect();
    let claimed = declared
        .into_iter()
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
    fn every_registered_id_is_a_catalog_row() {
        let catalog = crate::catalog::Catalog::embedded();
        let unknown: Vec<String> = super::registered()
            .iter()
            .flat_map(|(f, u, c)| c.ids.iter().map(move |id| (f, u, c.name, *id)))
            .filter(|(_, _, _, id)| catalog.get(id).is_none())
            .map(|(f, u, n, id)| format!("{id} ({f} {u}: {n})"))
            .collect();
        assert!(unknown.is_empty(), "{unknown:#?}");
    }

    #[test]
    fn every_family_answers_who_judges_a_row() {
        let by = |id: &str| -> Vec<(&str, &str)> {
            super::judged_by(id)
                .into_iter()
                .map(|(f, u, _)| (f, u))
                .collect()
        };
        assert_eq!(by("proof.di.signature"), [("verify", "proofs")]);
        assert_eq!(by("consumer.token.params"), [("consumer", "token")]);
        assert_eq!(by("displayer.verify.revoked"), [("displayer", "status")]);
        assert_eq!(
            by("api.get-credentials.status-200"),
            [("provider", "getCredentials"), ("provider", "refresh")],
            "the refresh area judges its new token's calls again"
        );
        assert!(by("no.such.row").is_empty());
    }

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
