//! Storage for Practice › Session cards: every card with its owner, type and last use, and
//! the contacts staff record with members about their cards.

use super::keys::{TreeName, id_key, id_of_key, meta, pair_key};
use super::{Store, StoreError, WriteContext, codec};
use crate::domain::card::{Card, CardId};
use crate::domain::dates::ClubTime;
use crate::domain::inform::{Channel, Contact, ContactId, ContactReason};
use crate::domain::ledger::{EventId, EventKind};
use crate::domain::member::{Member, MemberId};
use crate::domain::overview::{CardRow, Overview, Owner, Owners, Product, ranks_of};
use crate::domain::{ActivityId, CardTypeId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The last session taken from a card, kept beside the card so that the overview does not
/// have to read the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastUse {
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub at: DateTime<Utc>,
    pub event: EventId,
}

/// A contact to record: the channel and the note staff typed, and the reasons covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub member_id: MemberId,
    pub channel: Channel,
    pub note: String,
    pub reasons: Vec<ContactReason>,
}

impl Store {
    /// Loads every card with its owner, type and last use, for the overview. Owners are not
    /// ranked: the caller ranks them with the member search's name order, which it has, or
    /// with [`Overview::rank_owners_by_name`].
    pub fn overview(&self, club_time: &ClubTime) -> Result<Overview, StoreError> {
        let mut owners = Owners::default();
        let languages = self.member_languages()?;
        for member in self.members() {
            let member: Member = member?;
            owners.push(Owner {
                member_id: member.id,
                code: member.code.as_str(),
                first_name: &member.first_name,
                last_name: &member.last_name,
                email: member.email.as_deref(),
                phone: member.phone.as_deref(),
                language: languages.get(&member.id).copied(),
                archived: member.archived,
                rank: 0,
            });
        }
        owners.shrink_to_fit();

        let audiences: HashMap<CardTypeId, String> = self
            .card_types()?
            .into_iter()
            .map(|card_type| (card_type.id, card_type.audience))
            .collect();
        let mut products: Vec<Product> = Vec::new();
        // The products of each card type: nearly always one, more if the type was renamed.
        let mut product_slots: HashMap<CardTypeId, Vec<u32>> = HashMap::new();
        let mut activity_sets: Vec<Vec<ActivityId>> = vec![Vec::new()];
        let mut activity_slots: HashMap<Vec<ActivityId>, u32> = HashMap::new();

        // Both trees are keyed by card id, so one pass over each in step joins them.
        let mut last_uses = self.tree(TreeName::CardLastUse).iter().peekable();
        // Not reserved from the newest card id, which an imported database may place anywhere.
        let mut rows = Vec::new();
        for card in self.cards() {
            let card: Card = card?;
            let mut last_use = None;
            while let Some(entry) = last_uses.peek() {
                let (key, value) = entry.as_ref().map_err(|e| self.sled_error(e.clone()))?;
                let id = id_of_key(key).unwrap_or(u64::MAX);
                if id > card.id.0 {
                    break;
                }
                if id == card.id.0 {
                    let stored: LastUse = codec::decode(value)
                        .map_err(|source| StoreError::record(TreeName::CardLastUse, key, source))?;
                    last_use = Some(club_time.local_date(stored.at));
                }
                last_uses.next();
            }
            let Some(owner) = owners.find(card.member_id) else {
                tracing::warn!(card = card.id.0, "card of a missing member left out");
                continue;
            };
            let slots = product_slots.entry(card.type_id).or_default();
            let known = slots
                .iter()
                .copied()
                .find(|&slot| products[slot as usize].name == card.name);
            let product = match known {
                Some(slot) => slot,
                None => {
                    let slot = products.len() as u32;
                    products.push(Product {
                        name: card.name.clone(),
                        audience: audiences.get(&card.type_id).cloned().unwrap_or_default(),
                        name_rank: 0,
                        audience_rank: 0,
                    });
                    slots.push(slot);
                    slot
                }
            };
            let activities = if card.activities.is_empty() {
                0
            } else if let Some(&slot) = activity_slots.get(&card.activities) {
                slot
            } else {
                let slot = activity_sets.len() as u32;
                activity_sets.push(card.activities.clone());
                activity_slots.insert(card.activities.clone(), slot);
                slot
            };
            rows.push(CardRow {
                card_id: card.id,
                owner: owner as u32,
                product,
                activities,
                sold_on: card.sold_on,
                expires_on: card.expires_on,
                last_use,
                remaining: card.sessions_remaining,
                total: card.sessions_total,
                price_cents: card.price_cents,
                state: card.state,
            });
        }
        let name_ranks = ranks_of(products.iter().map(|p| p.name.as_str()));
        let audience_ranks = ranks_of(products.iter().map(|p| p.audience.as_str()));
        for ((product, name_rank), audience_rank) in
            products.iter_mut().zip(name_ranks).zip(audience_ranks)
        {
            product.name_rank = name_rank;
            product.audience_rank = audience_rank;
        }
        rows.shrink_to_fit();
        Ok(Overview {
            owners,
            products,
            activity_sets,
            rows,
        })
    }

    pub fn last_use(&self, card_id: CardId) -> Result<Option<LastUse>, StoreError> {
        self.read(TreeName::CardLastUse, &id_key(card_id.0))
    }

    /// Records that staff informed a member about their cards.
    pub fn record_contact(
        &self,
        contact: &NewContact,
        context: &WriteContext,
    ) -> Result<Contact, StoreError> {
        let card_ids = self.card_ids_of_member(contact.member_id)?;
        self.write(|tx| {
            if tx
                .get::<Member>(TreeName::Members, &id_key(contact.member_id.0))?
                .is_none()
            {
                return Err(super::tx::abort(super::members::not_found_member(
                    contact.member_id,
                )));
            }
            let id = ContactId(tx.next_id(meta::SEQ_CONTACT)?);
            let stored = Contact {
                id,
                member_id: contact.member_id,
                at: context.now,
                operator: context.operator.clone(),
                channel: contact.channel,
                note: contact.note.clone(),
                reasons: contact.reasons.clone(),
                newest_card: card_ids.iter().max().copied(),
            };
            tx.put(
                TreeName::Contacts,
                &pair_key(contact.member_id.0, id.0),
                &stored,
            )?;
            Ok(stored)
        })
    }

    /// Returns a member's contacts, newest first.
    pub fn contacts_of_member(&self, member_id: MemberId) -> Result<Vec<Contact>, StoreError> {
        let mut contacts = Vec::new();
        for entry in self
            .tree(TreeName::Contacts)
            .scan_prefix(id_key(member_id.0))
        {
            let (key, value) = entry.map_err(|e| self.sled_error(e))?;
            let contact: Contact = codec::decode(&value)
                .map_err(|source| StoreError::record(TreeName::Contacts, &key, source))?;
            contacts.push(contact);
        }
        contacts.reverse();
        Ok(contacts)
    }

    /// Returns the newest contact of every member who has one.
    pub fn last_contacts(&self) -> Result<HashMap<MemberId, Contact>, StoreError> {
        let mut last = HashMap::new();
        // Keys are member id then contact id, so the last one seen per member is the newest.
        for entry in self.tree(TreeName::Contacts).iter() {
            let (key, value) = entry.map_err(|e| self.sled_error(e))?;
            let contact: Contact = codec::decode(&value)
                .map_err(|source| StoreError::record(TreeName::Contacts, &key, source))?;
            last.insert(contact.member_id, contact);
        }
        Ok(last)
    }

    /// Recomputes every card's last use from the ledger, for a database written before the
    /// `card_last_use` tree existed or restored from an export.
    pub fn rebuild_last_use(&self) -> Result<usize, StoreError> {
        let mut last: HashMap<CardId, LastUse> = HashMap::new();
        let mut lost_last_use = HashSet::new();
        for event in self.ledger() {
            let event = event?;
            match event.kind {
                EventKind::SessionUsed { .. } => {
                    last.insert(
                        event.card_id,
                        LastUse {
                            at: event.at,
                            event: event.id,
                        },
                    );
                }
                // The ledger runs oldest first, so a reversal always follows its check-in;
                // the use before it is found again below.
                EventKind::SessionReverted { reverted }
                    if last
                        .get(&event.card_id)
                        .is_some_and(|l| l.event == reverted) =>
                {
                    last.remove(&event.card_id);
                    lost_last_use.insert(event.card_id);
                }
                _ => {}
            }
        }
        let tree = self.tree(TreeName::CardLastUse);
        tree.clear().map_err(|e| self.sled_error(e))?;
        let mut batch = sled::Batch::default();
        for (card, last_use) in &last {
            batch.insert(&id_key(card.0), codec::encode(last_use));
        }
        tree.apply_batch(batch).map_err(|e| self.sled_error(e))?;
        // A reverted last use leaves its card with the use before it. The pass above forgot
        // that one, so the few such cards are looked up one by one.
        for card_id in lost_last_use {
            if !last.contains_key(&card_id)
                && let Some(found) = self.last_use_before(card_id, EventId(u64::MAX))?
            {
                tree.insert(id_key(card_id.0), codec::encode(&found))
                    .map_err(|e| self.sled_error(e))?;
                last.insert(card_id, found);
            }
        }
        Ok(last.len())
    }

    /// Returns the newest check-in of a card before `before` that was not reverted.
    pub(super) fn last_use_before(
        &self,
        card_id: CardId,
        before: EventId,
    ) -> Result<Option<LastUse>, StoreError> {
        let mut latest = None;
        for event in self.events_of_card(card_id)? {
            if matches!(event.kind, EventKind::SessionUsed { .. })
                && event.id < before
                && !self.is_reverted(event.id)?
            {
                latest = Some(LastUse {
                    at: event.at,
                    event: event.id,
                });
            }
        }
        Ok(latest)
    }
}
