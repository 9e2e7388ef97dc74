//! Opening a database: refuse what is not ours, wait briefly for a lock that a killed process
//! left behind, replay the journal, and check the format.

use super::journal::Journal;
use super::keys::{TreeName, meta};
use super::{DATABASE_FORMAT, Store, StoreError, codec};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const JOURNAL_FILE: &str = "journal";

/// How long to keep trying a lock before reporting the database in use. The kernel releases
/// the lock of a killed process at once, so this only covers a restart racing its predecessor.
const LOCK_WAIT: Duration = Duration::from_millis(1500);

#[derive(Debug, Clone, Copy)]
pub struct StoreOptions {
    /// sled's page cache size. sled's default of 1 GiB does not bound memory, so it is always set.
    pub cache_bytes: u64,
    /// Create the database when the folder is missing or empty; otherwise such a path is an
    /// error, so a mistyped path is reported instead of silently giving an empty club.
    pub create: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            cache_bytes: 64 * 1024 * 1024,
            create: true,
        }
    }
}

impl Store {
    /// Opens the database at `path`, creating it when the folder is missing or empty.
    pub fn open(path: &Path, options: StoreOptions) -> Result<Store, StoreError> {
        let path = prepare_folder(path, options.create)?;
        let db = open_sled_with_retry(&path, options)?;

        let mut trees = Vec::with_capacity(TreeName::ALL.len());
        for name in TreeName::ALL {
            trees.push(
                db.open_tree(name.as_str())
                    .map_err(|e| StoreError::from_sled(&path, e))?,
            );
        }
        let journal_path = path.join(JOURNAL_FILE);
        let (journal, pending) = Journal::open(&journal_path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::InvalidData {
                StoreError::Corrupted {
                    path: path.clone(),
                    detail: source.to_string(),
                }
            } else {
                StoreError::Io {
                    path: journal_path.clone(),
                    source,
                }
            }
        })?;
        let store = Store {
            path,
            db,
            trees,
            journal: Mutex::new(journal),
            generation: Default::default(),
            ledger_tail: Default::default(),
        };

        if !pending.is_empty() {
            store.replay(pending)?;
        }
        store.reject_newer_format()?;
        store.check_manifest()?;
        store.check_format()?;
        store.restrict_permissions()?;
        Ok(store)
    }

    /// Applies journaled writes that sled may have lost, then checkpoints.
    fn replay(
        &self,
        transactions: Vec<Vec<super::journal::JournalWrite>>,
    ) -> Result<(), StoreError> {
        tracing::info!(transactions = transactions.len(), "replaying journal");
        for writes in &transactions {
            for write in writes {
                self.apply_write(write)?;
            }
        }
        self.checkpoint()
    }

    /// Refuses a database written by a newer Carnet before anything else is compared, since
    /// a newer format may keep its records where this build does not look.
    fn reject_newer_format(&self) -> Result<(), StoreError> {
        let stored = self
            .tree(TreeName::Meta)
            .get(meta::FORMAT)
            .map_err(|e| self.sled_error(e))?;
        let Some(bytes) = stored else {
            return Ok(());
        };
        let found: u32 = codec::decode(&bytes)
            .map_err(|source| StoreError::record(TreeName::Meta, meta::FORMAT, source))?;
        if found > DATABASE_FORMAT {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found,
                supported: DATABASE_FORMAT,
            });
        }
        Ok(())
    }

    /// Stamps a new database with the current format; refuses a foreign or newer one.
    fn check_format(&self) -> Result<(), StoreError> {
        let meta_tree = self.tree(TreeName::Meta);
        match meta_tree
            .get(meta::FORMAT)
            .map_err(|e| self.sled_error(e))?
        {
            Some(bytes) => {
                let found: u32 = codec::decode(&bytes)
                    .map_err(|source| StoreError::record(TreeName::Meta, meta::FORMAT, source))?;
                if found > DATABASE_FORMAT {
                    return Err(StoreError::TooNew {
                        path: self.path.clone(),
                        found,
                        supported: DATABASE_FORMAT,
                    });
                }
                if found < DATABASE_FORMAT {
                    self.upgrade_from(found)?;
                }
                // A crash after the upgrade's last checkpoint can leave the old records.
                self.clear_legacy_trees()?;
                self.remove_member_card_pairs_left()?;
                self.remove_event_sequence()
            }
            None => {
                let empty = TreeName::ALL.iter().all(|&name| self.tree(name).is_empty());
                if !empty {
                    return Err(StoreError::Foreign {
                        path: self.path.clone(),
                    });
                }
                let mut journal = self.lock_writer();
                meta_tree
                    .insert(meta::FORMAT, codec::encode(&DATABASE_FORMAT))
                    .map_err(|e| self.sled_error(e))?;
                self.checkpoint_locked(&mut journal)
            }
        }
    }

    /// Brings a database of an older format to the current one.
    /// - Format 2 added each card's last use beside the card, derived from the ledger.
    /// - Format 3 packed the ledger into blocks (see `ledger`).
    /// - Format 4 takes event ids from the newest event instead of a sequence record, which
    ///   it removes, and keeps each member's cards in one list.
    ///
    /// Nothing of the old format is removed before the new format record is durable, so a
    /// crash halfway leaves the old format on disk, and the next open starts over. A format-3
    /// Carnet would number events from the stale sequence and give two events one id, so it
    /// must refuse format 4 as written by a newer Carnet.
    fn upgrade_from(&self, found: u32) -> Result<(), StoreError> {
        let events = self.move_ledger_into_blocks()?;
        let members = self.build_member_card_lists()?;
        let cards = if found < 2 {
            self.rebuild_last_use()?
        } else {
            0
        };
        let mut journal = self.lock_writer();
        let meta_tree = self.tree(TreeName::Meta);
        meta_tree
            .insert(meta::MEMBER_CARD_PAIRS_LEFT, codec::encode(&true))
            .map_err(|e| self.sled_error(e))?;
        meta_tree
            .insert(meta::FORMAT, codec::encode(&DATABASE_FORMAT))
            .map_err(|e| self.sled_error(e))?;
        self.checkpoint_locked(&mut journal)?;
        tracing::info!(
            found,
            events,
            members,
            cards,
            "database upgraded to format {DATABASE_FORMAT}"
        );
        Ok(())
    }

    /// Finishes the upgrade's last step, which a crash may have cut short: removes the
    /// per-card entries of `member_cards`, then the record that marks them as left.
    fn remove_member_card_pairs_left(&self) -> Result<(), StoreError> {
        if !self.has_meta(meta::MEMBER_CARD_PAIRS_LEFT)? {
            return Ok(());
        }
        self.remove_member_card_pairs()?;
        let mut journal = self.lock_writer();
        self.tree(TreeName::Meta)
            .remove(meta::MEMBER_CARD_PAIRS_LEFT)
            .map_err(|e| self.sled_error(e))?;
        self.checkpoint_locked(&mut journal)
    }

    /// Removes format 3's event sequence once the format record is 4, through the journal
    /// as any write.
    fn remove_event_sequence(&self) -> Result<(), StoreError> {
        if !self.has_meta(meta::LEGACY_SEQ_EVENT)? {
            return Ok(());
        }
        self.write(|tx| tx.remove(TreeName::Meta, meta::LEGACY_SEQ_EVENT))
    }

    fn has_meta(&self, key: &[u8]) -> Result<bool, StoreError> {
        self.tree(TreeName::Meta)
            .contains_key(key)
            .map_err(|e| self.sled_error(e))
    }

    /// Makes every file of the database readable by its owner only, because it contains
    /// members' personal data.
    fn restrict_permissions(&self) -> Result<(), StoreError> {
        let io = |source| StoreError::Io {
            path: self.path.clone(),
            source,
        };
        std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
        for entry in std::fs::read_dir(&self.path).map_err(io)? {
            let entry = entry.map_err(io)?;
            let path = entry.path();
            let file_type = entry.file_type().map_err(|source| StoreError::Io {
                path: path.clone(),
                source,
            })?;
            // A symbolic link is left alone: setting its mode would set its target's, which
            // may lie outside the folder or not exist.
            if file_type.is_symlink() {
                continue;
            }
            let mode = if file_type.is_dir() { 0o700 } else { 0o600 };
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                .map_err(|source| StoreError::Io { path, source })?;
        }
        Ok(())
    }
}

/// Creates the folder (owner-only) if needed, and rejects a folder that contains something else.
fn prepare_folder(path: &Path, create: bool) -> Result<std::path::PathBuf, StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    if path.exists() {
        if !path.is_dir() {
            return Err(StoreError::Foreign {
                path: path.to_owned(),
            });
        }
        let mut names = std::fs::read_dir(path)
            .map_err(io)?
            .filter_map(Result::ok)
            .map(|e| e.file_name());
        let has_entries = names.next().is_some();
        if !has_entries && !create {
            return Err(StoreError::Missing {
                path: path.to_owned(),
            });
        }
        let looks_like_sled = path.join("conf").is_file() && path.join("db").is_file();
        // A folder that once held a Carnet database but lost sled's files is damaged, not new.
        let had_manifest = [
            super::manifest::MANIFEST_FILE,
            super::manifest::LEGACY_MANIFEST_FILE,
        ]
        .iter()
        .any(|name| path.join(name).is_file());
        if !looks_like_sled && had_manifest {
            return Err(StoreError::Corrupted {
                path: path.to_owned(),
                detail: "sled's files are missing".to_owned(),
            });
        }
        if has_entries && !looks_like_sled {
            return Err(StoreError::Foreign {
                path: path.to_owned(),
            });
        }
    } else if !create {
        return Err(StoreError::Missing {
            path: path.to_owned(),
        });
    } else {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
            .map_err(io)?;
    }
    if let SledLock::Free(held) = take_sled_lock(path)? {
        remove_unfinished_snapshots(path)?;
        // Released before sled opens, since sled takes the lock on a file of its own.
        drop(held);
    }
    path.canonicalize().map_err(io)
}

/// sled's lock on a database folder, as a process about to open it finds it.
enum SledLock {
    /// Taken by this process (on the `db` file when there is one) until the value is dropped.
    Free(Option<std::fs::File>),
    /// Held by another process, which may be writing a snapshot under the unfinished name.
    Held,
}

/// Takes sled's lock on the folder's `db` file if no process holds it. Only with the lock
/// held can an unfinished snapshot be taken for one that a killed process left.
fn take_sled_lock(path: &Path) -> Result<SledLock, StoreError> {
    let db_file = path.join("db");
    let io = |source| StoreError::Io {
        path: db_file.clone(),
        source,
    };
    let file = match std::fs::File::open(&db_file) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(SledLock::Free(None));
        }
        Err(error) => return Err(io(error)),
    };
    match file.try_lock() {
        Ok(()) => Ok(SledLock::Free(Some(file))),
        Err(std::fs::TryLockError::WouldBlock) => Ok(SledLock::Held),
        Err(std::fs::TryLockError::Error(error)) => Err(io(error)),
    }
}

/// Removes `snap.*.generating` files: sled writes a snapshot under that name and renames it
/// when complete, so one left behind by a killed process is unfinished, and sled 0.34 reports
/// it as corruption on the next open.
fn remove_unfinished_snapshots(path: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(path).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            tracing::warn!(file = %name, "removing an unfinished snapshot left by a killed process");
            std::fs::remove_file(entry.path()).map_err(io)?;
        }
    }
    Ok(())
}

fn open_sled_with_retry(path: &Path, options: StoreOptions) -> Result<sled::Db, StoreError> {
    let started = Instant::now();
    loop {
        let result = sled::Config::new()
            .path(path)
            .cache_capacity(options.cache_bytes)
            .flush_every_ms(Some(1000))
            .open();
        match result {
            Ok(db) => return Ok(db),
            Err(error) => match StoreError::from_sled(path, error) {
                StoreError::InUse { .. } if started.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                other => return Err(other),
            },
        }
    }
}
