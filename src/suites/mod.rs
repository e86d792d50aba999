//! Suites: the checks a run executes against a target, grouped by what is
//! judged. `provider` judges a CLR service provider over HTTP (discovery,
//! OAuth, the REST API); each of its files covers one area of the spec.

pub mod provider;
pub mod registry;

/// A check's name and the requirement ids it evidences: the index a reader
/// (and the catalog test) uses to see which check judges which requirement.
#[derive(Debug, Clone, Copy)]
pub struct CheckSpec {
    /// Where the check is declared (`requirements --show` prints it).
    pub at: At,
    pub name: &'static str,
    pub ids: &'static [&'static str],
}

/// A place in the source: file (from the crate root) and line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub file: &'static str,
    pub line: u32,
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The [`At`] of the line it is written on.
macro_rules! here {
    () => {
        $crate::suites::At {
            file: file!(),
            line: line!(),
        }
    };
}
pub(crate) use here;

impl CheckSpec {
    /// Start an `evidence::Check` for this spec.
    pub fn start(&self) -> crate::evidence::Check {
        crate::evidence::Check::new(self.name, self.ids)
    }
}
