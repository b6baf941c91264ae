//! `${...}` references in step parameters, as the SDK's PipelineController resolves them
//! at launch time: `${step.id}`, `${step.parameters.Section/name}`,
//! `${step.artifacts.NAME.url}`, `${step.models.output.-1.url}` and `${pipeline.NAME}`.

use std::ops::Range;

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ref {
    /// `${pipeline.NAME}`: a pipeline parameter (the controller's Args section).
    Pipeline(String),
    /// `${step.id}`: the step's task id.
    StepId(String),
    /// `${step.parameters.Section/name}`: a hyperparameter of the step's task.
    StepParam(String, String),
    /// `${step.artifacts.NAME.url}`: the URL of one of the step's artifacts.
    StepArtifact(String, String),
    /// `${step.models.input|output.INDEX.url}`: a model's URL (negative index from the end).
    StepModel(String, ModelDir, i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelDir {
    Input,
    Output,
}

impl ModelDir {
    pub fn key(self) -> &'static str {
        match self {
            ModelDir::Input => "input",
            ModelDir::Output => "output",
        }
    }
}

impl Ref {
    /// The step this reference needs to have run, if any.
    pub fn step(&self) -> Option<&str> {
        match self {
            Ref::Pipeline(_) => None,
            Ref::StepId(s)
            | Ref::StepParam(s, _)
            | Ref::StepArtifact(s, _)
            | Ref::StepModel(s, _, _) => Some(s),
        }
    }
}

/// The forms a reference can take, for error messages.
pub const FORMS: &str = "${pipeline.NAME}, ${STEP.id}, ${STEP.parameters.Section/name}, \
${STEP.artifacts.NAME.url}, ${STEP.models.output.-1.url}";

/// One reference found in a value: what it is and where (byte range of `${...}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub r: Ref,
    pub range: Range<usize>,
}

/// Every reference in `value`, or the first malformed one (message, byte range).
pub fn scan(value: &str) -> Result<Vec<Found>, (String, Range<usize>)> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(off) = value[pos..].find("${") {
        let start = pos + off;
        let Some(len) = value[start..].find('}') else {
            return Err((
                format!("'${{' without a closing '}}' in '{value}'"),
                start..value.len(),
            ));
        };
        let end = start + len + 1;
        let inner = &value[start + 2..end - 1];
        let r = parse_one(inner).map_err(|m| (m, start..end))?;
        out.push(Found {
            r,
            range: start..end,
        });
        pos = end;
    }
    Ok(out)
}

fn parse_one(inner: &str) -> Result<Ref, String> {
    let bad = || format!("'${{{inner}}}' is not a reference; the forms are {FORMS}");
    let (head, rest) = inner.split_once('.').ok_or_else(bad)?;
    if head.is_empty() || rest.is_empty() {
        return Err(bad());
    }
    if head == "pipeline" {
        return Ok(Ref::Pipeline(rest.to_string()));
    }
    let step = head.to_string();
    if rest == "id" {
        return Ok(Ref::StepId(step));
    }
    if let Some(p) = rest.strip_prefix("parameters.")
        && !p.is_empty()
    {
        return Ok(Ref::StepParam(step, p.to_string()));
    }
    if let Some(a) = rest
        .strip_prefix("artifacts.")
        .and_then(|a| a.strip_suffix(".url"))
        && !a.is_empty()
    {
        return Ok(Ref::StepArtifact(step, a.to_string()));
    }
    if let Some(m) = rest
        .strip_prefix("models.")
        .and_then(|m| m.strip_suffix(".url"))
    {
        let (dir, idx) = m.split_once('.').ok_or_else(bad)?;
        let dir = match dir {
            "input" => ModelDir::Input,
            "output" => ModelDir::Output,
            _ => return Err(bad()),
        };
        let idx: i64 = idx.parse().map_err(|_| bad())?;
        return Ok(Ref::StepModel(step, dir, idx));
    }
    Err(bad())
}

/// Replace every reference in `value` by what `lookup` gives (None leaves it as written).
pub fn substitute<E>(
    value: &str,
    mut lookup: impl FnMut(&Ref) -> Result<Option<String>, E>,
) -> Result<String, E> {
    let Ok(found) = scan(value) else {
        return Ok(value.to_string());
    };
    let mut out = String::with_capacity(value.len());
    let mut pos = 0;
    for f in found {
        out.push_str(&value[pos..f.range.start]);
        match lookup(&f.r)? {
            Some(v) => out.push_str(&v),
            None => out.push_str(&value[f.range.clone()]),
        }
        pos = f.range.end;
    }
    out.push_str(&value[pos..]);
    Ok(out)
}

/// Pick `items[index]`, a negative index counting from the end as in Python.
pub fn pick<T>(items: &[T], index: i64) -> Option<&T> {
    let i = if index < 0 {
        items.len().checked_sub(index.unsigned_abs() as usize)?
    } else {
        index as usize
    };
    items.get(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses() {
        let v = "${a.id} ${a.parameters.Args/lr} ${a.artifacts.data.csv.url} \
                 ${a.models.output.-1.url} ${pipeline.dataset}";
        let refs: Vec<Ref> = scan(v).unwrap().into_iter().map(|f| f.r).collect();
        assert_eq!(
            refs,
            [
                Ref::StepId("a".into()),
                Ref::StepParam("a".into(), "Args/lr".into()),
                Ref::StepArtifact("a".into(), "data.csv".into()),
                Ref::StepModel("a".into(), ModelDir::Output, -1),
                Ref::Pipeline("dataset".into()),
            ]
        );
    }

    #[test]
    fn malformed_references_are_named() {
        let (msg, range) = scan("x ${a.script.branch}").unwrap_err();
        assert!(msg.contains("a.script.branch"), "{msg}");
        assert_eq!(range, 2..20);
        assert!(scan("${a.id").unwrap_err().0.contains("closing"));
        assert!(scan("${nodot}").is_err());
        assert!(scan("${a.models.output.last.url}").is_err());
    }

    #[test]
    fn substitution_keeps_the_rest() {
        let out = substitute::<()>("s3://${pipeline.b}/${x.id}/ф", |r| {
            Ok(match r {
                Ref::Pipeline(n) => Some(format!("bucket-{n}")),
                _ => None,
            })
        })
        .unwrap();
        assert_eq!(out, "s3://bucket-b/${x.id}/ф");
    }

    #[test]
    fn python_indexing() {
        let v = [1, 2, 3];
        assert_eq!(pick(&v, -1), Some(&3));
        assert_eq!(pick(&v, 0), Some(&1));
        assert_eq!(pick(&v, -4), None);
        assert_eq!(pick(&v, 3), None);
    }
}
