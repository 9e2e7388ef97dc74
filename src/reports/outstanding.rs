//! Outstanding sessions: what the club still owes its members at the end of the period, which
//! is the sessions of valid cards not used yet at each card's price per session. Beside it come
//! the sessions that expired unused during the period.

use super::facts::Facts;
use super::period::Period;
use super::replay::CardState;
use crate::domain::card_type::CardTypeId;
use std::collections::HashMap;

/// Sessions and their value, for a card type or in all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Owed {
    pub cards: u64,
    pub sessions: i64,
    pub value_cents: i64,
}

impl Owed {
    fn add(&mut self, sessions: i64, value_cents: i64) {
        self.cards += 1;
        self.sessions += sessions;
        self.value_cents += value_cents;
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outstanding {
    /// Sessions left on cards valid at the end of the period's last day.
    pub owed: Owed,
    /// Largest value first.
    pub owed_by_type: Vec<(CardTypeId, Owed)>,
    /// Sessions left on cards whose validity ended during the period.
    pub expired: Owed,
    pub expired_by_type: Vec<(CardTypeId, Owed)>,
}

/// Adds up the states replayed to the end of `period`.
pub fn outstanding(facts: &Facts, states: &[CardState], period: &Period) -> Outstanding {
    let mut owed = Owed::default();
    let mut expired = Owed::default();
    let mut owed_by_type: HashMap<CardTypeId, Owed> = HashMap::new();
    let mut expired_by_type: HashMap<CardTypeId, Owed> = HashMap::new();
    for (card, state) in facts.cards.iter().zip(states) {
        if state.is_valid_on(period.last) && state.balance > 0 {
            let value = card.value_of(state.balance);
            owed.add(state.balance, value);
            owed_by_type
                .entry(card.type_id)
                .or_default()
                .add(state.balance, value);
            continue;
        }
        // The card's first day without validity falls in the period.
        let Some(left) = state.balance_at_expiry.filter(|left| *left > 0) else {
            continue;
        };
        let expired_in_period = state
            .expires_on
            .and_then(|last| last.succ_opt())
            .is_some_and(|first_invalid| period.contains(first_invalid));
        if expired_in_period {
            let value = card.value_of(left);
            expired.add(left, value);
            expired_by_type
                .entry(card.type_id)
                .or_default()
                .add(left, value);
        }
    }
    Outstanding {
        owed,
        owed_by_type: by_value(owed_by_type),
        expired,
        expired_by_type: by_value(expired_by_type),
    }
}

fn by_value(lines: HashMap<CardTypeId, Owed>) -> Vec<(CardTypeId, Owed)> {
    let mut lines: Vec<(CardTypeId, Owed)> = lines.into_iter().collect();
    lines.sort_by(|a, b| b.1.value_cents.cmp(&a.1.value_cents).then(a.0.cmp(&b.0)));
    lines
}
