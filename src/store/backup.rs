//! Single-file backups: every record of every tree, taken under the writer lock so that no
//! transaction is half in it, and checked as a whole before anything is restored from it.
//!
//! Layout (integers little-endian):
//!
//! | part    | bytes                                                                     |
//! |---------|---------------------------------------------------------------------------|
//! | header  | magic `CARNETBK` (8), backup version (u32), database format (u32), time of the backup in microseconds since 1970 (i64) |
//! | records | tree number (u8), key length (u32), key, value length (u32), value; repeated |
//! | trailer | end tag `END!` (4), record count (u64), CRC-32 of every byte before the CRC (u32) |
//!
//! The tree numbers are those of [`TreeName::ALL`]. The CRC-32 detects accidental damage
//! from a copy or a disk, such as a truncated file or flipped bits. It does not authenticate
//! the file against someone who edits it on purpose.

use super::keys::TreeName;
use super::{DATABASE_FORMAT, Store, StoreError};
use chrono::{DateTime, Utc};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

pub const BACKUP_MAGIC: &[u8; 8] = b"CARNETBK";
pub const BACKUP_VERSION: u32 = 1;
const END_TAG: &[u8; 4] = b"END!";
/// Largest key or value accepted when reading; a longer length means a damaged file.
const MAX_FIELD_BYTES: u32 = 64 * 1024 * 1024;

/// Facts about a backup file, read from its header and trailer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    pub taken_at: DateTime<Utc>,
    pub database_format: u32,
    pub records: u64,
}

/// Reason a backup file cannot be read or written. Nothing was changed when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{path} is not a Carnet backup")]
    Foreign { path: PathBuf },
    #[error("{path} is a backup of version {found}; this build reads version {BACKUP_VERSION}")]
    TooNew { path: PathBuf, found: u32 },
    #[error("{path} is cut short")]
    Truncated { path: PathBuf },
    #[error("{path} is damaged: {detail}")]
    Damaged { path: PathBuf, detail: String },
    #[error("cannot read or write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One record as stored in a backup.
pub struct RawRecord {
    pub tree: TreeName,
    pub key: Vec<u8>,
    pub value: Vec<u8>,
}

impl Store {
    /// Writes a backup of the whole database to `path`, which must not exist yet. The file is
    /// written under a temporary name, synced, then renamed, and is readable by its owner only.
    ///
    /// NOTE: writes, check-ins included, wait until the backup is written, because it holds
    /// the writer lock throughout. A debug build took about 5 s for a 20,000-member demo club
    /// (22 MB) on the 2-core development machine, so a large club's desk pauses that long.
    pub fn backup_to(&self, path: &Path, now: DateTime<Utc>) -> Result<BackupSummary, BackupError> {
        let io_error = |source| BackupError::Io {
            path: path.to_owned(),
            source,
        };
        let temporary = temporary_path(path);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)
            .map_err(io_error)?;
        let result = self.write_backup(file, now);
        let summary = match result {
            Ok(summary) => summary,
            Err(error) => {
                let _ = std::fs::remove_file(&temporary);
                return Err(error);
            }
        };
        let publish = publish_new(&temporary, path).and_then(|()| sync_parent(path));
        let _ = std::fs::remove_file(&temporary);
        publish.map_err(io_error)?;
        tracing::info!(records = summary.records, "backup written");
        Ok(summary)
    }

    fn write_backup(&self, file: File, now: DateTime<Utc>) -> Result<BackupSummary, BackupError> {
        let path = self.path.clone();
        let io_error = |source| BackupError::Io {
            path: path.clone(),
            source,
        };
        let mut out = ChecksumWriter::new(BufWriter::new(file));
        out.write_all(BACKUP_MAGIC).map_err(io_error)?;
        out.write_all(&BACKUP_VERSION.to_le_bytes())
            .map_err(io_error)?;
        out.write_all(&DATABASE_FORMAT.to_le_bytes())
            .map_err(io_error)?;
        out.write_all(&now.timestamp_micros().to_le_bytes())
            .map_err(io_error)?;

        // Writers take this lock for a whole transaction, so the trees read below contain
        // every committed transaction and no part of one in progress.
        let _writer = self.lock_writer();
        let mut records = 0u64;
        for name in TreeName::ALL {
            for entry in self.tree(name).iter() {
                let (key, value) = entry.map_err(|error| self.sled_error(error))?;
                write_record(&mut out, name, &key, &value).map_err(io_error)?;
                records += 1;
            }
        }
        out.write_all(END_TAG).map_err(io_error)?;
        out.write_all(&records.to_le_bytes()).map_err(io_error)?;
        let checksum = out.hasher.clone().finalize();
        let mut inner = out.inner;
        inner.write_all(&checksum.to_le_bytes()).map_err(io_error)?;
        let file = inner
            .into_inner()
            .map_err(|error| io_error(error.into_error()))?;
        file.sync_all().map_err(io_error)?;
        Ok(BackupSummary {
            taken_at: now,
            database_format: DATABASE_FORMAT,
            records,
        })
    }
}

fn write_record(out: &mut impl Write, tree: TreeName, key: &[u8], value: &[u8]) -> io::Result<()> {
    let too_long = || io::Error::other("record too large for a backup");
    out.write_all(&[tree as u8])?;
    out.write_all(
        &u32::try_from(key.len())
            .map_err(|_| too_long())?
            .to_le_bytes(),
    )?;
    out.write_all(key)?;
    out.write_all(
        &u32::try_from(value.len())
            .map_err(|_| too_long())?
            .to_le_bytes(),
    )?;
    out.write_all(value)
}

/// Checks a whole backup file: magic, version, every record's framing, the count and the
/// checksum. Reads the file once without keeping it in memory.
pub fn verify_backup(path: &Path) -> Result<BackupSummary, BackupError> {
    read_backup(path, |_| Ok(()))
}

/// Reads a backup, passing each record to `visit`, and checks it as [`verify_backup`] does.
/// The records are only trustworthy once this returns `Ok`, so callers that write them
/// somewhere must verify the file first or discard what they wrote on an error.
pub fn read_backup(
    path: &Path,
    mut visit: impl FnMut(RawRecord) -> Result<(), BackupError>,
) -> Result<BackupSummary, BackupError> {
    let file = File::open(path).map_err(|source| BackupError::Io {
        path: path.to_owned(),
        source,
    })?;
    let mut input = BackupReader {
        path,
        reader: BufReader::new(file),
        hasher: crc32fast::Hasher::new(),
    };

    let mut magic = [0u8; 8];
    if input.fill(&mut magic, "header").is_err() || &magic != BACKUP_MAGIC {
        return Err(BackupError::Foreign {
            path: path.to_owned(),
        });
    }
    let version = input.u32("header")?;
    if version > BACKUP_VERSION {
        return Err(BackupError::TooNew {
            path: path.to_owned(),
            found: version,
        });
    }
    if version != BACKUP_VERSION {
        return Err(input.damaged(format!("unknown backup version {version}")));
    }
    let database_format = input.u32("header")?;
    if database_format > DATABASE_FORMAT {
        return Err(BackupError::Store(StoreError::TooNew {
            path: path.to_owned(),
            found: database_format,
            supported: DATABASE_FORMAT,
        }));
    }
    let micros = input.i64("header")?;
    let taken_at = DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| input.damaged(format!("invalid backup time {micros}")))?;

    let mut records = 0u64;
    loop {
        let mut tag = [0u8; 1];
        input.fill(&mut tag, "records")?;
        if tag[0] == END_TAG[0] {
            let mut rest = [0u8; 3];
            input.fill(&mut rest, "trailer")?;
            if rest != END_TAG[1..] {
                return Err(input.damaged("invalid end tag".to_owned()));
            }
            break;
        }
        let tree = TreeName::from_index(tag[0])
            .ok_or_else(|| input.damaged(format!("unknown tree number {}", tag[0])))?;
        let key = input.field("key")?;
        let value = input.field("value")?;
        visit(RawRecord { tree, key, value })?;
        records += 1;
    }
    let counted = input.u64("trailer")?;
    let expected = input.hasher.clone().finalize();
    let mut stored = [0u8; 4];
    input
        .reader
        .read_exact(&mut stored)
        .map_err(|_| input.truncated())?;
    if u32::from_le_bytes(stored) != expected {
        return Err(input.damaged("the checksum does not match the content".to_owned()));
    }
    if counted != records {
        return Err(input.damaged(format!(
            "the trailer counts {counted} records, the file holds {records}"
        )));
    }
    let mut extra = [0u8; 1];
    if input.reader.read(&mut extra).map_err(|e| input.io(e))? != 0 {
        return Err(input.damaged("bytes follow the checksum".to_owned()));
    }
    Ok(BackupSummary {
        taken_at,
        database_format,
        records,
    })
}

struct BackupReader<'a> {
    path: &'a Path,
    reader: BufReader<File>,
    hasher: crc32fast::Hasher,
}

impl BackupReader<'_> {
    fn fill(&mut self, buffer: &mut [u8], part: &str) -> Result<(), BackupError> {
        match self.reader.read_exact(buffer) {
            Ok(()) => {
                self.hasher.update(buffer);
                Ok(())
            }
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
                tracing::debug!(part, "backup file ends early");
                Err(self.truncated())
            }
            Err(error) => Err(self.io(error)),
        }
    }

    fn u32(&mut self, part: &str) -> Result<u32, BackupError> {
        let mut bytes = [0u8; 4];
        self.fill(&mut bytes, part)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn u64(&mut self, part: &str) -> Result<u64, BackupError> {
        let mut bytes = [0u8; 8];
        self.fill(&mut bytes, part)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn i64(&mut self, part: &str) -> Result<i64, BackupError> {
        let mut bytes = [0u8; 8];
        self.fill(&mut bytes, part)?;
        Ok(i64::from_le_bytes(bytes))
    }

    fn field(&mut self, part: &str) -> Result<Vec<u8>, BackupError> {
        let length = self.u32(part)?;
        if length > MAX_FIELD_BYTES {
            return Err(self.damaged(format!("a {part} claims {length} bytes")));
        }
        let mut bytes = vec![0u8; length as usize];
        self.fill(&mut bytes, part)?;
        Ok(bytes)
    }

    fn truncated(&self) -> BackupError {
        BackupError::Truncated {
            path: self.path.to_owned(),
        }
    }

    fn damaged(&self, detail: String) -> BackupError {
        BackupError::Damaged {
            path: self.path.to_owned(),
            detail,
        }
    }

    fn io(&self, source: io::Error) -> BackupError {
        BackupError::Io {
            path: self.path.to_owned(),
            source,
        }
    }
}

/// Hashes everything written through it.
struct ChecksumWriter<W: Write> {
    inner: W,
    hasher: crc32fast::Hasher,
}

impl<W: Write> ChecksumWriter<W> {
    fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: crc32fast::Hasher::new(),
        }
    }
}

impl<W: Write> Write for ChecksumWriter<W> {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buffer)?;
        self.hasher.update(&buffer[..written]);
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Gives the finished file at `temporary` the name `path`, failing if `path` exists.
///
/// A hard link fails on an existing name, where `rename` would replace it silently. File
/// systems without hard links (FAT and exFAT, common on USB drives) fall back to a check
/// then a rename, so a file created between the two would be replaced.
fn publish_new(temporary: &Path, path: &Path) -> io::Result<()> {
    match std::fs::hard_link(temporary, path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Err(error),
        Err(error) => {
            tracing::debug!(%error, "hard link failed; renaming the backup instead");
            if path.exists() {
                return Err(io::Error::from(io::ErrorKind::AlreadyExists));
            }
            std::fs::rename(temporary, path)
        }
    }
}

fn temporary_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(format!(".partial-{}", std::process::id()));
    path.with_file_name(name)
}

/// Syncs the folder containing `path`, so a new name in it survives a power cut.
pub(crate) fn sync_parent(path: &Path) -> io::Result<()> {
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    File::open(parent)?.sync_all()
}
