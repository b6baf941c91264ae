//! `debug.*`, `server.*`, `users.*`, `login.*`.

use super::super::Call;
use super::super::auth::{USER_ID, USER_NAME};
use super::super::envelope::{ApiError, ApiResult};
use super::super::query;
use clearml_wire::{API_VERSION, SERVER_VERSION};
use serde_json::{Value, json};

pub fn dispatch(call: &mut Call, service: &str, action: &str) -> Option<ApiResult> {
    Some(match (service, action) {
        ("debug", "ping") => {
            let mut data = json!({"msg": "ClearML server"});
            if let (Some(d), Some(b)) = (data.as_object_mut(), call.body.as_object()) {
                for (k, v) in b {
                    d.entry(k.clone()).or_insert(v.clone());
                }
            }
            Ok(data)
        }
        ("server", "info") => Ok(json!({
            "version": SERVER_VERSION, "build": "clearml-serve", "commit": "",
            "api_version": API_VERSION,
        })),
        ("server", "report_stats_option") => Ok(json!({"supported": false, "enabled": false})),
        ("server", "get_stats") | ("server", "config") => Ok(json!({})),
        ("server", "endpoints") => Ok(super::super::endpoints::listing()),
        ("login", "supported_modes") => Ok(json!({
            "authenticated": false,
            "basic": {"enabled": false, "guest": {"enabled": false}},
            "server_errors": {"missed_es_upgrade": false, "es_connection_error": false},
            "sso": {}, "sso_providers": [],
        })),
        ("users", "get_current_user") => Ok(json!({
            "user": user_doc(call),
            "getting_started": {},
            "settings": {"max_download_items": 1000},
        })),
        ("users", "get_by_id") => Ok(json!({"user": user_doc(call)})),
        ("users", "get_all") | ("users", "get_all_ex") => users_get_all(call),
        ("users", "update") => users_update(call),
        // The real logouts clear the browser's session cookie; ours also end the token
        // that called, so a copy of it (another tab, a leaked cookie) stops working.
        ("auth", "logout") | ("login", "logout") => logout(call),
        // Users are not fixed in a config file (the real server's fixed-users mode).
        ("auth", "fixed_users_mode") => Ok(json!({
            "enabled": false,
            "server_errors": {"missed_es_upgrade": false, "es_connection_error": false},
        })),
        ("users", "get_preferences") => Ok(json!({"preferences": {}})),
        ("users", "set_preferences") => Ok(json!({"updated": 1, "fields": {}})),
        _ => return None,
    })
}

/// The real logouts clear the browser's session cookie; ours also end the token that
/// called, so a copy of it (another tab, a leaked cookie) stops working.
fn logout(call: &mut Call) -> ApiResult {
    if let Some(token) = call.token.clone() {
        call.state
            .revoke_token(call.store, &token)
            .map_err(ApiError::internal)?;
    }
    call.set_cookie = Some(crate::auth::cleared_session_cookie());
    Ok(json!({}))
}

/// The one user there is, if it passes the `id` and `name` (regex, searched) filters the
/// way the real server applies them: clients resolve a user name to an id through this, so
/// a filter that matches nobody must answer an empty list.
fn users_get_all(call: &Call) -> ApiResult {
    let body = &call.body;
    let user = user_doc(call);
    let id_ok = match &body["id"] {
        Value::Null => true,
        Value::String(id) => id == USER_ID,
        Value::Array(ids) => ids.is_empty() || ids.iter().any(|i| i == USER_ID),
        _ => false,
    };
    let name_ok = match body["name"].as_str().filter(|n| !n.is_empty()) {
        None => true,
        Some(pattern) => query::regex_checked(pattern)?.is_match(USER_NAME),
    };
    let users: Vec<Value> = if id_ok && name_ok {
        vec![query::project(&user, &query::only_fields(body))]
    } else {
        vec![]
    };
    Ok(json!({ "users": users }))
}

fn user_doc(call: &Call) -> Value {
    let mut doc = json!({
        "id": USER_ID, "name": USER_NAME, "given_name": "Default", "family_name": "User",
        "company": {"id": call.identity.company, "name": call.identity.company_name},
        "role": "admin", "email": "", "avatar": "", "created": "",
        "preferences": {},
    });
    if let Some(Value::Object(changed)) = stored_user_fields(call) {
        for (k, v) in changed {
            doc[k.as_str()] = v;
        }
    }
    doc
}

/// The meta key holding what `users.update` changed of the one user.
const USER_FIELDS_KEY: &str = "user_fields";
/// What `users.update` may change (the schema's fields; the id and company are fixed).
const USER_UPDATABLE: &[&str] = &["name", "given_name", "family_name", "avatar"];

fn stored_user_fields(call: &Call) -> Option<Value> {
    let text = call.store.meta_get(USER_FIELDS_KEY).ok()??;
    serde_json::from_str(&text).ok()
}

/// `users.update` of the one user (any other id: 400/301, as for an unknown user).
fn users_update(call: &mut Call) -> ApiResult {
    let id = super::req_str(&call.body, "user")?;
    if id != USER_ID {
        return Err(ApiError::new(400, 301, format!("Invalid user id: id={id}")));
    }
    let mut stored = stored_user_fields(call).unwrap_or_else(|| json!({}));
    let mut fields = serde_json::Map::new();
    for f in USER_UPDATABLE {
        match call.body.get(*f) {
            None | Some(Value::Null) => {}
            Some(Value::String(v)) => {
                fields.insert(f.to_string(), json!(v));
                stored[*f] = json!(v);
            }
            Some(other) => {
                return Err(ApiError::validation(format!(
                    "{f}={other}: must be a string"
                )));
            }
        }
    }
    if fields.is_empty() {
        return Ok(json!({"updated": 0, "fields": {}}));
    }
    call.store.meta_set(USER_FIELDS_KEY, &stored.to_string())?;
    Ok(json!({"updated": 1, "fields": fields}))
}
