//! Audit events: who changed a card type or an activity, when, and the record before and after.

use super::card_type::{Activity, ActivityId, CardType, CardTypeId};
use super::member::MemberId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditAction {
    Created,
    Updated,
    Archived,
    Restored,
    Deleted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditChange {
    CardType {
        id: CardTypeId,
        before: Option<CardType>,
        after: Option<CardType>,
    },
    Activity {
        id: ActivityId,
        before: Option<Activity>,
        after: Option<Activity>,
    },
    /// A member's personal details were erased; the record keeps no copy of them.
    MemberErased { id: MemberId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: u64,
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub at: DateTime<Utc>,
    pub operator: String,
    pub terminal: String,
    pub action: AuditAction,
    pub change: AuditChange,
}

impl AuditEvent {
    /// Returns the record's name after the change, or before it for a deletion.
    pub fn subject_name(&self) -> &str {
        match &self.change {
            AuditChange::CardType { before, after, .. } => after
                .as_ref()
                .or(before.as_ref())
                .map_or("", |t| t.name.as_str()),
            AuditChange::Activity { before, after, .. } => after
                .as_ref()
                .or(before.as_ref())
                .map_or("", |a| a.name.as_str()),
            AuditChange::MemberErased { .. } => "",
        }
    }
}
