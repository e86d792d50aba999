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
    /// Document rules the bytes break while still yielding a credential to verify.
    pub problems: Vec<Problem>,
}

/// A document rule broken: the catalog id and what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub id: &'static str,
    pub message: String,
}

impl Problem {
    fn new(id: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            id,
            message: message.into(),
        }
    }
}

/// Decode `bytes`: a baked PNG or SVG, a JSON object, or a compact JWS.
/// Text that is not UTF-8 (UTF-16 with a byte order mark, else ISO-8859-1) and
/// more than one credential (a JSON array or a sequence of JSON texts) still
/// yield the (first) credential, with the rule broken listed in `problems`.
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
        None => {
            let (input, problems) = decode(bytes)?;
            Ok(Document {
                input,
                baked: None,
                problems,
            })
        }
        Some(Err(e)) => Err(ParseError::Baked(e.to_string())),
        Some(Ok(b)) => {
            // What a carrier holds that is no credential breaks the baking rule.
            let (input, problems) = decode(b.text.as_bytes()).map_err(|e| {
                let (image, what) = carrier_kind(&b);
                ParseError::Baked(format!("{image}: {} {what}: {e}", b.carrier))
            })?;
            Ok(Document {
                input,
                baked: Some(b),
                problems,
            })
        }
    }
}

/// ("PNG", "chunk") or ("SVG", "element"): how `BakedError` names them.
fn carrier_kind(b: &super::baked::Baked) -> (&'static str, &'static str) {
    match b.image {
        super::baked::Image::Png => ("PNG", "chunk"),
        super::baked::Image::Svg => ("SVG", "element"),
    }
}

/// Decode leniently: what `parse` accepts, plus the broken forms `parse_document` describes.
fn decode(bytes: &[u8]) -> Result<(Input, Vec<Problem>), ParseError> {
    let mut problems = Vec::new();
    let owned;
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            let (t, what) = not_utf8(bytes);
            if !looks_like_credential(&t) {
                return Err(ParseError::NotText);
            }
            problems.push(Problem::new(
                "data.serialization.utf8",
                format!("{what}: the document is not UTF-8"),
            ));
            owned = t;
            owned.as_str()
        }
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if std::str::from_utf8(bytes).is_ok_and(|t| t.starts_with('\u{feff}')) {
        problems.push(Problem::new(
            "data.serialization.no-bom",
            "the document starts with a UTF-8 byte order mark (EF BB BF); JSON sent between systems must not",
        ));
    }
    match parse(text.as_bytes()) {
        Ok(input) => {
            if matches!(input, Input::Json(_)) {
                for (pointer, name) in duplicate_members(trimmed).into_iter().take(MAX_LISTED) {
                    problems.push(Problem::new(
                        "data.serialization.unique-members",
                        format!(
                            "{pointer}: member {name:?} appears more than once; the last one is the one verified, a reader keeping the first sees another value"
                        ),
                    ));
                }
            }
            Ok((input, problems))
        }
        Err(ParseError::NotObject("array")) => {
            let Ok(Value::Array(items)) = serde_json::from_str::<Value>(trimmed) else {
                return Err(ParseError::NotObject("array"));
            };
            let first = one(items.first()).ok_or(ParseError::NotObject("array"))?;
            problems.push(if items.len() > 1 {
                Problem::new(
                    "data.document.single-credential",
                    format!(
                        "a JSON array of {} credentials: a document holds exactly one",
                        items.len()
                    ),
                )
            } else {
                Problem::new(
                    "data.document.jws-or-json",
                    "a JSON array holding the credential: the document must be the credential's JSON itself",
                )
            });
            Ok((first, problems))
        }
        Err(e @ ParseError::Json(_)) => {
            // Several JSON texts in a row (`{...}{...}`): more than one credential.
            let items: Result<Vec<Value>, _> = serde_json::Deserializer::from_str(trimmed)
                .into_iter::<Value>()
                .collect();
            match items {
                Ok(items) if items.len() > 1 && items.iter().all(Value::is_object) => {
                    problems.push(Problem::new(
                        "data.document.single-credential",
                        format!(
                            "{} JSON texts in a row: a document holds exactly one credential",
                            items.len()
                        ),
                    ));
                    let first = one(items.first()).ok_or(e)?;
                    Ok((first, problems))
                }
                _ => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// At most this many duplicate member names are reported per document.
const MAX_LISTED: usize = 10;

/// `(JSON pointer of the object, name)` for every member name an object of `text`
/// repeats, in document order (serde_json keeps only the last value).
fn duplicate_members(text: &str) -> Vec<(String, String)> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    struct Scan<'a> {
        at: String,
        out: &'a mut Vec<(String, String)>,
    }
    impl<'de> DeserializeSeed<'de> for Scan<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Scan<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0;
            loop {
                let at = format!("{}/{i}", self.at);
                let seed = Scan {
                    at,
                    out: &mut *self.out,
                };
                if seq.next_element_seed(seed)?.is_none() {
                    return Ok(());
                }
                i += 1;
            }
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                let token = key.replace('~', "~0").replace('/', "~1");
                let at = format!("{}/{token}", self.at);
                if !seen.insert(key.clone()) {
                    let object = if self.at.is_empty() { "/" } else { &self.at };
                    self.out.push((object.to_string(), key));
                }
                map.next_value_seed(Scan {
                    at,
                    out: &mut *self.out,
                })?;
            }
            Ok(())
        }
    }
    let mut out = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let scan = Scan {
        at: String::new(),
        out: &mut out,
    };
    // The text already parsed as a Value, so a failure here only ends the scan early.
    let _ = scan.deserialize(&mut de);
    out
}

/// A credential item: an object, or a compact JWS string.
fn one(v: Option<&Value>) -> Option<Input> {
    match v? {
        v @ Value::Object(_) => Some(Input::Json(v.clone())),
        Value::String(s) if is_compact_jws(s) => Some(Input::Jws(s.clone())),
        _ => None,
    }
}

/// Text of bytes that are not UTF-8: UTF-16 when a byte order mark says so,
/// else ISO-8859-1 (every byte one character); and what was assumed.
fn not_utf8(bytes: &[u8]) -> (String, &'static str) {
    let utf16 = |le: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xff, 0xfe, ..] => (utf16(true), "UTF-16LE (byte order mark FF FE)"),
        [0xfe, 0xff, ..] => (utf16(false), "UTF-16BE (byte order mark FE FF)"),
        _ => (
            bytes.iter().map(|&b| b as char).collect(),
            "bytes that are not UTF-8 (read as ISO-8859-1)",
        ),
    }
}

/// Whether decoded text is plausibly a credential (JSON or JWS), not binary data.
fn looks_like_credential(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}').trim();
    let printable = t.chars().all(|c| !c.is_control() || c.is_whitespace());
    printable && (t.starts_with('{') || t.starts_with('[') || is_compact_jws(t))
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

    #[test]
    fn documents_that_break_a_rule_still_yield_their_credential() {
        let ok = parse_document(b"{\"a\":\"\xc3\xa9\"}").unwrap();
        assert!(ok.problems.is_empty());
        let ids = |d: &Document| d.problems.iter().map(|p| p.id).collect::<Vec<_>>();
        // ISO-8859-1: the é survives, the rule is broken.
        let latin = parse_document(b"{\"a\":\"\xe9\"}").unwrap();
        assert_eq!(latin.input, Input::Json(serde_json::json!({"a": "\u{e9}"})));
        assert_eq!(ids(&latin), ["data.serialization.utf8"]);
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend("{\"a\":1}".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(
            ids(&parse_document(&utf16).unwrap()),
            ["data.serialization.utf8"]
        );
        // Binary data is no credential at all.
        assert_eq!(
            parse_document(&[0, 159, 146, 150]),
            Err(ParseError::NotText)
        );
        let two = parse_document(b"[{\"a\":1},{\"b\":2}]").unwrap();
        assert_eq!(two.input, Input::Json(serde_json::json!({"a": 1})));
        assert_eq!(ids(&two), ["data.document.single-credential"]);
        let lines = parse_document(b"{\"a\":1}\n{\"b\":2}\n").unwrap();
        assert_eq!(ids(&lines), ["data.document.single-credential"]);
        let wrapped = parse_document(b"[\"eyJh.eyJi.c2ln\"]").unwrap();
        assert_eq!(wrapped.input, Input::Jws("eyJh.eyJi.c2ln".into()));
        assert_eq!(ids(&wrapped), ["data.document.jws-or-json"]);
        assert_eq!(parse_document(b"[]"), Err(ParseError::NotObject("array")));
        assert!(matches!(
            parse_document(b"{\"a\":1} x"),
            Err(ParseError::Json(_))
        ));
        let bom = parse_document(b"\xef\xbb\xbf{\"a\":1}").unwrap();
        assert_eq!(bom.input, Input::Json(serde_json::json!({"a": 1})));
        assert_eq!(ids(&bom), ["data.serialization.no-bom"]);
        let dup = parse_document(br#"{"a":{"v":1,"w":[{"v":2,"v":3}],"v":4}}"#).unwrap();
        assert_eq!(
            dup.problems
                .iter()
                .map(|p| p.message.split(':').next().unwrap_or_default())
                .collect::<Vec<_>>(),
            ["/a/w/0", "/a"]
        );
        assert_eq!(
            dup.input,
            Input::Json(serde_json::json!({"a": {"v": 4, "w": [{"v": 3}]}}))
        );
    }
}
