//! Storage on sled: named trees, one codec, a durability journal, and repositories with
//! named queries. See `keys` for the layout.

pub mod backup;
mod bulk;
mod cards;
mod checkin;
pub mod codec;
mod error;
mod import;
pub mod journal;
pub mod keys;
mod ledger;
mod manifest;
mod members;
mod open;
mod overview;
mod personal;
mod pricing;
mod repair;
mod restore;
mod sales;
mod tx;
mod verify;

pub use bulk::BulkLoader;
pub use checkin::{CheckInOutcome, TodayCheckIn};
pub use error::StoreError;
pub use import::ImportOutcome;
pub use ledger::LedgerIter;
pub use members::MemberPrefs;
pub use open::StoreOptions;
pub use overview::{LastUse, NewContact};
pub use personal::ERASED_FIRST_NAME;
pub use pricing::{CardTypeUsage, PricingRefusal};
pub use repair::{Repair, RepairReport};
pub(crate) use restore::RawLoader;
pub use restore::{CompactReport, RestoreReport, compact_database, restore_backup};
pub use verify::{BalanceCheck, BalanceMismatch, IntegrityProblem};

use journal::Journal;
use keys::TreeName;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Format of the database as a whole, stored under `meta/format`.
pub const DATABASE_FORMAT: u32 = 4;

/// Transactions journaled before a checkpoint folds them into sled's own files.
const CHECKPOINT_EVERY: usize = 2_000;

/// The author and time of a write, stamped on every ledger event.
#[derive(Debug, Clone)]
pub struct WriteContext {
    pub now: chrono::DateTime<chrono::Utc>,
    pub operator: String,
    pub terminal: String,
}

/// An open Carnet database.
pub struct Store {
    path: PathBuf,
    db: sled::Db,
    trees: Vec<sled::Tree>,
    /// The journal, whose lock also serialises writers so journal order is commit order.
    journal: Mutex<Journal>,
    /// Counts the writes made through this handle, so that screens can tell whether what
    /// they loaded is still current: no other process writes while this one holds the lock.
    generation: std::sync::atomic::AtomicU64,
    /// The newest ledger event id as the last write left it, 0 when not known yet. Written
    /// with the writer lock held, and only a guess that `ledger::next_slot` checks.
    ledger_tail: std::sync::atomic::AtomicU64,
}

impl Store {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Changes whenever a write through this handle commits.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn ledger_tail(&self) -> Option<u64> {
        match self.ledger_tail.load(std::sync::atomic::Ordering::Relaxed) {
            0 => None,
            id => Some(id),
        }
    }

    fn remember_ledger_tail(&self, id: u64) {
        self.ledger_tail
            .store(id, std::sync::atomic::Ordering::Relaxed);
    }

    /// Called by the loaders, which write the ledger around [`Store::write`].
    fn forget_ledger_tail(&self) {
        self.remember_ledger_tail(0);
    }

    fn bump_generation(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    fn tree(&self, name: TreeName) -> &sled::Tree {
        &self.trees[name.index()]
    }

    fn lock_writer(&self) -> MutexGuard<'_, Journal> {
        // No journal invariant can be broken halfway by a panicking writer,
        // because a frame is either fully synced or ignored on replay.
        self.journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Folds the journal into sled's files: flush, fsync every file sled wrote, then empty
    /// the journal.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let mut journal = self.lock_writer();
        self.checkpoint_locked(&mut journal)
    }

    fn checkpoint_locked(&self, journal: &mut Journal) -> Result<(), StoreError> {
        self.db.flush().map_err(|error| self.sled_error(error))?;
        self.sync_sled_files()?;
        self.write_manifest()?;
        journal.reset().map_err(|error| self.io_error(error))?;
        tracing::debug!("checkpoint done");
        Ok(())
    }

    /// Calls fsync on every file in the database folder and on the folder itself, because
    /// sled's own flush stops at `sync_file_range`.
    fn sync_sled_files(&self) -> Result<(), StoreError> {
        let entries = std::fs::read_dir(&self.path).map_err(|error| self.io_error(error))?;
        for entry in entries {
            let entry = entry.map_err(|error| self.io_error(error))?;
            let file_type = entry.file_type().map_err(|error| self.io_error(error))?;
            if file_type.is_file() {
                let file =
                    std::fs::File::open(entry.path()).map_err(|error| self.io_error(error))?;
                file.sync_all().map_err(|error| self.io_error(error))?;
            }
        }
        let folder = std::fs::File::open(&self.path).map_err(|error| self.io_error(error))?;
        folder.sync_all().map_err(|error| self.io_error(error))
    }

    fn io_error(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn sled_error(&self, source: sled::Error) -> StoreError {
        StoreError::from_sled(&self.path, source)
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Err(error) = self.checkpoint() {
            tracing::error!(%error, "checkpoint on close failed; the journal keeps the writes");
        }
    }
}
