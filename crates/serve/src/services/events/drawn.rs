//! The scalar curves the pages draw (the Scalars tab and the compare page): the
//! histogram call's tasks, checks and sample budget, but a long series is read from the
//! stored buckets (`store::scalar_buckets`) instead of row by row, and each bucket keeps
//! what a chart must not lose: a spike in a bucket is drawn as its min and max, the line
//! starts at the first iteration and ends at the last value. Series short enough to draw
//! every point are read and drawn as before.

use super::histogram::{
    Curve, Curves, add_curve, buckets, histogram_params, multi_task_curves, scalar_rows,
};
use super::multi_tasks;
use crate::Call;
use crate::envelope::ApiError;
use crate::store::{Bucket, SCALAR_LEVELS, Store};

/// A bucket whose values spread less than this share of its series' range is drawn as its
/// mean: under a pixel of a chart's height, which the series' range at most fills.
const FLAT: f64 = 1.0 / 512.0;

/// How a series is read: every row (`0`), or the buckets of a stored level, merged into
/// buckets of 2^`bits` iterations.
#[derive(Clone, Copy, PartialEq, Debug)]
struct Plan {
    stored: u32,
    bits: u32,
}

/// The plan for `all` points over iterations `lo..=hi` at `samples` points: the histogram's
/// bucket width rounded up to a power of two (so stored buckets merge into it exactly)
/// and read from the coarsest stored level no wider than that.
fn plan(all: &Bucket, samples: usize) -> Plan {
    let range = all.hi as f64 - all.lo as f64 + 1.0;
    let width = if samples > 0 && all.n as usize >= samples {
        (range / samples as f64).ceil().max(1.0)
    } else {
        1.0
    };
    let bits = (width.log2().ceil() as u32).min(62);
    let stored = SCALAR_LEVELS
        .iter()
        .copied()
        .filter(|l| *l <= bits)
        .max()
        .unwrap_or(0);
    Plan { stored, bits }
}

/// The points of a series from its buckets (in iteration order) merged to 2^`bits`
/// iterations: a bucket is its mean at its first iteration, or its min and max (the one
/// nearer the line's last point first) when they spread more than `flat`; the line ends
/// at (`all.hi`, `last`).
fn points(stored: &[Bucket], bits: u32, all: &Bucket, last: Option<f64>, log: bool) -> Curve {
    let flat = if log { 0.0 } else { (all.max - all.min) * FLAT };
    let mut x = Vec::new();
    let mut y = Vec::new();
    let mut draw = |b: &Bucket| {
        let mean = b.sum / b.n as f64;
        if b.n == 1 || b.max - b.min <= flat {
            x.push(b.lo as f64);
            y.push(mean);
            return;
        }
        let prev = y.last().copied().unwrap_or(mean);
        let (first, second) = if (prev - b.min).abs() <= (prev - b.max).abs() {
            (b.min, b.max)
        } else {
            (b.max, b.min)
        };
        x.extend([b.lo as f64, b.hi as f64]);
        y.extend([first, second]);
    };
    let mut cur: Option<Bucket> = None;
    for b in stored {
        match &mut cur {
            Some(c) if c.lo >> bits == b.lo >> bits => c.merge(b),
            _ => {
                if let Some(c) = cur.replace(*b) {
                    draw(&c);
                }
            }
        }
    }
    if let Some(c) = cur {
        draw(&c);
    }
    if let Some(v) = last {
        let end = (all.hi as f64, v);
        if x.last().copied().zip(y.last().copied()) != Some(end) {
            x.push(end.0);
            y.push(end.1);
        }
    }
    Curve {
        task: String::new(),
        x,
        y,
    }
}

/// One task's curves, by (metric, variant) in that order, of the metrics in `filter`.
fn task_curves(
    store: &Store,
    task: &str,
    filter: Option<&[(String, Vec<String>)]>,
    samples: usize,
    log: bool,
) -> Result<Vec<(String, String, Curve)>, ApiError> {
    let wanted = |m: &str, v: &str| {
        filter.is_none_or(|f| {
            f.iter()
                .any(|(fm, fv)| fm == m && (fv.is_empty() || fv.iter().any(|x| x == v)))
        })
    };
    let series: Vec<(String, String, Bucket, Plan)> = store
        .scalar_series(task, None)?
        .into_iter()
        .filter(|(m, v, _)| wanted(m, v))
        .map(|(m, v, all)| {
            let p = plan(&all, samples);
            (m, v, all, p)
        })
        .collect();
    // Every row of the series drawn point by point, in one read when that is all of them.
    let raw: Vec<(String, Vec<String>)> = series
        .iter()
        .filter(|s| s.3.stored == 0)
        .map(|(m, v, ..)| (m.clone(), vec![v.clone()]))
        .collect();
    let mut rows = if raw.is_empty() {
        Default::default()
    } else if filter.is_none() && raw.len() == series.len() {
        scalar_rows(store, task, None)?
    } else {
        scalar_rows(store, task, Some(raw.as_slice()))?
    };
    // The stored buckets, in one read when every series is of one level.
    let one_level = series
        .first()
        .map(|s| s.3.stored)
        .filter(|l| *l > 0 && filter.is_none() && series.iter().all(|s| s.3.stored == *l));
    let mut stored: std::collections::HashMap<(String, String), Vec<Bucket>> = Default::default();
    if let Some(level) = one_level {
        let mut current: Option<((String, String), Vec<Bucket>)> = None;
        store.for_each_bucket(task, level, None, |m, v, b| match &mut current {
            Some(((cm, cv), list)) if cm == m && cv == v => list.push(b),
            _ => {
                if let Some((k, list)) = current.replace(((m.into(), v.into()), vec![b])) {
                    stored.insert(k, list);
                }
            }
        })?;
        if let Some((k, list)) = current {
            stored.insert(k, list);
        }
    }
    let mut out = Vec::new();
    for (m, v, all, p) in series {
        let key = (m, v);
        let curve = if p.stored == 0 && p.bits > 0 {
            // Finer than any stored level: the rows as buckets of one point each.
            let mut pts = rows.remove(&key).unwrap_or_default();
            pts.sort_by_key(|p| p.0);
            let last = pts.last().map(|p| p.2);
            let unit: Vec<Bucket> = pts.iter().map(|&(i, _, v)| Bucket::point(i, v)).collect();
            points(&unit, p.bits, &all, last, log)
        } else if p.stored == 0 {
            let pts = rows.remove(&key).unwrap_or_default();
            let (x, y) = buckets(&pts, true, samples)
                .into_iter()
                .map(|(x, y)| (x as f64, y))
                .unzip();
            Curve {
                task: String::new(),
                x,
                y,
            }
        } else {
            let list = match stored.remove(&key) {
                Some(list) => list,
                None => {
                    let mut list = Vec::new();
                    store.for_each_bucket(task, p.stored, Some((&key.0, &key.1)), |_, _, b| {
                        list.push(b)
                    })?;
                    list
                }
            };
            let last = store.scalar_at(task, &key.0, &key.1, all.hi)?;
            points(&list, p.bits, &all, last, log)
        };
        out.push((key.0, key.1, curve));
    }
    Ok(out)
}

/// The curves of `events.multi_task_scalar_metrics_iter_histogram`'s tasks as the pages
/// draw them (`log`: for a log y axis, where any spread shows); by wall time they are
/// that call's averaged buckets (`multi_task_curves`): the stored buckets are by
/// iteration.
pub fn drawn_curves(call: &mut Call, log: bool) -> Result<Curves, ApiError> {
    let (samples, key, filter) = histogram_params(&call.body)?;
    if key != "iter" {
        return multi_task_curves(call);
    }
    let tasks = multi_tasks(call)?;
    let mut out: Curves = Vec::new();
    for (t, _) in tasks {
        for (m, v, mut curve) in task_curves(call.store, &t, filter.as_deref(), samples, log)? {
            curve.task = t.clone();
            add_curve(&mut out, m, v, curve);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(lo: i64, hi: i64, vals: &[f64]) -> Bucket {
        Bucket {
            n: vals.len() as i64,
            sum: vals.iter().sum(),
            min: vals.iter().copied().fold(f64::INFINITY, f64::min),
            max: vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            lo,
            hi,
        }
    }

    #[test]
    fn the_plan_rounds_the_histogram_width_up_to_a_power_of_two_and_reads_a_finer_level() {
        let all = |n: i64| b(0, n - 1, &vec![0.0; n as usize]);
        assert_eq!(plan(&all(500), 1333), Plan { stored: 0, bits: 0 });
        assert_eq!(plan(&all(500), 400), Plan { stored: 0, bits: 1 });
        assert_eq!(plan(&all(500), 200), Plan { stored: 2, bits: 2 });
        assert_eq!(plan(&all(20_000), 1000), Plan { stored: 5, bits: 5 });
        assert_eq!(plan(&all(50_000), 1000), Plan { stored: 5, bits: 6 });
        assert_eq!(
            plan(&all(10_000_000), 1000),
            Plan {
                stored: 14,
                bits: 14
            }
        );
        // Iterations far apart: the width follows the range, not the count.
        let sparse = Bucket {
            n: 3000,
            lo: i64::MIN,
            hi: i64::MAX,
            ..all(1)
        };
        assert_eq!(plan(&sparse, 1000).stored, 14);
    }

    #[test]
    fn a_spike_keeps_its_height_the_line_its_ends_and_flat_buckets_their_mean() {
        // Width-2 stored buckets merged into width 4: iterations 3..=12, a spike at 9.
        let stored = [
            b(3, 3, &[1.0]),
            b(4, 5, &[1.0, 1.0]),
            b(6, 7, &[1.0, 1.0]),
            b(8, 9, &[1.0, 50.0]),
            b(10, 11, &[1.0, 1.0]),
            b(12, 12, &[0.25]),
        ];
        let all = b(3, 12, &[1.0, 50.0, 0.25]);
        let c = points(&stored, 2, &all, Some(0.25), false);
        assert_eq!(c.x, [3.0, 4.0, 8.0, 11.0, 12.0]);
        assert_eq!(c.y, [1.0, 1.0, 1.0, 50.0, 0.25]);
        // The last value ends the line even when its bucket is drawn as a mean.
        let c = points(&[b(0, 7, &[2.0; 8])], 3, &b(0, 7, &[2.0]), Some(2.5), false);
        assert_eq!((c.x, c.y), (vec![0.0, 7.0], vec![2.0, 2.5]));
        // On a log axis any spread is drawn.
        let c = points(
            &[b(0, 1, &[1.0, 1.001])],
            1,
            &b(0, 9, &[0.0, 100.0]),
            None,
            true,
        );
        assert_eq!(c.y.len(), 2);
    }
}
