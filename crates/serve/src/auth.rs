//! Credentials (key pairs) and HS256 JWT tokens, as the real server issues them.

use super::envelope::ApiError;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use clearml_wire::{API_VERSION, Identity, SERVER_VERSION, TokenClaims};
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

/// Token lifetime: the real server's default (30 days).
pub const DEFAULT_EXPIRATION_SEC: i64 = 2_592_000;
/// Longest lifetime a client may ask for (1 year).
pub const MAX_EXPIRATION_SEC: i64 = 31_536_000;

pub const USER_ID: &str = "__clearml_serve__";
pub const USER_NAME: &str = "Default User";
pub const COMPANY_NAME: &str = "clearml";

/// An access key the way the real server makes it: 30 chars of [A-Z0-9].
pub fn new_access_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::thread_rng();
    (0..30)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A secret key: URL-safe base64 of 50 random bytes (padding stripped).
pub fn new_secret_key() -> String {
    let mut bytes = [0u8; 50];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    URL_SAFE.encode(bytes).trim_end_matches('=').to_string()
}

/// A token's claims: the real server's, plus the access key the token was issued for, so
/// that revoking that key ends the token (checked on every use against the live keys).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ServeClaims {
    #[serde(flatten)]
    pub claims: TokenClaims,
    /// Tokens issued before keys were recorded have none, and no longer verify.
    #[serde(default)]
    pub key: String,
    /// Random: two tokens issued in the same second differ, so a logout ends only its own.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub jti: String,
}

/// Signs and verifies tokens with the server's own secret (kept in the data dir so tokens
/// survive restarts).
#[derive(Clone)]
pub struct TokenSigner {
    secret: Vec<u8>,
    pub company: String,
}

impl TokenSigner {
    pub fn new(secret: Vec<u8>, company: String) -> Self {
        TokenSigner { secret, company }
    }

    pub fn identity(&self) -> Identity {
        Identity {
            user: USER_ID.into(),
            company: self.company.clone(),
            role: "admin".into(),
            user_name: USER_NAME.into(),
            company_name: COMPANY_NAME.into(),
        }
    }

    fn mac(&self) -> Hmac<Sha256> {
        Hmac::<Sha256>::new_from_slice(&self.secret).expect("hmac accepts any key length")
    }

    /// A token for a caller who authenticated with `access_key`.
    pub fn issue(&self, expiration_sec: i64, access_key: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = TokenClaims {
            identity: self.identity(),
            iat: now,
            exp: now + expiration_sec,
            api_version: API_VERSION.into(),
            server_version: SERVER_VERSION.into(),
            feature_set: "basic".into(),
            env: "<unknown>".into(),
        };
        let mut jti = [0u8; 8];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut jti);
        let claims = ServeClaims {
            claims,
            key: access_key.to_string(),
            jti: hex::encode(jti),
        };
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("claims serialize"));
        let signing_input = format!("{header}.{payload}");
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{sig}")
    }

    /// Verify signature and expiry; returns the claims (whether the key is still live is
    /// `AppState::verify_token`'s business).
    pub fn verify(&self, token: &str) -> Result<ServeClaims, ApiError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ApiError::invalid_token("malformed token"));
        };
        let sig = URL_SAFE_NO_PAD
            .decode(s.trim_end_matches('='))
            .map_err(|_| ApiError::invalid_token("malformed signature"))?;
        let mut mac = self.mac();
        mac.update(format!("{h}.{p}").as_bytes());
        mac.verify_slice(&sig)
            .map_err(|_| ApiError::invalid_token("signature verification failed"))?;
        let payload = URL_SAFE_NO_PAD
            .decode(p.trim_end_matches('='))
            .map_err(|_| ApiError::invalid_token("malformed payload"))?;
        let claims: ServeClaims = serde_json::from_slice(&payload)
            .map_err(|_| ApiError::invalid_token("malformed payload"))?;
        if claims.claims.exp <= chrono::Utc::now().timestamp() {
            return Err(ApiError::invalid_token("token expired"));
        }
        Ok(claims)
    }
}

/// The credentials part of an `Authorization` header.
pub enum AuthHeader {
    Basic {
        access_key: String,
        secret_key: String,
    },
    Bearer(String),
}

pub fn parse_authorization(value: &str) -> Result<AuthHeader, ApiError> {
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => {
            let decoded = STANDARD
                .decode(rest.trim())
                .map_err(|_| ApiError::bad_auth_header())?;
            let text = String::from_utf8(decoded).map_err(|_| ApiError::bad_auth_header())?;
            let (k, s) = text.split_once(':').ok_or_else(ApiError::bad_auth_header)?;
            Ok(AuthHeader::Basic {
                access_key: k.to_string(),
                secret_key: s.to_string(),
            })
        }
        "bearer" => Ok(AuthHeader::Bearer(rest.trim().to_string())),
        _ => Err(ApiError::new(
            401,
            10,
            "Unauthorized (unsupported authentication scheme)",
        )),
    }
}

/// The session cookie: the real server's `session_auth_cookie_name`. Its `auth.login`
/// sets it, its web app sends it, and a request without an `Authorization` header is
/// authenticated by the token in it.
pub const SESSION_COOKIE: &str = "clearml_token_basic";

/// The cookie's `Max-Age` in the real server's default `apiserver.auth.cookies` settings
/// (about 3170 years: the token's own expiry is what ends a session).
const SESSION_COOKIE_MAX_AGE: i64 = 99_999_999_999;

/// `Set-Cookie` for a session holding `token`, attribute for attribute as the real
/// server's `auth.login` answer has it (quirks/api-auth-login.json): an `Expires` matching
/// `Max-Age` (as werkzeug adds), HttpOnly, the whole site, SameSite=Lax.
pub fn session_cookie(token: &str) -> String {
    let expires = chrono::Utc::now()
        .checked_add_signed(chrono::Duration::seconds(SESSION_COOKIE_MAX_AGE))
        .map(|t| t.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_else(|| "Fri, 31 Dec 9999 23:59:59 GMT".into());
    format!(
        "{SESSION_COOKIE}={token}; Expires={expires}; Max-Age={SESSION_COOKIE_MAX_AGE}; HttpOnly; Path=/; SameSite=Lax"
    )
}

/// `Set-Cookie` that removes the session cookie (the real `auth.logout`: empty value,
/// expired at the epoch, `Max-Age=0`, the same other attributes).
pub fn cleared_session_cookie() -> String {
    format!(
        "{SESSION_COOKIE}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/; SameSite=Lax"
    )
}

/// The token in the request's session cookie, over every `Cookie` header (a client may
/// send several), as the real server's cookie parsing finds it.
pub fn session_cookie_token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k.trim() == SESSION_COOKIE && !v.trim().is_empty()).then(|| v.trim().to_string())
        })
}

/// Constant-time comparison for secrets.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_the_real_shape() {
        let k = new_access_key();
        assert_eq!(k.len(), 30);
        assert!(
            k.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        );
        let s = new_secret_key();
        assert!(s.len() >= 66, "{s}");
        assert!(
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn session_cookie_has_the_real_attributes() {
        let c = session_cookie("T");
        assert!(c.starts_with("clearml_token_basic=T; Expires="), "{c}");
        assert!(
            c.ends_with(" GMT; Max-Age=99999999999; HttpOnly; Path=/; SameSite=Lax"),
            "{c}"
        );
        let mut h = axum::http::HeaderMap::new();
        h.append(axum::http::header::COOKIE, "a=1".parse().unwrap());
        h.append(
            axum::http::header::COOKIE,
            "b=2; clearml_token_basic=X.Y.Z".parse().unwrap(),
        );
        assert_eq!(session_cookie_token(&h).as_deref(), Some("X.Y.Z"));
    }

    #[test]
    fn tokens_verify_and_tampering_is_refused() {
        let signer = TokenSigner::new(b"k".to_vec(), "c".into());
        let t = signer.issue(60, "AK");
        let claims = signer.verify(&t).unwrap();
        assert_eq!(claims.claims.api_version, API_VERSION);
        assert_eq!(claims.claims.feature_set, "basic");
        assert_eq!(claims.key, "AK");
        let other = TokenSigner::new(b"other".to_vec(), "c".into());
        assert_eq!(other.verify(&t).unwrap_err().subcode, 30);
        let expired = signer.issue(-5, "AK");
        assert_eq!(signer.verify(&expired).unwrap_err().subcode, 30);
    }
}
