//! The ledger reduced to what reports read: the cards in memory, and one fixed-size record
//! per card and per event in the facts file (see [`super::cache`]).
//!
//! Decoding 2,000,000 ledger events from sled takes several seconds, so the records stay in
//! the file between app sessions. The ledger is append-only and event ids grow with commit
//! order, so catching the file up means reading only the events written since.

use super::Stop;
use super::cache::{LastEvent, Record, RecordFile, Records};
use crate::domain::card::CardId;
use crate::domain::card_type::{ActivityId, CardTypeId};
use crate::domain::ledger::EventId;
use crate::domain::ledger::{EventKind, LedgerEvent};
use crate::domain::member::MemberId;
use crate::domain::sale::PaymentMethod;
use crate::store::{Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A sold card as reports read it. `expires_on` is the expiry set at the sale; later changes
/// are `ExpiryChanged` events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardFact {
    pub id: CardId,
    pub member: MemberId,
    pub type_id: CardTypeId,
    pub sold_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub price_cents: i64,
    pub sessions: u32,
}

impl CardFact {
    /// Returns the value of `sessions` of this card at its price per session, in cents,
    /// rounded to the nearest cent.
    pub fn value_of(&self, sessions: i64) -> i64 {
        if self.sessions == 0 {
            return 0;
        }
        let total = i128::from(self.price_cents) * i128::from(sessions);
        let per = i128::from(self.sessions);
        ((total * 2 + per) / (2 * per)) as i64
    }
}

/// The effect of one ledger event, without its texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactKind {
    Sold,
    /// `reverted` is set once a later event gave the session back.
    Used {
        activity: Option<ActivityId>,
        reverted: bool,
    },
    Reverted {
        reverted: u64,
    },
    Adjusted {
        delta: i32,
    },
    ExpiryChanged {
        to: Option<NaiveDate>,
    },
    Cancelled {
        refund_cents: i64,
    },
    Paid {
        method: PaymentMethod,
        amount_cents: i64,
    },
    Refunded {
        method: PaymentMethod,
        amount_cents: i64,
    },
    /// A card brought from another tool with its balance: sessions to use, no sale here.
    Imported {
        sessions: u32,
    },
}

/// One ledger event as reports read it, decoded from the facts file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFact {
    pub id: u64,
    /// Minutes since 1970-01-01 UTC, rounded down: reports count by hour at the finest.
    pub minute: i64,
    /// Index into [`Facts::cards`].
    pub card: u32,
    pub kind: FactKind,
}

impl EventFact {
    /// Returns the time, to the minute.
    pub fn at(&self) -> DateTime<Utc> {
        self.minute
            .checked_mul(60)
            .and_then(|seconds| DateTime::from_timestamp(seconds, 0))
            .unwrap_or_default()
    }

    /// Returns the sessions the event adds to its card's balance, negative for a use.
    pub fn session_delta(&self) -> i64 {
        match self.kind {
            FactKind::Used { .. } => -1,
            FactKind::Reverted { .. } => 1,
            FactKind::Adjusted { delta } => i64::from(delta),
            FactKind::Imported { sessions } => i64::from(sessions),
            _ => 0,
        }
    }
}

/// Ledger events read between two looks at [`Facts::stop_on`]'s flag while the facts are
/// built: about 10 ms of reading.
const STOP_CHECK: usize = 4_096;

/// The newest event held.
#[derive(Debug, Clone, Copy)]
struct Newest {
    id: u64,
    /// Its time in the ledger, to the microsecond, which the file's header keeps.
    micros: i64,
    card: u32,
}

/// Every card of the ledger in memory, and its events in the facts file, oldest first.
///
/// The events stay on disk: [`Facts::events`] reads them a chunk at a time for each pass of
/// a report. 2,000,000 events held in memory took 32 MB even packed into 16 bytes each, on
/// top of the other screens' data.
#[derive(Debug)]
pub struct Facts {
    pub cards: Vec<CardFact>,
    index: IdMap<CardId, u32>,
    seen: EventsSeen,
    /// Events whose card was not found in the store; left out of every report.
    pub orphan_events: usize,
    file: RecordFile,
    /// Once set, the events end early and the ledger is no longer read.
    stop: Stop,
}

/// The facts' summary of their events, kept so that the file is not read again.
#[derive(Debug, Default)]
struct EventsSeen {
    /// The ids of the check-ins that a later event gave back: the file does not mark them.
    reverted: IdSet,
    count: u64,
    newest: Option<Newest>,
}

impl EventsSeen {
    /// Counts an event written to the file or read from it.
    fn note(&mut self, event: &EventFact, micros: i64) {
        if let FactKind::Reverted { reverted } = event.kind
            && reverted < event.id
        {
            self.reverted.insert(reverted);
        }
        self.count += 1;
        self.newest = Some(Newest {
            id: event.id,
            micros,
            card: event.card,
        });
    }
}

impl Facts {
    /// Opens the facts file of `store` and reads its cards, or starts from nothing when the
    /// file is missing, damaged or belongs to another ledger. [`Facts::refresh`] then brings
    /// the facts up to date.
    pub fn load(store: &Store) -> Result<Facts, StoreError> {
        let (file, header) = RecordFile::open(store)?;
        let mut facts = Facts::with_file(file);
        let Some(header) = header else {
            facts.file.clear()?;
            return Ok(facts);
        };
        match facts.read_records(header) {
            Ok(true) if facts.matches_store(store) => return Ok(facts),
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "reports cache unreadable; rebuilding it from the ledger");
            }
        }
        let mut facts = Facts::with_file(facts.file);
        facts.file.clear()?;
        Ok(facts)
    }

    fn with_file(file: RecordFile) -> Facts {
        Facts {
            cards: Vec::new(),
            index: IdMap::default(),
            seen: EventsSeen::default(),
            orphan_events: 0,
            file,
            stop: Stop::default(),
        }
    }

    /// Makes the facts stop reading once `stop` is set; see [`Stop`].
    pub fn stop_on(&mut self, stop: Stop) {
        self.stop = stop;
    }

    /// Starts facts from nothing in an unnamed file of `folder`, which disappears when they
    /// are dropped: for a database whose disk is full, with the temporary folder.
    pub fn unnamed(folder: &std::path::Path) -> Result<Facts, StoreError> {
        Ok(Facts::with_file(RecordFile::unnamed(folder)?))
    }

    /// Facts in an unnamed file of the temporary folder, for tests that build them by hand
    /// with [`Facts::add_card`] and [`Facts::add_event`].
    #[cfg(test)]
    pub(super) fn scratch() -> Facts {
        Facts::unnamed(&std::env::temp_dir()).expect("temporary file")
    }

    /// Reads every record of the file. Returns `false` when the records do not end with the
    /// event that the header names.
    fn read_records(&mut self, header: LastEvent) -> Result<bool, StoreError> {
        for record in self.file.records() {
            match record? {
                Record::Card(card) => {
                    if self
                        .index
                        .insert(card.id, self.cards.len() as u32)
                        .is_some()
                    {
                        return Ok(false);
                    }
                    self.cards.push(card);
                }
                Record::Event(event) => {
                    if self.seen.newest.is_some_and(|newest| event.id <= newest.id) {
                        return Ok(false);
                    }
                    self.seen
                        .note(&event, event.minute.saturating_mul(60_000_000));
                }
            }
        }
        self.cards.shrink_to_fit();
        let Some(newest) = &mut self.seen.newest else {
            return Ok(false);
        };
        // The records keep whole minutes in files that earlier versions wrote.
        if newest.id != header.id
            || newest.micros.div_euclid(60_000_000) != header.micros.div_euclid(60_000_000)
        {
            return Ok(false);
        }
        newest.micros = header.micros;
        Ok(true)
    }

    /// Tells whether the newest event held is still the store's event of that id, so a
    /// database restored from an older copy or replaced by another is not read through a
    /// stale file.
    fn matches_store(&self, store: &Store) -> bool {
        let Some(newest) = self.seen.newest else {
            return false;
        };
        match store.event(EventId(newest.id)) {
            Ok(Some(event)) => {
                event.at.timestamp_micros() == newest.micros
                    && event.card_id == self.cards[newest.card as usize].id
            }
            _ => false,
        }
    }

    pub fn card(&self, event: &EventFact) -> &CardFact {
        &self.cards[event.card as usize]
    }

    /// Returns how many events the facts hold.
    pub fn event_count(&self) -> u64 {
        self.seen.count
    }

    /// Reads the events from the facts file, oldest first. An item is an error when the file
    /// cannot be read or was changed since this process wrote or read it. No event comes
    /// after an error.
    pub fn events(&self) -> Events<'_> {
        Events {
            facts: self,
            records: self.file.records(),
        }
    }

    /// Adds a card and returns its index in [`Facts::cards`], or the index it already has.
    #[cfg(test)]
    pub(super) fn add_card(&mut self, card: CardFact) -> Result<u32, StoreError> {
        Ok(self.add_card_at(card)?.0)
    }

    /// Adds a card, and returns its index and the place of its record when it is new.
    fn add_card_at(&mut self, card: CardFact) -> Result<(u32, Option<u64>), StoreError> {
        if let Some(&index) = self.index.get(&card.id) {
            return Ok((index, None));
        }
        let place = self.file.push_card(&card)?;
        let index = self.cards.len() as u32;
        self.index.insert(card.id, index);
        self.cards.push(card);
        Ok((index, Some(place)))
    }

    /// Adds an event about card `card` (an index into [`Facts::cards`]). Returns `false`, and
    /// adds nothing, for an id not above the newest one: ledger ids only grow.
    pub(super) fn add_event(
        &mut self,
        id: u64,
        at: DateTime<Utc>,
        card: u32,
        kind: FactKind,
    ) -> Result<bool, StoreError> {
        if self.seen.newest.is_some_and(|newest| id <= newest.id) {
            return Ok(false);
        }
        self.file.push_event(id, at, card, kind)?;
        let event = EventFact {
            id,
            minute: at.timestamp().div_euclid(60),
            card,
            kind,
        };
        self.seen.note(&event, at.timestamp_micros());
        Ok(true)
    }

    /// Writes what was added to the facts file, and the header that counts it.
    pub(super) fn commit(&mut self) -> Result<(), StoreError> {
        match self.seen.newest {
            Some(newest) => self.file.commit(LastEvent {
                id: newest.id,
                micros: newest.micros,
            }),
            None => Ok(()),
        }
    }

    /// Brings the facts up to the newest ledger event, reading only the events written since
    /// the newest one held. Returns how many events were added.
    pub fn refresh(&mut self, store: &Store) -> Result<usize, StoreError> {
        match self.seen.newest {
            None => self.append(store, store.ledger()),
            Some(newest) => {
                let events = events_after(store, newest.id)?;
                self.append(store, events.into_iter().map(Ok))
            }
        }
    }

    /// Appends ledger events newer than the newest one held, reading each new card from the
    /// store, and writes them to the facts file. Returns how many events were added.
    ///
    /// When the file cannot be written, it is emptied before the error is returned, so that a
    /// full disk gets back the space that the records took. The caller drops these facts.
    fn append(
        &mut self,
        store: &Store,
        events: impl IntoIterator<Item = Result<LedgerEvent, StoreError>>,
    ) -> Result<usize, StoreError> {
        let appended = self.append_to_file(store, events);
        if let Err(StoreError::Io { path, .. }) = &appended
            && path == self.file.path()
            && let Err(error) = self.file.clear()
        {
            tracing::warn!(%error, "reports cache not emptied after a failed write");
        }
        appended
    }

    fn append_to_file(
        &mut self,
        store: &Store,
        events: impl IntoIterator<Item = Result<LedgerEvent, StoreError>>,
    ) -> Result<usize, StoreError> {
        // Cards first seen in this batch, whose expiry is read from the store as it is now,
        // with the place of their record. Their first expiry change carries the expiry that
        // was set at the sale, and their record is written again with it.
        let mut fresh: IdMap<CardId, (u32, u64)> = IdMap::default();
        let mut added = 0;
        let orphans_before = self.orphan_events;
        for (read, event) in events.into_iter().enumerate() {
            // The facts of a stopped report are dropped, so what is read is not committed.
            if read % STOP_CHECK == 0 && self.stop.is_stopped() {
                return Ok(added);
            }
            let event = event?;
            if self
                .seen
                .newest
                .is_some_and(|newest| event.id.0 <= newest.id)
            {
                continue;
            }
            let card = match self.index.get(&event.card_id) {
                Some(&index) => index,
                None => match store.card(event.card_id)? {
                    Some(card) => {
                        let (index, place) = self.add_card_at(CardFact {
                            id: card.id,
                            member: card.member_id,
                            type_id: card.type_id,
                            sold_on: card.sold_on,
                            expires_on: card.expires_on,
                            price_cents: card.price_cents,
                            sessions: card.sessions_total,
                        })?;
                        if let Some(place) = place {
                            fresh.insert(card.id, (index, place));
                        }
                        index
                    }
                    None => {
                        self.orphan_events += 1;
                        continue;
                    }
                },
            };
            if let EventKind::ExpiryChanged { from, .. } = event.kind
                && let Some((index, place)) = fresh.remove(&event.card_id)
            {
                let card = &mut self.cards[index as usize];
                card.expires_on = from;
                self.file.rewrite_card(place, card)?;
            }
            if self.add_event(event.id.0, event.at, card, fact_kind(&event.kind))? {
                added += 1;
            }
        }
        self.commit()?;
        let left_out = self.orphan_events - orphans_before;
        if left_out > 0 {
            tracing::warn!(
                left_out,
                "ledger events left out of reports: their card is missing"
            );
        }
        Ok(added)
    }
}

/// The events of [`Facts`], read from its file; see [`Facts::events`].
pub struct Events<'a> {
    facts: &'a Facts,
    records: Records<'a>,
}

impl Iterator for Events<'_> {
    type Item = Result<EventFact, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.facts.stop.is_stopped() {
                return None;
            }
            match self.records.next()? {
                Ok(Record::Card(_)) => continue,
                Ok(Record::Event(mut event)) => {
                    // A file changed since it was read could name a card not held.
                    if event.card as usize >= self.facts.cards.len() {
                        return Some(Err(self.records.damaged("an event names no card")));
                    }
                    if let FactKind::Used { reverted, .. } = &mut event.kind {
                        *reverted = self.facts.seen.reverted.contains(&event.id);
                    }
                    return Some(Ok(event));
                }
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

fn fact_kind(kind: &EventKind) -> FactKind {
    match *kind {
        EventKind::CardSold { .. } => FactKind::Sold,
        EventKind::SessionUsed { activity, .. } => FactKind::Used {
            activity,
            reverted: false,
        },
        EventKind::SessionReverted { reverted } => FactKind::Reverted {
            reverted: reverted.0,
        },
        EventKind::Adjusted { delta, .. } => FactKind::Adjusted { delta },
        EventKind::ExpiryChanged { to, .. } => FactKind::ExpiryChanged { to },
        EventKind::Cancelled { refund_cents, .. } => FactKind::Cancelled { refund_cents },
        EventKind::Paid {
            method,
            amount_cents,
        } => FactKind::Paid {
            method,
            amount_cents,
        },
        EventKind::Refunded {
            method,
            amount_cents,
            ..
        } => FactKind::Refunded {
            method,
            amount_cents,
        },
        EventKind::Imported { sessions, .. } => FactKind::Imported { sessions },
    }
}

/// Reads the ledger events after `last_id`, oldest first, walking back from the newest, so
/// that only the new events are decoded.
pub fn events_after(store: &Store, last_id: u64) -> Result<Vec<LedgerEvent>, StoreError> {
    let mut events = Vec::new();
    for event in store.ledger().rev() {
        let event = event?;
        if event.id.0 <= last_id {
            break;
        }
        events.push(event);
    }
    events.reverse();
    Ok(events)
}

/// Returns the event times, in minutes, from `start` included to `end` excluded.
pub fn minutes_between(start: DateTime<Utc>, end: DateTime<Utc>) -> std::ops::Range<i64> {
    // Rounded up: an event in the minute that a bound falls inside of is before the bound.
    // NOTE: periods start at local midnights, whole minutes in today's time zones but not in
    // some old ones: Paris ran 9 min 21 s ahead of UTC until 1911. An event in the first
    // seconds of such a day counts on the day before.
    let ceiling = |at: DateTime<Utc>| {
        let whole = at.timestamp().div_euclid(60);
        let past = at.timestamp().rem_euclid(60) > 0 || at.timestamp_subsec_nanos() > 0;
        whole + i64::from(past)
    };
    ceiling(start)..ceiling(end)
}

/// Returns a payment method's position in [`PaymentMethod::ALL`], as the facts file stores
/// it.
pub(super) fn method_index(method: PaymentMethod) -> u8 {
    PaymentMethod::ALL
        .iter()
        .position(|known| *known == method)
        .unwrap_or(0) as u8
}

/// A map keyed by ids: a multiplicative hash is enough for integers that no user chooses, and
/// the default SipHash cost most of a report's time on two million events.
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// A set of ids, hashed as [`IdMap`] hashes them.
pub type IdSet = HashSet<u64, BuildHasherDefault<IdHasher>>;

#[derive(Debug, Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::member::MemberId;
    use chrono::Timelike;

    fn read_back(facts: &Facts) -> Vec<EventFact> {
        facts
            .events()
            .collect::<Result<_, _>>()
            .expect("events read")
    }

    #[test]
    fn every_kind_comes_back_from_the_file() {
        let at = DateTime::from_timestamp(1_764_950_400, 0).unwrap();
        let kinds = [
            FactKind::Sold,
            FactKind::Used {
                activity: Some(ActivityId(1 << 40)),
                reverted: false,
            },
            FactKind::Used {
                activity: None,
                reverted: false,
            },
            FactKind::Reverted { reverted: 41 },
            FactKind::Adjusted { delta: -3 },
            FactKind::ExpiryChanged {
                to: NaiveDate::from_ymd_opt(2027, 6, 30),
            },
            FactKind::ExpiryChanged { to: None },
            FactKind::Cancelled {
                refund_cents: i64::MAX,
            },
            FactKind::Paid {
                method: PaymentMethod::ALL[PaymentMethod::ALL.len() - 1],
                amount_cents: i64::from(i32::MIN),
            },
            FactKind::Refunded {
                method: PaymentMethod::Cash,
                amount_cents: i64::MIN + 1,
            },
            FactKind::Imported { sessions: u32::MAX },
        ];
        // A ledger may start at any id, and jump: an import keeps the ids it reads.
        let mut facts = Facts::scratch();
        let card = facts.add_card(card(9_000, 10)).unwrap();
        let mut ids = Vec::new();
        let mut id = 1_500_000_000_000;
        for (index, kind) in kinds.into_iter().enumerate() {
            id += if index == 5 {
                u64::from(u32::MAX) + 7
            } else {
                1
            };
            assert!(facts.add_event(id, at, card, kind).unwrap());
            ids.push(id);
        }
        facts.commit().unwrap();

        let events = read_back(&facts);
        assert_eq!(events.len(), kinds.len());
        for ((event, kind), id) in events.iter().zip(kinds).zip(ids) {
            assert_eq!(event.kind, kind);
            assert_eq!(event.id, id);
            assert_eq!(event.at(), at);
            assert_eq!(event.card, card);
        }
        assert_eq!(facts.event_count(), kinds.len() as u64);
        // Ids only grow: an older one cannot follow.
        assert!(!facts.add_event(id, at, card, FactKind::Sold).unwrap());
    }

    /// Opens the facts file at `path` as [`Facts::load`] does, without a store to match:
    /// `None` when its checks fail.
    fn reopen(path: &std::path::Path) -> Option<Facts> {
        let (file, header) = RecordFile::open_path(path).unwrap();
        let mut facts = Facts::with_file(file);
        match facts.read_records(header?) {
            Ok(true) => Some(facts),
            _ => None,
        }
    }

    fn sample_card(id: u64) -> CardFact {
        CardFact {
            id: CardId(id),
            member: MemberId(id / 2 + 1),
            type_id: CardTypeId(2),
            sold_on: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            expires_on: NaiveDate::from_ymd_opt(2027, 6, 30),
            price_cents: 12_000,
            sessions: 10,
        }
    }

    /// Adds events `ids` to facts opened at `path`, the first one on a new card.
    fn add_sample(facts: &mut Facts, ids: std::ops::Range<u64>) {
        let card = facts.add_card(sample_card(7)).unwrap();
        for id in ids {
            let minute = u32::try_from(id % 60).unwrap();
            let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 9, 1, 10, minute, 0).unwrap();
            let kind = match id % 4 {
                0 => FactKind::Paid {
                    method: PaymentMethod::CouponSport,
                    amount_cents: 12_000,
                },
                1 => FactKind::Used {
                    activity: Some(ActivityId(4)),
                    reverted: false,
                },
                2 => FactKind::Reverted { reverted: id - 1 },
                _ => FactKind::Adjusted { delta: -2 },
            };
            facts.add_event(id, at, card, kind).unwrap();
        }
    }

    #[test]
    fn records_round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports-cache");
        let (file, header) = RecordFile::open_path(&path).unwrap();
        assert!(header.is_none(), "a new file has no header");
        let mut facts = Facts::with_file(file);
        add_sample(&mut facts, 1..5);
        facts.commit().unwrap();
        // Appended after a first commit, as a refresh does.
        add_sample(&mut facts, 5..10);
        facts.commit().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..8], b"CARNETRC");
        assert_eq!(bytes.len(), 64 + 10 * 48, "one card and nine events");

        let read = reopen(&path).expect("file readable");
        assert_eq!(read.cards, facts.cards);
        assert_eq!(read_back(&read), read_back(&facts));
        assert_eq!(read.event_count(), 9);
        assert!(matches!(
            read_back(&read)[0].kind,
            FactKind::Used { reverted: true, .. }
        ));
    }

    /// More records than one chunk, a card record written again after its chunk went to the
    /// file, and a damaged byte in the second chunk: the CRC covers every chunk.
    #[test]
    fn records_cross_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports-cache");
        let (file, _) = RecordFile::open_path(&path).unwrap();
        let mut facts = Facts::with_file(file);
        let count = super::super::cache::CHUNK_RECORDS as u64 + 5_000;
        add_sample(&mut facts, 1..count);
        let (index, place) = facts.add_card_at(sample_card(8)).unwrap();
        let place = place.expect("a new card");
        add_sample(&mut facts, count..2 * count);
        facts.cards[index as usize].expires_on = None;
        facts
            .file
            .rewrite_card(place, &facts.cards[index as usize])
            .unwrap();
        facts.commit().unwrap();

        let read = reopen(&path).expect("file readable");
        assert_eq!(read.cards, facts.cards);
        assert_eq!(read.cards[1].expires_on, None);
        assert_eq!(read.event_count(), 2 * count - 1);

        let mut bytes = std::fs::read(&path).unwrap();
        bytes[64 + (super::super::cache::CHUNK_RECORDS + 10) * 48 + 33] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(reopen(&path).is_none());
        // Facts read before the change find it when they read the events again.
        let last = read.events().last().expect("an item");
        assert!(last.is_err(), "the CRC no longer matches");
    }

    #[test]
    fn stopped_facts_read_no_more_events() {
        let dir = tempfile::tempdir().unwrap();
        let (file, _) = RecordFile::open_path(&dir.path().join("reports-cache")).unwrap();
        let mut facts = Facts::with_file(file);
        add_sample(&mut facts, 1..10);
        facts.commit().unwrap();
        let stop = Stop::default();
        facts.stop_on(stop.clone());
        assert_eq!(facts.events().count(), 9);
        stop.stop();
        assert_eq!(facts.events().count(), 0);
    }

    #[test]
    fn times_keep_the_minute_far_from_1970() {
        let mut facts = Facts::scratch();
        let card = facts.add_card(card(9_000, 10)).unwrap();
        let texts = ["1965-03-01T09:30:59Z", "2200-12-31T23:59:00Z"];
        for (id, text) in (1..).zip(texts) {
            let at: DateTime<Utc> = text.parse().unwrap();
            facts.add_event(id, at, card, FactKind::Sold).unwrap();
        }
        facts.commit().unwrap();
        for (event, text) in read_back(&facts).iter().zip(texts) {
            let at: DateTime<Utc> = text.parse().unwrap();
            assert_eq!(event.at(), at.with_second(0).unwrap(), "{text}");
        }
    }

    #[test]
    fn minutes_compare_with_bounds_as_instants() {
        let at = |seconds, nanos| DateTime::from_timestamp(seconds, nanos).unwrap();
        assert_eq!(minutes_between(at(600, 0), at(1200, 0)), 10..20);
        // The minute 10 (600 s to 659 s) starts before 630 s, and the minute 20 before 1230 s.
        assert_eq!(minutes_between(at(630, 0), at(1230, 0)), 11..21);
        assert_eq!(minutes_between(at(600, 1), at(1200, 1)), 11..21);
        // Before 1970 too: -30 s is in the minute -1, which starts before it.
        assert_eq!(minutes_between(at(-30, 0), at(60, 0)).start, 0);
    }

    #[test]
    fn undo_found_across_an_id_jump() {
        let at = DateTime::from_timestamp(1_764_950_400, 0).unwrap();
        let used = FactKind::Used {
            activity: None,
            reverted: false,
        };
        let far = 10 + (1 << 33);
        let mut facts = Facts::scratch();
        let card = facts.add_card(card(9_000, 10)).unwrap();
        for (id, kind) in [
            (10, used),
            (far, used),
            (far + 1, FactKind::Reverted { reverted: 10 }),
            (far + 2, FactKind::Reverted { reverted: far }),
            // An undo cannot name a later check-in.
            (far + 3, FactKind::Reverted { reverted: far + 4 }),
            (far + 4, used),
            (u64::MAX, FactKind::Sold),
        ] {
            facts.add_event(id, at, card, kind).unwrap();
        }
        facts.commit().unwrap();
        let reverted: Vec<(u64, bool)> = read_back(&facts)
            .iter()
            .filter_map(|event| match event.kind {
                FactKind::Used { reverted, .. } => Some((event.id, reverted)),
                _ => None,
            })
            .collect();
        assert_eq!(reverted, [(10, true), (far, true), (far + 4, false)]);
    }

    fn card(price_cents: i64, sessions: u32) -> CardFact {
        CardFact {
            id: CardId(1),
            member: MemberId(1),
            type_id: CardTypeId(1),
            sold_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            expires_on: None,
            price_cents,
            sessions,
        }
    }

    #[test]
    fn value_rounds_to_nearest_cent() {
        // 100 € for 3 sessions: 33.333… € each.
        assert_eq!(card(10_000, 3).value_of(1), 3_333);
        assert_eq!(card(10_000, 3).value_of(2), 6_667);
        assert_eq!(card(10_000, 3).value_of(3), 10_000);
        assert_eq!(card(0, 5).value_of(5), 0);
        assert_eq!(card(10_000, 0).value_of(4), 0);
    }

    #[test]
    fn id_hasher_spreads_small_ids() {
        let mut map: IdMap<u64, u64> = IdMap::default();
        for id in 0..10_000 {
            map.insert(id, id * 2);
        }
        assert_eq!(map.len(), 10_000);
        assert_eq!(map.get(&4_321), Some(&8_642));
    }
}
