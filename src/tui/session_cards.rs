//! Practice › Session cards: every card of the club with its filter bar, sorts and search,
//! and the members to inform. State and its updates live here; drawing is in
//! `session_cards_view`.

use super::app::NavKey;
use super::fields::{edit_cursor, moved};
use super::keymap::Command;
use super::screen::{ScreenContext, ScreenState};
use crate::domain::card::CardId;
use crate::domain::inform::{Channel, Contact, ToInform, contact_reasons, to_inform};
use crate::domain::member::MemberId;
use crate::domain::overview::{Column, Filter, Overview, Sort, Thresholds};
use crate::search::SearchIndex;
use crate::session_cards::{self, EmailSettings, View};
use crate::store::{NewContact, StoreError};
use chrono::NaiveDate;
use std::cell::Cell;
use std::collections::HashMap;
use tui_input::{Input, InputRequest};

/// The fields of the thresholds dialog, in Tab order.
pub const THRESHOLD_FIELDS: usize = 3;

/// Most days or sessions a threshold takes on screen, as in config.toml.
const MAX_DAYS: u32 = 3650;
const MAX_SESSIONS: u32 = 1000;

#[derive(Default)]
pub struct SessionCardsState {
    /// Every card, loaded when the screen opens.
    pub overview: Overview,
    pub query: Input,
    pub filter: Filter,
    pub sort: Sort,
    pub thresholds: Thresholds,
    /// Rows shown, as indices into the overview's rows, in order.
    pub shown: Vec<u32>,
    pub selected: usize,
    /// First row drawn; the view keeps the selection inside the window.
    pub offset: Cell<usize>,
    /// The query or the filter changed; the rows are recomputed once queued keys are applied.
    dirty: bool,
    /// The sorted column changed; the rows are sorted again once queued keys are applied.
    pending_sort: bool,
    /// The cards, thresholds or contacts changed; the members to inform are listed again.
    inform_dirty: bool,
    /// The store's write count when the cards were loaded; `None` before the first open and
    /// after [`SessionCardsState::release`].
    loaded_generation: Option<u64>,
    /// The thresholds were taken from the settings at the first open; staff may have changed
    /// them on screen since.
    thresholds_set: bool,
    /// The card to select once the rows are recomputed after the screen opens.
    pending_selection: Option<CardId>,
    pub mode: CardsMode,
    pub inform: Vec<ToInform>,
    pub inform_selected: usize,
    pub inform_offset: Cell<usize>,
    last_contacts: HashMap<MemberId, Contact>,
    pub dialog: Option<CardsDialog>,
    /// The outcome of the last action, already in the user's language.
    pub notice: Option<String>,
    /// The search matched no owner as typed, so the cards shown are of close spellings.
    pub search_close_only: bool,
    /// The owner and card to open after Enter, for the app to show.
    pub open_request: Option<(MemberId, CardId)>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CardsMode {
    #[default]
    Cards,
    ToInform,
}

#[derive(Debug)]
pub enum CardsDialog {
    Thresholds(Box<ThresholdsForm>),
    Mark(MarkForm),
}

/// The three N of the filters, typed on screen.
#[derive(Debug)]
pub struct ThresholdsForm {
    pub inputs: [Input; THRESHOLD_FIELDS],
    pub focus: usize,
    pub errors: [Option<String>; THRESHOLD_FIELDS],
}

/// Marking a member as informed: how, and a note. The member is kept by id and name, since the
/// cards may be let go and read again while the dialog waits on its screen.
#[derive(Debug)]
pub struct MarkForm {
    pub member: MemberId,
    pub name: String,
    pub channel: Channel,
    pub note: Input,
}

impl SessionCardsState {
    /// Loads every card and the contacts, unless nothing was written since they were loaded,
    /// and shows the cards again as they were. Owners sort in the member search's name order.
    // TODO: any write since the last load, such as a check-in at the front desk, makes the
    // next open read every card again (0.7 to 0.8 s for 200,000 cards with a 12 MiB cache).
    // Reading only the ledger events since the last load would refresh just the cards they
    // touched. That helps only while the cards are kept, as when a profile opened from this
    // screen is shown.
    pub fn open(&mut self, context: &ScreenContext, index: &SearchIndex) -> Result<(), StoreError> {
        self.notice = None;
        let generation = context.store.generation();
        if self.loaded_generation == Some(generation) {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let selected_card = self.selected_card().or(self.pending_selection);
        self.overview = context.store.overview(&context.settings.club_time)?;
        self.overview.rank_owners(|member| index.name_rank(member));
        self.loaded_generation = Some(generation);
        self.last_contacts = context.store.last_contacts()?;
        if !self.thresholds_set {
            self.thresholds = context.settings.thresholds;
            self.thresholds_set = true;
        }
        self.dirty = true;
        self.inform_dirty = true;
        self.pending_selection = selected_card;
        tracing::info!(
            cards = self.overview.rows.len(),
            millis = started.elapsed().as_millis() as u64,
            "session cards loaded"
        );
        Ok(())
    }

    /// Drops the cards and the members to inform when staff leave the screen, so that the
    /// app never keeps them beside another manager screen's data. The filter, sort, search,
    /// selected card and an open dialog stay for the next open, which loads the cards again.
    pub fn release(&mut self) {
        if self.loaded_generation.is_none() {
            return;
        }
        self.pending_selection = self.selected_card().or(self.pending_selection);
        self.overview = Overview::default();
        self.shown = Vec::new();
        self.inform = Vec::new();
        self.last_contacts = HashMap::new();
        self.loaded_generation = None;
    }

    fn selected_card(&self) -> Option<CardId> {
        let index = *self.shown.get(self.selected)?;
        Some(self.overview.rows[index as usize].card_id)
    }

    /// Recomputes the rows if the query, filter or thresholds changed, once the queued keys
    /// have been applied. The member search is the one of the Members screen.
    pub fn settle(&mut self, index: &SearchIndex, today: NaiveDate) {
        let resort = std::mem::take(&mut self.pending_sort);
        if !std::mem::take(&mut self.dirty) {
            if resort {
                self.resort(today);
            }
            self.refresh_inform(today);
            return;
        }
        // A new filter or search starts at the top; reopening the screen keeps the card.
        let keep = self.pending_selection.take();
        self.selected = 0;
        let owners = self.matching_owners(index);
        self.search_close_only = owners.as_ref().is_some_and(|(_, close)| *close);
        self.shown = self.overview.view(
            self.filter,
            owners.as_ref().map(|(wanted, _)| wanted.as_slice()),
            self.sort,
            today,
            &self.thresholds,
        );
        self.select_card(keep);
        self.refresh_inform(today);
    }

    /// Lists the members to inform again if the cards, thresholds or contacts changed, once
    /// staff show the list. It does not depend on the search or the filter, so typing skips
    /// it. It waits for Ctrl-W because on a large club it contains tens of thousands of
    /// members.
    fn refresh_inform(&mut self, today: NaiveDate) {
        if self.mode != CardsMode::ToInform || !self.inform_dirty {
            return;
        }
        self.inform_dirty = false;
        self.inform = to_inform(&self.overview, today, &self.thresholds, &self.last_contacts);
        self.inform_selected = self
            .inform_selected
            .min(self.inform.len().saturating_sub(1));
    }

    /// Returns a flag per owner when a search is typed, whether the member search finds them,
    /// and whether only close spellings were found.
    fn matching_owners(&self, index: &SearchIndex) -> Option<(Vec<bool>, bool)> {
        let query = self.query.value();
        if query.trim().is_empty() {
            return None;
        }
        let matching = index.matching(query, true);
        let mut wanted = vec![false; self.overview.owners.len()];
        for member in matching.members {
            if let Some(slot) = self.overview.owners.find(member) {
                wanted[slot] = true;
            }
        }
        Some((wanted, matching.close_only))
    }

    /// Selects `card` if it is shown, else keeps the place in the table.
    fn select_card(&mut self, card: Option<CardId>) {
        let found = card.and_then(|card| {
            self.shown
                .iter()
                .position(|&index| self.overview.rows[index as usize].card_id == card)
        });
        self.selected = found.unwrap_or(self.selected);
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    /// Sorts the rows again and goes to the top, where the new order starts.
    fn resort(&mut self, today: NaiveDate) {
        let mut shown = std::mem::take(&mut self.shown);
        self.overview.sort(&mut shown, self.sort, today);
        self.shown = shown;
        self.selected = 0;
    }

    /// Returns the view shown, for drawing and exporting.
    pub fn view(&self, today: NaiveDate) -> View<'_> {
        View {
            overview: &self.overview,
            shown: &self.shown,
            filter: self.filter,
            sort: self.sort,
            today,
            thresholds: &self.thresholds,
        }
    }

    fn export(&mut self, context: &ScreenContext) {
        let catalog = context.catalog;
        let zone = context.settings.club_time.zone;
        let now = context.write.now.with_timezone(&zone);
        let folder = &context.settings.export_folder;
        let (stem, count) = match self.mode {
            CardsMode::Cards => ("cards", self.shown.len()),
            CardsMode::ToInform => ("to-inform", self.inform.len()),
        };
        let path = folder.join(session_cards::export_file_name(stem, now));
        let mut bytes = Vec::new();
        let written = match self.mode {
            CardsMode::Cards => {
                session_cards::write_view_csv(&mut bytes, catalog, &self.view(context.today))
            }
            CardsMode::ToInform => {
                session_cards::write_inform_csv(&mut bytes, catalog, &self.overview, &self.inform)
            }
        }
        .and_then(|()| crate::print::create_private_folder(folder))
        .and_then(|()| crate::print::write_private_file(&path, &bytes));
        self.notice = Some(match written {
            Ok(()) => catalog.tf(
                "cards.exported",
                &[("count", &count), ("path", &path.display())],
            ),
            Err(error) => catalog.tf(
                "cards.export_failed",
                &[("path", &path.display()), ("error", &error)],
            ),
        });
    }

    fn write_emails(&mut self, context: &ScreenContext) {
        let catalog = context.catalog;
        let settings = context.settings;
        let zone = settings.club_time.zone;
        let stamp = context
            .write
            .now
            .with_timezone(&zone)
            .format("%Y-%m-%d-%H%M%S");
        let folder = settings.export_folder.join(format!("emails-{stamp}"));
        let email_settings = EmailSettings {
            from: &settings.inform_from,
            club_name: &settings.club_name,
            templates: settings.inform_templates.as_deref(),
            language: settings.language,
            now: context.write.now,
        };
        let result =
            session_cards::write_emails(&folder, &self.overview, &self.inform, &email_settings);
        self.notice = Some(match result {
            Ok(report) if report.without_email.is_empty() => catalog.tf(
                "inform.emails_written",
                &[("count", &report.written), ("folder", &folder.display())],
            ),
            Ok(report) => catalog.tf(
                "inform.emails_written_some",
                &[
                    ("count", &report.written),
                    ("folder", &folder.display()),
                    ("missing", &report.without_email.len()),
                    ("names", &report.without_email.join(", ")),
                ],
            ),
            Err(error) => crate::messages::email_error(catalog, &error),
        });
    }

    fn save_mark(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        let Some(CardsDialog::Mark(form)) = &self.dialog else {
            return Ok(());
        };
        let Some(entry) = self.inform_entry(form.member) else {
            self.dialog = None;
            return Ok(());
        };
        let owner = self.overview.owners.get(entry.owner as usize);
        let contact = NewContact {
            member_id: owner.member_id,
            channel: form.channel,
            note: form.note.value().trim().to_owned(),
            reasons: contact_reasons(&entry.reasons, self.last_contacts.get(&owner.member_id)),
        };
        let loaded_before = self.loaded_generation == Some(context.store.generation());
        let stored = context.store.record_contact(&contact, &context.write)?;
        // The contact is applied to the cards in memory below, so this write alone is no reason
        // to read every card again when the screen opens next.
        if loaded_before {
            self.loaded_generation = Some(context.store.generation());
        }
        self.notice = Some(context.catalog.tf(
            "inform.marked",
            &[
                ("name", &owner.name()),
                ("channel", &context.catalog.t(channel_key(stored.channel))),
            ],
        ));
        tracing::info!(member = owner.member_id.0, "member marked as informed");
        self.last_contacts.insert(stored.member_id, stored);
        self.dialog = None;
        // The table is computed again for the new contact, on the card that was selected.
        self.pending_selection = self.selected_card();
        self.dirty = true;
        self.inform_dirty = true;
        Ok(())
    }

    fn apply_thresholds(&mut self, catalog: &crate::i18n::Catalog) {
        let Some(CardsDialog::Thresholds(form)) = &mut self.dialog else {
            return;
        };
        let limits = [MAX_DAYS, MAX_SESSIONS, MAX_DAYS];
        let mut values = [0u32; THRESHOLD_FIELDS];
        let mut valid = true;
        for field in 0..THRESHOLD_FIELDS {
            let text = form.inputs[field].value().trim();
            match text.parse::<u32>() {
                Ok(value) if value <= limits[field] => {
                    values[field] = value;
                    form.errors[field] = None;
                }
                _ => {
                    valid = false;
                    form.errors[field] = Some(catalog.tf(
                        "cards.threshold_error",
                        &[("text", &text), ("max", &limits[field])],
                    ));
                }
            }
        }
        if !valid {
            return;
        }
        self.thresholds = Thresholds {
            expiring_days: values[0],
            low_sessions: values[1],
            dormant_days: values[2],
        };
        self.dialog = None;
        self.dirty = true;
        self.inform_dirty = true;
    }

    fn open_thresholds(&mut self) {
        let thresholds = self.thresholds;
        let inputs = [
            thresholds.expiring_days,
            thresholds.low_sessions,
            thresholds.dormant_days,
        ]
        .map(|value| Input::new(value.to_string()));
        self.dialog = Some(CardsDialog::Thresholds(Box::new(ThresholdsForm {
            inputs,
            focus: 0,
            errors: Default::default(),
        })));
    }

    fn open_mark(&mut self) {
        if let Some(entry) = self.inform.get(self.inform_selected) {
            let owner = self.overview.owners.get(entry.owner as usize);
            self.dialog = Some(CardsDialog::Mark(MarkForm {
                member: owner.member_id,
                name: owner.name(),
                channel: Channel::Phone,
                note: Input::default(),
            }));
        }
    }

    /// Returns the member's line in the list to inform, if they are on it.
    pub fn inform_entry(&self, member: MemberId) -> Option<&ToInform> {
        self.inform
            .iter()
            .find(|entry| self.overview.owners.get(entry.owner as usize).member_id == member)
    }
}

pub fn channel_key(channel: Channel) -> &'static str {
    match channel {
        Channel::Phone => "inform.channel_phone",
        Channel::Email => "inform.channel_email",
        Channel::InPerson => "inform.channel_in_person",
    }
}

impl ScreenState for SessionCardsState {
    fn scan_goes_to_field(&self) -> bool {
        self.dialog.is_none()
    }

    fn takes_text(&self) -> bool {
        true
    }

    fn insert(&mut self, c: char) {
        match &mut self.dialog {
            Some(CardsDialog::Thresholds(form)) => {
                // Only digits make a threshold; anything else would be refused on Enter.
                if c.is_ascii_digit() {
                    form.inputs[form.focus].handle(InputRequest::InsertChar(c));
                }
            }
            Some(CardsDialog::Mark(form)) => {
                form.note.handle(InputRequest::InsertChar(c));
            }
            None => {
                self.query.handle(InputRequest::InsertChar(c));
                self.dirty = true;
            }
        }
    }

    fn delete_back(&mut self) {
        match &mut self.dialog {
            Some(CardsDialog::Thresholds(form)) => {
                form.inputs[form.focus].handle(InputRequest::DeletePrevChar);
            }
            Some(CardsDialog::Mark(form)) => {
                form.note.handle(InputRequest::DeletePrevChar);
            }
            None => {
                self.query.handle(InputRequest::DeletePrevChar);
                self.dirty = true;
            }
        }
    }

    /// Tab moves between dialog fields, or else to the next filter.
    fn tab(&mut self, forward: bool) {
        match &mut self.dialog {
            Some(CardsDialog::Thresholds(form)) => {
                form.focus = if forward {
                    (form.focus + 1) % THRESHOLD_FIELDS
                } else {
                    (form.focus + THRESHOLD_FIELDS - 1) % THRESHOLD_FIELDS
                };
            }
            Some(CardsDialog::Mark(form)) => {
                form.channel = next_channel(form.channel, forward);
            }
            None => {
                self.filter = if forward {
                    self.filter.next()
                } else {
                    self.filter.previous()
                };
                self.mode = CardsMode::Cards;
                self.dirty = true;
            }
        }
    }

    fn navigate(&mut self, key: NavKey) {
        match &mut self.dialog {
            Some(CardsDialog::Thresholds(form)) => match key {
                NavKey::Up => form.focus = form.focus.saturating_sub(1),
                NavKey::Down => form.focus = (form.focus + 1).min(THRESHOLD_FIELDS - 1),
                other => edit_cursor(&mut form.inputs[form.focus], other),
            },
            Some(CardsDialog::Mark(form)) => match key {
                NavKey::Up | NavKey::Left => form.channel = next_channel(form.channel, false),
                NavKey::Down | NavKey::Right => form.channel = next_channel(form.channel, true),
                other => edit_cursor(&mut form.note, other),
            },
            None => match (self.mode, key) {
                // Left and right choose the sorted column.
                (CardsMode::Cards, NavKey::Left | NavKey::Right) => {
                    let at = Column::ALL
                        .iter()
                        .position(|c| *c == self.sort.column)
                        .unwrap_or(0);
                    let count = Column::ALL.len();
                    let next = if key == NavKey::Right {
                        (at + 1) % count
                    } else {
                        (at + count - 1) % count
                    };
                    self.sort = Sort {
                        column: Column::ALL[next],
                        descending: false,
                    };
                    self.pending_sort = true;
                }
                (CardsMode::Cards, key) => {
                    self.selected = moved(self.selected, self.shown.len(), key);
                }
                (CardsMode::ToInform, key) => {
                    self.inform_selected = moved(self.inform_selected, self.inform.len(), key);
                }
            },
        }
    }

    fn cancel(&mut self) -> bool {
        if self.dialog.take().is_some() {
            return true;
        }
        if self.mode == CardsMode::ToInform {
            self.mode = CardsMode::Cards;
            return true;
        }
        if !self.query.value().is_empty() {
            self.query.reset();
            self.dirty = true;
            return true;
        }
        false
    }

    fn submit(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        match &self.dialog {
            Some(CardsDialog::Thresholds(_)) => {
                self.apply_thresholds(context.catalog);
                return Ok(());
            }
            Some(CardsDialog::Mark(_)) => return self.save_mark(context),
            None => {}
        }
        self.open_request = match self.mode {
            CardsMode::Cards => self.shown.get(self.selected).map(|&index| {
                let row = &self.overview.rows[index as usize];
                (self.overview.owner(row).member_id, row.card_id)
            }),
            CardsMode::ToInform => self.inform.get(self.inform_selected).map(|entry| {
                let owner = self.overview.owners.get(entry.owner as usize);
                (owner.member_id, entry.reasons[0].card())
            }),
        };
        Ok(())
    }

    fn command(&mut self, command: Command, context: &ScreenContext) -> Result<(), StoreError> {
        if self.dialog.is_some() {
            return Ok(());
        }
        match command {
            Command::SortReverse if self.mode == CardsMode::Cards => {
                self.sort.descending = !self.sort.descending;
                self.resort(context.today);
            }
            Command::Thresholds => self.open_thresholds(),
            Command::Export => self.export(context),
            Command::ToInform => {
                self.mode = match self.mode {
                    CardsMode::Cards => CardsMode::ToInform,
                    CardsMode::ToInform => CardsMode::Cards,
                };
                self.notice = None;
                self.refresh_inform(context.today);
            }
            Command::MarkInformed if self.mode == CardsMode::ToInform => self.open_mark(),
            Command::WriteEmails if self.mode == CardsMode::ToInform => self.write_emails(context),
            _ => {}
        }
        Ok(())
    }
}

fn next_channel(channel: Channel, forward: bool) -> Channel {
    let all = Channel::ALL;
    let at = all.iter().position(|c| *c == channel).unwrap_or(0);
    if forward {
        all[(at + 1) % all.len()]
    } else {
        all[(at + all.len() - 1) % all.len()]
    }
}
