//! A small HOCON reader that reads clearml.conf the way the SDK's vendored pyhocon does,
//! not the way the HOCON spec says (protocol §2.4). The differences that matter:
//! - an unquoted value may contain `//` (`api_server: http://localhost:8008` reads whole);
//!   `//` starts a comment only where a new token would start (line start, after blanks);
//! - unquoted strings stop at `` ^ ` + ? ! @ * & " [ ] { } # , = $ \ `` and whitespace, and a
//!   value that runs into one of those (other than a terminator) is a syntax error;
//! - escapes in quoted strings are pyhocon's short list (`\n`, `\t`, `\"`, ...), others kept;
//! - empty strings are dropped from lists; a quoted key holding a special character keeps
//!   its quotes.
//!
//! Every value keeps where it was written (file, line, column) so `clearml config show` can
//! say where a setting came from, and every top-level / second-level assignment keeps its
//! byte span so `init` can replace the `api` block without touching anything else.

mod parser;
mod resolve;

/// Objects, lists and dotted-key segments nested deeper than this are refused: the SDK's
/// pyhocon itself gives up (RecursionError) a little below 60 levels, and without a bound
/// 20,000 levels overflow our stack.
pub const MAX_DEPTH: usize = 64;
/// What substitutions may copy in total, so `${a}${a}` chains cannot grow exponentially.
pub const MAX_EXPANSION_BYTES: usize = 32 << 20;
/// The most a file and everything it includes may hold (a clearml.conf is a few KiB).
pub const MAX_INPUT_BYTES: usize = 64 << 20;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parser::Parser;

/// Where a value was written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pos {
    pub file: Option<Arc<PathBuf>>,
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(p) => write!(f, "{}:{}:{}", p.display(), self.line, self.col),
            None => write!(f, "{}:{}", self.line, self.col),
        }
    }
}

/// A parse or resolution error: `file:line:col: what`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoconError {
    pub pos: Pos,
    pub message: String,
    /// A bound was hit (depth, expansion, size, not a regular file): bad input the person
    /// must change, reported with the usage exit code (2) rather than as a syntax error.
    pub limit: bool,
}

impl HoconError {
    fn new(pos: Pos, message: impl Into<String>) -> Self {
        HoconError {
            pos,
            message: message.into(),
            limit: false,
        }
    }

    fn limit(pos: Pos, message: impl Into<String>) -> Self {
        HoconError {
            limit: true,
            ..HoconError::new(pos, message)
        }
    }

    /// As an error for the caller: a bound hit is the person's input refused
    /// ([`ConfigError::Refused`]), anything else a plain parse failure.
    pub fn into_anyhow(self) -> anyhow::Error {
        if self.limit {
            crate::ConfigError::Refused(self.to_string()).into()
        } else {
            self.into()
        }
    }
}

impl fmt::Display for HoconError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pos, self.message)
    }
}

impl std::error::Error for HoconError {}

type Result<T> = std::result::Result<T, HoconError>;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Node>),
    Object(Object),
    /// A concatenation still holding substitutions; gone after resolution.
    Pending(Box<Pending>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

/// An ordered map, as pyhocon's ConfigTree (an OrderedDict). Lookups go through a hash
/// index and a removal leaves a hole, so reading a file with many keys stays linear.
#[derive(Debug, Clone, Default)]
pub struct Object {
    slots: Vec<Option<(String, Node)>>,
    index: HashMap<String, usize>,
}

impl PartialEq for Object {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pieces: Vec<Piece>,
    /// The value this one replaced (a self-reference `${a}` inside `a` resolves to it).
    prev: Option<Node>,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// An unquoted token, with the blanks that followed it.
    Unquoted(String),
    /// A quoted string and the blanks that followed it.
    Quoted(String, String),
    Value(Node),
    Subst {
        path: Vec<String>,
        raw: String,
        optional: bool,
        ws: String,
        pos: Pos,
    },
}

/// The byte span of one assignment (`key ... value`) in the source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySpan {
    /// Path of the object the assignment sits in (empty at the top level).
    pub parent: Vec<String>,
    /// The key path as written (dotted keys split).
    pub key: Vec<String>,
    pub start: usize,
    pub end: usize,
}

/// A parsed document: the resolved root object and the spans of its assignments.
#[derive(Debug, Clone)]
pub struct Document {
    pub root: Object,
    /// Spans of assignments at depth 0 and 1 (enough to edit `api { ... }`).
    pub spans: Vec<EntrySpan>,
}

impl Value {
    /// The value as pyhocon's `str()` would show it inside a concatenation.
    fn concat_text(&self) -> String {
        match self {
            Value::Null => "None".into(),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => python_float(*f),
            Value::Str(s) => s.clone(),
            _ => String::new(),
        }
    }

    /// Scalar as a string (numbers and booleans spelled as the SDK would print them).
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) => Some(self.concat_text()),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// Python truthiness (the SDK's `config.get(...) or fallback`).
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Object(o) => !o.is_empty(),
            Value::Pending(_) => true,
        }
    }

    /// JSON form (for `config dump` and comparisons with the SDK).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::List(l) => J::Array(l.iter().map(|n| n.value.to_json()).collect()),
            Value::Object(o) => o.to_json(),
            Value::Pending(_) => J::Null,
        }
    }
}

fn python_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

impl Object {
    pub fn new() -> Self {
        Object::default()
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Node)> {
        self.slots.iter().flatten().map(|(k, v)| (k, v))
    }

    fn into_entries(self) -> impl Iterator<Item = (String, Node)> {
        self.slots.into_iter().flatten()
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        let i = *self.index.get(key)?;
        self.slots[i].as_ref().map(|(_, v)| v)
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        let i = *self.index.get(key)?;
        self.slots[i].as_mut().map(|(_, v)| v)
    }

    /// Look a dotted path up (`api.credentials.access_key`).
    pub fn get_path(&self, path: &str) -> Option<&Node> {
        let segs: Vec<&str> = path.split('.').collect();
        self.get_segs(&segs)
    }

    pub fn get_segs<S: AsRef<str>>(&self, segs: &[S]) -> Option<&Node> {
        let (first, rest) = segs.split_first()?;
        let node = self.get(first.as_ref())?;
        if rest.is_empty() {
            return Some(node);
        }
        node.value.as_object()?.get_segs(rest)
    }

    /// Set a key, keeping its place if it exists (as an OrderedDict does).
    pub fn insert(&mut self, key: String, node: Node) {
        match self.get_mut(&key) {
            Some(slot) => *slot = node,
            None => {
                self.index.insert(key.clone(), self.slots.len());
                self.slots.push(Some((key, node)));
            }
        }
    }

    fn remove(&mut self, key: &str) -> Option<Node> {
        let i = self.index.remove(key)?;
        let (_, node) = self.slots[i].take()?;
        // Squeeze the holes out once they outnumber the entries (amortised O(1)).
        if self.slots.len() > 16 && self.index.len() * 2 < self.slots.len() {
            self.slots.retain(Option::is_some);
            for (i, slot) in self.slots.iter().enumerate() {
                if let Some((k, _)) = slot {
                    self.index.insert(k.clone(), i);
                }
            }
        }
        Some(node)
    }

    /// Deep merge `other` into `self`: objects merge, everything else is replaced
    /// (pyhocon's `ConfigTree.merge_configs`).
    pub fn merge(&mut self, other: Object) {
        for (key, node) in other.into_entries() {
            match (self.get_mut(&key), node.value) {
                (Some(existing), Value::Object(theirs))
                    if matches!(existing.value, Value::Object(_)) =>
                {
                    if let Value::Object(mine) = &mut existing.value {
                        mine.merge(theirs);
                    }
                }
                (_, value) => self.insert(
                    key,
                    Node {
                        value,
                        pos: node.pos,
                    },
                ),
            }
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = self
            .iter()
            .map(|(k, v)| (k.clone(), v.value.to_json()))
            .collect();
        serde_json::Value::Object(map)
    }
}

/// How to find files named by `include` and values of `${VAR}` not found in the document.
pub struct Env<'a> {
    pub var: &'a dyn Fn(&str) -> Option<String>,
}

impl Env<'_> {
    fn lookup(&self, name: &str) -> Option<String> {
        (self.var)(name)
    }
}

/// The process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Parse and resolve a file (as the SDK's `ConfigFactory.parse_file`).
pub fn parse_file(path: &Path, env: &Env) -> anyhow::Result<Document> {
    let text = read_conf_file(path, MAX_INPUT_BYTES).map_err(|e| match e {
        ReadError::Io(e) => anyhow::anyhow!("cannot read {}: {e}", path.display()),
        ReadError::Refused(why) => crate::ConfigError::refused_file(path, why).into(),
    })?;
    parse_str(&text, Some(path), env).map_err(HoconError::into_anyhow)
}

pub(crate) enum ReadError {
    Io(std::io::Error),
    /// Not a regular file, or too big: the fix is the person's, not a retry.
    Refused(String),
}

/// Read a configuration file: a regular file only (a FIFO would hang the read forever, a
/// device would never end), at most `max` bytes, UTF-8.
pub(crate) fn read_conf_file(path: &Path, max: usize) -> std::result::Result<String, ReadError> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO with no writer must not block before we can look at it.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        let ft = meta.file_type();
        let what = if ft.is_dir() {
            "a directory"
        } else {
            use std::os::unix::fs::FileTypeExt;
            if ft.is_fifo() {
                "a FIFO"
            } else if ft.is_char_device() || ft.is_block_device() {
                "a device"
            } else if ft.is_socket() {
                "a socket"
            } else {
                "not a regular file"
            }
        };
        return Err(ReadError::Refused(format!(
            "is {what}, not a regular file; name a clearml.conf file"
        )));
    }
    let mut bytes = Vec::new();
    file.take(max as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() > max {
        return Err(ReadError::Refused(format!(
            "is larger than {} MiB; a clearml.conf is a few KiB",
            max >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })
}

/// Parse and resolve text; `file` names it in errors and anchors relative includes.
pub fn parse_str(text: &str, file: Option<&Path>, env: &Env) -> Result<Document> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(HoconError::limit(
            Pos {
                file: file.map(|f| Arc::new(f.to_path_buf())),
                line: 1,
                col: 1,
            },
            format!(
                "the text is larger than {} MiB; a clearml.conf is a few KiB",
                MAX_INPUT_BYTES >> 20
            ),
        ));
    }
    let read_total = std::cell::Cell::new(text.len());
    let mut parser = Parser::new(text, file.map(Path::to_path_buf), env, &read_total);
    let mut root = parser.parse_document()?;
    resolve::resolve_all(&mut root, env)?;
    Ok(Document {
        root,
        spans: parser.spans,
    })
}

/// Concatenate resolved pieces the way pyhocon's ConfigValues.transform does.
fn concat(pieces: Vec<Piece>, pos: Pos, prev: Option<Node>) -> std::result::Result<Node, String> {
    if pieces.iter().any(|p| matches!(p, Piece::Subst { .. })) {
        return Ok(Node {
            value: Value::Pending(Box::new(Pending { pieces, prev })),
            pos,
        });
    }
    let mut pieces = pieces;
    if pieces.is_empty() {
        return Ok(Node {
            value: Value::Str(String::new()),
            pos,
        });
    }
    if pieces.len() == 1 {
        let value = match pieces.pop().unwrap() {
            Piece::Unquoted(s) => Value::Str(s),
            Piece::Quoted(s, _) => Value::Str(s),
            Piece::Value(n) => n.value,
            Piece::Subst { .. } => unreachable!(),
        };
        return Ok(Node { value, pos });
    }
    let kind = |p: &Piece| match p {
        Piece::Value(Node {
            value: Value::Object(_),
            ..
        }) => 1,
        Piece::Value(Node {
            value: Value::List(_),
            ..
        }) => 2,
        _ => 0,
    };
    let first = kind(&pieces[0]);
    if pieces.iter().any(|p| kind(p) != first) {
        let names = ["a string", "an object", "a list"];
        let other = pieces.iter().map(kind).find(|k| *k != first).unwrap();
        return Err(format!(
            "cannot concatenate {} with {}",
            names[first], names[other]
        ));
    }
    let value = match first {
        1 => {
            let mut obj = Object::new();
            for p in pieces {
                if let Piece::Value(Node {
                    value: Value::Object(o),
                    ..
                }) = p
                {
                    obj.merge(o);
                }
            }
            Value::Object(obj)
        }
        2 => {
            let mut list = Vec::new();
            for p in pieces {
                if let Piece::Value(Node {
                    value: Value::List(l),
                    ..
                }) = p
                {
                    list.extend(l);
                }
            }
            Value::List(list)
        }
        _ => {
            let n = pieces.len();
            let mut s = String::new();
            for (i, p) in pieces.into_iter().enumerate() {
                match p {
                    Piece::Unquoted(t) => s.push_str(&t),
                    Piece::Quoted(t, ws) => {
                        s.push_str(&t);
                        if i + 1 < n {
                            s.push_str(&ws);
                        }
                    }
                    Piece::Value(node) => s.push_str(&node.value.concat_text()),
                    Piece::Subst { .. } => unreachable!(),
                }
            }
            Value::Str(s)
        }
    };
    Ok(Node { value, pos })
}

#[cfg(test)]
mod tests;
