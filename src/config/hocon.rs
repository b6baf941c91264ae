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

/// An ordered map, as pyhocon's ConfigTree (an OrderedDict).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    entries: Vec<(String, Node)>,
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
            Value::Object(o) => !o.entries.is_empty(),
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

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
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
            None => self.entries.push((key, node)),
        }
    }

    fn remove(&mut self, key: &str) -> Option<Node> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(i).1)
    }

    /// Deep merge `other` into `self`: objects merge, everything else is replaced
    /// (pyhocon's `ConfigTree.merge_configs`).
    pub fn merge(&mut self, other: Object) {
        for (key, node) in other.entries {
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
            .entries
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
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(parse_str(&text, Some(path), env)?)
}

/// Parse and resolve text; `file` names it in errors and anchors relative includes.
pub fn parse_str(text: &str, file: Option<&Path>, env: &Env) -> Result<Document> {
    let mut parser = Parser::new(text, file.map(Path::to_path_buf), env, 0);
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
