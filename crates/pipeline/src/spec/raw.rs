//! Raw TOML with spans, and the typed getters that report a problem at its place.

use super::*;

/// A TOML value whose nested keys and values keep their byte spans.
#[derive(Debug, Clone)]
pub enum Raw {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Array(Vec<Spanned<Raw>>),
    Table(Vec<(Spanned<String>, Spanned<Raw>)>),
    Datetime(String),
}

impl Raw {
    fn kind(&self) -> &'static str {
        match self {
            Raw::Str(_) => "a string",
            Raw::Int(_) => "an integer",
            Raw::Float(_) => "a number",
            Raw::Bool(_) => "a boolean",
            Raw::Array(_) => "an array",
            Raw::Table(_) => "a table",
            Raw::Datetime(_) => "a date",
        }
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

pub(super) struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Int(v.min(i64::MAX as u64) as i64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut out = Vec::new();
        while let Some(x) = seq.next_element::<Spanned<Raw>>()? {
            out.push(x);
        }
        Ok(Raw::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<Spanned<String>>()? {
            if k.get_ref() == "$__toml_private_datetime" {
                let v: String = map.next_value()?;
                return Ok(Raw::Datetime(v));
            }
            let v = map.next_value::<Spanned<Raw>>()?;
            out.push((k, v));
        }
        Ok(Raw::Table(out))
    }
}

pub(super) type Table = Vec<(Spanned<String>, Spanned<Raw>)>;

pub(super) fn get<'a>(t: &'a Table, key: &str) -> Option<&'a Spanned<Raw>> {
    t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
}

pub(super) fn check_keys(t: &Table, valid: &[&str], what: &str, p: &mut Vec<Problem>) {
    for (k, _) in t {
        if !valid.contains(&k.get_ref().as_str()) {
            p.push(Problem::at(
                k.span(),
                format!(
                    "unknown {what} '{}'{}",
                    k.get_ref(),
                    suggest(k.get_ref(), valid.iter().copied())
                ),
            ));
        }
    }
}

pub(super) fn req_str(
    t: &Table,
    key: &str,
    table_span: Range<usize>,
    table: &str,
    p: &mut Vec<Problem>,
) -> String {
    match opt_str(t, key, p) {
        Some((s, _)) => s,
        None => {
            if get(t, key).is_none() {
                p.push(Problem::at(table_span, format!("{table} needs '{key}'")));
            }
            String::new()
        }
    }
}

pub(super) fn opt_str(
    t: &Table,
    key: &str,
    p: &mut Vec<Problem>,
) -> Option<(String, Range<usize>)> {
    let v = get(t, key)?;
    match v.get_ref() {
        Raw::Str(s) => Some((s.clone(), v.span())),
        other => {
            p.push(Problem::at(
                v.span(),
                format!("'{key}' must be a string, not {}", other.kind()),
            ));
            None
        }
    }
}

pub(super) fn opt_bool(t: &Table, key: &str, p: &mut Vec<Problem>) -> bool {
    match get(t, key) {
        None => false,
        Some(v) => match v.get_ref() {
            Raw::Bool(b) => *b,
            other => {
                p.push(Problem::at(
                    v.span(),
                    format!("'{key}' must be true or false, not {}", other.kind()),
                ));
                false
            }
        },
    }
}

/// A table of scalars as ordered `name -> string` pairs (numbers and booleans as text,
/// the way the SDK stores every parameter).
pub(super) fn str_table(
    t: &Table,
    key: &str,
    what: &str,
    p: &mut Vec<Problem>,
) -> Vec<(String, String)> {
    let Some(v) = get(t, key) else {
        return Vec::new();
    };
    let Raw::Table(items) = v.get_ref() else {
        p.push(Problem::at(
            v.span(),
            format!("'{key}' must be a table of name = value"),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, x) in items {
        let s = match x.get_ref() {
            Raw::Str(s) => s.clone(),
            Raw::Int(n) => n.to_string(),
            Raw::Float(f) => f.to_string(),
            Raw::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            other => {
                p.push(Problem::at(
                    x.span(),
                    format!(
                        "{what} '{}' must be a string, number or boolean, not {}",
                        k.get_ref(),
                        other.kind()
                    ),
                ));
                continue;
            }
        };
        out.push((k.get_ref().clone(), s));
    }
    out
}

/// `" (did you mean 'x'?)"` for the closest valid name, when one is close enough.
pub fn suggest<'a>(given: &str, valid: impl Iterator<Item = &'a str>) -> String {
    let best = valid
        .map(|v| (edit_distance(given, v), v))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, v)) if d <= given.chars().count().max(3) / 2 + 1 => {
            format!(" (did you mean '{v}'?)")
        }
        _ => String::new(),
    }
}

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
