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
    // Three reports four minutes apart: two CPU cores, one GPU, 1 of 4 GiB used, then more.
    for (k, (cpu, gpu, used)) in [
        (10.0, 50.0, 1024.0),
        (30.0, 70.0, 2048.0),
        (50.0, 90.0, 3072.0),
    ]
    .into_iter()
    .enumerate()
    {
        ok(
            &s,
            &tok,
            "workers.status_report",
            json!({"worker": worker, "timestamp": now_ms - (9 - 4 * k as i64) * 60_000,
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
        assert_eq!(l[1], 3, "{l}");
        // Rising in each series: screen y falls.
        let ys: Vec<f64> = serde_json::from_value(l[2].clone()).unwrap();
        assert!(ys[0] > ys[1] && ys[1] > ys[2], "{l}");
    }
    assert_eq!(
        b.eval("document.querySelector('.utilization svg text').textContent"),
        worker
    );
}
