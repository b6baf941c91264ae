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
    Eq,
    Ge,
    Le,
    Gt,
    Lt,
}

impl Cmp {
    fn sql(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Ge => ">=",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Lt => "<",
        }
    }
}

/// A condition on one field with list semantics (the get_all query language builds these
/// from `tags: [...]`-style lists and `filters` entries). For an array field "member" means
/// an element of the array; for a scalar field, equal to the value.
#[derive(Debug, Clone)]
pub enum ListCond<'a> {
    /// Any of the values is a member.
    AnyOf(Vec<Cow<'a, Value>>),
    /// Every one of the values is a member.
    AllOf(Vec<Cow<'a, Value>>),
    /// Missing, null, empty string or empty array.
    Empty,
    Not(Box<ListCond<'a>>),
    And(Vec<ListCond<'a>>),
    Or(Vec<ListCond<'a>>),
}

impl ListCond<'_> {
    pub fn negate(self) -> Self {
        ListCond::Not(Box::new(self))
    }
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

    /// An inclusive range; a missing `min` also matches documents without the field (the
    /// real server's open-ended range).
    pub fn range(&mut self, field: &str, min: Option<&Value>, max: Option<&Value>) {
        let col = field_expr(field);
        match (min, max) {
            (Some(lo), Some(hi)) => self.add(
                format!("({col} >= ? AND {col} <= ?)"),
                vec![sql_value(lo), sql_value(hi)],
            ),
            (Some(lo), None) => self.add(format!("{col} >= ?"), vec![sql_value(lo)]),
            (None, Some(hi)) => self.add(
                format!("({col} IS NULL OR {col} <= ?)"),
                vec![sql_value(hi)],
            ),
            (None, None) => {}
        }
    }

    /// Any (`all` = every one) of the alternatives holds; an empty alternative always holds.
    pub fn alternatives(&mut self, alts: Vec<SqlFilter>, all: bool) {
        if alts.is_empty() {
            return;
        }
        let parts: Vec<String> = alts.iter().map(|a| format!("({})", a.sql())).collect();
        let params = alts.into_iter().flat_map(|a| a.params).collect();
        self.add(
            format!("({})", parts.join(if all { " AND " } else { " OR " })),
            params,
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

    /// Projects anywhere below any of the projects named `parents` (the real server's
    /// `path` filter); no names: none match.
    pub fn below_any(mut self, parents: &[String]) -> Self {
        self.add(
            "EXISTS (SELECT 1 FROM json_each(?) AS p WHERE substr(name, 1, length(p.value) + 1) = p.value || '/')".into(),
            vec![SqlValue::Text(Value::from(parents.to_vec()).to_string())],
        );
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

    /// A list condition on `field`. However many values a list holds, each `AnyOf` /
    /// `AllOf` becomes one term with one bound parameter: the values as a JSON array, read
    /// back with `json_each` (a term per value would hit SQLite's expression-depth and
    /// parameter-count limits at about a thousand). Empty lists, `And`s and `Or`s add nothing.
    pub fn list(&mut self, field: &str, cond: &ListCond<'_>) {
        let lf = ListField {
            field,
            is_array: ARRAY_COLUMNS.contains(&field),
        };
        let mut params = Vec::new();
        if let Some(sql) = lf.render(cond, &mut params) {
            self.add(sql, params);
        }
    }
}

/// Writes the SQL of `ListCond`s on one field.
struct ListField<'a> {
    field: &'a str,
    is_array: bool,
}

impl ListField<'_> {
    /// Is the value `x` (an SQL expression) a member of this field? Never NULL.
    fn member(&self, x: &str) -> String {
        if let Some((array, key)) = in_object_array(self.field) {
            // Any element of an array of objects, as MongoDB matches `models.input.model`.
            return format!(
                "EXISTS (SELECT 1 FROM json_each(doc, '{}') AS e WHERE coalesce(json_extract(e.value, '{}') = {x}, 0))",
                json_path(array),
                json_path(key)
            );
        }
        if self.is_array {
            // The column holds the JSON array text: an element is present exactly when
            // its JSON-quoted form occurs (quotes inside tags are escaped, so no false hits).
            format!("instr(coalesce({}, ''), json_quote({x})) > 0", self.field)
        } else {
            format!("coalesce({} = {x}, 0)", field_expr(self.field))
        }
    }

    fn render(&self, cond: &ListCond<'_>, params: &mut Vec<SqlValue>) -> Option<String> {
        match cond {
            ListCond::AnyOf(list) => match list.as_slice() {
                [] => None,
                // One value: a plain comparison, the common and fastest case.
                [one] => {
                    params.push(sql_value(one));
                    Some(self.member("?"))
                }
                _ => {
                    params.push(json_list(list));
                    Some(if self.is_array || in_object_array(self.field).is_some() {
                        format!(
                            "EXISTS (SELECT 1 FROM json_each(?) AS v WHERE {})",
                            self.member("v.value")
                        )
                    } else {
                        // IN over the list keeps the column's index usable (id lookups).
                        format!(
                            "coalesce({} IN (SELECT value FROM json_each(?)), 0)",
                            field_expr(self.field)
                        )
                    })
                }
            },
            ListCond::AllOf(list) if list.is_empty() => None,
            ListCond::AllOf(list) => {
                params.push(json_list(list));
                Some(format!(
                    "NOT EXISTS (SELECT 1 FROM json_each(?) AS v WHERE NOT {})",
                    self.member("v.value")
                ))
            }
            ListCond::Empty => Some(empty_expr(&field_expr(self.field))),
            ListCond::Not(inner) => self.render(inner, params).map(|t| format!("NOT {t}")),
            ListCond::And(parts) => self.join(parts, " AND ", params),
            ListCond::Or(parts) => self.join(parts, " OR ", params),
        }
    }

    fn join(&self, parts: &[ListCond<'_>], op: &str, params: &mut Vec<SqlValue>) -> Option<String> {
        let terms: Vec<String> = parts
            .iter()
            .filter_map(|p| self.render(p, params))
            .collect();
        match terms.len() {
            0 => None,
            1 => terms.into_iter().next(),
            _ => Some(format!("({})", terms.join(op))),
        }
    }
}

fn json_list(list: &[Cow<Value>]) -> SqlValue {
    SqlValue::Text(serde_json::to_string(list).expect("JSON values serialize"))
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

/// Document fields that hold arrays of objects: a filter on `models.input.model` matches a
/// task when any element's `model` does (MongoDB's dotted paths through arrays).
const OBJECT_ARRAYS: &[&str] = &["models.input", "models.output", "execution.artifacts"];

/// `(array path, key inside the elements)` for a field below an [`OBJECT_ARRAYS`] entry.
fn in_object_array(field: &str) -> Option<(&str, &str)> {
    OBJECT_ARRAYS.iter().find_map(|a| {
        let key = field.strip_prefix(a)?.strip_prefix('.')?;
        (!key.is_empty()).then_some((*a, key))
    })
}

/// A quoted SQLite JSON path (`$."a"."b"`) for a dotted field, safe inside '...'.
/// The SQLite JSON path of a dotted field; `%2E` in a part is a literal dot, as the real
/// server's ParameterKeyEscaper writes it (utilities/parameter_key_escaper.py; a section named
/// `sec.tion` is ordered by as `hyperparams.sec%2Etion`).
fn json_path(field: &str) -> String {
    let path: String = field
        .split('.')
        .map(|p| format!(".\"{}\"", p.replace("%2E", ".").replace(['"', '\0'], "")))
        .collect();
    format!("${}", path.replace('\'', "''"))
}

/// SQL expression for a (possibly dotted) document field.
fn field_expr(field: &str) -> String {
    if COLUMNS.contains(&field) {
        return field.to_string();
    }
    format!("json_extract(doc, '{}')", json_path(field))
}

/// Whether the SQL expression `e` is empty: missing, null, "" or []. The listing index
/// (`schema::collection_indexes`) is built on this exact text: SQLite uses an index on an
/// expression only for the same expression.
pub(super) fn empty_expr(e: &str) -> String {
    format!("({e} IS NULL OR {e} = '' OR {e} = '[]')")
}

/// An ORDER BY: fields (dotted paths allowed) each ascending or descending; insertion
/// order (`rid`) always breaks ties, so pages never overlap.
#[derive(Default, Debug, Clone)]
pub struct Order {
    keys: Vec<OrderKey>,
    empties_last: bool,
}

#[derive(Debug, Clone)]
struct OrderKey {
    field: String,
    desc: bool,
    natural: bool,
}

impl Order {
    /// Insertion order only.
    pub fn insertion() -> Order {
        Order::default()
    }

    /// Then by `field`, descending when `desc`.
    pub fn then(mut self, field: &str, desc: bool) -> Order {
        self.keys.push(OrderKey {
            field: field.to_string(),
            desc,
            natural: false,
        });
        self
    }

    /// Then by `field` with runs of digits compared as numbers ("9" before "10").
    pub fn then_natural(mut self, field: &str, desc: bool) -> Order {
        self.keys.push(OrderKey {
            field: field.to_string(),
            desc,
            natural: true,
        });
        self
    }

    /// Documents whose first order field is empty (missing, null, "" or []) come last,
    /// whichever the direction.
    pub fn empties_last(mut self) -> Order {
        self.empties_last = true;
        self
    }

    /// The ORDER BY text.
    pub fn sql(&self) -> String {
        let mut parts = Vec::new();
        if let (true, Some(first)) = (self.empties_last, self.keys.first()) {
            parts.push(format!("{} ASC", empty_expr(&field_expr(&first.field))));
        }
        for k in &self.keys {
            let e = field_expr(&k.field);
            let dir = if k.desc { "DESC" } else { "ASC" };
            if k.natural {
                parts.push(format!("{}({e}) {dir}", super::schema::NATURAL_KEY_FN));
            } else {
                parts.push(format!("{e} {dir}"));
            }
        }
        parts.push("rid ASC".into());
        parts.join(", ")
    }
}
