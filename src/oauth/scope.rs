//! Which scopes the harness asks for [OB §6.2, §7.1; RFC 6749 §3.3, §6].
//! Scopes are data: the profile names them, the SDD advertises what the
//! server offers, and the roles under test pick the operations. The harness
//! asks for the advertised scopes of those operations; `offline_access`
//! (used by OB 3.0 only in examples) only when configured or advertised.

use crate::catalog::Profile;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// When to ask for `offline_access` (config `login.offline_access`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Offline {
    /// When the SDD advertises it (default).
    #[default]
    Auto,
    /// Always (a refusal with invalid_scope is still retried once without it).
    Always,
    /// Never.
    Never,
}

/// The API scopes for the operations under test, in profile order.
pub fn api_scopes(profile: &Profile, reads: bool, writes: bool) -> Vec<&str> {
    let s = &profile.scopes;
    let mut v = Vec::new();
    if reads {
        v.push(s.credential_readonly.as_str());
        v.push(s.profile_readonly.as_str());
    }
    if writes {
        v.push(s.credential_upsert.as_str());
        v.push(s.profile_update.as_str());
    }
    v
}

/// The scope to request: the operations' scopes the SDD advertises (all of
/// them when it advertises none of them, so the refusal is the server's to
/// give), plus `offline_access` when `offline` says so.
pub fn requested(
    profile: &Profile,
    reads: bool,
    writes: bool,
    advertised: &BTreeMap<String, String>,
    offline: Offline,
    offline_refused: bool,
) -> String {
    let wanted = api_scopes(profile, reads, writes);
    let offered: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|s| advertised.contains_key(*s))
        .collect();
    let mut out = if offered.is_empty() { wanted } else { offered };
    let off = profile.scopes.offline_access.as_str();
    let ask_offline = match offline {
        Offline::Always => true,
        Offline::Never => false,
        Offline::Auto => advertised.contains_key(off) && !offline_refused,
    };
    if ask_offline {
        out.push(off);
    }
    out.join(" ")
}

/// `scope` without `offline_access`, when it holds it.
pub fn without_offline(profile: &Profile, scope: &str) -> Option<String> {
    let off = profile.scopes.offline_access.as_str();
    let parts: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    parts.contains(&off).then(|| {
        parts
            .into_iter()
            .filter(|s| *s != off)
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// True when every scope in `scope` is one of the profile's API scopes.
pub fn only_api_scopes(profile: &Profile, scope: &str) -> bool {
    let known = profile.all_scopes();
    scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .all(|s| known.contains(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sdd(scopes: &[&str]) -> BTreeMap<String, String> {
        scopes
            .iter()
            .map(|s| (s.to_string(), String::new()))
            .collect()
    }

    #[test]
    fn advertised_scopes_of_the_roles_and_offline_only_when_offered() {
        let p = Profile::get("ob-3.0").unwrap();
        let s = &p.scopes;
        let adv = sdd(&[
            &s.credential_readonly,
            &s.credential_upsert,
            &s.profile_readonly,
        ]);
        let r = requested(p, true, false, &adv, Offline::Auto, false);
        assert_eq!(
            r,
            format!("{} {}", s.credential_readonly, s.profile_readonly)
        );
        let both = requested(p, true, true, &adv, Offline::Auto, false);
        assert!(!both.contains(&s.profile_update) && !both.contains("offline_access"));
        let with_off = sdd(&[&s.credential_readonly, "offline_access"]);
        assert!(
            requested(p, true, false, &with_off, Offline::Auto, false).ends_with(" offline_access")
        );
        assert!(
            !requested(p, true, false, &with_off, Offline::Auto, true).contains("offline_access")
        );
        assert!(
            !requested(p, true, false, &with_off, Offline::Never, false).contains("offline_access")
        );
        assert!(requested(p, true, false, &adv, Offline::Always, true).contains("offline_access"));
        // Nothing advertised: every scope of the roles, so the server refuses, not the harness.
        assert_eq!(
            requested(p, false, true, &sdd(&[]), Offline::Auto, false)
                .split(' ')
                .count(),
            2
        );
    }

    #[test]
    fn offline_is_stripped() {
        let p = Profile::clr();
        assert_eq!(
            without_offline(p, "a offline_access b").as_deref(),
            Some("a b")
        );
        assert_eq!(without_offline(p, "a b"), None);
        assert!(only_api_scopes(p, &p.scopes.credential_readonly));
        assert!(!only_api_scopes(
            p,
            &format!("{} https://x/unknown", p.scopes.credential_readonly)
        ));
    }
}
