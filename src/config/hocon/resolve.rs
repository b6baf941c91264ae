//! Substitutions: `${path}` against the document (then the environment), `${?path}`
//! optional, self-references to the value being replaced, cycles reported.

use super::{Env, HoconError, Node, Object, Pending, Piece, Pos, Result, Value, concat};

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Paths of every pending value, depth first.
fn pending_paths(value: &Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match value {
        Value::Pending(_) => out.push(path.clone()),
        Value::Object(o) => {
            for (k, n) in &o.entries {
                path.push(Seg::Key(k.clone()));
                pending_paths(&n.value, path, out);
                path.pop();
            }
        }
        Value::List(l) => {
            for (i, n) in l.iter().enumerate() {
                path.push(Seg::Index(i));
                pending_paths(&n.value, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn node_at_mut<'a>(root: &'a mut Value, path: &[Seg]) -> Option<&'a mut Node> {
    let (first, rest) = path.split_first()?;
    let node = match (root, first) {
        (Value::Object(o), Seg::Key(k)) => o.get_mut(k)?,
        (Value::List(l), Seg::Index(i)) => l.get_mut(*i)?,
        _ => return None,
    };
    if rest.is_empty() {
        Some(node)
    } else {
        node_at_mut(&mut node.value, rest)
    }
}

/// A value that is being resolved (cycle detection).
const RESOLVING: &str = "\u{0}resolving";

pub(super) fn resolve_all(root: &mut Object, env: &Env) -> Result<()> {
    let mut top = Value::Object(std::mem::take(root));
    loop {
        let mut paths = Vec::new();
        pending_paths(&top, &mut Vec::new(), &mut paths);
        let Some(path) = paths.into_iter().next() else {
            break;
        };
        resolve_at(&mut top, &path, env, 0)?;
    }
    *root = match top {
        Value::Object(o) => o,
        _ => unreachable!(),
    };
    Ok(())
}

/// Resolve the pending value at `path` (and, recursively, what it refers to).
fn resolve_at(top: &mut Value, path: &[Seg], env: &Env, depth: usize) -> Result<()> {
    let Some(node) = node_at_mut(top, path) else {
        return Ok(());
    };
    let Value::Pending(_) = node.value else {
        return Ok(());
    };
    let pos = node.pos.clone();
    let Value::Pending(pending) = std::mem::replace(&mut node.value, Value::Str(RESOLVING.into()))
    else {
        unreachable!()
    };
    let self_path: Vec<String> = path
        .iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Index(i) => i.to_string(),
        })
        .collect();
    match resolve_pending(top, *pending, &self_path, pos, env, depth)? {
        Some(value) => {
            if let Some(node) = node_at_mut(top, path) {
                node.value = value;
            }
        }
        // An optional substitution that found nothing removes the key (in a list, pyhocon
        // leaves a null).
        None => drop_at(top, path),
    }
    Ok(())
}

/// The value of a concatenation with substitutions; None when nothing is left of it.
fn resolve_pending(
    top: &mut Value,
    pending: Pending,
    self_path: &[String],
    pos: Pos,
    env: &Env,
    depth: usize,
) -> Result<Option<Value>> {
    if depth > 64 {
        return Err(HoconError {
            pos,
            message: "substitutions nested too deeply".into(),
        });
    }
    let Pending { pieces, prev } = pending;
    // The value this one replaced, resolved itself if it held substitutions.
    let prev_value = match prev {
        Some(Node {
            value: Value::Pending(p),
            pos: ppos,
        }) => resolve_pending(top, *p, self_path, ppos, env, depth + 1)?,
        Some(n) => Some(n.value),
        None => None,
    };
    let n = pieces.len();
    let mut out: Vec<Piece> = Vec::new();
    for (idx, piece) in pieces.into_iter().enumerate() {
        let Piece::Subst {
            path: var,
            raw,
            optional,
            ws,
            pos: spos,
        } = piece
        else {
            out.push(piece);
            continue;
        };
        let found: Option<Value> = if var == self_path {
            // A self-reference is the value this one replaced.
            match &prev_value {
                Some(v) => Some(v.clone()),
                None => env.lookup(&raw).map(Value::Str),
            }
        } else {
            lookup_resolving(top, &var, env, depth)?.or_else(|| env.lookup(&raw).map(Value::Str))
        };
        match found {
            Some(Value::Str(s)) if s == RESOLVING => {
                return Err(HoconError {
                    pos: spos,
                    message: format!("cannot resolve ${{{raw}}}: it refers to itself (a cycle)"),
                });
            }
            Some(Value::Null) | None if optional => {}
            None => {
                return Err(HoconError {
                    pos: spos,
                    message: format!(
                        "cannot resolve ${{{raw}}}: no such setting and no such environment variable"
                    ),
                });
            }
            Some(v @ (Value::Object(_) | Value::List(_) | Value::Pending(_))) => {
                out.push(Piece::Value(Node {
                    value: v,
                    pos: spos,
                }))
            }
            Some(v) if idx + 1 < n => {
                let text = if let Value::Str(s) = &v {
                    s.clone()
                } else {
                    v.concat_text()
                };
                out.push(Piece::Unquoted(text + &ws));
            }
            Some(v) => out.push(Piece::Value(Node {
                value: v,
                pos: spos,
            })),
        }
    }
    if out.is_empty() {
        // `a: 1` then `a: ${?UNSET}` keeps 1.
        return Ok(prev_value);
    }
    let resolved = concat(out, pos.clone(), None).map_err(|m| HoconError { pos, message: m })?;
    Ok(Some(resolved.value))
}

fn drop_at(top: &mut Value, path: &[Seg]) {
    let (last, parent) = path.split_last().unwrap();
    let container = if parent.is_empty() {
        Some(top)
    } else {
        node_at_mut(top, parent).map(|n| &mut n.value)
    };
    match (container, last) {
        (Some(Value::Object(o)), Seg::Key(k)) => {
            o.remove(k);
        }
        (Some(Value::List(l)), Seg::Index(i)) => {
            if let Some(n) = l.get_mut(*i) {
                n.value = Value::Null;
            }
        }
        _ => {}
    }
}

/// Look a substitution path up in the document, resolving pending values on the way.
fn lookup_resolving(
    top: &mut Value,
    var: &[String],
    env: &Env,
    depth: usize,
) -> Result<Option<Value>> {
    let mut walked: Vec<Seg> = Vec::new();
    for seg in var {
        walked.push(Seg::Key(seg.clone()));
        let Some(node) = node_at_mut(top, &walked) else {
            return Ok(None);
        };
        if matches!(node.value, Value::Pending(_)) {
            resolve_at(top, &walked, env, depth + 1)?;
        }
        let Some(node) = node_at_mut(top, &walked) else {
            return Ok(None);
        };
        if !matches!(node.value, Value::Object(_)) && walked.len() < var.len() {
            return Ok(None);
        }
    }
    Ok(node_at_mut(top, &walked).map(|n| n.value.clone()))
}
