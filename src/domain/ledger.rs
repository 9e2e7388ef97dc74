//! The ledger: an append-only list of everything that changed a card.
//! A card's remaining sessions always equal the sum of its events' session deltas.

use super::card::CardId;
use super::card_type::ActivityId;
use super::member::MemberId;
use super::sale::PaymentMethod;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EventId(pub u64);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEvent {
    pub id: EventId,
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub at: DateTime<Utc>,
    /// Operator name from the configuration of the terminal that wrote the event.
    pub operator: String,
    /// Terminal name from the configuration.
    pub terminal: String,
    pub card_id: CardId,
    pub member_id: MemberId,
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    CardSold {
        sessions: u32,
        price_cents: i64,
    },
    SessionUsed {
        activity: Option<ActivityId>,
        /// The card's balance right after this session, for lists that show it.
        remaining_after: u32,
    },
    SessionReverted {
        reverted: EventId,
    },
    Adjusted {
        delta: i32,
        reason: String,
    },
    ExpiryChanged {
        #[serde(with = "super::compact::option_date")]
        from: Option<NaiveDate>,
        #[serde(with = "super::compact::option_date")]
        to: Option<NaiveDate>,
        reason: String,
    },
    Cancelled {
        reason: String,
        refund_cents: i64,
    },
    /// One payment line of a card's price. A `Due` line records an amount owed, which later
    /// `Paid` events of another method settle.
    Paid {
        method: PaymentMethod,
        amount_cents: i64,
    },
    /// Money given back after the sale, at most what was paid minus earlier refunds.
    Refunded {
        method: PaymentMethod,
        amount_cents: i64,
        reason: String,
    },
    /// A card brought from another tool by `carnet import`, with the sessions it had left
    /// there. It stands in for the sale, which happened before Carnet.
    Imported {
        sessions: u32,
        price_cents: i64,
    },
}

impl LedgerEvent {
    /// Returns how many sessions this event adds to its card (negative when it takes some).
    pub fn session_delta(&self) -> i64 {
        match &self.kind {
            EventKind::CardSold { sessions, .. } => i64::from(*sessions),
            EventKind::SessionUsed { .. } => -1,
            EventKind::SessionReverted { .. } => 1,
            EventKind::Adjusted { delta, .. } => i64::from(*delta),
            EventKind::Imported { sessions, .. } => i64::from(*sessions),
            EventKind::ExpiryChanged { .. }
            | EventKind::Cancelled { .. }
            | EventKind::Paid { .. }
            | EventKind::Refunded { .. } => 0,
        }
    }
}

/// Adds up the session deltas of a card's events.
pub fn balance_of<'a>(events: impl IntoIterator<Item = &'a LedgerEvent>) -> i64 {
    events.into_iter().map(LedgerEvent::session_delta).sum()
}
