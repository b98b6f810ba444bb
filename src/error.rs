//! The library's error type: every failure says what went wrong and, where a user can act, what to do next.
use std::path::PathBuf;

/// Errors returned by the tandem library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A model role is not installed, or a file of it is missing; the message says how to install it.
    #[error("{0}")]
    ModelMissing(String),
    /// A model is installed but cannot be used (bad config, truncated weights, wrong tokenizer files).
    #[error("model `{role}` in {dir}: {reason}")]
    ModelInvalid {
        role: String,
        dir: PathBuf,
        reason: String,
    },
    /// Importing a Hugging Face checkpoint failed.
    #[error("import from {dir}: {reason}")]
    Import { dir: PathBuf, reason: String },
    /// The model manifest (models/models.toml) is malformed.
    #[error("model manifest: {0}")]
    Manifest(String),
    /// A model failed while generating.
    #[error("{stage}: {reason}")]
    Generation { stage: String, reason: String },
    /// Input the user gave cannot be used as it is (a bad argument, date, path or folder): exit status 2.
    #[error("{0}")]
    Usage(String),
    /// The cache database cannot be opened, read or written.
    #[error("{0}")]
    Cache(String),
    /// `merge` found shards missing, failed or made differently; one line per shard, with its re-run command.
    #[error("the shards are not complete:\n{}\nthen run `tandem merge` again", .0.join("\n"))]
    ShardsIncomplete(Vec<String>),
    /// JSON (de)serialization failed.
    #[error("{context}: {source}")]
    Json {
        context: String,
        #[source]
        source: serde_json::Error,
    },
}

/// Result with tandem's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
