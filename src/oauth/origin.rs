//! Where credentials may go [issue 15; OAuth Security BCP §4.1]: a password,
//! a session cookie or a client secret is sent only over https, and only to
//! the target's own origin or to one the config lists in `allowed_origins`.
//! The SDD's OAuth endpoints are checked against the same rule before any of
//! them is used, and every form submission is checked before it is sent.

/// The origins credentials may be sent to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OriginPolicy {
    /// `scheme://host:port` of the target and of each allowed origin.
    allowed: Vec<String>,
    /// `--allow-http`: plain http is accepted (the transport rows fail).
    allow_http: bool,
}

/// `scheme://host[:port]` of `url`, or `None` when it is not a URL with a host.
pub fn origin_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    u.host_str()?;
    Some(u.origin().ascii_serialization())
}

impl OriginPolicy {
    /// The target's origin plus `extra` (each an origin or any URL on it).
    pub fn new(target: &str, extra: &[String], allow_http: bool) -> Result<OriginPolicy, String> {
        let mut allowed = Vec::new();
        for u in std::iter::once(target.to_string()).chain(extra.iter().cloned()) {
            let o =
                origin_of(&u).ok_or_else(|| format!("{u}: not an origin (https://host[:port])"))?;
            if !allowed.contains(&o) {
                allowed.push(o);
            }
        }
        Ok(OriginPolicy {
            allowed,
            allow_http,
        })
    }

    /// Why a credential must not be sent to `url`, or `Ok` when it may.
    pub fn check(&self, url: &str) -> Result<(), String> {
        let Ok(u) = url::Url::parse(url) else {
            return Err(format!("{url}: not a URL"));
        };
        if u.scheme() != "https" && !(self.allow_http && u.scheme() == "http") {
            return Err(format!(
                "{url}: not https, so no credential is sent there (plain http needs --allow-http)"
            ));
        }
        let o = u.origin().ascii_serialization();
        if !self.allowed.contains(&o) {
            return Err(format!(
                "{url}: origin {o} is neither the target's nor listed in allowed_origins, so no credential is sent there"
            ));
        }
        Ok(())
    }

    /// The allowed origins (the target's first).
    pub fn allowed(&self) -> &[String] {
        &self.allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_on_allowed_origins() {
        let p = OriginPolicy::new(
            "https://h.example/tenant",
            &["https://login.example:8443/".into()],
            false,
        )
        .unwrap();
        assert!(p.check("https://h.example/oauth/token").is_ok());
        assert!(p.check("https://login.example:8443/x").is_ok());
        let e = p.check("https://evil.example/login").unwrap_err();
        assert!(e.starts_with("https://evil.example/login"), "{e}");
        assert!(p.check("https://h.example:444/").is_err());
        assert!(p.check("http://h.example/oauth/token").is_err());
        let plain = OriginPolicy::new("http://h.example", &[], true).unwrap();
        assert!(plain.check("http://h.example/a").is_ok());
        assert!(OriginPolicy::new("https://h", &["nonsense".into()], false).is_err());
    }
}
