//! Passwords in URLs (`http://user:PW@host`) never reach a message, a log line or a listing.
//!
//! Done on text rather than through `Url::parse`, so anything else in the text stays
//! byte-for-byte as it was (no normalisation of the host or path, no failure on a URL the
//! parser rejects) and a URL inside a longer message (a reqwest error) is found too.

/// What a password is replaced with.
pub const MASK: &str = "***";

/// `text` with the password of every `scheme://user:password@host` in it replaced by `***`.
pub fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        // The authority ends at the first '/', '?', '#' or whitespace (or quote, in prose).
        let end = tail
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | '<' | '>') || c.is_whitespace()
            })
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(userinfo_end) => {
                let userinfo = &authority[..userinfo_end];
                match userinfo.split_once(':') {
                    Some((user, _password)) => {
                        out.push_str(user);
                        out.push(':');
                        out.push_str(MASK);
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[userinfo_end..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked_and_everything_else_kept() {
        assert_eq!(
            redact_urls("http://u:PW@host:8008/v2.23/x?y=1"),
            "http://u:***@host:8008/v2.23/x?y=1"
        );
        assert_eq!(
            redact_urls("cannot reach https://me:p%40ss:w@h (timed out); see http://h2"),
            "cannot reach https://me:***@h (timed out); see http://h2"
        );
        // a user without a password, and no URL at all, are left alone
        assert_eq!(redact_urls("http://user@h/x"), "http://user@h/x");
        assert_eq!(redact_urls("a:b@c and ://"), "a:b@c and ://");
        // an '@' in the path is not userinfo
        assert_eq!(redact_urls("http://h/a:b@c"), "http://h/a:b@c");
        // non-ASCII around the URL survives
        assert_eq!(
            redact_urls("Сервер http://ü:пароль@хост недоступен"),
            "Сервер http://ü:***@хост недоступен"
        );
    }
}
