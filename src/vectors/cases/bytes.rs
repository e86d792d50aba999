//! Byte-level cases (`documents.json`): whole credential documents as bytes, for
//! the rules a JSON value cannot carry: UTF-8, one credential per document, JSON
//! or compact JWS, and baked PNG / SVG images. Every image is built here, byte by
//! byte, so the bytes are the same on every run.

use super::{CaseSpec, FileSpec, GroupSpec, clr_mutated, invalid, spec, valid};
use crate::vectors::build::{self, Alg};
use crate::vectors::format::{ByteDocument, Verdict};
use crate::vectors::keys::keys;
use serde_json::{Value, json};

const PNG: &str = "image/png";
const SVG: &str = "image/svg+xml";
const JSON_LD: &str = "application/vc+ld+json";
const JWS: &str = "text/plain";

/// The PNG keyword and SVG namespace for a ClrCredential, and the OB ones.
const CLR_KEYWORD: &str = "clrcredential";
const OB_KEYWORD: &str = "openbadgecredential";
const CLR_NS: &str = "https://purl.imsglobal.org/clr/v2p0";
const OB_NS: &str = "https://purl.imsglobal.org/ob/v3p0";

/// `spec` carrying `bytes` as a document of `media_type`.
fn doc(mut spec: CaseSpec, media_type: &str, bytes: &[u8]) -> CaseSpec {
    spec.credential = Value::Null;
    spec.document = Some(ByteDocument::new(media_type, bytes));
    spec
}

/// The signed small ClrCredential as pretty JSON bytes.
fn clr_json() -> Vec<u8> {
    serde_json::to_vec_pretty(&clr_mutated(|_| {})).unwrap_or_default()
}

/// The small ClrCredential as a compact JWS (RS256).
fn clr_jws() -> String {
    let c = super::small_clr();
    build::sign_jwt_as(&c, Alg::Rs256, &keys().clr, |_| {})
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// One PNG chunk: length, type, data, CRC-32 of type and data.
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    let mut v = (data.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(data);
    v.extend_from_slice(&crc.sum().to_be_bytes());
    v
}

/// A zlib stream of stored (uncompressed) deflate blocks: the same bytes with
/// any zlib implementation.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = if data.is_empty() {
        vec![&[]]
    } else {
        data.chunks(65_535).collect()
    };
    for (i, b) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = b.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(b);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// An iTXt chunk body: keyword, compression flag and method, empty language
/// tag and translated keyword, then the text (zlib-compressed when asked).
fn itxt(keyword: &str, text: &str, compressed: bool) -> Vec<u8> {
    let mut v = keyword.as_bytes().to_vec();
    v.extend_from_slice(&[0, u8::from(compressed), 0, 0, 0]);
    if compressed {
        v.extend(zlib_stored(text.as_bytes()));
    } else {
        v.extend_from_slice(text.as_bytes());
    }
    v
}

/// A 1x1 opaque PNG with `extra` chunks (already framed) before IEND.
fn png(extra: &[Vec<u8>]) -> Vec<u8> {
    let mut ihdr = 1u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&1u32.to_be_bytes());
    // Bit depth 8, colour type 6 (RGBA), compression, filter, interlace.
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend(chunk(b"IHDR", &ihdr));
    // One scanline: filter byte 0, then one RGBA pixel.
    v.extend(chunk(b"IDAT", &zlib_stored(&[0, 0x1f, 0x6f, 0xeb, 0xff])));
    for c in extra {
        v.extend_from_slice(c);
    }
    v.extend(chunk(b"IEND", &[]));
    v
}

/// A PNG with one iTXt chunk per (keyword, text, compressed).
fn baked_png(chunks: &[(&str, &str, bool)]) -> Vec<u8> {
    let extra: Vec<Vec<u8>> = chunks
        .iter()
        .map(|(k, t, z)| chunk(b"iTXt", &itxt(k, t, *z)))
        .collect();
    png(&extra)
}

/// How a credential element sits in an SVG.
struct Element<'a> {
    ns: &'a str,
    /// A compact JWS in the `verify` attribute, else `body` is the JSON.
    verify: Option<&'a str>,
    body: &'a str,
    /// Wrap the body in CDATA (as the rule says) or write it as escaped text.
    cdata: bool,
}

impl<'a> Element<'a> {
    fn json(ns: &'a str, body: &'a str) -> Element<'a> {
        Element {
            ns,
            verify: None,
            body,
            cdata: true,
        }
    }

    fn jws(ns: &'a str, jws: &'a str) -> Element<'a> {
        Element {
            ns,
            verify: Some(jws),
            body: "",
            cdata: true,
        }
    }

    fn xml(&self, prefix: &str) -> String {
        match self.verify {
            Some(j) => format!("  <{prefix}:credential verify=\"{j}\"></{prefix}:credential>\n"),
            None if self.cdata => format!(
                "  <{prefix}:credential><![CDATA[\n{}\n]]></{prefix}:credential>\n",
                self.body
            ),
            None => format!(
                "  <{prefix}:credential>\n{}\n</{prefix}:credential>\n",
                escape(self.body)
            ),
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The prefix an SVG binds namespace `ns` to.
fn prefix(ns: &str) -> &'static str {
    match ns {
        CLR_NS => "clr",
        OB_NS => "openbadges",
        _ => "x",
    }
}

/// An SVG badge; the credential elements come directly after `<svg>` unless
/// `shape_first` puts the drawing before them.
fn baked_svg(elements: &[Element], shape_first: bool) -> Vec<u8> {
    let shape = "  <circle cx=\"256\" cy=\"256\" r=\"200\" fill=\"#1f6feb\"/>\n";
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str("<svg xmlns=\"http://www.w3.org/2000/svg\"");
    let mut bound = Vec::new();
    for e in elements {
        if !bound.contains(&e.ns) {
            s.push_str(&format!(" xmlns:{}=\"{}\"", prefix(e.ns), e.ns));
            bound.push(e.ns);
        }
    }
    s.push_str(" viewBox=\"0 0 512 512\">\n");
    if shape_first {
        s.push_str(shape);
    }
    for e in elements {
        s.push_str(&e.xml(prefix(e.ns)));
    }
    if !shape_first {
        s.push_str(shape);
    }
    s.push_str("</svg>\n");
    s.into_bytes()
}

/// A second, different signed ClrCredential (another id).
fn other_clr() -> Value {
    clr_mutated(|c| c["id"] = json!("urn:uuid:00000000-0000-4000-8000-000000000077"))
}

pub fn documents() -> FileSpec {
    let json = String::from_utf8(clr_json()).unwrap_or_default();
    let jws = clr_jws();
    let compact = serde_json::to_string(&clr_mutated(|_| {})).unwrap_or_default();
    let other = serde_json::to_string(&other_clr()).unwrap_or_default();
    let png_ok = baked_png(&[(CLR_KEYWORD, &json, false)]);
    let svg_jws = baked_svg(&[Element::jws(CLR_NS, &jws)], false);
    let shared = |tests: &mut Vec<CaseSpec>| {
        tests.push(doc(
            valid(
                "baked PNG: the ClrCredential JSON in one uncompressed iTXt chunk `clrcredential`",
                &["Baked"],
                &["data.baked.png", "verify.input.formats"],
                Value::Null,
            ),
            PNG,
            &png_ok,
        ));
        tests.push(doc(
            valid(
                "baked SVG: the compact JWS in the `verify` attribute of a clr:credential element",
                &["Baked", "Jwt"],
                &["data.baked.svg", "verify.input.formats"],
                Value::Null,
            ),
            SVG,
            &svg_jws,
        ));
    };
    let mut issuer = Vec::new();
    shared(&mut issuer);
    issuer.extend([
        doc(
            valid(
                "a .json file: the signed ClrCredential as UTF-8 JSON",
                &[],
                &[
                    "data.document.jws-or-json",
                    "data.serialization.utf8",
                    "data.document.single-credential",
                ],
                Value::Null,
            ),
            JSON_LD,
            json.as_bytes(),
        ),
        doc(
            valid(
                "a .jws file: the compact JWS and a final newline",
                &["Jwt"],
                &["data.document.jws-or-json"],
                Value::Null,
            ),
            JWS,
            format!("{jws}\n").as_bytes(),
        ),
        doc(
            valid(
                "baked PNG: the compact JWS in the iTXt chunk",
                &["Baked", "Jwt"],
                &["data.baked.png"],
                Value::Null,
            ),
            PNG,
            &baked_png(&[(CLR_KEYWORD, &jws, false)]),
        ),
        doc(
            valid(
                "baked SVG: the JSON in a CDATA body, element directly after <svg>",
                &["Baked"],
                &["data.baked.svg"],
                Value::Null,
            ),
            SVG,
            &baked_svg(&[Element::json(CLR_NS, &json)], false),
        ),
        // Encoding.
        doc(
            invalid(
                "the JSON encoded as UTF-16LE with a byte order mark",
                &[],
                &["data.serialization.utf8"],
                Value::Null,
            ),
            JSON_LD,
            &utf16le(&json),
        ),
        doc(
            invalid(
                "the JSON (a name with é and ü) encoded as ISO-8859-1: read as Latin-1 the signature holds, but the bytes are not UTF-8",
                &[],
                &["data.serialization.utf8"],
                Value::Null,
            ),
            JSON_LD,
            &latin1(
                &serde_json::to_string_pretty(&clr_mutated(|c| {
                    c["name"] = json!("Relevé de notes für Schüler (TEST ONLY)")
                }))
                .unwrap_or_default(),
            ),
        ),
        // One credential per document.
        doc(
            invalid(
                "a JSON array of two signed ClrCredentials",
                &[],
                &["data.document.single-credential"],
                Value::Null,
            ),
            JSON_LD,
            format!("[{compact},\n{other}]\n").as_bytes(),
        ),
        doc(
            invalid(
                "two signed ClrCredentials one after the other (JSON Lines)",
                &[],
                &["data.document.single-credential"],
                Value::Null,
            ),
            JSON_LD,
            format!("{compact}\n{other}\n").as_bytes(),
        ),
        doc(
            invalid(
                "a JSON array holding the one ClrCredential, not the credential itself",
                &[],
                &["data.document.jws-or-json"],
                Value::Null,
            ),
            JSON_LD,
            format!("[{compact}]\n").as_bytes(),
        ),
        // JSON or compact JWS.
        doc(
            invalid(
                "the compact JWS quoted as a JSON string",
                &["Jwt"],
                &["data.document.jws-or-json"],
                Value::Null,
            ),
            JSON_LD,
            format!("\"{jws}\"\n").as_bytes(),
        ),
        doc(
            invalid(
                "the JSON base64-encoded: neither JSON nor a compact JWS",
                &[],
                &["data.document.jws-or-json"],
                Value::Null,
            ),
            JWS,
            {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.encode(compact.as_bytes())
            }
            .as_bytes(),
        ),
        // Baked PNG.
        doc(
            invalid(
                "PNG without a credential: the JSON in a tEXt chunk, not iTXt",
                &["Baked"],
                &["data.baked.png"],
                Value::Null,
            ),
            PNG,
            &png(&[chunk(b"tEXt", format!("{CLR_KEYWORD}\0{compact}").as_bytes())]),
        ),
        doc(
            invalid(
                "PNG with two clrcredential iTXt chunks",
                &["Baked"],
                &["data.baked.png"],
                Value::Null,
            ),
            PNG,
            &baked_png(&[(CLR_KEYWORD, &json, false), (CLR_KEYWORD, &other, false)]),
        ),
        doc(
            invalid(
                "PNG whose iTXt chunk is compressed (zlib)",
                &["Baked"],
                &["data.baked.png"],
                Value::Null,
            ),
            PNG,
            &baked_png(&[(CLR_KEYWORD, &json, true)]),
        ),
        doc(
            invalid(
                "PNG carrying a ClrCredential under the OB keyword openbadgecredential",
                &["Baked"],
                &["data.baked.png"],
                Value::Null,
            ),
            PNG,
            &baked_png(&[(OB_KEYWORD, &json, false)]),
        ),
        doc(
            invalid(
                "PNG whose clrcredential chunk holds no credential",
                &["Baked"],
                &["data.baked.png"],
                Value::Null,
            ),
            PNG,
            &baked_png(&[(CLR_KEYWORD, "https://records.example.edu/clr/1", false)]),
        ),
        // Baked SVG.
        doc(
            invalid(
                "SVG whose credential element is in a namespace that is not the CLR one",
                &["Baked"],
                &["data.baked.svg"],
                Value::Null,
            ),
            SVG,
            &baked_svg(
                &[Element::json("https://purl.imsglobal.org/spec/clr/v2p0", &json)],
                false,
            ),
        ),
        doc(
            invalid(
                "SVG with two clr:credential elements",
                &["Baked"],
                &["data.baked.svg"],
                Value::Null,
            ),
            SVG,
            &baked_svg(
                &[Element::json(CLR_NS, &json), Element::json(CLR_NS, &other)],
                false,
            ),
        ),
        doc(
            invalid(
                "SVG whose credential element comes after the drawing, not directly after <svg>",
                &["Baked"],
                &["data.baked.svg"],
                Value::Null,
            ),
            SVG,
            &baked_svg(&[Element::json(CLR_NS, &json)], true),
        ),
        doc(
            invalid(
                "SVG with the JSON as escaped element text, not in CDATA",
                &["Baked"],
                &["data.baked.svg"],
                Value::Null,
            ),
            SVG,
            &baked_svg(
                &[Element {
                    cdata: false,
                    ..Element::json(CLR_NS, &json)
                }],
                false,
            ),
        ),
        doc(
            invalid(
                "SVG carrying a ClrCredential in the OB namespace",
                &["Baked"],
                &["data.baked.svg"],
                Value::Null,
            ),
            SVG,
            &baked_svg(&[Element::json(OB_NS, &json)], false),
        ),
    ]);
    // Appended after the older cases, so their tcIds stay.
    issuer.extend([
        doc(
            invalid(
                "the JSON after a UTF-8 byte order mark (EF BB BF)",
                &[],
                &["data.serialization.no-bom"],
                Value::Null,
            ),
            JSON_LD,
            &[&[0xef, 0xbb, 0xbf][..], json.as_bytes()].concat(),
        ),
        doc(
            spec(
                "validFrom twice: a first member 1999-01-01 before the signed one (the signature holds with the last; a first-wins reader shows 1999)",
                &["Should"],
                &["data.serialization.unique-members"],
                Verdict::Acceptable,
                Value::Null,
            ),
            JSON_LD,
            compact
                .replacen('{', "{\"validFrom\":\"1999-01-01T00:00:00Z\",", 1)
                .as_bytes(),
        ),
        doc(
            valid(
                "a JSON credential whose issuer image is a data:image/svg+xml URL (`<svg` in its first 2 KiB): JSON, not a baked SVG",
                &[],
                &["data.document.jws-or-json", "data.baked.svg"],
                Value::Null,
            ),
            JSON_LD,
            &serde_json::to_vec_pretty(&clr_mutated(|c| {
                c["issuer"]["image"] = json!({
                    "id": "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/>",
                    "type": "Image"
                })
            }))
            .unwrap_or_default(),
        ),
    ]);
    let mut displayer = Vec::new();
    shared(&mut displayer);
    FileSpec {
        name: "documents.json",
        topic: "Credential documents as bytes",
        header: vec![
            "Whole credential documents (files, web resources, baked PNG and SVG images) as bytes: each case carries `document` (mediaType, base64) instead of `credential`.",
            "Decode the bytes as a verifier decodes a file: sniff PNG / SVG / JSON / compact JWS, extract a baked credential, then verify it. Rules: UTF-8, exactly one credential, the JSON or the compact JWS itself, and the OB 3.0 §5.3 baking rules with the CLR keyword `clrcredential` and namespace https://purl.imsglobal.org/clr/v2p0.",
        ],
        first_id: 11000,
        groups: vec![
            GroupSpec::new("issuer", issuer),
            GroupSpec::new("displayer", displayer),
            // Appended last so earlier tcIds stay stable.
            certification(&png_ok),
        ],
    }
}

/// A certification submission is baked (CLR test system, issuer section):
/// the same signed record passes baked in a PNG and fails as a bare file.
fn certification(png_ok: &[u8]) -> GroupSpec {
    let mut g = GroupSpec::new(
        "issuer",
        vec![
            doc(
                valid(
                    "certification submission baked in a PNG, issued to the expected recipient",
                    &["Baked", "Certification", "Recipient"],
                    &["data.cert.baked", "data.cert.recipient"],
                    Value::Null,
                ),
                PNG,
                png_ok,
            ),
            doc(
                invalid(
                    "certification submission as a bare .json file: the record verifies, but a certification record is baked",
                    &["Certification", "Recipient"],
                    &["data.cert.baked"],
                    Value::Null,
                ),
                JSON_LD,
                &clr_json(),
            ),
        ],
    );
    g.certification = true;
    g.expect_recipient = Some(crate::vectors::build::LEARNER);
    g
}

fn utf16le(s: &str) -> Vec<u8> {
    let mut v = vec![0xff, 0xfe];
    for u in s.encode_utf16() {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v
}

/// ISO-8859-1 bytes of `s` (characters above U+00FF become `?`).
fn latin1(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::baked;
    use std::io::Read;

    #[test]
    fn png_chunks_are_well_formed() {
        let p = baked_png(&[(CLR_KEYWORD, "{\"a\":1}", false)]);
        let b = baked::from_png(&p).unwrap();
        assert_eq!(
            (b.text.as_str(), b.carrier.as_str()),
            ("{\"a\":1}", CLR_KEYWORD)
        );
        // IHDR's CRC, as any PNG decoder computes it.
        let ihdr = &p[8..8 + 8 + 13 + 4];
        let mut crc = flate2::Crc::new();
        crc.update(&ihdr[4..21]);
        assert_eq!(crc.sum().to_be_bytes(), ihdr[21..25]);
    }

    #[test]
    fn stored_zlib_inflates_back() {
        for data in [&b""[..], b"hello", &vec![7u8; 70_000]] {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&zlib_stored(data)[..])
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, data);
        }
    }

    #[test]
    fn svg_places_the_element_as_asked() {
        let s = baked_svg(&[Element::json(CLR_NS, "{}")], false);
        assert!(baked::from_svg(&s).unwrap().problems.is_empty());
        let late = baked_svg(&[Element::json(CLR_NS, "{}")], true);
        assert_eq!(baked::from_svg(&late).unwrap().problems.len(), 1);
    }
}
