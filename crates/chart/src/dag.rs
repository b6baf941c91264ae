//! A layered (Sugiyama-style) layout for drawing a DAG left to right: each node in the
//! column of its longest path from a root, the order within a column chosen by barycenter
//! sweeps to reduce crossings, and every edge longer than one column routed through its
//! own lane in the columns it spans. So an edge only runs in the gaps between columns or
//! in a lane that no node box occupies: it never passes behind a node it does not connect.
//! Pure geometry: the caller draws the boxes and turns routes into paths ([`path_d`]).

use std::collections::VecDeque;
use std::fmt::Write;

/// Sizes of the drawing, in SVG units.
#[derive(Debug, Clone, Copy)]
pub struct Dims {
    /// A node box's width and height.
    pub w: f64,
    pub h: f64,
    /// The gap between columns (where edges bend) and between boxes in one column.
    pub gap_x: f64,
    pub gap_y: f64,
    /// The margin around everything.
    pub pad: f64,
    /// The distance between a lane and its neighbour (box or lane) in a column.
    pub lane: f64,
}

impl Default for Dims {
    fn default() -> Self {
        Dims {
            w: 180.0,
            h: 54.0,
            gap_x: 70.0,
            gap_y: 24.0,
            pad: 16.0,
            lane: 12.0,
        }
    }
}

/// One edge's route: its start on the parent's right side, then for each column it
/// crosses the lane's entry and exit, then its end on the child's left side. Segments
/// alternate: a bend through a column gap (even index), a straight run in a lane (odd).
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub from: usize,
    pub to: usize,
    pub points: Vec<(f64, f64)>,
    /// The edge goes back or stays in its column (only on a cycle, which a valid
    /// pipeline has not, or past the lane budget): drawn direct, not routed.
    pub direct: bool,
}

/// Where everything goes: each node's box (top-left corner), each edge's route, and the
/// size of the whole drawing.
#[derive(Debug, Clone)]
pub struct Layout {
    pub nodes: Vec<(f64, f64)>,
    pub routes: Vec<Route>,
    pub width: f64,
    pub height: f64,
}

/// Lanes a layout makes at most: a DAG whose long edges span more columns in all is
/// drawn with the rest of its long edges direct, so the page stays bounded.
pub const MAX_LANES: usize = 200_000;
/// Barycenter sweeps (down and up) over the columns.
const SWEEPS: usize = 4;

/// Each node's column: one more than its deepest parent. Nodes in the order of their
/// parents (Kahn's algorithm), so the work is linear in nodes and edges; nodes on a
/// cycle (or after one) are placed after their placed parents.
pub fn levels(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waiting = vec![0usize; n];
    for &(p, c) in edges {
        children[p].push(c);
        waiting[c] += 1;
    }
    let mut level = vec![0usize; n];
    let mut ready: VecDeque<usize> = (0..n).filter(|&i| waiting[i] == 0).collect();
    while let Some(j) = ready.pop_front() {
        for &c in &children[j] {
            level[c] = level[c].max(level[j] + 1);
            waiting[c] -= 1;
            if waiting[c] == 0 {
                ready.push_back(c);
            }
        }
    }
    level
}

/// The layered graph: nodes and lane points ("dummies") per column, with each item's
/// neighbours in the column before and after.
struct Layered {
    /// The node an item is, or `None` for a lane point.
    node: Vec<Option<usize>>,
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
    columns: Vec<Vec<usize>>,
    /// Per edge: its items from parent to child, or empty when drawn direct.
    chains: Vec<Vec<usize>>,
}

impl Layered {
    fn build(n: usize, edges: &[(usize, usize)], level: &[usize]) -> Layered {
        let cols = level.iter().max().map_or(0, |m| m + 1);
        let mut g = Layered {
            node: (0..n).map(Some).collect(),
            up: vec![Vec::new(); n],
            down: vec![Vec::new(); n],
            columns: vec![Vec::new(); cols],
            chains: Vec::with_capacity(edges.len()),
        };
        for (i, &l) in level.iter().enumerate() {
            g.columns[l].push(i);
        }
        let mut lanes = 0usize;
        for &(p, c) in edges {
            let (lp, lc) = (level[p], level[c]);
            let span = lc.saturating_sub(lp + 1);
            if lc <= lp || lanes + span > MAX_LANES {
                g.chains.push(Vec::new());
                continue;
            }
            lanes += span;
            let mut chain = vec![p];
            for l in lp + 1..lc {
                let d = g.node.len();
                g.node.push(None);
                g.up.push(Vec::new());
                g.down.push(Vec::new());
                g.columns[l].push(d);
                chain.push(d);
            }
            chain.push(c);
            for pair in chain.windows(2) {
                g.down[pair[0]].push(pair[1]);
                g.up[pair[1]].push(pair[0]);
            }
            g.chains.push(chain);
        }
        g
    }

    /// Barycenter ordering: each column sorted by the mean position of its neighbours
    /// in the column just placed, sweeping down then up; items without such neighbours
    /// keep their place.
    fn order(&mut self) {
        let mut pos = vec![0.0f64; self.node.len()];
        for col in &self.columns {
            for (k, &i) in col.iter().enumerate() {
                pos[i] = k as f64;
            }
        }
        let cols = self.columns.len();
        for _ in 0..SWEEPS {
            for l in 1..cols {
                sort_column(&mut self.columns[l], &self.up, &mut pos);
            }
            for l in (0..cols.saturating_sub(1)).rev() {
                sort_column(&mut self.columns[l], &self.down, &mut pos);
            }
        }
    }
}

fn sort_column(col: &mut [usize], nbrs: &[Vec<usize>], pos: &mut [f64]) {
    let key = |i: usize, pos: &[f64]| {
        let n = &nbrs[i];
        if n.is_empty() {
            pos[i]
        } else {
            n.iter().map(|&j| pos[j]).sum::<f64>() / n.len() as f64
        }
    };
    let mut keyed: Vec<(f64, usize)> = col.iter().map(|&i| (key(i, pos), i)).collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (k, (_, i)) in keyed.into_iter().enumerate() {
        col[k] = i;
        pos[i] = k as f64;
    }
}

/// Lays out `n` nodes with edges `(parent, child)`: see the module's description.
pub fn layout(n: usize, edges: &[(usize, usize)], d: Dims) -> Layout {
    let level = levels(n, edges);
    let mut g = Layered::build(n, edges, &level);
    g.order();
    // Vertical places, column by column: each item as near the mean centre of its
    // neighbours in the column before as the items above it allow.
    let half = |i: usize| if g.node[i].is_some() { d.h / 2.0 } else { 0.0 };
    let mut centre = vec![0.0f64; g.node.len()];
    let mut bottom = d.pad;
    for col in &g.columns {
        let mut prev: Option<usize> = None;
        for &i in col {
            let want = if g.up[i].is_empty() {
                f64::MIN
            } else {
                g.up[i].iter().map(|&j| centre[j]).sum::<f64>() / g.up[i].len() as f64
            };
            let floor = match prev {
                None => d.pad + half(i),
                Some(p) => {
                    let sep = if g.node[p].is_some() && g.node[i].is_some() {
                        d.gap_y
                    } else {
                        d.lane
                    };
                    centre[p] + half(p) + sep + half(i)
                }
            };
            centre[i] = want.max(floor);
            bottom = bottom.max(centre[i] + half(i));
            prev = Some(i);
        }
    }
    let x = |l: usize| d.pad + l as f64 * (d.w + d.gap_x);
    let nodes: Vec<(f64, f64)> = (0..n)
        .map(|i| (x(level[i]), centre[i] - d.h / 2.0))
        .collect();
    let routes = edges
        .iter()
        .zip(&g.chains)
        .map(|(&(p, c), chain)| {
            let start = (nodes[p].0 + d.w, centre[p]);
            let end = (nodes[c].0, centre[c]);
            let mut points = vec![start];
            let lanes = chain.get(1..chain.len().saturating_sub(1)).unwrap_or(&[]);
            for (k, &i) in lanes.iter().enumerate() {
                let left = x(level[p] + 1 + k);
                points.push((left, centre[i]));
                points.push((left + d.w, centre[i]));
            }
            points.push(end);
            Route {
                from: p,
                to: c,
                points,
                direct: chain.is_empty(),
            }
        })
        .collect();
    let cols = g.columns.len();
    Layout {
        nodes,
        routes,
        width: d.pad * 2.0 + cols as f64 * (d.w + d.gap_x) - if cols > 0 { d.gap_x } else { 0.0 },
        height: bottom + d.pad,
    }
}

/// An SVG path for a route: a smooth bend through each column gap (its control points
/// stay inside the gap, so the curve does too) and a straight run along each lane.
pub fn path_d(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    let Some(&(x0, y0)) = points.first() else {
        return d;
    };
    let _ = write!(d, "M{x0},{y0}");
    for (k, pair) in points.windows(2).enumerate() {
        let ((xa, ya), (xb, yb)) = (pair[0], pair[1]);
        if k % 2 == 0 {
            let mx = (xa + xb) / 2.0;
            let _ = write!(d, " C{mx},{ya} {mx},{yb} {xb},{yb}");
        } else {
            let _ = write!(d, " L{xb},{yb}");
        }
    }
    d
}

#[cfg(test)]
mod tests;
