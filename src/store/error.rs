use super::codec::CodecError;
use std::path::{Path, PathBuf};

/// Everything that can go wrong in storage. Messages here are for logs; screens and the
/// command line translate them through the message catalogs.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database at {path} is in use by another Carnet")]
    InUse { path: PathBuf },
    #[error("the database at {path} is damaged: {detail}")]
    Corrupted { path: PathBuf, detail: String },
    #[error("there is no Carnet database at {path}")]
    Missing { path: PathBuf },
    #[error("{path} is not a Carnet database")]
    Foreign { path: PathBuf },
    #[error(
        "the database at {path} was written by a newer Carnet (format {found}); this build reads format {supported}"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("record {key} in tree {tree} is unreadable: {source}")]
    Record {
        tree: &'static str,
        key: String,
        source: CodecError,
    },
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("the card has no session left to take")]
    NoSessionLeft,
    #[error("nothing to undo today")]
    NothingToUndo,
}

impl StoreError {
    pub(crate) fn from_sled(path: &Path, error: sled::Error) -> StoreError {
        match error {
            // sled 0.34 wraps the failed lock in an error of kind Other, with this text.
            sled::Error::Io(source)
                if source.kind() == std::io::ErrorKind::WouldBlock
                    || source.to_string().contains("could not acquire lock") =>
            {
                StoreError::InUse {
                    path: path.to_owned(),
                }
            }
            sled::Error::Io(source) => StoreError::Io {
                path: path.to_owned(),
                source,
            },
            sled::Error::Corruption { at, .. } => StoreError::Corrupted {
                path: path.to_owned(),
                detail: match at {
                    Some(at) => format!("corruption at {at:?}"),
                    None => "corruption detected".to_owned(),
                },
            },
            other => StoreError::Corrupted {
                path: path.to_owned(),
                detail: other.to_string(),
            },
        }
    }

    pub(crate) fn record(
        tree: super::keys::TreeName,
        key: &[u8],
        source: CodecError,
    ) -> StoreError {
        StoreError::Record {
            tree: tree.as_str(),
            key: key.iter().map(|b| format!("{b:02x}")).collect(),
            source,
        }
    }
}
