//! Writing an import plan: every member and card of a dry run in one transaction.

use super::cards::add_member_card;
use super::keys::{TreeName, id_key, meta, pair_key};
use super::ledger::append_event;
use super::members::free_code;
use super::tx::abort;
use super::{Store, StoreError, WriteContext};
use crate::domain::MemberCode;
use crate::domain::card::{Card, CardId, CardState};
use crate::domain::card_type::CardType;
use crate::domain::ledger::EventKind;
use crate::domain::member::{Member, MemberId, normalize_name};
use crate::import::plan::{ImportPlan, PlannedCard};
use rand::SeedableRng;

/// Fresh codes drawn per imported member, plus a spare pool, so that each member has unused
/// candidates even when a few collide with existing codes (10 million codes exist).
const CODES_PER_MEMBER: usize = 8;
const SPARE_CODES: usize = 64;

/// The members and cards an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub members: Vec<Member>,
    pub cards: Vec<Card>,
}

impl Store {
    /// Creates every member and card of `plan` in one transaction: either all of them are
    /// written or, on any error, none is. A card's balance arrives as one `Imported` ledger
    /// event, so the ledger still adds up to every stored balance.
    // NOTE: sled keeps a transaction's writes in memory until it commits, so the size of a file
    // imported at once is bounded by memory. Only files of a few thousand rows were tried.
    pub fn import_members(
        &self,
        plan: &ImportPlan,
        context: &WriteContext,
    ) -> Result<ImportOutcome, StoreError> {
        let mut rng = rand_chacha::ChaCha8Rng::from_os_rng();
        let count = plan.create.len() * CODES_PER_MEMBER + SPARE_CODES;
        let candidates: Vec<MemberCode> =
            (0..count).map(|_| MemberCode::generate(&mut rng)).collect();

        self.write(|tx| {
            let mut outcome = ImportOutcome {
                members: Vec::with_capacity(plan.create.len()),
                cards: Vec::new(),
            };
            for (index, planned) in plan.create.iter().enumerate() {
                let code = free_code(tx, &candidates[index * CODES_PER_MEMBER..])?;
                let id = MemberId(tx.next_id(meta::SEQ_MEMBER)?);
                let new = &planned.member;
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
                    created_at: context.now,
                    archived: false,
                    last_visit: None,
                };
                tx.put(TreeName::Members, &id_key(id.0), &member)?;
                tx.put(TreeName::MemberCodes, member.code.as_str().as_bytes(), &id)?;
                super::members::put_prefs(tx, id, new.language)?;
                if let Some(planned_card) = &planned.card {
                    outcome.cards.push(put_card(tx, id, planned_card, context)?);
                }
                outcome.members.push(member);
            }
            Ok(outcome)
        })
    }
}

fn put_card(
    tx: &super::tx::TxView,
    member_id: MemberId,
    planned: &PlannedCard,
    context: &WriteContext,
) -> super::tx::TxResult<Card> {
    // The card type may have been deleted since the dry run; the whole import then fails.
    let type_id = planned.card_type.id;
    tx.get::<CardType>(TreeName::CardTypes, &id_key(type_id.0))?
        .ok_or_else(|| {
            abort(StoreError::NotFound {
                what: format!("card type {}", type_id.0),
            })
        })?;
    let id = CardId(tx.next_id(meta::SEQ_CARD)?);
    let card = Card {
        id,
        member_id,
        type_id,
        name: planned.card_type.name.clone(),
        price_cents: planned.price_cents,
        // The card as sold has the type's sessions, so that each session is valued at the
        // price divided by them; a balance above that (carried over) counts as the total.
        sessions_total: planned.sessions.max(planned.card_type.sessions),
        sold_on: planned.sold_on,
        expires_on: planned.expires_on,
        activities: planned.card_type.activities.clone(),
        sessions_remaining: planned.sessions,
        state: CardState::Open,
    };
    tx.put(TreeName::Cards, &id_key(id.0), &card)?;
    add_member_card(tx, member_id, id)?;
    tx.put_index(TreeName::TypeCards, &pair_key(type_id.0, id.0))?;
    let kind = EventKind::Imported {
        sessions: planned.sessions,
        price_cents: planned.price_cents,
    };
    append_event(tx, &card, kind, context)?;
    Ok(card)
}
