//! Suites: the checks a run executes against a target, grouped by what is
//! judged. `provider` judges a CLR service provider over HTTP (discovery,
//! OAuth, the REST API); each of its files covers one area of the spec.

pub mod provider;

/// A check's name and the requirement ids it evidences: the index a reader
/// (and the catalog test) uses to see which check judges which requirement.
#[derive(Debug, Clone, Copy)]
pub struct CheckSpec {
    pub name: &'static str,
    pub ids: &'static [&'static str],
}

impl CheckSpec {
    /// Start an `evidence::Check` for this spec.
    pub fn start(&self) -> crate::evidence::Check {
        crate::evidence::Check::new(self.name, self.ids)
    }
}
