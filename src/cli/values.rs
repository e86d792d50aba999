//! Typed values at the clap boundary: profiles, roles, durations, the target URL,
//! timestamps and the catalog's bases are parsed once, where the argument is read
//! (and, through the same functions, where a config file names them), so the
//! subcommands get `&'static Profile`, `Role`, `Duration` and `url::Url`, never a
//! string to match again. Errors lead with the offending value.

use crate::catalog::{Basis, Profile, Role};
use clap::builder::{PossibleValue, TypedValueParser};
use std::ffi::OsStr;
use std::time::Duration;

/// A spec profile id (`clr-2.0`, `ob-3.0`): the embedded profile it names.
pub fn parse_profile(s: &str) -> Result<&'static Profile, String> {
    Profile::get(s).ok_or_else(|| {
        let known: Vec<&str> = Profile::all().iter().map(|p| p.id.as_str()).collect();
        format!("{s}: unknown profile ({})", known.join(", "))
    })
}

/// `--profile ID` as a `&'static Profile`; the ids are its possible values (help and
/// shell completion).
#[derive(Debug, Clone, Copy, Default)]
pub struct ProfileParser;

impl TypedValueParser for ProfileParser {
    type Value = &'static Profile;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Self::Value, clap::Error> {
        TypedValueParser::parse_ref(&parse_profile, cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            Profile::all()
                .iter()
                .map(|p| PossibleValue::new(p.id.as_str())),
        ))
    }
}

/// A role among the ones a subcommand judges (`verify`: issuer, displayer; `run`: the
/// provider roles), spelled as the catalog spells it.
#[derive(Debug, Clone, Copy)]
pub struct RoleParser {
    roles: &'static [Role],
    what: &'static str,
}

impl RoleParser {
    /// The roles `run` judges: service-provider-read, service-provider-write, host.
    pub const PROVIDER: RoleParser = RoleParser {
        roles: &[
            Role::ServiceProviderRead,
            Role::ServiceProviderWrite,
            Role::Host,
        ],
        what: "provider role",
    };
    /// The roles `verify` judges: issuer, displayer.
    pub const VERIFY: RoleParser = RoleParser {
        roles: &[Role::Issuer, Role::Displayer],
        what: "verify role",
    };

    /// `s` as one of these roles, or `s: not a provider role (a, b, c)`.
    pub fn parse(&self, s: &str) -> Result<Role, String> {
        Role::parse(s)
            .filter(|r| self.roles.contains(r))
            .ok_or_else(|| {
                let names: Vec<&str> = self.roles.iter().map(|r| r.as_str()).collect();
                format!("{s}: not a {} ({})", self.what, names.join(", "))
            })
    }
}

impl TypedValueParser for RoleParser {
    type Value = Role;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Self::Value, clap::Error> {
        let me = *self;
        TypedValueParser::parse_ref(&move |s: &str| me.parse(s), cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            self.roles.iter().map(|r| PossibleValue::new(r.as_str())),
        ))
    }
}

/// `--basis`: the catalog's bases, spelled as the catalog spells them.
impl clap::ValueEnum for Basis {
    fn value_variants<'a>() -> &'a [Self] {
        &Basis::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()))
    }
}

/// `30s`, `10m`, `1h`, `500ms`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s}: not a duration (use 30s, 10m, 1h)"))?;
    let d = match unit {
        "" | "s" => Duration::from_secs(n),
        "ms" => Duration::from_millis(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        _ => return Err(format!("{s}: unknown unit {unit:?} (use ms, s, m, h)")),
    };
    if d.is_zero() {
        return Err(format!("{s}: must be more than zero"));
    }
    Ok(d)
}

/// A target's base URL: the parsed `url::Url`, and the text as given, which is what
/// the report names and the paths are appended to (`Url` would normalise it, e.g.
/// add a trailing slash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUrl {
    url: url::Url,
    given: String,
}

impl TargetUrl {
    /// `s` as a URL, or `s: not a URL: why`.
    pub fn parse(s: &str) -> Result<TargetUrl, String> {
        let url = url::Url::parse(s).map_err(|e| format!("{s}: not a URL: {e}"))?;
        Ok(TargetUrl {
            url,
            given: s.to_string(),
        })
    }

    /// The URL as given.
    pub fn as_str(&self) -> &str {
        &self.given
    }

    pub fn url(&self) -> &url::Url {
        &self.url
    }
}

impl std::fmt::Display for TargetUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.given)
    }
}

/// `--now`: an RFC 3339 instant, and the text as given (the report's configuration
/// names it as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp {
    pub at: chrono::DateTime<chrono::Utc>,
    pub given: String,
}

/// `s` as an RFC 3339 timestamp, or `s: not an RFC 3339 timestamp: why`.
pub fn parse_timestamp(s: &str) -> Result<Timestamp, String> {
    let at = chrono::DateTime::parse_from_rfc3339(s)
        .map_err(|e| format!("{s}: not an RFC 3339 timestamp: {e}"))?
        .with_timezone(&chrono::Utc);
    Ok(Timestamp {
        at,
        given: s.to_string(),
    })
}

/// `report diff --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Text,
    Md,
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("0s").is_err());
        assert!(
            parse_duration("5 parsecs")
                .unwrap_err()
                .starts_with("5 parsecs")
        );
    }

    #[test]
    fn profiles_name_the_value_and_the_valid_ids() {
        assert_eq!(parse_profile("ob-3.0").unwrap().id, "ob-3.0");
        assert_eq!(
            parse_profile("foo").unwrap_err(),
            "foo: unknown profile (clr-2.0, ob-3.0)"
        );
    }

    #[test]
    fn roles_are_the_subcommands_own() {
        assert_eq!(RoleParser::PROVIDER.parse("host"), Ok(Role::Host));
        assert_eq!(
            RoleParser::PROVIDER.parse("issuer").unwrap_err(),
            "issuer: not a provider role (service-provider-read, service-provider-write, host)"
        );
        assert_eq!(RoleParser::VERIFY.parse("displayer"), Ok(Role::Displayer));
        assert!(
            RoleParser::VERIFY
                .parse("host")
                .unwrap_err()
                .starts_with("host: not a verify role")
        );
    }

    #[test]
    fn urls_keep_their_text() {
        let u = TargetUrl::parse("https://clr.example.edu").unwrap();
        assert_eq!(u.as_str(), "https://clr.example.edu");
        assert_eq!(u.url().scheme(), "https");
        assert!(
            TargetUrl::parse("clr.example.edu")
                .unwrap_err()
                .starts_with("clr.example.edu: not a URL")
        );
    }

    #[test]
    fn timestamps() {
        let t = parse_timestamp("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(t.given, "2026-01-01T00:00:00Z");
        assert!(
            parse_timestamp("yesterday")
                .unwrap_err()
                .starts_with("yesterday: not an RFC 3339")
        );
    }
}
