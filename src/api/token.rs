//! The JWT the server issues: decoded (never verified) to learn expiry and API level.

use base64::Engine;

use super::error::ApiError;
use crate::wire::TokenClaims;

#[derive(Debug, Clone)]
pub struct Token {
    pub jwt: String,
    pub claims: TokenClaims,
}

impl Token {
    pub fn from_jwt(jwt: &str, endpoint: &str) -> Result<Token, ApiError> {
        let claims = decode_claims(jwt).ok_or_else(|| ApiError::Decode {
            endpoint: endpoint.to_string(),
            detail: "the token is not a JWT with identity/iat/exp claims".into(),
        })?;
        Ok(Token {
            jwt: jwt.to_string(),
            claims,
        })
    }
}

/// The claims of a JWT, without checking its signature (clients cannot: the key is the
/// server's). Accepts padded or unpadded base64url.
pub fn decode_claims(jwt: &str) -> Option<TokenClaims> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_server_token_decodes() {
        let path = "/work/shared/reference/real-server-responses/auth.login.json";
        let Ok(text) = std::fs::read_to_string(path) else {
            // The reference corpus is outside the repo; the synthetic test below still runs.
            return;
        };
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let claims = decode_claims(v["data"]["token"].as_str().unwrap()).unwrap();
        assert_eq!(claims.api_version, "2.31");
        assert_eq!(claims.server_version, "2.0.0");
        assert_eq!(claims.identity.user, "__tests__");
        assert!(claims.exp > claims.iat);
    }

    #[test]
    fn synthetic_token_decodes_and_garbage_does_not() {
        let body =
            r#"{"identity":{"user":"u","company":"c"},"iat":1,"exp":2,"api_version":"2.23"}"#;
        let jwt = format!(
            "h.{}.sig",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(body)
        );
        let claims = decode_claims(&jwt).unwrap();
        assert_eq!((claims.iat, claims.exp), (1, 2));
        assert_eq!(claims.api_version, "2.23");
        assert!(decode_claims("not-a-jwt").is_none());
        assert!(decode_claims("a.!!!.c").is_none());
    }
}
