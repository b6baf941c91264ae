//! The pipeline file (TOML) to a validated DAG. Field names follow the SDK's
//! `PipelineController(...)` and `add_step(...)` arguments. Every problem is collected
//! (with its line and column) so the user fixes the file in one go.

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
    let parents = match get(t, "parents") {
        None => Vec::new(),
        Some(v) => match v.get_ref() {
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
        },
    };
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
    let (base, base_span) = match (id, bproject, bname, script) {
        (None, None, None, Some((path, s))) => {
            if path.trim().is_empty() {
                p.push(Problem::at(
                    s.clone(),
                    format!("step '{name}': script is empty"),
                ));
            }
            (
                BaseTask::Script {
                    path,
                    requirements: requirements.map(|r| r.0),
                    args,
                },
                s,
            )
        }
        (Some((id, s)), None, None, None) => (BaseTask::Id(id), s),
        (None, Some((project, _)), Some((name, s)), None) => (BaseTask::Named { project, name }, s),
        (Some((_, s)), _, _, _) | (_, _, _, Some((_, s))) => {
            p.push(Problem::at(
                s,
                format!("step '{name}': give one of base_task_id, base_task_project + base_task_name, or script"),
            ));
            return None;
        }
        (None, pr, nm, _) => {
            let span = pr.or(nm).map(|x| x.1).unwrap_or(span.clone());
            p.push(Problem::at(
                span,
                format!(
                    "step '{name}': needs base_task_id, base_task_project and base_task_name, or script"
                ),
            ));
            return None;
        }
    };
    let (execution_queue, queue_span) = match opt_str(t, "execution_queue", p) {
        Some((q, s)) => (Some(q), Some(s)),
        None => (None, None),
    };
    let parameters = str_table(t, "parameters", "step parameter", p);
    for (k, _) in &parameters {
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
    let time_limit = match get(t, "time_limit") {
        None => None,
        Some(v) => match v.get_ref() {
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
        },
    };
    let retry_on_failure = match get(t, "retry_on_failure") {
        None => 0,
        Some(v) => match v.get_ref() {
            Raw::Int(n) if (0..=100).contains(n) => *n as u32,
            _ => {
                p.push(Problem::at(
                    v.span(),
                    "retry_on_failure must be a whole number from 0 to 100",
                ));
                0
            }
        },
    };
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

/// Duplicate names, unknown parents and references, cycles; then the launch order.
fn check_graph(spec: &mut Spec, p: &mut Vec<Problem>) {
    for (i, s) in spec.steps.iter().enumerate() {
        spec.by_name.entry(s.name.clone()).or_insert(i);
    }
    let mut seen = HashSet::new();
    for s in &spec.steps {
        if !s.name.is_empty() && !seen.insert(s.name.clone()) {
            p.push(Problem::at(
                s.span.clone(),
                format!("duplicate step name '{}'", s.name),
            ));
        }
    }
    let names: Vec<String> = spec.steps.iter().map(|s| s.name.clone()).collect();
    let params: Vec<String> = spec.parameters.iter().map(|(k, _)| k.clone()).collect();
    // Lookups by hash: a 20,000-step file is checked in linear time.
    let name_set: HashSet<&str> = names.iter().map(String::as_str).collect();
    let param_set: HashSet<&str> = params.iter().map(String::as_str).collect();
    for s in spec.steps.iter_mut() {
        for parent in &s.parents {
            if !name_set.contains(parent.as_str()) {
                p.push(Problem::at(
                    s.span.clone(),
                    format!(
                        "step '{}': unknown parent '{parent}'{}",
                        s.name,
                        suggest(parent, names.iter().map(String::as_str))
                    ),
                ));
            } else if parent == &s.name {
                p.push(Problem::at(
                    s.span.clone(),
                    format!("step '{}' lists itself as a parent", s.name),
                ));
            }
        }
        let mut implied = Vec::new();
        for (k, v) in &s.parameters {
            match refs::scan(v) {
                Err((m, _)) => p.push(Problem::at(
                    s.span.clone(),
                    format!("step '{}', parameter '{k}': {m}", s.name),
                )),
                Ok(found) => {
                    for f in found {
                        match &f.r {
                            Ref::Pipeline(n) if !param_set.contains(n.as_str()) => p.push(Problem::at(
                                s.span.clone(),
                                format!(
                                    "step '{}', parameter '{k}': unknown pipeline parameter '{n}'{}",
                                    s.name,
                                    suggest(n, params.iter().map(String::as_str))
                                ),
                            )),
                            r => {
                                if let Some(step) = r.step() {
                                    if !name_set.contains(step) {
                                        p.push(Problem::at(
                                            s.span.clone(),
                                            format!(
                                                "step '{}', parameter '{k}': unknown step '{step}'{}",
                                                s.name,
                                                suggest(step, names.iter().map(String::as_str))
                                            ),
                                        ));
                                    } else if step == s.name {
                                        p.push(Problem::at(
                                            s.span.clone(),
                                            format!("step '{}', parameter '{k}': a step cannot reference itself", s.name),
                                        ));
                                    } else if !s.parents.iter().any(|x| x == step)
                                        && !implied.iter().any(|x: &String| x == step)
                                    {
                                        // As the SDK: a referenced step becomes a parent.
                                        implied.push(step.to_string());
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        s.parents.extend(implied);
    }
    if !p.is_empty() {
        return;
    }
    if let Some(cycle) = find_cycle(spec) {
        let first = spec.step(&cycle[0]).map(|s| s.span.clone());
        let msg = format!("the steps form a cycle: {}", cycle.join(" -> "));
        p.push(match first {
            Some(s) => Problem::at(s, msg),
            None => Problem::general(msg),
        });
        return;
    }
    spec.order = topo_order(spec);
}

/// Each step's parents as indices (unknown names left out, each parent once).
fn parent_indices(spec: &Spec) -> Vec<Vec<usize>> {
    let at: HashMap<&str, usize> = spec
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    spec.steps
        .iter()
        .map(|s| {
            let mut ps: Vec<usize> = Vec::with_capacity(s.parents.len());
            for p in &s.parents {
                if let Some(&j) = at.get(p.as_str())
                    && !ps.contains(&j)
                {
                    ps.push(j);
                }
            }
            ps
        })
        .collect()
}

/// A cycle as `a, b, c, a`, following parent -> child edges, if there is one: the first
/// a depth-first walk finds from the steps in file order (children in file order).
/// Iterative, so a 20,000-step chain does not overflow the stack.
fn find_cycle(spec: &Spec) -> Option<Vec<String>> {
    let n = spec.steps.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (c, ps) in parent_indices(spec).into_iter().enumerate() {
        for p in ps {
            children[p].push(c);
        }
    }
    // 0 = unvisited, 1 = on the current path, 2 = done
    let mut state = vec![0u8; n];
    // The current path: a step and how many of its children were walked.
    let mut path: Vec<(usize, usize)> = Vec::new();
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        state[start] = 1;
        path.push((start, 0));
        while let Some(top) = path.last_mut() {
            let (node, next) = *top;
            let Some(&c) = children[node].get(next) else {
                state[node] = 2;
                path.pop();
                continue;
            };
            top.1 += 1;
            match state[c] {
                1 => {
                    let at = path.iter().position(|(x, _)| *x == c).unwrap_or(0);
                    let mut cycle: Vec<String> = path[at..]
                        .iter()
                        .map(|(x, _)| spec.steps[*x].name.clone())
                        .collect();
                    cycle.push(spec.steps[c].name.clone());
                    return Some(cycle);
                }
                0 => {
                    state[c] = 1;
                    path.push((c, 0));
                }
                _ => {}
            }
        }
    }
    None
}

/// Launch order: parents before children, in waves as a reader would sweep the file (each
/// sweep takes, in file order, every step whose parents are already taken). A step's wave
/// follows from its parents' in one pass over the DAG, then one sort: no repeated sweeps.
fn topo_order(spec: &Spec) -> Vec<usize> {
    let n = spec.steps.len();
    let parents = parent_indices(spec);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waiting: Vec<usize> = parents.iter().map(Vec::len).collect();
    for (c, ps) in parents.iter().enumerate() {
        for &p in ps {
            children[p].push(c);
        }
    }
    // Kahn's walk fixes every step's wave after all its parents' waves are known. A parent
    // earlier in the file is taken in the same sweep; a later one, a sweep before.
    let mut wave = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut seen = 0;
    while let Some(i) = ready.pop() {
        seen += 1;
        wave[i] = parents[i]
            .iter()
            .map(|&p| if p < i { wave[p] } else { wave[p] + 1 })
            .max()
            .unwrap_or(0);
        for &c in &children[i] {
            waiting[c] -= 1;
            if waiting[c] == 0 {
                ready.push(c);
            }
        }
    }
    if seen < n {
        return Vec::new(); // a cycle: reported by find_cycle before we get here
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (wave[i], i));
    order
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

// ---------------------------------------------------------------- raw TOML with spans

/// A TOML value whose nested keys and values keep their byte spans.
#[derive(Debug, Clone)]
pub enum Raw {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Array(Vec<Spanned<Raw>>),
    Table(Vec<(Spanned<String>, Spanned<Raw>)>),
    Datetime(String),
}

impl Raw {
    fn kind(&self) -> &'static str {
        match self {
            Raw::Str(_) => "a string",
            Raw::Int(_) => "an integer",
            Raw::Float(_) => "a number",
            Raw::Bool(_) => "a boolean",
            Raw::Array(_) => "an array",
            Raw::Table(_) => "a table",
            Raw::Datetime(_) => "a date",
        }
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Int(v.min(i64::MAX as u64) as i64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut out = Vec::new();
        while let Some(x) = seq.next_element::<Spanned<Raw>>()? {
            out.push(x);
        }
        Ok(Raw::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<Spanned<String>>()? {
            if k.get_ref() == "$__toml_private_datetime" {
                let v: String = map.next_value()?;
                return Ok(Raw::Datetime(v));
            }
            let v = map.next_value::<Spanned<Raw>>()?;
            out.push((k, v));
        }
        Ok(Raw::Table(out))
    }
}

type Table = Vec<(Spanned<String>, Spanned<Raw>)>;

fn get<'a>(t: &'a Table, key: &str) -> Option<&'a Spanned<Raw>> {
    t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
}

fn check_keys(t: &Table, valid: &[&str], what: &str, p: &mut Vec<Problem>) {
    for (k, _) in t {
        if !valid.contains(&k.get_ref().as_str()) {
            p.push(Problem::at(
                k.span(),
                format!(
                    "unknown {what} '{}'{}",
                    k.get_ref(),
                    suggest(k.get_ref(), valid.iter().copied())
                ),
            ));
        }
    }
}

fn req_str(
    t: &Table,
    key: &str,
    table_span: Range<usize>,
    table: &str,
    p: &mut Vec<Problem>,
) -> String {
    match opt_str(t, key, p) {
        Some((s, _)) => s,
        None => {
            if get(t, key).is_none() {
                p.push(Problem::at(table_span, format!("{table} needs '{key}'")));
            }
            String::new()
        }
    }
}

fn opt_str(t: &Table, key: &str, p: &mut Vec<Problem>) -> Option<(String, Range<usize>)> {
    let v = get(t, key)?;
    match v.get_ref() {
        Raw::Str(s) => Some((s.clone(), v.span())),
        other => {
            p.push(Problem::at(
                v.span(),
                format!("'{key}' must be a string, not {}", other.kind()),
            ));
            None
        }
    }
}

fn opt_bool(t: &Table, key: &str, p: &mut Vec<Problem>) -> bool {
    match get(t, key) {
        None => false,
        Some(v) => match v.get_ref() {
            Raw::Bool(b) => *b,
            other => {
                p.push(Problem::at(
                    v.span(),
                    format!("'{key}' must be true or false, not {}", other.kind()),
                ));
                false
            }
        },
    }
}

/// A table of scalars as ordered `name -> string` pairs (numbers and booleans as text,
/// the way the SDK stores every parameter).
fn str_table(t: &Table, key: &str, what: &str, p: &mut Vec<Problem>) -> Vec<(String, String)> {
    let Some(v) = get(t, key) else {
        return Vec::new();
    };
    let Raw::Table(items) = v.get_ref() else {
        p.push(Problem::at(
            v.span(),
            format!("'{key}' must be a table of name = value"),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, x) in items {
        let s = match x.get_ref() {
            Raw::Str(s) => s.clone(),
            Raw::Int(n) => n.to_string(),
            Raw::Float(f) => f.to_string(),
            Raw::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            other => {
                p.push(Problem::at(
                    x.span(),
                    format!(
                        "{what} '{}' must be a string, number or boolean, not {}",
                        k.get_ref(),
                        other.kind()
                    ),
                ));
                continue;
            }
        };
        out.push((k.get_ref().clone(), s));
    }
    out
}

/// `" (did you mean 'x'?)"` for the closest valid name, when one is close enough.
pub fn suggest<'a>(given: &str, valid: impl Iterator<Item = &'a str>) -> String {
    let best = valid
        .map(|v| (edit_distance(given, v), v))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, v)) if d <= given.chars().count().max(3) / 2 + 1 => {
            format!(" (did you mean '{v}'?)")
        }
        _ => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[pipeline]
name = "ML Training Pipeline"
project = "ResearchHub"
default_queue = "default"
[pipeline.parameters]
dataset = "s3://bucket/raw.csv"

[[step]]
name = "fetch_data"
base_task_project = "ResearchHub"
base_task_name = "Data Fetch Template"
parameters = { "Args/source" = "${pipeline.dataset}" }

[[step]]
name = "train"
parents = ["preprocess"]
base_task_id = "aaaabbbbccccddddeeeeffff00001111"
time_limit = "2h"
retry_on_failure = 2

[[step]]
name = "preprocess"
base_task_project = "ResearchHub"
base_task_name = "Preprocess Template"
execution_queue = "cpu"
parameters = { "Args/input" = "${fetch_data.artifacts.data.url}", "Args/n" = 3 }
"#;

    fn messages(text: &str) -> Vec<String> {
        parse(text, &[])
            .unwrap_err()
            .iter()
            .map(|p| p.render("f.toml", text))
            .collect()
    }

    #[test]
    fn a_good_file_gives_a_dag_in_launch_order() {
        let s = parse(GOOD, &[]).unwrap();
        let order: Vec<&str> = s.order.iter().map(|&i| s.steps[i].name.as_str()).collect();
        assert_eq!(order, ["fetch_data", "preprocess", "train"]);
        // the reference made fetch_data a parent of preprocess
        assert_eq!(s.step("preprocess").unwrap().parents, ["fetch_data"]);
        assert_eq!(s.queue_of(s.step("preprocess").unwrap()), Some("cpu"));
        assert_eq!(s.queue_of(s.step("train").unwrap()), Some("default"));
        assert_eq!(
            s.step("train").unwrap().time_limit,
            Some(Duration::from_secs(7200))
        );
        let fetch = s.step("fetch_data").unwrap();
        assert_eq!(
            s.static_parameters(fetch),
            [("Args/source".to_string(), "s3://bucket/raw.csv".to_string())]
        );
        assert_eq!(
            s.step("preprocess").unwrap().parameters[1],
            ("Args/n".to_string(), "3".to_string())
        );
    }

    #[test]
    fn param_overrides_replace_and_unknown_ones_fail() {
        let s = parse(GOOD, &[("dataset".into(), "s3://other".into())]).unwrap();
        assert_eq!(s.parameter("dataset"), Some("s3://other"));
        let e = parse(GOOD, &[("datset".into(), "x".into())]).unwrap_err();
        assert!(e[0].message.contains("did you mean 'dataset'"), "{e:?}");
    }

    #[test]
    fn toml_errors_have_line_and_column() {
        let m = messages("[pipeline]\nname = \"x\nproject = 1\n");
        assert_eq!(m.len(), 1);
        assert!(m[0].starts_with("f.toml:2:"), "{m:?}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = r#"[pipeline]
name = "p"
project = "Проект"
defualt_queue = "q"

[[step]]
name = "a"
parents = ["c"]
base_task_id = "x"
paramters = {}

[[step]]
name = "b"
parents = ["zz"]
base_task_id = "y"
parameters = { "Args/x" = "${nope.id}", "Args/y" = "${pipeline.missing}" }

[[step]]
name = "c"
parents = ["a"]
base_task_id = "z"

[[step]]
name = "a"
base_task_id = "w"
"#;
        let m = messages(text);
        let all = m.join("\n");
        assert!(
            all.contains("f.toml:4:1: unknown key in [pipeline] 'defualt_queue' (did you mean 'default_queue'?)"),
            "{all}"
        );
        assert!(
            all.contains(
                "f.toml:10:1: unknown key in [[step]] 'paramters' (did you mean 'parameters'?)"
            ),
            "{all}"
        );
        assert!(all.contains("duplicate step name 'a'"), "{all}");
        assert!(
            all.contains("f.toml:7:8: step name 'a' is too short"),
            "{all}"
        );
        assert!(all.contains("unknown parent 'zz'"), "{all}");
        assert!(all.contains("unknown step 'nope'"), "{all}");
        assert!(
            all.contains("unknown pipeline parameter 'missing'"),
            "{all}"
        );
        // the cycle is checked once the names are sound
        let cyc = messages(
            "[pipeline]\nname='p'\nproject='q'\n[[step]]\nname='aaa'\nparents=['ccc']\nbase_task_id='1'\n\
             [[step]]\nname='bbb'\nparents=['aaa']\nbase_task_id='2'\n[[step]]\nname='ccc'\nparents=['bbb']\nbase_task_id='3'\n",
        );
        assert_eq!(cyc.len(), 1, "{cyc:?}");
        assert!(
            cyc[0].ends_with("the steps form a cycle: aaa -> bbb -> ccc -> aaa"),
            "{cyc:?}"
        );
        assert!(cyc[0].starts_with("f.toml:5:"), "{cyc:?}");
    }

    /// A pipeline file of steps `step<i>` in the given file order, each with these parents.
    fn dag_file(steps: &[(usize, Vec<usize>)]) -> String {
        let mut text = String::from("[pipeline]\nname='p'\nproject='q'\ndefault_queue='d'\n");
        for (i, parents) in steps {
            let parents: Vec<String> = parents.iter().map(|p| format!("'step{p}'")).collect();
            text.push_str(&format!(
                "[[step]]\nname='step{i}'\nbase_task_id='t'\nparents=[{}]\n",
                parents.join(",")
            ));
        }
        text
    }

    /// The launch order as it was first defined: sweep the file again and again, taking
    /// in file order every step whose parents are taken.
    fn sweeping_order(s: &Spec) -> Vec<usize> {
        let mut done = vec![false; s.steps.len()];
        let mut order = Vec::new();
        while order.len() < s.steps.len() {
            for (i, step) in s.steps.iter().enumerate() {
                if !done[i]
                    && step
                        .parents
                        .iter()
                        .all(|p| done[s.steps.iter().position(|x| &x.name == p).unwrap()])
                {
                    done[i] = true;
                    order.push(i);
                }
            }
        }
        order
    }

    #[test]
    fn the_launch_order_is_the_sweeping_order_on_random_dags() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..200 {
            let n = 1 + next(12);
            // A DAG over 0..n (parents have smaller numbers), written in a shuffled order.
            let mut steps: Vec<(usize, Vec<usize>)> = (0..n)
                .map(|i| (i, (0..i).filter(|_| next(3) == 0).collect()))
                .collect();
            for i in (1..n).rev() {
                steps.swap(i, next(i + 1));
            }
            let s = parse(&dag_file(&steps), &[]).unwrap();
            assert_eq!(s.order, sweeping_order(&s), "{steps:?}");
        }
    }

    #[test]
    fn twenty_thousand_steps_in_reverse_order_are_checked_in_linear_time() {
        // A chain written child first: the sweeping order took one sweep per step (cubic
        // with its name lookups), the recursive cycle check one stack frame per step.
        let n = 20_000;
        let steps: Vec<(usize, Vec<usize>)> = (0..n)
            .rev()
            .map(|i| (i, if i == 0 { vec![] } else { vec![i - 1] }))
            .collect();
        let text = dag_file(&steps);
        let t0 = std::time::Instant::now();
        let s = parse(&text, &[]).unwrap();
        let took = t0.elapsed();
        let expected: Vec<usize> = (0..n).rev().collect();
        assert_eq!(s.order, expected);
        // A cycle closing the chain is found and named from its first step in the file.
        let mut cyclic = steps.clone();
        cyclic.last_mut().unwrap().1 = vec![n - 1];
        let t1 = std::time::Instant::now();
        let problems = parse(&dag_file(&cyclic), &[]).unwrap_err();
        let took = took + t1.elapsed();
        assert!(
            problems[0]
                .message
                .starts_with("the steps form a cycle: step19999 -> step0 -> step1")
        );
        // Seconds in a debug build, loaded machine included; it was minutes.
        assert!(took < Duration::from_secs(30), "{took:?}");
    }

    #[test]
    fn script_steps_exclude_base_tasks_and_own_requirements_and_args() {
        let head = "[pipeline]\nname='p'\nproject='q'\n";
        let s = parse(
            &format!("{head}[[step]]\nname='train'\nscript='steps/трен.py'\nrequirements='r.txt'\nargs={{lr='0.1', epochs=3}}\n"),
            &[],
        )
        .unwrap();
        assert_eq!(
            s.steps[0].base,
            BaseTask::Script {
                path: "steps/трен.py".into(),
                requirements: Some("r.txt".into()),
                args: vec![("lr".into(), "0.1".into()), ("epochs".into(), "3".into())],
            }
        );
        let m = messages(&format!(
            "{head}[[step]]\nname='both'\nscript='a.py'\nbase_task_id='x'\n[[step]]\nname='loose'\nbase_task_id='y'\nargs={{a='1'}}\n"
        ));
        assert!(
            m.iter().any(|m| m.contains("step 'both': give one of")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|m| m.contains("step 'loose': requirements and args go with script")),
            "{m:?}"
        );
    }

    #[test]
    fn versions_bump_like_the_sdk() {
        assert_eq!(next_version("1.0.0").as_deref(), Some("1.0.1"));
        assert_eq!(next_version("2.9").as_deref(), Some("2.10"));
        assert_eq!(next_version("x"), None);
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_col("ab\nпр x", 8), (2, 4));
    }
}
