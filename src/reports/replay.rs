//! Each card's state at an instant, from its events before it.

use super::facts::{FactKind, Facts, minutes_between};
use crate::domain::ClubTime;
use crate::store::StoreError;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// The end of a card by cancellation or refund, apart from running out of sessions or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Open,
    Cancelled,
    Refunded,
}

/// One card's state after the events replayed.
#[derive(Debug, Clone, Copy)]
pub struct CardState {
    /// False for a card not sold yet at the instant.
    pub sold: bool,
    pub balance: i64,
    pub ending: Ending,
    pub expires_on: Option<NaiveDate>,
    /// The first instant after the last valid day.
    pub expiry_end: Option<DateTime<Utc>>,
    /// Balance when the card expired, if it expired before the instant while still open.
    pub balance_at_expiry: Option<i64>,
    pub last_used: Option<DateTime<Utc>>,
    paid_cents: i64,
    refunded_cents: i64,
}

impl CardState {
    fn new(expires_on: Option<NaiveDate>, expiry_end: Option<DateTime<Utc>>) -> CardState {
        CardState {
            sold: false,
            balance: 0,
            ending: Ending::Open,
            expires_on,
            expiry_end,
            balance_at_expiry: None,
            last_used: None,
            paid_cents: 0,
            refunded_cents: 0,
        }
    }

    /// Tells whether the card can still be used on `date`: open, sold and not expired.
    pub fn is_valid_on(&self, date: NaiveDate) -> bool {
        self.sold && self.ending == Ending::Open && self.expires_on.is_none_or(|last| date <= last)
    }
}

/// The first instant after each last valid day, computed once per date: cards share few
/// expiry dates, and each costs a time zone lookup.
struct ExpiryEnds<'a> {
    club: &'a ClubTime,
    known: HashMap<NaiveDate, DateTime<Utc>>,
}

impl<'a> ExpiryEnds<'a> {
    fn new(club: &'a ClubTime) -> ExpiryEnds<'a> {
        ExpiryEnds {
            club,
            known: HashMap::new(),
        }
    }

    fn of(&mut self, expires_on: Option<NaiveDate>) -> Option<DateTime<Utc>> {
        let last = expires_on?;
        let club = self.club;
        Some(
            *self
                .known
                .entry(last)
                .or_insert_with(|| club.start_of_day(last.succ_opt().unwrap_or(last))),
        )
    }
}

/// Replays every event before `end` and returns each card's state, indexed like
/// [`Facts::cards`]. Reverted check-ins give their session back through their reversal.
pub fn replay(
    facts: &Facts,
    end: DateTime<Utc>,
    club: &ClubTime,
) -> Result<Vec<CardState>, StoreError> {
    let mut ends = ExpiryEnds::new(club);
    let mut states: Vec<CardState> = facts
        .cards
        .iter()
        .map(|card| CardState::new(card.expires_on, ends.of(card.expires_on)))
        .collect();
    let before_end = minutes_between(DateTime::<Utc>::MIN_UTC, end);
    for event in facts.events() {
        let event = event?;
        if !before_end.contains(&event.minute) {
            continue;
        }
        let at = event.at();
        let state = &mut states[event.card as usize];
        capture_expiry(state, at);
        state.balance += event.session_delta();
        match event.kind {
            FactKind::Sold => {
                state.sold = true;
                state.balance += i64::from(facts.card(&event).sessions);
            }
            // The balance came with the event; the sale was made before Carnet.
            FactKind::Imported { .. } => state.sold = true,
            FactKind::Used {
                reverted: false, ..
            } => {
                state.last_used = Some(at);
            }
            FactKind::ExpiryChanged { to } => {
                state.expires_on = to;
                state.expiry_end = ends.of(to);
                state.balance_at_expiry = None;
            }
            FactKind::Cancelled { .. } => state.ending = Ending::Cancelled,
            FactKind::Paid {
                method,
                amount_cents,
            } if method.is_money() => state.paid_cents += amount_cents,
            FactKind::Refunded { amount_cents, .. } => {
                // A refund of everything still held ends the card, as the sale rules decide.
                if amount_cents == state.paid_cents - state.refunded_cents {
                    state.ending = Ending::Refunded;
                }
                state.refunded_cents += amount_cents;
            }
            _ => {}
        }
    }
    for state in &mut states {
        capture_expiry(state, end);
    }
    Ok(states)
}

/// Records the balance a card had when it expired, once `at` is past its expiry.
fn capture_expiry(state: &mut CardState, at: DateTime<Utc>) {
    if state.balance_at_expiry.is_none()
        && state.sold
        && state.ending == Ending::Open
        && state.expiry_end.is_some_and(|end| at >= end)
    {
        state.balance_at_expiry = Some(state.balance);
    }
}
