//! Finance › Pricing: the card type list, the card type form, the activities panel and the
//! change history. State and its updates live here; drawing is in `pricing_view`.

use super::app::NavKey;
use super::fields::{edit_cursor, moved};
use super::keymap::Command;
use super::screen::{ScreenContext, ScreenState};
use crate::domain::card_type::{Activity, ActivityId, CardType, CardTypeId};
use crate::domain::pricing::{CardTypeInput, FieldErrors, validate};
use crate::i18n::Catalog;
use crate::messages;
use crate::store::{CardTypeUsage, PricingRefusal, Store, StoreError};
use chrono::NaiveDate;
use std::collections::HashMap;
use tui_input::{Input, InputRequest};

/// The text fields of the card type form, in Tab order; the activity checklist follows them.
pub const TEXT_FIELDS: usize = 5;
pub const FIELD_NAME: usize = 0;
pub const FIELD_PRICE: usize = 1;
pub const FIELD_SESSIONS: usize = 2;
pub const FIELD_VALIDITY: usize = 3;
pub const FIELD_AUDIENCE: usize = 4;
pub const FIELD_ACTIVITIES: usize = 5;

#[derive(Debug, Default)]
pub struct PricingState {
    /// Active types by name, then archived ones by name.
    pub types: Vec<CardType>,
    pub usage: HashMap<CardTypeId, CardTypeUsage>,
    pub activities: Vec<Activity>,
    pub show_archived: bool,
    /// Index into [`PricingState::visible`].
    pub selected: usize,
    pub mode: PricingMode,
    /// The outcome of the last action, already in the user's language.
    pub notice: Option<String>,
    /// Audit events, newest first, loaded when the history opens.
    pub history: Vec<crate::domain::audit::AuditEvent>,
}

#[derive(Debug, Default)]
pub enum PricingMode {
    #[default]
    List,
    Form(Box<CardTypeForm>),
    ConfirmDelete(CardTypeId),
    Activities(ActivitiesPanel),
    History {
        scroll: usize,
    },
}

#[derive(Debug)]
pub struct CardTypeForm {
    /// The type being edited; `None` for a new one.
    pub original: Option<CardType>,
    /// Cards sold of the type being edited.
    pub sold: usize,
    pub inputs: [Input; TEXT_FIELDS],
    /// Activities offered in the checklist: the active ones, and any the type already has.
    pub choices: Vec<(ActivityId, String)>,
    pub activities: Vec<ActivityId>,
    pub activity_cursor: usize,
    /// Audience labels already in use, offered while typing the audience.
    pub audiences: Vec<String>,
    pub focus: usize,
    pub errors: FieldErrors,
    /// Errors show once a save was attempted, so an empty new form is not all red.
    pub show_errors: bool,
    /// Set once the form has shown that sold cards keep their values; the next Enter saves.
    pub confirming: bool,
    /// A refusal from the store, such as a name taken meanwhile.
    pub refusal: Option<String>,
}

#[derive(Debug, Default)]
pub struct ActivitiesPanel {
    pub selected: usize,
    /// The name being typed: for a new activity (`None`) or a rename.
    pub editing: Option<(Option<ActivityId>, Input)>,
    pub confirm_delete: Option<ActivityId>,
}

impl PricingState {
    /// Shows the list (a form being filled stays open) with fresh data.
    pub fn open(&mut self, store: &Store, today: NaiveDate) -> Result<(), StoreError> {
        if !matches!(self.mode, PricingMode::Form(_)) {
            self.mode = PricingMode::List;
        }
        self.notice = None;
        self.reload(store, today)
    }

    /// Reloads card types, activities and the count of cards of each type.
    pub fn reload(&mut self, store: &Store, today: NaiveDate) -> Result<(), StoreError> {
        let mut types = store.card_types()?;
        types.sort_by(|a, b| {
            (a.archived, crate::domain::pricing::fold(&a.name))
                .cmp(&(b.archived, crate::domain::pricing::fold(&b.name)))
        });
        self.types = types;
        self.usage = store.card_type_usage(today)?;
        let mut activities = store.activities()?;
        activities.sort_by_key(|a| (a.archived, crate::domain::pricing::fold(&a.name)));
        self.activities = activities;
        self.selected = self.selected.min(self.visible().len().saturating_sub(1));
        Ok(())
    }

    /// Returns the card types the list shows, archived ones only on request.
    pub fn visible(&self) -> Vec<&CardType> {
        self.types
            .iter()
            .filter(|t| self.show_archived || !t.archived)
            .collect()
    }

    pub fn selected_type(&self) -> Option<&CardType> {
        self.visible().get(self.selected).copied()
    }

    /// Tells whether the list and its shortcuts are showing (no form or panel open).
    pub fn in_list(&self) -> bool {
        matches!(self.mode, PricingMode::List)
    }

    fn save_form(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        let PricingMode::Form(form) = &mut self.mode else {
            return Ok(());
        };
        let editing = form.original.as_ref().map(|t| t.id);
        let draft = match validate(&form.input(), &self.types, editing, context.today) {
            Ok(draft) => draft,
            Err(errors) => {
                form.errors = errors;
                form.show_errors = true;
                form.confirming = false;
                return Ok(());
            }
        };

        // Sold cards keep their snapshot: warn before a change that would differ from them.
        if let Some(original) = &form.original {
            let changes_sold_terms = original.price_cents != draft.price_cents
                || original.sessions != draft.sessions
                || original.validity != draft.validity;
            if form.sold > 0 && changes_sold_terms && !form.confirming {
                form.confirming = true;
                return Ok(());
            }
        }

        let saved = match editing {
            Some(id) => context.store.update_card_type(id, &draft, &context.write)?,
            None => context.store.create_card_type(&draft, &context.write)?,
        };
        match saved {
            Ok(card_type) => {
                let key = if editing.is_some() {
                    "pricing.saved"
                } else {
                    "pricing.created"
                };
                self.notice = Some(context.catalog.tf(key, &[("name", &card_type.name)]));
                self.mode = PricingMode::List;
                self.reload(context.store, context.today)?;
                self.select(card_type.id);
            }
            Err(refusal) => {
                form.refusal = Some(messages::pricing_refusal(context.catalog, &refusal));
                form.confirming = false;
            }
        }
        Ok(())
    }

    fn toggle_archived(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        let Some(card_type) = self.selected_type().cloned() else {
            return Ok(());
        };
        let archive = !card_type.archived;
        match context
            .store
            .set_card_type_archived(card_type.id, archive, &context.write)?
        {
            Ok(changed) => {
                let key = if archive {
                    "pricing.archived_notice"
                } else {
                    "pricing.restored_notice"
                };
                self.notice = Some(context.catalog.tf(key, &[("name", &changed.name)]));
            }
            Err(refusal) => {
                self.notice = Some(messages::pricing_refusal(context.catalog, &refusal))
            }
        }
        self.reload(context.store, context.today)?;
        if !self.show_archived && archive {
            self.selected = self.selected.min(self.visible().len().saturating_sub(1));
        } else {
            self.select(card_type.id);
        }
        Ok(())
    }

    fn ask_delete(&mut self, context: &ScreenContext) {
        let Some(card_type) = self.selected_type() else {
            return;
        };
        let sold = self.usage.get(&card_type.id).map_or(0, |u| u.sold);
        if sold > 0 {
            let refusal = PricingRefusal::CardTypeSold {
                name: card_type.name.clone(),
                sold,
            };
            self.notice = Some(messages::pricing_refusal(context.catalog, &refusal));
        } else {
            self.mode = PricingMode::ConfirmDelete(card_type.id);
        }
    }

    fn delete(&mut self, id: CardTypeId, context: &ScreenContext) -> Result<(), StoreError> {
        let name = self
            .types
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
            .unwrap_or_default();
        self.mode = PricingMode::List;
        match context.store.delete_card_type(id, &context.write)? {
            Ok(()) => {
                self.notice = Some(
                    context
                        .catalog
                        .tf("pricing.deleted_notice", &[("name", &name)]),
                )
            }
            Err(refusal) => {
                self.notice = Some(messages::pricing_refusal(context.catalog, &refusal))
            }
        }
        self.reload(context.store, context.today)
    }

    fn save_activity(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        let PricingMode::Activities(panel) = &mut self.mode else {
            return Ok(());
        };
        let Some((editing, input)) = &panel.editing else {
            // Enter on an activity starts renaming it.
            if let Some(activity) = self.activities.get(panel.selected) {
                panel.editing = Some((Some(activity.id), Input::new(activity.name.clone())));
            }
            return Ok(());
        };
        let name = input.value().trim().to_owned();
        if name.is_empty() {
            self.notice = Some(
                context
                    .catalog
                    .t("pricing.activity_name_missing")
                    .to_owned(),
            );
            return Ok(());
        }
        let saved = match editing {
            Some(id) => context.store.rename_activity(*id, &name, &context.write)?,
            None => context.store.create_activity(&name, &context.write)?,
        };
        match saved {
            Ok(activity) => {
                panel.editing = None;
                self.notice = Some(
                    context
                        .catalog
                        .tf("pricing.activity_saved", &[("name", &activity.name)]),
                );
                self.reload(context.store, context.today)?;
                if let (PricingMode::Activities(panel), Some(index)) = (
                    &mut self.mode,
                    self.activities.iter().position(|a| a.id == activity.id),
                ) {
                    panel.selected = index;
                }
            }
            Err(refusal) => {
                self.notice = Some(messages::pricing_refusal(context.catalog, &refusal))
            }
        }
        Ok(())
    }

    fn toggle_activity_archived(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        let PricingMode::Activities(panel) = &self.mode else {
            return Ok(());
        };
        let Some(activity) = self.activities.get(panel.selected).cloned() else {
            return Ok(());
        };
        let changed =
            context
                .store
                .set_activity_archived(activity.id, !activity.archived, &context.write)?;
        let key = if changed.archived {
            "pricing.activity_archived_notice"
        } else {
            "pricing.restored_notice"
        };
        self.notice = Some(context.catalog.tf(key, &[("name", &changed.name)]));
        self.reload(context.store, context.today)
    }

    /// Deletes the selected activity on the second Ctrl-D; the first one requests confirmation.
    fn delete_activity(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        let PricingMode::Activities(panel) = &mut self.mode else {
            return Ok(());
        };
        let Some(activity) = self.activities.get(panel.selected).cloned() else {
            return Ok(());
        };
        if panel.confirm_delete != Some(activity.id) {
            panel.confirm_delete = Some(activity.id);
            return Ok(());
        }
        panel.confirm_delete = None;
        match context.store.delete_activity(activity.id, &context.write)? {
            Ok(()) => {
                self.notice = Some(
                    context
                        .catalog
                        .tf("pricing.deleted_notice", &[("name", &activity.name)]),
                )
            }
            Err(refusal) => {
                self.notice = Some(messages::pricing_refusal(context.catalog, &refusal))
            }
        }
        self.reload(context.store, context.today)
    }

    fn choices(&self, current: &[ActivityId]) -> Vec<(ActivityId, String)> {
        self.activities
            .iter()
            .filter(|a| !a.archived || current.contains(&a.id))
            .map(|a| (a.id, a.name.clone()))
            .collect()
    }

    fn audiences(&self) -> Vec<String> {
        let mut labels: Vec<String> = self
            .types
            .iter()
            .map(|t| t.audience.clone())
            .filter(|a| !a.is_empty())
            .collect();
        labels.sort_by_key(|label| crate::domain::pricing::fold(label));
        labels.dedup_by_key(|label| crate::domain::pricing::fold(label));
        labels
    }

    fn select(&mut self, id: CardTypeId) {
        if let Some(index) = self.visible().iter().position(|t| t.id == id) {
            self.selected = index;
        }
    }
}

impl CardTypeForm {
    fn new(choices: Vec<(ActivityId, String)>, audiences: Vec<String>) -> Self {
        Self {
            original: None,
            sold: 0,
            inputs: Default::default(),
            choices,
            activities: Vec::new(),
            activity_cursor: 0,
            audiences,
            focus: FIELD_NAME,
            errors: FieldErrors::default(),
            show_errors: false,
            confirming: false,
            refusal: None,
        }
    }

    fn edit(
        card_type: &CardType,
        sold: usize,
        catalog: &Catalog,
        choices: Vec<(ActivityId, String)>,
        audiences: Vec<String>,
    ) -> Self {
        let mut form = Self::new(choices, audiences);
        form.inputs[FIELD_NAME] = Input::new(card_type.name.clone());
        form.inputs[FIELD_PRICE] =
            Input::new(messages::money_for_input(catalog, card_type.price_cents));
        form.inputs[FIELD_SESSIONS] = Input::new(card_type.sessions.to_string());
        form.inputs[FIELD_VALIDITY] =
            Input::new(messages::validity_for_input(catalog, card_type.validity));
        form.inputs[FIELD_AUDIENCE] = Input::new(card_type.audience.clone());
        form.activities = card_type.activities.clone();
        form.original = Some(card_type.clone());
        form.sold = sold;
        form
    }

    pub fn input(&self) -> CardTypeInput {
        CardTypeInput {
            name: self.inputs[FIELD_NAME].value().to_owned(),
            price: self.inputs[FIELD_PRICE].value().to_owned(),
            sessions: self.inputs[FIELD_SESSIONS].value().to_owned(),
            validity: self.inputs[FIELD_VALIDITY].value().to_owned(),
            audience: self.inputs[FIELD_AUDIENCE].value().to_owned(),
            activities: self.activities.clone(),
        }
    }

    fn insert(&mut self, c: char) {
        if self.focus < TEXT_FIELDS {
            self.inputs[self.focus].handle(InputRequest::InsertChar(c));
            self.after_edit();
        }
        // In the checklist, the space bar ticks the activity under the cursor.
        if self.focus == FIELD_ACTIVITIES && c == ' ' {
            self.toggle_activity();
        }
    }

    fn after_edit(&mut self) {
        self.confirming = false;
        self.refusal = None;
    }

    fn toggle_activity(&mut self) {
        let Some((id, _)) = self.choices.get(self.activity_cursor) else {
            return;
        };
        match self.activities.iter().position(|chosen| chosen == id) {
            Some(index) => {
                self.activities.remove(index);
            }
            None => self.activities.push(*id),
        }
        self.after_edit();
    }

    fn navigate(&mut self, key: NavKey) {
        match self.focus {
            FIELD_ACTIVITIES => {
                self.activity_cursor = moved(self.activity_cursor, self.choices.len(), key)
            }
            FIELD_AUDIENCE if matches!(key, NavKey::Up | NavKey::Down) => {
                self.cycle_audience(key == NavKey::Down)
            }
            field => edit_cursor(&mut self.inputs[field], key),
        }
    }

    /// Audience labels that start like the typed text, ignoring case and accents.
    pub fn audience_suggestions(&self) -> Vec<&str> {
        let typed = crate::domain::pricing::fold(self.inputs[FIELD_AUDIENCE].value());
        self.audiences
            .iter()
            .filter(|label| {
                crate::domain::pricing::fold(label).starts_with(&typed) || typed.is_empty()
            })
            .map(String::as_str)
            .collect()
    }

    /// Up and Down put the previous or next existing label in the audience field.
    fn cycle_audience(&mut self, forward: bool) {
        if self.audiences.is_empty() {
            return;
        }
        let current = self
            .audiences
            .iter()
            .position(|label| label == self.inputs[FIELD_AUDIENCE].value());
        let count = self.audiences.len();
        let next = match (current, forward) {
            (None, _) => 0,
            (Some(index), true) => (index + 1) % count,
            (Some(index), false) => (index + count - 1) % count,
        };
        self.inputs[FIELD_AUDIENCE] = Input::new(self.audiences[next].clone());
        self.after_edit();
    }
}

impl ScreenState for PricingState {
    fn takes_text(&self) -> bool {
        match &self.mode {
            PricingMode::Form(_) => true,
            PricingMode::Activities(panel) => panel.editing.is_some(),
            _ => false,
        }
    }

    fn insert(&mut self, c: char) {
        match &mut self.mode {
            PricingMode::Form(form) => form.insert(c),
            PricingMode::Activities(ActivitiesPanel {
                editing: Some((_, input)),
                ..
            }) => {
                input.handle(InputRequest::InsertChar(c));
            }
            _ => {}
        }
    }

    fn delete_back(&mut self) {
        match &mut self.mode {
            PricingMode::Form(form) if form.focus < TEXT_FIELDS => {
                form.inputs[form.focus].handle(InputRequest::DeletePrevChar);
                form.after_edit();
            }
            PricingMode::Activities(ActivitiesPanel {
                editing: Some((_, input)),
                ..
            }) => {
                input.handle(InputRequest::DeletePrevChar);
            }
            _ => {}
        }
    }

    fn tab(&mut self, forward: bool) {
        if let PricingMode::Form(form) = &mut self.mode {
            let fields = TEXT_FIELDS + 1;
            form.focus = if forward {
                (form.focus + 1) % fields
            } else {
                (form.focus + fields - 1) % fields
            };
        }
    }

    fn navigate(&mut self, key: NavKey) {
        match &mut self.mode {
            PricingMode::List => {
                let count = self.visible().len();
                self.selected = moved(self.selected, count, key);
            }
            PricingMode::Form(form) => form.navigate(key),
            PricingMode::Activities(panel) if panel.editing.is_none() => {
                panel.selected = moved(panel.selected, self.activities.len(), key);
            }
            PricingMode::Activities(ActivitiesPanel {
                editing: Some((_, input)),
                ..
            }) => {
                edit_cursor(input, key);
            }
            PricingMode::History { scroll } => *scroll = moved(*scroll, usize::MAX, key),
            _ => {}
        }
    }

    fn cancel(&mut self) -> bool {
        match &mut self.mode {
            PricingMode::List => false,
            PricingMode::Form(form) if form.confirming => {
                form.confirming = false;
                true
            }
            PricingMode::Activities(panel)
                if panel.editing.is_some() || panel.confirm_delete.is_some() =>
            {
                panel.editing = None;
                panel.confirm_delete = None;
                true
            }
            _ => {
                self.mode = PricingMode::List;
                true
            }
        }
    }

    fn submit(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        match &mut self.mode {
            PricingMode::List => {
                if let Some(card_type) = self.selected_type().cloned() {
                    let sold = self.usage.get(&card_type.id).map_or(0, |u| u.sold);
                    let form = CardTypeForm::edit(
                        &card_type,
                        sold,
                        context.catalog,
                        self.choices(&card_type.activities),
                        self.audiences(),
                    );
                    self.mode = PricingMode::Form(Box::new(form));
                }
                Ok(())
            }
            PricingMode::Form(_) => self.save_form(context),
            PricingMode::Activities(_) => self.save_activity(context),
            _ => Ok(()),
        }
    }

    fn command(&mut self, command: Command, context: &ScreenContext) -> Result<(), StoreError> {
        self.notice = None;
        match (command, &self.mode) {
            (Command::New, PricingMode::List) => {
                self.mode = PricingMode::Form(Box::new(CardTypeForm::new(
                    self.choices(&[]),
                    self.audiences(),
                )));
            }
            (Command::New, PricingMode::Activities(_)) => {
                if let PricingMode::Activities(panel) = &mut self.mode {
                    panel.editing = Some((None, Input::default()));
                }
            }
            (Command::Archive, PricingMode::List) => self.toggle_archived(context)?,
            (Command::Archive, PricingMode::Activities(_)) => {
                self.toggle_activity_archived(context)?
            }
            (Command::Delete, PricingMode::List) => self.ask_delete(context),
            (Command::Delete, PricingMode::ConfirmDelete(id)) => {
                let id = *id;
                self.delete(id, context)?;
            }
            (Command::Delete, PricingMode::Activities(_)) => self.delete_activity(context)?,
            (Command::ShowArchived, PricingMode::List) => {
                self.show_archived = !self.show_archived;
                self.selected = 0;
            }
            (Command::Activities, PricingMode::List) => {
                self.mode = PricingMode::Activities(ActivitiesPanel::default())
            }
            (Command::History, PricingMode::List) => {
                self.history = context.store.audit_events()?;
                self.mode = PricingMode::History { scroll: 0 };
            }
            _ => {}
        }
        Ok(())
    }
}
