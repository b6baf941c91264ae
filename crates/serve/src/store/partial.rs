//! Reading a few top-level fields of a stored document: the others are skipped over by
//! the JSON parser (checked, nothing allocated) instead of being built into values that
//! the projection would drop again.

use clearml_wire::raw::Key;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// The object in `text` with only its top-level fields named in `keys` (in stored order).
pub fn parse_keys(text: &str, keys: &[String]) -> serde_json::Result<Value> {
    let mut de = serde_json::Deserializer::from_str(text);
    let doc = Fields(keys).deserialize(&mut de)?;
    de.end()?;
    Ok(doc)
}

/// Deserializes an object keeping `0`'s fields; anything but an object is kept whole.
struct Fields<'k>(&'k [String]);

impl<'de> DeserializeSeed<'de> for Fields<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Fields<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(Key(k)) = map.next_key()? {
            if self.0.iter().any(|w| *w == *k) {
                out.insert(k.into_owned(), map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Value::Object(out))
    }

    // A document is always an object; whatever else was stored comes back as it is.
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Value, A::Error> {
        serde::Deserialize::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_named_fields_are_read_and_they_equal_a_full_parse() {
        let doc = json!({
            "id": "a1", "name": "Задача-任务 \"q\"", "script": {"diff": "x".repeat(5000), "n": [1, {"y": null}]},
            "last_metrics": {"k": {"v": {"value": 1.5e300, "max": -3}}}, "tags": ["ü", "\u{1F600}"],
            "esc\\u00e4ped": 1, "big": 18446744073709551615u64, "neg": -9223372036854775808i64
        });
        let text = doc.to_string();
        let keys: Vec<String> = [
            "id",
            "name",
            "last_metrics",
            "tags",
            "big",
            "neg",
            "missing",
        ]
        .map(String::from)
        .to_vec();
        let got = parse_keys(&text, &keys).unwrap();
        for k in ["id", "name", "last_metrics", "tags", "big", "neg"] {
            assert_eq!(got[k], doc[k], "{k}");
        }
        assert!(
            got.get("script").is_none() && got.get("missing").is_none(),
            "{got}"
        );
        // An escaped key is compared unescaped.
        let got = parse_keys(r#"{"n\u00e4me": 1, "id": "x"}"#, &["näme".to_string()]).unwrap();
        assert_eq!(got, json!({"näme": 1}));
        // A damaged document is an error, as with a full parse.
        assert!(parse_keys(r#"{"id": "x", "script": {"#, &keys).is_err());
        assert!(parse_keys(r#"{"id": "x"} trailing"#, &keys).is_err());
        assert_eq!(parse_keys("[1, 2]", &keys).unwrap(), json!([1, 2]));
    }
}
