//! The steps as a graph: parents known, no cycle, an order to run them in.

use super::*;

/// Duplicate names, unknown parents and references, cycles; then the launch order.
pub(super) fn check_graph(spec: &mut Spec, p: &mut Vec<Problem>) {
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
pub(super) fn parent_indices(spec: &Spec) -> Vec<Vec<usize>> {
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
pub(super) fn find_cycle(spec: &Spec) -> Option<Vec<String>> {
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
pub(super) fn topo_order(spec: &Spec) -> Vec<usize> {
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
