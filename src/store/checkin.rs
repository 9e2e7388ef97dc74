//! The check-in transaction, its undo, and today's list.

use super::keys::{TreeName, id_key};
use super::ledger::append_event;
use super::members::not_found_member;
use super::tx::abort;
use super::{LastUse, Store, StoreError, WriteContext};
use crate::domain::MemberCode;
use crate::domain::card::Card;
use crate::domain::checkin::{CheckInDecision, CheckInRules, Refusal, decide};
use crate::domain::ledger::{EventId, EventKind, LedgerEvent};
use crate::domain::member::{Member, MemberId};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// The stored result of one scan.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckInOutcome {
    /// One session was deducted and is on stable storage.
    Accepted {
        member: Member,
        card: Card,
        event: LedgerEvent,
    },
    /// The repeat guard stopped a second deduction.
    AlreadyCheckedIn { member: Member, at: DateTime<Utc> },
    Refused {
        member: Option<Member>,
        refusal: Refusal,
    },
}

/// A row of today's check-ins.
#[derive(Debug, Clone, PartialEq)]
pub struct TodayCheckIn {
    pub event: LedgerEvent,
    pub member_name: String,
    pub card_name: String,
    pub remaining_after: u32,
    pub reverted: bool,
}

impl Store {
    /// Checks a member in: decides on the member's current cards and, when a card is charged,
    /// writes the new balance, the ledger event and the member's last visit in one transaction,
    /// durable before this returns.
    pub fn check_in(
        &self,
        code: &MemberCode,
        rules: &CheckInRules,
        context: &WriteContext,
    ) -> Result<CheckInOutcome, StoreError> {
        let Some(member_id) = self.member_id_by_code(code)? else {
            return Ok(CheckInOutcome::Refused {
                member: None,
                refusal: unknown_code(code),
            });
        };
        // Card ids only ever get added, so listing them before the transaction is safe; the
        // balances themselves are read inside it.
        let card_ids = self.card_ids_of_member(member_id)?;

        self.write(|tx| {
            let member: Member = tx
                .get(TreeName::Members, &id_key(member_id.0))?
                .ok_or_else(|| abort(not_found_member(member_id)))?;
            let mut cards = Vec::with_capacity(card_ids.len());
            for card_id in &card_ids {
                if let Some(card) = tx.get::<Card>(TreeName::Cards, &id_key(card_id.0))? {
                    cards.push(card);
                }
            }

            match decide(member.archived, &cards, member.last_visit, rules) {
                CheckInDecision::Charge(mut card) => {
                    card.sessions_remaining -= 1;
                    tx.put(TreeName::Cards, &id_key(card.id.0), &card)?;
                    let kind = EventKind::SessionUsed {
                        activity: rules.activity,
                        remaining_after: card.sessions_remaining,
                    };
                    let event = append_event(tx, &card, kind, context)?;
                    let last_use = LastUse {
                        at: event.at,
                        event: event.id,
                    };
                    tx.put(TreeName::CardLastUse, &id_key(card.id.0), &last_use)?;
                    let mut member = member;
                    member.last_visit = Some(context.now);
                    tx.put(TreeName::Members, &id_key(member.id.0), &member)?;
                    Ok(CheckInOutcome::Accepted {
                        member,
                        card,
                        event,
                    })
                }
                CheckInDecision::AlreadyCheckedIn { at } => {
                    Ok(CheckInOutcome::AlreadyCheckedIn { member, at })
                }
                CheckInDecision::Refuse(refusal) => Ok(CheckInOutcome::Refused {
                    member: Some(member),
                    refusal,
                }),
            }
        })
    }

    /// Gives back the session taken by check-in `event_id`, as a new ledger event.
    pub fn revert_check_in(
        &self,
        event_id: EventId,
        context: &WriteContext,
    ) -> Result<(Card, LedgerEvent), StoreError> {
        let original = self.event(event_id)?.ok_or_else(|| StoreError::NotFound {
            what: format!("check-in {}", event_id.0),
        })?;
        if !matches!(original.kind, EventKind::SessionUsed { .. }) {
            return Err(StoreError::NotFound {
                what: format!("check-in {}", event_id.0),
            });
        }
        let previous_visit = self.last_charge_before(original.member_id, event_id)?;
        let previous_use = self.last_use_before(original.card_id, event_id)?;

        self.write(|tx| {
            if tx
                .get::<EventId>(TreeName::Reversals, &id_key(event_id.0))?
                .is_some()
            {
                return Err(abort(StoreError::NothingToUndo));
            }
            let mut card: Card = tx
                .get(TreeName::Cards, &id_key(original.card_id.0))?
                .ok_or_else(|| {
                    abort(StoreError::NotFound {
                        what: format!("card {}", original.card_id.0),
                    })
                })?;
            card.sessions_remaining += 1;
            tx.put(TreeName::Cards, &id_key(card.id.0), &card)?;
            let reversal = append_event(
                tx,
                &card,
                EventKind::SessionReverted { reverted: event_id },
                context,
            )?;
            tx.put(TreeName::Reversals, &id_key(event_id.0), &reversal.id)?;

            let card_key = id_key(card.id.0);
            let last_use: Option<LastUse> = tx.get(TreeName::CardLastUse, &card_key)?;
            if last_use.is_some_and(|last| last.event == event_id) {
                match previous_use {
                    Some(previous) => tx.put(TreeName::CardLastUse, &card_key, &previous)?,
                    None => tx.remove(TreeName::CardLastUse, &card_key)?,
                }
            }

            // The ledger keeps microseconds and the member record nanoseconds, so compare
            // at the ledger's precision.
            let same_instant =
                |at: DateTime<Utc>| at.timestamp_micros() == original.at.timestamp_micros();
            if let Some(mut member) =
                tx.get::<Member>(TreeName::Members, &id_key(card.member_id.0))?
                && member.last_visit.is_some_and(same_instant)
            {
                member.last_visit = previous_visit;
                tx.put(TreeName::Members, &id_key(member.id.0), &member)?;
            }
            Ok((card, reversal))
        })
    }

    pub fn is_reverted(&self, event_id: EventId) -> Result<bool, StoreError> {
        self.tree(TreeName::Reversals)
            .contains_key(id_key(event_id.0))
            .map_err(|e| self.sled_error(e))
    }

    /// Check-ins since `since` (the start of the club's day), newest first.
    pub fn check_ins_since(&self, since: DateTime<Utc>) -> Result<Vec<TodayCheckIn>, StoreError> {
        self.check_ins_since_named(since, usize::MAX)
    }

    /// Check-ins since `since`, newest first, with member and card names for the newest
    /// `named` rows only; older rows have empty names. A screen shows a few dozen rows, and on a
    /// busy day looking up every name cost most of the app's start-up.
    pub fn check_ins_since_named(
        &self,
        since: DateTime<Utc>,
        named: usize,
    ) -> Result<Vec<TodayCheckIn>, StoreError> {
        let mut rows = Vec::new();
        let mut names: HashMap<MemberId, String> = HashMap::new();
        for event in self.ledger().rev() {
            let event = event?;
            if event.at < since {
                break;
            }
            let EventKind::SessionUsed {
                remaining_after, ..
            } = event.kind
            else {
                continue;
            };
            if rows.len() >= named {
                rows.push(TodayCheckIn {
                    reverted: self.is_reverted(event.id)?,
                    event,
                    member_name: String::new(),
                    card_name: String::new(),
                    remaining_after,
                });
                continue;
            }
            let member_name = match names.get(&event.member_id) {
                Some(name) => name.clone(),
                None => {
                    let name = self
                        .member(event.member_id)?
                        .map(|m| m.full_name())
                        .unwrap_or_default();
                    names.insert(event.member_id, name.clone());
                    name
                }
            };
            let card_name = self
                .card(event.card_id)?
                .map(|c| c.name)
                .unwrap_or_default();
            rows.push(TodayCheckIn {
                reverted: self.is_reverted(event.id)?,
                event,
                member_name,
                card_name,
                remaining_after,
            });
        }
        Ok(rows)
    }

    /// Returns the time of the member's latest check-in before `event_id` that was not reverted.
    fn last_charge_before(
        &self,
        member_id: MemberId,
        event_id: EventId,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut latest = None;
        for card_id in self.card_ids_of_member(member_id)? {
            for event in self.events_of_card(card_id)? {
                let is_charge = matches!(event.kind, EventKind::SessionUsed { .. });
                if is_charge && event.id < event_id && !self.is_reverted(event.id)? {
                    latest = latest.max(Some(event.at));
                }
            }
        }
        Ok(latest)
    }
}

fn unknown_code(code: &MemberCode) -> Refusal {
    if code.has_bad_check_digit() {
        Refusal::MisreadCode {
            code: code.to_string(),
        }
    } else {
        Refusal::UnknownCode {
            code: code.to_string(),
        }
    }
}
