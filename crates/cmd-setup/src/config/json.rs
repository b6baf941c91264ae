//! The `--json` shapes of `clearml config …`, documented in docs/json-output.md. Field
//! order is output order. (`config dump --json` prints the configuration files as read,
//! a free-form object, with secrets masked.)

use serde::{Deserialize, Serialize};

/// `config show --json`: one row per setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingRow {
    pub setting: String,
    /// None: not set (or unknown, when it has a source).
    pub value: Option<String>,
    pub source: Option<SettingSource>,
}

/// Where a setting's value came from; the field that says where depends on `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingSource {
    /// "flag", "env", "file", "default" or "derived".
    pub kind: String,
    /// As the table shows it ("env CLEARML_API_HOST", "/home/u/clearml.conf:3").
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<std::path::PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// For a derived value: how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
}
