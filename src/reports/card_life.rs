//! Card life: what became of the cards sold in the period, as of the period's end. How long
//! used-up cards took, the share used up, expired with sessions left, still running or ended
//! by a cancellation or refund, and the dormant cards among those still running.

use super::facts::Facts;
use super::period::Period;
use super::replay::{CardState, Ending};
use crate::domain::ClubTime;
use crate::domain::card_type::CardTypeId;
use chrono::Duration;
use std::collections::HashMap;

/// A running card with no session for this many days is dormant.
pub const DORMANT_DAYS: i64 = 30;

/// Counts of one card type, or of all cards.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Lives {
    pub sold: u64,
    pub used_up: u64,
    pub expired_with_sessions: u64,
    pub running: u64,
    /// Cancelled or fully refunded.
    pub ended: u64,
    /// Running cards without a session in the last [`DORMANT_DAYS`] days.
    pub dormant: u64,
    /// Sum of the days from sale to last session of the used-up cards.
    days_to_use_up: i64,
}

impl Lives {
    /// Returns the mean days from sale to last session of the used-up cards.
    pub fn average_days(&self) -> Option<f64> {
        (self.used_up > 0).then(|| self.days_to_use_up as f64 / self.used_up as f64)
    }

    /// Returns `count` as a percentage of the cards sold.
    pub fn share(&self, count: u64) -> f64 {
        if self.sold == 0 {
            0.0
        } else {
            count as f64 * 100.0 / self.sold as f64
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CardLife {
    pub total: Lives,
    /// Most sold first.
    pub by_type: Vec<(CardTypeId, Lives)>,
}

/// Classifies the cards sold in `period` from their states at its end.
pub fn card_life(
    facts: &Facts,
    states: &[CardState],
    period: &Period,
    club: &ClubTime,
) -> CardLife {
    let (_, end) = period.bounds(club);
    let dormant_since = end - Duration::days(DORMANT_DAYS);
    let mut total = Lives::default();
    let mut by_type: HashMap<CardTypeId, Lives> = HashMap::new();
    for (card, state) in facts.cards.iter().zip(states) {
        if !state.sold || !period.contains(card.sold_on) {
            continue;
        }
        let lives = by_type.entry(card.type_id).or_default();
        for lives in [&mut total, lives] {
            lives.sold += 1;
            match state.ending {
                Ending::Cancelled | Ending::Refunded => lives.ended += 1,
                Ending::Open if state.balance <= 0 => {
                    lives.used_up += 1;
                    let last = state.last_used.map(|at| club.local_date(at));
                    let days = last.map_or(0, |last| (last - card.sold_on).num_days().max(0));
                    lives.days_to_use_up += days;
                }
                Ending::Open if state.is_valid_on(period.last) => {
                    lives.running += 1;
                    let last_seen = state
                        .last_used
                        .unwrap_or_else(|| club.start_of_day(card.sold_on));
                    if last_seen < dormant_since {
                        lives.dormant += 1;
                    }
                }
                Ending::Open => lives.expired_with_sessions += 1,
            }
        }
    }
    let mut by_type: Vec<(CardTypeId, Lives)> = by_type.into_iter().collect();
    by_type.sort_by(|a, b| b.1.sold.cmp(&a.1.sold).then(a.0.cmp(&b.0)));
    CardLife { total, by_type }
}
