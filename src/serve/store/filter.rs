//! WHERE and ORDER BY clauses for the document collections, built from typed calls: the
//! services (and the get_all query language in `serve::query`) say what to match, this
//! module writes the SQL. Field names may come from clients: every one goes through
//! `field_expr` (a column, or a quoted `json_extract` path) and every value is a bound
//! parameter.

use super::documents::{ARRAY_COLUMNS, COLUMNS};
use rusqlite::types::Value as SqlValue;
use serde_json::Value;
use std::borrow::Cow;

/// A WHERE clause under construction: AND-ed terms with positional parameters.
#[derive(Default, Debug, Clone)]
pub struct SqlFilter {
    terms: Vec<String>,
    params: Vec<SqlValue>,
}

/// Comparison operators of range filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Ge,
    Le,
    Gt,
    Lt,
}

impl Cmp {
    fn sql(self) -> &'static str {
        match self {
            Cmp::Ge => ">=",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Lt => "<",
        }
    }
}

/// The values of one list filter, sorted into its three groups: a document matches when
/// the field holds any of `any` (if given), all of `all` and none of `none`. A null in a
/// scalar field's group stands for a missing or empty field.
#[derive(Default, Debug)]
pub struct ListMatch<'a> {
    pub any: Vec<Cow<'a, Value>>,
    pub all: Vec<Cow<'a, Value>>,
    pub none: Vec<Cow<'a, Value>>,
}

impl SqlFilter {
    pub(super) fn sql(&self) -> String {
        if self.terms.is_empty() {
            "1".to_string()
        } else {
            self.terms.join(" AND ")
        }
    }

    pub(super) fn params(&self) -> impl Iterator<Item = &SqlValue> {
        self.params.iter()
    }

    /// Number of AND-ed terms (requests are limited in how many they may build).
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Add a term; `?` placeholders in it take the given params in order.
    fn add(&mut self, term: String, params: Vec<SqlValue>) {
        self.terms.push(term);
        self.params.extend(params);
    }

    /// AND the terms of `other` to these.
    pub fn and(&mut self, other: SqlFilter) {
        self.terms.extend(other.terms);
        self.params.extend(other.params);
    }

    pub fn eq(mut self, field: &str, value: &str) -> Self {
        self.add(
            format!("{} = ?", field_expr(field)),
            vec![SqlValue::Text(value.into())],
        );
        self
    }

    /// `field` compared with a JSON value (numbers stay numbers).
    pub fn compare(&mut self, field: &str, op: Cmp, value: &Value) {
        self.add(
            format!("{} {} ?", field_expr(field), op.sql()),
            vec![sql_value(value)],
        );
    }

    /// The regex `pattern` (Python `re.search` semantics) matches any of `fields` (all of
    /// them when `all`). No fields: no term.
    pub fn regex(&mut self, fields: &[String], pattern: &str, all: bool) {
        if fields.is_empty() {
            return;
        }
        let terms: Vec<String> = fields
            .iter()
            .map(|fl| format!("clearml_regexp(?, {})", field_expr(fl)))
            .collect();
        self.add(
            format!("({})", terms.join(if all { " AND " } else { " OR " })),
            fields
                .iter()
                .map(|_| SqlValue::Text(pattern.into()))
                .collect(),
        );
    }

    /// A boolean document field (missing = false) equals `value`.
    pub fn flag(&mut self, field: &str, value: bool) {
        self.add(
            format!("coalesce({}, 0) = ?", field_expr(field)),
            vec![SqlValue::Integer(value as i64)],
        );
    }

    /// `text` occurs in the name, the id or the comment (`%` in it is dropped).
    pub fn text_search(&mut self, text: &str) {
        let like = SqlValue::Text(format!("%{}%", text.replace('%', "")));
        self.add(
            format!(
                "(name LIKE ? OR id LIKE ? OR coalesce({}, '') LIKE ?)",
                field_expr("comment")
            ),
            vec![like.clone(), like.clone(), like],
        );
    }

    /// Projects directly below the project named `parent` (`None` = top-level projects).
    pub fn direct_children_of(mut self, parent: Option<&str>) -> Self {
        match parent {
            Some(name) => {
                let prefix = format!("{name}/");
                self.add(
                    "name LIKE ? AND instr(substr(name, ?), '/') = 0".into(),
                    vec![
                        SqlValue::Text(format!("{prefix}%")),
                        SqlValue::Integer(prefix.chars().count() as i64 + 1),
                    ],
                );
            }
            None => self.add("instr(name, '/') = 0".into(), vec![]),
        }
        self
    }

    /// Queues whose `entries` hold `task`.
    pub fn queue_holds(mut self, task: &str) -> Self {
        self.add(
            "EXISTS (SELECT 1 FROM json_each(doc, '$.entries') WHERE json_extract(value, '$.task') = ?)".into(),
            vec![SqlValue::Text(task.into())],
        );
        self
    }

    /// List-field semantics for one field. However many values a list holds, each group
    /// (any / all / none) becomes one term with one bound parameter: the values as a JSON
    /// array, read back with `json_each` (a term per value would hit SQLite's
    /// expression-depth and parameter-count limits at about a thousand).
    pub fn list(&mut self, field: &str, m: ListMatch<'_>) {
        let is_array = ARRAY_COLUMNS.contains(&field);
        // Is the value `x` (an SQL expression) a member of this field?
        let member = |x: &str| -> String {
            if is_array {
                // The column holds the JSON array text: an element is present exactly when
                // its JSON-quoted form occurs (quotes inside tags are escaped, so no false hits).
                format!("instr(coalesce({field}, ''), json_quote({x})) > 0")
            } else {
                format!("{} = {x}", field_expr(field))
            }
        };
        // A null in a scalar list matches a missing or empty field.
        let empty = |e: &str| format!("({e} IS NULL OR {e} = '')");
        let json_list = |list: &[Cow<Value>]| {
            SqlValue::Text(serde_json::to_string(list).expect("JSON values serialize"))
        };
        // Any member of the list (one value: a plain comparison, the common and fastest case).
        let in_list = |list: &[Cow<Value>]| -> (String, SqlValue) {
            if let [one] = list {
                return (member("?"), sql_value(one));
            }
            let sql = if is_array {
                format!(
                    "EXISTS (SELECT 1 FROM json_each(?) AS v WHERE {})",
                    member("v.value")
                )
            } else {
                // IN over the list keeps the column's index usable (id lookups).
                format!("{} IN (SELECT value FROM json_each(?))", field_expr(field))
            };
            (sql, json_list(list))
        };
        let (any_null, any) = split_nulls(is_array, m.any);
        let mut terms = Vec::new();
        let mut params = Vec::new();
        if any_null {
            terms.push(empty(&field_expr(field)));
        }
        if !any.is_empty() {
            let (t, p) = in_list(&any);
            terms.push(t);
            params.push(p);
        }
        if !terms.is_empty() {
            self.add(format!("({})", terms.join(" OR ")), params);
        }
        let (all_null, all) = split_nulls(is_array, m.all);
        if all_null {
            self.add(empty(&field_expr(field)), vec![]);
        }
        if !all.is_empty() {
            self.add(
                format!(
                    "NOT EXISTS (SELECT 1 FROM json_each(?) AS v WHERE NOT coalesce({}, 0))",
                    member("v.value")
                ),
                vec![json_list(&all)],
            );
        }
        let (not_null, nots) = split_nulls(is_array, m.none);
        if not_null {
            self.add(format!("NOT {}", empty(&field_expr(field))), vec![]);
        }
        if !nots.is_empty() {
            let (t, p) = in_list(&nots);
            self.add(format!("NOT ({t})"), vec![p]);
        }
    }
}

/// Separate the nulls of a scalar field's list (they match a missing or empty field).
fn split_nulls(is_array: bool, list: Vec<Cow<'_, Value>>) -> (bool, Vec<Cow<'_, Value>>) {
    if is_array {
        return (false, list);
    }
    let has_null = list.iter().any(|v| v.is_null());
    (
        has_null,
        list.into_iter().filter(|v| !v.is_null()).collect(),
    )
}

fn sql_value(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Bool(b) => SqlValue::Integer(*b as i64),
        Value::Number(n) => n
            .as_i64()
            .map(SqlValue::Integer)
            .unwrap_or_else(|| SqlValue::Real(n.as_f64().unwrap_or(0.0))),
        Value::String(s) => SqlValue::Text(s.clone()),
        other => SqlValue::Text(other.to_string()),
    }
}

/// SQL expression for a (possibly dotted) document field.
fn field_expr(field: &str) -> String {
    if COLUMNS.contains(&field) {
        return field.to_string();
    }
    let path: String = field
        .split('.')
        .map(|p| format!(".\"{}\"", p.replace(['"', '\0'], "")))
        .collect();
    format!("json_extract(doc, '${}')", path.replace('\'', "''"))
}

/// An ORDER BY: fields (dotted paths allowed) each ascending or descending; insertion
/// order (`rid`) always breaks ties, so pages never overlap.
#[derive(Default, Debug, Clone)]
pub struct Order {
    keys: Vec<(String, bool)>,
}

impl Order {
    /// Insertion order only.
    pub fn insertion() -> Order {
        Order::default()
    }

    /// Then by `field`, descending when `desc`.
    pub fn then(mut self, field: &str, desc: bool) -> Order {
        self.keys.push((field.to_string(), desc));
        self
    }

    /// The ORDER BY text.
    pub fn sql(&self) -> String {
        let mut parts: Vec<String> = self
            .keys
            .iter()
            .map(|(f, desc)| format!("{} {}", field_expr(f), if *desc { "DESC" } else { "ASC" }))
            .collect();
        parts.push("rid ASC".into());
        parts.join(", ")
    }
}
