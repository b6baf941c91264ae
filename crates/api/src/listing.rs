//! A listing's answer read in one pass: the envelope's `meta`, and each item of the list
//! under `data.<key>` made as the parser reaches it, from its JSON text. Reading the
//! envelope, then `data`, then the list, as text each time, went over the body three
//! times before any item was made; a 10,000-task `task list --all` is 2.8 MB of them.

use clearml_wire::Meta;
use serde::de::{DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess};
use serde_json::value::RawValue;
use std::fmt;

/// `meta` and the items of a well-formed listing answer; `None` when the body is anything
/// else (not JSON, no `meta`, no list under `key`, an item `item` refuses), which the
/// caller reads again the plain way to name the problem. A key given twice counts its
/// last value, as in a parsed value.
pub(crate) fn read<T>(
    body: &[u8],
    key: &str,
    item: &impl Fn(&RawValue) -> serde_json::Result<T>,
) -> Option<(Meta, Vec<T>)> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let (meta, items) = Envelope { key, item }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some((meta?, items?))
}

struct Envelope<'a, F> {
    key: &'a str,
    item: &'a F,
}

impl<'de, T, F: Fn(&RawValue) -> serde_json::Result<T>> DeserializeSeed<'de> for Envelope<'_, F> {
    type Value = (Option<Meta>, Option<Vec<T>>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T, F: Fn(&RawValue) -> serde_json::Result<T>> serde::de::Visitor<'de>
    for Envelope<'_, F>
{
    type Value = (Option<Meta>, Option<Vec<T>>);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an API envelope")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut meta, mut items) = (None, None);
        while let Some(k) = map.next_key::<String>()? {
            match k.as_str() {
                "meta" => meta = Some(map.next_value()?),
                "data" => {
                    items = map.next_value_seed(Data {
                        key: self.key,
                        item: self.item,
                    })?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok((meta, items))
    }
}

/// `data`: an object holding the list under `key`.
struct Data<'a, F> {
    key: &'a str,
    item: &'a F,
}

impl<'de, T, F: Fn(&RawValue) -> serde_json::Result<T>> DeserializeSeed<'de> for Data<'_, F> {
    type Value = Option<Vec<T>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T, F: Fn(&RawValue) -> serde_json::Result<T>> serde::de::Visitor<'de> for Data<'_, F> {
    type Value = Option<Vec<T>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the data of a listing")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut items = None;
        while let Some(k) = map.next_key::<String>()? {
            if k == self.key {
                items = Some(map.next_value_seed(Items(self.item))?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(items)
    }
}

/// The list, each item made as it is reached.
struct Items<'a, F>(&'a F);

impl<'de, T, F: Fn(&RawValue) -> serde_json::Result<T>> DeserializeSeed<'de> for Items<'_, F> {
    type Value = Vec<T>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T, F: Fn(&RawValue) -> serde_json::Result<T>> serde::de::Visitor<'de> for Items<'_, F> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(raw) = seq.next_element::<&RawValue>()? {
            items.push((self.0)(raw).map_err(A::Error::custom)?);
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn names(body: &str) -> Option<(u16, Vec<Value>)> {
        let item = |raw: &RawValue| serde_json::from_str::<Value>(raw.get());
        read(body.as_bytes(), "tasks", &item).map(|(meta, items)| (meta.result_code, items))
    }

    #[test]
    fn a_well_formed_listing_is_read_with_its_items_in_order() {
        let body = r#"{"meta":{"result_code":200,"result_msg":"OK"},
            "data":{"total":3,"tasks":[{"id":"a","name":"Задача"},{"id":"b","name":"über"},
            {"id":"c","name":"任务 \u00e9"}],"scroll_id":"x"}}"#;
        let (code, items) = names(body).unwrap();
        assert_eq!(code, 200);
        let got: Vec<&str> = items.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(got, ["Задача", "über", "任务 é"]);
        // data before meta, a repeated list (the last counts), an empty list
        let body = r#"{"data":{"tasks":[{"id":"old"}],"tasks":[{"id":"new"}]},"meta":{"result_code":200}}"#;
        assert_eq!(names(body).unwrap().1, [serde_json::json!({"id": "new"})]);
        let body = r#"{"meta":{"result_code":200},"data":{"tasks":[]}}"#;
        assert_eq!(names(body).unwrap().1, Vec::<Value>::new());
    }

    #[test]
    fn anything_else_is_left_to_the_plain_reading() {
        for body in [
            "",
            "<html>busy</html>",
            r#"{"meta":{"result_code":200},"data":{"tasks":[{"id":"a"}]}} trailing"#,
            r#"{"data":{"tasks":[]}}"#,
            r#"{"meta":{"result_code":200},"data":{"models":[]}}"#,
            r#"{"meta":{"result_code":200},"data":{"tasks":{"id":"a"}}}"#,
            r#"{"meta":{"result_code":200},"data":[]}"#,
            r#"{"meta":{"result_code":200},"data":{"tasks":[{"id":"a"},]}}"#,
            r#"{"meta":{"result_code":200},"data":{"tasks":[1, 2"#,
        ] {
            assert!(names(body).is_none(), "{body}");
        }
        // An item the caller refuses leaves the whole answer to the plain reading.
        let body = r#"{"meta":{"result_code":200},"data":{"tasks":[{"id":"a"},7]}}"#;
        let objects_only =
            |raw: &RawValue| serde_json::from_str::<serde_json::Map<String, Value>>(raw.get());
        assert!(read(body.as_bytes(), "tasks", &objects_only).is_none());
    }
}
