//! `clearml model`: the clap types.

use super::*;

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// List models
    List(ModelListArgs),
    /// One model in detail
    Show {
        /// Model id or name
        model: String,
        #[arg(long)]
        project: Option<String>,
    },
    /// Upload a weights file and register + publish it, or publish an existing draft by id
    Publish(ModelPublishArgs),
    /// Download a model's weights (latest published by name, or by id)
    Pull(ModelPullArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ModelListArgs {
    /// Project name (full path, e.g. parent/child)
    #[arg(long)]
    pub project: Option<String>,
    /// Name regex
    #[arg(long)]
    pub name: Option<String>,
    /// Tag filter (repeatable; prefix '-' to exclude)
    #[arg(long, allow_hyphen_values = true)]
    pub tag: Vec<String>,
    /// Framework (e.g. PyTorch)
    #[arg(long)]
    pub framework: Option<String>,
    /// Only published models
    #[arg(long, conflicts_with = "draft")]
    pub published: bool,
    /// Only draft models
    #[arg(long)]
    pub draft: bool,
    /// Models created by this task id
    #[arg(long)]
    pub task: Option<String>,
    /// At most N models
    #[arg(long, default_value_t = 100, conflicts_with = "all",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub limit: usize,
    /// Every model (pages past the server's 500 cap)
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ModelPublishArgs {
    /// Weights file to upload, or the id of an existing draft model
    pub target: String,
    /// Model name (default: the file name without extension)
    #[arg(long)]
    pub name: Option<String>,
    /// Project to register the model in (created if missing; needed with a file)
    #[arg(long)]
    pub project: Option<String>,
    /// Framework (e.g. PyTorch, TensorFlow, ONNX)
    #[arg(long)]
    pub framework: Option<String>,
    /// Task that produced the model
    #[arg(long)]
    pub task: Option<String>,
    /// Tags, comma separated (e.g. --tags best,v2)
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Free-text comment (description) of the model
    #[arg(long)]
    pub comment: Option<String>,
    /// Label enumeration entry (repeatable), name=int
    #[arg(long = "label", value_name = "NAME=INT")]
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct ModelPullArgs {
    /// Model id
    pub id: Option<String>,
    /// Model name: the newest published model of that name, else the newest draft
    #[arg(long, conflicts_with = "id")]
    pub name: Option<String>,
    /// With --name: only a published model will do
    #[arg(long, requires = "name")]
    pub published_only: bool,
    /// Look the name up in this project only
    #[arg(long)]
    pub project: Option<String>,
    /// Where to put the file (default: the SDK's cache, shared with Model.get_local_copy)
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Download again even if a cached copy exists
    #[arg(long)]
    pub force: bool,
}
