//! `server render`: the resolved stack as a docker-compose.yml (for people who keep
//! compose, and for the benchmark) or as values for the official ClearML Helm chart.
//!
//! YAML is written by hand: every scalar is a JSON string, which is valid YAML, so no
//! quoting rule can be got wrong. `${VAR}` references stay as they are (compose expands
//! them), so no secret from this machine ends up in the file.

use std::fmt::Write;

use super::spec::{Service, Stack};

fn q(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// A docker-compose.yml equivalent to what `server up` creates (same names, labels aside).
pub fn compose(stack: &Stack) -> String {
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# Rendered by `clearml server render` (server {}, data dir {}).\n# Run with: docker compose -p {} -f <this file> up -d",
        stack.version,
        stack.data_dir.display(),
        stack.project
    );
    y.push_str("version: \"3.6\"\nservices:\n");
    for svc in &stack.services {
        compose_service(&mut y, stack, svc);
    }
    y.push_str("networks:\n");
    for net in stack.networks() {
        let _ = writeln!(y, "  {net}:\n    driver: bridge");
    }
    y
}

fn compose_service(y: &mut String, stack: &Stack, svc: &Service) {
    let _ = writeln!(y, "  {}:", q(&svc.name));
    let _ = writeln!(y, "    container_name: {}", q(&svc.container_name));
    let _ = writeln!(y, "    image: {}", q(&svc.image));
    let _ = writeln!(y, "    restart: {}", q(svc.restart.as_str()));
    list(y, "command", &svc.command);
    list(y, "entrypoint", &svc.entrypoint);
    if !svc.env.is_empty() {
        y.push_str("    environment:\n");
        for (k, v) in &svc.env {
            let _ = writeln!(y, "      {}: {}", q(k), q(v));
        }
    }
    if !svc.ulimits.is_empty() {
        y.push_str("    ulimits:\n");
        for u in &svc.ulimits {
            let _ = writeln!(
                y,
                "      {}:\n        soft: {}\n        hard: {}",
                u.name, u.soft, u.hard
            );
        }
    }
    let ports: Vec<String> = svc
        .ports
        .iter()
        .map(|p| format!("{}:{}:{}", stack.bind, p.host, p.container))
        .collect();
    list(y, "ports", &ports);
    let volumes: Vec<String> = svc
        .mounts
        .iter()
        .map(|m| match &m.source {
            Some(src) => format!("{}:{}", src.display(), m.target),
            None => m.target.clone(),
        })
        .collect();
    list(y, "volumes", &volumes);
    list(y, "networks", &svc.networks);
    list(y, "depends_on", &svc.depends_on);
    if svc.privileged {
        y.push_str("    privileged: true\n");
    }
}

fn list(y: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(y, "    {key}:");
    for item in items {
        let _ = writeln!(y, "      - {}", q(item));
    }
}

/// Split an image reference into (registry, repository, tag).
fn image_parts(image: &str) -> (String, String, String) {
    let (name, tag) = match image.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t),
        _ => (image, "latest"),
    };
    match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_string(), rest.to_string(), tag.to_string())
        }
        _ => (String::new(), name.to_string(), tag.to_string()),
    }
}

/// The official chart's version these values are written for (every key is one its
/// values.yaml has; tests/data/helm/ holds the derived key list the test checks against).
pub const HELM_CHART_VERSION: &str = "7.14.1";

/// Values for the official chart (`helm install clearml allegroai/clearml -f values.yaml`):
/// images, ports and extra environment of the same choices, in keys the chart's own
/// values.yaml has. The dependencies (MongoDB, Redis, Elasticsearch) are the chart's
/// subcharts with images of their own: they are enabled, and the image the stack would
/// run is named in a comment.
pub fn helm_values(stack: &Stack) -> String {
    let mut y = String::new();
    let _ = writeln!(
        y,
        "# Rendered by `clearml server render --as helm-values` (server {}) for the\n# official chart allegroai/clearml {HELM_CHART_VERSION}.\n# Use with: helm install clearml allegroai/clearml --version {HELM_CHART_VERSION} -f <this file>\n# Persistent volumes replace the host directories under {}.",
        stack.version,
        stack.data_dir.display()
    );
    fn chart_key(name: &str) -> &str {
        match name {
            "mongo" => "mongodb",
            other => other,
        }
    }
    for svc in &stack.services {
        match svc.name.as_str() {
            // The chart runs it inside the apiserver deployment; it has no values block.
            "async_delete" => continue,
            // Not part of chart 7.x: the services agent is the clearml-agent chart.
            "agent-services" => {
                let _ = writeln!(
                    y,
                    "# The services agent ({}) is not part of this chart: install the\n# allegroai/clearml-agent chart for it.",
                    svc.image
                );
                continue;
            }
            _ => {}
        }
        let own = matches!(svc.name.as_str(), "apiserver" | "fileserver" | "webserver");
        let _ = writeln!(y, "{}:", chart_key(&svc.name));
        if !own {
            let _ = writeln!(
                y,
                "  # a subchart with its own image; the stack runs {}",
                svc.image
            );
            y.push_str("  enabled: true\n");
        } else {
            let (registry, repository, tag) = image_parts(&svc.image);
            y.push_str("  image:\n");
            if !registry.is_empty() {
                let _ = writeln!(y, "    registry: {}", q(&registry));
            }
            let _ = writeln!(y, "    repository: {}", q(&repository));
            let _ = writeln!(y, "    tag: {}", q(&tag));
            if let Some(port) = svc.ports.first() {
                let _ = writeln!(y, "  service:\n    port: {}", port.container);
            }
        }
        // Only what the user added: the chart already sets the official defaults.
        let extra: Vec<(String, String)> = stack
            .choices
            .env
            .iter()
            .filter_map(|item| super::spec::parse_env_item(item).ok())
            .filter(|(target, _, _)| target.is_none_or(|t| t == svc.name))
            .map(|(_, k, v)| (k.to_string(), v.to_string()))
            .collect();
        if !extra.is_empty() && !matches!(svc.name.as_str(), "mongo" | "redis") {
            y.push_str("  extraEnvs:\n");
            for (k, v) in extra {
                let _ = writeln!(y, "    - name: {}\n      value: {}", q(&k), q(&v));
            }
        }
    }
    y
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Choices;
    use crate::spec::StackChoices;
    use std::path::PathBuf;

    fn stack(args: StackChoices) -> Stack {
        Stack::build(
            "clearml".into(),
            PathBuf::from("/srv/cm"),
            Choices::from_flags(&args).unwrap(),
        )
    }

    #[test]
    fn compose_has_every_service_with_its_choices() {
        let y = compose(&stack(StackChoices {
            ports: vec!["apiserver=18008".into()],
            ..Default::default()
        }));
        assert!(y.contains("  \"apiserver\":\n    container_name: \"clearml-apiserver\""));
        assert!(y.contains("\"127.0.0.1:18008:8008\""));
        assert!(y.contains("\"/srv/cm/data/mongo_4/db:/data/db\""));
        assert!(y.contains("\"CLEARML__secure__credentials__services_agent__user_key\": \"${CLEARML_AGENT_ACCESS_KEY:-}\""));
        assert!(y.contains("      memlock:\n        soft: -1\n        hard: -1"));
        assert!(y.contains("networks:\n  backend:\n    driver: bridge\n  frontend:"));
        assert!(!y.contains("agent-services"));
    }

    #[test]
    fn helm_values_carry_images_and_env() {
        let y = helm_values(&stack(StackChoices {
            registry: Some("mirror.io:5000/hub".into()),
            env: vec!["apiserver:X=1".into()],
            ..Default::default()
        }));
        assert!(y.contains("apiserver:\n  image:\n    registry: \"mirror.io:5000\"\n    repository: \"hub/clearml/server\"\n    tag: \"2.3.0\""));
        assert!(y.contains("  extraEnvs:\n    - name: \"X\"\n      value: \"1\""));
        assert!(y.contains("mongodb:\n  # a subchart with its own image; the stack runs "));
        assert!(y.contains("  enabled: true\n"));
        assert!(!y.contains("agentservices"));
    }

    #[test]
    fn image_reference_parts() {
        assert_eq!(
            image_parts("mongo:7.0.22"),
            ("".into(), "mongo".into(), "7.0.22".into())
        );
        assert_eq!(
            image_parts("localhost:5000/a/b"),
            ("localhost:5000".into(), "a/b".into(), "latest".into())
        );
    }
}
