//! `auth.*`: login (token), token validation, and key pairs.

use super::super::Call;
use super::super::auth::{
    DEFAULT_EXPIRATION_SEC, MAX_EXPIRATION_SEC, new_access_key, new_secret_key, session_cookie,
};
use super::super::envelope::{ApiError, ApiResult};
use super::{now, req_str};
use serde_json::{Value, json};

pub fn dispatch(call: &mut Call, action: &str) -> Option<ApiResult> {
    Some(match action {
        "login" => login(call),
        "validate_token" => {
            let token = req_str(&call.body, "token");
            match token {
                Ok(t) => match call.state.verify_token(&t) {
                    Ok(c) => Ok(
                        json!({"valid": true, "user": c.claims.identity.user, "company": c.claims.identity.company}),
                    ),
                    Err(e) => Ok(json!({"valid": false, "msg": e.msg})),
                },
                Err(e) => Err(e),
            }
        }
        "create_credentials" => create_credentials(call),
        "get_credentials" => get_credentials(call),
        "revoke_credentials" => revoke_credentials(call),
        "edit_credentials" => edit_credentials(call),
        _ => return None,
    })
}

fn login(call: &mut Call) -> ApiResult {
    let exp = match call.body.get("expiration_sec") {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(DEFAULT_EXPIRATION_SEC),
        _ => DEFAULT_EXPIRATION_SEC,
    };
    if exp <= 0 || exp > MAX_EXPIRATION_SEC {
        return Err(ApiError::validation(format!(
            "expiration_sec must be between 1 and {MAX_EXPIRATION_SEC}"
        )));
    }
    let key = call
        .access_key
        .as_deref()
        .ok_or_else(ApiError::missing_credentials)?;
    let token = call.state.signer.issue(exp, key);
    // As the real server records it on the key pair: when it last logged in.
    if key != call.state.credentials.primary.access_key {
        call.store.touch_key_pair(key, &now())?;
    }
    // The real auth.login also hands the token to a browser as the session cookie.
    call.set_cookie = Some(session_cookie(&token));
    Ok(json!({"token": token}))
}

/// Longest label kept: the web UI's field is one short line.
const MAX_LABEL_CHARS: usize = 1024;

/// `label` as the schema has it: a string, if given (a number or an object is refused,
/// not dropped).
fn label_of(body: &Value) -> Result<Option<String>, ApiError> {
    match body.get("label") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() > MAX_LABEL_CHARS => Err(ApiError::validation(
            format!("label is longer than {MAX_LABEL_CHARS} characters"),
        )),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::validation("label must be a string")),
    }
}

fn create_credentials(call: &Call) -> ApiResult {
    let label = label_of(&call.body)?;
    let access_key = new_access_key();
    let secret_key = new_secret_key();
    call.store
        .insert_key_pair(&access_key, &secret_key, label.as_deref(), &now())?;
    call.state.credentials.add(&access_key, &secret_key);
    Ok(json!({"credentials": {"access_key": access_key, "secret_key": secret_key, "label": label}}))
}

fn get_credentials(call: &Call) -> ApiResult {
    let mut list = vec![
        json!({"access_key": call.state.credentials.primary.access_key, "label": "clearml server serve"}),
    ];
    for k in call.store.list_keys()? {
        list.push(json!({
            "access_key": k.access_key, "label": k.label,
            "last_used": k.last_used, "created": k.created,
        }));
    }
    Ok(json!({"credentials": list}))
}

fn revoke_credentials(call: &Call) -> ApiResult {
    let key = req_str(&call.body, "access_key").or_else(|_| req_str(&call.body, "key_id"))?;
    if key == call.state.credentials.primary.access_key {
        return Err(ApiError::new(
            400,
            12,
            "Validation error (the server's primary key pair cannot be revoked; restart with other CLEARML_API_* keys instead)",
        ));
    }
    let n = call.store.delete_key_pair(&key)?;
    // Its tokens end with it: every token use checks its key against the live ones.
    call.state.credentials.remove(&key);
    if n == 0 {
        return Err(ApiError::new(
            400,
            10,
            format!("Invalid id (access key not found): access_key={key}"),
        ));
    }
    Ok(json!({"revoked": n}))
}

fn edit_credentials(call: &Call) -> ApiResult {
    let key = req_str(&call.body, "access_key")?;
    let label = label_of(&call.body)?;
    let n = call.store.set_key_label(&key, label.as_deref())?;
    Ok(json!({"updated": n}))
}
