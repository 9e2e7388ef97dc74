//! Sold cards.

use super::keys::{TreeName, id_key, id_of_key, meta, pair_key, second_of_pair};
use super::ledger::append_event;
use super::members::not_found_member;
use super::tx::{TxResult, TxView, abort};
use super::{Store, StoreError, WriteContext, codec};
use crate::domain::card::{Card, CardId, CardState};
use crate::domain::card_type::CardTypeId;
use crate::domain::ledger::EventKind;
use crate::domain::member::{Member, MemberId};
use chrono::NaiveDate;

impl Store {
    /// Sells a card of the given type to a member, dated `sale_date` in the club's time zone.
    pub fn sell_card(
        &self,
        member_id: MemberId,
        type_id: CardTypeId,
        sale_date: NaiveDate,
        context: &WriteContext,
    ) -> Result<Card, StoreError> {
        let card_type = self
            .card_type(type_id)?
            .ok_or_else(|| StoreError::NotFound {
                what: format!("card type {}", type_id.0),
            })?;
        self.write(|tx| {
            tx.get::<Member>(TreeName::Members, &id_key(member_id.0))?
                .ok_or_else(|| abort(not_found_member(member_id)))?;
            let id = CardId(tx.next_id(meta::SEQ_CARD)?);
            let card = Card {
                id,
                member_id,
                type_id,
                name: card_type.name.clone(),
                price_cents: card_type.price_cents,
                sessions_total: card_type.sessions,
                sold_on: sale_date,
                expires_on: card_type.validity.expiry_for_sale_on(sale_date),
                activities: card_type.activities.clone(),
                sessions_remaining: card_type.sessions,
                state: CardState::Open,
            };
            tx.put(TreeName::Cards, &id_key(id.0), &card)?;
            add_member_card(tx, member_id, id)?;
            tx.put_index(TreeName::TypeCards, &pair_key(type_id.0, id.0))?;
            let kind = EventKind::CardSold {
                sessions: card_type.sessions,
                price_cents: card_type.price_cents,
            };
            append_event(tx, &card, kind, context)?;
            Ok(card)
        })
    }

    pub fn card(&self, id: CardId) -> Result<Option<Card>, StoreError> {
        self.read(TreeName::Cards, &id_key(id.0))
    }

    pub fn cards(&self) -> impl Iterator<Item = Result<Card, StoreError>> + '_ {
        self.read_all(TreeName::Cards)
    }

    pub fn cards_of_member(&self, member_id: MemberId) -> Result<Vec<Card>, StoreError> {
        let mut cards = Vec::new();
        for card_id in self.card_ids_of_member(member_id)? {
            if let Some(card) = self.card(card_id)? {
                cards.push(card);
            }
        }
        Ok(cards)
    }

    /// Returns a member's card ids, oldest first.
    pub(crate) fn card_ids_of_member(
        &self,
        member_id: MemberId,
    ) -> Result<Vec<CardId>, StoreError> {
        Ok(self
            .read(TreeName::MemberCards, &id_key(member_id.0))?
            .unwrap_or_default())
    }
}

impl Store {
    /// Adds one list per member to `member_cards`, built from the per-card entries that
    /// formats 1 to 3 kept in the same tree (key: member id ++ card id). The old entries stay
    /// until the new format is stamped (see [`Store::remove_member_card_pairs`]); a format-3
    /// Carnet skips the new keys, which are shorter. Returns the number of members with cards.
    pub(crate) fn build_member_card_lists(&self) -> Result<u64, StoreError> {
        let tree = self.tree(TreeName::MemberCards);
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        let mut members = 0;
        let mut current: Option<(u64, Vec<CardId>)> = None;
        for entry in tree.iter() {
            let (key, _) = entry.map_err(|e| self.sled_error(e))?;
            // A list written by an attempt that a crash cut short is written again.
            if key.len() == 8 {
                continue;
            }
            let (Some(member), Some(card)) =
                (key.get(..8).and_then(id_of_key), second_of_pair(&key))
            else {
                return Err(StoreError::record(
                    TreeName::MemberCards,
                    &key,
                    codec::CodecError::Malformed(format!("a key of {} byte(s)", key.len())),
                ));
            };
            match &mut current {
                Some((owner, ids)) if *owner == member => ids.push(CardId(card)),
                _ => {
                    if let Some((owner, ids)) = current.replace((member, vec![CardId(card)])) {
                        batch.insert(&id_key(owner), codec::encode(&ids));
                        members += 1;
                        in_batch += 1;
                    }
                }
            }
            // Batches stay small: sled 0.34's memory grows with the size of a batch.
            if in_batch == 1_000 {
                tree.apply_batch(std::mem::take(&mut batch))
                    .map_err(|e| self.sled_error(e))?;
                in_batch = 0;
            }
        }
        if let Some((owner, ids)) = current {
            batch.insert(&id_key(owner), codec::encode(&ids));
            members += 1;
        }
        tree.apply_batch(batch).map_err(|e| self.sled_error(e))?;
        Ok(members)
    }

    /// Removes the per-card entries of formats 1 to 3 from `member_cards` once format 4 is
    /// stamped, leaving the lists.
    pub(crate) fn remove_member_card_pairs(&self) -> Result<(), StoreError> {
        let tree = self.tree(TreeName::MemberCards);
        for entry in tree.iter().keys() {
            let key = entry.map_err(|e| self.sled_error(e))?;
            if key.len() != 8 {
                tree.remove(key).map_err(|e| self.sled_error(e))?;
            }
        }
        Ok(())
    }
}

/// Adds a new card to its member's list of cards.
pub(crate) fn add_member_card(tx: &TxView, member_id: MemberId, card_id: CardId) -> TxResult<()> {
    let key = id_key(member_id.0);
    let mut ids: Vec<CardId> = tx.get(TreeName::MemberCards, &key)?.unwrap_or_default();
    ids.push(card_id);
    tx.put(TreeName::MemberCards, &key, &ids)
}
