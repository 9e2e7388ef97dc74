//! The ledger reduced to what reports read: one fixed-size record per card and per event.
//!
//! Decoding 2,000,000 ledger events from sled takes several seconds, so the records are also
//! kept in a cache file in the database folder. The ledger is append-only and event ids grow
//! with commit order, so catching the cache up means reading only the events written since.

use crate::domain::card::CardId;
use crate::domain::card_type::{ActivityId, CardTypeId};
use crate::domain::ledger::{EventKind, LedgerEvent};
use crate::domain::member::MemberId;
use crate::domain::sale::PaymentMethod;
use crate::store::{Store, StoreError};
#[cfg(test)]
use chrono::Timelike;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
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

/// One ledger event, packed into 16 bytes because reports hold one per event: two million on
/// a large club, 96 MB when each took 48 bytes. Its id is not stored: ids follow each other
/// in runs (see `Facts::id_runs`). The kind is stored as a tag, a payment method,
/// a flag and one 32-bit number, and rebuilt by [`Facts::kind`]. [`Facts::pack`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFact {
    /// The kind's number: an amount, a delta, an id or a day; [`NONE_32`] for none. With
    /// [`WIDE_PAYLOAD`] in the tag, the place of the number in [`Facts::wide`] instead, for a
    /// number beyond 32 bits, such as an amount of 21,474,836.48 or more.
    payload: i32,
    /// Minutes since 1970-01-01 UTC, rounded down: reports count by hour at the finest.
    minute: i32,
    /// Index into [`Facts::cards`].
    card: u32,
    tag: u8,
    method: u8,
    /// Set on a check-in that a later event reverted.
    reverted: bool,
}

/// Marks "no activity" and "no date" in a kind's number.
const NONE: i64 = i64::MIN;

/// [`NONE`] in a packed event's 32-bit payload.
const NONE_32: i32 = i32::MIN;

/// Set in a packed event's tag when its payload is a place in [`Facts::wide`].
const WIDE_PAYLOAD: u8 = 0x80;

const TAG_SOLD: u8 = 0;
const TAG_USED: u8 = 1;
const TAG_REVERTED: u8 = 2;
const TAG_ADJUSTED: u8 = 3;
const TAG_EXPIRY: u8 = 4;
const TAG_CANCELLED: u8 = 5;
const TAG_PAID: u8 = 6;
const TAG_REFUNDED: u8 = 7;
const TAG_IMPORTED: u8 = 8;

impl EventFact {
    /// Packs an event about card `card` (an index into [`Facts::cards`]); a number beyond
    /// 32 bits goes to the end of `wide`. Returns `None` for a time more than 4,000 years from
    /// 1970.
    fn new(at: DateTime<Utc>, card: u32, kind: FactKind, wide: &mut Vec<i64>) -> Option<EventFact> {
        let mut method = 0;
        let mut reverted = false;
        let (tag, payload) = match kind {
            FactKind::Sold => (TAG_SOLD, 0),
            FactKind::Used {
                activity,
                reverted: was_reverted,
            } => {
                reverted = was_reverted;
                // Ids keep their 64 bits through the cast; only activity 2^63 would read as
                // none, and activity ids count from 1.
                (TAG_USED, activity.map_or(NONE, |id| id.0 as i64))
            }
            FactKind::Reverted { reverted } => (TAG_REVERTED, reverted as i64),
            FactKind::Adjusted { delta } => (TAG_ADJUSTED, i64::from(delta)),
            FactKind::ExpiryChanged { to } => (
                TAG_EXPIRY,
                to.map_or(NONE, |day| i64::from(day.num_days_from_ce())),
            ),
            FactKind::Cancelled { refund_cents } => (TAG_CANCELLED, refund_cents),
            FactKind::Paid {
                method: paid_with,
                amount_cents,
            } => {
                method = method_index(paid_with);
                (TAG_PAID, amount_cents)
            }
            FactKind::Refunded {
                method: refunded_with,
                amount_cents,
            } => {
                method = method_index(refunded_with);
                (TAG_REFUNDED, amount_cents)
            }
            FactKind::Imported { sessions } => (TAG_IMPORTED, i64::from(sessions)),
        };
        let minute = i32::try_from(at.timestamp().div_euclid(60)).ok()?;
        let (tag, payload) = match payload {
            NONE => (tag, NONE_32),
            small => match i32::try_from(small) {
                Ok(small) if small != NONE_32 => (tag, small),
                _ => {
                    let place = i32::try_from(wide.len()).ok()?;
                    wide.push(payload);
                    (tag | WIDE_PAYLOAD, place)
                }
            },
        };
        Some(EventFact {
            payload,
            minute,
            card,
            tag,
            method,
            reverted,
        })
    }

    /// Returns the kind's tag, without the [`WIDE_PAYLOAD`] mark.
    fn tag(&self) -> u8 {
        self.tag & !WIDE_PAYLOAD
    }

    /// Returns the kind's number, read from `wide` when it did not fit in 32 bits.
    fn payload(&self, wide: &[i64]) -> i64 {
        if self.tag & WIDE_PAYLOAD != 0 {
            // The place was pushed with the event, so it is always there.
            wide.get(self.payload as usize).copied().unwrap_or(NONE)
        } else if self.payload == NONE_32 {
            NONE
        } else {
            i64::from(self.payload)
        }
    }

    /// Returns the time, to the minute.
    pub fn at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(i64::from(self.minute) * 60, 0).unwrap_or_default()
    }

    /// Returns the time as minutes since 1970-01-01 UTC, to compare with
    /// [`minutes_between`] without building a date for each of millions of events.
    pub fn minute(&self) -> i64 {
        i64::from(self.minute)
    }

    pub fn card(&self) -> u32 {
        self.card
    }

    fn kind(&self, wide: &[i64]) -> FactKind {
        let payload = self.payload(wide);
        let method = || {
            PaymentMethod::ALL
                .get(usize::from(self.method))
                .copied()
                .unwrap_or(PaymentMethod::ALL[0])
        };
        let day = |days: i64| {
            i32::try_from(days)
                .ok()
                .and_then(NaiveDate::from_num_days_from_ce_opt)
        };
        match self.tag() {
            TAG_USED => FactKind::Used {
                activity: (payload != NONE).then_some(ActivityId(payload as u64)),
                reverted: self.reverted,
            },
            TAG_REVERTED => FactKind::Reverted {
                reverted: payload as u64,
            },
            TAG_ADJUSTED => FactKind::Adjusted {
                delta: payload as i32,
            },
            TAG_EXPIRY => FactKind::ExpiryChanged { to: day(payload) },
            TAG_CANCELLED => FactKind::Cancelled {
                refund_cents: payload,
            },
            TAG_PAID => FactKind::Paid {
                method: method(),
                amount_cents: payload,
            },
            TAG_REFUNDED => FactKind::Refunded {
                method: method(),
                amount_cents: payload,
            },
            TAG_IMPORTED => FactKind::Imported {
                sessions: payload as u32,
            },
            _ => FactKind::Sold,
        }
    }

    fn session_delta(&self, wide: &[i64]) -> i64 {
        match self.kind(wide) {
            FactKind::Used { .. } => -1,
            FactKind::Reverted { .. } => 1,
            FactKind::Adjusted { delta } => i64::from(delta),
            FactKind::Imported { sessions } => i64::from(sessions),
            _ => 0,
        }
    }
}

/// Every card and event of the ledger, events oldest first.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub cards: Vec<CardFact>,
    pub events: Vec<EventFact>,
    index: IdMap<CardId, u32>,
    /// The runs of consecutive ids: (index of the run's first event, its id). An event's id is
    /// its run's first id plus its place in the run. A ledger's ids follow each other, so one
    /// run is the rule. A gap, from an imported ledger or an event left out, starts a new run
    /// of 16 bytes.
    id_runs: Vec<(usize, u64)>,
    /// The events' numbers beyond 32 bits, which their payload points at; few or none.
    wide: Vec<i64>,
    /// Events whose card was not found in the store, or that [`EventFact::new`] cannot pack;
    /// left out of every report.
    pub orphan_events: usize,
}

impl Facts {
    pub fn card(&self, event: &EventFact) -> &CardFact {
        &self.cards[event.card as usize]
    }

    pub fn kind(&self, event: &EventFact) -> FactKind {
        event.kind(&self.wide)
    }

    /// Returns the sessions the event adds to its card's balance, negative for a use.
    pub fn session_delta(&self, event: &EventFact) -> i64 {
        event.session_delta(&self.wide)
    }

    pub fn last_event_id(&self) -> u64 {
        self.events
            .len()
            .checked_sub(1)
            .map_or(0, |index| self.event_id(index))
    }

    /// Returns the id of the event at `index` in [`Facts::events`].
    pub fn event_id(&self, index: usize) -> u64 {
        let run = self.id_runs.partition_point(|&(first, _)| first <= index);
        run.checked_sub(1).map_or(0, |run| {
            let (first, id) = self.id_runs[run];
            id + (index - first) as u64
        })
    }

    /// Packs the next event of this ledger, which the caller pushes next, or returns `None`
    /// when [`EventFact`] cannot hold it: an id not above the one before, or a time beyond the
    /// limits of `EventFact::new`. Reports leave such an event out and count it in
    /// [`Facts::orphan_events`].
    pub fn pack(
        &mut self,
        id: u64,
        at: DateTime<Utc>,
        card: u32,
        kind: FactKind,
    ) -> Option<EventFact> {
        let last = (!self.events.is_empty()).then(|| self.last_event_id());
        if last.is_some_and(|last| id <= last) {
            return None;
        }
        let event = EventFact::new(at, card, kind, &mut self.wide)?;
        if last.is_none_or(|last| id != last + 1) {
            self.id_runs.push((self.events.len(), id));
        }
        Some(event)
    }

    /// Appends an event, and marks the check-in it reverts, if it reverts one.
    pub(super) fn push_event(&mut self, event: EventFact) {
        if let FactKind::Reverted { reverted } = self.kind(&event)
            && let Some(index) = self.index_of_id(reverted)
            && self.events[index].tag() == TAG_USED
        {
            self.events[index].reverted = true;
        }
        self.events.push(event);
    }

    /// Finds the event with id `id` in the run of ids that starts below it.
    fn index_of_id(&self, id: u64) -> Option<usize> {
        let run = self
            .id_runs
            .partition_point(|&(_, start)| start <= id)
            .checked_sub(1)?;
        let (first, start) = self.id_runs[run];
        let end = self
            .id_runs
            .get(run + 1)
            .map_or(self.events.len(), |&(next, _)| next);
        let place = usize::try_from(id - start).ok()?;
        (place < end - first).then_some(first + place)
    }

    pub(super) fn push_card(&mut self, card: CardFact) -> u32 {
        if let Some(&index) = self.index.get(&card.id) {
            return index;
        }
        let index = self.cards.len() as u32;
        self.index.insert(card.id, index);
        self.cards.push(card);
        index
    }

    pub(super) fn card_index(&self, id: CardId) -> Option<u32> {
        self.index.get(&id).copied()
    }

    /// Appends ledger events newer than the last one held, reading each new card from the
    /// store. Returns how many events were added.
    pub fn append(
        &mut self,
        store: &Store,
        events: impl IntoIterator<Item = Result<LedgerEvent, StoreError>>,
    ) -> Result<usize, StoreError> {
        // Cards first seen in this batch, whose expiry is read from the store as it is now.
        // Their first expiry change carries the expiry that was set at the sale.
        let mut fresh: HashSet<CardId> = HashSet::new();
        let mut added = 0;
        let orphans_before = self.orphan_events;
        for event in events {
            let event = event?;
            // An imported ledger may start at id 0, which `last_event_id` also returns for no
            // events at all.
            if !self.events.is_empty() && event.id.0 <= self.last_event_id() {
                continue;
            }
            let card = match self.card_index(event.card_id) {
                Some(index) => index,
                None => match store.card(event.card_id)? {
                    Some(card) => {
                        fresh.insert(card.id);
                        self.push_card(CardFact {
                            id: card.id,
                            member: card.member_id,
                            type_id: card.type_id,
                            sold_on: card.sold_on,
                            expires_on: card.expires_on,
                            price_cents: card.price_cents,
                            sessions: card.sessions_total,
                        })
                    }
                    None => {
                        self.orphan_events += 1;
                        continue;
                    }
                },
            };
            let kind = fact_kind(&event.kind);
            if let EventKind::ExpiryChanged { from, .. } = event.kind
                && fresh.remove(&event.card_id)
            {
                self.cards[card as usize].expires_on = from;
            }
            let Some(fact) = self.pack(event.id.0, event.at, card, kind) else {
                self.orphan_events += 1;
                continue;
            };
            self.push_event(fact);
            added += 1;
        }
        let left_out = self.orphan_events - orphans_before;
        if left_out > 0 {
            tracing::warn!(
                left_out,
                "ledger events left out of reports: their card is missing, or their id or time \
                 is beyond what reports hold"
            );
        }
        Ok(added)
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

/// Builds the facts of the whole ledger from the store, without any cache, decoding one event
/// at a time.
pub fn from_store(store: &Store) -> Result<Facts, StoreError> {
    // NOTE: not reserved from the number of ledger blocks: sled counts a tree by reading it
    // whole, which kept every block in memory beside the facts (81 MB more on 2,000,000
    // events). The array grows by doubling. At that size glibc moves it by remapping its
    // pages instead of copying them, and the pages not yet written take no memory.
    let mut facts = Facts::default();
    facts.append(store, store.ledger())?;
    Ok(facts)
}

/// Brings `facts` up to the newest ledger event.
pub fn catch_up(facts: &mut Facts, store: &Store) -> Result<usize, StoreError> {
    if facts.events.is_empty() {
        return facts.append(store, store.ledger());
    }
    let events = events_after(store, facts.last_event_id())?;
    facts.append(store, events.into_iter().map(Ok))
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

/// Returns a payment method's position in [`PaymentMethod::ALL`], as packed facts and the
/// cache file store it.
pub(super) fn method_index(method: PaymentMethod) -> u8 {
    PaymentMethod::ALL
        .iter()
        .position(|known| *known == method)
        .unwrap_or(0) as u8
}

/// A map keyed by ids: a multiplicative hash is enough for integers that no user chooses, and
/// the default SipHash cost most of a report's time on two million events.
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

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

    #[test]
    fn event_packs_into_16_bytes_and_back() {
        assert_eq!(std::mem::size_of::<EventFact>(), 16);
        let at = DateTime::from_timestamp(1_764_950_400, 0).unwrap();
        let kinds = [
            FactKind::Sold,
            FactKind::Used {
                activity: Some(ActivityId(12)),
                reverted: true,
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
                amount_cents: 12_000,
            },
            FactKind::Refunded {
                method: PaymentMethod::Cash,
                amount_cents: -5,
            },
            FactKind::Imported { sessions: u32::MAX },
        ];
        // A ledger may start at any id, and jump: an import keeps the ids it reads.
        let mut facts = Facts::default();
        let mut id = 1_500_000_000_000;
        for (index, kind) in kinds.into_iter().enumerate() {
            id += if index == 5 {
                u64::from(u32::MAX) + 7
            } else {
                1
            };
            let event = facts.pack(id, at, 7, kind).unwrap();
            facts.push_event(event);
            assert_eq!(facts.event_id(index), id);
            assert_eq!(event.at(), at);
            assert_eq!(event.card(), 7);
            assert_eq!(facts.kind(&event), kind);
        }
        assert_eq!(facts.last_event_id(), id);
    }

    #[test]
    fn numbers_beyond_32_bits_come_back_whole() {
        let at = DateTime::from_timestamp(1_764_950_400, 0).unwrap();
        let kinds = [
            FactKind::Used {
                activity: Some(ActivityId(1 << 40)),
                reverted: false,
            },
            // i32::MIN itself marks "none" in 32 bits, so it must go wide.
            FactKind::Paid {
                method: PaymentMethod::Cash,
                amount_cents: i64::from(i32::MIN),
            },
            FactKind::Paid {
                method: PaymentMethod::Cash,
                amount_cents: i64::from(i32::MAX),
            },
            FactKind::Refunded {
                method: PaymentMethod::Cash,
                amount_cents: i64::MIN + 1,
            },
            FactKind::Cancelled {
                refund_cents: 2_147_483_648,
            },
            FactKind::Used {
                activity: None,
                reverted: false,
            },
        ];
        let mut facts = Facts::default();
        for (id, kind) in (1..).zip(kinds) {
            let event = facts.pack(id, at, 0, kind).unwrap();
            facts.push_event(event);
        }
        for (event, kind) in facts.events.iter().zip(kinds) {
            assert_eq!(facts.kind(event), kind);
        }
        assert_eq!(
            facts.wide.len(),
            4,
            "only the numbers that do not fit go wide"
        );
    }

    #[test]
    fn times_keep_the_minute_far_from_1970() {
        let mut facts = Facts::default();
        for text in ["1965-03-01T09:30:59Z", "2200-12-31T23:59:00Z"] {
            let at: DateTime<Utc> = text.parse().unwrap();
            let event = facts.pack(1, at, 0, FactKind::Sold).unwrap();
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
        let mut facts = Facts::default();
        for (id, kind) in [
            (10, used),
            (far, used),
            (far + 1, FactKind::Reverted { reverted: 10 }),
            (far + 2, FactKind::Reverted { reverted: far }),
            (u64::MAX, FactKind::Sold),
        ] {
            let event = facts.pack(id, at, 0, kind).unwrap();
            facts.push_event(event);
        }
        assert!(matches!(
            facts.kind(&facts.events[0]),
            FactKind::Used { reverted: true, .. }
        ));
        assert!(matches!(
            facts.kind(&facts.events[1]),
            FactKind::Used { reverted: true, .. }
        ));
        assert_eq!(facts.event_id(1), far);
        assert_eq!(facts.last_event_id(), u64::MAX);
        // Ids only grow: an older one cannot follow.
        assert!(facts.pack(far, at, 0, FactKind::Sold).is_none());
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
