//! Sold cards.

use super::keys::{TreeName, id_key, meta, pair_key, second_of_pair};
use super::ledger::append_event;
use super::members::not_found_member;
use super::tx::abort;
use super::{Store, StoreError, WriteContext};
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
            tx.put_index(TreeName::MemberCards, &pair_key(member_id.0, id.0))?;
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
        for entry in self
            .tree(TreeName::MemberCards)
            .scan_prefix(id_key(member_id.0))
        {
            let (key, _) = entry.map_err(|e| self.sled_error(e))?;
            let Some(card_id) = second_of_pair(&key) else {
                continue;
            };
            if let Some(card) = self.card(CardId(card_id))? {
                cards.push(card);
            }
        }
        Ok(cards)
    }
}
