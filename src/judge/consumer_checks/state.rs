//! The client verifies `state` (RFC 6749 §10.12): an authorization response
//! whose `state` differs from the one sent must not have its code redeemed.
//! The reference provider echoes `state` unchanged unless it runs with the
//! `wrong-state` fault, so this is judged only in such a session.

use super::{AUTHORIZE, Ctx, TOKEN, given};
use crate::evidence::Recorder;
use crate::judge::exchange::{form, param, query, response_header};
use crate::registry::CheckSpec;

const VERIFIED: &str = "consumer.state.verified";
/// The checks this step records, as the registry lists them.
pub const CHECKS: &[CheckSpec] = &[CheckSpec {
    at: crate::registry::here!(),
    name: "consumer state verification",
    ids: &[VERIFIED],
}];

pub fn run(ctx: &Ctx, rec: &mut Recorder) {
    let mut c = CHECKS[0].start();
    let mut judged = false;
    for i in ctx.find("", AUTHORIZE) {
        let e = &ctx.ex[i];
        let Some(u) = response_header(e, "location").and_then(|l| url::Url::parse(l).ok()) else {
            continue;
        };
        let back: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        let Some(code) = given(&back, "code") else {
            continue;
        };
        let asked = if e.method == "POST" {
            form(e)
        } else {
            query(e)
        };
        // A request without state is judged by consumer.state.present.
        let Some(sent) = given(&asked, "state") else {
            continue;
        };
        let returned = param(&back, "state");
        if returned == Some(sent) {
            continue;
        }
        judged = true;
        let redeemed = ctx
            .find("POST", TOKEN)
            .into_iter()
            .find(|&j| given(&form(&ctx.ex[j]), "code") == Some(code));
        match redeemed {
            Some(j) => {
                ctx.cite(&mut c, j);
                c.fail(
                    VERIFIED,
                    format!(
                        "{returned:?}: the returned state does not match the one sent, yet the client redeemed the code"
                    ),
                );
            }
            None => {
                ctx.cite(&mut c, i);
                c.pass(
                    VERIFIED,
                    "the response with a mismatched state was not redeemed",
                );
            }
        }
    }
    if !judged {
        c.not_applicable(
            VERIFIED,
            "every authorization response echoed the state sent (a provider with the wrong-state fault makes this judgeable)",
        );
    }
    rec.finish(c);
}
