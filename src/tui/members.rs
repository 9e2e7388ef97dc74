//! Members: the searchable list, the member profile (cards, purchases, attendance) and the
//! member form. State and its updates live here; drawing is in `members_view`.

use super::app::NavKey;
use super::fields::{edit_cursor, moved};
use super::keymap::Command;
use super::profile_dialogs::{DialogOutcome, ProfileDialog};
use super::screen::{ScreenContext, ScreenState};
use crate::domain::card::{Card, CardStatus};
use crate::domain::ledger::LedgerEvent;
use crate::domain::member::{Member, MemberId};
use crate::domain::member_form::{MemberErrors, MemberInput, likely_duplicates, validate_member};
use crate::domain::sale::Sale;
use crate::search::{SearchIndex, SearchOptions};
use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use tui_input::{Input, InputRequest};

/// Fields of the member form, in Tab order.
pub const MEMBER_FIELDS: usize = 8;
pub const FIELD_FIRST_NAME: usize = 0;
pub const FIELD_LAST_NAME: usize = 1;
pub const FIELD_EMAIL: usize = 2;
pub const FIELD_PHONE: usize = 3;
pub const FIELD_BIRTH_DATE: usize = 4;
pub const FIELD_CATEGORY: usize = 5;
pub const FIELD_LANGUAGE: usize = 6;
pub const FIELD_NOTES: usize = 7;

/// Matches shown in the list; typing narrows them.
const RESULT_LIMIT: usize = 50;

#[derive(Default)]
pub struct MembersState {
    /// Built when the screen first opens, then kept up to date.
    index: Option<SearchIndex>,
    pub query: Input,
    pub include_archived: bool,
    /// The query changed since the last search; the search runs once queued keys are applied.
    dirty: bool,
    pub rows: Vec<MemberRow>,
    pub selected: usize,
    pub mode: MembersMode,
    /// The outcome of the last action, already in the user's language.
    pub notice: Option<String>,
    /// Every activity, archived ones included, to name those in a card's history.
    pub activities: Vec<crate::domain::Activity>,
    /// Characters typed while the erase confirmation was open: a card being scanned.
    typed_in_dialog: String,
    /// A card scanned while the erase confirmation was open, for the front desk.
    scanned: Option<String>,
}

/// One line of the member list.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub member: Member,
    pub active_cards: usize,
    pub sessions_left: u32,
}

#[derive(Debug, Default)]
pub enum MembersMode {
    #[default]
    List,
    Profile(Box<Profile>),
    Form(Box<MemberForm>),
}

/// Sections of the profile, mirroring the club software staff know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileSection {
    Cards,
    Purchases,
    Attendance,
    /// Contacts in which staff informed the member about their cards, from Practice › Session cards.
    Contacts,
}

impl ProfileSection {
    pub const ALL: [ProfileSection; 4] = [
        ProfileSection::Cards,
        ProfileSection::Purchases,
        ProfileSection::Attendance,
        ProfileSection::Contacts,
    ];
}

#[derive(Debug)]
pub struct Profile {
    pub member: Member,
    pub cards: Vec<Card>,
    pub attendance: Vec<LedgerEvent>,
    pub section: ProfileSection,
    pub selected_card: usize,
    /// The ledger of the selected card, when shown.
    pub card_ledger: Option<Vec<LedgerEvent>>,
    pub scroll: usize,
    /// Every card's money: payments, amount due, refunds.
    pub sales: Vec<Sale>,
    /// A sale or card change being entered.
    pub dialog: Option<ProfileDialog>,
    /// Contacts in which staff informed the member about their cards, newest first.
    pub contacts: Vec<crate::domain::inform::Contact>,
}

#[derive(Debug)]
pub struct MemberForm {
    /// The member being edited; `None` for a new one.
    pub original: Option<Member>,
    pub inputs: [Input; MEMBER_FIELDS],
    pub focus: usize,
    pub errors: MemberErrors,
    pub show_errors: bool,
    /// Likely duplicates shown before saving; the next Enter saves anyway.
    pub duplicates: Vec<Member>,
    /// The profile to come back to when the form closes.
    pub back: Option<Box<Profile>>,
}

impl MembersState {
    /// Tells whether a member's profile is shown.
    pub fn in_profile(&self) -> bool {
        matches!(self.mode, MembersMode::Profile(_))
    }

    /// Shows the list (a form being filled stays open), builds the search index on first use,
    /// and refreshes the matches.
    pub fn open(&mut self, store: &Store, today: NaiveDate) -> Result<(), StoreError> {
        if !matches!(self.mode, MembersMode::Form(_)) {
            self.mode = MembersMode::List;
        }
        self.notice = None;
        self.search_index(store)?;
        self.activities = store.activities()?;
        self.dirty = true;
        self.settle(store, today)
    }

    /// Runs the search if the query changed, once the queued keys have been applied.
    pub fn settle(&mut self, store: &Store, today: NaiveDate) -> Result<(), StoreError> {
        if !std::mem::take(&mut self.dirty) {
            return Ok(());
        }
        let Some(index) = &self.index else {
            return Ok(());
        };
        let options = SearchOptions {
            include_archived: self.include_archived,
            limit: RESULT_LIMIT,
        };
        let hits = index.search(self.query.value(), options);
        let mut rows = Vec::with_capacity(hits.len());
        for hit in hits {
            let Some(member) = store.member(hit.member_id)? else {
                continue;
            };
            let cards = store.cards_of_member(member.id)?;
            let active: Vec<&Card> = cards
                .iter()
                .filter(|c| c.status(today) == CardStatus::Active)
                .collect();
            rows.push(MemberRow {
                active_cards: active.len(),
                sessions_left: active.iter().map(|c| c.sessions_remaining).sum(),
                member,
            });
        }
        self.rows = rows;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        Ok(())
    }
}

impl MembersState {
    fn save_form(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        let MembersMode::Form(form) = &mut self.mode else {
            return Ok(());
        };
        let valid = match validate_member(&form.input(), context.today) {
            Ok(valid) => valid,
            Err(errors) => {
                form.errors = errors;
                form.show_errors = true;
                return Ok(());
            }
        };
        form.errors = MemberErrors::default();

        // A likely duplicate is shown first; Enter again saves anyway.
        if form.duplicates.is_empty() {
            let editing = form.original.as_ref().map(|m| m.id);
            let members: Vec<Member> = context.store.members().collect::<Result<_, _>>()?;
            let duplicates: Vec<Member> = likely_duplicates(&valid.member, &members, editing)
                .into_iter()
                .cloned()
                .collect();
            if !duplicates.is_empty() {
                form.duplicates = duplicates;
                return Ok(());
            }
        }

        let saved = match &form.original {
            Some(original) => context.store.update_member(original.id, &valid.member)?,
            None => context.store.insert_member(&valid.member, &context.write)?,
        };
        let key = if form.original.is_some() {
            "members.saved"
        } else {
            "members.created"
        };
        self.notice = Some(
            context
                .catalog
                .tf(key, &[("name", &saved.full_name()), ("code", &saved.code)]),
        );
        tracing::info!(member = saved.id.0, "member saved");
        self.reindex(&saved);
        self.mode = MembersMode::Profile(Box::new(Profile::load(context.store, saved)?));
        Ok(())
    }

    /// Runs the open profile dialog's action; when it is done, reloads the profile.
    fn submit_dialog(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        let MembersMode::Profile(profile) = &mut self.mode else {
            return Ok(());
        };
        let Some(dialog) = &mut profile.dialog else {
            return Ok(());
        };
        if let DialogOutcome::Done(notice) = dialog.submit(&profile.member, context)? {
            let section = profile.section;
            // An erasure changed the member record itself, so read it again.
            let member = context
                .store
                .member(profile.member.id)?
                .unwrap_or_else(|| profile.member.clone());
            let mut reloaded = Profile::load(context.store, member.clone())?;
            reloaded.section = section;
            **profile = reloaded;
            self.notice = Some(notice);
            self.reindex(&member);
        }
        Ok(())
    }

    /// Takes the text of a card scanned while a dialog that takes no text was open.
    pub fn take_scanned(&mut self) -> Option<String> {
        self.scanned.take()
    }

    fn reindex(&mut self, member: &Member) {
        if let Some(index) = &mut self.index {
            index.upsert(member);
        }
        self.dirty = true;
    }

    /// Lets the member search go; [`MembersState::open`] builds it again. Reports calls it:
    /// the search (20 MB for 100,000 members) and the report's cards and replay (30 MB for
    /// 200,000 cards) passed the 150 MB budget together, on top of sled's cache.
    pub fn release_search_index(&mut self) {
        self.index = None;
    }

    /// Tells whether the member search is built, for the tests of what each screen keeps.
    pub fn search_index_built(&self) -> bool {
        self.index.is_some()
    }

    /// Returns the member search, built on first use. Practice › Session cards searches owners
    /// with it.
    pub fn search_index(&mut self, store: &Store) -> Result<&SearchIndex, StoreError> {
        if self.index.is_none() {
            let index = SearchIndex::try_new(store.members())?;
            tracing::info!(members = index.len(), "member search index built");
            self.index = Some(index);
        }
        Ok(self.index.get_or_insert_with(SearchIndex::default))
    }

    /// Selects `card` in the profile shown, if it is one of the member's cards.
    pub fn select_card(&mut self, card: crate::domain::CardId) {
        if let MembersMode::Profile(profile) = &mut self.mode
            && let Some(index) = profile.cards.iter().position(|c| c.id == card)
        {
            profile.section = ProfileSection::Cards;
            profile.selected_card = index;
        }
    }

    /// Opens a member's profile directly, as the front desk does after a refusal.
    pub fn show_profile(&mut self, store: &Store, member_id: MemberId) -> Result<(), StoreError> {
        if let Some(member) = store.member(member_id)? {
            self.mode = MembersMode::Profile(Box::new(Profile::load(store, member)?));
        }
        Ok(())
    }
}

impl Profile {
    fn load(store: &Store, member: Member) -> Result<Profile, StoreError> {
        let mut cards = store.cards_of_member(member.id)?;
        cards.sort_by_key(|card| std::cmp::Reverse((card.sold_on, card.id)));
        let mut attendance = Vec::new();
        for card in &cards {
            for event in store.events_of_card(card.id)? {
                if matches!(event.kind, crate::domain::EventKind::SessionUsed { .. }) {
                    attendance.push(event);
                }
            }
        }
        attendance.sort_by_key(|event| std::cmp::Reverse(event.id));
        let sales = store.sales_of_member(member.id)?;
        let contacts = store.contacts_of_member(member.id)?;
        Ok(Profile {
            contacts,
            member,
            cards,
            attendance,
            section: ProfileSection::Cards,
            selected_card: 0,
            card_ledger: None,
            scroll: 0,
            sales,
            dialog: None,
        })
    }
}

impl MemberForm {
    fn new(
        original: Option<Member>,
        language: Option<crate::i18n::Language>,
        back: Option<Box<Profile>>,
    ) -> Self {
        let mut inputs: [Input; MEMBER_FIELDS] = Default::default();
        if let Some(member) = &original {
            inputs[FIELD_FIRST_NAME] = Input::new(member.first_name.clone());
            inputs[FIELD_LAST_NAME] = Input::new(member.last_name.clone());
            inputs[FIELD_EMAIL] = Input::new(member.email.clone().unwrap_or_default());
            inputs[FIELD_PHONE] = Input::new(member.phone.clone().unwrap_or_default());
            inputs[FIELD_BIRTH_DATE] = Input::new(
                member
                    .birth_date
                    .map(|d| d.format("%d/%m/%Y").to_string())
                    .unwrap_or_default(),
            );
            inputs[FIELD_CATEGORY] = Input::new(match &member.category {
                crate::domain::Category::Adult => String::new(),
                crate::domain::Category::Child => "enfant".to_owned(),
                crate::domain::Category::Other(label) => label.clone(),
            });
            inputs[FIELD_NOTES] = Input::new(member.notes.clone());
            inputs[FIELD_LANGUAGE] =
                Input::new(language.map(|l| l.code().to_owned()).unwrap_or_default());
        }
        Self {
            original,
            inputs,
            focus: FIELD_FIRST_NAME,
            errors: MemberErrors::default(),
            show_errors: false,
            duplicates: Vec::new(),
            back,
        }
    }

    pub fn input(&self) -> MemberInput {
        let value = |field: usize| self.inputs[field].value().to_owned();
        MemberInput {
            first_name: value(FIELD_FIRST_NAME),
            last_name: value(FIELD_LAST_NAME),
            email: value(FIELD_EMAIL),
            phone: value(FIELD_PHONE),
            birth_date: value(FIELD_BIRTH_DATE),
            category: value(FIELD_CATEGORY),
            language: value(FIELD_LANGUAGE),
            notes: value(FIELD_NOTES),
        }
    }
}

impl ScreenState for MembersState {
    fn scan_goes_to_field(&self) -> bool {
        matches!(self.mode, MembersMode::List)
    }

    fn takes_text(&self) -> bool {
        match &self.mode {
            MembersMode::List | MembersMode::Form(_) => true,
            MembersMode::Profile(profile) => profile.dialog.is_some(),
        }
    }

    fn insert(&mut self, c: char) {
        match &mut self.mode {
            MembersMode::List => {
                self.query.handle(InputRequest::InsertChar(c));
                self.dirty = true;
                self.selected = 0;
            }
            MembersMode::Form(form) => {
                form.inputs[form.focus].handle(InputRequest::InsertChar(c));
                form.duplicates.clear();
            }
            // The erase confirmation takes no text, so what arrives there is a card being
            // scanned; it is kept for the front desk.
            MembersMode::Profile(profile)
                if matches!(profile.dialog, Some(ProfileDialog::Erase)) =>
            {
                self.typed_in_dialog.push(c);
            }
            MembersMode::Profile(profile) => {
                if let Some(dialog) = &mut profile.dialog {
                    dialog.insert(c);
                }
            }
        }
    }

    fn delete_back(&mut self) {
        match &mut self.mode {
            MembersMode::List => {
                self.query.handle(InputRequest::DeletePrevChar);
                self.dirty = true;
                self.selected = 0;
            }
            MembersMode::Form(form) => {
                form.inputs[form.focus].handle(InputRequest::DeletePrevChar);
                form.duplicates.clear();
            }
            MembersMode::Profile(profile) => {
                if let Some(dialog) = &mut profile.dialog {
                    dialog.delete_back();
                }
            }
        }
    }

    fn tab(&mut self, forward: bool) {
        match &mut self.mode {
            MembersMode::Form(form) => {
                form.focus = if forward {
                    (form.focus + 1) % MEMBER_FIELDS
                } else {
                    (form.focus + MEMBER_FIELDS - 1) % MEMBER_FIELDS
                };
            }
            MembersMode::Profile(profile) if profile.dialog.is_some() => {
                if let Some(dialog) = &mut profile.dialog {
                    dialog.tab(forward);
                }
            }
            MembersMode::Profile(profile) => {
                let all = ProfileSection::ALL;
                let at = all.iter().position(|s| *s == profile.section).unwrap_or(0);
                let step = if forward { 1 } else { all.len() - 1 };
                profile.section = all[(at + step) % all.len()];
                profile.scroll = 0;
                profile.card_ledger = None;
            }
            MembersMode::List => {}
        }
    }

    fn navigate(&mut self, key: NavKey) {
        match &mut self.mode {
            MembersMode::List => match key {
                NavKey::Left | NavKey::Right | NavKey::Home | NavKey::End | NavKey::Delete => {
                    edit_cursor(&mut self.query, key)
                }
                _ => self.selected = moved(self.selected, self.rows.len(), key),
            },
            MembersMode::Form(form) => edit_cursor(&mut form.inputs[form.focus], key),
            MembersMode::Profile(profile) if profile.dialog.is_some() => {
                if let Some(dialog) = &mut profile.dialog {
                    dialog.navigate(key);
                }
            }
            MembersMode::Profile(profile) => match profile.section {
                ProfileSection::Cards if profile.card_ledger.is_none() => {
                    profile.selected_card = moved(profile.selected_card, profile.cards.len(), key);
                }
                _ => profile.scroll = moved(profile.scroll, usize::MAX, key),
            },
        }
    }

    fn cancel(&mut self) -> bool {
        match &mut self.mode {
            MembersMode::List => {
                if self.query.value().is_empty() {
                    return false;
                }
                self.query.reset();
                self.dirty = true;
                true
            }
            MembersMode::Profile(profile) if profile.dialog.is_some() => {
                profile.dialog = None;
                true
            }
            MembersMode::Profile(profile) if profile.card_ledger.is_some() => {
                profile.card_ledger = None;
                true
            }
            MembersMode::Form(form) if !form.duplicates.is_empty() => {
                form.duplicates.clear();
                true
            }
            MembersMode::Form(form) if form.back.is_some() => {
                if let Some(profile) = form.back.take() {
                    self.mode = MembersMode::Profile(profile);
                }
                true
            }
            _ => {
                self.mode = MembersMode::List;
                true
            }
        }
    }

    fn submit(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        match &mut self.mode {
            MembersMode::List => {
                if let Some(row) = self.rows.get(self.selected) {
                    let member = row.member.clone();
                    self.mode =
                        MembersMode::Profile(Box::new(Profile::load(context.store, member)?));
                }
            }
            // Enter never confirms an erasure, because a scanner ends every card with it: text
            // typed before it is a scan for the front desk, and Ctrl-D erases.
            MembersMode::Profile(profile)
                if matches!(profile.dialog, Some(ProfileDialog::Erase)) =>
            {
                let typed = std::mem::take(&mut self.typed_in_dialog);
                if typed.trim().is_empty() {
                    self.notice = Some(context.catalog.t("data.erase_keys").to_owned());
                } else {
                    self.scanned = Some(typed);
                }
            }
            MembersMode::Profile(profile) if profile.dialog.is_some() => {
                self.submit_dialog(context)?;
            }
            MembersMode::Profile(profile) => {
                if profile.section == ProfileSection::Cards {
                    profile.card_ledger = match profile.card_ledger {
                        Some(_) => None,
                        None => match profile.cards.get(profile.selected_card) {
                            Some(card) => Some(context.store.events_of_card(card.id)?),
                            None => None,
                        },
                    };
                }
            }
            MembersMode::Form(_) => self.save_form(context)?,
        }
        Ok(())
    }

    fn command(&mut self, command: Command, context: &ScreenContext) -> Result<(), StoreError> {
        match (command, &mut self.mode) {
            (Command::New, MembersMode::List) => {
                self.notice = None;
                self.mode = MembersMode::Form(Box::new(MemberForm::new(None, None, None)));
            }
            (Command::ShowArchived, MembersMode::List) => {
                self.include_archived = !self.include_archived;
                self.dirty = true;
            }
            (Command::Edit, MembersMode::Profile(_)) => {
                let MembersMode::Profile(profile) = std::mem::take(&mut self.mode) else {
                    return Ok(());
                };
                let member = profile.member.clone();
                let language = context.store.member_language(member.id)?;
                self.mode = MembersMode::Form(Box::new(MemberForm::new(
                    Some(member),
                    language,
                    Some(profile),
                )));
            }
            (Command::Sell, MembersMode::Profile(profile)) => {
                let types = context
                    .store
                    .card_types()?
                    .into_iter()
                    .filter(|t| !t.archived)
                    .collect();
                profile.dialog = Some(ProfileDialog::sale(types));
            }
            (Command::ChangeCard, MembersMode::Profile(profile)) => {
                if let Some(card) = profile.cards.get(profile.selected_card) {
                    profile.dialog = Some(ProfileDialog::card(card.clone()));
                }
            }
            // A second Ctrl-D, with the confirmation open, erases.
            (Command::Erase, MembersMode::Profile(profile))
                if matches!(profile.dialog, Some(ProfileDialog::Erase)) =>
            {
                self.typed_in_dialog.clear();
                self.submit_dialog(context)?;
            }
            (Command::Erase, MembersMode::Profile(profile)) => {
                self.typed_in_dialog.clear();
                profile.dialog = Some(ProfileDialog::Erase);
            }
            (Command::Print, MembersMode::Profile(profile)) => {
                let members = [profile.member.clone()];
                self.notice = Some(print_cards(&members, context));
            }
            (Command::Print, MembersMode::List) => {
                let members: Vec<Member> = self.rows.iter().map(|row| row.member.clone()).collect();
                self.notice = Some(print_cards(&members, context));
            }
            (Command::Archive, MembersMode::Profile(profile)) => {
                let archive = !profile.member.archived;
                let member = context
                    .store
                    .set_member_archived(profile.member.id, archive)?;
                let key = if archive {
                    "members.archived_notice"
                } else {
                    "members.restored_notice"
                };
                self.notice = Some(context.catalog.tf(key, &[("name", &member.full_name())]));
                profile.member = member.clone();
                self.reindex(&member);
            }
            _ => {}
        }
        Ok(())
    }
}

/// Writes the membership cards of `members` (PNG and SVG each, and an A4 PDF sheet) into the
/// print folder; returns the notice to show.
fn print_cards(members: &[Member], context: &ScreenContext) -> String {
    let catalog = context.catalog;
    if members.is_empty() {
        return catalog.t("members.print_nothing").to_owned();
    }
    let faces: Vec<crate::print::CardFace> = members
        .iter()
        .map(|member| crate::print::CardFace::new(member, context.club_name))
        .collect();
    let mut files = 0;
    match crate::print::write_cards(&faces, context.print_folder, true, |_| files += 1) {
        Ok(()) => {
            tracing::info!(cards = faces.len(), "membership cards written");
            catalog.tf(
                "members.printed",
                &[
                    ("count", &faces.len()),
                    ("folder", &context.print_folder.display()),
                ],
            )
        }
        Err(error) => crate::messages::write_cards_error(catalog, &error),
    }
}
