//! Which scopes the harness asks for [OB §6.2, §7.1; RFC 6749 §3.3, §6].
//! Scopes are data: the profile names them, the SDD advertises what the
//! server offers, and the roles under test pick the operations. The harness
//! asks for the advertised scopes of those operations; `offline_access`
//! (used by OB 3.0 only in examples) only when configured or advertised.
//! A target whose SDD names an operation's scope with another URI is run
//! with that URI ([`resolve`]); whether it equals the profile's is its own row.

use crate::catalog::profile::Scopes;
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

/// An operation a scope grants; its name is the URI's last segment in both
/// profiles (`…/scope/credential.readonly`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    CredentialReadonly,
    CredentialUpsert,
    ProfileReadonly,
    ProfileUpdate,
}

impl Operation {
    pub const ALL: [Operation; 4] = [
        Operation::CredentialReadonly,
        Operation::CredentialUpsert,
        Operation::ProfileReadonly,
        Operation::ProfileUpdate,
    ];

    /// `credential.readonly`, the key of `--scope-map` and `[scope_map]`.
    pub fn name(self) -> &'static str {
        match self {
            Operation::CredentialReadonly => "credential.readonly",
            Operation::CredentialUpsert => "credential.upsert",
            Operation::ProfileReadonly => "profile.readonly",
            Operation::ProfileUpdate => "profile.update",
        }
    }

    pub fn parse(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|o| o.name() == name)
    }

    /// True for the read operations (else a write).
    pub fn reads(self) -> bool {
        matches!(
            self,
            Operation::CredentialReadonly | Operation::ProfileReadonly
        )
    }

    /// This operation's URI in `scopes`.
    pub fn of(self, scopes: &Scopes) -> &str {
        match self {
            Operation::CredentialReadonly => &scopes.credential_readonly,
            Operation::CredentialUpsert => &scopes.credential_upsert,
            Operation::ProfileReadonly => &scopes.profile_readonly,
            Operation::ProfileUpdate => &scopes.profile_update,
        }
    }

    fn set(self, scopes: &mut Scopes, uri: String) {
        match self {
            Operation::CredentialReadonly => scopes.credential_readonly = uri,
            Operation::CredentialUpsert => scopes.credential_upsert = uri,
            Operation::ProfileReadonly => scopes.profile_readonly = uri,
            Operation::ProfileUpdate => scopes.profile_update = uri,
        }
    }
}

/// Where the URI a run uses for an operation came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The profile's URI (advertised, or nothing better was).
    Profile,
    /// The only advertised URI whose last segment names the operation.
    Advertised,
    /// `--scope-map` / `[scope_map]`.
    Configured,
}

/// `--scope-map` values: operation name -> URI, each key checked.
pub fn parse_map(pairs: &BTreeMap<String, String>) -> Result<Vec<(Operation, String)>, String> {
    pairs
        .iter()
        .map(|(k, v)| {
            let op = Operation::parse(k).ok_or_else(|| {
                let names: Vec<&str> = Operation::ALL.iter().map(|o| o.name()).collect();
                format!("{k}: not an operation (use {})", names.join(", "))
            })?;
            if v.trim().is_empty() || v.contains(char::is_whitespace) {
                return Err(format!("{v:?}: {k} needs one scope URI"));
            }
            Ok((op, v.clone()))
        })
        .collect()
}

/// The scopes a run uses: the profile's, each replaced by the configured
/// URI, or else (when the SDD does not advertise the profile's URI) by the
/// one advertised URI whose last segment names the operation.
pub fn resolve(
    profile: &Scopes,
    advertised: &BTreeMap<String, String>,
    map: &[(Operation, String)],
) -> (Scopes, Vec<(Operation, Origin)>) {
    let mut out = profile.clone();
    let mut origins = Vec::new();
    for op in Operation::ALL {
        let origin = if let Some((_, uri)) = map.iter().find(|(o, _)| *o == op) {
            op.set(&mut out, uri.clone());
            Origin::Configured
        } else if advertised.contains_key(op.of(profile)) {
            Origin::Profile
        } else {
            let named: Vec<&String> = advertised
                .keys()
                .filter(|k| k.rsplit(['/', ':', '#']).next() == Some(op.name()))
                .collect();
            match named.as_slice() {
                [one] => {
                    op.set(&mut out, (*one).clone());
                    Origin::Advertised
                }
                _ => Origin::Profile,
            }
        };
        origins.push((op, origin));
    }
    (out, origins)
}

/// The API scopes for the operations under test, in profile order.
pub fn api_scopes(s: &Scopes, reads: bool, writes: bool) -> Vec<&str> {
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
    scopes: &Scopes,
    reads: bool,
    writes: bool,
    advertised: &BTreeMap<String, String>,
    offline: Offline,
    offline_refused: bool,
) -> String {
    let wanted = api_scopes(scopes, reads, writes);
    let offered: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|s| advertised.contains_key(*s))
        .collect();
    let mut out = if offered.is_empty() { wanted } else { offered };
    let off = scopes.offline_access.as_str();
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
pub fn without_offline(scopes: &Scopes, scope: &str) -> Option<String> {
    let off = scopes.offline_access.as_str();
    let parts: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    parts.contains(&off).then(|| {
        parts
            .into_iter()
            .filter(|s| *s != off)
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// True when every scope in `scope` is one of the run's API scopes.
pub fn only_api_scopes(scopes: &Scopes, scope: &str) -> bool {
    let known = scopes.api();
    scope
        .split(' ')
        .filter(|s| !s.is_empty())
        .all(|s| known.contains(&s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Profile;

    fn sdd(scopes: &[&str]) -> BTreeMap<String, String> {
        scopes
            .iter()
            .map(|s| (s.to_string(), String::new()))
            .collect()
    }

    #[test]
    fn advertised_scopes_of_the_roles_and_offline_only_when_offered() {
        let p = &Profile::get("ob-3.0").unwrap().scopes;
        let s = p;
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
        let p = &Profile::clr().scopes;
        assert_eq!(
            without_offline(p, "a offline_access b").as_deref(),
            Some("a b")
        );
        assert_eq!(without_offline(p, "a b"), None);
        assert!(only_api_scopes(p, &p.credential_readonly));
        assert!(!only_api_scopes(
            p,
            &format!("{} https://x/unknown", p.credential_readonly)
        ));
    }

    #[test]
    fn advertised_uris_replace_the_profiles_only_when_unambiguous() {
        let p = &Profile::clr().scopes;
        let other = "https://scopes.example.org/clr/credential.readonly";
        // The profile's URI advertised: kept.
        let (s, o) = resolve(p, &sdd(&[&p.credential_readonly, other]), &[]);
        assert_eq!(s.credential_readonly, p.credential_readonly);
        assert_eq!(o[0], (Operation::CredentialReadonly, Origin::Profile));
        // Only another URI naming the operation: used.
        let (s, o) = resolve(p, &sdd(&[other]), &[]);
        assert_eq!(s.credential_readonly, other);
        assert_eq!(o[0].1, Origin::Advertised);
        assert_eq!(s.credential_upsert, p.credential_upsert);
        // Two candidates: nothing guessed.
        let two = sdd(&[other, "https://else.example/credential.readonly"]);
        assert_eq!(resolve(p, &two, &[]).1[0].1, Origin::Profile);
        // Configured wins over everything.
        let map = parse_map(&BTreeMap::from([(
            "profile.update".to_string(),
            "urn:x:write-profile".to_string(),
        )]))
        .unwrap();
        let (s, o) = resolve(p, &sdd(&[&p.profile_update]), &map);
        assert_eq!(s.profile_update, "urn:x:write-profile");
        assert_eq!(o[3].1, Origin::Configured);
        // Keys are checked.
        let bad = parse_map(&BTreeMap::from([("read".to_string(), "urn:x".to_string())]));
        assert!(bad.unwrap_err().starts_with("read: not an operation"));
    }
}
