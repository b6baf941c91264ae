//! The pipeline file (TOML) to a validated DAG. Field names follow the SDK's
//! `PipelineController(...)` and `add_step(...)` arguments. Every problem is collected
//! (with its line and column) so the user fixes the file in one go.

mod graph;
mod raw;

use graph::*;
use raw::*;
pub use raw::{Raw, suggest};

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::time::Duration;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

use super::refs::{self, Ref};

/// A problem in the file (or, later, on the server), with where it is when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub span: Option<Range<usize>>,
    pub message: String,
}

impl Problem {
    fn at(span: Range<usize>, message: impl Into<String>) -> Self {
        Problem {
            span: Some(span),
            message: message.into(),
        }
    }
    pub fn general(message: impl Into<String>) -> Self {
        Problem {
            span: None,
            message: message.into(),
        }
    }
    /// `FILE:LINE:COL: message` (1-based, columns in characters), or `FILE: message`.
    pub fn render(&self, file: &str, text: &str) -> String {
        match &self.span {
            Some(s) => {
                let (line, col) = line_col(text, s.start);
                format!("{file}:{line}:{col}: {}", self.message)
            }
            None => format!("{file}: {}", self.message),
        }
    }
}

pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit_once('\n')
        .map_or(before, |(_, l)| l)
        .chars()
        .count()
        + 1;
    (line, col)
}

/// Where a step's base task comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseTask {
    Id(String),
    Named {
        project: String,
        name: String,
    },
    /// A script made into a base task (as `clearml task launch` does) when the pipeline
    /// runs; paths are relative to the pipeline file's folder.
    Script {
        path: String,
        requirements: Option<String>,
        /// The base task's `Args` section, in file order.
        args: Vec<(String, String)>,
    },
}

#[derive(Debug, Clone)]
pub struct Step {
    pub name: String,
    pub span: Range<usize>,
    /// Parents as written plus the steps its parameters reference (as the SDK adds them).
    pub parents: Vec<String>,
    pub base: BaseTask,
    pub base_span: Range<usize>,
    pub execution_queue: Option<String>,
    pub queue_span: Option<Range<usize>>,
    /// `Section/name` -> value as written (references unresolved), in file order.
    pub parameters: Vec<(String, String)>,
    pub time_limit: Option<Duration>,
    pub retry_on_failure: u32,
    pub continue_on_fail: bool,
    pub cache_executed_step: bool,
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub name: String,
    pub project: String,
    pub version: Option<String>,
    pub default_queue: Option<String>,
    pub default_queue_span: Option<Range<usize>>,
    pub parameters: Vec<(String, String)>,
    /// In file order.
    pub steps: Vec<Step>,
    /// Indices into `steps`, parents before children (file order among equals).
    pub order: Vec<usize>,
    /// Step name -> its first index in `steps`.
    by_name: HashMap<String, usize>,
    /// The folder `script` and `requirements` paths are relative to (the pipeline file's;
    /// the current directory when unset).
    pub dir: Option<std::path::PathBuf>,
}

impl Spec {
    pub fn step(&self, name: &str) -> Option<&Step> {
        self.index(name).map(|i| &self.steps[i])
    }
    pub fn index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// The queue a step goes to: its own, else the pipeline default.
    pub fn queue_of<'a>(&'a self, step: &'a Step) -> Option<&'a str> {
        step.execution_queue
            .as_deref()
            .or(self.default_queue.as_deref())
    }
    /// A step's parameters with `${pipeline.X}` resolved; step references stay as written.
    pub fn static_parameters(&self, step: &Step) -> Vec<(String, String)> {
        step.parameters
            .iter()
            .map(|(k, v)| {
                let v = refs::substitute::<()>(v, |r| {
                    Ok(match r {
                        Ref::Pipeline(n) => self.parameter(n).map(str::to_string),
                        _ => None,
                    })
                })
                .unwrap_or_else(|_| v.clone());
                (k.clone(), v)
            })
            .collect()
    }
}

const TOP_KEYS: &[&str] = &["pipeline", "step"];
const PIPELINE_KEYS: &[&str] = &["name", "project", "version", "default_queue", "parameters"];
const STEP_KEYS: &[&str] = &[
    "name",
    "parents",
    "base_task_project",
    "base_task_name",
    "base_task_id",
    "script",
    "requirements",
    "args",
    "execution_queue",
    "parameters",
    "time_limit",
    "retry_on_failure",
    "continue_on_fail",
    "cache_executed_step",
];

/// Parse and validate a pipeline file; `overrides` are `--param NAME=VALUE` pairs.
pub fn parse(text: &str, overrides: &[(String, String)]) -> Result<Spec, Vec<Problem>> {
    let root: Spanned<Raw> = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let msg = e.message().trim().to_string();
            return Err(vec![match e.span() {
                Some(s) => Problem::at(s, format!("TOML: {msg}")),
                None => Problem::general(format!("TOML: {msg}")),
            }]);
        }
    };
    let mut p = Vec::new();
    let Raw::Table(top) = root.get_ref() else {
        return Err(vec![Problem::general("not a TOML table")]);
    };
    check_keys(top, TOP_KEYS, "top-level key", &mut p);

    let mut spec = Spec {
        name: String::new(),
        project: String::new(),
        version: None,
        default_queue: None,
        default_queue_span: None,
        parameters: Vec::new(),
        steps: Vec::new(),
        order: Vec::new(),
        by_name: HashMap::new(),
        dir: None,
    };
    match get(top, "pipeline") {
        None => p.push(Problem::general(
            "no [pipeline] table: it needs at least name and project",
        )),
        Some(v) => match v.get_ref() {
            Raw::Table(t) => {
                check_keys(t, PIPELINE_KEYS, "key in [pipeline]", &mut p);
                spec.name = req_str(t, "name", v.span(), "[pipeline]", &mut p);
                spec.project = req_str(t, "project", v.span(), "[pipeline]", &mut p);
                spec.version = opt_str(t, "version", &mut p).map(|s| s.0);
                if let Some((q, span)) = opt_str(t, "default_queue", &mut p) {
                    spec.default_queue = Some(q);
                    spec.default_queue_span = Some(span);
                }
                spec.parameters = str_table(t, "parameters", "pipeline parameter", &mut p);
                if let Some(ver) = spec.version.as_deref()
                    && !valid_version(ver)
                {
                    let span = get(t, "version").map(|v| v.span()).unwrap_or(v.span());
                    p.push(Problem::at(
                        span,
                        format!("version '{ver}' is not a version like 1.0.0"),
                    ));
                }
                for (what, s) in [("name", &spec.name), ("project", &spec.project)] {
                    if s.trim().is_empty() && get(t, what).is_some() {
                        let span = get(t, what).map(|v| v.span()).unwrap_or(v.span());
                        p.push(Problem::at(span, format!("[pipeline] {what} is empty")));
                    }
                }
            }
            _ => p.push(Problem::at(
                v.span(),
                "'pipeline' must be a table ([pipeline])",
            )),
        },
    }
    // --param overrides replace pipeline parameters; unknown names are mistakes.
    for (k, v) in overrides {
        match spec.parameters.iter_mut().find(|(n, _)| n == k) {
            Some(slot) => slot.1 = v.clone(),
            None => p.push(Problem::general(format!(
                "--param {k}: no pipeline parameter named '{k}'{}",
                suggest(k, spec.parameters.iter().map(|(n, _)| n.as_str()))
            ))),
        }
    }
    match get(top, "step") {
        None => p.push(Problem::general(
            "no [[step]]: a pipeline needs at least one step",
        )),
        Some(v) => match v.get_ref() {
            Raw::Array(items) => {
                for item in items {
                    if let Some(s) = parse_step(item, &mut p) {
                        spec.steps.push(s);
                    }
                }
            }
            _ => p.push(Problem::at(
                v.span(),
                "'step' must be an array of tables ([[step]])",
            )),
        },
    }
    check_graph(&mut spec, &mut p);
    if p.is_empty() { Ok(spec) } else { Err(p) }
}

fn parse_step(item: &Spanned<Raw>, p: &mut Vec<Problem>) -> Option<Step> {
    let Raw::Table(t) = item.get_ref() else {
        p.push(Problem::at(item.span(), "each [[step]] must be a table"));
        return None;
    };
    check_keys(t, STEP_KEYS, "key in [[step]]", p);
    let name = req_str(t, "name", item.span(), "[[step]]", p);
    let span = get(t, "name").map(|v| v.span()).unwrap_or(item.span());
    check_step_name(&name, &span, p);
    let parents = parse_parents(t, p);
    let (base, base_span) = parse_base(t, &name, &span, p)?;
    let (execution_queue, queue_span) = match opt_str(t, "execution_queue", p) {
        Some((q, s)) => (Some(q), Some(s)),
        None => (None, None),
    };
    let parameters = str_table(t, "parameters", "step parameter", p);
    check_parameter_sections(t, item, &name, &parameters, p);
    let time_limit = parse_time_limit(t, p);
    let retry_on_failure = parse_retry(t, p);
    let continue_on_fail = opt_bool(t, "continue_on_fail", p);
    let cache_executed_step = opt_bool(t, "cache_executed_step", p);
    Some(Step {
        name,
        span,
        parents,
        base,
        base_span,
        execution_queue,
        queue_span,
        parameters,
        time_limit,
        retry_on_failure,
        continue_on_fail,
        cache_executed_step,
    })
}

fn check_step_name(name: &str, span: &Range<usize>, p: &mut Vec<Problem>) {
    if !name.is_empty() && name.trim().chars().count() < 3 {
        // The step task is named after the step, and the server wants 3 characters.
        p.push(Problem::at(
            span.clone(),
            format!("step name '{name}' is too short: the server wants at least 3 characters"),
        ));
    }
    if !name.is_empty() && name.contains(['.', '$', '{', '}']) {
        p.push(Problem::at(
            span.clone(),
            format!(
                "step name '{name}' may not contain '.', '$', '{{' or '}}' (references use them)"
            ),
        ));
    }
}

fn parse_parents(t: &Table, p: &mut Vec<Problem>) -> Vec<String> {
    let Some(v) = get(t, "parents") else {
        return Vec::new();
    };
    match v.get_ref() {
        Raw::Array(a) => a
            .iter()
            .filter_map(|x| match x.get_ref() {
                Raw::Str(s) => Some(s.clone()),
                _ => {
                    p.push(Problem::at(
                        x.span(),
                        "parents must be step names (strings)",
                    ));
                    None
                }
            })
            .collect(),
        _ => {
            p.push(Problem::at(
                v.span(),
                "parents must be an array of step names",
            ));
            Vec::new()
        }
    }
}

/// Exactly one way to name the step's base task: by id, by project + name, or a script.
fn parse_base(
    t: &Table,
    name: &str,
    span: &Range<usize>,
    p: &mut Vec<Problem>,
) -> Option<(BaseTask, Range<usize>)> {
    let id = opt_str(t, "base_task_id", p);
    let bproject = opt_str(t, "base_task_project", p);
    let bname = opt_str(t, "base_task_name", p);
    let script = opt_str(t, "script", p);
    let requirements = opt_str(t, "requirements", p);
    let args_given = get(t, "args").is_some();
    let args = str_table(t, "args", "script argument", p);
    if script.is_none() && (requirements.is_some() || args_given) {
        let s = requirements
            .as_ref()
            .map(|r| r.1.clone())
            .or_else(|| get(t, "args").map(|v| v.span()))
            .unwrap_or(span.clone());
        p.push(Problem::at(
            s,
            format!(
                "step '{name}': requirements and args go with script (a base task has its own)"
            ),
        ));
    }
    match (id, bproject, bname, script) {
        (None, None, None, Some((path, s))) => {
            if path.trim().is_empty() {
                p.push(Problem::at(
                    s.clone(),
                    format!("step '{name}': script is empty"),
                ));
            }
            let requirements = requirements.map(|r| r.0);
            Some((
                BaseTask::Script {
                    path,
                    requirements,
                    args,
                },
                s,
            ))
        }
        (Some((id, s)), None, None, None) => Some((BaseTask::Id(id), s)),
        (None, Some((project, _)), Some((name, s)), None) => {
            Some((BaseTask::Named { project, name }, s))
        }
        (Some((_, s)), _, _, _) | (_, _, _, Some((_, s))) => {
            p.push(Problem::at(
                s,
                format!("step '{name}': give one of base_task_id, base_task_project + base_task_name, or script"),
            ));
            None
        }
        (None, pr, nm, _) => {
            let span = pr.or(nm).map(|x| x.1).unwrap_or(span.clone());
            p.push(Problem::at(
                span,
                format!(
                    "step '{name}': needs base_task_id, base_task_project and base_task_name, or script"
                ),
            ));
            None
        }
    }
}

fn check_parameter_sections(
    t: &Table,
    item: &Spanned<Raw>,
    name: &str,
    parameters: &[(String, String)],
    p: &mut Vec<Problem>,
) {
    for (k, _) in parameters {
        if !k.contains('/') {
            let s = get(t, "parameters")
                .map(|v| v.span())
                .unwrap_or(item.span());
            p.push(Problem::at(
                s,
                format!("step '{name}': parameter '{k}' needs a section, e.g. 'Args/{k}' or 'General/{k}'"),
            ));
        }
    }
}

fn parse_time_limit(t: &Table, p: &mut Vec<Problem>) -> Option<Duration> {
    let v = get(t, "time_limit")?;
    match v.get_ref() {
        Raw::Str(s) => match clearml_config::duration::parse(s) {
            Ok(d) if !d.is_zero() => Some(d),
            _ => {
                p.push(Problem::at(
                    v.span(),
                    format!(
                        "time_limit '{s}' is not a duration like \"90s\", \"30m\", \"2h\" or 5400 (seconds)"
                    ),
                ));
                None
            }
        },
        Raw::Int(n) if *n > 0 => Some(Duration::from_secs(*n as u64)),
        _ => {
            p.push(Problem::at(
                v.span(),
                "time_limit must be a duration such as \"2h\" (or seconds)",
            ));
            None
        }
    }
}

fn parse_retry(t: &Table, p: &mut Vec<Problem>) -> u32 {
    let Some(v) = get(t, "retry_on_failure") else {
        return 0;
    };
    match v.get_ref() {
        Raw::Int(n) if (0..=100).contains(n) => *n as u32,
        _ => {
            p.push(Problem::at(
                v.span(),
                "retry_on_failure must be a whole number from 0 to 100",
            ));
            0
        }
    }
}

fn valid_version(v: &str) -> bool {
    !v.is_empty()
        && v.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The next version after `v`, as the SDK bumps it: the last number plus one.
pub fn next_version(v: &str) -> Option<String> {
    if !valid_version(v) {
        return None;
    }
    let mut parts: Vec<u64> = v.split('.').filter_map(|p| p.parse().ok()).collect();
    *parts.last_mut()? += 1;
    Some(
        parts
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

#[cfg(test)]
mod tests;
