//! The JWT the server issues: decoded (never verified) to learn expiry and API level.

use base64::Engine;

use super::error::ApiError;
use clearml_wire::TokenClaims;

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

    /// The claims layout clearml-server 2.0 puts in its tokens (every field it sends, with
    /// made-up values), so decoding is checked against the real shape without depending on
    /// a reference file outside the repository.
    #[test]
    fn a_token_shaped_like_the_real_servers_decodes() {
        let body = r#"{"iat":1700000000,"session_id":"0a1b","auth_type":"Bearer","env":"<unknown>",
            "exp":1702592000,"identity":{"user_name":"someone","user":"u-1","company_name":"acme",
            "company":"c-1","role":"user"},"api_version":"2.31","server_version":"2.0.0",
            "server_build":"","feature_set":"basic"}"#;
        let jwt = format!(
            "eyJhbGciOiJIUzI1NiJ9.{}.c2ln",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(body)
        );
        let claims = decode_claims(&jwt).unwrap();
        assert_eq!(claims.api_version, "2.31");
        assert_eq!(claims.server_version, "2.0.0");
        assert_eq!(claims.identity.user, "u-1");
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
