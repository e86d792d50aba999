//! Which catalog entries this harness can actually fail.
//!
//! An entry counts as covered only when something proves a check can fail it:
//! for credential rules, an invalid vector that fails it; for API rules, a
//! fault of the reference provider that the suite detects. Until those exist,
//! the checks' own declarations are the claim.

use std::collections::BTreeSet;

/// Ids that some check declares and that something proves can fail.
pub fn covered() -> BTreeSet<&'static str> {
    BTreeSet::new()
}
