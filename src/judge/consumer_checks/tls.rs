//! The client verifies the server certificate: in a session whose provider
//! presents a certificate not valid for its address (the provider fault
//! `tls-wrong-hostname`), every recorded exchange is a request the client
//! should have aborted. Other sessions cannot judge it.

use super::Ctx;
use crate::evidence::Recorder;
use crate::registry::CheckSpec;

const VERIFIES: &str = "transport.tls.client-verifies";
/// The checks this step records, as the registry lists them.
pub const CHECKS: &[CheckSpec] = &[CheckSpec {
    at: crate::registry::here!(),
    name: "consumer verifies the server certificate",
    ids: &[VERIFIES],
}];

/// `ctx.bad_certificate`: the provider presented a certificate for another host.
pub fn run(ctx: &Ctx, rec: &mut Recorder) {
    let bad_certificate = ctx.bad_certificate;
    let mut c = CHECKS[0].start();
    if !bad_certificate || !ctx.tls {
        c.not_applicable(
            VERIFIES,
            "the provider's certificate was valid (a session with the tls-wrong-hostname fault judges this)",
        );
    } else if ctx.ex.is_empty() {
        c.pass(
            VERIFIES,
            "no request completed over a certificate not valid for the provider's address (the client refused it, or never connected)",
        );
    } else {
        ctx.cite(&mut c, 0);
        c.fail(
            VERIFIES,
            format!(
                "the client completed {} request(s) although the certificate is not valid for the provider's address",
                ctx.ex.len()
            ),
        );
    }
    rec.finish(c);
}
