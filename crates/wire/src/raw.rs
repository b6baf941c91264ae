//! Reading JSON text in place: a few fields of an object picked out of its text, and the
//! scalars that can be written again as they stand. A long listing read this way builds
//! no value per item (the parser still checks every byte it skips).

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// The fields of the object in `text` named in `keys`, in the order of `keys`, as the text
/// of their values (`None` where absent; a key given twice counts its last value, as in a
/// parsed value). `Ok(None)` when `text` holds something other than an object.
pub fn pick<'a>(
    text: &'a str,
    keys: &[&str],
) -> serde_json::Result<Option<Vec<Option<&'a RawValue>>>> {
    if !text.trim_start().starts_with('{') {
        return Ok(None);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let picked = Pick(keys).deserialize(&mut de)?;
    de.end()?;
    Ok(Some(picked))
}

/// Whether this JSON text, parsed and serialized again, gives the same bytes: `null`,
/// booleans, integers that fit 64 bits, and strings without escapes. Numbers with a
/// fraction or exponent (which re-print in shortest form), escaped strings (`\u00e9` comes
/// back as `é`) and nested values (re-indented) do not.
pub fn reprints_as_is(raw: &RawValue) -> bool {
    let text = raw.get().as_bytes();
    let digits = |d: &[u8]| !d.is_empty() && d.len() <= 18 && d.iter().all(u8::is_ascii_digit);
    match text {
        b"null" | b"true" | b"false" => true,
        [b'"', inner @ .., b'"'] => !inner.iter().any(|&b| b == b'\\' || b < 0x20),
        // "-0" parses as a float and comes back as "-0.0".
        [b'-', rest @ ..] => digits(rest) && rest != b"0",
        _ => digits(text),
    }
}

/// The string a JSON string's text holds (borrowed when it has no escapes); `None` for any
/// other JSON.
pub fn string_of(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    serde_json::from_str::<String>(text).ok().map(Cow::Owned)
}

/// Deserializes an object into the text of the values of `0`'s keys.
struct Pick<'k>(&'k [&'k str]);

impl<'de> DeserializeSeed<'de> for Pick<'_> {
    type Value = Vec<Option<&'de RawValue>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Pick<'_> {
    type Value = Vec<Option<&'de RawValue>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut picked = vec![None; self.0.len()];
        while let Some(Key(k)) = map.next_key()? {
            match self.0.iter().position(|w| *w == k) {
                Some(i) => picked[i] = Some(map.next_value::<&RawValue>()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(picked)
    }
}

/// An object key, borrowed from the text when it has no escapes (one with escapes is
/// compared unescaped).
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn raw(text: &str) -> &RawValue {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn picked_fields_are_the_values_a_parse_would_hold() {
        let text = r#"{"id":"6aab","na\u006de":"Задача","x":{"deep":[1,2]},"id":"über","n":null}"#;
        let got = pick(text, &["name", "id", "missing", "n", "x"])
            .unwrap()
            .unwrap();
        let parsed: Value = serde_json::from_str(text).unwrap();
        for (key, got) in ["name", "id", "missing", "n", "x"].iter().zip(&got) {
            let got = got.map(|r| serde_json::from_str::<Value>(r.get()).unwrap());
            assert_eq!(got.as_ref(), parsed.get(key), "{key}");
        }
        assert!(pick("[1]", &["id"]).unwrap().is_none());
        assert!(pick(" \"text\"", &["id"]).unwrap().is_none());
        assert!(pick(r#"{"id": }"#, &["id"]).is_err());
        assert!(pick(r#"{"id": 1} trailing"#, &["id"]).is_err());
    }

    #[test]
    fn a_scalar_reprints_as_is_exactly_when_serializing_its_value_gives_its_text() {
        let cases = [
            "null",
            "true",
            "false",
            "0",
            "-0",
            "7",
            "-12",
            "123456789012345678",
            "12345678901234567890123",
            "1.5",
            "1e3",
            "-0.0",
            r#""plain""#,
            r#""Задача über 任务""#,
            r#""""#,
            r#""with \"quote\"""#,
            r#""\u00e9""#,
            r#""\/""#,
            r#""tab\t""#,
            "[]",
            "[1, 2]",
            "{}",
            r#"{"a": 1}"#,
        ];
        for text in cases {
            let value: Value = serde_json::from_str(text).unwrap();
            let again = serde_json::to_string(&value).unwrap();
            if reprints_as_is(raw(text)) {
                assert_eq!(again, text, "{text} was taken as printing as it stands");
            }
        }
        // The common shapes do take the short way.
        for text in ["null", "7", "-12", r#""Задача über 任务""#] {
            assert!(reprints_as_is(raw(text)), "{text}");
        }
    }

    #[test]
    fn string_of_decodes_escapes_and_refuses_other_json() {
        assert_eq!(string_of(raw(r#""Проект""#)).as_deref(), Some("Проект"));
        assert!(matches!(
            string_of(raw(r#""Проект""#)),
            Some(Cow::Borrowed(_))
        ));
        assert_eq!(
            string_of(raw(r#""a\"b\u00e9\n""#)).as_deref(),
            Some("a\"bé\n")
        );
        assert_eq!(string_of(raw("12")), None);
        assert_eq!(string_of(raw("null")), None);
        assert_eq!(string_of(raw(r#"{"a":"b"}"#)), None);
    }
}
