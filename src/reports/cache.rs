//! The facts cache: a file of fixed-size records in the database folder, so that a report
//! does not decode the whole ledger again.
//!
//! Layout, little-endian: a 64-byte header (magic, version, record count, the id and instant
//! of the last event held, a CRC-32 of the records), then 48-byte records in ledger order. A
//! card record comes before the first event of its card, and events name their card by its
//! position among the card records. New events are appended and the
//! header rewritten after them. A file that fails any check is rebuilt from the ledger, since
//! it contains nothing that the ledger does not.

use super::facts::{CardFact, EventFact, FactKind, Facts, catch_up, from_store, method_index};
use crate::domain::card::CardId;
use crate::domain::card_type::{ActivityId, CardTypeId};
use crate::domain::ledger::EventId;
use crate::domain::member::MemberId;
use crate::domain::sale::PaymentMethod;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Datelike, NaiveDate};
use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

const FILE_NAME: &str = "reports-cache";
const MAGIC: &[u8; 8] = b"CARNETRC";
const VERSION: u32 = 1;
const HEADER: usize = 64;
const RECORD: usize = 48;
/// Records read or written at a time: 3 MB.
const CHUNK_RECORDS: usize = 65_536;

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

/// Facts, with the counts of cards, events and records already in the cache file.
#[derive(Debug, Default)]
pub struct CachedFacts {
    pub facts: Facts,
    saved_cards: usize,
    saved_events: usize,
    saved_records: u64,
    crc: u32,
    /// The last event's time in the store, to the microsecond: facts keep minutes only.
    last_event_micros: i64,
}

impl CachedFacts {
    /// Loads the cache file when it matches the store, else starts from nothing.
    pub fn load(store: &Store) -> CachedFacts {
        match read_file(&cache_path(store)) {
            Ok(Some(cached)) if matches_store(&cached, store) => cached,
            Ok(_) => CachedFacts::default(),
            Err(error) => {
                tracing::warn!(%error, "reports cache unreadable; rebuilding it from the ledger");
                CachedFacts::default()
            }
        }
    }

    /// Catches the facts up with the ledger and appends what is new to the cache file. A
    /// failure to write the file is logged: the facts in memory are right all the same.
    pub fn refresh(&mut self, store: &Store) -> Result<(), StoreError> {
        let added = if self.facts.events.is_empty() {
            self.facts = from_store(store)?;
            self.facts.events.len()
        } else {
            catch_up(&mut self.facts, store)?
        };
        if added > 0 {
            let last = store.event(EventId(self.facts.last_event_id()))?;
            self.last_event_micros = last.map_or(0, |event| event.at.timestamp_micros());
            if let Err(error) = self.save(&cache_path(store)) {
                tracing::warn!(%error, "reports cache not written");
            }
        }
        Ok(())
    }

    fn save(&mut self, path: &Path) -> std::io::Result<()> {
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .mode(0o600)
            .open(path)?;
        if self.saved_records == 0 {
            file.set_len(0)?;
        }
        let end = HEADER as u64 + self.saved_records * RECORD as u64;
        file.seek(SeekFrom::Start(end))?;

        // Written a chunk at a time, for the same reason the file is read that way.
        let mut hasher = crc32fast::Hasher::new_with_initial(self.crc);
        let mut chunk = Vec::with_capacity((CHUNK_RECORDS + 1) * RECORD);
        let mut written = 0u64;
        let mut next_card = self.saved_cards;
        for index in self.saved_events..self.facts.events.len() {
            let event = &self.facts.events[index];
            while next_card <= event.card() as usize {
                card_record(&self.facts.cards[next_card], &mut chunk);
                next_card += 1;
            }
            event_record(
                event,
                self.facts.kind(event),
                self.facts.event_id(index),
                &mut chunk,
            );
            if chunk.len() >= CHUNK_RECORDS * RECORD {
                hasher.update(&chunk);
                file.write_all(&chunk)?;
                written += chunk.len() as u64;
                chunk.clear();
            }
        }
        hasher.update(&chunk);
        file.write_all(&chunk)?;
        written += chunk.len() as u64;
        file.set_len(end + written)?;

        self.crc = hasher.finalize();
        self.saved_records += written / RECORD as u64;
        self.saved_cards = next_card;
        self.saved_events = self.facts.events.len();
        let header = Header {
            records: self.saved_records,
            last_event_id: self.facts.last_event_id(),
            last_event_micros: self.last_event_micros,
            crc: self.crc,
        };
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&header.encode())?;
        // Synced here, on the reports' thread, rather than by the store's next checkpoint,
        // which syncs every file in the database folder between two check-ins.
        file.sync_data()
    }
}

struct Header {
    records: u64,
    last_event_id: u64,
    last_event_micros: i64,
    crc: u32,
}

impl Header {
    fn encode(&self) -> [u8; HEADER] {
        let mut bytes = [0u8; HEADER];
        bytes[0..8].copy_from_slice(MAGIC);
        bytes[8..12].copy_from_slice(&VERSION.to_le_bytes());
        bytes[12..16].copy_from_slice(&(RECORD as u32).to_le_bytes());
        bytes[16..24].copy_from_slice(&self.records.to_le_bytes());
        bytes[24..32].copy_from_slice(&self.last_event_id.to_le_bytes());
        bytes[32..40].copy_from_slice(&self.last_event_micros.to_le_bytes());
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
            last_event_id: u64_at(bytes, 24)?,
            last_event_micros: u64_at(bytes, 32)? as i64,
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

/// Tells whether the cache's last event is still the store's event of that id, so a database
/// restored from an older copy or replaced by another is not read through a stale cache.
fn matches_store(cached: &CachedFacts, store: &Store) -> bool {
    let Some(last) = cached.facts.events.last() else {
        return false;
    };
    match store.event(EventId(cached.facts.last_event_id())) {
        Ok(Some(event)) => {
            event.at.timestamp_micros() == cached.last_event_micros
                && event.card_id == cached.facts.cards[last.card() as usize].id
        }
        _ => false,
    }
}

/// Reads the cache file; `Ok(None)` when it is missing, of another version, or damaged.
fn read_file(path: &Path) -> std::io::Result<Option<CachedFacts>> {
    // Opening a FIFO for reading waits for a writer, which would hang the reports for good.
    match std::fs::metadata(path) {
        Ok(metadata) if !metadata.is_file() => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{} is not a regular file", path.display()),
            ));
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    let mut header = [0u8; HEADER];
    if file.read_exact(&mut header).is_err() {
        return Ok(None);
    }
    let Some(header) = Header::decode(&header) else {
        return Ok(None);
    };
    // A damaged count must neither overflow nor reserve more than the file contains.
    let expected_end = header
        .records
        .checked_mul(RECORD as u64)
        .and_then(|length| length.checked_add(HEADER as u64));
    let file_length = file.metadata()?.len();
    let Some(expected_end) = expected_end.filter(|&end| end <= file_length) else {
        return Ok(None);
    };
    let Ok(length) = usize::try_from(expected_end - HEADER as u64) else {
        return Ok(None);
    };
    // The records are read a chunk at a time: holding the whole file (about 100 MB for
    // 2,000,000 events) beside the facts decoded from it doubled the screen's peak memory.
    // NOTE: not reserved from the header's count. A damaged count in a sparse file of the
    // same length asked for 1 TiB and aborted the process. Now the first record that makes
    // no sense ends the reading, and the array grows as records are read.
    let mut facts = Facts::default();
    let mut hasher = crc32fast::Hasher::new();
    let mut chunk = vec![0u8; CHUNK_RECORDS * RECORD];
    let mut left = length;
    while left > 0 {
        let part = &mut chunk[..left.min(CHUNK_RECORDS * RECORD)];
        file.read_exact(part)?;
        hasher.update(part);
        if parse_records(part, &mut facts).is_none() {
            return Ok(None);
        }
        left -= part.len();
    }
    if hasher.finalize() != header.crc {
        return Ok(None);
    }
    let last = facts.events.last();
    // Facts keep whole minutes, so only the header's minutes are compared.
    if facts.last_event_id() != header.last_event_id
        || last.map_or(0, EventFact::minute) != header.last_event_micros.div_euclid(60_000_000)
    {
        return Ok(None);
    }
    Ok(Some(CachedFacts {
        saved_cards: facts.cards.len(),
        saved_events: facts.events.len(),
        saved_records: header.records,
        crc: header.crc,
        last_event_micros: header.last_event_micros,
        facts,
    }))
}

/// Adds the cards and events of whole records to `facts`; `None` for a record that makes no
/// sense.
fn parse_records(bytes: &[u8], facts: &mut Facts) -> Option<()> {
    for record in bytes.chunks_exact(RECORD) {
        let tag = record[0];
        let id = u64_at(record, 8)?;
        let (a, b, c, d) = (
            i64_at(record, 16),
            i64_at(record, 24),
            i64_at(record, 32),
            i64_at(record, 40),
        );
        if tag == TAG_CARD {
            facts.push_card(CardFact {
                id: CardId(id),
                member: MemberId(a as u64),
                type_id: CardTypeId(b as u64),
                sold_on: date_of(d >> 32)?,
                expires_on: optional_date(i64::from(d as i32)),
                price_cents: c,
                sessions: u32_at(record, 4)?,
            });
            continue;
        }
        let card = u32::try_from(b)
            .ok()
            .filter(|card| (*card as usize) < facts.cards.len())?;
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
        let event = facts.pack(id, DateTime::from_timestamp_micros(a)?, card, kind)?;
        facts.push_event(event);
    }
    Some(())
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

fn card_record(card: &CardFact, out: &mut Vec<u8>) {
    let expiry = date_or_min(card.expires_on);
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
    out.extend_from_slice(&record);
}

fn date_or_min(date: Option<NaiveDate>) -> i32 {
    date.map_or(i32::MIN, |date| date.num_days_from_ce())
}

fn event_record(event: &EventFact, kind: FactKind, id: u64, out: &mut Vec<u8>) {
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
    fill(
        &mut record,
        id,
        event.at().timestamp_micros(),
        i64::from(event.card()),
    );
    record[32..40].copy_from_slice(&value.to_le_bytes());
    record[40..48].copy_from_slice(&extra.to_le_bytes());
    out.extend_from_slice(&record);
}

fn fill(record: &mut [u8; RECORD], id: u64, a: i64, b: i64) {
    record[8..16].copy_from_slice(&id.to_le_bytes());
    record[16..24].copy_from_slice(&a.to_le_bytes());
    record[24..32].copy_from_slice(&b.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A FIFO in the cache file's place is reported at once instead of waiting for a writer.
    #[test]
    fn fifo_in_place_of_the_file_is_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let status = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo runs");
        assert!(status.success());

        let (sender, receiver) = std::sync::mpsc::channel();
        let reader_path = path.clone();
        std::thread::spawn(move || {
            let _ = sender.send(read_file(&reader_path).map(|cached| cached.is_some()));
        });
        let result = receiver
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("read_file returned within 10 s");
        let error = result.expect_err("a FIFO is not a cache file");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        assert!(error.to_string().contains("not a regular file"), "{error}");
    }

    /// Wraps facts as a cache about to be saved, with the last event's time as the store
    /// would give it.
    fn cached_of(facts: Facts) -> CachedFacts {
        let last_event_micros = facts
            .events
            .last()
            .map_or(0, |event| event.at().timestamp_micros());
        CachedFacts {
            facts,
            last_event_micros,
            ..CachedFacts::default()
        }
    }

    fn sample() -> Facts {
        let mut facts = Facts::default();
        let card = facts.push_card(CardFact {
            id: CardId(7),
            member: MemberId(3),
            type_id: CardTypeId(2),
            sold_on: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            expires_on: NaiveDate::from_ymd_opt(2027, 6, 30),
            price_cents: 12_000,
            sessions: 10,
        });
        let at = |minute| {
            chrono::Utc
                .with_ymd_and_hms(2026, 9, 1, 10, minute, 0)
                .unwrap()
        };
        let kinds = [
            FactKind::Sold,
            FactKind::Paid {
                method: PaymentMethod::CouponSport,
                amount_cents: 12_000,
            },
            FactKind::Used {
                activity: Some(ActivityId(4)),
                reverted: false,
            },
            FactKind::Reverted { reverted: 3 },
            FactKind::Used {
                activity: None,
                reverted: false,
            },
            FactKind::Adjusted { delta: -2 },
            FactKind::ExpiryChanged { to: None },
            FactKind::Refunded {
                method: PaymentMethod::Cash,
                amount_cents: 500,
            },
            FactKind::Cancelled { refund_cents: 0 },
        ];
        for (index, kind) in kinds.into_iter().enumerate() {
            let event = facts
                .pack(index as u64 + 1, at(index as u32), card, kind)
                .unwrap();
            facts.push_event(event);
        }
        facts
    }

    #[test]
    fn records_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let facts = sample();
        let mut cached = cached_of(facts.clone());
        cached.save(&path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..8], MAGIC);
        assert_eq!(bytes.len(), HEADER + 10 * RECORD);

        let read = read_file(&path).unwrap().expect("cache readable");
        assert_eq!(read.facts.cards, facts.cards);
        assert_eq!(read.facts.events, facts.events);
        assert!(matches!(
            read.facts.kind(&read.facts.events[2]),
            FactKind::Used { reverted: true, .. }
        ));
    }

    #[test]
    fn appended_records_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let all = sample();
        // The clone keeps the whole ledger's runs of ids, so the part saved first is the same
        // ledger cut short.
        let mut first = all.clone();
        first.events.truncate(4);
        let mut cached = cached_of(first);
        cached.save(&path).unwrap();
        for event in &all.events[4..] {
            cached.facts.push_event(*event);
        }
        cached.last_event_micros = all.events.last().unwrap().at().timestamp_micros();
        cached.save(&path).unwrap();
        let read = read_file(&path).unwrap().expect("cache readable");
        assert_eq!(read.facts.events, all.events);
    }

    /// More records than one chunk, with cards between events, and a damaged byte in the
    /// second chunk: the CRC covers every chunk.
    #[test]
    fn records_cross_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut facts = Facts::default();
        let at = chrono::Utc.with_ymd_and_hms(2026, 9, 1, 10, 0, 0).unwrap();
        for id in 1..=(CHUNK_RECORDS as u64 + 5_000) {
            let card = facts.push_card(CardFact {
                id: CardId(id / 100 + 1),
                member: MemberId(id / 200 + 1),
                type_id: CardTypeId(1),
                sold_on: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
                expires_on: None,
                price_cents: 9_000,
                sessions: 10,
            });
            let event = facts.pack(id, at, card, FactKind::Sold).unwrap();
            facts.push_event(event);
        }
        let mut cached = cached_of(facts.clone());
        cached.save(&path).unwrap();
        let read = read_file(&path).unwrap().expect("cache readable");
        assert_eq!(read.facts.cards, facts.cards);
        assert_eq!(read.facts.events, facts.events);

        let mut bytes = std::fs::read(&path).unwrap();
        let in_second_chunk = HEADER + (CHUNK_RECORDS + 10) * RECORD + 33;
        bytes[in_second_chunk] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(read_file(&path).unwrap().is_none());
    }

    #[test]
    fn other_version_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut cached = cached_of(sample());
        cached.save(&path).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[8] = 99;
        std::fs::write(&path, &bytes).unwrap();
        assert!(read_file(&path).unwrap().is_none());
        std::fs::write(&path, &bytes[..20]).unwrap();
        assert!(read_file(&path).unwrap().is_none());
    }
}
