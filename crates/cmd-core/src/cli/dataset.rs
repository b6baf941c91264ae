//! `clearml dataset`: the clap types.

use super::*;

/// Which dataset version a read command means.
#[derive(Debug, Clone, Args)]
pub struct DatasetRef {
    /// Dataset id, or name (the highest version of that name)
    pub dataset: String,
    /// Look the name up in this project only
    #[arg(long)]
    pub project: Option<String>,
    /// This version of the named dataset (e.g. 1.0.2)
    #[arg(long)]
    pub version: Option<String>,
}

/// The dataset a write command works on.
#[derive(Debug, Clone, Args)]
pub struct DatasetId {
    /// Dataset id (default: the dataset 'clearml dataset create' made last on this machine)
    #[arg(long)]
    pub id: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// List datasets (the latest version of each, or every version)
    List(DatasetListArgs),
    /// One version: status, parents, file count and size, changes against its parents
    Show {
        #[command(flatten)]
        which: DatasetRef,
        /// Also list every file (path, size, sha256, version it comes from)
        #[arg(long)]
        files: bool,
    },
    /// Download a version (with its parents' files) into a folder, verified, resumable
    Get(DatasetGetArgs),
    /// Re-hash a local copy against a version's file list
    Verify {
        #[command(flatten)]
        which: DatasetRef,
        /// The local copy
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Files added, removed and changed from version A to version B
    Diff {
        /// The older version (id, or name for the latest version)
        a: String,
        /// The newer version (id, or name for the latest version)
        b: String,
        #[arg(long)]
        project: Option<String>,
    },
    /// Delete a version (or all versions of a name), with its chunks on the file server
    Delete(DatasetDeleteArgs),
    /// Start a new dataset version; prints its id
    Create(DatasetCreateArgs),
    /// Add files or folders to the dataset (hashed now, uploaded by 'upload')
    Add(DatasetAddArgs),
    /// Remove files (paths or wildcards inside the dataset)
    Remove(DatasetRemoveArgs),
    /// Make the dataset match a folder: add new files, replace modified ones, remove missing ones
    Sync(DatasetSyncArgs),
    /// Upload the pending files in compressed chunks (resumable)
    Upload(DatasetUploadArgs),
    /// Finalize the version (uploading what is pending first); it becomes read-only
    Close(DatasetCloseArgs),
    /// Publish a closed version
    Publish {
        #[command(flatten)]
        id: DatasetId,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DatasetListArgs {
    /// Only datasets of this project (and its subprojects)
    #[arg(long)]
    pub project: Option<String>,
    /// Name regex
    #[arg(long)]
    pub name: Option<String>,
    /// Every version, not only the latest of each name
    #[arg(long)]
    pub all_versions: bool,
    /// Include versions still being written (not closed)
    #[arg(long)]
    pub include_drafts: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetGetArgs {
    #[command(flatten)]
    pub which: DatasetRef,
    /// Folder to put the files in (created; files of the version are written over)
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: PathBuf,
    /// Chunks downloaded at once
    #[arg(long, default_value_t = 4, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=64))]
    pub parallel: usize,
    /// Extract into the SDK's dataset cache and link DIR's files there, so a later
    /// Dataset.get_local_copy() is a cache hit
    #[arg(long)]
    pub link: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetDeleteArgs {
    #[command(flatten)]
    pub which: DatasetRef,
    /// Every version of the dataset's name
    #[arg(long)]
    pub all_versions: bool,
    /// Also delete the chunks (and state) from the file server
    #[arg(long)]
    pub with_files: bool,
    /// Delete even when other versions use it as a parent
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetCreateArgs {
    /// Project (the version lives in its hidden .datasets subproject, as the SDK keeps it)
    #[arg(long)]
    pub project: Option<String>,
    /// Dataset name
    #[arg(long)]
    pub name: String,
    /// Parent versions (ids) whose files the new version starts from
    #[arg(long, num_args = 1.., value_name = "ID")]
    pub parents: Vec<String>,
    /// Version string (default: the latest of this name plus one, else 1.0.0)
    #[arg(long)]
    pub version: Option<String>,
    /// Tags, comma separated
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Description
    #[arg(long)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetAddArgs {
    #[command(flatten)]
    pub id: DatasetId,
    /// Files or folders (a folder's files keep their paths relative to it)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only files matching this wildcard (repeatable), e.g. '*.jpg'
    #[arg(long)]
    pub wildcard: Vec<String>,
    /// Put the files under this folder inside the dataset
    #[arg(long, value_name = "FOLDER")]
    pub dataset_folder: Option<String>,
    /// Do not descend into subfolders
    #[arg(long)]
    pub non_recursive: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetRemoveArgs {
    #[command(flatten)]
    pub id: DatasetId,
    /// Paths inside the dataset, or wildcards ('images/*.png')
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// A wildcard matches in subfolders too only with this off
    #[arg(long)]
    pub non_recursive: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetSyncArgs {
    #[command(flatten)]
    pub id: DatasetId,
    /// The folder the dataset should match
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Match this folder inside the dataset instead of its root
    #[arg(long, value_name = "FOLDER")]
    pub dataset_folder: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetUploadArgs {
    #[command(flatten)]
    pub id: DatasetId,
    /// Target size of one chunk, in MiB of input
    #[arg(long, default_value_t = 512, value_name = "MIB",
          value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..))]
    pub chunk_size: u64,
    /// Chunks compressed and uploaded at once
    #[arg(long, default_value_t = 2, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=32))]
    pub parallel: usize,
}

#[derive(Debug, Clone, Args)]
pub struct DatasetCloseArgs {
    #[command(flatten)]
    pub id: DatasetId,
    /// Target size of one chunk for what is still pending, in MiB
    #[arg(long, default_value_t = 512, value_name = "MIB",
          value_parser = clap::builder::RangedU64ValueParser::<u64>::new().range(1..))]
    pub chunk_size: u64,
}
