//! Proofs on credentials: embedded Data Integrity proofs, VC-JWT, and key resolution.
//!
//! CLR 2.0 / OB 3.0 credentials carry either an embedded proof (`DataIntegrityProof` with
//! `eddsa-rdfc-2022`; legacy `eddsa-2022` and `Ed25519Signature2020` for VC 1.1 data) or
//! an external VC-JWT. Verifiers here return one [`Check`] per rule so the verification
//! layer can map each to a requirement id; signers produce the vectors and the reference
//! provider's credentials. Everything is pure except [`keys::resolve_with_network`].

pub mod data_integrity;
pub mod jwt;
pub mod keys;

pub use data_integrity::{
    DiError, DiProofReport, Suite, attach_proof, sign_data_integrity, sign_ed25519_2020,
    verify_data_integrity, verify_data_integrity_prepared, verify_data_integrity_with,
};
pub use jwt::{
    JwtError, JwtHeaderOptions, JwtReport, JwtSigningKey, JwtStyle, fetch_kid_jwk, sign_jwt,
    verify_jwt, verify_jwt_with,
};
pub use keys::{KeyError, KeySource, ResolvedKey};

/// The outcome of one checkable proof rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The rule holds.
    Pass,
    /// The rule is broken; the message names the offending value.
    Fail(String),
    /// The rule could not be or need not be checked; the message says why.
    Skipped(String),
}

impl Check {
    pub fn is_pass(&self) -> bool {
        matches!(self, Check::Pass)
    }

    pub fn is_fail(&self) -> bool {
        matches!(self, Check::Fail(_))
    }

    /// Pass when `ok`, otherwise a failure with `message`.
    pub fn from_bool(ok: bool, message: impl FnOnce() -> String) -> Check {
        if ok {
            Check::Pass
        } else {
            Check::Fail(message())
        }
    }
}

/// `id` of a credential's `issuer`, which may be a string or an object.
pub fn issuer_id(credential: &serde_json::Value) -> Option<&str> {
    match credential.get("issuer")? {
        serde_json::Value::String(s) => Some(s),
        other => other.get("id")?.as_str(),
    }
}

/// Whether `value` is an XML Schema dateTime (timezone optional, fractions allowed).
pub fn is_xsd_datetime(value: &str) -> bool {
    if !value.contains('T') {
        return false;
    }
    if chrono::DateTime::parse_from_rfc3339(value).is_ok() {
        return true;
    }
    chrono::NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn issuer_id_from_string_or_object() {
        assert_eq!(
            issuer_id(&json!({"issuer": "https://e.org/i"})),
            Some("https://e.org/i")
        );
        assert_eq!(
            issuer_id(&json!({"issuer": {"id": "urn:x"}})),
            Some("urn:x")
        );
        assert_eq!(issuer_id(&json!({"issuer": {"name": "n"}})), None);
    }

    #[test]
    fn xsd_datetimes() {
        assert!(is_xsd_datetime("2010-01-01T19:23:24Z"));
        assert!(is_xsd_datetime("2010-01-01T19:23:24.5+02:00"));
        assert!(is_xsd_datetime("2010-01-01T19:23:24"));
        assert!(!is_xsd_datetime("2010-01-01 19:23:24Z"));
        assert!(!is_xsd_datetime("yesterday"));
    }
}
