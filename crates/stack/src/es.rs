//! Elasticsearch of the running stack, reached with curl inside its container through the
//! Docker API (no port is published; the official image has curl).

use std::time::Duration;

use serde_json::Value;

use super::docker::{self, Engine};
use super::spec::Stack;
use crate::error::StackError;

pub const SHORT: Duration = Duration::from_secs(30);

/// The running Elasticsearch container of the stack.
pub async fn container(engine: &Engine, stack: &Stack) -> anyhow::Result<String> {
    let containers = engine.containers(&stack.project).await?;
    containers
        .iter()
        .find(|c| {
            docker::service_of(c) == Some("elasticsearch") && c.state.as_deref() == Some("running")
        })
        .and_then(|c| c.id.clone())
        .ok_or_else(|| {
            StackError::failure(format!(
                "the stack's Elasticsearch is not running (compose project {})",
                stack.project
            ))
            .with_hint(
                "start it with 'clearml server up' (set CLEARML_STACK_PROJECT for another stack)",
            )
            .into()
        })
}

/// One HTTP call to Elasticsearch with curl inside its container: the status and the body.
pub async fn es(
    engine: &Engine,
    id: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
    limit: Duration,
) -> anyhow::Result<(u16, Value)> {
    let url = format!("http://localhost:9200{path}");
    let max = limit.as_secs().to_string();
    let text = body.map(Value::to_string);
    let mut cmd = vec![
        "curl",
        "-s",
        "-m",
        &max,
        "-X",
        method,
        "-H",
        "Content-Type: application/json",
        "-w",
        "\n%{http_code}",
    ];
    if let Some(t) = &text {
        cmd.extend(["-d", t.as_str()]);
    }
    cmd.push(&url);
    let (code, out) = engine.exec(id, &cmd, limit + SHORT).await?;
    anyhow::ensure!(
        code == 0,
        "curl inside the Elasticsearch container exited {code} ({method} {path})"
    );
    let out = out.trim_end();
    let (body, status) = out.rsplit_once('\n').unwrap_or(("", out));
    let status: u16 = status
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("Elasticsearch's answer to {method} {path} has no status"))?;
    let value = serde_json::from_str(body.trim()).unwrap_or(Value::Null);
    Ok((status, value))
}

/// Elasticsearch's reason for a refusal, in one line.
pub fn es_reason(v: &Value) -> String {
    let e = &v["error"];
    e["root_cause"][0]["reason"]
        .as_str()
        .or(e["reason"].as_str())
        .or(e.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string().chars().take(200).collect())
}

/// A call that must answer 2xx; returns the body.
pub async fn es_ok(
    engine: &Engine,
    id: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
    limit: Duration,
) -> anyhow::Result<Value> {
    let (status, v) = es(engine, id, method, path, body, limit).await?;
    anyhow::ensure!(
        (200..300).contains(&status),
        "Elasticsearch refused {method} {path} ({status}): {}",
        es_reason(&v)
    );
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn es_reasons_are_one_line() {
        let v = json!({"error": {"root_cause": [{"reason": "[clearml-backup] location not in path.repo"}], "reason": "outer"}, "status": 500});
        assert_eq!(es_reason(&v), "[clearml-backup] location not in path.repo");
        assert_eq!(
            es_reason(&json!({"error": "no such snapshot"})),
            "no such snapshot"
        );
        assert!(es_reason(&json!({"x": 1})).contains("\"x\""));
    }
}
