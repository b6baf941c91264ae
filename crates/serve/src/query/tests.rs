use super::*;
use serde_json::json;

#[test]
fn projection_keeps_dotted_paths_and_id() {
    let doc = json!({"id": "a", "name": "n", "execution": {"queue": "q", "x": 1}, "z": 2});
    let p = project(&doc, &["execution.queue".into(), "name".into()]);
    assert_eq!(
        p,
        json!({"id": "a", "execution": {"queue": "q"}, "name": "n"})
    );
    let p = project(
        &json!({"id": "b", "runtime": {}}),
        &["runtime.version".into()],
    );
    assert_eq!(p, json!({"id": "b", "runtime": {}}));
    let p = project(&doc, &["-z".into()]);
    assert_eq!(
        p,
        json!({"id": "a", "name": "n", "execution": {"queue": "q", "x": 1}})
    );
}

#[test]
fn python_style_regexes_the_sdk_sends_compile() {
    // re.escape output (escaped space, '-', '#', '&', '~') and empty alternation.
    for p in [
        r"^my\ project\-x\#1\&\~$",
        r"^ref-pipe(| #\d+)$",
        r"^step\-prepare$",
    ] {
        regex_checked(p).unwrap();
    }
    assert!(
        regex::Regex::new(r"^my\ project$")
            .unwrap()
            .is_match("my project")
    );
}

#[test]
fn paging_caps_at_500_and_validates_like_the_real_server() {
    assert_eq!(build_paging(&json!({})).unwrap(), (500, 0));
    assert_eq!(
        build_paging(&json!({"page": 2, "page_size": 1000})).unwrap(),
        (500, 1000)
    );
    // A page without page_size pages by the cap (recorded: page 1 of 5 rows is empty).
    assert_eq!(build_paging(&json!({"page": 1})).unwrap(), (500, 500));
    assert_eq!(build_paging(&json!({"page_size": 2})).unwrap(), (2, 0));
    for bad in [json!({"page_size": 0}), json!({"page": -1, "page_size": 2})] {
        let e = build_paging(&bad).unwrap_err();
        assert_eq!((e.code, e.subcode), (400, 12), "{bad}");
    }
    assert_eq!(
        build_paging(&json!({"page": 0, "page_size": 0}))
            .unwrap_err()
            .msg,
        "Validation error (page_size must be >0): field=page_size"
    );
}

/// SQLite refuses expressions about a thousand deep: lists of any length must still work.
#[test]
fn list_filters_of_thousands_of_values_work() {
    use super::super::store::{Coll, Store};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.sqlite")).unwrap();
    let ids: Vec<String> = (0..1500).map(|i| format!("{i:032x}")).collect();
    for (i, id) in ids.iter().enumerate().take(1200) {
        let tags = if i % 2 == 0 {
            json!(["even", "x"])
        } else {
            json!(["odd"])
        };
        store
            .put(Coll::Tasks, &json!({"id": id, "name": "n", "tags": tags}))
            .unwrap();
    }
    let count = |body: Value| store.count(Coll::Tasks, &build_filter(&body, false).unwrap());
    assert_eq!(count(json!({"id": ids})).unwrap(), 1200);
    let many_tags: Vec<String> = (0..1500).map(|i| format!("t{i}")).collect();
    let mut with_even = many_tags.clone();
    with_even.push("even".into());
    assert_eq!(count(json!({"tags": with_even})).unwrap(), 600);
    let excluded: Vec<String> = many_tags.iter().map(|t| format!("-{t}")).collect();
    assert_eq!(count(json!({"tags": excluded})).unwrap(), 1200);
    let mut excluded_even = excluded.clone();
    excluded_even.push("-even".into());
    assert_eq!(count(json!({"tags": excluded_even})).unwrap(), 600);
    // __$all: every listed tag present.
    assert_eq!(
        count(json!({"tags": ["__$all", "even", "x"]})).unwrap(),
        600
    );
    assert_eq!(
        count(json!({"tags": ["__$all", "even", "odd"]})).unwrap(),
        0
    );
    // A scalar field missing from every document matches no `all` list.
    assert_eq!(count(json!({"parent": ["__$all", "p1", "p2"]})).unwrap(), 0);
    // null = missing or empty.
    assert_eq!(count(json!({"parent": [null]})).unwrap(), 1200);
    assert_eq!(count(json!({"parent": [null, "p"]})).unwrap(), 1200);
}

#[test]
fn nul_in_field_names_is_a_validation_error() {
    for body in [
        json!({"filters": {"a\0b": {"any": {"include": ["x"]}}}}),
        json!({"_any_": {"pattern": "x", "fields": ["a\0"]}}),
        json!({"a.b\0": "x"}),
    ] {
        let e = build_filter(&body, false).unwrap_err();
        assert_eq!((e.code, e.subcode), (400, 12), "{body}");
        assert!(!e.msg.contains("SELECT"), "{}", e.msg);
    }
    assert_eq!(
        build_order(&json!({"order_by": ["x\0"]})).unwrap_err().code,
        400
    );
    assert_eq!(
        checked_only_fields(&json!({"only_fields": ["x\0"]}))
            .unwrap_err()
            .code,
        400
    );
}

#[test]
fn request_dates_become_the_stored_utc_form() {
    let want = "2024-03-01T10:20:30.000000+00:00";
    for given in [
        "2024-03-01T10:20:30",
        "2024-03-01 10:20:30",
        "2024-03-01T10:20:30Z",
        "2024-03-01T12:20:30+02:00",
        "2024-03-01 10:20:30.000000",
    ] {
        assert_eq!(normalized_date(given).as_deref(), Some(want), "{given}");
    }
    assert_eq!(
        normalized_date("2024-03-01").as_deref(),
        Some("2024-03-01T00:00:00.000000+00:00")
    );
    assert_eq!(normalized_date("kein Datum"), None);
}

#[test]
fn order_by_descending_and_tie_breaker() {
    assert_eq!(
        build_order(&json!({"order_by": ["-created", "name"]}))
            .unwrap()
            .sql(),
        "(created IS NULL OR created = '' OR created = '[]') ASC, created DESC, name ASC, rid ASC"
    );
}

#[test]
fn owned_projection_answers_the_same_text_as_the_copying_one() {
    let doc = json!({
        "name": "Задача-任务", "id": "t1", "project": "p1", "tags": ["ä", "中"],
        "hyperparams": {"Args": {"lr.base": {"value": "0.1"}}}, "status": "created",
        "runtime": {}, "user": "u1"
    });
    let cases: &[&[&str]] = &[
        &[],
        &["name", "id", "status"],
        &["status", "name", "status", "missing"],
        &["project", "user", "tags", "runtime"],
        &["name", "runtime.version"],
        &["hyperparams.Args.lr%2Ebase", "name"],
        &["-tags", "-runtime"],
        &["name", "-name"],
        &["id"],
    ];
    for fields in cases {
        let fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        let copied = project(&doc, &fields).to_string();
        let moved = project_owned(doc.clone(), &fields).to_string();
        assert_eq!(moved, copied, "{fields:?}");
    }
    // Something other than an object is projected as before.
    let fields = ["a".to_string()];
    assert_eq!(
        project_owned(json!([1, 2]), &fields),
        project(&json!([1, 2]), &fields)
    );
}
