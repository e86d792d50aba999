//! Input decoding: turn bytes (a file, stdin, an HTTP body) into a credential
//! to verify: a JSON object, or a compact JWS (VC-JWT). Limits are enforced
//! here so nothing downstream sees an unbounded input.

use serde_json::Value;

/// Inputs larger than this are refused with a finding (50 MB files must not be read whole).
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// JSON nested deeper than this is refused (serde_json also stops at 128).
pub const MAX_DEPTH: usize = 100;

/// A decoded input.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A JSON credential (embedded proof, or none).
    Json(Value),
    /// A compact JWS (VC-JWT) string.
    Jws(String),
}

/// Why an input could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{0} bytes: larger than the {MAX_INPUT_BYTES}-byte input limit")]
    TooLarge(usize),
    #[error("empty input")]
    Empty,
    #[error("not UTF-8 text (binary data?)")]
    NotText,
    #[error("invalid JSON: {0}")]
    Json(String),
    #[error("JSON nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("JSON {0} where a credential object was expected")]
    NotObject(&'static str),
    #[error("baked image: {0}")]
    Baked(String),
    #[error("neither JSON nor a compact JWS (starts with {0:?})")]
    Unknown(String),
}

/// A decoded input and the image it was baked in, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub input: Input,
    pub baked: Option<super::baked::Baked>,
}

/// Decode `bytes`: a baked PNG or SVG, a JSON object, or a compact JWS.
pub fn parse_document(bytes: &[u8]) -> Result<Document, ParseError> {
    use super::baked;
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ParseError::TooLarge(bytes.len()));
    }
    let found = if baked::is_png(bytes) {
        Some(baked::from_png(bytes))
    } else if baked::is_svg(bytes) {
        Some(baked::from_svg(bytes))
    } else {
        None
    };
    match found {
        None => Ok(Document {
            input: parse(bytes)?,
            baked: None,
        }),
        Some(Err(e)) => Err(ParseError::Baked(e.to_string())),
        Some(Ok(b)) => Ok(Document {
            input: parse(b.text.as_bytes())?,
            baked: Some(b),
        }),
    }
}

/// Decode `bytes`: JSON object or compact JWS.
pub fn parse(bytes: &[u8]) -> Result<Input, ParseError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ParseError::TooLarge(bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ParseError::NotText)?;
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(ParseError::Empty);
    }
    if text.starts_with('{') || text.starts_with('[') {
        if depth(text) > MAX_DEPTH {
            return Err(ParseError::TooDeep);
        }
        let v: Value = serde_json::from_str(text).map_err(|e| ParseError::Json(e.to_string()))?;
        return match v {
            Value::Object(_) => Ok(Input::Json(v)),
            Value::Array(_) => Err(ParseError::NotObject("array")),
            _ => Err(ParseError::NotObject("scalar")),
        };
    }
    if is_compact_jws(text) {
        return Ok(Input::Jws(text.to_string()));
    }
    let head: String = text.chars().take(16).collect();
    Err(ParseError::Unknown(head))
}

/// `header.payload.signature` in base64url (payload may be empty: detached).
pub fn is_compact_jws(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && !parts[0].is_empty()
        && !parts[2].is_empty()
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Maximum bracket nesting of a JSON text, ignoring brackets inside strings.
fn depth(text: &str) -> usize {
    let (mut d, mut max, mut in_str, mut esc) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        if in_str {
            match (esc, b) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' | b'[' => {
                d += 1;
                max = max.max(d);
            }
            b'}' | b']' => d = d.saturating_sub(1),
            _ => {}
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_json_and_jws() {
        assert!(matches!(parse(b" {\"a\":1} "), Ok(Input::Json(_))));
        assert!(matches!(parse(b"eyJh.eyJi.c2ln\n"), Ok(Input::Jws(_))));
    }

    #[test]
    fn refuses_bad_input_without_panicking() {
        assert_eq!(parse(b""), Err(ParseError::Empty));
        assert_eq!(parse(&[0xff, 0xfe, 0x00]), Err(ParseError::NotText));
        assert!(matches!(parse(b"{\"a\":"), Err(ParseError::Json(_))));
        assert_eq!(parse(b"[1]"), Err(ParseError::NotObject("array")));
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert_eq!(parse(deep.as_bytes()), Err(ParseError::TooDeep));
        assert!(matches!(parse(b"hello world"), Err(ParseError::Unknown(_))));
        let big = vec![b' '; MAX_INPUT_BYTES + 1];
        assert_eq!(parse(&big), Err(ParseError::TooLarge(MAX_INPUT_BYTES + 1)));
    }
}
