//! The open-source API server's users: the "fixed users" of its configuration.
//!
//! What the server does (clearml-server, apiserver/config/basic.py, service_repo/auth/
//! fixed_user.py and auth.py), and so what this file follows:
//! - every `*.conf` under /opt/clearml/config (the stack's `<data dir>/config`) is read with
//!   pyhocon, keyed by its file name: `apiserver.conf` holds `apiserver.*`, so the users
//!   are `auth.fixed_users { enabled, pass_hashed, users: [{username, password, name}] }`
//!   in `<data dir>/config/apiserver.conf`;
//! - each user entry becomes `FixedUser(**entry)`: only `username`, `password`, `name`
//!   (required) and `company` are accepted, and a duplicate username stops the server;
//! - with `pass_hashed: true` a password is base64 of a bcrypt hash and a login is
//!   `bcrypt.checkpw(password, b64decode(stored))`; without it, plain text compared as is;
//! - the users are read once, at start (mongo/initialize creates them): a change needs the
//!   API server restarted;
//! - a login is Basic authentication with username:password (`auth.login`), which is what
//!   the web app's login page sends for fixed users.
//!
//! Edits keep every other byte of the file, are written atomically (the old file kept as
//! `apiserver.conf.bak`, both 0600: they hold password hashes, maybe plain passwords), and
//! are read back before the rename: the file must parse to exactly the intended users and
//! leave every other setting as it was.
use std::path::{Path, PathBuf};

use crate::error::StackError;
use anyhow::Context;
use base64::Engine as _;
use clearml_config::hocon::{self, Document, EntrySpan};
use serde_json::{Map, Value as J, json};

/// Where the users live, under the stack's data dir.
pub const FILE: &str = "config/apiserver.conf";
/// bcrypt's cost: what the server's documented `bcrypt.gensalt()` uses.
pub const BCRYPT_COST: u32 = 12;
/// bcrypt reads at most 72 bytes; Python's bcrypt 5 refuses longer passwords.
pub const MAX_PASSWORD_BYTES: usize = 72;
const MAX_NAME_CHARS: usize = 256;
/// The keys FixedUser accepts; any other makes the server fail at start.
const USER_KEYS: [&str; 4] = ["username", "password", "name", "company"];

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub username: String,
    pub name: String,
    /// As stored: base64 of a bcrypt hash when the file says pass_hashed, else plain text.
    pub password: String,
    /// `company`, kept as written.
    pub company: Option<J>,
}

/// How a stored password will fare at login.
#[derive(Debug, Clone, PartialEq)]
pub enum Stored {
    Hashed,
    Plain,
    /// pass_hashed is on but this is no base64 bcrypt hash: nobody can log in with it.
    Broken(String),
}

/// The users file as read, and where in its text the users are.
#[derive(Debug, Clone)]
pub struct UsersFile {
    pub path: PathBuf,
    /// None when the file does not exist yet.
    text: Option<String>,
    pub enabled: bool,
    pub pass_hashed: bool,
    pub users: Vec<User>,
    /// Other keys of `fixed_users`, kept in order.
    other: Map<String, J>,
    /// The assignment to replace: `auth.fixed_users {…}` or `fixed_users {…}` in `auth`.
    span: Option<EntrySpan>,
}

fn no_env() -> hocon::Env<'static> {
    hocon::Env { var: &|_| None }
}

fn unsafe_edit(path: &Path, why: impl std::fmt::Display) -> anyhow::Error {
    StackError::failure(format!("cannot edit {} safely: {why}", path.display()))
        .with_hint("fix or merge the auth.fixed_users settings by hand, then run the command again")
        .into()
}

impl UsersFile {
    pub fn path_in(data_dir: &Path) -> PathBuf {
        data_dir.join(FILE)
    }

    pub fn load(data_dir: &Path) -> anyhow::Result<UsersFile> {
        let path = Self::path_in(data_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => Some(t),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        };
        let mut file = UsersFile {
            path,
            text: None,
            enabled: false,
            pass_hashed: false,
            users: Vec::new(),
            other: Map::new(),
            span: None,
        };
        if let Some(text) = text {
            file.read_text(text)?;
        }
        Ok(file)
    }

    fn read_text(&mut self, text: String) -> anyhow::Result<()> {
        let path = self.path.clone();
        let doc =
            hocon::parse_str(&text, Some(&path), &no_env()).map_err(|e| unsafe_edit(&path, e))?;
        self.span = users_span(&doc).map_err(|e| unsafe_edit(&path, e))?;
        let fixed = doc
            .root
            .get_path("auth.fixed_users")
            .map(|n| n.value.to_json());
        match fixed {
            None => {}
            Some(J::Object(mut o)) => {
                self.enabled = o.remove("enabled").is_some_and(|v| truthy(&v));
                self.pass_hashed = o.remove("pass_hashed").is_some_and(|v| truthy(&v));
                if let Some(list) = o.remove("users") {
                    self.users = read_users(list).map_err(|e| unsafe_edit(&path, e))?;
                }
                self.other = o;
            }
            Some(_) => return Err(unsafe_edit(&path, "auth.fixed_users is not an object")),
        }
        if self.span.is_none() && fixed_present(&doc) {
            return Err(unsafe_edit(
                &path,
                "auth.fixed_users is set in a form not understood",
            ));
        }
        self.text = Some(text);
        Ok(())
    }

    pub fn exists(&self) -> bool {
        self.text.is_some()
    }

    pub fn find(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    pub fn stored(&self, u: &User) -> Stored {
        if !self.pass_hashed {
            return Stored::Plain;
        }
        match bcrypt_of(&u.password) {
            Ok(_) => Stored::Hashed,
            Err(why) => Stored::Broken(why),
        }
    }

    /// Would `password` log `u` in?
    pub fn password_matches(&self, u: &User, password: &str) -> bool {
        if !self.pass_hashed {
            return u.password == password;
        }
        bcrypt_of(&u.password).is_ok_and(|h| bcrypt::verify(password, &h).unwrap_or(false))
    }

    /// Store every plain password hashed and turn pass_hashed on; the number converted.
    pub fn hash_plain_passwords(&mut self) -> anyhow::Result<usize> {
        if self.pass_hashed {
            return Ok(0);
        }
        for u in &mut self.users {
            u.password = hash(&u.password)?;
        }
        self.pass_hashed = true;
        Ok(self.users.len())
    }

    /// The new file text: the users block replaced (or added), everything else as it was.
    pub fn render(&self) -> String {
        let old = self.text.clone().unwrap_or_default();
        match &self.span {
            Some(sp) => {
                let line_start = old[..sp.start].rfind('\n').map_or(0, |i| i + 1);
                let indent: String = old[line_start..sp.start]
                    .chars()
                    .take_while(|c| c.is_whitespace())
                    .collect();
                let key = sp.key.join(".");
                let block = self.block(&key, &indent);
                format!("{}{block}{}", &old[..sp.start], &old[sp.end..])
            }
            None if old.trim().is_empty() => format!(
                "# The API server's users (clearml server users add|passwd|remove).\n{}\n",
                self.block("auth.fixed_users", "")
            ),
            None => {
                let sep = if old.ends_with('\n') { "" } else { "\n" };
                format!("{old}{sep}\n{}\n", self.block("auth.fixed_users", ""))
            }
        }
    }

    fn block(&self, key: &str, indent: &str) -> String {
        let i2 = format!("{indent}    ");
        let i3 = format!("{indent}        ");
        let mut s = format!("{key} {{\n{i2}enabled: {}\n", self.enabled);
        s.push_str(&format!("{i2}pass_hashed: {}\n", self.pass_hashed));
        for (k, v) in &self.other {
            s.push_str(&format!("{i2}{}: {v}\n", hocon_key(k)));
        }
        s.push_str(&format!("{i2}users: [\n"));
        for u in &self.users {
            s.push_str(&format!("{i3}{}\n", user_line(u)));
        }
        s.push_str(&format!("{i2}]\n{indent}}}"));
        s
    }

    /// What `auth.fixed_users` must read as after the write.
    fn intended(&self) -> J {
        let mut o = Map::new();
        o.insert("enabled".into(), J::Bool(self.enabled));
        o.insert("pass_hashed".into(), J::Bool(self.pass_hashed));
        o.extend(self.other.clone());
        o.insert(
            "users".into(),
            J::Array(self.users.iter().map(user_json).collect()),
        );
        J::Object(o)
    }

    /// Write the new text atomically (0600, the old file kept as `.bak`), after checking
    /// that it reads back as intended. Returns the backup's path, if there was a file.
    pub fn save(&self) -> anyhow::Result<Option<PathBuf>> {
        let new = self.render();
        self.check_read_back(&new)?;
        clearml_config::edit::write_atomic(&self.path, &new)
    }

    fn check_read_back(&self, new: &str) -> anyhow::Result<()> {
        let parse = |t: &str| hocon::parse_str(t, Some(&self.path), &no_env());
        let after = parse(new)
            .map_err(|e| unsafe_edit(&self.path, e))?
            .root
            .to_json();
        let got = after.pointer("/auth/fixed_users").cloned();
        if got.as_ref() != Some(&self.intended()) {
            return Err(unsafe_edit(
                &self.path,
                "the users would not read back as written",
            ));
        }
        let before = match &self.text {
            Some(t) => parse(t)
                .map_err(|e| unsafe_edit(&self.path, e))?
                .root
                .to_json(),
            None => json!({}),
        };
        if without_users(before) != without_users(after) {
            return Err(unsafe_edit(&self.path, "other settings would change"));
        }
        Ok(())
    }
}

/// The one assignment of `auth.fixed_users` to replace; an error when the users are set
/// in several places (HOCON merges them; one rewrite could not keep that meaning).
fn users_span(doc: &Document) -> Result<Option<EntrySpan>, String> {
    let full =
        |sp: &EntrySpan| -> Vec<String> { sp.parent.iter().chain(&sp.key).cloned().collect() };
    let under = |sp: &EntrySpan| {
        let p = full(sp);
        p.len() >= 2 && p[0] == "auth" && p[1] == "fixed_users"
    };
    let exact: Vec<&EntrySpan> = doc
        .spans
        .iter()
        .filter(|sp| under(sp) && full(sp).len() == 2)
        .collect();
    let inside = |sp: &EntrySpan| exact.iter().any(|e| e.start <= sp.start && sp.end <= e.end);
    if let Some(stray) = doc
        .spans
        .iter()
        .find(|sp| under(sp) && full(sp).len() > 2 && !inside(sp))
    {
        return Err(format!(
            "{} is set outside the fixed_users block",
            full(stray).join(".")
        ));
    }
    if exact.len() > 1 {
        return Err(format!("auth.fixed_users is set {} times", exact.len()));
    }
    Ok(exact.first().map(|sp| (*sp).clone()))
}

/// Is `auth.fixed_users` set at all (also deeper than the spans reach)?
fn fixed_present(doc: &Document) -> bool {
    doc.root.get_path("auth.fixed_users").is_some()
}

fn truthy(v: &J) -> bool {
    match v {
        J::Bool(b) => *b,
        J::String(s) => matches!(s.as_str(), "true" | "yes" | "on"),
        _ => false,
    }
}

fn read_users(list: J) -> Result<Vec<User>, String> {
    let J::Array(items) = list else {
        return Err("auth.fixed_users.users is not a list".into());
    };
    let mut users: Vec<User> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let J::Object(mut o) = item else {
            return Err(format!("user #{} is not an object", i + 1));
        };
        if let Some(k) = o.keys().find(|k| !USER_KEYS.contains(&k.as_str())) {
            return Err(format!(
                "user #{} has the key {k:?}, which the server refuses",
                i + 1
            ));
        }
        let mut text = |key: &str| match o.remove(key) {
            Some(J::String(s)) => Ok(Some(s)),
            Some(J::Number(n)) => Ok(Some(n.to_string())),
            None => Ok(None),
            Some(_) => Err(format!("user #{}: {key} is not text", i + 1)),
        };
        let username = text("username")?.ok_or(format!("user #{} has no username", i + 1))?;
        let password = text("password")?.ok_or(format!("user {username:?} has no password"))?;
        let name = text("name")?.unwrap_or_else(|| username.clone());
        if users.iter().any(|u| u.username == username) {
            return Err(format!("the user {username:?} is listed twice"));
        }
        let company = o.remove("company");
        users.push(User {
            username,
            name,
            password,
            company,
        });
    }
    Ok(users)
}

fn user_json(u: &User) -> J {
    let mut o = Map::new();
    o.insert("username".into(), J::String(u.username.clone()));
    o.insert("password".into(), J::String(u.password.clone()));
    o.insert("name".into(), J::String(u.name.clone()));
    if let Some(c) = &u.company {
        o.insert("company".into(), c.clone());
    }
    J::Object(o)
}

/// `{ username: "…", password: "…", name: "…" }`: JSON strings are HOCON quoted strings.
fn user_line(u: &User) -> String {
    let J::Object(o) = user_json(u) else {
        unreachable!()
    };
    let fields: Vec<String> = o.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{{ {} }}", fields.join(", "))
}

fn hocon_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        J::String(k.to_string()).to_string()
    }
}

/// The document without `auth.fixed_users` (and without an `auth` left empty by that).
fn without_users(mut v: J) -> J {
    if let Some(auth) = v.get_mut("auth").and_then(J::as_object_mut) {
        auth.remove("fixed_users");
        if auth.is_empty()
            && let Some(root) = v.as_object_mut()
        {
            root.remove("auth");
        }
    }
    v
}

/// base64 of a bcrypt hash, as the server stores it with pass_hashed.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let h = bcrypt::hash(password, BCRYPT_COST).context("bcrypt")?;
    Ok(base64::engine::general_purpose::STANDARD.encode(h))
}

/// The bcrypt hash inside a stored password, or why there is none. A value copied with
/// Python's `b'…'` around it (what the documented one-liner prints) is named as such.
fn bcrypt_of(stored: &str) -> Result<String, String> {
    if stored.starts_with("b'") || stored.starts_with("b\"") {
        return Err("the b'…' of a Python bytes value was copied with it".into());
    }
    if stored.starts_with("$2") {
        return Err("a bcrypt hash not base64-encoded".into());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(stored.trim())
        .map_err(|_| "not base64".to_string())?;
    let h = String::from_utf8(bytes).map_err(|_| "not base64 of a bcrypt hash".to_string())?;
    let ok = h.len() == 60 && ["$2a$", "$2b$", "$2y$"].iter().any(|p| h.starts_with(p));
    if ok {
        Ok(h)
    } else {
        Err("not base64 of a bcrypt hash".into())
    }
}

/// A username the server and a Basic login can carry.
pub fn check_username(name: &str) -> Result<(), StackError> {
    let bad = |why: &str| Err(StackError::usage(format!("username {name:?}: {why}")));
    if name.is_empty() {
        return bad("empty");
    }
    if name.contains(':') {
        return bad("a ':' cannot be sent in a login (Basic authentication splits there)");
    }
    if name.chars().any(char::is_control) || name.trim() != name {
        return bad("control characters or blanks around it");
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return bad("longer than 256 characters");
    }
    Ok(())
}

/// A display name: one line, at most 256 characters.
pub fn check_display_name(name: &str) -> Result<(), StackError> {
    if name.trim().is_empty()
        || name.chars().any(char::is_control)
        || name.chars().count() > MAX_NAME_CHARS
    {
        return Err(StackError::usage(
            "--name must be one line of 1 to 256 characters",
        ));
    }
    Ok(())
}

pub fn check_password(pw: &str) -> Result<(), StackError> {
    if pw.is_empty() {
        return Err(StackError::usage("the password is empty"));
    }
    if pw.contains('\0') {
        return Err(StackError::usage("the password contains a NUL byte"));
    }
    if pw.len() > MAX_PASSWORD_BYTES {
        return Err(StackError::usage(format!(
            "the password is {} bytes; bcrypt reads at most {MAX_PASSWORD_BYTES}",
            pw.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCS: &str = "# kept\nauth {\n    # Fixed users\n    fixed_users {\n        enabled: true\n        pass_hashed: false\n        users: [\n            {\n                username: \"jane\"\n                password: \"12345678\"\n                name: \"Jane Doe\"\n            },\n        ]\n    }\n    other: 1\n}\ncors.origins: \"*\"\n";

    fn load(text: &str) -> anyhow::Result<UsersFile> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        std::fs::write(dir.path().join(FILE), text).unwrap();
        UsersFile::load(dir.path())
    }

    #[test]
    fn the_docs_example_is_read_and_rewritten_in_place() {
        let mut f = load(DOCS).unwrap();
        assert!(f.enabled && !f.pass_hashed);
        assert_eq!(f.users[0].username, "jane");
        assert!(f.password_matches(&f.users[0].clone(), "12345678"));
        f.users.push(User {
            username: "Юлия".into(),
            name: "Юлия Müller 张".into(),
            password: "x".into(),
            company: None,
        });
        assert_eq!(f.hash_plain_passwords().unwrap(), 2);
        let new = f.render();
        assert!(new.starts_with("# kept\nauth {\n    # Fixed users\n    fixed_users {\n"));
        assert!(
            new.ends_with("    other: 1\n}\ncors.origins: \"*\"\n"),
            "{new}"
        );
        f.check_read_back(&new).unwrap();
        let again = load(&new).unwrap();
        assert!(again.pass_hashed);
        assert!(again.password_matches(&again.users[0], "12345678"));
        assert_eq!(again.users[1].name, "Юлия Müller 张");
    }

    #[test]
    fn a_new_file_and_an_appended_block_read_back() {
        let mut f = load("").unwrap();
        f.enabled = true;
        f.pass_hashed = true;
        let new = f.render();
        f.check_read_back(&new).unwrap();
        let mut g = load("cors { origins: \"*\" }").unwrap();
        g.enabled = true;
        let new = g.render();
        assert!(new.starts_with("cors { origins: \"*\" }\n\nauth.fixed_users {"));
        g.check_read_back(&new).unwrap();
    }

    #[test]
    fn what_cannot_be_edited_safely_is_refused() {
        for (text, why) in [
            (
                "auth.fixed_users { enabled: true }\nauth.fixed_users.pass_hashed: true\n",
                "outside",
            ),
            (
                "auth { fixed_users { users: [ { username: a, password: b, x: 1 } ] } }",
                "\"x\"",
            ),
            (
                "auth { fixed_users { users: [ { username: a, password: b }, { username: a, password: c } ] } }",
                "twice",
            ),
            ("auth { fixed_users: 3 }", "not an object"),
            ("auth {", "cannot edit"),
        ] {
            let e = load(text).unwrap_err().to_string();
            assert!(e.contains("cannot edit") && e.contains(why), "{text}: {e}");
        }
    }

    #[test]
    fn stored_hashes_are_checked_as_the_server_checks_them() {
        let h = hash("пароль").unwrap();
        assert!(bcrypt_of(&h).is_ok());
        assert!(bcrypt_of(&format!("b'{h}'")).unwrap_err().contains("b'"));
        let raw = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(&h)
                .unwrap(),
        )
        .unwrap();
        assert!(bcrypt_of(&raw).unwrap_err().contains("not base64-encoded"));
        assert!(check_username("a:b").is_err() && check_username(" a").is_err());
        assert!(check_username("Юлия").is_ok());
        assert!(check_password(&"x".repeat(73)).is_err() && check_password("ок").is_ok());
    }
}
