//! SQLite storage for the provider: registered clients, authorization codes,
//! tokens, the learner's credentials and profile. One connection behind a
//! mutex serializes every write, so parallel upserts cannot lose each other.

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// A registered OAuth client.
#[derive(Debug, Clone)]
pub struct Client {
    pub client_id: String,
    pub secret: String,
    pub redirect_uris: Vec<String>,
    /// Space-separated registered scopes.
    pub scope: String,
    pub grant_types: Vec<String>,
    /// The registration response, as returned.
    pub metadata: String,
}

/// An authorization code.
#[derive(Debug, Clone)]
pub struct Code {
    pub code: String,
    pub client_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub challenge: String,
    pub method: String,
    pub username: String,
    pub expires_at: i64,
    pub used: bool,
}

/// An access or refresh token. `grant` names the code the token chain came from.
#[derive(Debug, Clone)]
pub struct Token {
    pub token: String,
    pub kind: TokenKind,
    pub client_id: String,
    pub scope: String,
    pub username: String,
    pub grant: String,
    pub expires_at: i64,
    pub revoked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    fn as_str(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        }
    }
}

/// How a credential is serialized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Jws,
}

/// A stored credential, in insertion order (`seq`).
#[derive(Debug, Clone)]
pub struct StoredCredential {
    pub seq: i64,
    /// Normalized `issuer.id` + newline + `id`.
    pub key: String,
    pub format: Format,
    /// The exact text last upserted (JSON or compact JWS).
    pub body: String,
    /// RFC 3339 `validFrom`, when the credential has one.
    pub valid_from: Option<String>,
}

pub struct Store {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
    client_id TEXT PRIMARY KEY, secret TEXT NOT NULL, redirect_uris TEXT NOT NULL,
    scope TEXT NOT NULL, grant_types TEXT NOT NULL, metadata TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS codes (
    code TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL, challenge TEXT NOT NULL, method TEXT NOT NULL,
    username TEXT NOT NULL, expires_at INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, kind TEXT NOT NULL, client_id TEXT NOT NULL, scope TEXT NOT NULL,
    username TEXT NOT NULL, grant_id TEXT NOT NULL, expires_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS credentials (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, format TEXT NOT NULL,
    body TEXT NOT NULL, valid_from TEXT);
CREATE TABLE IF NOT EXISTS profile (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
";

/// Create `path` (if absent) with mode 0600, or narrow it to 0600.
#[cfg(unix)]
fn owner_only_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn owner_only_file(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Create folder `dir` (and parents) with mode 0700. A folder that exists
/// is left as it is (it may be shared, like /tmp): the files in it are 0600.
pub fn owner_only_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if dir.is_dir() {
            return Ok(());
        }
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        // The mode given is narrowed by the umask, never widened; be exact.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

impl Store {
    /// Open (or create) the database at `path`, `synchronous=NORMAL`.
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        Store::open_with(path, false)
    }

    /// Open (or create) the database at `path`, readable by its owner only
    /// (it holds tokens and client secrets). `full`: `synchronous=FULL`, so
    /// a commit also survives a power loss, at one fsync per commit; NORMAL
    /// (in WAL mode) survives a crash of the process but may lose the last
    /// commits on power loss.
    pub fn open_with(path: &Path, full: bool) -> anyhow::Result<Store> {
        owner_only_file(path)
            .with_context(|| format!("{}: cannot create the database file", path.display()))?;
        let conn = Connection::open(path)
            .with_context(|| format!("{}: cannot open database", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let sync = if full { "FULL" } else { "NORMAL" };
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync};"
        ))?;
        // SQLite gives -wal and -shm the database file's mode; make sure of it.
        for ext in ["sqlite-wal", "sqlite-shm"] {
            let side = path.with_extension(ext);
            if side.exists() {
                owner_only_file(&side)?;
            }
        }
        conn.execute_batch(SCHEMA)
            .with_context(|| format!("{}: cannot create tables", path.display()))?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Run `f` once per database: returns true when it ran now.
    pub fn once(
        &self,
        flag: &str,
        f: impl FnOnce(&Store) -> anyhow::Result<()>,
    ) -> anyhow::Result<bool> {
        let done: Option<String> = self
            .lock()
            .query_row("SELECT v FROM meta WHERE k = ?1", [flag], |r| r.get(0))
            .optional()?;
        if done.is_some() {
            return Ok(false);
        }
        f(self)?;
        self.lock().execute(
            "INSERT OR REPLACE INTO meta (k, v) VALUES (?1, 'yes')",
            [flag],
        )?;
        Ok(true)
    }

    pub fn insert_client(&self, c: &Client) -> anyhow::Result<()> {
        self.lock().execute(
            "INSERT OR REPLACE INTO clients VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                c.client_id,
                c.secret,
                serde_json::to_string(&c.redirect_uris)?,
                c.scope,
                serde_json::to_string(&c.grant_types)?,
                c.metadata
            ],
        )?;
        Ok(())
    }

    pub fn client(&self, id: &str) -> anyhow::Result<Option<Client>> {
        let row = self
            .lock()
            .query_row(
                "SELECT client_id, secret, redirect_uris, scope, grant_types, metadata FROM clients WHERE client_id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((client_id, secret, uris, scope, grants, metadata)) = row else {
            return Ok(None);
        };
        Ok(Some(Client {
            client_id,
            secret,
            redirect_uris: serde_json::from_str(&uris)?,
            scope,
            grant_types: serde_json::from_str(&grants)?,
            metadata,
        }))
    }

    pub fn insert_code(&self, c: &Code) -> anyhow::Result<()> {
        self.lock().execute(
            "INSERT INTO codes VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                c.code,
                c.client_id,
                c.redirect_uri,
                c.scope,
                c.challenge,
                c.method,
                c.username,
                c.expires_at,
                c.used
            ],
        )?;
        Ok(())
    }

    pub fn code(&self, code: &str) -> anyhow::Result<Option<Code>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT code, client_id, redirect_uri, scope, challenge, method, username, expires_at, used FROM codes WHERE code = ?1",
                [code],
                |r| {
                    Ok(Code {
                        code: r.get(0)?,
                        client_id: r.get(1)?,
                        redirect_uri: r.get(2)?,
                        scope: r.get(3)?,
                        challenge: r.get(4)?,
                        method: r.get(5)?,
                        username: r.get(6)?,
                        expires_at: r.get(7)?,
                        used: r.get(8)?,
                    })
                },
            )
            .optional()?)
    }

    /// Mark a code used; false when it already was (a replay).
    pub fn use_code(&self, code: &str) -> anyhow::Result<bool> {
        let n = self.lock().execute(
            "UPDATE codes SET used = 1 WHERE code = ?1 AND used = 0",
            [code],
        )?;
        Ok(n == 1)
    }

    pub fn insert_token(&self, t: &Token) -> anyhow::Result<()> {
        self.lock().execute(
            "INSERT INTO tokens VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                t.token,
                t.kind.as_str(),
                t.client_id,
                t.scope,
                t.username,
                t.grant,
                t.expires_at,
                t.revoked
            ],
        )?;
        Ok(())
    }

    pub fn token(&self, token: &str) -> anyhow::Result<Option<Token>> {
        Ok(self
            .lock()
            .query_row(
                "SELECT token, kind, client_id, scope, username, grant_id, expires_at, revoked FROM tokens WHERE token = ?1",
                [token],
                |r| {
                    let kind: String = r.get(1)?;
                    Ok(Token {
                        token: r.get(0)?,
                        kind: if kind == "refresh" { TokenKind::Refresh } else { TokenKind::Access },
                        client_id: r.get(2)?,
                        scope: r.get(3)?,
                        username: r.get(4)?,
                        grant: r.get(5)?,
                        expires_at: r.get(6)?,
                        revoked: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn revoke_token(&self, token: &str) -> anyhow::Result<()> {
        self.lock()
            .execute("UPDATE tokens SET revoked = 1 WHERE token = ?1", [token])?;
        Ok(())
    }

    /// Revoke every token issued from the authorization code `grant`.
    pub fn revoke_grant(&self, grant: &str) -> anyhow::Result<usize> {
        Ok(self
            .lock()
            .execute("UPDATE tokens SET revoked = 1 WHERE grant_id = ?1", [grant])?)
    }

    /// Access tokens issued under `grant`, oldest first.
    pub fn access_tokens_of_grant(&self, grant: &str) -> anyhow::Result<Vec<String>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT token FROM tokens WHERE grant_id = ?1 AND kind = 'access' ORDER BY rowid",
        )?;
        let rows = stmt.query_map([grant], |r| r.get(0))?;
        Ok(rows.collect::<Result<Vec<String>, _>>()?)
    }

    /// Every credential, in insertion order.
    pub fn credentials(&self) -> anyhow::Result<Vec<StoredCredential>> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare("SELECT seq, key, format, body, valid_from FROM credentials ORDER BY seq")?;
        let rows = stmt.query_map([], |r| {
            let format: String = r.get(2)?;
            Ok(StoredCredential {
                seq: r.get(0)?,
                key: r.get(1)?,
                format: if format == "jws" {
                    Format::Jws
                } else {
                    Format::Json
                },
                body: r.get(3)?,
                valid_from: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Insert or replace by key; true when the credential was new.
    pub fn upsert_credential(
        &self,
        key: &str,
        format: Format,
        body: &str,
        valid_from: Option<&str>,
    ) -> anyhow::Result<bool> {
        let f = match format {
            Format::Json => "json",
            Format::Jws => "jws",
        };
        let conn = self.lock();
        let n = conn.execute(
            "UPDATE credentials SET format = ?2, body = ?3, valid_from = ?4 WHERE key = ?1",
            params![key, f, body, valid_from],
        )?;
        if n == 1 {
            return Ok(false);
        }
        conn.execute(
            "INSERT INTO credentials (key, format, body, valid_from) VALUES (?1, ?2, ?3, ?4)",
            params![key, f, body, valid_from],
        )?;
        Ok(true)
    }

    pub fn profile(&self) -> anyhow::Result<Option<String>> {
        Ok(self
            .lock()
            .query_row("SELECT body FROM profile WHERE id = 1", [], |r| r.get(0))
            .optional()?)
    }

    pub fn put_profile(&self, body: &str) -> anyhow::Result<()> {
        self.lock().execute(
            "INSERT INTO profile (id, body) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET body = ?1",
            [body],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store(name: &str) -> (Store, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "clr-store-{name}-{}-{}",
            std::process::id(),
            crate::provider::http_util::random_password()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("db.sqlite");
        (Store::open(&path).unwrap(), dir)
    }

    #[test]
    fn upsert_creates_then_replaces_and_survives_reopen() {
        let (s, dir) = temp_store("upsert");
        assert!(
            s.upsert_credential("i\nc", Format::Json, "{}", None)
                .unwrap()
        );
        assert!(
            !s.upsert_credential("i\nc", Format::Json, "{\"a\":1}", None)
                .unwrap()
        );
        drop(s);
        let s = Store::open(&dir.join("db.sqlite")).unwrap();
        let all = s.credentials().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].body, "{\"a\":1}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_code_can_be_used_once() {
        let (s, dir) = temp_store("code");
        let c = Code {
            code: "c1".into(),
            client_id: "x".into(),
            redirect_uri: "https://a/cb".into(),
            scope: "s".into(),
            challenge: "ch".into(),
            method: "S256".into(),
            username: "learner".into(),
            expires_at: 0,
            used: false,
        };
        s.insert_code(&c).unwrap();
        assert!(s.use_code("c1").unwrap());
        assert!(!s.use_code("c1").unwrap());
        assert!(s.code("c1").unwrap().unwrap().used);
        let _ = std::fs::remove_dir_all(dir);
    }
}
