//! Probe for legacy TLS: does the server accept a TLS 1.0 or 1.1 handshake?
//!
//! rustls never offers versions below 1.2, so this module speaks just enough
//! raw TLS to ask: it sends a ClientHello capped at the old version and reads
//! the first record back. An alert or a closed connection means refused; a
//! ServerHello choosing the old version means accepted [OB §6.2: TLS 1.2/1.3].

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What the server did with a legacy ClientHello.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Legacy {
    /// Alert, reset or close: the version was refused.
    Refused(String),
    /// A ServerHello for the legacy version: it was accepted.
    Accepted(String),
    /// No answer in time, or an answer that is not TLS.
    Inconclusive(String),
}

/// A ClientHello offering at most `version` (0x0301 = TLS 1.0, 0x0302 = TLS 1.1).
pub fn client_hello(version: u16, host: Option<&str>) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&version.to_be_bytes());
    body.extend_from_slice(&[0x5a; 32]); // random: a fixed value is fine for a probe
    body.push(0); // session id
    let suites: [u16; 6] = [0xc013, 0xc014, 0xc009, 0xc00a, 0x002f, 0x0035];
    body.extend_from_slice(&((suites.len() * 2) as u16).to_be_bytes());
    for s in suites {
        body.extend_from_slice(&s.to_be_bytes());
    }
    body.extend_from_slice(&[1, 0]); // compression: null
    let mut ext = Vec::new();
    if let Some(h) = host.filter(|h| h.parse::<std::net::IpAddr>().is_err()) {
        let name = h.as_bytes();
        let mut sni = Vec::new();
        sni.extend_from_slice(&((name.len() + 3) as u16).to_be_bytes());
        sni.push(0);
        sni.extend_from_slice(&(name.len() as u16).to_be_bytes());
        sni.extend_from_slice(name);
        ext.extend_from_slice(&[0x00, 0x00]);
        ext.extend_from_slice(&(sni.len() as u16).to_be_bytes());
        ext.extend_from_slice(&sni);
    }
    // supported_groups: x25519, secp256r1; ec_point_formats: uncompressed.
    ext.extend_from_slice(&[0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17]);
    ext.extend_from_slice(&[0x00, 0x0b, 0x00, 0x02, 0x01, 0x00]);
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);
    let mut hs = vec![1u8];
    hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&body);
    let mut rec = vec![0x16, 0x03, 0x01];
    rec.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    rec.extend_from_slice(&hs);
    rec
}

/// Classify the first bytes a server sent back.
pub fn classify(reply: &[u8], offered: u16) -> Legacy {
    match reply {
        [] => Legacy::Refused("the server closed the connection".into()),
        [0x15, ..] => {
            let desc = reply.get(6).copied().unwrap_or(0);
            Legacy::Refused(format!("the server answered with TLS alert {desc}"))
        }
        [0x16, _, _, _, _, 0x02, _, _, _, v1, v2, ..] => {
            let chosen = u16::from_be_bytes([*v1, *v2]);
            if chosen <= offered {
                Legacy::Accepted(format!("the server chose TLS version 0x{chosen:04x}"))
            } else {
                Legacy::Refused(format!(
                    "the server answered version 0x{chosen:04x}, above the offer"
                ))
            }
        }
        other => Legacy::Inconclusive(format!("not a TLS reply (first byte 0x{:02x})", other[0])),
    }
}

/// Offer `version` to `host:port` and classify the answer.
pub async fn probe(host: &str, port: u16, version: u16, wait: Duration) -> Legacy {
    let attempt = async {
        let mut s = TcpStream::connect((host, port)).await?;
        s.write_all(&client_hello(version, Some(host))).await?;
        let mut buf = [0u8; 16];
        let mut got = 0;
        while got < 11 {
            match s.read(&mut buf[got..]).await {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if got == 0 && e.kind() == std::io::ErrorKind::ConnectionReset => break,
                Err(e) => return Err(e),
            }
            if buf[0] == 0x15 && got >= 7 {
                break;
            }
        }
        Ok::<_, std::io::Error>(buf[..got].to_vec())
    };
    match tokio::time::timeout(wait, attempt).await {
        Ok(Ok(reply)) => classify(&reply, version),
        Ok(Err(e)) => Legacy::Inconclusive(format!("{host}:{port}: {e}")),
        Err(_) => Legacy::Inconclusive(format!(
            "{host}:{port}: no answer within {}s",
            wait.as_secs()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[test]
    fn hello_is_well_formed() {
        let h = client_hello(0x0302, Some("example.org"));
        assert_eq!(&h[..3], &[0x16, 0x03, 0x01]);
        assert_eq!(u16::from_be_bytes([h[3], h[4]]) as usize, h.len() - 5);
        assert_eq!(h[5], 1);
        assert_eq!(&h[9..11], &[0x03, 0x02]);
    }

    #[test]
    fn replies_are_classified() {
        assert!(matches!(
            classify(&[0x15, 3, 1, 0, 2, 2, 70], 0x0301),
            Legacy::Refused(_)
        ));
        let hello = [0x16, 3, 1, 0, 40, 0x02, 0, 0, 36, 3, 2];
        assert!(matches!(classify(&hello, 0x0302), Legacy::Accepted(_)));
        assert!(matches!(
            classify(b"HTTP/1.1 400", 0x0301),
            Legacy::Inconclusive(_)
        ));
        assert!(matches!(classify(&[], 0x0301), Legacy::Refused(_)));
    }

    /// A fake legacy server answering with a TLS 1.0 ServerHello is caught.
    #[tokio::test]
    async fn a_legacy_server_is_detected() {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut s, _) = l.accept().await.unwrap();
            let mut b = [0u8; 512];
            let _ = s.read(&mut b).await;
            let _ = s
                .write_all(&[0x16, 3, 1, 0, 40, 0x02, 0, 0, 36, 3, 1, 0, 0])
                .await;
        });
        let r = probe("127.0.0.1", port, 0x0301, Duration::from_secs(5)).await;
        assert!(matches!(r, Legacy::Accepted(_)), "{r:?}");
    }
}
