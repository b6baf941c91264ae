//! The `*.get_all(_ex)` query language: regex name filters, list fields (OR, `-` exclusion,
//! `__$all`/`__$any`/`__$not`), `[min, max]` ranges, date conditions (`>=date`, ...),
//! `_any_`/`_all_` (pattern or datetime), `search_hidden`, `order_by`,
//! `page`/`page_size` (capped at 500), `scroll_id` + `size`, and `only_fields` projection.

use super::envelope::ApiError;
use super::store::{Cmp, ListCond, Order, SqlFilter};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The server's page-size cap (`max_page_size`).
pub const MAX_PAGE_SIZE: usize = 500;

/// Fields holding arrays of strings (membership semantics).
const ARRAY_FIELDS: &[&str] = &["tags", "system_tags"];
/// Scalar fields filtered with list semantics when given a list (or a single value).
const LIST_FIELDS: &[&str] = &[
    "id",
    "user",
    "project",
    "status",
    "type",
    "parent",
    "framework",
    "task",
    "uri",
    "company",
    "execution.queue",
    "queue",
];
/// Fields filtered as `[min, max]` ranges (the real server's `range_fields`; `last_metrics.*`
/// too): anything but a two-element list is a 400/12.
const RANGE_FIELDS: &[&str] = &[
    "created",
    "started",
    "completed",
    "last_iteration",
    "active_duration",
];
/// Date fields (the real server's `datetime_fields`): a `[min, max]` range, or one or more
/// conditions `>=date`, `>date`, `<=date`, `<date` or `date` (equal), all of which must hold.
const DATETIME_FIELDS: &[&str] = &["status_changed", "last_update", "last_change"];
/// Request keys that are not filters.
const NON_FILTER_KEYS: &[&str] = &[
    "only_fields",
    "order_by",
    "page",
    "page_size",
    "scroll_id",
    "refresh_scroll",
    "size",
    "search_hidden",
    "include_subprojects",
    "allow_public",
    "method",
    "include_stats",
    "stats_for_state",
    "non_public",
    "active_users",
    "check_own_contents",
    "stats_with_children",
    "include_stats_filter",
    "include_dataset_stats",
    "children_type",
    "children_tags",
    "children_tags_filter",
    "shallow_search",
    "search_text",
    "_any_",
    "_all_",
    "filters",
    "name",
    "basename",
    "description",
    "ready",
    "return_full_text",
    "max_task_entries",
];

/// Most fields one `_any_`/`_all_` search or `order_by` may name, and most filter terms one
/// request may build (SQLite refuses expressions nested about a thousand deep; no client
/// comes near these).
pub const MAX_FIELDS: usize = 100;
pub const MAX_FILTER_TERMS: usize = 500;

/// A field name from a request, checked before it is used in SQL: a NUL (MongoDB refuses
/// those in field names too) would cut the SQL text short.
pub fn checked_field(name: &str) -> Result<&str, ApiError> {
    if name.contains('\0') {
        return Err(ApiError::validation(format!(
            "field name {:?} contains a NUL character",
            name.replace('\0', "\\0")
        )));
    }
    Ok(name)
}

fn too_many(what: &str, max: usize) -> ApiError {
    ApiError::validation(format!("more than {max} {what} in one request"))
}

/// A client's pattern, compiled under `limits::client_regex`'s bounds (length, compiled
/// size) so that no pattern costs the server much time or memory; 400 otherwise.
pub fn regex_checked(pattern: &str) -> Result<regex::Regex, ApiError> {
    super::limits::checked_client_regex(pattern)
        .map_err(|e| ApiError::new(400, 21, format!("Invalid regex error ({e})")))
}

fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

/// List-field semantics for one field, as the real server parses a list value: values are
/// OR-ed until an operator (`__$all`/`__$and` switch to AND, `__$any`/`__$or` back to OR,
/// `__$not` negates the next value, `__$nop` resets); a leading `-` excludes a value (only
/// before the first operator). The first operator seen decides how the included, required
/// and excluded groups combine (AND when there is none). A null also matches an empty field.
/// The store writes the SQL.
pub fn add_list_filter(f: &mut SqlFilter, field: &str, values: &Value) {
    // Borrowed throughout: the list may be hundreds of thousands of ids.
    let values: &[Value] = match values {
        Value::Array(a) => a,
        other => std::slice::from_ref(other),
    };
    if values.is_empty() {
        return;
    }
    let mut any: Vec<Cow<Value>> = Vec::new();
    let mut all: Vec<Cow<Value>> = Vec::new();
    let mut nots: Vec<Cow<Value>> = Vec::new();
    let mut mode_all = false;
    let mut negate_next = false;
    let mut legacy = true;
    let mut global_and: Option<bool> = None;
    let mut allow_empty = false;
    for v in values {
        if let Value::String(s) = v {
            match s.as_str() {
                "__$all" | "__$and" | "__$any" | "__$or" => {
                    mode_all = matches!(s.as_str(), "__$all" | "__$and");
                    legacy = false;
                    global_and.get_or_insert(mode_all);
                    continue;
                }
                "__$not" => {
                    negate_next = true;
                    continue;
                }
                "__$nop" => {
                    mode_all = false;
                    negate_next = false;
                    continue;
                }
                _ => {}
            }
            if legacy
                && !negate_next
                && let Some(rest) = s.strip_prefix('-')
            {
                nots.push(Cow::Owned(Value::String(rest.into())));
                continue;
            }
        }
        if v.is_null() {
            allow_empty = true;
            negate_next = false;
        } else if negate_next {
            nots.push(Cow::Borrowed(v));
            negate_next = false;
        } else if mode_all {
            all.push(Cow::Borrowed(v));
        } else {
            any.push(Cow::Borrowed(v));
        }
    }
    let mut groups = Vec::new();
    if !any.is_empty() {
        groups.push(ListCond::AnyOf(any));
    }
    if !all.is_empty() {
        groups.push(ListCond::AllOf(all));
    }
    if !nots.is_empty() {
        groups.push(ListCond::AnyOf(nots).negate());
    }
    let mut cond = if global_and.unwrap_or(true) {
        ListCond::And(groups)
    } else {
        ListCond::Or(groups)
    };
    if allow_empty {
        cond = ListCond::Or(vec![cond, ListCond::Empty]);
    }
    f.list(field, &cond);
}

/// One `filters` entry: `{any: {include, exclude}, all: {include, exclude}, op}`. `any`
/// matches a field holding any included value or lacking one of the excluded ones; `all`
/// one holding every included value and none of the excluded; a null stands for "empty";
/// `op` (`and` by default) joins the two parts.
fn add_filters_entry(f: &mut SqlFilter, field: &str, spec: &Value) -> Result<(), ApiError> {
    let invalid = |why: &str| {
        ApiError::validation(format!(
            "invalid filter for field {field}: {why}: field={field}"
        ))
    };
    let Some(spec) = spec.as_object() else {
        return Err(invalid("dictionary expected"));
    };
    if let Some(k) = spec
        .keys()
        .find(|k| !["any", "all", "op"].contains(&k.as_str()))
    {
        return Err(invalid(&format!("unexpected key {k}")));
    }
    let and = match spec.get("op") {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) if s == "and" => true,
        Some(Value::String(s)) if s == "or" => false,
        Some(other) => return Err(invalid(&format!("invalid operator {other}"))),
    };
    let mut parts = Vec::new();
    for (key, is_all) in [("any", false), ("all", true)] {
        let Some(cond) = spec.get(key).filter(|c| !c.is_null()) else {
            continue;
        };
        let Some(cond) = cond.as_object() else {
            return Err(invalid(&format!("{key}: dictionary expected")));
        };
        if let Some(k) = cond
            .keys()
            .find(|k| !["include", "exclude"].contains(&k.as_str()))
        {
            return Err(invalid(&format!("{key}: unexpected key {k}")));
        }
        let mut terms = Vec::new();
        for (list_key, include) in [("include", true), ("exclude", false)] {
            let vals: Vec<Cow<Value>> = match cond.get(list_key) {
                None | Some(Value::Null) => continue,
                Some(Value::Array(a)) => a.iter().map(Cow::Borrowed).collect(),
                Some(_) => return Err(invalid(&format!("{key}.{list_key}: list expected"))),
            };
            if vals.iter().any(|v| v.is_null()) {
                terms.push(if include {
                    ListCond::Empty
                } else {
                    ListCond::Empty.negate()
                });
            }
            let vals: Vec<Cow<Value>> = vals.into_iter().filter(|v| !v.is_null()).collect();
            if vals.is_empty() {
                continue;
            }
            terms.push(match (is_all, include) {
                (false, true) => ListCond::AnyOf(vals),
                (false, false) => ListCond::AllOf(vals).negate(),
                (true, true) => ListCond::AllOf(vals),
                (true, false) => ListCond::AnyOf(vals).negate(),
            });
        }
        parts.push(if is_all {
            ListCond::And(terms)
        } else {
            ListCond::Or(terms)
        });
    }
    f.list(
        field,
        &if and {
            ListCond::And(parts)
        } else {
            ListCond::Or(parts)
        },
    );
    Ok(())
}

/// A date from a request in the stored form (`%Y-%m-%dT%H:%M:%S%.6f+00:00`, UTC), so that
/// comparing the text compares the instants. Accepts ISO 8601 with `T` or a space, with or
/// without fractions and offset (none = UTC), or a bare date, as the real server's parser.
pub fn normalized_date(s: &str) -> Option<String> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
    let s = s.trim();
    let utc = if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        d.with_timezone(&Utc)
    } else if let Ok(d) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%:z") {
        d.with_timezone(&Utc)
    } else if let Some(d) = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s.trim_end_matches('Z'), f).ok())
    {
        d.and_utc()
    } else {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?
            .and_utc()
    };
    Some(utc.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string())
}

/// A range bound as stored: dates normalized, numeric strings as numbers for
/// `last_metrics.*` (the real server converts those), anything else as given.
fn range_value(field: &str, v: &Value) -> Value {
    match v.as_str() {
        Some(s) if field.starts_with("last_metrics.") => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| v.clone()),
        Some(s) => normalized_date(s)
            .map(Value::String)
            .unwrap_or_else(|| v.clone()),
        None => v.clone(),
    }
}

/// The real server's range query: exactly `[min, max]`, at least one not null; both ends
/// inclusive, and a null `min` also matches documents without the field.
fn add_range_filter(f: &mut SqlFilter, field: &str, v: &Value) -> Result<(), ApiError> {
    let Some([min, max]) = v.as_array().map(Vec::as_slice) else {
        return Err(ApiError::validation(format!(
            "Min and max values should be specified for range field {field}"
        )));
    };
    if min.is_null() && max.is_null() {
        return Err(ApiError::validation(format!(
            "At least one of min or max values should be provided for field {field}"
        )));
    }
    let (min, max) = (range_value(field, min), range_value(field, max));
    f.range(
        field,
        Some(&min).filter(|v| !v.is_null()),
        Some(&max).filter(|v| !v.is_null()),
    );
    Ok(())
}

/// The real server's date query: a two-element list without operators is a range;
/// otherwise each string is `[>=|>|<=|<]date` (no operator = equal) and all must hold;
/// strings that are no dates are skipped.
fn add_date_filter(f: &mut SqlFilter, field: &str, v: &Value) -> Result<(), ApiError> {
    let items = as_list(v);
    let has_op = |x: &Value| x.as_str().is_some_and(|s| s.starts_with(['<', '>']));
    if items.len() == 2 && !items.iter().any(has_op) {
        return add_range_filter(f, field, v);
    }
    for x in &items {
        let Some(s) = x.as_str() else { continue };
        let (op, rest) = [
            (">=", Cmp::Ge),
            ("<=", Cmp::Le),
            (">", Cmp::Gt),
            ("<", Cmp::Lt),
        ]
        .iter()
        .find_map(|(p, op)| s.strip_prefix(p).map(|r| (*op, r)))
        .unwrap_or((Cmp::Eq, s));
        if let Some(date) = normalized_date(rest) {
            f.compare(field, op, &Value::String(date));
        }
    }
    Ok(())
}

/// What one `_any_`/`_all_` entry matches: a regex pattern or a date condition.
pub enum MultiCond<'a> {
    Pattern(&'a str),
    Datetime(&'a Value),
}

/// One parsed `_any_`/`_all_` entry.
pub struct MultiField<'a> {
    pub fields: Vec<String>,
    pub cond: MultiCond<'a>,
}

/// Parse `{fields, pattern | datetime}` as the real server does: `fields` (a list of
/// strings) is required, exactly one of `pattern` and `datetime` must be given and no other
/// key is allowed; anything else is its `incorrect field format` 400/12.
pub fn multi_field_spec<'a>(key: &str, spec: &'a Value) -> Result<MultiField<'a>, ApiError> {
    let bad = || field_error("incorrect field format", key);
    let obj = spec.as_object().ok_or_else(bad)?;
    if obj
        .keys()
        .any(|k| !["fields", "pattern", "datetime"].contains(&k.as_str()))
    {
        return Err(bad());
    }
    let fields = match obj.get("fields") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(bad)?,
        Some(Value::Null) => Vec::new(),
        _ => return Err(bad()),
    };
    let given = |k: &str| obj.get(k).filter(|v| !v.is_null());
    let cond = match (given("pattern"), given("datetime")) {
        (Some(Value::String(p)), None) => MultiCond::Pattern(p),
        (None, Some(d)) if d.is_string() || d.is_array() => MultiCond::Datetime(d),
        _ => return Err(bad()),
    };
    Ok(MultiField { fields, cond })
}

/// `_any_` / `_all_`: one pattern or date condition over several fields.
fn add_multi_field_filters(f: &mut SqlFilter, obj: &Map<String, Value>) -> Result<(), ApiError> {
    for (key, all) in [("_any_", false), ("_all_", true)] {
        let Some(spec) = obj.get(key) else { continue };
        let spec = multi_field_spec(key, spec)?;
        if spec.fields.len() > MAX_FIELDS {
            return Err(too_many(&format!("{key} fields"), MAX_FIELDS));
        }
        for fl in &spec.fields {
            checked_field(fl)?;
        }
        match spec.cond {
            MultiCond::Pattern(p) => {
                regex_checked(p)?;
                // The real server matches `_any_`/`_all_` patterns ignoring case.
                f.regex(&spec.fields, &format!("(?i){p}"), all);
            }
            MultiCond::Datetime(d) => {
                // Only date fields take part (others are skipped, as on the real server);
                // each gets the whole condition and the fields combine by `_any_`/`_all_`.
                let mut alts = Vec::new();
                for field in spec
                    .fields
                    .iter()
                    .filter(|fl| DATETIME_FIELDS.contains(&fl.as_str()))
                {
                    let mut one = SqlFilter::default();
                    add_date_filter(&mut one, field, d)?;
                    alts.push(one);
                }
                f.alternatives(alts, all);
            }
        }
    }
    Ok(())
}

/// `filters`: per field, a typed condition (`add_filters_entry`).
fn add_filters_object(f: &mut SqlFilter, obj: &Map<String, Value>) -> Result<(), ApiError> {
    match obj.get("filters") {
        None | Some(Value::Null) => {}
        Some(Value::Object(filters)) => {
            for (field, spec) in filters {
                checked_field(field)?;
                add_filters_entry(f, field, spec)?;
            }
        }
        // The real server's FieldsValueError (400/16) for a `filters` that is no dict.
        Some(other) => {
            return Err(ApiError::new(
                400,
                16,
                format!("invalid value for fields: field={other}"),
            ));
        }
    }
    Ok(())
}

/// Translate the filter part of a get_all request into SQL. `hidden_aware` collections
/// (tasks, projects) skip system tag `hidden` unless `search_hidden`.
pub fn build_filter(body: &Value, hidden_aware: bool) -> Result<SqlFilter, ApiError> {
    let mut f = SqlFilter::default();
    let no_fields = Map::new();
    let obj = body.as_object().unwrap_or(&no_fields);
    if let Some(name) = obj.get("name").and_then(Value::as_str) {
        regex_checked(name)?;
        f.regex(&["name".to_string()], name, false);
    }
    for key in ["basename", "description"] {
        if let Some(p) = obj.get(key).and_then(Value::as_str) {
            regex_checked(p)?;
            f.regex(&[key.to_string()], p, false);
        }
    }
    if let Some(r) = obj.get("ready").and_then(Value::as_bool) {
        f.flag("ready", r);
    }
    if let Some(text) = obj
        .get("search_text")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        f.text_search(text);
    }
    add_multi_field_filters(&mut f, obj)?;
    add_filters_object(&mut f, obj)?;
    for (key, value) in obj {
        if NON_FILTER_KEYS.contains(&key.as_str()) || value.is_null() {
            continue;
        }
        checked_field(key)?;
        if DATETIME_FIELDS.contains(&key.as_str()) {
            add_date_filter(&mut f, key, value)?;
        } else if RANGE_FIELDS.contains(&key.as_str()) || key.starts_with("last_metrics.") {
            add_range_filter(&mut f, key, value)?;
        } else if LIST_FIELDS.contains(&key.as_str())
            || ARRAY_FIELDS.contains(&key.as_str())
            || key.contains('.')
        {
            add_list_filter(&mut f, key, value);
        }
    }
    let search_hidden = obj
        .get("search_hidden")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    // As on the real server, asking for explicit ids finds hidden entities too.
    let by_id = obj
        .get("id")
        .is_some_and(|v| !v.is_null() && v != &Value::Array(vec![]));
    if hidden_aware && !search_hidden && !by_id {
        add_list_filter(&mut f, "system_tags", &Value::String("-hidden".into()));
    }
    if f.len() > MAX_FILTER_TERMS {
        return Err(too_many("filter terms", MAX_FILTER_TERMS));
    }
    Ok(f)
}

/// Document fields whose values are user strings that often hold numbers: ordered with
/// digit runs compared as numbers (the real server's numeric collation for these prefixes).
const NUMERIC_ORDER_PREFIXES: &[&str] = &[
    "execution.parameters.",
    "hyperparams.",
    "last_metrics.",
    "metadata.",
];

/// The order from `order_by` (with `-` for descending); insertion order breaks ties.
/// As on the real server, documents whose first order field is empty (missing, null, "" or
/// []) come last whichever the direction.
pub fn build_order(body: &Value) -> Result<Order, ApiError> {
    let items = body.get("order_by").map(as_list).unwrap_or_default();
    if items.len() > MAX_FIELDS {
        return Err(too_many("order_by fields", MAX_FIELDS));
    }
    let mut order = Order::default().empties_last();
    for item in items {
        let Some(s) = item.as_str() else { continue };
        if s.is_empty() || s.starts_with('@') || s.starts_with('$') {
            continue;
        }
        let (field, desc) = match s.strip_prefix('-') {
            Some(f) => (f, true),
            None => (s.strip_prefix('+').unwrap_or(s), false),
        };
        let field = checked_field(field)?;
        order = if NUMERIC_ORDER_PREFIXES.iter().any(|p| field.starts_with(p)) {
            order.then_natural(field, desc)
        } else {
            order.then(field, desc)
        };
    }
    Ok(order)
}

/// Paging: (limit, offset) from page/page_size, as the real server validates them: a
/// negative page or a page_size below 1 is a 400/12; a missing page_size is the cap (so
/// `page: 1` alone skips the first 500 rows), a missing page is 0.
pub fn build_paging(body: &Value) -> Result<(usize, usize), ApiError> {
    let page = body.get("page").and_then(Value::as_i64).unwrap_or(0);
    if page < 0 {
        return Err(field_error("page must be >=0", "page"));
    }
    let page_size = body
        .get("page_size")
        .and_then(Value::as_i64)
        .unwrap_or(MAX_PAGE_SIZE as i64);
    if page_size < 1 {
        return Err(field_error("page_size must be >0", "page_size"));
    }
    let size = (page_size as usize).min(MAX_PAGE_SIZE);
    Ok((size, (page as usize).saturating_mul(size)))
}

/// The real server's `ValidationError(msg, field=..)`: 400/12 naming the field.
fn field_error(msg: &str, field: &str) -> ApiError {
    let mut e = ApiError::validation(msg);
    e.msg.push_str(&format!(": field={field}"));
    e
}

/// Is this a scroll request (`scroll_id` key present, even null, with a `size`)?
pub fn scroll_size(body: &Value) -> Result<Option<usize>, ApiError> {
    let Some(obj) = body.as_object() else {
        return Ok(None);
    };
    if !obj.contains_key("scroll_id") && !obj.get("refresh_scroll").is_some_and(|v| v == true) {
        return Ok(None);
    }
    match obj.get("size") {
        Some(Value::Number(n)) => match n.as_i64() {
            Some(s) if s >= 1 => Ok(Some((s as usize).min(MAX_PAGE_SIZE * 20))),
            _ => Err(ApiError::validation("size must be at least 1")),
        },
        _ => {
            if obj.contains_key("page_size") {
                let (l, _) = build_paging(body)?;
                Ok(Some(l))
            } else {
                Ok(Some(MAX_PAGE_SIZE))
            }
        }
    }
}

/// The `only_fields` list (empty = whole document). Names with a NUL are dropped: they
/// name no field (`checked_only_fields` refuses them where a request is answered).
pub fn only_fields(body: &Value) -> Vec<String> {
    body.get("only_fields")
        .map(as_list)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .filter(|f| !f.contains('\0'))
        .collect()
}

/// `only_fields`, refusing (400) a name with a NUL in it.
pub fn checked_only_fields(body: &Value) -> Result<Vec<String>, ApiError> {
    for v in body.get("only_fields").map(as_list).unwrap_or_default() {
        if let Some(f) = v.as_str() {
            checked_field(f)?;
        }
    }
    Ok(only_fields(body))
}

/// Project a document onto dotted paths; `-path` excludes; `id` is always kept.
pub fn project(doc: &Value, fields: &[String]) -> Value {
    if fields.is_empty() {
        return doc.clone();
    }
    let includes: Vec<&String> = fields.iter().filter(|f| !f.starts_with('-')).collect();
    let mut out = if includes.is_empty() {
        doc.clone()
    } else {
        let mut o = Value::Object(Map::new());
        copy_path(doc, &mut o, "id");
        for f in &includes {
            copy_path(doc, &mut o, f);
        }
        o
    };
    for f in fields.iter().filter_map(|f| f.strip_prefix('-')) {
        remove_path(&mut out, f);
    }
    out
}

/// [`project`] of a document that is not needed afterwards: top-level fields are moved
/// out of it instead of copied (a listing of 500 tasks copied every value it answered).
/// The answer is the same, key order included: `id`, then the fields as named.
pub fn project_owned(doc: Value, fields: &[String]) -> Value {
    let top_level_only = fields
        .iter()
        .all(|f| !f.starts_with('-') && !f.contains('.') && !f.contains("%2E"));
    let Value::Object(mut src) = doc else {
        return project(&doc, fields);
    };
    if fields.is_empty() || !top_level_only {
        return project(&Value::Object(src), fields);
    }
    let mut out = Map::with_capacity(fields.len() + 1);
    for f in std::iter::once("id").chain(fields.iter().map(String::as_str)) {
        if let Some(v) = src.swap_remove(f) {
            out.insert(f.to_string(), v);
        }
    }
    Value::Object(out)
}

/// The top-level document fields `project(doc, fields)` reads: `None` when it needs the
/// whole document (no fields named, or only exclusions).
pub fn projected_keys(fields: &[String]) -> Option<Vec<String>> {
    let includes: Vec<&String> = fields.iter().filter(|f| !f.starts_with('-')).collect();
    if includes.is_empty() {
        return None;
    }
    let mut keys = vec!["id".to_string()];
    for f in includes {
        let top = path_parts(f).swap_remove(0).into_owned();
        if !keys.contains(&top) {
            keys.push(top);
        }
    }
    Some(keys)
}

/// Copy one dotted path. Like a MongoDB projection, parents that exist as objects are
/// kept (empty) even when the leaf is missing: `runtime.version` on `{runtime: {}}` gives
/// `{runtime: {}}`, which clients rely on (the SDK reads `task.runtime.get(...)`).
fn copy_path(src: &Value, dst: &mut Value, path: &str) {
    let parts = path_parts(path);
    let (mut s, mut d) = (src, dst);
    for (i, p) in parts.iter().enumerate() {
        let Some(v) = s.get(p.as_ref()) else { return };
        let Value::Object(out) = d else { return };
        if i == parts.len() - 1 || !v.is_object() {
            if i == parts.len() - 1 {
                out.insert(p.to_string(), v.clone());
            }
            return;
        }
        s = v;
        d = out
            .entry(p.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}

/// The parts of a dotted path; `%2E` in a part is a literal dot (the real server's
/// ParameterKeyEscaper: a hyperparameter named `lr.base` is `hyperparams.Args.lr%2Ebase`).
fn path_parts(path: &str) -> Vec<Cow<'_, str>> {
    path.split('.')
        .map(|p| {
            if p.contains("%2E") {
                Cow::Owned(p.replace("%2E", "."))
            } else {
                Cow::Borrowed(p)
            }
        })
        .collect()
}

fn remove_path(v: &mut Value, path: &str) {
    let parts = path_parts(path);
    let mut cur = v;
    for (i, p) in parts.iter().enumerate() {
        let Value::Object(m) = cur else { return };
        if i == parts.len() - 1 {
            m.remove(p.as_ref());
            return;
        }
        match m.get_mut(p.as_ref()) {
            Some(next) => cur = next,
            None => return,
        }
    }
}

#[cfg(test)]
mod tests;
