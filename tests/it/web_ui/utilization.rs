//! Issue 25, missing 7: the workers page draws each worker's reported utilization (CPU,
//! GPU, memory in %) over the last hour, from the machine statistics of its status
//! reports (the shape clearml-agent sends).

use super::cdp;
use crate::common::Serve;
use crate::serve::{ok, token};
use serde_json::json;

#[test]
fn the_workers_page_draws_reported_utilization_over_time() {
    let s = Serve::start();
    let tok = token(&s);
    let worker = "gpu-узел-02:gpu0";
    ok(&s, &tok, "workers.register", json!({"worker": worker}));
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    // Reports 9, 5 and 1 minutes back and one stamped now: two CPU cores, one GPU, 1 of
    // 4 GiB used, then more. The newest is in the interval still under way, which the
    // server leaves out while under 90% of it is over (as the real server's
    // `bll/workers/stats.py` does): the page's window ends where that interval ends.
    for (ago_ms, (cpu, gpu, used)) in [
        (9 * 60_000, (10.0, 50.0, 1024.0)),
        (5 * 60_000, (30.0, 70.0, 2048.0)),
        (60_000, (50.0, 90.0, 3072.0)),
        (0, (70.0, 95.0, 3584.0)),
    ] {
        ok(
            &s,
            &tok,
            "workers.status_report",
            json!({"worker": worker, "timestamp": now_ms - ago_ms,
                   "machine_stats": {"cpu_usage": [cpu - 5.0, cpu + 5.0], "gpu_usage": [gpu],
                                     "memory_used": used, "memory_free": 4096.0 - used}}),
        );
    }
    let mut b = cdp::logged_in_browser(&s.web_url, 1280, 860);
    b.open(&format!("{}/workers-and-queues", s.web_url));
    assert!(b.console_errors().is_empty());
    let lines = b.eval(&format!(
        "[...document.querySelectorAll('.utilization[data-worker=\"{worker}\"] polyline')] \
           .map(p => [p.getAttribute('data-label'), p.getAttribute('points').trim().split(' ').length, \
                      p.getAttribute('points').trim().split(' ').map(xy => +xy.split(',')[1])])"
    ));
    let lines = lines.as_array().unwrap();
    let labels: Vec<&str> = lines.iter().map(|l| l[0].as_str().unwrap()).collect();
    assert_eq!(labels, ["CPU %", "GPU %", "Memory %"]);
    for l in lines {
        assert_eq!(l[1], 4, "{l}");
        // Rising in each series: screen y falls.
        let ys: Vec<f64> = serde_json::from_value(l[2].clone()).unwrap();
        assert!(ys.windows(2).all(|w| w[0] > w[1]), "{l}");
    }
    // The time axis spans the reports' minutes (the buckets are in ms, not seconds).
    let span = b.eval(&format!(
        "(() => {{ const svg = document.querySelector('.utilization[data-worker=\"{worker}\"] svg'); \
           return [+svg.getAttribute('data-x0'), +svg.getAttribute('data-x1')]; }})()"
    ));
    let (x0, x1) = (span[0].as_f64().unwrap(), span[1].as_f64().unwrap());
    let now = now_ms as f64;
    assert!(
        (now - 11.0 * 60_000.0..now - 8.0 * 60_000.0).contains(&x0)
            && (now - 60_000.0..now + 60_000.0).contains(&x1),
        "x from {x0} to {x1}, now {now}"
    );
    assert_eq!(
        b.eval("document.querySelector('.utilization svg text').textContent"),
        worker
    );
}

/// `workers.get_stats` reads whole seconds, `to_date`'s second to its last millisecond,
/// and leaves out the interval `to_date` falls in while under 90% of it is over, as the
/// real server does (`dates_range` in `bll/query/builder.py`, the `cutoff_date` of
/// `bll/workers/stats.py`). Bucket dates are milliseconds, as Elasticsearch's keys are.
#[test]
fn worker_stats_read_to_dates_whole_second_and_leave_out_an_unfinished_interval() {
    let s = Serve::start();
    let tok = token(&s);
    let worker = "stats-узел:0";
    ok(&s, &tok, "workers.register", json!({"worker": worker}));
    // `to` is a minute's last second: 59 s into its interval, over 90% of it.
    let minute: i64 = 1_796_500_020 / 60 * 60;
    let to = minute + 59;
    let report = |ms: i64, cpu: f64| {
        ok(
            &s,
            &tok,
            "workers.status_report",
            json!({"worker": worker, "timestamp": ms, "machine_stats": {"cpu_usage": [cpu]}}),
        );
    };
    report((minute - 61) * 1000, 10.0);
    report((minute + 10) * 1000, 20.0);
    // Half a second into `to`'s second: in range.
    report(to * 1000 + 500, 30.0);
    let stats = |from: i64, to: i64| {
        let r = ok(
            &s,
            &tok,
            "workers.get_stats",
            json!({"worker_ids": [worker], "from_date": from, "to_date": to, "interval": 60,
                   "items": [{"key": "cpu_usage", "aggregation": "max"}]}),
        );
        let st = &r["workers"][0]["metrics"][0]["stats"][0];
        let dates: Vec<i64> = serde_json::from_value(st["dates"].clone()).unwrap();
        let values: Vec<f64> = serde_json::from_value(st["values"].clone()).unwrap();
        (dates, values)
    };
    let (dates, values) = stats(to - 180, to);
    assert_eq!(dates.last(), Some(&(minute * 1000)), "{dates:?}");
    assert_eq!(values.last(), Some(&30.0), "{values:?}");
    assert!(values.contains(&10.0), "{values:?}");
    // 20 s into the minute: its interval is left out, though a report is in range.
    let (dates, values) = stats(to - 180, minute + 20);
    assert_eq!(dates.last(), Some(&((minute - 60) * 1000)), "{dates:?}");
    assert_eq!(values.last(), Some(&0.0), "{values:?}");
}
