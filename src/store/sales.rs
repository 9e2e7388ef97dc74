//! Card sales with their payments, and the changes made to a card after its sale: later
//! payments, same-day cancellation, refunds, session adjustments and expiry changes.
//!
//! Each operation is one transaction made durable by [`Store::write`], and writes nothing when
//! the rules in [`crate::domain::sale`] reject it. Operations return
//! `Ok(Err(SaleRefusal))` for a rejection, and `Err(StoreError)` when storage fails or an id
//! names no member, card type or card.

use super::cards::add_member_card;
use super::keys::{TreeName, id_key, meta, pair_key};
use super::ledger::{append_event, events_of_card_in_tx};
use super::members::not_found_member;
use super::tx::{TxResult, TxView, abort};
use super::{Store, StoreError, WriteContext};
use crate::domain::card::{Card, CardId, CardState};
use crate::domain::card_type::{CardType, CardTypeId};
use crate::domain::ledger::{EventKind, LedgerEvent};
use crate::domain::member::{Member, MemberId};
use crate::domain::sale::{
    PaymentInput, PaymentMethod, Sale, SaleRefusal, plan_adjustment, plan_cancel,
    plan_expiry_change, plan_payment, plan_refund, validate_payments,
};
use chrono::NaiveDate;

impl Store {
    /// Sells a card of type `type_id` to a member, dated `sale_date` in the club's time zone,
    /// and records one `Paid` event per payment line after the `CardSold` event.
    ///
    /// The payment lines must pay the type's current price exactly, as
    /// [`validate_payments`] checks: `due` lines record an amount owed, settled later with
    /// [`Store::record_payment`]. An archived member or card type is rejected.
    pub fn sell_card_with_payments(
        &self,
        member_id: MemberId,
        type_id: CardTypeId,
        sale_date: NaiveDate,
        payments: &[PaymentInput],
        context: &WriteContext,
    ) -> Result<Result<Sale, SaleRefusal>, StoreError> {
        let sold = self.write(|tx| {
            let member: Member = tx
                .get(TreeName::Members, &id_key(member_id.0))?
                .ok_or_else(|| abort(not_found_member(member_id)))?;
            let card_type: CardType = tx
                .get(TreeName::CardTypes, &id_key(type_id.0))?
                .ok_or_else(|| abort(not_found_card_type(type_id)))?;
            if member.archived {
                return Ok(Err(SaleRefusal::ArchivedMember {
                    name: member.full_name(),
                }));
            }
            if card_type.archived {
                return Ok(Err(SaleRefusal::ArchivedCardType {
                    name: card_type.name,
                }));
            }
            let lines = match validate_payments(card_type.price_cents, payments) {
                Ok(lines) => lines,
                Err(error) => return Ok(Err(SaleRefusal::Payments(error))),
            };

            let card = new_card(
                CardId(tx.next_id(meta::SEQ_CARD)?),
                member_id,
                &card_type,
                sale_date,
            );
            tx.put(TreeName::Cards, &id_key(card.id.0), &card)?;
            add_member_card(tx, member_id, card.id)?;
            tx.put_index(TreeName::TypeCards, &pair_key(type_id.0, card.id.0))?;
            let sold = EventKind::CardSold {
                sessions: card.sessions_total,
                price_cents: card.price_cents,
            };
            let mut events = vec![append_event(tx, &card, sold, context)?];
            for line in lines {
                let kind = EventKind::Paid {
                    method: line.method,
                    amount_cents: line.amount_cents,
                };
                events.push(append_event(tx, &card, kind, context)?);
            }
            Ok(Ok(Sale::from_events(card, &events)))
        })?;
        if let Ok(sale) = &sold {
            tracing::info!(
                card = sale.card.id.0,
                member = member_id.0,
                card_type = type_id.0,
                "card sold"
            );
        }
        Ok(sold)
    }

    /// Records a payment that settles all or part of the amount still due on a card.
    /// `method` cannot be `due`, and `amount_cents` must be positive and at most the amount due.
    pub fn record_payment(
        &self,
        card_id: CardId,
        method: PaymentMethod,
        amount_cents: i64,
        context: &WriteContext,
    ) -> Result<Result<Sale, SaleRefusal>, StoreError> {
        self.change_sale(card_id, |tx, card, mut events| {
            let sale = Sale::from_events(card.clone(), &events);
            let payment = match plan_payment(&sale, method, amount_cents) {
                Ok(payment) => payment,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let kind = EventKind::Paid {
                method: payment.method,
                amount_cents: payment.amount_cents,
            };
            events.push(append_event(tx, &card, kind, context)?);
            Ok(Ok(Sale::from_events(card, &events)))
        })
    }

    /// Cancels a sale made by mistake: allowed on the sale day `today` (in the club's time
    /// zone) while none of its sessions is used. The card's state becomes `Cancelled`, its
    /// balance stays as it is, and the `Cancelled` event refunds what was paid and not yet
    /// refunded.
    pub fn cancel_sale(
        &self,
        card_id: CardId,
        reason: &str,
        today: NaiveDate,
        context: &WriteContext,
    ) -> Result<Result<Sale, SaleRefusal>, StoreError> {
        self.change_sale(card_id, |tx, mut card, mut events| {
            let sale = Sale::from_events(card.clone(), &events);
            let plan = match plan_cancel(&sale, &events, reason, today) {
                Ok(plan) => plan,
                Err(refusal) => return Ok(Err(refusal)),
            };
            card.state = CardState::Cancelled;
            tx.put(TreeName::Cards, &id_key(card.id.0), &card)?;
            let kind = EventKind::Cancelled {
                reason: plan.reason,
                refund_cents: plan.refund_cents,
            };
            events.push(append_event(tx, &card, kind, context)?);
            Ok(Ok(Sale::from_events(card, &events)))
        })
    }

    /// Gives back part or all of what was paid for a card, at most what was paid minus earlier
    /// refunds. A refund of everything still held ends the card (state `Refunded`), and a
    /// partial one leaves it open with its sessions.
    pub fn refund(
        &self,
        card_id: CardId,
        method: PaymentMethod,
        amount_cents: i64,
        reason: &str,
        context: &WriteContext,
    ) -> Result<Result<Sale, SaleRefusal>, StoreError> {
        self.change_sale(card_id, |tx, mut card, mut events| {
            let sale = Sale::from_events(card.clone(), &events);
            let plan = match plan_refund(&sale, method, amount_cents, reason) {
                Ok(plan) => plan,
                Err(refusal) => return Ok(Err(refusal)),
            };
            if plan.new_state != card.state {
                card.state = plan.new_state;
                tx.put(TreeName::Cards, &id_key(card.id.0), &card)?;
            }
            let kind = EventKind::Refunded {
                method: plan.payment.method,
                amount_cents: plan.payment.amount_cents,
                reason: plan.reason,
            };
            events.push(append_event(tx, &card, kind, context)?);
            Ok(Ok(Sale::from_events(card, &events)))
        })
    }

    /// Adds `delta` sessions to an open card's balance (takes them when negative), with an
    /// `Adjusted` event. The balance never goes below zero nor above
    /// [`crate::domain::pricing::MAX_SESSIONS`].
    pub fn adjust_sessions(
        &self,
        card_id: CardId,
        delta: i32,
        reason: &str,
        context: &WriteContext,
    ) -> Result<Result<Card, SaleRefusal>, StoreError> {
        self.change_card(card_id, |tx, mut card| {
            let reason = match plan_adjustment(&card, delta, reason) {
                Ok(reason) => reason,
                Err(refusal) => return Ok(Err(refusal)),
            };
            // plan_adjustment keeps the result within 0..=MAX_SESSIONS.
            card.sessions_remaining = card.sessions_remaining.saturating_add_signed(delta);
            tx.put(TreeName::Cards, &id_key(card.id.0), &card)?;
            append_event(tx, &card, EventKind::Adjusted { delta, reason }, context)?;
            Ok(Ok(card))
        })
    }

    /// Changes an open card's last valid day; `None` makes it never expire.
    pub fn change_expiry(
        &self,
        card_id: CardId,
        new_expiry: Option<NaiveDate>,
        reason: &str,
        context: &WriteContext,
    ) -> Result<Result<Card, SaleRefusal>, StoreError> {
        self.change_card(card_id, |tx, mut card| {
            let reason = match plan_expiry_change(&card, new_expiry, reason) {
                Ok(reason) => reason,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let kind = EventKind::ExpiryChanged {
                from: card.expires_on,
                to: new_expiry,
                reason,
            };
            card.expires_on = new_expiry;
            tx.put(TreeName::Cards, &id_key(card.id.0), &card)?;
            append_event(tx, &card, kind, context)?;
            Ok(Ok(card))
        })
    }

    /// Returns a card with the money its ledger records, or `None` for an unknown card.
    pub fn sale_of_card(&self, card_id: CardId) -> Result<Option<Sale>, StoreError> {
        let Some(card) = self.card(card_id)? else {
            return Ok(None);
        };
        let events = self.events_of_card(card_id)?;
        Ok(Some(Sale::from_events(card, &events)))
    }

    /// Returns a member's cards with their payments, newest sale first (ties: newest card).
    pub fn sales_of_member(&self, member_id: MemberId) -> Result<Vec<Sale>, StoreError> {
        let mut sales = Vec::new();
        for card in self.cards_of_member(member_id)? {
            let events = self.events_of_card(card.id)?;
            sales.push(Sale::from_events(card, &events));
        }
        sales.sort_by_key(|sale| std::cmp::Reverse((sale.card.sold_on, sale.card.id)));
        Ok(sales)
    }

    /// Returns a member's check-ins, newest first, each with the name of the card it charged
    /// and whether it was undone, for an attendance list.
    pub fn check_ins_of_member(
        &self,
        member_id: MemberId,
    ) -> Result<Vec<(LedgerEvent, String, bool)>, StoreError> {
        let mut rows = Vec::new();
        for card in self.cards_of_member(member_id)? {
            for event in self.events_of_card(card.id)? {
                if matches!(event.kind, EventKind::SessionUsed { .. }) {
                    let reverted = self.is_reverted(event.id)?;
                    rows.push((event, card.name.clone(), reverted));
                }
            }
        }
        rows.sort_by_key(|(event, _, _)| std::cmp::Reverse(event.id));
        Ok(rows)
    }

    /// Runs `body` in one transaction on a card and its complete ledger history.
    fn change_sale<T>(
        &self,
        card_id: CardId,
        body: impl Fn(&TxView, Card, Vec<LedgerEvent>) -> TxResult<Result<T, SaleRefusal>>,
    ) -> Result<Result<T, SaleRefusal>, StoreError> {
        self.write(|tx| {
            let card = card_in_tx(tx, card_id)?;
            let events = events_of_card_in_tx(tx, card_id)?;
            body(tx, card, events)
        })
    }

    /// Runs `body` in one transaction on a card whose rules need no ledger history.
    fn change_card<T>(
        &self,
        card_id: CardId,
        body: impl Fn(&TxView, Card) -> TxResult<Result<T, SaleRefusal>>,
    ) -> Result<Result<T, SaleRefusal>, StoreError> {
        self.write(|tx| body(tx, card_in_tx(tx, card_id)?))
    }
}

fn card_in_tx(tx: &TxView, card_id: CardId) -> TxResult<Card> {
    tx.get::<Card>(TreeName::Cards, &id_key(card_id.0))?
        .ok_or_else(|| {
            abort(StoreError::NotFound {
                what: format!("card {}", card_id.0),
            })
        })
}

fn not_found_card_type(type_id: CardTypeId) -> StoreError {
    StoreError::NotFound {
        what: format!("card type {}", type_id.0),
    }
}

/// Builds a new open card with a snapshot of its type, as [`Store::sell_card`] does.
fn new_card(id: CardId, member_id: MemberId, card_type: &CardType, sale_date: NaiveDate) -> Card {
    Card {
        id,
        member_id,
        type_id: card_type.id,
        name: card_type.name.clone(),
        price_cents: card_type.price_cents,
        sessions_total: card_type.sessions,
        sold_on: sale_date,
        expires_on: card_type.validity.expiry_for_sale_on(sale_date),
        activities: card_type.activities.clone(),
        sessions_remaining: card_type.sessions,
        state: CardState::Open,
    }
}
