//! Values: quoted strings, numbers, keywords, concatenations (with substitutions) and
//! lists.

use super::*;

impl Parser<'_, '_> {
    /// A quoted string at `"`: returns the raw text between the quotes.
    pub(super) fn parse_quoted_raw(&mut self) -> Result<String> {
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None | Some(b'\n') | Some(b'\r') => {
                    return self.err(
                        start,
                        "unterminated string (a quoted string must end on its line)",
                    );
                }
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let next = self.rest()[1..].chars().next();
                    match next {
                        Some(c) => {
                            out.push('\\');
                            out.push(c);
                            self.i += 1 + c.len_utf8();
                        }
                        None => return self.err(start, "unterminated string"),
                    }
                }
                Some(_) => {
                    let c = self.rest().chars().next().unwrap();
                    out.push(c);
                    self.i += c.len_utf8();
                }
            }
        }
    }

    pub(super) fn take_blanks(&mut self) -> String {
        let start = self.i;
        self.skip_blanks();
        self.src[start..self.i].to_string()
    }

    /// A number as pyhocon reads one: it must be followed by the end, or blanks and one of
    /// `$ } ] , # newline` or `//`; otherwise the text is an unquoted string.
    pub(super) fn try_number(&mut self) -> Option<Value> {
        let b = self.b;
        let mut j = self.i;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let int_start = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        let int_digits = j - int_start;
        let mut is_float = false;
        if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
            j += 1;
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            is_float = true;
        } else if int_digits == 0 {
            return None;
        }
        if matches!(b.get(j), Some(b'e' | b'E')) {
            let mut k = j + 1;
            if matches!(b.get(k), Some(b'+' | b'-')) {
                k += 1;
            }
            if b.get(k).is_some_and(u8::is_ascii_digit) {
                while b.get(k).is_some_and(u8::is_ascii_digit) {
                    k += 1;
                }
                j = k;
                is_float = true;
            }
        }
        let mut k = j;
        while matches!(b.get(k), Some(b' ' | b'\t')) {
            k += 1;
        }
        let follow_ok = match b.get(k) {
            None => true,
            Some(b'$' | b'}' | b']' | b',' | b'#' | b'\n' | b'\r') => true,
            Some(b'/') => b.get(k + 1) == Some(&b'/'),
            _ => false,
        };
        if !follow_ok {
            return None;
        }
        let text = &self.src[self.i..j];
        let value = if is_float {
            Value::Float(text.parse().ok()?)
        } else {
            match text.parse::<i64>() {
                Ok(n) => Value::Int(n),
                Err(_) => Value::Float(text.parse().ok()?),
            }
        };
        self.i = j;
        Some(value)
    }

    pub(super) fn try_keyword(&mut self) -> Option<Value> {
        for (word, value) in [
            ("true", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("null", Value::Null),
        ] {
            let rest = self.rest().as_bytes();
            // Bytes, not `rest[..n]`: an unquoted `José` would split the `é`.
            if rest
                .get(..word.len())
                .is_some_and(|b| b.eq_ignore_ascii_case(word.as_bytes()))
            {
                let next = rest.get(word.len());
                if !next.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$') {
                    self.i += word.len();
                    return Some(value);
                }
            }
        }
        None
    }

    /// One value: a run of tokens concatenated, up to a newline, `,`, `}`, `]` or a comment.
    pub(super) fn parse_concat(&mut self) -> Result<Node> {
        let start = self.i;
        let pos = self.pos_at(start);
        let mut pieces: Vec<Piece> = Vec::new();
        let mut last_end = start;
        loop {
            if !pieces.is_empty() {
                last_end = self.i;
                while last_end > start && matches!(self.b[last_end - 1], b' ' | b'\t') {
                    last_end -= 1;
                }
            }
            self.skip_blanks();
            let here = self.i;
            match self.peek() {
                None | Some(b'\n' | b'\r' | b',' | b'}' | b']') => break,
                _ if self.at_comment() => {
                    self.skip_comment();
                    break;
                }
                Some(b'\\') if matches!(self.peek_at(1), Some(b'\n' | b'\r')) => {
                    self.i += 1;
                    if self.rest().starts_with("\r\n") {
                        self.i += 2;
                    } else {
                        self.i += 1;
                    }
                }
                Some(b'$') if self.peek_at(1) == Some(b'{') => pieces.push(self.parse_subst(here)?),
                Some(b'{') => {
                    self.i += 1;
                    let obj = self.nested(here, |p| p.parse_object_body(true, here))?;
                    pieces.push(Piece::Value(Node {
                        value: Value::Object(obj),
                        pos: self.pos_at(here),
                    }));
                }
                Some(b'[') => {
                    self.i += 1;
                    let list = self.nested(here, |p| p.parse_list(here))?;
                    pieces.push(Piece::Value(Node {
                        value: Value::List(list),
                        pos: self.pos_at(here),
                    }));
                }
                Some(b'"') if self.rest().starts_with("\"\"\"") => {
                    pieces.push(self.parse_triple_quoted(here)?);
                }
                Some(b'"') => {
                    let raw = self.parse_quoted_raw()?;
                    let ws = self.take_blanks();
                    pieces.push(Piece::Quoted(unescape(&raw), ws));
                }
                Some(_) => {
                    if let Some(v) = self.try_number().or_else(|| self.try_keyword()) {
                        pieces.push(Piece::Value(Node {
                            value: v,
                            pos: self.pos_at(here),
                        }));
                        continue;
                    }
                    pieces.push(self.parse_unquoted()?);
                }
            }
        }
        if !pieces.is_empty() && last_end == start {
            last_end = self.i;
        }
        self.value_end = last_end;
        // The last unquoted token as written loses its trailing blanks (not one that ends
        // up last because an optional substitution after it came to nothing).
        if let Some(Piece::Unquoted(s)) = pieces.last_mut() {
            let trimmed = s.trim_end_matches([' ', '\t']).len();
            s.truncate(trimmed);
        }
        concat(pieces, pos, None).map_err(|m| HoconError::new(self.pos_at(start), m))
    }

    /// `${path}` or `${?path}`, with the blanks after it.
    fn parse_subst(&mut self, here: usize) -> Result<Piece> {
        let Some(close) = self.rest().find('}') else {
            return self.err(here, "unterminated substitution '${'");
        };
        let inner = &self.rest()[2..close];
        if inner.is_empty() || inner.contains('\n') {
            return self.err(here, "malformed substitution");
        }
        let (optional, raw) = match inner.strip_prefix('?') {
            Some(r) => (true, r.to_string()),
            None => (false, inner.to_string()),
        };
        self.i += close + 1;
        let ws = self.take_blanks();
        Ok(Piece::Subst {
            path: split_key_path(&raw),
            raw,
            optional,
            ws,
            pos: self.pos_at(here),
        })
    }

    /// A `"""..."""` string; extra quotes before the closing three belong to the text.
    fn parse_triple_quoted(&mut self, here: usize) -> Result<Piece> {
        let body = &self.rest()[3..];
        let Some(run) = body.find("\"\"\"") else {
            return self.err(here, "unterminated triple-quoted string");
        };
        let run_len = body[run..].bytes().take_while(|c| *c == b'"').count();
        let text = format!("{}{}", &body[..run], "\"".repeat(run_len - 3));
        self.i += 3 + run + run_len;
        Ok(Piece::Value(Node {
            value: Value::Str(text),
            pos: self.pos_at(here),
        }))
    }

    /// An unquoted token (backslash escapes kept together), with the blanks after it.
    fn parse_unquoted(&mut self) -> Result<Piece> {
        let tok_start = self.i;
        loop {
            match self.peek() {
                Some(b'\\') => match self.rest()[1..].chars().next() {
                    Some(c) if c != '\n' && c != '\r' => self.i += 1 + c.len_utf8(),
                    _ => break,
                },
                Some(c) if c.is_ascii_whitespace() || forbidden_unquoted(c) => break,
                Some(_) => {
                    let c = self.rest().chars().next().unwrap_or(' ');
                    if python_space(c) {
                        break;
                    }
                    self.i += c.len_utf8();
                }
                None => break,
            }
        }
        if self.i == tok_start {
            return self.err(
                self.i,
                format!(
                    "unexpected {} in a value (quote the value: \"...\")",
                    self.describe_here()
                ),
            );
        }
        let text = unescape(&self.src[tok_start..self.i]);
        let ws = self.take_blanks();
        Ok(Piece::Unquoted(text + &ws))
    }

    pub(super) fn parse_list(&mut self, open_at: usize) -> Result<Vec<Node>> {
        let mut items = Vec::new();
        loop {
            self.skip_space(true);
            match self.peek() {
                None => return self.err(open_at, "this '[' is never closed"),
                Some(b']') => {
                    self.i += 1;
                    return Ok(items);
                }
                Some(b'}') => {
                    return self.err(self.i, "unexpected '}' inside a list (missing ']'?)");
                }
                _ => {}
            }
            self.path.push(items.len().to_string());
            let item = self.parse_concat();
            self.path.pop();
            let item = item?;
            // pyhocon drops empty strings from lists.
            if item.value != Value::Str(String::new()) {
                items.push(item);
            }
        }
    }
}

/// Err when `node` already keeps MAX_SELF_REFERENCES replaced values behind it (`p: ${p}x`
/// assigned again and again).
pub(super) fn check_self_reference_chain(node: &Node) -> std::result::Result<(), String> {
    let mut n = 0;
    let mut cur = node;
    while let Value::Pending(p) = &cur.value {
        n += 1;
        match &p.prev {
            Some(prev) => cur = prev,
            None => break,
        }
    }
    if n >= MAX_SELF_REFERENCES {
        return Err(format!(
            "more than {MAX_SELF_REFERENCES} assignments in a row refer to the value they replace"
        ));
    }
    Ok(())
}
