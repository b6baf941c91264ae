//! The endpoints `serve` answers, each with the API versions the real server implements
//! it for: one table drives the lookup of every call (an unknown name or a version below
//! an endpoint's first one is a 404, a version past a retired endpoint's last one a
//! 301), the `actual_version` every answer reports, the version a handler switches its
//! behaviour on (`Call::version`), `server.endpoints` and the `GET /` listing.
//!
//! The versions are the real server's implementations (each handler's `min_version`,
//! mostly `1.0`), not the schema's first version: the real server serves `debug.ping`
//! at `/v2.1/` although its schema first describes it at 2.9. Which of the schema files'
//! endpoints are left out, and why, is [`NOT_SERVED`] (docs/api-coverage.md lists both).

/// An API version `major.minor` (`999` = 999.0), compared numerically (2.9 < 2.13).
pub type Version = (u32, u32);

/// One endpoint and the versions it is served for.
pub struct Endpoint {
    pub name: &'static str,
    /// The versions the real server has an implementation of this endpoint for (the
    /// `min_version` of each of its handlers, most `1.0`), ascending. The first is where the
    /// endpoint begins; `meta.endpoint.actual_version` is the highest one not above the
    /// requested version (as `server.info` at 2.31 answers `actual_version` 2.12).
    pub versions: &'static [Version],
    /// For a retired endpoint: its last version and what to use instead; later versions
    /// get 301/1 (no `Location`), as from the real server.
    pub retired: Option<(Version, &'static str)>,
    /// Needs credentials (a bad token on an open endpoint is ignored, not refused).
    pub authorize: bool,
}

const fn ep(name: &'static str, versions: &'static [Version]) -> Endpoint {
    Endpoint {
        name,
        versions,
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
    ep("auth.create_credentials", &[(1, 0)]),
    ep("auth.edit_credentials", &[(1, 0)]),
    open(ep("auth.fixed_users_mode", &[(1, 0)])),
    ep("auth.get_credentials", &[(1, 0)]),
    ep("auth.login", &[(1, 0)]),
    ep("auth.logout", &[(2, 2)]),
    ep("auth.revoke_credentials", &[(1, 0)]),
    ep("auth.validate_token", &[(1, 0)]),
    // debug
    open(ep("debug.ping", &[(1, 0)])),
    // events
    ep("events.add", &[(1, 0)]),
    ep("events.add_batch", &[(1, 0)]),
    ep("events.clear_scroll", &[(2, 18)]),
    ep("events.clear_task_log", &[(1, 0)]),
    ep("events.debug_images", &[(1, 0), (1, 8), (2, 7)]),
    ep("events.download_task_log", &[(1, 0)]),
    ep("events.delete_for_task", &[(1, 0)]),
    ep("events.get_debug_image_sample", &[(2, 12)]),
    ep("events.get_multi_task_metrics", &[(1, 0)]),
    ep("events.get_multi_task_plots", &[(1, 0), (1, 8)]),
    ep("events.get_plot_sample", &[(1, 0)]),
    ep("events.get_scalar_metric_data", &[(1, 0)]),
    ep("events.get_scalar_metrics_and_variants", &[(1, 0)]),
    ep("events.get_task_events", &[(1, 0)]),
    ep("events.get_task_latest_scalar_values", &[(1, 0)]),
    ep("events.get_task_log", &[(1, 0), (1, 7), (2, 9)]),
    ep("events.get_task_metrics", &[(1, 0)]),
    ep("events.get_task_plots", &[(1, 0), (1, 8)]),
    ep("events.get_task_single_value_metrics", &[(1, 0)]),
    ep("events.get_vector_metrics_and_variants", &[(1, 0)]),
    ep("events.multi_task_scalar_metrics_iter_histogram", &[(1, 0)]),
    ep("events.next_debug_image_sample", &[(2, 12)]),
    ep("events.next_plot_sample", &[(1, 0)]),
    ep("events.plots", &[(1, 0)]),
    ep("events.scalar_metrics_iter_histogram", &[(1, 0)]),
    ep("events.scalar_metrics_iter_raw", &[(2, 16)]),
    // login
    open(ep("login.logout", &[(2, 13)])),
    open(ep("login.supported_modes", &[(1, 0)])),
    // models
    ep("models.add_or_update_metadata", &[(2, 13)]),
    ep("models.archive_many", &[(1, 0)]),
    ep("models.create", &[(1, 0)]),
    ep("models.delete", &[(1, 0)]),
    ep("models.delete_many", &[(1, 0)]),
    ep("models.delete_metadata", &[(2, 13)]),
    ep("models.edit", &[(1, 0)]),
    ep("models.get_all", &[(1, 0)]),
    ep("models.get_all_ex", &[(1, 0)]),
    ep("models.get_by_id", &[(1, 0)]),
    ep("models.get_by_id_ex", &[(1, 0)]),
    ep("models.get_by_task_id", &[(1, 0)]),
    ep("models.get_frameworks", &[(1, 0)]),
    ep("models.make_private", &[(2, 9)]),
    ep("models.make_public", &[(2, 9)]),
    ep("models.move", &[(1, 0)]),
    ep("models.publish_many", &[(1, 0)]),
    ep("models.set_ready", &[(1, 0)]),
    ep("models.unarchive_many", &[(1, 0)]),
    ep("models.update", &[(1, 0)]),
    retired(
        ep("models.update_for_task", &[(1, 0)]),
        (2, 13),
        "use tasks.add_or_update_model",
    ),
    ep("models.update_tags", &[(1, 0)]),
    // organization
    ep("organization.get_entities_count", &[(1, 0)]),
    ep("organization.get_tags", &[(1, 0)]),
    ep("organization.get_user_companies", &[(1, 0)]),
    // pipelines
    ep("pipelines.delete_runs", &[(1, 0)]),
    ep("pipelines.start_pipeline", &[(1, 0)]),
    // projects
    ep("projects.create", &[(1, 0)]),
    ep("projects.delete", &[(1, 0)]),
    ep("projects.get_all", &[(1, 0)]),
    ep("projects.get_all_ex", &[(1, 0)]),
    ep("projects.get_by_id", &[(1, 0)]),
    ep("projects.get_hyper_parameters", &[(2, 9)]),
    ep("projects.get_hyperparam_values", &[(2, 13)]),
    ep("projects.get_model_metadata_keys", &[(1, 0)]),
    ep("projects.get_model_metadata_values", &[(1, 0)]),
    ep("projects.get_model_tags", &[(2, 8)]),
    ep("projects.get_project_tags", &[(1, 0)]),
    ep("projects.get_task_parents", &[(2, 12)]),
    ep("projects.get_task_tags", &[(2, 8)]),
    ep("projects.get_unique_metric_variants", &[(1, 0)]),
    ep("projects.get_user_names", &[(1, 0)]),
    ep("projects.make_private", &[(2, 9)]),
    ep("projects.make_public", &[(2, 9)]),
    ep("projects.merge", &[(2, 13)]),
    ep("projects.move", &[(2, 13)]),
    ep("projects.update", &[(1, 0)]),
    ep("projects.validate_delete", &[(1, 0)]),
    // queues
    ep("queues.add_or_update_metadata", &[(2, 13)]),
    ep("queues.add_task", &[(2, 4)]),
    ep("queues.clear_queue", &[(1, 0)]),
    ep("queues.create", &[(2, 4)]),
    ep("queues.delete", &[(2, 4)]),
    ep("queues.delete_metadata", &[(2, 13)]),
    ep("queues.get_all", &[(2, 4)]),
    ep("queues.get_all_ex", &[(2, 4)]),
    ep("queues.get_by_id", &[(2, 4)]),
    ep("queues.get_default", &[(2, 4)]),
    ep("queues.get_next_task", &[(1, 0)]),
    ep("queues.get_num_entries", &[(2, 15)]),
    ep("queues.get_queue_metrics", &[(2, 4)]),
    ep("queues.move_task_backward", &[(2, 4)]),
    ep("queues.move_task_forward", &[(2, 4)]),
    ep("queues.move_task_to_back", &[(2, 4)]),
    ep("queues.move_task_to_front", &[(2, 4)]),
    ep("queues.peek_task", &[(2, 15)]),
    ep("queues.remove_task", &[(2, 4)]),
    ep("queues.update", &[(2, 4)]),
    // reports
    ep("reports.archive", &[(1, 0)]),
    ep("reports.create", &[(1, 0)]),
    ep("reports.delete", &[(1, 0)]),
    ep("reports.get_all_ex", &[(1, 0)]),
    ep("reports.get_tags", &[(1, 0)]),
    ep("reports.get_task_data", &[(1, 0)]),
    ep("reports.move", &[(1, 0)]),
    ep("reports.publish", &[(1, 0)]),
    ep("reports.unarchive", &[(1, 0)]),
    ep("reports.update", &[(1, 0)]),
    // server
    ep("server.config", &[(1, 0)]),
    ep("server.endpoints", &[(1, 0)]),
    ep("server.get_stats", &[(1, 0)]),
    ep("server.info", &[(1, 0), (2, 8), (2, 12)]),
    ep("server.report_stats_option", &[(1, 0)]),
    // serving
    ep("serving.container_status_report", &[(1, 0)]),
    ep("serving.get_endpoint_details", &[(1, 0)]),
    ep("serving.get_endpoint_metrics_history", &[(1, 0)]),
    ep("serving.get_endpoints", &[(1, 0)]),
    ep("serving.get_loading_instances", &[(1, 0)]),
    ep("serving.register_container", &[(1, 0)]),
    ep("serving.unregister_container", &[(1, 0)]),
    // tasks
    ep("tasks.add_or_update_artifacts", &[(2, 10)]),
    ep("tasks.add_or_update_model", &[(2, 13)]),
    ep("tasks.archive", &[(1, 0)]),
    ep("tasks.archive_many", &[(1, 0)]),
    ep("tasks.clone", &[(1, 0)]),
    ep("tasks.close", &[(1, 0)]),
    ep("tasks.completed", &[(2, 2)]),
    ep("tasks.create", &[(1, 0)]),
    ep("tasks.delete", &[(1, 0)]),
    ep("tasks.delete_artifacts", &[(2, 10)]),
    ep("tasks.delete_configuration", &[(1, 0)]),
    ep("tasks.delete_hyper_params", &[(1, 0)]),
    ep("tasks.delete_many", &[(1, 0)]),
    ep("tasks.delete_models", &[(2, 13)]),
    ep("tasks.dequeue", &[(1, 0)]),
    ep("tasks.dequeue_many", &[(1, 0)]),
    ep("tasks.edit", &[(1, 0)]),
    ep("tasks.edit_configuration", &[(1, 0)]),
    ep("tasks.edit_hyper_params", &[(1, 0)]),
    ep("tasks.edit_runtime", &[(1, 0)]),
    ep("tasks.enqueue", &[(1, 0)]),
    ep("tasks.enqueue_many", &[(1, 0)]),
    ep("tasks.failed", &[(1, 0)]),
    ep("tasks.get_all", &[(1, 0)]),
    ep("tasks.get_all_ex", &[(1, 0)]),
    ep("tasks.get_by_id", &[(1, 0)]),
    ep("tasks.get_by_id_ex", &[(1, 0)]),
    ep("tasks.get_configuration_names", &[(1, 0)]),
    ep("tasks.get_configurations", &[(1, 0)]),
    ep("tasks.get_hyper_params", &[(1, 0)]),
    ep("tasks.get_types", &[(1, 0)]),
    ep("tasks.make_private", &[(2, 9)]),
    ep("tasks.make_public", &[(2, 9)]),
    ep("tasks.move", &[(1, 0)]),
    ep("tasks.ping", &[(1, 0)]),
    ep("tasks.publish", &[(1, 0)]),
    ep("tasks.publish_many", &[(1, 0)]),
    ep("tasks.reset", &[(1, 0)]),
    ep("tasks.reset_many", &[(1, 0)]),
    ep("tasks.set_requirements", &[(1, 0)]),
    ep("tasks.started", &[(1, 0)]),
    ep("tasks.stop", &[(1, 0)]),
    ep("tasks.stop_many", &[(1, 0)]),
    ep("tasks.stopped", &[(1, 0)]),
    ep("tasks.unarchive_many", &[(1, 0)]),
    ep("tasks.update", &[(1, 0)]),
    ep("tasks.update_batch", &[(1, 0)]),
    ep("tasks.update_tags", &[(1, 0)]),
    ep("tasks.validate", &[(1, 0)]),
    // users
    ep("users.get_all", &[(1, 0)]),
    ep("users.get_all_ex", &[(1, 0), (2, 8)]),
    ep("users.get_by_id", &[(1, 0)]),
    ep("users.get_current_user", &[(1, 0)]),
    ep("users.get_preferences", &[(1, 0)]),
    ep("users.set_preferences", &[(1, 0)]),
    ep("users.update", &[(1, 0)]),
    // workers
    ep("workers.get_activity_report", &[(2, 4)]),
    ep("workers.get_all", &[(2, 4)]),
    ep("workers.get_count", &[(1, 0)]),
    ep("workers.get_metric_keys", &[(2, 4)]),
    ep("workers.get_stats", &[(2, 4)]),
    ep("workers.register", &[(2, 4)]),
    ep("workers.status_report", &[(2, 4)]),
    ep("workers.unregister", &[(2, 4)]),
    // The test hook of `CLEARML_SERVE_PANIC_ENDPOINT` (not a real-server endpoint; without
    // the hook it answers like an unknown one).
    ep("debug.panic", &[(1, 0)]),
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
        Some(e) if e.since() <= version => Lookup::Found(e),
        _ => Lookup::Unknown,
    }
}

/// `2.13`, `1.0`: how versions are written in answers.
pub fn version_text(v: Version) -> String {
    format!("{}.{}", v.0, v.1)
}

/// Endpoints of the real server's schema (`clearml-server-v2.3/schema/*.conf`) that
/// `serve` does not answer (they get the unknown-endpoint 404), each with the reason.
/// docs/api-coverage.md is written from this and [`ENDPOINTS`]; a test checks that every
/// schema endpoint is in one of the two.
pub const NOT_SERVED: &[(&str, &str)] = &[
    (
        "auth.create_user",
        "managing users: serve has one built-in user (see README, One identity)",
    ),
    (
        "auth.edit_user",
        "managing users: serve has one built-in user (see README, One identity)",
    ),
    (
        "auth.get_token_for_user",
        "impersonation needs more than one user; serve has one built-in user",
    ),
    (
        "users.create",
        "managing users: serve has one built-in user (see README, One identity)",
    ),
    (
        "users.delete",
        "managing users: serve has one built-in user (see README, One identity)",
    ),
    (
        "organization.get_project_usages",
        "resource usage per project needs the run history of workers and queues, which serve does not keep",
    ),
    (
        "storage.get_settings",
        "cloud storage credentials the real web app keeps on the server; serve keeps no third-party secrets (its web UI is read-only)",
    ),
    (
        "storage.set_settings",
        "cloud storage credentials the real web app keeps on the server; serve keeps no third-party secrets (its web UI is read-only)",
    ),
    (
        "storage.reset_settings",
        "cloud storage credentials the real web app keeps on the server; serve keeps no third-party secrets (its web UI is read-only)",
    ),
    (
        "organization.prepare_download_for_get_all",
        "the real web app's CSV export of a table; serve's read-only web UI has no export",
    ),
    (
        "organization.download_for_get_all",
        "the real web app's CSV export of a table; serve's read-only web UI has no export",
    ),
    (
        "events.delete_for_model",
        "model events are stored and read (`model_event` / `model_events`), but deleting them apart from their model is not done yet",
    ),
    (
        "events.vector_metrics_iter_histogram",
        "not done yet: vector events are read with events.get_task_plots",
    ),
];

impl Endpoint {
    /// The first version the endpoint exists in.
    pub fn since(&self) -> Version {
        self.versions.first().copied().unwrap_or((1, 0))
    }

    /// The version of the implementation answering a call at `requested`.
    pub fn actual_version(&self, requested: Version) -> Version {
        self.versions
            .iter()
            .rev()
            .find(|v| **v <= requested)
            .copied()
            .unwrap_or_else(|| self.since())
    }

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

/// What `serve` answers, for `server.endpoints` and `GET /` on the API port: each
/// endpoint's versions (and, for a retired one, its last), test hooks left out.
pub fn listing() -> serde_json::Value {
    use serde_json::json;
    let mut endpoints = serde_json::Map::new();
    for e in ENDPOINTS.iter().filter(|e| e.name != "debug.panic") {
        let versions: Vec<serde_json::Value> = e
            .versions
            .iter()
            .map(|v| {
                let mut d = json!({"min_version": version_text(*v)});
                if let Some((last, instead)) = e.retired {
                    d["max_version"] = json!(version_text(last));
                    d["instead"] = json!(instead);
                }
                if !e.authorize {
                    d["authorize"] = json!(false);
                }
                d
            })
            .collect();
        endpoints.insert(e.name.to_string(), json!(versions));
    }
    json!({"endpoints": endpoints, "models": {}})
}

/// What served endpoints still deliberately answer differently from the real server, and
/// why (docs/api-coverage.md lists these after the endpoint tables).
pub const DIFFERENCES: &[(&str, &str)] = &[
    (
        "projects.get_all_ex `active_users`",
        "ignored: serve has one built-in user, so every project has only that user's contents",
    ),
    (
        "projects.get_all_ex `sub_projects`",
        "also answered without `include_stats` (the real server adds it only with stats); serve's web UI and older clients read it",
    ),
    (
        "projects `parent` of projects made by an older serve",
        "filled when the project is next written (create, rename, move); a database from before keeps none until then",
    ),
    (
        "403/21 naming several public tasks",
        "`tasks.archive`, `move`, `update_tags` and `update_batch` name the public ids in the order they were asked for; the real server prints them from a Python set, in no fixed order (the `*_many` forms refuse each public item on its own, 403/21 for tasks, 400/201 for models, as the real server does)",
    ),
    (
        "tasks.reset / delete `urls.event_urls`",
        "always empty: serve's file server does not index which files debug images and plots point to",
    ),
    (
        "workers registered before a restart",
        "forgotten until their next status report registers them again (the real server keeps them in Redis); their machine statistics and the queue samples are kept in the database",
    ),
    (
        "serving.get_endpoint_metrics_history",
        "history always empty (shaped, with the real interval and title): serve keeps only each container's latest report",
    ),
    (
        "events.scalar_metrics_iter_raw scroll ids",
        "kept in memory for the scroll lifetime; an unknown or expired id starts a new scroll (the real server's ids carry their state and never expire)",
    ),
    (
        "projects.get_hyperparam_values",
        "always current: the real server answers from a cache up to 60 s older than the last task change",
    ),
];

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
    fn actual_version_is_the_implementation_answering() {
        let Lookup::Found(info) = lookup("server.info", (2, 31)) else {
            panic!("server.info is served");
        };
        // Recorded: server.info at 2.31 answers actual_version 2.12.
        assert_eq!(info.actual_version((2, 31)), (2, 12));
        assert_eq!(info.actual_version((2, 9)), (2, 8));
        assert_eq!(info.actual_version((2, 1)), (1, 0));
        let Lookup::Found(q) = lookup("queues.get_all", (2, 31)) else {
            panic!("queues.get_all is served");
        };
        // Recorded: queues.get_all at 2.31 answers actual_version 2.4.
        assert_eq!(version_text(q.actual_version((2, 31))), "2.4");
        assert!(matches!(lookup("queues.get_all", (2, 3)), Lookup::Unknown));
    }

    #[test]
    fn update_for_task_is_retired_after_2_13_only() {
        let Lookup::Found(ep) = lookup("models.update_for_task", (2, 13)) else {
            panic!("update_for_task is served at 2.13");
        };
        assert!(ep.retired_error((2, 13)).is_none());
        assert!(ep.retired_error((2, 1)).is_none());
        let e = ep.retired_error((2, 14)).expect("retired at 2.14");
        assert_eq!(ep.actual_version((2, 13)), (1, 0));
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
        assert_eq!(
            open,
            [
                "auth.fixed_users_mode",
                "debug.ping",
                "login.logout",
                "login.supported_modes"
            ]
        );
        for (name, _) in NOT_SERVED {
            assert!(
                ENDPOINTS.iter().all(|e| e.name != *name),
                "{name} is both served and not"
            );
        }
    }
}
