//! Sold cards. A card keeps a snapshot of its type as sold: editing the type later never
//! changes a card already in a member's hands.

use super::card_type::{ActivityId, CardTypeId};
use super::member::MemberId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CardId(pub u64);

/// The state the ledger gave a card, apart from its balance and dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardState {
    Open,
    Cancelled,
    Refunded,
}

/// The status shown to people, derived from the state, the balance and today's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardStatus {
    Active,
    UsedUp,
    Expired,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub id: CardId,
    pub member_id: MemberId,
    pub type_id: CardTypeId,
    /// Name of the card type at the time of sale.
    pub name: String,
    /// Price paid, in cents, at the time of sale.
    pub price_cents: i64,
    /// Sessions included at the time of sale.
    pub sessions_total: u32,
    #[serde(with = "super::compact::date")]
    pub sold_on: NaiveDate,
    /// Last valid day, in the club's time zone; `None` for a card that never expires.
    #[serde(with = "super::compact::option_date")]
    pub expires_on: Option<NaiveDate>,
    /// Activities the card is valid for; empty means every activity.
    pub activities: Vec<ActivityId>,
    pub sessions_remaining: u32,
    pub state: CardState,
}

impl Card {
    pub fn status(&self, today: NaiveDate) -> CardStatus {
        if self.state != CardState::Open {
            CardStatus::Cancelled
        } else if self.is_expired(today) {
            CardStatus::Expired
        } else if self.sessions_remaining == 0 {
            CardStatus::UsedUp
        } else {
            CardStatus::Active
        }
    }

    /// Tells whether the card has expired; a card is valid through the whole of its expiry date.
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        self.expires_on.is_some_and(|last_day| today > last_day)
    }

    pub fn covers(&self, activity: Option<ActivityId>) -> bool {
        match activity {
            None => true,
            Some(activity) => self.activities.is_empty() || self.activities.contains(&activity),
        }
    }
}
