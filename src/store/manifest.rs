//! A small file beside sled's, rewritten at each checkpoint, recording how far the database
//! had come. sled 0.34 can open a damaged file as if it were empty or shorter. Comparing with
//! the manifest turns that into a clear error instead of a database that silently lost records.

use super::keys::{TreeName, meta};
use super::{Store, StoreError, codec};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

/// The manifest's file name since database format 3. Carnet versions before it compare the
/// manifest before they read the format record, so a newer manifest under the old name made
/// them call a newer database damaged. Under a name they do not know, they report the
/// database as written by a newer Carnet, which it is.
pub(crate) const MANIFEST_FILE: &str = "manifest.v3";

/// The manifest's file name in database formats 1 and 2; read until the first checkpoint.
pub(crate) const LEGACY_MANIFEST_FILE: &str = "manifest";

/// Highest ids written, per kind, as of the last checkpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub last_member: u64,
    pub last_card: u64,
    pub last_event: u64,
}

impl Store {
    /// Reads the highest member, card and event ids from the trees themselves.
    pub(crate) fn current_manifest(&self) -> Result<Manifest, StoreError> {
        let format = self.read::<u32>(TreeName::Meta, meta::FORMAT)?.unwrap_or(0);
        let last_event = if format < 3 {
            self.try_last_id(TreeName::LegacyLedger)?
        } else {
            self.last_event_id()?
        };
        Ok(Manifest {
            format,
            last_member: self.try_last_id(TreeName::Members)?,
            last_card: self.try_last_id(TreeName::Cards)?,
            last_event,
        })
    }

    /// Replaces the manifest atomically: a temporary file, fsync, rename, fsync of the folder.
    pub(crate) fn write_manifest(&self) -> Result<(), StoreError> {
        let manifest = self.current_manifest()?;
        let io = |source| StoreError::Io {
            path: self.path.join(MANIFEST_FILE),
            source,
        };
        let temporary = self.path.join(format!("{MANIFEST_FILE}.tmp"));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)
            .map_err(io)?;
        file.write_all(&codec::encode(&manifest)).map_err(io)?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&temporary, self.path.join(MANIFEST_FILE)).map_err(io)?;
        match std::fs::remove_file(self.path.join(LEGACY_MANIFEST_FILE)) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(io(error)),
            _ => {}
        }
        std::fs::File::open(&self.path)
            .and_then(|folder| folder.sync_all())
            .map_err(io)
    }

    /// Rejects a database that contains less than its last checkpoint recorded.
    pub(crate) fn check_manifest(&self) -> Result<(), StoreError> {
        let mut bytes = None;
        for name in [MANIFEST_FILE, LEGACY_MANIFEST_FILE] {
            let path = self.path.join(name);
            match std::fs::read(&path) {
                Ok(found) => {
                    bytes = Some(found);
                    break;
                }
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(StoreError::Io { path, source }),
            }
        }
        let Some(bytes) = bytes else {
            return Ok(());
        };
        let recorded: Manifest = codec::decode(&bytes).map_err(|error| StoreError::Corrupted {
            path: self.path.clone(),
            detail: format!("manifest unreadable: {error}"),
        })?;
        let current = self.current_manifest()?;
        let lost = [
            ("members", current.last_member, recorded.last_member),
            ("cards", current.last_card, recorded.last_card),
            ("ledger events", current.last_event, recorded.last_event),
        ];
        for (what, now, before) in lost {
            if now < before {
                return Err(StoreError::Corrupted {
                    path: self.path.clone(),
                    detail: format!(
                        "the last {what} id is {now}, the last checkpoint recorded {before}"
                    ),
                });
            }
        }
        if current.format < recorded.format {
            return Err(StoreError::Corrupted {
                path: self.path.clone(),
                detail: "the format record is missing".to_owned(),
            });
        }
        Ok(())
    }
}
