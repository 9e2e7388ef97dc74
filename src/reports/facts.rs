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

/// One ledger event; `card` is an index into [`Facts::cards`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventFact {
    pub id: u64,
    pub at: DateTime<Utc>,
    pub card: u32,
    pub kind: FactKind,
}

impl EventFact {
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

/// Every card and event of the ledger, events oldest first.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub cards: Vec<CardFact>,
    pub events: Vec<EventFact>,
    index: IdMap<CardId, u32>,
    /// Events whose card was not found in the store; left out of every report.
    pub orphan_events: usize,
}

impl Facts {
    pub fn card(&self, event: &EventFact) -> &CardFact {
        &self.cards[event.card as usize]
    }

    pub fn last_event_id(&self) -> u64 {
        self.events.last().map_or(0, |event| event.id)
    }

    /// Appends an event, and marks the check-in it reverts, if it reverts one.
    pub(super) fn push_event(&mut self, event: EventFact) {
        if let FactKind::Reverted { reverted } = event.kind
            && let Ok(index) = self.events.binary_search_by_key(&reverted, |e| e.id)
            && let FactKind::Used { reverted, .. } = &mut self.events[index].kind
        {
            *reverted = true;
        }
        self.events.push(event);
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
        for event in events {
            let event = event?;
            if event.id.0 <= self.last_event_id() {
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
            self.push_event(EventFact {
                id: event.id.0,
                at: event.at,
                card,
                kind,
            });
            added += 1;
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
