//! PKCE (RFC 7636) verifiers and S256 challenges, and random `state` values.

use base64::Engine;
use rand::Rng;
use sha2::{Digest, Sha256};

const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// A random string of `len` unreserved characters.
pub fn random(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| UNRESERVED[rng.gen_range(0..UNRESERVED.len())] as char)
        .collect()
}

/// A fresh code verifier: 64 characters, inside RFC 7636's 43..=128.
pub fn verifier() -> String {
    random(64)
}

/// BASE64URL(SHA256(ASCII(verifier))) without padding.
pub fn challenge_s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A fresh `state` value for CSRF protection.
pub fn state() -> String {
    random(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            challenge_s256(v),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_fresh_and_in_range() {
        let (a, b) = (verifier(), verifier());
        assert_ne!(a, b);
        assert!((43..=128).contains(&a.len()));
        assert!(a.bytes().all(|c| UNRESERVED.contains(&c)));
    }
}
