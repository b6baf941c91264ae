//! The reader proper: text to a tree of values, pyhocon's tokenisation rules.

mod values;

use values::check_self_reference_chain;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{
    EntrySpan, Env, HoconError, MAX_DEPTH, MAX_INPUT_BYTES, Node, Object, Pending, Piece, Pos,
    ReadError, Result, Value, concat, read_conf_file,
};

const MAX_INCLUDE_DEPTH: usize = 16;
/// `p: ${p}x` repeated: each one keeps the value it replaced; the resolver follows at most
/// this many (and a longer chain would also be dropped recursively).
const MAX_SELF_REFERENCES: usize = 64;

pub(super) struct Parser<'a, 'e> {
    src: &'a str,
    b: &'a [u8],
    i: usize,
    file: Option<Arc<PathBuf>>,
    env: &'a Env<'e>,
    include_depth: usize,
    /// Current object path (for spans and self-references).
    path: Vec<String>,
    pub(super) spans: Vec<EntrySpan>,
    /// End of the last token of the value just parsed (before blanks and comments).
    value_end: usize,
    /// Byte offset of the start of each line (positions in O(log n), not O(n)).
    line_starts: Vec<usize>,
    /// The last position computed (offset, its line start, its column): columns of later
    /// offsets on the same line count on from there, so a long line is not recounted.
    col_cache: Cell<(usize, usize, usize)>,
    /// Objects and lists open around the current point (including enclosing files).
    nest: usize,
    /// Bytes read so far by this file and every file it includes, with the file itself.
    read_total: &'a Cell<usize>,
}

/// Characters that end an unquoted string (besides whitespace).
fn forbidden_unquoted(c: u8) -> bool {
    b"^`+?!@*&\"[{]}#,=$\\".contains(&c)
}

/// pyhocon's escape table; other `\x` sequences are kept as written.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('\n') | Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(c @ ('=' | '#' | '!' | '"')) => out.push(c),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

fn depth_message() -> String {
    format!(
        "objects, lists and dotted keys nest deeper than {MAX_DEPTH} levels; flatten the file (the SDK cannot read it either)"
    )
}

/// A character pyhocon accepts in an unquoted key: pyparsing's `alphanums + alphas8bit +
/// "._- /"` (ASCII letters and digits, and the Latin-1 letters À-ÿ except × and ÷).
fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || "_- /".contains(c)
        || (('\u{c0}'..='\u{ff}').contains(&c) && c != '\u{d7}' && c != '\u{f7}')
}

/// Whitespace as Python's `\s` sees it (`str.isspace`): Rust's set plus the ASCII
/// separators 0x1C-0x1F.
fn python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Split a substitution path like pyhocon's `ConfigTree.parse_key`.
fn split_key_path(s: &str) -> Vec<String> {
    let mut segs = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    for c in s.chars() {
        match c {
            '"' => in_quotes = !in_quotes,
            '.' if !in_quotes => segs.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    segs.push(cur);
    segs.into_iter().map(|s| s.trim().to_string()).collect()
}

impl<'a, 'e> Parser<'a, 'e> {
    pub(super) fn new(
        src: &'a str,
        file: Option<PathBuf>,
        env: &'a Env<'e>,
        read_total: &'a Cell<usize>,
    ) -> Self {
        let line_starts = std::iter::once(0)
            .chain(
                src.bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Parser {
            src,
            b: src.as_bytes(),
            i: 0,
            file: file.map(Arc::new),
            env,
            include_depth: 0,
            path: Vec::new(),
            spans: Vec::new(),
            value_end: 0,
            line_starts,
            col_cache: Cell::new((0, 0, 0)),
            nest: 0,
            read_total,
        }
    }

    fn pos_at(&self, at: usize) -> Pos {
        let at = at.min(self.b.len());
        let line = self.line_starts.partition_point(|s| *s <= at);
        let line_start = self.line_starts[line - 1];
        let (from, col) = match self.col_cache.get() {
            (last, start, col) if start == line_start && last <= at => (last, col),
            _ => (line_start, 0),
        };
        // Characters, counted on bytes (a UTF-8 continuation byte is not a character) so
        // that no offset can ever split one.
        let col = col
            + self.b[from..at]
                .iter()
                .filter(|b| (**b & 0xC0) != 0x80)
                .count();
        self.col_cache.set((at, line_start, col));
        Pos {
            file: self.file.clone(),
            line,
            col: col + 1,
        }
    }

    fn err<T>(&self, at: usize, message: impl Into<String>) -> Result<T> {
        Err(HoconError::new(self.pos_at(at), message))
    }

    fn limit_err<T>(&self, at: usize, message: impl Into<String>) -> Result<T> {
        Err(HoconError::limit(self.pos_at(at), message))
    }

    /// Run `f` one object/list level deeper, refusing to go past MAX_DEPTH.
    fn nested<T>(&mut self, at: usize, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.nest >= MAX_DEPTH {
            return self.limit_err(at, depth_message());
        }
        self.nest += 1;
        let out = f(self);
        self.nest -= 1;
        out
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn peek_at(&self, off: usize) -> Option<u8> {
        self.b.get(self.i + off).copied()
    }

    fn rest(&self) -> &'a str {
        &self.src[self.i..]
    }

    fn describe_here(&self) -> String {
        match self.rest().chars().next() {
            None => "end of file".into(),
            Some('\n') | Some('\r') => "end of line".into(),
            Some(c) => format!("'{c}'"),
        }
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn at_comment(&self) -> bool {
        self.peek() == Some(b'#') || self.rest().starts_with("//")
    }

    fn skip_comment(&mut self) {
        while let Some(c) = self.peek() {
            if c == b'\n' || c == b'\r' {
                break;
            }
            self.i += 1;
        }
    }

    /// Skip blanks, comments and newlines (and commas when `commas`).
    fn skip_space(&mut self, commas: bool) {
        loop {
            self.skip_blanks();
            match self.peek() {
                Some(b'\n' | b'\r') => self.i += 1,
                Some(b',') if commas => self.i += 1,
                _ if self.at_comment() => self.skip_comment(),
                _ => break,
            }
        }
    }

    pub(super) fn parse_document(&mut self) -> Result<Object> {
        // A UTF-8 byte-order mark is not content.
        if self.rest().starts_with('\u{feff}') {
            self.i += '\u{feff}'.len_utf8();
        }
        self.skip_space(false);
        let root = if self.peek() == Some(b'[') {
            return self.err(
                self.i,
                "the document is a list; clearml.conf must hold an object",
            );
        } else if self.peek() == Some(b'{') {
            let start = self.i;
            self.i += 1;
            let obj = self.nested(start, |p| p.parse_object_body(true, start))?;
            self.skip_space(true);
            if self.peek().is_some() {
                return self.err(
                    self.i,
                    format!("unexpected {} after the closing '}}'", self.describe_here()),
                );
            }
            obj
        } else {
            self.parse_object_body(false, self.i)?
        };
        Ok(root)
    }

    /// The assignments of an object; after `{` when `braced` (then consumes the `}`).
    fn parse_object_body(&mut self, braced: bool, open_at: usize) -> Result<Object> {
        let mut obj = Object::new();
        loop {
            self.skip_space(true);
            match self.peek() {
                None if braced => return self.err(open_at, "this '{' is never closed"),
                None => return Ok(obj),
                Some(b'}') if braced => {
                    self.i += 1;
                    return Ok(obj);
                }
                Some(b'}') => return self.err(self.i, "unexpected '}' (no block is open here)"),
                _ => {}
            }
            if self.at_include() {
                self.parse_include(&mut obj)?;
            } else {
                self.parse_assignment(&mut obj)?;
            }
        }
    }

    fn at_include(&self) -> bool {
        let rest = self.rest();
        // Compare bytes: `rest[..7]` would panic when byte 7 falls inside a character.
        if !rest
            .as_bytes()
            .get(..7)
            .is_some_and(|b| b.eq_ignore_ascii_case(b"include"))
        {
            return false;
        }
        // Byte 7 follows seven ASCII bytes, so it is a character boundary.
        let after = rest[7..].trim_start_matches([' ', '\t']);
        if after.len() == rest.len() - 7 && !after.starts_with('"') {
            return false; // `includes: 1` or `include: 1` is an ordinary key
        }
        after.starts_with('"')
            || after.starts_with("file(")
            || after.starts_with("url(")
            || after.starts_with("required(")
    }

    fn parse_include(&mut self, obj: &mut Object) -> Result<()> {
        let at = self.i;
        self.i += 7;
        self.skip_blanks();
        let mut required = false;
        if self.rest().starts_with("required(") {
            required = true;
            self.i += "required(".len();
            self.skip_blanks();
        }
        let mut kind = "plain";
        for k in ["file(", "url("] {
            if self.rest().starts_with(k) {
                kind = if k == "url(" { "url" } else { "file" };
                self.i += k.len();
                self.skip_blanks();
            }
        }
        if self.peek() != Some(b'"') {
            return self.err(
                self.i,
                "include needs a quoted file name, e.g. include \"other.conf\"",
            );
        }
        let name = self.parse_quoted_raw()?;
        let name = unescape(&name);
        self.skip_blanks();
        let closers = usize::from(kind != "plain") + usize::from(required);
        for _ in 0..closers {
            if self.peek() != Some(b')') {
                return self.err(self.i, "expected ')' to close the include");
            }
            self.i += 1;
            self.skip_blanks();
        }
        let target = if kind == "url"
            || name.starts_with("http://")
            || name.starts_with("https://")
            || name.starts_with("file://")
        {
            match name.strip_prefix("file://") {
                Some(p) => PathBuf::from(p),
                None => return self.err(at, format!("include of a URL ({name}) is not supported; download it and include the file")),
            }
        } else {
            let p = PathBuf::from(&name);
            match (&self.file, p.is_absolute()) {
                (Some(f), false) => f.parent().unwrap_or(Path::new(".")).join(p),
                _ => p,
            }
        };
        if self.include_depth >= MAX_INCLUDE_DEPTH {
            return self.err(at, "includes nested too deeply (an include cycle?)");
        }
        let budget = MAX_INPUT_BYTES.saturating_sub(self.read_total.get());
        let text = match read_conf_file(&target, budget) {
            Ok(t) => t,
            // A FIFO would hang the read, a device never end: refused, required or not.
            Err(ReadError::Refused(why)) => {
                return self.limit_err(at, format!("include {}: {why}", target.display()));
            }
            Err(ReadError::Io(e)) if required => {
                return self.err(
                    at,
                    format!("cannot read required include {}: {e}", target.display()),
                );
            }
            // pyhocon only warns about a missing optional include.
            Err(ReadError::Io(_)) => return Ok(()),
        };
        self.read_total.set(self.read_total.get() + text.len());
        let mut sub = Parser::new(&text, Some(target), self.env, self.read_total);
        sub.include_depth = self.include_depth + 1;
        sub.nest = self.nest;
        sub.path = self.path.clone();
        let included = sub.parse_document()?;
        for (key, node) in included.into_entries() {
            self.assign(obj, vec![key], node, false)
                .or_else(|m| self.limit_err(at, m))?;
        }
        Ok(())
    }

    fn parse_key(&mut self) -> Result<Vec<String>> {
        let start = self.i;
        let mut segs: Vec<String> = Vec::new();
        let mut cur = String::new();
        let mut any = false;
        loop {
            match self.peek() {
                Some(b'"') => {
                    let raw = self.parse_quoted_raw()?;
                    let text = unescape(&raw);
                    // pyhocon keeps the quotes of a quoted key holding a special character.
                    if text.chars().any(|c| "$}[]:=+#`^?!@*&.".contains(c)) {
                        cur.push('"');
                        cur.push_str(&text);
                        cur.push('"');
                    } else {
                        cur.push_str(&text);
                    }
                    any = true;
                }
                Some(b'.') => {
                    segs.push(std::mem::take(&mut cur));
                    self.i += 1;
                }
                Some(b'/') if self.rest().starts_with("//") => break,
                Some(_) if self.rest().chars().next().is_some_and(key_char) => {
                    let ch = self.rest().chars().next().unwrap_or_default();
                    cur.push(ch);
                    self.i += ch.len_utf8();
                    any = true;
                }
                Some(c)
                    if c >= 0x80 && !python_space(self.rest().chars().next().unwrap_or(' ')) =>
                {
                    // pyhocon rejects the whole file on such a key; say how to write it.
                    return self.err(
                        self.i,
                        format!(
                            "{} cannot be part of an unquoted key (the SDK's parser takes only ASCII and Latin-1 letters there); quote the key: \"...\"",
                            self.describe_here()
                        ),
                    );
                }
                _ => break,
            }
        }
        segs.push(cur);
        let segs: Vec<String> = segs.into_iter().map(|s| s.trim().to_string()).collect();
        if !any || segs.iter().any(String::is_empty) {
            self.i = start;
            return self.err(
                start,
                format!("expected a key, found {}", self.describe_here()),
            );
        }
        Ok(segs)
    }

    fn parse_assignment(&mut self, obj: &mut Object) -> Result<()> {
        let start = self.i;
        let key = self.parse_key()?;
        if self.nest + key.len() > MAX_DEPTH {
            return self.limit_err(start, depth_message());
        }
        let key_pos = self.pos_at(start);
        let mut key_end = self.i;
        while key_end > start && matches!(self.b[key_end - 1], b' ' | b'\t') {
            key_end -= 1;
        }
        self.skip_space(false);
        let append;
        let node = if self.peek() == Some(b'{') {
            append = false;
            let open = self.i;
            self.i += 1;
            self.path.extend(key.iter().cloned());
            let inner = self.nested(open, |p| p.parse_object_body(true, open));
            self.path.truncate(self.path.len() - key.len());
            self.value_end = self.i;
            Node {
                value: Value::Object(inner?),
                pos: key_pos,
            }
        } else {
            match self.peek() {
                Some(b'=' | b':') => {
                    append = false;
                    self.i += 1;
                }
                Some(b'+') if self.peek_at(1) == Some(b'=') => {
                    append = true;
                    self.i += 2;
                }
                _ => {
                    let found = if self.i > key_end && self.src[key_end..self.i].contains('\n') {
                        "end of line".to_string()
                    } else {
                        self.describe_here()
                    };
                    let at = if found == "end of line" {
                        key_end
                    } else {
                        self.i
                    };
                    return self.err(
                        at,
                        format!(
                            "expected ':', '=' or '{{' after the key '{}', found {found}",
                            key.join(".")
                        ),
                    );
                }
            }
            self.skip_space(false);
            self.path.extend(key.iter().cloned());
            let value = self.parse_concat();
            self.path.truncate(self.path.len() - key.len());
            let mut node = value?;
            node.pos = key_pos;
            node
        };
        let end = self.value_end.max(start);
        if self.path.len() <= 1 {
            self.spans.push(EntrySpan {
                parent: self.path.clone(),
                key: key.clone(),
                start,
                end,
            });
        }
        self.assign(obj, key, node, append)
            .or_else(|m| self.limit_err(start, m))
    }

    /// Put a value at a (dotted) key as pyhocon's ConfigTreeParser does.
    /// Err when the value would keep too long a chain of replaced values.
    fn assign(
        &self,
        obj: &mut Object,
        key: Vec<String>,
        node: Node,
        append: bool,
    ) -> std::result::Result<(), String> {
        let (last, parents) = key.split_last().expect("keys have a segment");
        let mut target = obj;
        for seg in parents {
            let is_obj = matches!(
                target.get(seg),
                Some(Node {
                    value: Value::Object(_),
                    ..
                })
            );
            if !is_obj {
                target.insert(
                    seg.clone(),
                    Node {
                        value: Value::Object(Object::new()),
                        pos: node.pos.clone(),
                    },
                );
            }
            target = match &mut target.get_mut(seg).unwrap().value {
                Value::Object(o) => o,
                _ => unreachable!(),
            };
        }
        let existing = target.remove(last);
        let Node { value, pos } = node;
        let value = match (existing, value) {
            (
                Some(Node {
                    value: Value::Object(mut mine),
                    ..
                }),
                Value::Object(theirs),
            ) => {
                mine.merge(theirs);
                Value::Object(mine)
            }
            (
                Some(Node {
                    value: Value::List(mut mine),
                    ..
                }),
                Value::List(theirs),
            ) if append => {
                mine.extend(theirs);
                Value::List(mine)
            }
            (
                Some(Node {
                    value: Value::Str(mine),
                    ..
                }),
                Value::Str(theirs),
            ) if append => Value::Str(format!("{mine} {theirs}")),
            (Some(prev), Value::Pending(mut p)) => {
                check_self_reference_chain(&prev)?;
                if matches!(prev.value, Value::Object(_)) {
                    // `a {..}` then `a = ${b}`: the objects merge once ${b} is known.
                    p.pieces.insert(0, Piece::Value(prev.clone()));
                }
                p.prev = Some(prev);
                Value::Pending(p)
            }
            // pyhocon quirk: `+=` with a scalar that is not a string just replaces.
            (Some(_), value) if append && !matches!(value, Value::List(_) | Value::Str(_)) => value,
            // pyhocon quirk: `s += y` on an undefined key gives " y".
            (None, Value::Str(theirs)) if append => Value::Str(format!(" {theirs}")),
            (Some(prev), Value::List(l)) if append => {
                check_self_reference_chain(&prev)?;
                // `a += [..]` after a value that is still pending: concatenate later.
                let self_path: Vec<String> = self.path.iter().chain(key.iter()).cloned().collect();
                Value::Pending(Box::new(Pending {
                    pieces: vec![
                        Piece::Subst {
                            raw: self_path.join("."),
                            path: self_path,
                            optional: true,
                            ws: String::new(),
                            pos: pos.clone(),
                        },
                        Piece::Value(Node {
                            value: Value::List(l),
                            pos: pos.clone(),
                        }),
                    ],
                    prev: Some(prev),
                }))
            }
            (_, value) => value,
        };
        target.insert(last.clone(), Node { value, pos });
        Ok(())
    }
}
