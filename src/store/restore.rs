//! Filling an empty database with records taken elsewhere (a backup, a full export), and
//! restoring a backup in place of a database folder.

use super::backup::{BackupError, BackupSummary, RawRecord, read_backup, verify_backup};
use super::journal::Journal;
use super::keys::{TreeName, meta};
use super::ledger::LedgerAppender;
use super::{Store, StoreError, StoreOptions};
use crate::domain::LedgerEvent;
use chrono::{DateTime, Utc};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::MutexGuard;

/// Records buffered before a batch is applied, as in the bulk loader.
const BATCH_RECORDS: usize = 1_000;

/// Writes records straight into an empty database, holding the writer lock until
/// [`RawLoader::finish`] makes them durable with one checkpoint.
/// A failure part-way leaves the records applied so far, so callers load into a new folder
/// that they discard on an error.
pub(crate) struct RawLoader<'a> {
    store: &'a Store,
    writer: MutexGuard<'a, Journal>,
    batches: Vec<sled::Batch>,
    ledger: LedgerAppender,
    buffered: usize,
}

impl<'a> RawLoader<'a> {
    /// Starts loading, or returns `Ok(None)` when the database already contains records.
    pub fn new(store: &'a Store) -> Result<Option<Self>, StoreError> {
        if !store.is_empty_database()? {
            return Ok(None);
        }
        Ok(Some(Self {
            store,
            writer: store.lock_writer(),
            batches: TreeName::ALL
                .iter()
                .map(|_| sled::Batch::default())
                .collect(),
            ledger: LedgerAppender::default(),
            buffered: 0,
        }))
    }

    pub fn put(&mut self, tree: TreeName, key: &[u8], value: Vec<u8>) -> Result<(), StoreError> {
        self.batches[tree.index()].insert(key, value);
        self.count_buffered()
    }

    /// Adds a ledger event to its block and to its card's list; events come in id order.
    pub fn add_event(&mut self, event: &LedgerEvent) -> Result<(), StoreError> {
        self.ledger.append(self.store, event)?;
        self.count_buffered()
    }

    fn count_buffered(&mut self) -> Result<(), StoreError> {
        self.buffered += 1;
        if self.buffered >= BATCH_RECORDS {
            self.apply()?;
        }
        Ok(())
    }

    fn apply(&mut self) -> Result<(), StoreError> {
        for (tree, key, value) in self.ledger.drain() {
            self.batches[tree.index()].insert(&key, value);
        }
        for name in TreeName::ALL {
            let batch = std::mem::take(&mut self.batches[name.index()]);
            self.store
                .tree(name)
                .apply_batch(batch)
                .map_err(|error| self.store.sled_error(error))?;
        }
        self.buffered = 0;
        self.store.forget_ledger_tail();
        Ok(())
    }

    /// Applies what is buffered and checkpoints, so everything loaded is on stable storage.
    pub fn finish(mut self) -> Result<(), StoreError> {
        self.apply()?;
        let store = self.store;
        store.checkpoint_locked(&mut self.writer)
    }
}

impl Store {
    /// Tells whether the database contains nothing but its format stamp.
    pub fn is_empty_database(&self) -> Result<bool, StoreError> {
        for name in TreeName::ALL {
            let tree = self.tree(name);
            if name == TreeName::Meta {
                for entry in tree.iter() {
                    let (key, _) = entry.map_err(|error| self.sled_error(error))?;
                    if &*key != meta::FORMAT {
                        return Ok(false);
                    }
                }
            } else if !tree.is_empty() {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// The result of [`restore_backup`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    pub summary: BackupSummary,
    /// Path of the previous database, moved aside; `None` when the target did not exist.
    pub previous: Option<PathBuf>,
    pub target: PathBuf,
}

/// Replaces the database at `target` with the content of the backup `file`.
///
/// The whole file is checked first, then restored into a new folder beside `target`. Only
/// when that succeeded is the existing folder renamed to `NAME.before-restore-TIMESTAMP`
/// and the new one moved in its place. A database that another Carnet has open is not
/// touched.
pub fn restore_backup(
    file: &Path,
    target: &Path,
    options: StoreOptions,
    now: DateTime<Utc>,
) -> Result<RestoreReport, BackupError> {
    verify_backup(file)?;
    let target_exists = target.exists();
    if target_exists {
        ensure_not_in_use(target, options)?;
    }

    let parent = parent_folder(target);
    let io_error = |path: &Path, source| BackupError::Io {
        path: path.to_owned(),
        source,
    };
    std::fs::create_dir_all(&parent).map_err(|source| io_error(&parent, source))?;
    let staging = tempfile::Builder::new()
        .prefix(".carnet-restore-")
        .tempdir_in(&parent)
        .map_err(|source| io_error(&parent, source))?;
    let staged = staging.path().join("db");
    let summary = load_backup_into(file, &staged, options)?;

    let previous = if target_exists {
        let aside = aside_path(target, now);
        std::fs::rename(target, &aside).map_err(|source| io_error(target, source))?;
        Some(aside)
    } else {
        None
    };
    if let Err(source) = std::fs::rename(&staged, target) {
        // Put the previous database back so the target is never left empty.
        if let Some(aside) = &previous {
            let _ = std::fs::rename(aside, target);
        }
        return Err(io_error(target, source));
    }
    super::backup::sync_parent(target).map_err(|source| io_error(target, source))?;
    tracing::info!(records = summary.records, "backup restored");
    Ok(RestoreReport {
        summary,
        previous,
        target: target.to_owned(),
    })
}

/// The records written by [`compact_database`], and the folder's size before and after.
#[derive(Debug, Clone, Copy)]
pub struct CompactReport {
    pub records: u64,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

/// Rewrites the database at `target` with every record written once.
///
/// sled keeps the old versions of overwritten values in its log until it cleans a segment
/// that is half empty, so a database filled in bulk (`carnet demo`) or written for years
/// takes two to three times its records' size. The database is backed up into a file beside
/// it and restored from it into a new folder, both checked as `restore` checks them. The new
/// folder then takes the old one's place in one atomic exchange, and the old one is deleted.
/// A crash at any point leaves `target` whole, old or new.
pub fn compact_database(
    target: &Path,
    options: StoreOptions,
    now: DateTime<Utc>,
) -> Result<CompactReport, BackupError> {
    let open_options = StoreOptions {
        create: false,
        ..options
    };
    let store = Store::open(target, open_options)?;
    // The folder itself, not a symbolic link to it, is what the exchange below must swap.
    let target = &store.path().to_owned();
    let parent = parent_folder(target);
    let io_error = |path: &Path, source| BackupError::Io {
        path: path.to_owned(),
        source,
    };
    // One staging folder per database: the lock held on the database means a staging folder
    // already there was left by a compaction that was killed, and can go.
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let prefix = format!(".{name}.compacting");
    let leftover = parent.join(&prefix);
    if leftover.exists() {
        tracing::warn!(path = %leftover.display(), "removing what a killed compaction left");
        std::fs::remove_dir_all(&leftover).map_err(|source| io_error(&leftover, source))?;
    }
    let staging = tempfile::Builder::new()
        .prefix(&prefix)
        .rand_bytes(0)
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir_in(&parent)
        .map_err(|source| io_error(&parent, source))?;
    let file = staging.path().join("backup");
    store.backup_to(&file, now)?;
    let bytes_before = folder_bytes(target).map_err(|source| io_error(target, source))?;

    // `store` stays open, and so keeps the database locked, until the new one is in place:
    // a Carnet started meanwhile reports the database in use instead of writing into the copy
    // about to be deleted.
    let staged = staging.path().join("db");
    let summary = load_backup_into(&file, &staged, options)?;
    rustix::fs::renameat_with(
        rustix::fs::CWD,
        target,
        rustix::fs::CWD,
        &staged,
        rustix::fs::RenameFlags::EXCHANGE,
    )
    .map_err(|errno| io_error(target, errno.into()))?;
    super::backup::sync_parent(target).map_err(|source| io_error(target, source))?;
    // Closing checkpoints the old files, now in `staging`, and rewrites the manifest at
    // `target` with the values the new database's own manifest already holds.
    drop(store);
    let bytes_after = folder_bytes(target).map_err(|source| io_error(target, source))?;
    // Dropping `staging` deletes the old database and the backup file.
    drop(staging);
    tracing::info!(
        records = summary.records,
        bytes_before,
        bytes_after,
        "database compacted"
    );
    Ok(CompactReport {
        records: summary.records,
        bytes_before,
        bytes_after,
    })
}

/// Bytes of the files directly in `folder`.
fn folder_bytes(folder: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(folder)? {
        let metadata = entry?.metadata()?;
        if metadata.is_file() {
            total += metadata.len();
        }
    }
    Ok(total)
}

fn load_backup_into(
    file: &Path,
    staged: &Path,
    options: StoreOptions,
) -> Result<BackupSummary, BackupError> {
    let store = Store::open(
        staged,
        StoreOptions {
            create: true,
            ..options
        },
    )?;
    let Some(mut loader) = RawLoader::new(&store)? else {
        return Err(BackupError::Store(StoreError::Corrupted {
            path: staged.to_owned(),
            detail: "a new database is not empty".to_owned(),
        }));
    };
    let mut has_format = false;
    let summary = read_backup(file, |record: RawRecord| {
        has_format |= record.tree == TreeName::Meta && record.key == meta::FORMAT;
        loader.put(record.tree, &record.key, record.value)?;
        Ok(())
    })?;
    loader.finish()?;

    // Every Carnet database has its format record, so a backup without one (an empty file
    // with a valid checksum, say) would replace the club with nothing.
    let damaged = |detail: String| BackupError::Damaged {
        path: file.to_owned(),
        detail,
    };
    if !has_format {
        return Err(damaged(
            "it holds no Carnet database (no format record)".to_owned(),
        ));
    }
    // Opening again upgrades a backup of an older format, as opening it later would.
    drop(store);
    let store = Store::open(
        staged,
        StoreOptions {
            create: false,
            ..options
        },
    )
    .map_err(|error| damaged(error.to_string()))?;
    // A record that does not decode would stop the app from opening, so none may be put in
    // place of a working database.
    store
        .verify_records()
        .map_err(|error| damaged(error.to_string()))?;
    Ok(summary)
}

/// Rejects a target that another Carnet has open. A damaged or foreign database is fine:
/// replacing one is what a restore is for, and it is kept aside.
fn ensure_not_in_use(target: &Path, options: StoreOptions) -> Result<(), BackupError> {
    let probe = Store::open(
        target,
        StoreOptions {
            create: false,
            ..options
        },
    );
    match probe {
        Err(error @ StoreError::InUse { .. }) => Err(BackupError::Store(error)),
        Err(error) => {
            tracing::warn!(%error, "the database to replace does not open; restoring anyway");
            Ok(())
        }
        Ok(store) => {
            drop(store);
            Ok(())
        }
    }
}

fn parent_folder(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Returns `NAME.before-restore-YYYYMMDD-HHMMSSZ` (UTC) beside `target`, with a counter if
/// that name is taken.
fn aside_path(target: &Path, now: DateTime<Utc>) -> PathBuf {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let stamp = now.format("%Y%m%d-%H%M%SZ");
    let mut candidate = target.with_file_name(format!("{name}.before-restore-{stamp}"));
    let mut counter = 2;
    while candidate.exists() {
        candidate = target.with_file_name(format!("{name}.before-restore-{stamp}-{counter}"));
        counter += 1;
    }
    candidate
}
