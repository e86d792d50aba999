//! Spec profiles: the facts that differ between CLR 2.0 and OB 3.0 (paths,
//! scopes, types, contexts, schema ids), kept in `suites/profiles/*.toml`.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scopes {
    pub credential_readonly: String,
    pub credential_upsert: String,
    pub profile_readonly: String,
    pub profile_update: String,
    pub offline_access: String,
    /// What the four API scope URIs rest on (shown where a target's differ).
    #[serde(default)]
    pub source: String,
}

impl Scopes {
    /// The four API scopes, in a fixed order.
    pub fn api(&self) -> [&str; 4] {
        [
            &self.credential_readonly,
            &self.credential_upsert,
            &self.profile_readonly,
            &self.profile_update,
        ]
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contexts {
    pub vc_v2: String,
    pub vc_v1: String,
    pub primary: String,
    pub primary_pattern: String,
    pub ob: String,
    pub ob_pattern: String,
    #[serde(default)]
    pub ob_aliases: Vec<String>,
    #[serde(default)]
    pub primary_aliases: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaIds {
    pub credential: String,
    pub achievement_credential: String,
    pub endorsement_credential: String,
    pub profile: String,
    pub get_credentials_response: String,
    pub imsx_status_info: String,
}

/// One spec's profile.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub spec_url: String,
    /// The document version the catalog targets, in words (release and document dates).
    #[serde(default)]
    pub document: String,
    /// The spec's errata page, when it has one.
    #[serde(default)]
    pub errata_url: String,
    pub base_path: String,
    pub credential_type: String,
    pub subject_type: String,
    pub response_schema: String,
    pub cert_profile_id: String,
    pub cert_recipient: String,
    pub scopes: Scopes,
    pub contexts: Contexts,
    pub schemas: SchemaIds,
    /// Requirement id prefixes that do not apply under this profile (e.g.
    /// `data.clr.` under OB 3.0): their rows are reported not-applicable.
    #[serde(default)]
    pub not_applicable: Vec<String>,
    /// (catalog wording, this profile's wording), applied in order to the
    /// statements and messages of a report (the catalog speaks CLR).
    #[serde(default)]
    pub terms: Vec<(String, String)>,
}

const FILES: &[(&str, &str)] = &[
    (
        "clr-2.0",
        include_str!("../../suites/profiles/clr-2.0.toml"),
    ),
    ("ob-3.0", include_str!("../../suites/profiles/ob-3.0.toml")),
];

impl Profile {
    /// All embedded profiles, CLR 2.0 first.
    pub fn all() -> &'static [Profile] {
        static ALL: OnceLock<Vec<Profile>> = OnceLock::new();
        ALL.get_or_init(|| {
            FILES
                .iter()
                .map(|(name, text)| {
                    toml::from_str(text)
                        .unwrap_or_else(|e| panic!("suites/profiles/{name}.toml is broken: {e}"))
                })
                .collect()
        })
    }

    /// The profile named `id` (`clr-2.0`, `ob-3.0`).
    pub fn get(id: &str) -> Option<&'static Profile> {
        Profile::all().iter().find(|p| p.id == id)
    }

    pub fn clr() -> &'static Profile {
        Profile::get("clr-2.0").expect("clr-2.0 profile")
    }

    /// `text` in this profile's own words (type names, paths, scope URIs).
    pub fn speak(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (from, to) in &self.terms {
            if out.contains(from.as_str()) {
                out = out.replace(from.as_str(), to);
            }
        }
        out
    }

    /// True when requirement `id` does not apply under this profile.
    pub fn excludes(&self, id: &str) -> bool {
        self.not_applicable
            .iter()
            .any(|p| id.starts_with(p.as_str()))
    }

    /// All scopes of the API, in a fixed order.
    pub fn all_scopes(&self) -> [&str; 4] {
        self.scopes.api()
    }

    /// This profile with its four API scope URIs under another base, the
    /// operation names kept (the reference provider's `other-scope-uris`
    /// variant: a target naming the same operations with its own URIs).
    pub fn with_other_scopes(&'static self) -> &'static Profile {
        static CLR: std::sync::OnceLock<Profile> = std::sync::OnceLock::new();
        static OB: std::sync::OnceLock<Profile> = std::sync::OnceLock::new();
        let cell = if self.id == "ob-3.0" { &OB } else { &CLR };
        cell.get_or_init(|| {
            let mut p = self.clone();
            let uri = |op: &str| format!("https://scopes.example.org/{}/{op}", self.id);
            p.scopes.credential_readonly = uri("credential.readonly");
            p.scopes.credential_upsert = uri("credential.upsert");
            p.scopes.profile_readonly = uri("profile.readonly");
            p.scopes.profile_update = uri("profile.update");
            p
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ob_speaks_ob() {
        let ob = Profile::get("ob-3.0").unwrap();
        assert_eq!(
            ob.speak("a ClrCredential under `{baseUrl}/ims/clr/v2p0/`, GetClrCredentialsResponse"),
            "an OpenBadgeCredential under `{baseUrl}/ims/ob/v3p0/`, GetOpenBadgeCredentialsResponse"
        );
        assert!(ob.excludes("data.clr.type") && !ob.excludes("data.achievement.type"));
        let clr = Profile::clr();
        assert_eq!(clr.speak("a ClrCredential"), "a ClrCredential");
        assert!(!clr.excludes("data.clr.type"));
    }

    #[test]
    fn both_profiles_load_with_their_paths() {
        assert_eq!(Profile::clr().base_path, "/ims/clr/v2p0");
        assert_eq!(Profile::get("ob-3.0").unwrap().base_path, "/ims/ob/v3p0");
        for p in Profile::all() {
            for s in p.all_scopes() {
                assert!(s.starts_with("https://purl.imsglobal.org/spec/"), "{s}");
                assert!(
                    s.contains(&p.base_path.replace("/ims/", "/spec/")[..]) || s.contains("/spec/")
                );
            }
        }
    }
}
