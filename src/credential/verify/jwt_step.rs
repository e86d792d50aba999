//! VC-JWT step: maps the JWT verifier's per-rule results onto catalog ids.

use super::{Subject, VerifyOptions};
use crate::evidence::{Check, Recorder};

/// Returns whether the JWT proof verified.
pub(super) fn run(s: &Subject, _jws: &str, _opts: &VerifyOptions, rec: &mut Recorder) -> bool {
    let mut c = Check::new("vc-jwt", &["proof.jwt.signature"]);
    c.subject(&s.name).error("proof.jwt.signature", "VC-JWT verification is not wired yet");
    rec.finish(c);
    false
}
