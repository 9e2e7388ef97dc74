//! The facts file: the ledger reduced to fixed-size records, in the database folder, so that
//! a report neither decodes the whole ledger again nor keeps it in memory.
//!
//! Layout, little-endian: a 64-byte header (magic, version, record count, the id and instant
//! of the last event held, a CRC-32 of the records), then 48-byte records in ledger order. A
//! card record comes before the first event of its card, and events name their card by its
//! position among the card records. New records are appended and the header rewritten after
//! them. A file that fails any check is rebuilt from the ledger, since it contains nothing
//! that the ledger does not.
//!
//! Reports read the event records a chunk at a time, for each report computed: 2,000,000
//! events take 96 MB here, which stay in the page cache rather than in the app.

use super::facts::{CardFact, EventFact, FactKind, method_index};
use crate::domain::card::CardId;
use crate::domain::card_type::{ActivityId, CardTypeId};
use crate::domain::member::MemberId;
use crate::domain::sale::PaymentMethod;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

const FILE_NAME: &str = "reports-cache";
const MAGIC: &[u8; 8] = b"CARNETRC";
const VERSION: u32 = 1;
const HEADER: usize = 64;
const RECORD: usize = 48;
/// Records read or written at a time: 384 KiB, so that two reports reading at once add
/// under a megabyte to the app's memory.
pub(super) const CHUNK_RECORDS: usize = 8_192;

const TAG_CARD: u8 = 1;
const TAG_SOLD: u8 = 2;
const TAG_USED: u8 = 3;
const TAG_REVERTED: u8 = 4;
const TAG_ADJUSTED: u8 = 5;
const TAG_EXPIRY: u8 = 6;
const TAG_CANCELLED: u8 = 7;
const TAG_PAID: u8 = 8;
const TAG_REFUNDED: u8 = 9;
const TAG_IMPORTED: u8 = 10;

/// Marks "no date" and "no activity" in a record.
const NONE: i64 = i64::MIN;

pub fn cache_path(store: &Store) -> PathBuf {
    store.path().join(FILE_NAME)
}

/// The id and instant of the newest event in the file, as the header keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LastEvent {
    pub id: u64,
    pub micros: i64,
}

/// One record of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Record {
    Card(CardFact),
    /// An event. Its check-in is never marked reverted here, because the file does not record
    /// it.
    Event(EventFact),
}

/// The open facts file and what this process wrote to it.
#[derive(Debug)]
pub(super) struct RecordFile {
    file: File,
    /// The path that errors give for the file: the cache file, or the database folder for an
    /// unnamed file in it.
    path: PathBuf,
    /// Records counted in the header, that is written and covered by `crc`.
    records: u64,
    crc: u32,
    /// Records not written yet, appended after `records`.
    pending: Vec<u8>,
    /// Records written since the header was last written, covered by `pending_crc`.
    unsaved: u64,
    pending_crc: crc32fast::Hasher,
    /// Set when a record already written was changed, so the CRC is computed again from the
    /// file before the header is written.
    rewritten: bool,
}

impl RecordFile {
    /// Opens the cache file of `store`, creating it when missing, and returns its header's
    /// newest event when the header is sound. A path that is not a regular file (a link, a
    /// FIFO, a folder) or that cannot be opened is left alone: the facts then go to an unnamed
    /// file in the database folder, which disappears when closed.
    pub(super) fn open(store: &Store) -> Result<(RecordFile, Option<LastEvent>), StoreError> {
        let path = cache_path(store);
        match RecordFile::open_path(&path) {
            Ok(opened) => Ok(opened),
            Err(error) => {
                tracing::warn!(%error, "reports cache file not usable; using an unnamed file \
                    in the database folder");
                Ok((RecordFile::unnamed(store.path())?, None))
            }
        }
    }

    /// Opens the file at `path` as [`RecordFile::open`] does, without the fallback.
    pub(super) fn open_path(path: &Path) -> Result<(RecordFile, Option<LastEvent>), StoreError> {
        let file = open_regular(path).map_err(|source| StoreError::Io {
            path: path.to_owned(),
            source,
        })?;
        let mut opened = RecordFile::new(file, path.to_owned());
        let last = opened.read_header()?;
        Ok((opened, last))
    }

    /// Creates an empty file that has no name, in `folder`.
    pub(super) fn unnamed(folder: &Path) -> Result<RecordFile, StoreError> {
        let file = tempfile::tempfile_in(folder).map_err(|source| StoreError::Io {
            path: folder.to_owned(),
            source,
        })?;
        Ok(RecordFile::new(file, folder.to_owned()))
    }

    fn new(file: File, path: PathBuf) -> RecordFile {
        RecordFile {
            file,
            path,
            records: 0,
            crc: 0,
            pending: Vec::new(),
            unsaved: 0,
            pending_crc: crc32fast::Hasher::new(),
            rewritten: false,
        }
    }

    /// Returns the path that errors about this file name.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    fn io_error(&self, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Reads the header; `None` when the file is empty, of another version, or its header
    /// does not fit the file's length. The records are checked by [`RecordFile::records`].
    fn read_header(&mut self) -> Result<Option<LastEvent>, StoreError> {
        let mut bytes = [0u8; HEADER];
        match self.file.read_exact_at(&mut bytes, 0) {
            Ok(()) => {}
            Err(error) if error.kind() == ErrorKind::UnexpectedEof => return Ok(None),
            Err(error) => return Err(self.io_error(error)),
        }
        let Some(header) = Header::decode(&bytes) else {
            return Ok(None);
        };
        // A damaged count must neither overflow nor reach past the end of the file.
        let file_length = self.file.metadata().map_err(|e| self.io_error(e))?.len();
        let fits = header
            .records
            .checked_mul(RECORD as u64)
            .and_then(|length| length.checked_add(HEADER as u64))
            .is_some_and(|end| end <= file_length);
        if !fits {
            return Ok(None);
        }
        self.records = header.records;
        self.crc = header.crc;
        Ok(Some(header.last))
    }

    /// Empties the file, to build it again from the ledger.
    pub(super) fn clear(&mut self) -> Result<(), StoreError> {
        self.file.set_len(0).map_err(|e| self.io_error(e))?;
        self.records = 0;
        self.crc = 0;
        self.pending.clear();
        self.unsaved = 0;
        self.pending_crc = crc32fast::Hasher::new();
        self.rewritten = false;
        Ok(())
    }

    /// Returns the place of the next record appended.
    fn next_place(&self) -> u64 {
        self.records + self.unsaved + (self.pending.len() / RECORD) as u64
    }

    /// Appends a card record and returns its place, for [`RecordFile::rewrite_card`].
    pub(super) fn push_card(&mut self, card: &CardFact) -> Result<u64, StoreError> {
        let place = self.next_place();
        self.pending.extend_from_slice(&card_record(card));
        self.write_full_chunk()?;
        Ok(place)
    }

    pub(super) fn push_event(
        &mut self,
        id: u64,
        at: DateTime<Utc>,
        card: u32,
        kind: FactKind,
    ) -> Result<(), StoreError> {
        self.pending
            .extend_from_slice(&event_record(id, at.timestamp_micros(), card, kind));
        self.write_full_chunk()
    }

    /// Writes the card record at `place` again, with the card as it is now. The record must
    /// have been appended since the last commit.
    pub(super) fn rewrite_card(&mut self, place: u64, card: &CardFact) -> Result<(), StoreError> {
        // The header's CRC vouches for the records committed: they are never written again.
        debug_assert!(place >= self.records, "card record {place} was committed");
        let record = card_record(card);
        let first_pending = self.records + self.unsaved;
        if let Some(index) = place.checked_sub(first_pending) {
            let at = index as usize * RECORD;
            self.pending[at..at + RECORD].copy_from_slice(&record);
            return Ok(());
        }
        self.file
            .write_all_at(&record, HEADER as u64 + place * RECORD as u64)
            .map_err(|e| self.io_error(e))?;
        self.rewritten = true;
        Ok(())
    }

    fn write_full_chunk(&mut self) -> Result<(), StoreError> {
        if self.pending.len() >= CHUNK_RECORDS * RECORD {
            self.write_pending()?;
        }
        Ok(())
    }

    fn write_pending(&mut self) -> Result<(), StoreError> {
        let at = HEADER as u64 + (self.records + self.unsaved) * RECORD as u64;
        self.file
            .write_all_at(&self.pending, at)
            .map_err(|e| self.io_error(e))?;
        self.pending_crc.update(&self.pending);
        self.unsaved += (self.pending.len() / RECORD) as u64;
        self.pending.clear();
        Ok(())
    }

    /// Writes the records appended, then the header that counts them, and syncs the file.
    pub(super) fn commit(&mut self, last: LastEvent) -> Result<(), StoreError> {
        if self.pending.is_empty() && self.unsaved == 0 && !self.rewritten {
            return Ok(());
        }
        self.write_pending()?;
        let records = self.records + self.unsaved;
        // The records appended since the last commit are read back when one of them was
        // written again. Those committed before are not: a change made to them on disk must
        // still fail the check against the CRC they were committed with.
        let appended = if self.rewritten {
            self.crc_of(self.records, records)?
        } else {
            std::mem::take(&mut self.pending_crc)
        };
        let mut hasher = crc32fast::Hasher::new_with_initial(self.crc);
        hasher.combine(&appended);
        let crc = hasher.finalize();
        let header = Header { records, last, crc };
        let end = HEADER as u64 + records * RECORD as u64;
        self.file.set_len(end).map_err(|e| self.io_error(e))?;
        self.file
            .write_all_at(&header.encode(), 0)
            .map_err(|e| self.io_error(e))?;
        // Synced here, on the reports' thread, rather than by the store's next checkpoint,
        // which syncs every file in the database folder between two check-ins.
        self.file.sync_data().map_err(|e| self.io_error(e))?;

        self.records = records;
        self.crc = crc;
        self.unsaved = 0;
        self.pending_crc = crc32fast::Hasher::new();
        self.rewritten = false;
        Ok(())
    }

    /// Reads the records from place `first` up to `end` from the file into a CRC.
    fn crc_of(&self, first: u64, end: u64) -> Result<crc32fast::Hasher, StoreError> {
        let mut hasher = crc32fast::Hasher::new();
        let mut chunk = vec![0u8; CHUNK_RECORDS * RECORD];
        let mut next = first;
        while next < end {
            let count = (end - next).min(CHUNK_RECORDS as u64) as usize;
            let part = &mut chunk[..count * RECORD];
            self.file
                .read_exact_at(part, HEADER as u64 + next * RECORD as u64)
                .map_err(|e| self.io_error(e))?;
            hasher.update(part);
            next += count as u64;
        }
        Ok(hasher)
    }

    /// Reads the records counted in the header, a chunk at a time. The last item is an error
    /// when the records no longer match the header's CRC, or one of them makes no sense: the
    /// file was changed since it was written.
    pub(super) fn records(&self) -> Records<'_> {
        Records {
            file: self,
            cards: 0,
            chunk: Vec::new(),
            at: 0,
            next: 0,
            hasher: crc32fast::Hasher::new(),
            done: false,
        }
    }
}

/// The records of a [`RecordFile`], oldest first; see [`RecordFile::records`].
pub(super) struct Records<'a> {
    file: &'a RecordFile,
    /// The card records read so far: an event names one of them.
    cards: usize,
    chunk: Vec<u8>,
    at: usize,
    next: u64,
    hasher: crc32fast::Hasher,
    done: bool,
}

impl Records<'_> {
    pub(super) fn damaged(&mut self, detail: &str) -> StoreError {
        self.done = true;
        self.file.io_error(std::io::Error::new(
            ErrorKind::InvalidData,
            format!("the reports cache changed while it was read: {detail}"),
        ))
    }

    /// Reads the next chunk; `false` at the end of the records.
    fn fill(&mut self) -> Result<bool, StoreError> {
        let left = self.file.records - self.next;
        if left == 0 {
            return Ok(false);
        }
        let count = left.min(CHUNK_RECORDS as u64) as usize;
        self.chunk.resize(count * RECORD, 0);
        let offset = HEADER as u64 + self.next * RECORD as u64;
        if let Err(error) = self.file.file.read_exact_at(&mut self.chunk, offset) {
            self.done = true;
            return Err(self.file.io_error(error));
        }
        self.hasher.update(&self.chunk);
        self.next += count as u64;
        self.at = 0;
        Ok(true)
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Record, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.at == self.chunk.len() {
            match self.fill() {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    let crc = std::mem::take(&mut self.hasher).finalize();
                    return (crc != self.file.crc).then(|| Err(self.damaged("CRC differs")));
                }
                Err(error) => return Some(Err(error)),
            }
        }
        let record = &self.chunk[self.at..self.at + RECORD];
        self.at += RECORD;
        match parse_record(record) {
            Some(Record::Card(card)) => {
                self.cards += 1;
                Some(Ok(Record::Card(card)))
            }
            Some(Record::Event(event)) if (event.card as usize) < self.cards => {
                Some(Ok(Record::Event(event)))
            }
            _ => Some(Err(self.damaged("a record makes no sense"))),
        }
    }
}

/// Opens `path` for reading and writing when it is a regular file or missing (then created,
/// readable by its owner only). Opening a FIFO would wait for a writer and hang the reports
/// for good, and a link may lead anywhere.
fn open_regular(path: &Path) -> std::io::Result<File> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if !metadata.is_file() => {
            return Err(std::io::Error::new(
                ErrorKind::InvalidInput,
                format!("{} is not a regular file", path.display()),
            ));
        }
        // Another name of the same file would see it overwritten.
        Ok(metadata) if metadata.nlink() > 1 => {
            return Err(std::io::Error::new(
                ErrorKind::InvalidInput,
                format!("{} has other names (hard links)", path.display()),
            ));
        }
        Err(error) if error.kind() != ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .mode(0o600)
        .open(path)
}

#[derive(Clone, Copy)]
struct Header {
    records: u64,
    last: LastEvent,
    crc: u32,
}

impl Header {
    fn encode(&self) -> [u8; HEADER] {
        let mut bytes = [0u8; HEADER];
        bytes[0..8].copy_from_slice(MAGIC);
        bytes[8..12].copy_from_slice(&VERSION.to_le_bytes());
        bytes[12..16].copy_from_slice(&(RECORD as u32).to_le_bytes());
        bytes[16..24].copy_from_slice(&self.records.to_le_bytes());
        bytes[24..32].copy_from_slice(&self.last.id.to_le_bytes());
        bytes[32..40].copy_from_slice(&self.last.micros.to_le_bytes());
        bytes[40..44].copy_from_slice(&self.crc.to_le_bytes());
        bytes
    }

    fn decode(bytes: &[u8]) -> Option<Header> {
        if bytes.get(0..8)? != MAGIC
            || u32_at(bytes, 8)? != VERSION
            || u32_at(bytes, 12)? != RECORD as u32
        {
            return None;
        }
        Some(Header {
            records: u64_at(bytes, 16)?,
            last: LastEvent {
                id: u64_at(bytes, 24)?,
                micros: u64_at(bytes, 32)? as i64,
            },
            crc: u32_at(bytes, 40)?,
        })
    }
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

fn i64_at(bytes: &[u8], at: usize) -> i64 {
    u64_at(bytes, at).unwrap_or(0) as i64
}

/// Reads one record; `None` for a record that makes no sense.
fn parse_record(record: &[u8]) -> Option<Record> {
    let tag = record[0];
    let id = u64_at(record, 8)?;
    let (a, b, c, d) = (
        i64_at(record, 16),
        i64_at(record, 24),
        i64_at(record, 32),
        i64_at(record, 40),
    );
    if tag == TAG_CARD {
        return Some(Record::Card(CardFact {
            id: CardId(id),
            member: MemberId(a as u64),
            type_id: CardTypeId(b as u64),
            sold_on: date_of(d >> 32)?,
            expires_on: optional_date(i64::from(d as i32)),
            price_cents: c,
            sessions: u32_at(record, 4)?,
        }));
    }
    let card = u32::try_from(b).ok()?;
    let method = || PaymentMethod::ALL.get(usize::from(record[1])).copied();
    let kind = match tag {
        TAG_SOLD => FactKind::Sold,
        TAG_USED => FactKind::Used {
            activity: (d != NONE).then_some(ActivityId(d as u64)),
            reverted: false,
        },
        TAG_REVERTED => FactKind::Reverted { reverted: c as u64 },
        TAG_ADJUSTED => FactKind::Adjusted {
            delta: i32::try_from(c).ok()?,
        },
        TAG_EXPIRY => FactKind::ExpiryChanged {
            to: optional_date(c),
        },
        TAG_CANCELLED => FactKind::Cancelled { refund_cents: c },
        TAG_PAID => FactKind::Paid {
            method: method()?,
            amount_cents: c,
        },
        TAG_REFUNDED => FactKind::Refunded {
            method: method()?,
            amount_cents: c,
        },
        TAG_IMPORTED => FactKind::Imported {
            sessions: u32::try_from(c).ok()?,
        },
        _ => return None,
    };
    // A time that chrono cannot hold is a damaged record: the ledger's times all fit.
    DateTime::from_timestamp_micros(a)?;
    Some(Record::Event(EventFact {
        id,
        minute: a.div_euclid(60_000_000),
        card,
        kind,
    }))
}

fn date_of(days: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(days).ok()?)
}

fn optional_date(days: i64) -> Option<NaiveDate> {
    if days == NONE || days == i64::from(i32::MIN) {
        None
    } else {
        date_of(days)
    }
}

fn days_of(date: Option<NaiveDate>) -> i64 {
    date.map_or(NONE, |date| i64::from(date.num_days_from_ce()))
}

fn card_record(card: &CardFact) -> [u8; RECORD] {
    let expiry = card
        .expires_on
        .map_or(i32::MIN, |date| date.num_days_from_ce());
    let packed = (i64::from(card.sold_on.num_days_from_ce()) << 32) | i64::from(expiry as u32);
    let mut record = [0u8; RECORD];
    record[0] = TAG_CARD;
    record[4..8].copy_from_slice(&card.sessions.to_le_bytes());
    fill(
        &mut record,
        card.id.0,
        card.member.0 as i64,
        card.type_id.0 as i64,
    );
    record[32..40].copy_from_slice(&card.price_cents.to_le_bytes());
    record[40..48].copy_from_slice(&packed.to_le_bytes());
    record
}

fn event_record(id: u64, micros: i64, card: u32, kind: FactKind) -> [u8; RECORD] {
    let mut record = [0u8; RECORD];
    let (tag, method, value, extra) = match kind {
        FactKind::Sold => (TAG_SOLD, 0, 0, 0),
        FactKind::Used { activity, .. } => (
            TAG_USED,
            0,
            0,
            activity.map_or(NONE, |activity| activity.0 as i64),
        ),
        FactKind::Reverted { reverted } => (TAG_REVERTED, 0, reverted as i64, 0),
        FactKind::Adjusted { delta } => (TAG_ADJUSTED, 0, i64::from(delta), 0),
        FactKind::ExpiryChanged { to } => (TAG_EXPIRY, 0, days_of(to), 0),
        FactKind::Cancelled { refund_cents } => (TAG_CANCELLED, 0, refund_cents, 0),
        FactKind::Imported { sessions } => (TAG_IMPORTED, 0, i64::from(sessions), 0),
        FactKind::Paid {
            method,
            amount_cents,
        } => (TAG_PAID, method_index(method), amount_cents, 0),
        FactKind::Refunded {
            method,
            amount_cents,
        } => (TAG_REFUNDED, method_index(method), amount_cents, 0),
    };
    record[0] = tag;
    record[1] = method;
    fill(&mut record, id, micros, i64::from(card));
    record[32..40].copy_from_slice(&value.to_le_bytes());
    record[40..48].copy_from_slice(&extra.to_le_bytes());
    record
}

fn fill(record: &mut [u8; RECORD], id: u64, a: i64, b: i64) {
    record[8..16].copy_from_slice(&id.to_le_bytes());
    record[16..24].copy_from_slice(&a.to_le_bytes());
    record[24..32].copy_from_slice(&b.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIFO in the file's place is refused at once instead of waiting for a writer, and so
    /// are a link, a folder and a file with another name.
    #[test]
    fn only_a_regular_file_is_opened() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(status.success());
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        let precious = dir.path().join("precious");
        std::fs::write(&precious, "kept").unwrap();
        let hard_link = dir.path().join("hard-link");
        std::fs::hard_link(&precious, &hard_link).unwrap();

        let (sender, receiver) = std::sync::mpsc::channel();
        let paths = [fifo, link, dir.path().to_owned(), hard_link];
        std::thread::spawn(move || {
            for path in paths {
                let _ = sender.send((open_regular(&path).map(|_| ()), path));
            }
        });
        for _ in 0..4 {
            let (result, path) = receiver
                .recv_timeout(std::time::Duration::from_secs(10))
                .expect("open_regular returned within 10 s");
            let error = result.expect_err("not a file of its own");
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "{}", path.display());
        }
        assert_eq!(std::fs::read_to_string(&precious).unwrap(), "kept");
    }

    /// A full disk comes back as `StorageFull`, which the reports look for to move their
    /// records to the temporary folder.
    #[test]
    fn full_disk_is_told_apart() {
        let full = OpenOptions::new().write(true).open("/dev/full").unwrap();
        let mut file = RecordFile::new(full, PathBuf::from("/dev/full"));
        let card = CardFact {
            id: CardId(1),
            member: MemberId(1),
            type_id: CardTypeId(1),
            sold_on: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            expires_on: None,
            price_cents: 9_000,
            sessions: 10,
        };
        file.push_card(&card).unwrap();
        let last = LastEvent { id: 1, micros: 0 };
        match file.commit(last) {
            Err(StoreError::Io { source, .. }) => {
                assert_eq!(source.kind(), ErrorKind::StorageFull);
            }
            other => panic!("expected a full disk, got {other:?}"),
        }
    }

    #[test]
    fn header_of_another_version_or_cut_short_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let header = Header {
            records: 0,
            last: LastEvent { id: 4, micros: 9 },
            crc: 0,
        };
        std::fs::write(&path, header.encode()).unwrap();
        assert_eq!(RecordFile::open_path(&path).unwrap().1, Some(header.last));

        let mut bytes = header.encode();
        bytes[8] = 99;
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(RecordFile::open_path(&path).unwrap().1, None);
        std::fs::write(&path, &header.encode()[..20]).unwrap();
        assert_eq!(RecordFile::open_path(&path).unwrap().1, None);
        // A count of records beyond the end of the file.
        let long = Header {
            records: 1 << 36,
            ..header
        };
        std::fs::write(&path, long.encode()).unwrap();
        assert_eq!(RecordFile::open_path(&path).unwrap().1, None);
    }
}
