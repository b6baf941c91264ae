//! The endpoints `serve` answers, each with the API versions it exists in: the first
//! version is the one the real server's schema files
//! (`clearml-server-v2.3/schema/<service>.conf`) declare first for it. The router asks
//! this table before anything else, so an unknown name, a version below an endpoint's
//! first one and a version past a retired endpoint's last one are answered in one place.

/// An API version `major.minor` (`999` = 999.0), compared numerically (2.9 < 2.13).
pub type Version = (u32, u32);

/// One endpoint and the versions it is served for.
pub struct Endpoint {
    pub name: &'static str,
    /// The first version the endpoint exists in.
    pub since: Version,
    /// For a retired endpoint: its last version and what to use instead; later versions
    /// get 301/1 (no `Location`), as from the real server.
    pub retired: Option<(Version, &'static str)>,
    /// Needs credentials (a bad token on an open endpoint is ignored, not refused).
    pub authorize: bool,
}

const fn ep(name: &'static str, since: Version) -> Endpoint {
    Endpoint {
        name,
        since,
        retired: None,
        authorize: true,
    }
}

const fn open(mut e: Endpoint) -> Endpoint {
    e.authorize = false;
    e
}

const fn retired(mut e: Endpoint, last: Version, instead: &'static str) -> Endpoint {
    e.retired = Some((last, instead));
    e
}

pub const ENDPOINTS: &[Endpoint] = &[
    // auth
    ep("auth.login", (2, 1)),
    ep("auth.validate_token", (2, 1)),
    ep("auth.create_credentials", (2, 1)),
    ep("auth.get_credentials", (2, 1)),
    ep("auth.revoke_credentials", (2, 1)),
    ep("auth.edit_credentials", (2, 19)),
    // debug
    open(ep("debug.ping", (2, 9))),
    // server
    ep("server.info", (2, 1)),
    ep("server.report_stats_option", (2, 4)),
    ep("server.get_stats", (2, 1)),
    ep("server.config", (2, 1)),
    ep("server.endpoints", (2, 1)),
    // login
    open(ep("login.supported_modes", (2, 9))),
    // users
    ep("users.get_current_user", (2, 1)),
    ep("users.get_by_id", (2, 1)),
    ep("users.get_all", (2, 1)),
    ep("users.get_all_ex", (2, 1)),
    ep("users.get_preferences", (2, 1)),
    ep("users.set_preferences", (2, 1)),
    // events
    ep("events.add", (2, 1)),
    ep("events.add_batch", (2, 1)),
    ep("events.get_task_latest_scalar_values", (2, 1)),
    ep("events.scalar_metrics_iter_histogram", (2, 1)),
    ep("events.multi_task_scalar_metrics_iter_histogram", (2, 1)),
    ep("events.get_scalar_metrics_and_variants", (2, 1)),
    ep("events.get_vector_metrics_and_variants", (2, 1)),
    ep("events.get_task_metrics", (2, 7)),
    ep("events.get_task_log", (1, 5)),
    ep("events.get_task_events", (2, 1)),
    ep("events.get_scalar_metric_data", (2, 1)),
    ep("events.scalar_metrics_iter_raw", (2, 16)),
    ep("events.get_task_plots", (2, 1)),
    ep("events.get_multi_task_plots", (2, 1)),
    ep("events.debug_images", (2, 1)),
    ep("events.get_debug_image_sample", (2, 12)),
    ep("events.next_debug_image_sample", (2, 12)),
    ep("events.get_plot_sample", (2, 20)),
    ep("events.next_plot_sample", (2, 20)),
    ep("events.plots", (2, 20)),
    ep("events.get_task_single_value_metrics", (2, 20)),
    ep("events.delete_for_task", (2, 1)),
    ep("events.clear_scroll", (2, 18)),
    ep("events.clear_task_log", (2, 19)),
    ep("events.get_multi_task_metrics", (2, 28)),
    // models
    ep("models.create", (2, 1)),
    ep("models.edit", (2, 1)),
    ep("models.update", (2, 1)),
    ep("models.get_by_id", (2, 1)),
    ep("models.get_by_task_id", (2, 1)),
    ep("models.get_all", (2, 1)),
    ep("models.get_all_ex", (2, 1)),
    ep("models.set_ready", (2, 1)),
    ep("models.publish_many", (2, 13)),
    ep("models.archive_many", (2, 13)),
    ep("models.unarchive_many", (2, 13)),
    ep("models.delete", (2, 1)),
    ep("models.delete_many", (2, 13)),
    ep("models.add_or_update_metadata", (2, 13)),
    ep("models.delete_metadata", (2, 13)),
    retired(
        ep("models.update_for_task", (2, 1)),
        (2, 13),
        "use tasks.add_or_update_model",
    ),
    ep("models.get_frameworks", (2, 8)),
    ep("models.move", (2, 12)),
    // projects
    ep("projects.create", (2, 1)),
    ep("projects.get_all", (2, 1)),
    ep("projects.get_all_ex", (2, 1)),
    ep("projects.get_by_id", (2, 1)),
    ep("projects.update", (2, 1)),
    ep("projects.delete", (2, 1)),
    ep("projects.validate_delete", (2, 14)),
    ep("projects.get_unique_metric_variants", (2, 1)),
    ep("projects.get_hyper_parameters", (2, 9)),
    ep("projects.get_task_tags", (2, 8)),
    ep("projects.get_model_tags", (2, 8)),
    ep("projects.get_task_parents", (2, 12)),
    ep("projects.get_hyperparam_values", (2, 13)),
    ep("projects.merge", (2, 13)),
    ep("projects.move", (2, 13)),
    // queues
    ep("queues.create", (2, 4)),
    ep("queues.get_by_id", (2, 4)),
    ep("queues.get_all", (2, 4)),
    ep("queues.get_all_ex", (2, 4)),
    ep("queues.get_default", (2, 4)),
    ep("queues.get_next_task", (2, 4)),
    ep("queues.get_num_entries", (2, 15)),
    ep("queues.update", (2, 4)),
    ep("queues.delete", (2, 4)),
    ep("queues.add_task", (2, 4)),
    ep("queues.remove_task", (2, 4)),
    ep("queues.clear_queue", (2, 31)),
    ep("queues.move_task_to_front", (2, 4)),
    ep("queues.move_task_to_back", (2, 4)),
    ep("queues.move_task_forward", (2, 4)),
    ep("queues.move_task_backward", (2, 4)),
    ep("queues.peek_task", (2, 15)),
    ep("queues.get_queue_metrics", (2, 4)),
    ep("queues.add_or_update_metadata", (2, 13)),
    ep("queues.delete_metadata", (2, 13)),
    // tasks
    ep("tasks.create", (2, 1)),
    ep("tasks.get_by_id", (2, 1)),
    ep("tasks.get_all", (2, 1)),
    ep("tasks.get_all_ex", (2, 1)),
    ep("tasks.edit", (2, 1)),
    ep("tasks.update", (2, 1)),
    ep("tasks.started", (2, 1)),
    ep("tasks.completed", (2, 2)),
    ep("tasks.stopped", (2, 1)),
    ep("tasks.failed", (2, 1)),
    ep("tasks.close", (2, 1)),
    ep("tasks.publish", (2, 1)),
    ep("tasks.stop", (2, 1)),
    ep("tasks.reset", (2, 1)),
    ep("tasks.enqueue", (1, 5)),
    ep("tasks.dequeue", (1, 5)),
    ep("tasks.delete", (2, 1)),
    ep("tasks.delete_many", (2, 13)),
    ep("tasks.reset_many", (2, 13)),
    ep("tasks.stop_many", (2, 13)),
    ep("tasks.publish_many", (2, 13)),
    ep("tasks.enqueue_many", (2, 13)),
    ep("tasks.archive", (2, 12)),
    ep("tasks.archive_many", (2, 13)),
    ep("tasks.unarchive_many", (2, 13)),
    ep("tasks.ping", (2, 1)),
    ep("tasks.get_types", (2, 8)),
    ep("tasks.add_or_update_artifacts", (2, 10)),
    ep("tasks.delete_artifacts", (2, 10)),
    ep("tasks.add_or_update_model", (2, 13)),
    ep("tasks.delete_models", (2, 13)),
    ep("tasks.set_requirements", (2, 1)),
    ep("tasks.get_hyper_params", (2, 9)),
    ep("tasks.edit_hyper_params", (2, 9)),
    ep("tasks.delete_hyper_params", (2, 9)),
    ep("tasks.get_configurations", (2, 9)),
    ep("tasks.get_configuration_names", (2, 9)),
    ep("tasks.edit_configuration", (2, 9)),
    ep("tasks.delete_configuration", (2, 9)),
    ep("tasks.clone", (2, 5)),
    ep("tasks.move", (2, 12)),
    // workers
    ep("workers.register", (2, 4)),
    ep("workers.unregister", (2, 4)),
    ep("workers.status_report", (2, 4)),
    ep("workers.get_all", (2, 4)),
    ep("workers.get_count", (2, 26)),
    ep("workers.get_metric_keys", (2, 4)),
    ep("workers.get_stats", (2, 4)),
    ep("workers.get_activity_report", (2, 4)),
    // The test hook of `CLEARML_SERVE_PANIC_ENDPOINT` (not a real-server endpoint; without
    // the hook it answers like an unknown one).
    ep("debug.panic", (1, 0)),
];

/// Parse a path's version (`2.13`, `999`): the real server's `\d+\.?\d+`, so at least
/// two digits. `None` = not a version (the path is then invalid).
pub fn parse_version(v: &str) -> Option<Version> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (major, minor) = match v.split_once('.') {
        Some((a, b)) if digits(a) && digits(b) => (a, b),
        None if digits(v) && v.len() >= 2 => (v, "0"),
        _ => return None,
    };
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// What the table says about a call of `name` at `version`.
pub enum Lookup {
    Found(&'static Endpoint),
    /// No such endpoint at this version: 404 `Unable to find endpoint ...`.
    Unknown,
}

pub fn lookup(name: &str, version: Version) -> Lookup {
    match ENDPOINTS.iter().find(|e| e.name == name) {
        Some(e) if e.since <= version => Lookup::Found(e),
        _ => Lookup::Unknown,
    }
}

impl Endpoint {
    /// The 301/1 answer when `version` is past the endpoint's last one.
    pub fn retired_error(&self, version: Version) -> Option<super::envelope::ApiError> {
        let (last, instead) = self.retired?;
        (version > last).then(|| {
            super::envelope::ApiError::new(
                301,
                1,
                format!(
                    "This endpoint is no longer supported for the requested api version ({instead})"
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_like_the_real_servers_path_pattern() {
        assert_eq!(parse_version("2.13"), Some((2, 13)));
        assert_eq!(parse_version("999"), Some((999, 0)));
        assert!((2, 9) < parse_version("2.13").unwrap());
        for bad in ["abc", "2", "2.", ".5", "2.1.3", "", "v2.1", "2.x"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
    }

    #[test]
    fn lookup_honours_first_versions_and_names() {
        assert!(matches!(
            lookup("tasks.add_or_update_model", (2, 13)),
            Lookup::Found(_)
        ));
        assert!(matches!(
            lookup("tasks.add_or_update_model", (2, 12)),
            Lookup::Unknown
        ));
        assert!(matches!(
            lookup("tasks.no_such_action", (2, 34)),
            Lookup::Unknown
        ));
        assert!(matches!(
            lookup("tasks.get_all", (999, 0)),
            Lookup::Found(_)
        ));
    }

    #[test]
    fn update_for_task_is_retired_after_2_13_only() {
        let Lookup::Found(ep) = lookup("models.update_for_task", (2, 13)) else {
            panic!("update_for_task is served at 2.13");
        };
        assert!(ep.retired_error((2, 13)).is_none());
        assert!(ep.retired_error((2, 1)).is_none());
        let e = ep.retired_error((2, 14)).expect("retired at 2.14");
        assert_eq!((e.code, e.subcode), (301, 1));
        assert!(
            e.msg.ends_with("(use tasks.add_or_update_model)"),
            "{}",
            e.msg
        );
    }

    #[test]
    fn names_are_unique_and_only_open_endpoints_skip_auth() {
        let mut names: Vec<&str> = ENDPOINTS.iter().map(|e| e.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "an endpoint is listed twice");
        let open: Vec<&str> = ENDPOINTS
            .iter()
            .filter(|e| !e.authorize)
            .map(|e| e.name)
            .collect();
        // `server.info` needs credentials on the real server.
        assert_eq!(open, ["debug.ping", "login.supported_modes"]);
    }
}
