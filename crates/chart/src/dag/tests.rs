use super::*;

/// Points along a route as [`path_d`] draws it: each bend as its cubic, each lane run
/// as its line.
fn samples(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for (k, pair) in points.windows(2).enumerate() {
        let ((xa, ya), (xb, yb)) = (pair[0], pair[1]);
        let mx = (xa + xb) / 2.0;
        for s in 0..=64 {
            let t = s as f64 / 64.0;
            out.push(if k % 2 == 0 {
                let u = 1.0 - t;
                let x =
                    u * u * u * xa + 3.0 * u * u * t * mx + 3.0 * u * t * t * mx + t * t * t * xb;
                let y =
                    u * u * u * ya + 3.0 * u * u * t * ya + 3.0 * u * t * t * yb + t * t * t * yb;
                (x, y)
            } else {
                (xa + (xb - xa) * t, ya + (yb - ya) * t)
            });
        }
    }
    out
}

/// (route index, node index) for every route that passes through a box it does not
/// connect.
fn hidden_edges(l: &Layout, d: Dims) -> Vec<(usize, usize)> {
    let mut bad = Vec::new();
    for (r, route) in l.routes.iter().enumerate() {
        for (i, &(x, y)) in l.nodes.iter().enumerate() {
            if i == route.from || i == route.to {
                continue;
            }
            let inside = |&(px, py): &(f64, f64)| {
                px > x + 0.5 && px < x + d.w - 0.5 && py > y + 0.5 && py < y + d.h - 0.5
            };
            if samples(&route.points).iter().any(inside) {
                bad.push((r, i));
            }
        }
    }
    bad
}

fn overlapping_boxes(l: &Layout, d: Dims) -> usize {
    let mut n = 0;
    for (i, a) in l.nodes.iter().enumerate() {
        for b in &l.nodes[i + 1..] {
            if (a.0 - b.0).abs() < d.w && (a.1 - b.1).abs() < d.h {
                n += 1;
            }
        }
    }
    n
}

/// Crossings between edges of adjacent columns, by the centres the layout gave.
fn crossings(l: &Layout, edges: &[(usize, usize)], d: Dims) -> usize {
    let c = |i: usize| l.nodes[i].1 + d.h / 2.0;
    let mut n = 0;
    for (k, &(p, q)) in edges.iter().enumerate() {
        for &(r, s) in &edges[k + 1..] {
            if l.nodes[p].0 == l.nodes[r].0 && (c(p) - c(r)) * (c(q) - c(s)) < 0.0 {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn a_diamonds_long_edge_goes_around_the_middle_step() {
    // preprocess → train_model, preprocess → evaluate, train_model → evaluate.
    let edges = [(0, 1), (0, 2), (1, 2)];
    let d = Dims::default();
    assert_eq!(levels(3, &edges), vec![0, 1, 2]);
    let l = layout(3, &edges, d);
    assert_eq!(hidden_edges(&l, d), vec![]);
    // The long edge has a lane in the middle column, outside train_model's box.
    let long = &l.routes[1];
    assert_eq!((long.points.len(), long.direct), (4, false));
    let (tx, ty) = l.nodes[1];
    assert_eq!(long.points[1].0, tx);
    let lane_y = long.points[1].1;
    assert!(lane_y < ty || lane_y > ty + d.h, "{lane_y} in {ty}..");
    // Each route starts on its parent's right side and ends on its child's left side.
    for r in &l.routes {
        let (px, py) = l.nodes[r.from];
        let (cx, cy) = l.nodes[r.to];
        assert_eq!(r.points[0], (px + d.w, py + d.h / 2.0));
        assert_eq!(*r.points.last().unwrap(), (cx, cy + d.h / 2.0));
    }
    assert!(path_d(&long.points).starts_with("M"));
    assert_eq!(path_d(&long.points).matches('C').count(), 2);
    assert_eq!(path_d(&long.points).matches('L').count(), 1);
}

#[test]
fn barycenter_sweeps_undo_a_crossing_the_input_order_makes() {
    // a, b in the first column; c (child of b) listed before d (child of a).
    let edges = [(0, 3), (1, 2)];
    let d = Dims::default();
    let l = layout(4, &edges, d);
    assert_eq!(crossings(&l, &edges, d), 0);
}

#[test]
fn a_wide_dag_has_no_hidden_edges_and_no_overlapping_boxes() {
    // Deterministic pseudo-random DAGs: edges only forward, some spanning many columns.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m as u64) as usize
    };
    let d = Dims::default();
    for n in [5usize, 12, 30, 60] {
        let mut edges = Vec::new();
        for c in 1..n {
            for _ in 0..1 + next(3) {
                let p = next(c);
                if !edges.contains(&(p, c)) {
                    edges.push((p, c));
                }
            }
        }
        let l = layout(n, &edges, d);
        assert_eq!(hidden_edges(&l, d), vec![], "n={n} {edges:?}");
        assert_eq!(overlapping_boxes(&l, d), 0, "n={n}");
        assert!(l.routes.iter().all(|r| !r.direct));
        let right = l.nodes.iter().map(|p| p.0 + d.w).fold(0.0, f64::max);
        let low = l.nodes.iter().map(|p| p.1 + d.h).fold(0.0, f64::max);
        assert!(right <= l.width && low <= l.height);
    }
}

#[test]
fn cycles_and_long_chains_finish() {
    let l = layout(2, &[(0, 1), (1, 0)], Dims::default());
    assert!(l.routes.iter().any(|r| r.direct));
    let chain: Vec<(usize, usize)> = (1..5000).map(|i| (i - 1, i)).collect();
    let l = layout(5000, &chain, Dims::default());
    assert_eq!(l.routes.len(), 4999);
    assert!(l.routes.iter().all(|r| r.points.len() == 2));
    assert_eq!(layout(0, &[], Dims::default()).width, 32.0);
}
