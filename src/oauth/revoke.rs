//! Token revocation (RFC 7009 as profiled by OB §7.3): Basic client
//! authentication, form fields `token` and `token_type_hint`.

use super::ClientCreds;
use crate::evidence::Recorder;
use crate::http::{Client, Exchange, Failure, Req};

/// POST a revocation of `token` (`hint`: `access_token` or `refresh_token`).
pub async fn revoke(
    c: &Client,
    rec: &mut Recorder,
    url: &str,
    auth: &ClientCreds,
    token: &str,
    hint: &str,
) -> Result<Exchange, Failure> {
    let form = [("token", token), ("token_type_hint", hint)];
    let req = Req::post(url, format!("revoke {hint}"))
        .basic(&auth.client_id, &auth.client_secret)
        .form(&form);
    c.send(rec, req).await
}
