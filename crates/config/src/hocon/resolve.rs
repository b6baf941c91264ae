//! Substitutions: `${path}` against the document (then the environment), `${?path}`
//! optional, self-references to the value being replaced, cycles reported.

use super::{
    Env, HoconError, MAX_DEPTH, MAX_EXPANSION_BYTES, Node, Object, Pending, Piece, Pos, Result,
    Value, concat,
};

/// What resolution carries along: the environment and what copies may still cost.
struct Ctx<'a, 'e> {
    env: &'a Env<'e>,
    /// Bytes substitutions may still copy (MAX_EXPANSION_BYTES for the whole document).
    budget: usize,
}

impl Ctx<'_, '_> {
    /// Account for copying `value` into a substitution; refuse once the budget is spent.
    fn charge(&mut self, value: &Value, pos: &Pos) -> Result<()> {
        let (size, _) = measure(value);
        self.budget = self.budget.checked_sub(size).ok_or_else(|| {
            HoconError::limit(
                pos.clone(),
                format!(
                    "substitutions expand to more than {} MiB (a ${{x}}${{x}} chain?); write the value out",
                    MAX_EXPANSION_BYTES >> 20
                ),
            )
        })?;
        Ok(())
    }
}

/// Size in bytes (roughly what it holds) and depth of a value. The recursion is bounded:
/// the parser keeps every tree within MAX_DEPTH and resolution checks what it builds.
fn measure(value: &Value) -> (usize, usize) {
    match value {
        Value::Str(s) => (s.len() + 8, 0),
        Value::List(l) => l.iter().fold((8, 1), |(size, depth), n| {
            let (s, d) = measure(&n.value);
            (size.saturating_add(s), depth.max(d + 1))
        }),
        Value::Object(o) => o.iter().fold((8, 1), |(size, depth), (k, n)| {
            let (s, d) = measure(&n.value);
            (size.saturating_add(s + k.len()), depth.max(d + 1))
        }),
        Value::Pending(p) => {
            let mut out: (usize, usize) = (8, 1);
            for piece in &p.pieces {
                let (s, d) = match piece {
                    Piece::Unquoted(t) => (t.len(), 0),
                    Piece::Quoted(t, w) => (t.len() + w.len(), 0),
                    Piece::Value(n) => measure(&n.value),
                    Piece::Subst { raw, .. } => (raw.len(), 0),
                };
                out = (out.0.saturating_add(s), out.1.max(d + 1));
            }
            out
        }
        _ => (8, 0),
    }
}

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
            for (k, n) in o.iter() {
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
    let mut ctx = Ctx {
        env,
        budget: MAX_EXPANSION_BYTES,
    };
    // One walk finds every pending value (resolving one may resolve others on the way,
    // which resolve_at then skips); walk again only for pending values a substitution
    // copied into new places. Re-walking after each value made this quadratic.
    loop {
        let mut paths = Vec::new();
        pending_paths(&top, &mut Vec::new(), &mut paths);
        if paths.is_empty() {
            break;
        }
        for path in paths {
            resolve_at(&mut top, &path, &mut ctx, 0)?;
        }
    }
    *root = match top {
        Value::Object(o) => o,
        _ => unreachable!(),
    };
    Ok(())
}

/// Resolve the pending value at `path` (and, recursively, what it refers to).
fn resolve_at(top: &mut Value, path: &[Seg], ctx: &mut Ctx, depth: usize) -> Result<()> {
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
    match resolve_pending(top, *pending, &self_path, pos.clone(), ctx, depth)? {
        Some(value) => {
            // The value lands `path.len()` levels down; keep every tree within bounds
            // (`a: {b: ${a}}` repeated would otherwise nest without end).
            if path.len() + measure(&value).1 > MAX_DEPTH {
                return Err(HoconError::limit(
                    pos,
                    format!(
                        "substitutions nest values deeper than {MAX_DEPTH} levels; flatten the file"
                    ),
                ));
            }
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
    ctx: &mut Ctx,
    depth: usize,
) -> Result<Option<Value>> {
    if depth > 64 {
        return Err(HoconError::limit(
            pos,
            "substitutions refer to substitutions more than 64 deep; write some values out",
        ));
    }
    let Pending { pieces, prev } = pending;
    // The value this one replaced, resolved itself if it held substitutions.
    let prev_value = match prev {
        Some(Node {
            value: Value::Pending(p),
            pos: ppos,
        }) => resolve_pending(top, *p, self_path, ppos, ctx, depth + 1)?,
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
                Some(v) => {
                    ctx.charge(v, &spos)?;
                    Some(v.clone())
                }
                None => ctx.env.lookup(&raw).map(Value::Str),
            }
        } else {
            match lookup_resolving(top, &var, ctx, depth, &spos)? {
                Some(v) => Some(v),
                None => ctx.env.lookup(&raw).map(Value::Str),
            }
        };
        match found {
            Some(Value::Str(s)) if s == RESOLVING => {
                return Err(HoconError::new(
                    spos,
                    format!("cannot resolve ${{{raw}}}: it refers to itself (a cycle)"),
                ));
            }
            Some(Value::Null) | None if optional => {}
            None => {
                return Err(HoconError::new(
                    spos,
                    format!(
                        "cannot resolve ${{{raw}}}: no such setting and no such environment variable"
                    ),
                ));
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
    let resolved = concat(out, pos.clone(), None).map_err(|m| HoconError::new(pos, m))?;
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
    ctx: &mut Ctx,
    depth: usize,
    at: &Pos,
) -> Result<Option<Value>> {
    let mut walked: Vec<Seg> = Vec::new();
    for seg in var {
        walked.push(Seg::Key(seg.clone()));
        let Some(node) = node_at_mut(top, &walked) else {
            return Ok(None);
        };
        if matches!(node.value, Value::Pending(_)) {
            resolve_at(top, &walked, ctx, depth + 1)?;
        }
        let Some(node) = node_at_mut(top, &walked) else {
            return Ok(None);
        };
        if !matches!(node.value, Value::Object(_)) && walked.len() < var.len() {
            return Ok(None);
        }
    }
    let Some(node) = node_at_mut(top, &walked) else {
        return Ok(None);
    };
    // Charge before copying: the copy is what grows exponentially.
    ctx.charge(&node.value, at)?;
    Ok(Some(node.value.clone()))
}
