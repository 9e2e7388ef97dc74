//! Card types and activities (Finance › Pricing), each change with an audit event.

use super::keys::{TreeName, id_key, meta, second_of_pair};
use super::tx::{TxResult, TxView, abort};
use super::{Store, StoreError, WriteContext};
use crate::domain::audit::{AuditAction, AuditChange, AuditEvent};
use crate::domain::card::{CardId, CardStatus};
use crate::domain::card_type::{Activity, ActivityId, CardType, CardTypeId};
use crate::domain::member::normalize_name;
use crate::domain::pricing::{CardTypeDraft, fold};
use chrono::NaiveDate;

/// The reason a pricing change was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PricingRefusal {
    /// Another active card type or activity has this name once case and accents are ignored.
    NameTaken { name: String },
    /// A card type that was sold can only be archived.
    CardTypeSold { name: String, sold: usize },
    /// An activity that a card type or a sold card uses cannot be deleted.
    ActivityInUse { name: String },
}

/// How many cards of a type exist and are active today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CardTypeUsage {
    pub sold: usize,
    pub active: usize,
}

impl Store {
    pub fn create_card_type(
        &self,
        draft: &CardTypeDraft,
        context: &WriteContext,
    ) -> Result<Result<CardType, PricingRefusal>, StoreError> {
        if let Some(refusal) = self.card_type_name_taken(&draft.name, None)? {
            return Ok(Err(refusal));
        }
        let created = self.write(|tx| {
            let id = CardTypeId(tx.next_id(meta::SEQ_CARD_TYPE)?);
            let card_type = card_type_from(id, draft, false);
            tx.put(TreeName::CardTypes, &id_key(id.0), &card_type)?;
            audit(
                tx,
                context,
                AuditAction::Created,
                AuditChange::CardType {
                    id,
                    before: None,
                    after: Some(card_type.clone()),
                },
            )?;
            Ok(card_type)
        })?;
        tracing::info!(card_type = created.id.0, "card type created");
        Ok(Ok(created))
    }

    /// Changes a card type. Cards already sold keep their own snapshot of the old values.
    pub fn update_card_type(
        &self,
        id: CardTypeId,
        draft: &CardTypeDraft,
        context: &WriteContext,
    ) -> Result<Result<CardType, PricingRefusal>, StoreError> {
        if let Some(refusal) = self.card_type_name_taken(&draft.name, Some(id))? {
            return Ok(Err(refusal));
        }
        let updated = self.write(|tx| {
            let before: CardType = tx
                .get(TreeName::CardTypes, &id_key(id.0))?
                .ok_or_else(|| abort(not_found_type(id)))?;
            let after = card_type_from(id, draft, before.archived);
            tx.put(TreeName::CardTypes, &id_key(id.0), &after)?;
            audit(
                tx,
                context,
                AuditAction::Updated,
                AuditChange::CardType {
                    id,
                    before: Some(before),
                    after: Some(after.clone()),
                },
            )?;
            Ok(after)
        })?;
        tracing::info!(card_type = id.0, "card type updated");
        Ok(Ok(updated))
    }

    /// Archives a card type (it leaves the sale list, its cards keep working) or restores it.
    pub fn set_card_type_archived(
        &self,
        id: CardTypeId,
        archived: bool,
        context: &WriteContext,
    ) -> Result<Result<CardType, PricingRefusal>, StoreError> {
        if !archived {
            let Some(card_type) = self.card_type(id)? else {
                return Err(not_found_type(id));
            };
            if let Some(refusal) = self.card_type_name_taken(&card_type.name, Some(id))? {
                return Ok(Err(refusal));
            }
        }
        let action = if archived {
            AuditAction::Archived
        } else {
            AuditAction::Restored
        };
        let changed = self.write(|tx| {
            let before: CardType = tx
                .get(TreeName::CardTypes, &id_key(id.0))?
                .ok_or_else(|| abort(not_found_type(id)))?;
            let after = CardType {
                archived,
                ..before.clone()
            };
            tx.put(TreeName::CardTypes, &id_key(id.0), &after)?;
            audit(
                tx,
                context,
                action,
                AuditChange::CardType {
                    id,
                    before: Some(before),
                    after: Some(after.clone()),
                },
            )?;
            Ok(after)
        })?;
        Ok(Ok(changed))
    }

    /// Deletes a card type that was never sold.
    pub fn delete_card_type(
        &self,
        id: CardTypeId,
        context: &WriteContext,
    ) -> Result<Result<(), PricingRefusal>, StoreError> {
        let card_type = self.card_type(id)?.ok_or_else(|| not_found_type(id))?;
        let sold = self.card_ids_of_type(id)?.len();
        if sold > 0 {
            return Ok(Err(PricingRefusal::CardTypeSold {
                name: card_type.name,
                sold,
            }));
        }
        // NOTE: the sold check runs outside the transaction, because a transaction cannot scan
        // an index. Sales and deletions both run on the app's one thread, so none slips in between.
        self.write(|tx| {
            let before: CardType = tx
                .get(TreeName::CardTypes, &id_key(id.0))?
                .ok_or_else(|| abort(not_found_type(id)))?;
            tx.remove(TreeName::CardTypes, &id_key(id.0))?;
            audit(
                tx,
                context,
                AuditAction::Deleted,
                AuditChange::CardType {
                    id,
                    before: Some(before),
                    after: None,
                },
            )
        })?;
        tracing::info!(card_type = id.0, "card type deleted");
        Ok(Ok(()))
    }

    pub fn card_ids_of_type(&self, id: CardTypeId) -> Result<Vec<CardId>, StoreError> {
        let mut ids = Vec::new();
        for entry in self.tree(TreeName::TypeCards).scan_prefix(id_key(id.0)) {
            let (key, _) = entry.map_err(|e| self.sled_error(e))?;
            if let Some(card) = second_of_pair(&key) {
                ids.push(CardId(card));
            }
        }
        Ok(ids)
    }

    /// Counts sold and active cards of every type in one pass over the cards.
    pub fn card_type_usage(
        &self,
        today: NaiveDate,
    ) -> Result<std::collections::HashMap<CardTypeId, CardTypeUsage>, StoreError> {
        let mut usage: std::collections::HashMap<CardTypeId, CardTypeUsage> =
            std::collections::HashMap::new();
        for card in self.cards() {
            let card = card?;
            let entry = usage.entry(card.type_id).or_default();
            entry.sold += 1;
            if card.status(today) == CardStatus::Active {
                entry.active += 1;
            }
        }
        Ok(usage)
    }

    pub fn create_activity(
        &self,
        name: &str,
        context: &WriteContext,
    ) -> Result<Result<Activity, PricingRefusal>, StoreError> {
        let name = normalize_name(name);
        if let Some(refusal) = self.activity_name_taken(&name, None)? {
            return Ok(Err(refusal));
        }
        let activity = self.write(|tx| {
            let id = ActivityId(tx.next_id(meta::SEQ_ACTIVITY)?);
            let activity = Activity {
                id,
                name: name.clone(),
                archived: false,
            };
            tx.put(TreeName::Activities, &id_key(id.0), &activity)?;
            audit(
                tx,
                context,
                AuditAction::Created,
                AuditChange::Activity {
                    id,
                    before: None,
                    after: Some(activity.clone()),
                },
            )?;
            Ok(activity)
        })?;
        Ok(Ok(activity))
    }

    /// Renames an activity; cards and card types refer to it by id, so the new name shows
    /// everywhere at once.
    pub fn rename_activity(
        &self,
        id: ActivityId,
        name: &str,
        context: &WriteContext,
    ) -> Result<Result<Activity, PricingRefusal>, StoreError> {
        let name = normalize_name(name);
        if let Some(refusal) = self.activity_name_taken(&name, Some(id))? {
            return Ok(Err(refusal));
        }
        self.change_activity(id, AuditAction::Updated, context, |activity| {
            activity.name = name.clone()
        })
        .map(Ok)
    }

    pub fn set_activity_archived(
        &self,
        id: ActivityId,
        archived: bool,
        context: &WriteContext,
    ) -> Result<Activity, StoreError> {
        let action = if archived {
            AuditAction::Archived
        } else {
            AuditAction::Restored
        };
        self.change_activity(id, action, context, |activity| activity.archived = archived)
    }

    /// Deletes an activity that no card type and no sold card uses.
    pub fn delete_activity(
        &self,
        id: ActivityId,
        context: &WriteContext,
    ) -> Result<Result<(), PricingRefusal>, StoreError> {
        let activity = self.activity(id)?.ok_or_else(|| not_found_activity(id))?;
        let used_by_type = self
            .card_types()?
            .iter()
            .any(|t| t.activities.contains(&id));
        let used_by_card = || -> Result<bool, StoreError> {
            for card in self.cards() {
                if card?.activities.contains(&id) {
                    return Ok(true);
                }
            }
            Ok(false)
        };
        if used_by_type || used_by_card()? {
            return Ok(Err(PricingRefusal::ActivityInUse {
                name: activity.name,
            }));
        }
        self.write(|tx| {
            let before: Activity = tx
                .get(TreeName::Activities, &id_key(id.0))?
                .ok_or_else(|| abort(not_found_activity(id)))?;
            tx.remove(TreeName::Activities, &id_key(id.0))?;
            audit(
                tx,
                context,
                AuditAction::Deleted,
                AuditChange::Activity {
                    id,
                    before: Some(before),
                    after: None,
                },
            )
        })?;
        Ok(Ok(()))
    }

    pub fn activity(&self, id: ActivityId) -> Result<Option<Activity>, StoreError> {
        self.read(TreeName::Activities, &id_key(id.0))
    }

    /// Returns every audit event about card types and activities, newest first.
    pub fn audit_events(&self) -> Result<Vec<AuditEvent>, StoreError> {
        let mut events = Vec::new();
        for event in self.read_all::<AuditEvent>(TreeName::Audit) {
            let event = event?;
            if !matches!(event.change, AuditChange::MemberErased { .. }) {
                events.push(event);
            }
        }
        events.reverse();
        Ok(events)
    }

    fn change_activity(
        &self,
        id: ActivityId,
        action: AuditAction,
        context: &WriteContext,
        change: impl Fn(&mut Activity),
    ) -> Result<Activity, StoreError> {
        self.write(|tx| {
            let before: Activity = tx
                .get(TreeName::Activities, &id_key(id.0))?
                .ok_or_else(|| abort(not_found_activity(id)))?;
            let mut after = before.clone();
            change(&mut after);
            tx.put(TreeName::Activities, &id_key(id.0), &after)?;
            audit(
                tx,
                context,
                action,
                AuditChange::Activity {
                    id,
                    before: Some(before),
                    after: Some(after.clone()),
                },
            )?;
            Ok(after)
        })
    }

    fn card_type_name_taken(
        &self,
        name: &str,
        editing: Option<CardTypeId>,
    ) -> Result<Option<PricingRefusal>, StoreError> {
        let folded = fold(name);
        Ok(self
            .card_types()?
            .into_iter()
            .find(|other| {
                !other.archived && Some(other.id) != editing && fold(&other.name) == folded
            })
            .map(|other| PricingRefusal::NameTaken { name: other.name }))
    }

    fn activity_name_taken(
        &self,
        name: &str,
        editing: Option<ActivityId>,
    ) -> Result<Option<PricingRefusal>, StoreError> {
        let folded = fold(name);
        Ok(self
            .activities()?
            .into_iter()
            .find(|other| {
                !other.archived && Some(other.id) != editing && fold(&other.name) == folded
            })
            .map(|other| PricingRefusal::NameTaken { name: other.name }))
    }
}

fn card_type_from(id: CardTypeId, draft: &CardTypeDraft, archived: bool) -> CardType {
    CardType {
        id,
        name: draft.name.clone(),
        price_cents: draft.price_cents,
        sessions: draft.sessions,
        validity: draft.validity,
        audience: draft.audience.clone(),
        activities: draft.activities.clone(),
        archived,
    }
}

fn audit(
    tx: &TxView,
    context: &WriteContext,
    action: AuditAction,
    change: AuditChange,
) -> TxResult<()> {
    let id = tx.next_id(meta::SEQ_AUDIT)?;
    let event = AuditEvent {
        id,
        at: context.now,
        operator: context.operator.clone(),
        terminal: context.terminal.clone(),
        action,
        change,
    };
    tx.put(TreeName::Audit, &id_key(id), &event)
}

fn not_found_type(id: CardTypeId) -> StoreError {
    StoreError::NotFound {
        what: format!("card type {}", id.0),
    }
}

fn not_found_activity(id: ActivityId) -> StoreError {
    StoreError::NotFound {
        what: format!("activity {}", id.0),
    }
}
