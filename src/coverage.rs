//! Which catalog entries this harness can fail.
//!
//! A requirement counts as claimed when a judging module (credential, suites,
//! oauth, judge) names its id: the build script collects those names. Entries
//! no check claims are what `requirements --untested` lists. That every claim
//! can really fail is proven by tests: the reference samples and vectors for
//! credential rules, the provider fault matrix for API rules.

use crate::catalog::Catalog;
use std::collections::BTreeSet;

mod claims {
    include!(concat!(env!("OUT_DIR"), "/claims.rs"));
}

/// Catalog ids some check claims.
pub fn covered() -> BTreeSet<&'static str> {
    let catalog = Catalog::embedded();
    claims::CLAIMED
        .iter()
        .copied()
        .filter(|id| catalog.get(id).is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn verify_engine_claims_are_catalog_ids() {
        let c = super::covered();
        assert!(c.contains("proof.di.signature"));
        assert!(c.contains("data.clr.context-order"));
    }
}
