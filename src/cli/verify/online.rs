//! `verify --online`: what the inputs name (status lists, key documents, JWK Sets,
//! refresh services, unknown `@context`s) is gathered in a first pass over the inputs,
//! keeping only the URLs, then fetched once for the run under the fetch policy.

use super::inputs::Item;
use crate::credential::jsonld;
use crate::credential::parse::{self, Input};
use crate::credential::verify::documents::{self, FetchPolicy};
use crate::credential::verify::{Documents, decode_jwt_credential};
use crate::evidence::Recorder;

/// The URLs the inputs name, each once, in first-met order.
#[derive(Debug, Default)]
pub struct Named {
    documents: Vec<String>,
    contexts: Vec<String>,
}

/// Read every input once for what it names; the documents themselves are dropped.
pub fn named(items: impl Iterator<Item = Item>) -> Named {
    let mut n = Named::default();
    for item in items {
        let Ok(bytes) = item.bytes() else { continue };
        let Ok(doc) = parse::parse_document(&bytes) else {
            continue;
        };
        let decoded;
        let payload = match &doc.input {
            Input::Json(v) => {
                documents::wanted_urls(v, &mut n.documents);
                v
            }
            Input::Jws(j) => {
                documents::wanted_for_jws(j, &mut n.documents);
                match decode_jwt_credential(j) {
                    Ok(v) => {
                        decoded = v;
                        &decoded
                    }
                    Err(_) => continue,
                }
            }
        };
        let mut urls = Vec::new();
        jsonld::context_urls(payload, &mut urls);
        for u in urls {
            if !n.contexts.iter().any(|c| c == u) {
                n.contexts.push(u.to_string());
            }
        }
    }
    n
}

/// The documents the inputs name (and, second, those the fetched ones name).
pub fn prefetch(named: &Named, policy: &FetchPolicy) -> anyhow::Result<Documents> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(documents::prefetch_urls(named.documents.clone(), policy))
}

/// The `@context` URLs the inputs use that are neither bundled nor given with
/// `--context`, fetched once for the run under the fetch policy (count, bytes, time,
/// https, public addresses) and each listed in the report header. A context that cannot
/// be had leaves its proofs "not verified", naming the URL, as offline.
pub fn contexts(
    named: &Named,
    given: &[(String, String)],
    policy: &FetchPolicy,
    rec: &mut Recorder,
) -> anyhow::Result<Vec<(String, String)>> {
    let mut urls = named.contexts.clone();
    urls.retain(|u| !jsonld::is_known_context(u) && !given.iter().any(|(g, _)| g == u));
    urls.sort();
    urls.dedup();
    if urls.is_empty() {
        return Ok(Vec::new());
    }
    let rt = tokio::runtime::Runtime::new()?;
    let fetched = rt.block_on(async {
        let client = documents::client(policy)?;
        anyhow::Ok(documents::fetch_all(&client, &urls, policy).await)
    })?;
    let mut out = Vec::new();
    for u in &urls {
        match fetched.get(u) {
            Some(documents::Fetched::Json(v)) => {
                let text = v.to_string();
                rec.note(format!(
                    "context fetched (--online): {u} ({} bytes)",
                    text.len()
                ));
                out.push((u.clone(), text));
            }
            Some(documents::Fetched::Failed(why)) => {
                rec.note(format!("context not fetched (--online): {why}"))
            }
            _ => rec.note(format!(
                "context not fetched (--online): {u}: not a JSON document"
            )),
        }
    }
    Ok(out)
}
