//! Fast loading of many records at once, for `carnet demo` and benchmarks.
//!
//! Writes go straight into sled batches without the journal; `finish` makes them durable
//! with one checkpoint. Callers add ledger events in time order, because event ids must
//! follow time (today's list reads the ledger backwards and stops at midnight).

use super::keys::{TreeName, id_key, meta, pair_key};
use super::ledger::LedgerAppender;
use super::{LastUse, Store, StoreError, WriteContext, codec};
use crate::domain::MemberCode;
use crate::domain::card::{Card, CardId, CardState};
use crate::domain::card_type::{ActivityId, CardType};
use crate::domain::ledger::{EventId, EventKind, LedgerEvent};
use crate::domain::member::{Member, MemberId, NewMember, normalize_name};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// Records buffered before a batch is applied; bounds memory during large loads. sled 0.34.7's
/// memory grows with the batch size: loading a million small records peaked at 3.35 GB with
/// batches of 20,000 and at 241 MB with batches of 1,000 (measured on the development machine).
const BATCH_RECORDS: usize = 1_000;

pub struct BulkLoader<'a> {
    store: &'a Store,
    batches: Vec<sled::Batch>,
    ledger: LedgerAppender,
    /// Members' card lists changed since the last batch was applied.
    member_cards: HashMap<MemberId, Vec<CardId>>,
    buffered: usize,
    next_member: u64,
    next_card: u64,
    next_event: u64,
}

impl<'a> BulkLoader<'a> {
    pub fn new(store: &'a Store) -> Result<Self, StoreError> {
        // The loader writes around the journal. A frame journaled before it would be replayed
        // over the loaded records after a crash, so the journal is emptied first.
        store.checkpoint()?;
        let current = |sequence: &[u8]| -> Result<u64, StoreError> {
            Ok(store.read::<u64>(TreeName::Meta, sequence)?.unwrap_or(0))
        };
        Ok(Self {
            store,
            batches: TreeName::ALL
                .iter()
                .map(|_| sled::Batch::default())
                .collect(),
            ledger: LedgerAppender::default(),
            member_cards: HashMap::new(),
            buffered: 0,
            next_member: current(meta::SEQ_MEMBER)? + 1,
            next_card: current(meta::SEQ_CARD)? + 1,
            next_event: store.last_event_id()? + 1,
        })
    }

    pub fn add_member(
        &mut self,
        new: &NewMember,
        code: MemberCode,
        created_at: DateTime<Utc>,
    ) -> Result<Member, StoreError> {
        let id = MemberId(self.next_member);
        self.next_member += 1;
        let member = Member {
            id,
            code,
            first_name: normalize_name(&new.first_name),
            last_name: normalize_name(&new.last_name),
            email: new.email.clone(),
            phone: new.phone.clone(),
            birth_date: new.birth_date,
            category: new.category.clone(),
            notes: new.notes.clone(),
            created_at,
            archived: false,
            last_visit: None,
        };
        self.put_member(&member)?;
        self.put(
            TreeName::MemberCodes,
            member.code.as_str().as_bytes(),
            codec::encode(&id),
        )?;
        Ok(member)
    }

    pub fn put_member(&mut self, member: &Member) -> Result<(), StoreError> {
        self.put(
            TreeName::Members,
            &id_key(member.id.0),
            codec::encode(member),
        )
    }

    /// Sells a card and writes its sale event.
    pub fn add_card(
        &mut self,
        member: &Member,
        card_type: &CardType,
        sold_on: NaiveDate,
        context: &WriteContext,
    ) -> Result<Card, StoreError> {
        let id = CardId(self.next_card);
        self.next_card += 1;
        let card = Card {
            id,
            member_id: member.id,
            type_id: card_type.id,
            name: card_type.name.clone(),
            price_cents: card_type.price_cents,
            sessions_total: card_type.sessions,
            sold_on,
            expires_on: card_type.validity.expiry_for_sale_on(sold_on),
            activities: card_type.activities.clone(),
            sessions_remaining: card_type.sessions,
            state: CardState::Open,
        };
        self.put_card(&card)?;
        self.add_member_card(member.id, id)?;
        self.put(
            TreeName::TypeCards,
            &pair_key(card_type.id.0, id.0),
            Vec::new(),
        )?;
        let kind = EventKind::CardSold {
            sessions: card_type.sessions,
            price_cents: card_type.price_cents,
        };
        self.add_event(&card, kind, context)?;
        Ok(card)
    }

    pub fn put_card(&mut self, card: &Card) -> Result<(), StoreError> {
        self.put(TreeName::Cards, &id_key(card.id.0), codec::encode(card))
    }

    /// Takes one session from `card` (which the caller then stores with `put_card`).
    pub fn add_check_in(
        &mut self,
        card: &mut Card,
        activity: Option<ActivityId>,
        context: &WriteContext,
    ) -> Result<LedgerEvent, StoreError> {
        card.sessions_remaining = card.sessions_remaining.saturating_sub(1);
        let kind = EventKind::SessionUsed {
            activity,
            remaining_after: card.sessions_remaining,
        };
        let event = self.add_event(card, kind, context)?;
        let last_use = LastUse {
            at: event.at,
            event: event.id,
        };
        self.put(
            TreeName::CardLastUse,
            &id_key(card.id.0),
            codec::encode(&last_use),
        )?;
        Ok(event)
    }

    fn add_event(
        &mut self,
        card: &Card,
        kind: EventKind,
        context: &WriteContext,
    ) -> Result<LedgerEvent, StoreError> {
        let id = EventId(self.next_event);
        self.next_event += 1;
        let event = LedgerEvent {
            id,
            at: context.now,
            operator: context.operator.clone(),
            terminal: context.terminal.clone(),
            card_id: card.id,
            member_id: card.member_id,
            kind,
        };
        self.ledger.append(self.store, &event)?;
        self.count_buffered()?;
        Ok(event)
    }

    pub fn set_demo_codes(&mut self, codes: &[(String, MemberCode)]) -> Result<(), StoreError> {
        self.put(TreeName::Meta, meta::DEMO_CODES, codec::encode(&codes))
    }

    /// Adds a card to its member's list, read back first when a batch already stored it.
    fn add_member_card(&mut self, member_id: MemberId, card_id: CardId) -> Result<(), StoreError> {
        let list = match self.member_cards.entry(member_id) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(self.store.card_ids_of_member(member_id)?),
        };
        list.push(card_id);
        self.count_buffered()
    }

    fn put(&mut self, tree: TreeName, key: &[u8], value: Vec<u8>) -> Result<(), StoreError> {
        self.batches[tree.index()].insert(key, value);
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
        for (member_id, card_ids) in self.member_cards.drain() {
            self.batches[TreeName::MemberCards.index()]
                .insert(&id_key(member_id.0), codec::encode(&card_ids));
        }
        for (index, batch) in self.batches.iter_mut().enumerate() {
            let batch = std::mem::take(batch);
            self.store.trees[index]
                .apply_batch(batch)
                .map_err(|error| self.store.sled_error(error))?;
        }
        self.buffered = 0;
        self.store.forget_ledger_tail();
        self.store.bump_generation();
        Ok(())
    }

    /// Applies what is buffered, stores the sequences, and makes everything durable.
    pub fn finish(mut self) -> Result<(), StoreError> {
        let sequences = [
            (meta::SEQ_MEMBER, self.next_member - 1),
            (meta::SEQ_CARD, self.next_card - 1),
        ];
        for (key, last) in sequences {
            self.put(TreeName::Meta, key, codec::encode(&last))?;
        }
        self.apply()?;
        self.store.checkpoint()
    }
}
