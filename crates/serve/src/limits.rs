//! What a client may make the server hold: body sizes, what a body may expand to once
//! parsed, nesting depth, query-string shape, and the server-wide memory budget that bodies
//! are read and parsed under. Everything here is decided before anything is parsed, so no
//! request can make the server crash (stack) or bloat (heap).

use super::envelope::ApiError;
use std::time::Duration;

/// Largest API body an authenticated client may send. The SDK splits its batches at
/// `api.http.max_req_size` (15 MiB by default), half of this.
pub const MAX_BODY: usize = 32 * 1024 * 1024;
/// Bodies without a Content-Length (chunked) are read up to this much only: the budget
/// must be reserved before the first byte arrives.
pub const MAX_BODY_UNKNOWN_LENGTH: usize = 8 * 1024 * 1024;
/// Endpoints open without credentials (debug.ping, server.info, ...) need no real body.
pub const MAX_ANONYMOUS_BODY: usize = 64 * 1024;
/// Bytes an unauthenticated request body is read (and dropped) before the 401, so a client
/// in the middle of its upload sees the answer instead of a connection reset.
pub const MAX_DRAIN: usize = 1024 * 1024;
/// Deepest JSON nesting accepted (the real API's deepest documents are a handful of levels;
/// hyper-parameter sections and plot dicts stay far below this).
pub const MAX_DEPTH: usize = 64;
/// Deepest dotted query-string key (`a.b.c=1` is 3 levels).
pub const MAX_QUERY_DEPTH: usize = 8;
/// Most query-string fields one request may carry.
pub const MAX_QUERY_FIELDS: usize = 10_000;
/// The estimated in-memory size of a parsed body is capped at the larger of this floor and
/// `EXPANSION_FACTOR` times its length, and never over `MAX_EXPANDED`. Measured: a 16 MB
/// batch of SDK scalar events takes 175 MB parsed (estimated 200 MB), so a full SDK batch
/// fits; tiny values in bulk (`[{"a":1},...]`: 60 bytes per byte) do not.
pub const MIN_EXPANDED: usize = 4 * 1024 * 1024;
pub const EXPANSION_FACTOR: usize = 16;
pub const MAX_EXPANDED: usize = 256 * 1024 * 1024;
/// Server-wide memory that bodies being read, parsed and handled may hold at once (KiB
/// permits of a semaphore). A request reserves its share before its body is read; the
/// largest single reservation fits, so a big request waits instead of failing.
pub const BUDGET_KIB: usize = 320 * 1024;

/// Of `BUDGET_KIB`'s kind, but for anonymous calls to open endpoints only: however many
/// anonymous bodies are in flight, they cannot take the memory authenticated calls need.
pub const ANONYMOUS_BUDGET_KIB: usize = 32 * 1024;
/// How long a request waits for its share of the budget before it is answered 503: the
/// wait is bounded even when the budget is held by other bodies still being read.
pub const BUDGET_WAIT: Duration = Duration::from_secs(30);

/// A request's head (request line and headers) must arrive within this, counted from the
/// connection's first byte wait, or between two requests on a kept-alive connection: an
/// idle or half-sent head is closed after it.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(20);
/// Longest request head (request line and headers; hyper answers 431 beyond it): also
/// what a connection holds while its head trickles in, `MAX_CONNECTIONS` times at most.
/// Without it hyper's bound is its 400 KiB read buffer.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// A body that brings no byte for this long is cut (408).
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(20);
/// After `BODY_GRACE` of waiting for a body, it must keep arriving at `BODY_MIN_RATE`
/// bytes per second on average (counting only the time the server waited for it), or it
/// is cut (408): a trickle cannot hold a connection and its memory for long.
pub const BODY_GRACE: Duration = Duration::from_secs(20);
pub const BODY_MIN_RATE: u64 = 1024;
/// Connections one client address may hold open at once, over all three ports; more are
/// closed as soon as they are accepted. Clients on the server's own machine share one
/// address (127.0.0.1), so this is generous: SDK processes, agents and a browser together
/// stay far below it.
pub const MAX_CONNECTIONS_PER_IP: usize = 512;
/// Connections held open at once over all clients.
pub const MAX_CONNECTIONS: usize = 4096;

/// Longest regular expression a client may send (name filters, `_any_`/`_all_` searches):
/// a name pattern, even escaped, is far shorter.
pub const MAX_PATTERN_BYTES: usize = 4096;
/// What one compiled client pattern may take (the regex crate's `size_limit` and
/// `dfa_size_limit`); its defaults (10 and 2 MiB) are per pattern and grow with threads.
pub const PATTERN_SIZE_LIMIT: usize = 1024 * 1024;

/// A client's regular expression, refused unparsed when longer than `MAX_PATTERN_BYTES`,
/// then compiled under `PATTERN_SIZE_LIMIT`; `Err` names the problem.
pub fn checked_client_regex(pattern: &str) -> Result<regex::Regex, String> {
    if pattern.len() > MAX_PATTERN_BYTES {
        return Err(format!(
            "pattern of {} bytes, longer than {MAX_PATTERN_BYTES}; use a shorter one",
            pattern.len()
        ));
    }
    client_regex(pattern)
}

/// A pattern compiled under `PATTERN_SIZE_LIMIT` (the store's matcher compiles through
/// this the patterns `checked_client_regex` let through, perhaps with a `(?i)` prefix).
pub fn client_regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(PATTERN_SIZE_LIMIT)
        .dfa_size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => format!(
                "pattern would take over {} compiled; use a simpler one",
                human(PATTERN_SIZE_LIMIT)
            ),
            other => other.to_string(),
        })
}

/// How much of the budget a request needs and what its body may expand to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyPlan {
    /// Read at most this many bytes.
    pub read_limit: usize,
    /// Largest estimated parsed size accepted.
    pub max_expanded: usize,
}

impl BodyPlan {
    /// Plan for a body of `content_length` (None = chunked) from an authenticated caller
    /// (`false` = an anonymous call to an open endpoint). `Err` = too large, refuse unread.
    pub fn new(content_length: Option<u64>, authenticated: bool) -> Result<BodyPlan, ApiError> {
        let (limit, what) = match (authenticated, content_length) {
            (false, _) => (MAX_ANONYMOUS_BODY, "without credentials"),
            (true, Some(_)) => (MAX_BODY, "per request"),
            (true, None) => (MAX_BODY_UNKNOWN_LENGTH, "without a Content-Length"),
        };
        let len = match content_length {
            Some(n) if n > limit as u64 => return Err(too_large(limit, what)),
            Some(n) => n as usize,
            None => limit,
        };
        let max_expanded = if authenticated {
            len.saturating_mul(EXPANSION_FACTOR)
                .clamp(MIN_EXPANDED, MAX_EXPANDED)
        } else {
            MIN_EXPANDED / 4
        };
        Ok(BodyPlan {
            read_limit: len,
            max_expanded,
        })
    }

    /// Budget permits (KiB) to hold while this body is read, parsed and handled: the raw
    /// bytes twice (a sanitized copy may be made) plus what they may expand to.
    pub fn budget_kib(&self) -> u32 {
        let bytes = self.read_limit * 2 + self.max_expanded;
        bytes.div_ceil(1024).min(BUDGET_KIB) as u32
    }
}

pub fn too_large(limit: usize, what: &str) -> ApiError {
    ApiError::new(
        413,
        0,
        format!(
            "Request body too large (at most {} {what}; split the request)",
            human(limit)
        ),
    )
}

fn human(n: usize) -> String {
    if n >= 1024 * 1024 {
        format!("{} MiB", n / (1024 * 1024))
    } else {
        format!("{} KiB", n / 1024)
    }
}

/// What a JSON text (one value or JSON lines) would cost once parsed into `serde_json`
/// values, found in one pass without allocating.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct JsonShape {
    /// Deepest nesting of arrays/objects.
    pub depth: usize,
    /// Estimated heap bytes of the parsed values.
    pub expanded: usize,
}

/// Heap cost estimates of the parsed form (serde_json with `preserve_order`): every value
/// is a 32-byte slot (twice, for vectors grown by doubling); an object entry adds its hash,
/// key and index slot; containers and strings add an allocation header; an object starts
/// with room for 4 entries and a hash table. Checked against measured RSS (within 15%).
const VALUE_COST: usize = 64;
const ENTRY_COST: usize = 96;
const ALLOC_COST: usize = 32;
const OBJECT_COST: usize = 256;

/// Scan `text` for its nesting depth and estimated parsed size; stops early (with an
/// error) at the first level deeper than `MAX_DEPTH` or once the estimate passes
/// `max_expanded`. Invalid JSON is not reported here: the parser does that.
pub fn scan_json(text: &[u8], max_expanded: usize) -> Result<JsonShape, ApiError> {
    let mut shape = JsonShape::default();
    // For each open container: is it an object (its values are entries)?
    let mut stack: Vec<bool> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut in_scalar = false;
    for &b in text {
        if in_string {
            shape.expanded += 1;
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        let scalar_byte = !matches!(
            b,
            b'"' | b'{' | b'[' | b'}' | b']' | b',' | b':' | b' ' | b'\t' | b'\n' | b'\r'
        );
        if scalar_byte {
            if !in_scalar {
                in_scalar = true;
                shape.expanded += VALUE_COST;
            }
            continue;
        }
        in_scalar = false;
        match b {
            b'"' => {
                in_string = true;
                // Keys and string values alike: a slot (or entry) plus an allocation.
                let in_object = stack.last().copied().unwrap_or(false);
                shape.expanded += ALLOC_COST + if in_object { ENTRY_COST } else { VALUE_COST };
            }
            b'{' | b'[' => {
                stack.push(b == b'{');
                shape.depth = shape.depth.max(stack.len());
                if stack.len() > MAX_DEPTH {
                    return Err(too_deep());
                }
                shape.expanded += VALUE_COST + ALLOC_COST;
                if b == b'{' {
                    shape.expanded += OBJECT_COST;
                }
            }
            b'}' | b']' => {
                stack.pop();
            }
            _ => {}
        }
        if shape.expanded > max_expanded {
            return Err(expands_too_much(max_expanded));
        }
    }
    if shape.expanded > max_expanded {
        return Err(expands_too_much(max_expanded));
    }
    Ok(shape)
}

fn expands_too_much(max_expanded: usize) -> ApiError {
    ApiError::new(
        413,
        0,
        format!(
            "Request body too large (its JSON would take over {} in memory; split the request)",
            human(max_expanded)
        ),
    )
}

pub fn too_deep() -> ApiError {
    ApiError::validation(format!(
        "JSON nested deeper than {MAX_DEPTH} levels; flatten the request"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// Heap bytes a parse really takes, measured with a counting allocator is not possible
    /// in a unit test here; instead compare the estimate with a lower bound that is certain:
    /// each value occupies at least a 32-byte slot.
    #[test]
    fn estimate_is_at_least_the_slots_the_values_take() {
        for text in [
            r#"[{},{},{},{}]"#,
            r#"{"a": [1, 2, 3], "b": {"c": "dddd"}}"#,
            "{\"x\": 1}\n{\"y\": [true, null]}\n",
        ] {
            let values: usize = text
                .lines()
                .map(|l| count(&serde_json::from_str::<Value>(l).unwrap()))
                .sum();
            let shape = scan_json(text.as_bytes(), usize::MAX).unwrap();
            assert!(shape.expanded >= values * 32, "{text}: {shape:?}");
        }
    }

    fn count(v: &Value) -> usize {
        1 + match v {
            Value::Array(a) => a.iter().map(count).sum(),
            Value::Object(m) => m.values().map(count).sum(),
            _ => 0,
        }
    }

    #[test]
    fn depth_counts_brackets_outside_strings_only() {
        let shape = scan_json(br#"{"a": [[{"b": "[[[[{{{"}]]]}"#, usize::MAX).unwrap();
        assert_eq!(shape.depth, 4);
        let shape = scan_json(br#"{"a": "\"[[[["}"#, usize::MAX).unwrap();
        assert_eq!(shape.depth, 1);
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        let e = scan_json(deep.as_bytes(), usize::MAX).unwrap_err();
        assert_eq!((e.code, e.subcode), (400, 12));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert_eq!(
            scan_json(ok.as_bytes(), usize::MAX).unwrap().depth,
            MAX_DEPTH
        );
    }

    #[test]
    fn tiny_values_in_bulk_exceed_the_expansion_cap() {
        let body = format!("[{}]", vec!["{}"; 100_000].join(","));
        let e = scan_json(body.as_bytes(), MIN_EXPANDED).unwrap_err();
        assert_eq!(e.code, 413);
        // The same bytes as one string expand hardly at all.
        let body = format!("{{\"s\": \"{}\"}}", "x".repeat(body.len()));
        scan_json(body.as_bytes(), MIN_EXPANDED).unwrap();
    }

    #[test]
    fn client_patterns_are_bounded_in_length_and_compiled_size() {
        let e = checked_client_regex(&"a?".repeat(MAX_PATTERN_BYTES)).unwrap_err();
        assert!(e.contains("longer than 4096"), "{e}");
        let e = checked_client_regex("((a{100}){100}){100}").unwrap_err();
        assert!(e.contains("simpler"), "{e}");
        let re = checked_client_regex(&format!("^Größe {}$", "x?".repeat(1000))).unwrap();
        assert!(re.is_match("Größe "));
    }

    #[test]
    fn plans_refuse_oversized_bodies_before_reading() {
        assert_eq!(
            BodyPlan::new(Some(MAX_BODY as u64 + 1), true)
                .unwrap_err()
                .code,
            413
        );
        assert_eq!(
            BodyPlan::new(Some(MAX_ANONYMOUS_BODY as u64 + 1), false)
                .unwrap_err()
                .code,
            413
        );
        let p = BodyPlan::new(Some(1000), true).unwrap();
        assert_eq!((p.read_limit, p.max_expanded), (1000, MIN_EXPANDED));
        let big = BodyPlan::new(Some(MAX_BODY as u64), true).unwrap();
        assert_eq!(big.max_expanded, MAX_EXPANDED);
        assert!(big.budget_kib() as usize <= BUDGET_KIB);
        assert_eq!(
            BodyPlan::new(None, true).unwrap().read_limit,
            MAX_BODY_UNKNOWN_LENGTH
        );
    }
}
