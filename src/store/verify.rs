//! `carnet check`: every card's balance recomputed from the ledger.

use super::{Store, StoreError};
use crate::domain::card::CardId;
use crate::domain::member::MemberId;
use std::collections::HashMap;

/// A card whose stored balance differs from what its ledger events add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceMismatch {
    pub card_id: CardId,
    pub member_id: MemberId,
    pub stored: i64,
    pub from_ledger: i64,
}

impl Store {
    /// Recomputes every card's balance from the ledger and lists each difference.
    pub fn verify_balances(&self) -> Result<Vec<BalanceMismatch>, StoreError> {
        let mut from_ledger: HashMap<CardId, i64> = HashMap::new();
        for event in self.ledger() {
            let event = event?;
            *from_ledger.entry(event.card_id).or_default() += event.session_delta();
        }

        let mut mismatches = Vec::new();
        for card in self.cards() {
            let card = card?;
            let computed = from_ledger.remove(&card.id).unwrap_or(0);
            let stored = i64::from(card.sessions_remaining);
            if stored != computed {
                mismatches.push(BalanceMismatch {
                    card_id: card.id,
                    member_id: card.member_id,
                    stored,
                    from_ledger: computed,
                });
            }
        }
        // Events about cards that do not exist are differences too: a stored balance of zero.
        for (card_id, computed) in from_ledger {
            mismatches.push(BalanceMismatch {
                card_id,
                member_id: MemberId(0),
                stored: 0,
                from_ledger: computed,
            });
        }
        mismatches.sort_by_key(|mismatch| mismatch.card_id);
        Ok(mismatches)
    }
}
