//! Baked images: credentials carried inside a PNG (`iTXt` chunk) or an SVG
//! (`<credential>` element), as OB 3.0 §5.3 describes and CLR 2.0 inherits.
//! Extraction only; the credential found is then verified like any other.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// The iTXt keywords and SVG namespaces that carry a credential.
pub const PNG_KEYWORDS: &[&str] = &["openbadgecredential", "clrcredential"];
pub const SVG_NAMESPACES: &[&str] = &[
    "https://purl.imsglobal.org/ob/v3p0",
    "https://purl.imsglobal.org/clr/v2p0",
];

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Which kind of image a credential came out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Image {
    Png,
    Svg,
}

/// What was found in an image, and any baking rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baked {
    pub image: Image,
    /// The credential text (JSON or compact JWS).
    pub text: String,
    /// The PNG keyword or SVG namespace that carried it.
    pub carrier: String,
    /// Baking rules broken (more than one carrier, compressed chunk, ...).
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BakedError {
    #[error("PNG: {0}")]
    Png(String),
    #[error("SVG: {0}")]
    Svg(String),
}

pub fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(PNG_SIGNATURE)
}

pub fn is_svg(bytes: &[u8]) -> bool {
    // Only the document's root element counts: skip a BOM, whitespace, the XML
    // declaration, processing instructions, comments and a DOCTYPE, then the first
    // element must be `svg` (a JSON credential holding `<svg` in a data: URL is JSON).
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let mut rest = head.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        let skip = if rest.starts_with("<?") {
            rest.find("?>").map(|i| i + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|i| i + 3)
        } else if rest
            .get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case("<!doctype"))
        {
            rest.find('>').map(|i| i + 1)
        } else {
            break;
        };
        match skip {
            Some(n) => rest = &rest[n..],
            None => return false,
        }
    }
    let Some(tag) = rest.strip_prefix('<') else {
        return false;
    };
    let name: String = tag
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        .collect();
    let local = name.rsplit(':').next().unwrap_or(&name);
    local.eq_ignore_ascii_case("svg")
}

/// The credential in a baked PNG's `iTXt` chunk.
pub fn from_png(bytes: &[u8]) -> Result<Baked, BakedError> {
    let err = |m: String| BakedError::Png(m);
    if !is_png(bytes) {
        return Err(err("no PNG signature".into()));
    }
    let mut pos = PNG_SIGNATURE.len();
    // One credential text is kept (the first readable one); later carrier
    // chunks are counted, not inflated, and all inflating shares one budget,
    // so a PNG of many compressed chunks costs at most MAX_INPUT_BYTES.
    let mut found: Option<(String, String)> = None;
    let mut carriers = 0usize;
    let mut compressed_seen = false;
    let mut budget = super::parse::MAX_INPUT_BYTES as u64;
    let mut problems = Vec::new();
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]])
            as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let start = pos + 8;
        let Some(end) = start.checked_add(len).filter(|e| e + 4 <= bytes.len()) else {
            return Err(err(format!(
                "chunk at byte {pos} runs past the end of the file"
            )));
        };
        if kind == b"iTXt"
            && let Some((keyword, raw, compressed)) = itxt(&bytes[start..end])
            && PNG_KEYWORDS.contains(&keyword.as_str())
        {
            if compressed && !compressed_seen {
                compressed_seen = true;
                problems.push(format!(
                    "iTXt {keyword} chunk is compressed; compression must not be used"
                ));
            }
            if found.is_some() {
                carriers += 1;
            } else {
                match text_of(raw, compressed, &mut budget) {
                    Some(t) => {
                        carriers += 1;
                        found = Some((keyword, t));
                    }
                    None => problems.push(format!(
                        "iTXt {keyword} chunk: text cannot be decompressed or is not UTF-8"
                    )),
                }
            }
        }
        if kind == b"IEND" {
            break;
        }
        pos = end + 4;
    }
    if carriers > 1 {
        problems.push(format!(
            "{carriers} credential iTXt chunks; at most one is allowed"
        ));
    }
    match found {
        Some((carrier, text)) => Ok(Baked {
            image: Image::Png,
            text,
            carrier,
            problems,
        }),
        None => Err(err(format!(
            "no iTXt chunk with keyword {}{}",
            PNG_KEYWORDS.join(" or "),
            problems
                .first()
                .map(|p| format!(" that can be read ({p})"))
                .unwrap_or_default()
        ))),
    }
}

/// (keyword, text bytes, compressed) of an iTXt chunk body; nothing is inflated here.
fn itxt(data: &[u8]) -> Option<(String, &[u8], bool)> {
    let kw_end = data.iter().position(|&b| b == 0)?;
    let keyword = String::from_utf8_lossy(&data[..kw_end]).into_owned();
    let flag = *data.get(kw_end + 1)?;
    let rest = data.get(kw_end + 3..)?;
    let lang_end = rest.iter().position(|&b| b == 0)?;
    let rest = &rest[lang_end + 1..];
    let tk_end = rest.iter().position(|&b| b == 0)?;
    Some((keyword, &rest[tk_end + 1..], flag != 0))
}

/// The chunk's text, inflated within what is left of `budget` (spent as it
/// goes); `None` when it cannot be inflated or is not UTF-8.
fn text_of(raw: &[u8], compressed: bool, budget: &mut u64) -> Option<String> {
    use std::io::Read;
    let bytes = if compressed {
        let mut out = Vec::new();
        let r = flate2::read::ZlibDecoder::new(raw)
            .take(*budget)
            .read_to_end(&mut out);
        *budget = budget.saturating_sub(out.len() as u64);
        r.ok().map(|_| out)
    } else {
        Some(raw.to_vec())
    };
    bytes.and_then(|b| String::from_utf8(b).ok())
}

/// The credential in a baked SVG: the `verify` attribute (VC-JWT) or the element
/// text (JSON, in CDATA), in an element placed directly after the `<svg>` tag.
pub fn from_svg(bytes: &[u8]) -> Result<Baked, BakedError> {
    let err = |m: String| BakedError::Svg(m);
    let text = std::str::from_utf8(bytes).map_err(|_| err("not UTF-8".into()))?;
    let mut reader = NsReader::from_str(text);
    let mut found: Vec<(String, String)> = Vec::new();
    let mut problems = Vec::new();
    // Inside a credential element: its namespace and the body read so far.
    let mut inside: Option<String> = None;
    let mut buf = String::new();
    // Elements started so far, and whether the last one started was the root `<svg>`.
    let mut elements = 0usize;
    let mut right_after_svg = false;
    loop {
        let event = reader.read_resolved_event();
        let started = matches!(event, Ok((_, Event::Start(_))) | Ok((_, Event::Empty(_))));
        let empty = matches!(event, Ok((_, Event::Empty(_))));
        match event {
            Ok((ns, Event::Start(e))) | Ok((ns, Event::Empty(e)))
                if e.local_name().as_ref() == b"credential" && carrier(&ns).is_some() =>
            {
                let ns = carrier(&ns).unwrap_or_default();
                if !right_after_svg {
                    problems.push(format!(
                        "credential element #{} is not directly after the <svg> tag",
                        found.len() + 1
                    ));
                }
                let verify = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == b"verify")
                    .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()));
                match verify {
                    Some(jws) => found.push((ns, jws)),
                    None if empty => found.push((ns, String::new())),
                    None => {
                        inside = Some(ns);
                        buf.clear();
                    }
                }
            }
            Ok((_, Event::CData(t))) if inside.is_some() => {
                buf.push_str(&String::from_utf8_lossy(&t))
            }
            Ok((_, Event::Text(t))) if inside.is_some() => {
                let t = t.decode().map(|c| c.into_owned()).unwrap_or_default();
                if !t.trim().is_empty() {
                    problems.push("credential JSON is not wrapped in <![CDATA[...]]>".into());
                }
                buf.push_str(&t);
            }
            Ok((_, Event::End(e))) if e.local_name().as_ref() == b"credential" => {
                if let Some(ns) = inside.take() {
                    found.push((ns, buf.trim().to_string()));
                }
            }
            Ok((_, Event::Eof)) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(err(format!(
                    "not well-formed XML at byte {}: {e}",
                    reader.buffer_position()
                )));
            }
        }
        if started {
            elements += 1;
            right_after_svg = elements == 1;
        }
    }
    if found.len() > 1 {
        problems.push(format!(
            "{} credential elements; exactly one is allowed",
            found.len()
        ));
    }
    match found.into_iter().next() {
        Some((carrier, text)) => Ok(Baked {
            image: Image::Svg,
            text,
            carrier,
            problems,
        }),
        None => Err(err(format!(
            "no credential element in namespace {}",
            SVG_NAMESPACES.join(" or ")
        ))),
    }
}

/// The credential namespace `ns` resolves to, if it is one.
fn carrier(ns: &ResolveResult) -> Option<String> {
    match ns {
        ResolveResult::Bound(n) => SVG_NAMESPACES
            .iter()
            .find(|u| n.as_ref() == u.as_bytes())
            .map(|u| u.to_string()),
        _ => None,
    }
}

/// The carrier a credential of `clr` kind (a ClrCredential, else an OB credential)
/// belongs in, for `image`.
pub fn expected_carrier(image: Image, clr: bool) -> &'static str {
    match (image, clr) {
        (Image::Png, true) => PNG_KEYWORDS[1],
        (Image::Png, false) => PNG_KEYWORDS[0],
        (Image::Svg, true) => SVG_NAMESPACES[1],
        (Image::Svg, false) => SVG_NAMESPACES[0],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn svg_is_sniffed_by_its_root_element_only() {
        for svg in [
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            "\u{feff}<?xml version=\"1.0\"?>\n<!-- c --><!DOCTYPE svg><SVG>",
            "  <svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\">",
        ] {
            assert!(super::is_svg(svg.as_bytes()), "{svg}");
        }
        for not in [
            r#"{"image": {"id": "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg'/>"}}"#,
            "<html><svg/></html>",
            "<!-- <svg> never closed",
            "eyJhbGciOi.<svg>.x",
        ] {
            assert!(!super::is_svg(not.as_bytes()), "{not}");
        }
    }

    use super::*;

    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut v = (data.len() as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(data);
        v.extend_from_slice(&[0, 0, 0, 0]);
        v
    }

    fn png(chunks: &[Vec<u8>]) -> Vec<u8> {
        let mut v = PNG_SIGNATURE.to_vec();
        for c in chunks {
            v.extend_from_slice(c);
        }
        v.extend(chunk(b"IEND", &[]));
        v
    }

    #[test]
    fn png_itxt_found_and_rules_checked() {
        let body = b"clrcredential\0\0\0\0\0{\"a\":1}".to_vec();
        let p = png(&[chunk(b"IHDR", &[0; 13]), chunk(b"iTXt", &body)]);
        let b = from_png(&p).unwrap();
        assert_eq!(b.text, "{\"a\":1}");
        assert!(b.problems.is_empty());
        let twice = png(&[chunk(b"iTXt", &body), chunk(b"iTXt", &body)]);
        assert_eq!(from_png(&twice).unwrap().problems.len(), 1);
        assert!(from_png(&png(&[])).is_err());
        let mut cut = p.clone();
        cut.truncate(20);
        assert!(from_png(&cut).is_err());
    }

    #[test]
    fn svg_json_and_jws() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:c="https://purl.imsglobal.org/clr/v2p0"><c:credential><![CDATA[ {"a":1} ]]></c:credential></svg>"#;
        assert_eq!(from_svg(svg.as_bytes()).unwrap().text, "{\"a\":1}");
        let jws = r#"<svg xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><ob:credential verify="a.b.c"/></svg>"#;
        assert_eq!(from_svg(jws.as_bytes()).unwrap().text, "a.b.c");
        let wrong_ns =
            r#"<svg xmlns:x="https://example.org/"><x:credential verify="a.b.c"/></svg>"#;
        assert!(from_svg(wrong_ns.as_bytes()).is_err());
        assert!(from_svg(b"<svg><unclosed").is_err());
    }

    #[test]
    fn compressed_chunks_are_read_and_reported() {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(b"{\"a\":1}").unwrap();
        let mut body = b"clrcredential\0\x01\0\0\0".to_vec();
        body.extend(z.finish().unwrap());
        let b = from_png(&png(&[chunk(b"iTXt", &body)])).unwrap();
        assert_eq!(b.text, "{\"a\":1}");
        assert!(b.problems[0].contains("compressed"), "{:?}", b.problems);
        // Not zlib at all: nothing to read.
        let bad = b"clrcredential\0\x01\0\0\0garbage".to_vec();
        assert!(from_png(&png(&[chunk(b"iTXt", &bad)])).is_err());
    }

    #[test]
    fn svg_element_placement_and_cdata_are_checked() {
        let ns = r#"xmlns:c="https://purl.imsglobal.org/clr/v2p0""#;
        let good = format!(r#"<svg {ns}><c:credential><![CDATA[{{}}]]></c:credential><g/></svg>"#);
        let b = from_svg(good.as_bytes()).unwrap();
        assert_eq!(
            (b.problems.len(), b.carrier.as_str()),
            (0, SVG_NAMESPACES[1])
        );
        let late = format!(r#"<svg {ns}><g/><c:credential verify="a.b.c"/></svg>"#);
        assert!(from_svg(late.as_bytes()).unwrap().problems[0].contains("directly after"));
        let text = format!(r#"<svg {ns}><c:credential>{{}}</c:credential></svg>"#);
        assert!(from_svg(text.as_bytes()).unwrap().problems[0].contains("CDATA"));
        let two = format!(
            r#"<svg {ns}><c:credential verify="a.b.c"/><c:credential verify="d.e.f"/></svg>"#
        );
        let b = from_svg(two.as_bytes()).unwrap();
        assert_eq!(b.text, "a.b.c");
        assert!(
            b.problems
                .iter()
                .any(|p| p.contains("2 credential elements"))
        );
    }
}
