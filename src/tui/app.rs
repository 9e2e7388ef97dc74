//! Application state and `update`, the only place state changes. Drawing reads it.

use super::import::ImportState;
use super::keymap::{Command, KeyScope, Keymap};
use super::members::MembersState;
use super::pricing::PricingState;
use super::reports::ReportsState;
use super::screen::{ScreenContext, ScreenState};
use super::session_cards::{CardsMode, SessionCardsState};
use crate::config::Settings;
use crate::desk::{ScanRequest, ScanResult, check_in_scan, write_context};
use crate::domain::{Activity, ActivityId, Clock, MemberCode};
use crate::i18n::Catalog;
use crate::store::{CheckInOutcome, Store, StoreError, TodayCheckIn};
use chrono::NaiveDate;
use tui_input::{Input, InputRequest};

/// Rows of today's list loaded with member and card names; more than any screen shows.
const TODAY_NAMED_ROWS: usize = 500;

/// The screens of the sidebar, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    FrontDesk,
    Members,
    Pricing,
    SessionCards,
    Reports,
    /// Reading members from a CSV file, reached from Members; not in the sidebar.
    Import,
}

impl Screen {
    pub const ALL: [Screen; 5] = [
        Screen::FrontDesk,
        Screen::Members,
        Screen::Pricing,
        Screen::SessionCards,
        Screen::Reports,
    ];
}

/// Something that changes state: a key or paste turned into intent, or the clock ticking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A printable character for the focused text field: the scan field unless a form is open.
    Insert(char),
    /// Pasted text; control characters are dropped and it never submits by itself.
    Paste(String),
    DeleteBack,
    ClearField,
    /// The Enter key, which is also a scanner's terminator.
    Submit,
    /// Tab: the next form field, or a scanner's terminator at the front desk.
    Tab,
    BackTab,
    /// A navigation key. At the front desk it means a scanner with NumLock off or in keypad
    /// mode, because staff never need one there.
    Navigate(NavKey),
    Command(Command),
    /// A card scanned on any screen: keys typed faster than a person types, then Enter or
    /// Tab (see `scan_burst`).
    Scan(String),
    /// Esc: close the popup or form, or clear the field.
    Cancel,
    Tick,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavKey {
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Left,
    Right,
    Insert,
    Delete,
    KeypadBegin,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Popup {
    Help,
    ConfirmUndo(TodayCheckIn),
}

/// The content of the result panel.
#[derive(Debug, Clone, PartialEq)]
pub enum Panel {
    /// Nothing scanned yet.
    Ready,
    Scan(Box<ScanResult>),
    /// The scanner sent navigation keys instead of text.
    Unreadable,
    Undone(TodayCheckIn),
    NothingToUndo,
    /// F8 was pressed with no repeat warning on screen.
    NothingToChargeAgain,
    /// A storage error, already translated.
    Error(String),
    /// A message about the database as a whole, such as where a backup was written. Each
    /// line starts with its own symbol; `warning` selects the warning style.
    Notice {
        lines: Vec<String>,
        warning: bool,
    },
}

pub struct App<'a> {
    store: &'a Store,
    settings: &'a Settings,
    clock: &'a dyn Clock,
    pub catalog: Catalog,
    pub keymap: Keymap,
    pub screen: Screen,
    pub popup: Option<Popup>,
    pub scan: Input,
    /// Navigation keys received since the last submit.
    stray_keys: usize,
    pub panel: Panel,
    /// The member the repeat guard just stopped, for F8.
    repeat_candidate: Option<MemberCode>,
    pub today: Vec<TodayCheckIn>,
    pub today_date: NaiveDate,
    pub activities: Vec<Activity>,
    pub activity: Option<ActivityId>,
    pub demo_codes: Vec<(String, MemberCode)>,
    pub pricing: PricingState,
    pub members: MembersState,
    pub session_cards: SessionCardsState,
    /// The screen a profile was opened from, to go back to when it closes.
    profile_opened_from: Option<Screen>,
    pub import: ImportState,
    pub reports: ReportsState,
    pub bell_pending: bool,
    pub quit: bool,
    /// Whether the daily backup runs when the club's day changes; [`App::daily_backup`]
    /// turns it on, so tests that build an `App` write no backup.
    daily_backups: bool,
}

impl<'a> App<'a> {
    pub fn new(
        store: &'a Store,
        settings: &'a Settings,
        clock: &'a dyn Clock,
        keymap: Keymap,
    ) -> Result<Self, StoreError> {
        let today_date = settings.club_time.local_date(clock.now());
        let mut app = App {
            store,
            settings,
            clock,
            catalog: Catalog::new(settings.language),
            keymap,
            screen: Screen::FrontDesk,
            popup: None,
            scan: Input::default(),
            stray_keys: 0,
            panel: Panel::Ready,
            repeat_candidate: None,
            today: Vec::new(),
            today_date,
            activities: store
                .activities()?
                .into_iter()
                .filter(|a| !a.archived)
                .collect(),
            activity: None,
            demo_codes: store.demo_codes()?,
            pricing: PricingState::default(),
            members: MembersState::default(),
            session_cards: SessionCardsState::default(),
            profile_opened_from: None,
            import: ImportState::default(),
            reports: ReportsState::new(settings.club_time, report_folder(settings)),
            bell_pending: false,
            quit: false,
            daily_backups: false,
        };
        app.reload_today()?;
        Ok(app)
    }

    pub fn settings(&self) -> &Settings {
        self.settings
    }

    pub fn store(&self) -> &Store {
        self.store
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Applies one action. Storage errors end up in the result panel, never in a panic.
    pub fn update(&mut self, action: Action) {
        if let Err(error) = self.apply(action) {
            tracing::error!(%error, "action failed");
            self.panel = Panel::Error(crate::messages::store_error(&self.catalog, &error));
            self.bell_pending = self.settings.bell_on_refusal;
        }
    }

    fn apply(&mut self, action: Action) -> Result<(), StoreError> {
        if let Action::Scan(text) = action {
            return self.apply_scan(text);
        }
        // A screen with its own fields gets the keys first, and the front desk gets the rest.
        if self.popup.is_none() {
            if let Some(action) = self.apply_to_screen(action)? {
                return self.apply_to_front_desk(action);
            }
            return Ok(());
        }
        self.apply_to_front_desk(action)
    }

    /// A scan checks its member in, except in a search field, where it finds the member as
    /// typed text would. In a form or a dialog it never lands in a field or confirms anything.
    // NOTE: a scanner slower than `scanner.max_key_gap_ms` between keys is not recognised, so
    // its keys are typed into the focused field as before.
    fn apply_scan(&mut self, text: String) -> Result<(), StoreError> {
        // A screen field that is not a member search: a form or a dialog.
        let in_form = self.popup.is_none()
            && self
                .screen_parts()
                .is_some_and(|(screen, _)| screen.takes_text() && !screen.scan_goes_to_field());
        if in_form {
            return self.check_in_text(&text);
        }
        for c in text.chars() {
            self.apply(Action::Insert(c))?;
        }
        self.apply(Action::Submit)
    }

    /// Gives `action` to the screen shown, if it has its own fields and lists. Returns the
    /// action back when the screen leaves it to the front desk.
    fn apply_to_screen(&mut self, action: Action) -> Result<Option<Action>, StoreError> {
        let scan_empty = self.scan.value().is_empty();
        let in_profile = self.screen == Screen::Members && self.members.in_profile();
        let (screen, context) = match self.screen_parts() {
            Some(parts) => parts,
            None => return Ok(Some(action)),
        };
        let takes_text = screen.takes_text();
        match action {
            Action::Insert(c) if takes_text => screen.insert(c),
            Action::Paste(text) if takes_text => text
                .chars()
                .filter(|c| !c.is_control())
                .for_each(|c| screen.insert(c)),
            Action::DeleteBack if takes_text => screen.delete_back(),
            Action::Navigate(key) => screen.navigate(key),
            Action::Tab | Action::BackTab => screen.tab(action == Action::Tab),
            Action::Submit if scan_empty => screen.submit(&context)?,
            Action::Cancel => {
                if !screen.cancel() {
                    return Ok(Some(Action::Cancel));
                }
                if in_profile && !self.members.in_profile() {
                    self.back_from_profile()?;
                }
            }
            other => return Ok(Some(other)),
        }
        self.after_screen_change()?;
        Ok(None)
    }

    fn apply_to_front_desk(&mut self, action: Action) -> Result<(), StoreError> {
        match action {
            Action::Insert(c) => {
                // Typing on a screen without fields goes to the scan field, and closes a popup,
                // so a member scanning while staff look elsewhere is not lost.
                self.popup = None;
                self.screen = Screen::FrontDesk;
                self.scan.handle(InputRequest::InsertChar(c));
            }
            Action::Paste(text) => {
                self.popup = None;
                self.screen = Screen::FrontDesk;
                for c in text.chars().filter(|c| !c.is_control()) {
                    self.scan.handle(InputRequest::InsertChar(c));
                }
            }
            Action::DeleteBack => {
                self.scan.handle(InputRequest::DeletePrevChar);
            }
            Action::ClearField => self.clear_field(),
            Action::Navigate(key) => {
                // Staff may move the cursor to fix a typed code; a scanner with NumLock off
                // sends only such keys, which the submit below recognises.
                super::fields::edit_cursor(&mut self.scan, key);
                self.stray_keys += 1;
            }
            Action::Submit | Action::Tab | Action::BackTab => self.submit()?,
            Action::Cancel => {
                // Esc closes a popup; with nothing open it clears the scan field.
                if self.popup.take().is_none() {
                    self.clear_field();
                }
            }
            Action::Command(command) => self.run_command(command)?,
            Action::Tick => self.tick()?,
            Action::Scan(text) => self.apply_scan(text)?,
        }
        Ok(())
    }

    /// Splits the app into the state of the screen shown, if it has one, and what its updates read.
    fn screen_parts(&mut self) -> Option<(&mut dyn ScreenState, ScreenContext<'_>)> {
        let context = ScreenContext {
            store: self.store,
            catalog: &self.catalog,
            write: write_context(self.settings, self.clock),
            today: self.settings.club_time.local_date(self.clock.now()),
            club_name: &self.settings.club_name,
            print_folder: &self.settings.print_folder,
            settings: self.settings,
        };
        let screen: &mut dyn ScreenState = match self.screen {
            Screen::Pricing => &mut self.pricing,
            Screen::Members => &mut self.members,
            Screen::SessionCards => &mut self.session_cards,
            Screen::Import => &mut self.import,
            Screen::Reports => &mut self.reports,
            _ => return None,
        };
        Some((screen, context))
    }

    /// Brings what other screens show up to date after a screen changed data.
    fn after_screen_change(&mut self) -> Result<(), StoreError> {
        if self.screen == Screen::Pricing {
            self.after_pricing_change();
        }
        if let Some(text) = self.members.take_scanned() {
            self.check_in_text(&text)?;
        }
        if let Some((member_id, card_id)) = self.session_cards.open_request.take() {
            self.go(Screen::Members);
            let today = self.today();
            self.members.open(self.store, today)?;
            self.members.show_profile(self.store, member_id)?;
            self.members.select_card(card_id);
            self.profile_opened_from = Some(Screen::SessionCards);
        }
        if self.screen == Screen::Import {
            self.after_import_change()?;
        }
        Ok(())
    }

    /// Plans the import again after a mapping change, rebuilds the member search after a
    /// write, and goes back to Members when the Import screen is left.
    fn after_import_change(&mut self) -> Result<(), StoreError> {
        self.import.refresh(self.store)?;
        if std::mem::take(&mut self.import.members_changed) {
            // The search index is rebuilt from the database when Members opens next.
            self.members = MembersState::default();
        }
        if std::mem::take(&mut self.import.leave) {
            self.go(Screen::Members);
            let today = self.today();
            self.members.open(self.store, today)?;
        }
        Ok(())
    }

    /// Checks in scanned text and shows the result at the front desk. A dialog open on
    /// another screen stays open for staff to come back to.
    fn check_in_text(&mut self, text: &str) -> Result<(), StoreError> {
        let request = ScanRequest {
            activity: self.activity,
            charge_again: false,
        };
        if let Some(result) = check_in_scan(self.store, self.settings, self.clock, text, request)? {
            self.screen = Screen::FrontDesk;
            // Staff left the profile for the front desk, so the cards it kept can go.
            self.profile_opened_from = None;
            self.show_result(result)?;
        }
        Ok(())
    }

    /// Closing a profile opened from another screen goes back there, to the same place.
    /// Session cards reads its cards again if anything was written meanwhile, such as a change
    /// made on the profile or a check-in.
    fn back_from_profile(&mut self) -> Result<(), StoreError> {
        let Some(screen) = self.profile_opened_from.take() else {
            return Ok(());
        };
        self.screen = screen;
        if screen == Screen::SessionCards {
            self.open_session_cards()?;
        }
        Ok(())
    }

    /// Applies what depends on every key of a batch at once, such as the member search. The
    /// event loop calls it after draining the queued events and before drawing.
    pub fn settle(&mut self) {
        let today = self.today();
        self.reports.poll(&self.catalog);
        // The manager screens' data goes when staff leave them, so the app never keeps two
        // screens' data at once. On a large club each takes 20 to 30 MB. The member search
        // goes when Reports opens (see `Command::Reports`).
        // NOTE: once a screen has read every card or member, sled keeps about 5 times
        // `cache_mb` of decoded nodes, whichever screen comes next. Session cards, which reads
        // every card beside the member search, makes the highest peak (BENCHMARKS.md).
        if self.screen != Screen::Reports {
            self.reports.release();
        }
        let profile_from_cards = self.screen == Screen::Members
            && self.profile_opened_from == Some(Screen::SessionCards);
        if self.screen != Screen::SessionCards && !profile_from_cards {
            self.session_cards.release();
        }
        if let Err(error) = self.members.settle(self.store, today) {
            tracing::error!(%error, "member search failed");
            self.panel = Panel::Error(crate::messages::store_error(&self.catalog, &error));
        }
        if self.screen == Screen::SessionCards {
            match self.members.search_index(self.store) {
                Ok(index) => self.session_cards.settle(index, today),
                Err(error) => {
                    tracing::error!(%error, "member search index failed");
                    self.panel = Panel::Error(crate::messages::store_error(&self.catalog, &error));
                }
            }
        }
    }

    /// Refreshes the front desk's activity selector, which lists the active activities that
    /// pricing may have changed.
    fn after_pricing_change(&mut self) {
        self.activities = self
            .pricing
            .activities
            .iter()
            .filter(|a| !a.archived)
            .cloned()
            .collect();
        if self
            .activity
            .is_some_and(|current| !self.activities.iter().any(|a| a.id == current))
        {
            self.activity = None;
        }
    }

    /// Today's date on the club's clock.
    pub fn today(&self) -> NaiveDate {
        self.settings.club_time.local_date(self.clock.now())
    }

    /// Returns the key scope of the screen shown, for screen-specific shortcuts.
    pub fn key_scope(&self) -> Option<KeyScope> {
        if self.popup.is_some() {
            return None;
        }
        match self.screen {
            // The pricing form's fields take no shortcuts; its list does.
            Screen::Pricing => (!self.pricing.takes_text()).then_some(KeyScope::Pricing),
            Screen::Members if self.members.in_profile() => Some(KeyScope::MemberProfile),
            Screen::Members => Some(KeyScope::Members),
            Screen::SessionCards if self.session_cards.dialog.is_some() => None,
            Screen::SessionCards => Some(match self.session_cards.mode {
                CardsMode::Cards => KeyScope::SessionCards,
                CardsMode::ToInform => KeyScope::ToInform,
            }),
            Screen::Import => Some(KeyScope::Import),
            Screen::Reports => (!self.reports.takes_text()).then_some(KeyScope::Reports),
            _ => None,
        }
    }

    fn clear_field(&mut self) {
        self.scan.reset();
        self.stray_keys = 0;
    }

    fn submit(&mut self) -> Result<(), StoreError> {
        self.popup = None;
        self.screen = Screen::FrontDesk;
        let scanned = self.scan.value_and_reset();
        let stray_keys = std::mem::take(&mut self.stray_keys);
        // Navigation keys and no text: a keypad scanner with NumLock off, or in keypad mode.
        if stray_keys > 0 && scanned.trim().is_empty() {
            self.panel = Panel::Unreadable;
            self.repeat_candidate = None;
            self.bell_pending = self.settings.bell_on_refusal;
            return Ok(());
        }
        self.check_in_text(&scanned)
    }

    fn show_result(&mut self, result: ScanResult) -> Result<(), StoreError> {
        self.repeat_candidate = None;
        match &result.outcome {
            // The new row goes on top of today's list: reloading the whole day after every
            // scan would cost more with each visit.
            CheckInOutcome::Accepted {
                member,
                card,
                event,
            } => self.today.insert(
                0,
                TodayCheckIn {
                    event: event.clone(),
                    member_name: member.full_name(),
                    card_name: card.name.clone(),
                    remaining_after: card.sessions_remaining,
                    reverted: false,
                },
            ),
            CheckInOutcome::AlreadyCheckedIn { member, .. } => {
                self.repeat_candidate = Some(member.code.clone());
            }
            CheckInOutcome::Refused { .. } => self.bell_pending = self.settings.bell_on_refusal,
        }
        tracing::info!(outcome = outcome_label(&result.outcome), "scan processed");
        self.panel = Panel::Scan(Box::new(result));
        Ok(())
    }

    fn run_command(&mut self, command: Command) -> Result<(), StoreError> {
        match command {
            Command::Help => {
                self.popup = match self.popup {
                    Some(Popup::Help) => None,
                    _ => Some(Popup::Help),
                };
            }
            Command::FrontDesk => self.go(Screen::FrontDesk),
            Command::Members => {
                self.go(Screen::Members);
                let today = self.today();
                self.members.open(self.store, today)?;
            }
            Command::Pricing => {
                self.go(Screen::Pricing);
                let today = self.today();
                self.pricing.open(self.store, today)?;
            }
            Command::SessionCards => {
                self.go(Screen::SessionCards);
                self.open_session_cards()?;
            }
            Command::Import => {
                self.go(Screen::Import);
                let today = self.today();
                self.import
                    .open(self.settings.import_mapping.clone(), today);
            }
            Command::Reports => {
                self.go(Screen::Reports);
                self.members.release_search_index();
                let today = self.today();
                self.reports.open(self.store, today);
            }
            Command::NextActivity => self.next_activity(),
            Command::ChargeAgain => self.charge_again()?,
            Command::Undo => self.undo()?,
            Command::Quit => self.quit = true,
            Command::Sell => self.sell()?,
            Command::Backup => self.backup_now(),
            Command::New
            | Command::Archive
            | Command::Delete
            | Command::ShowArchived
            | Command::Activities
            | Command::History
            | Command::Edit
            | Command::ChangeCard
            | Command::Erase
            | Command::Print
            | Command::SortReverse
            | Command::Thresholds
            | Command::Export
            | Command::ToInform
            | Command::MarkInformed
            | Command::WriteEmails
            | Command::SaveMapping
            | Command::NextPreset
            | Command::SwitchView
            | Command::TypeDates
            | Command::NextPeriod
            | Command::PreviousPeriod => {
                if let Some((screen, context)) = self.screen_parts() {
                    screen.command(command, &context)?;
                    self.after_screen_change()?;
                }
            }
        }
        Ok(())
    }

    /// Opens the sale dialog: on a member's profile, or after the front desk refused a
    /// member for want of a valid card.
    fn sell(&mut self) -> Result<(), StoreError> {
        if self.screen == Screen::FrontDesk {
            let Panel::Scan(result) = &self.panel else {
                return Ok(());
            };
            let CheckInOutcome::Refused {
                member: Some(member),
                ..
            } = &result.outcome
            else {
                return Ok(());
            };
            let member_id = member.id;
            self.go(Screen::Members);
            let today = self.today();
            self.members.open(self.store, today)?;
            self.members.show_profile(self.store, member_id)?;
        }
        if let Some((screen, context)) = self.screen_parts() {
            screen.command(Command::Sell, &context)?;
        }
        Ok(())
    }

    fn go(&mut self, screen: Screen) {
        self.popup = None;
        // Before the next screen loads its data, not after in `settle`: Session cards opened
        // while a report computed peaked at 157 MB with both screens' data.
        if screen != Screen::Reports {
            self.reports.release();
        }
        self.screen = screen;
        self.profile_opened_from = None;
        // Text left in the scan field would take the next Enter on the new screen.
        if screen != Screen::FrontDesk {
            self.clear_field();
        }
    }

    fn open_session_cards(&mut self) -> Result<(), StoreError> {
        let today = self.today();
        let index = self.members.search_index(self.store)?;
        let context = ScreenContext {
            store: self.store,
            catalog: &self.catalog,
            write: write_context(self.settings, self.clock),
            today,
            club_name: &self.settings.club_name,
            print_folder: &self.settings.print_folder,
            settings: self.settings,
        };
        self.session_cards.open(&context, index)
    }

    /// Cycles the current activity: every activity (none chosen), then each active one.
    fn next_activity(&mut self) {
        let position = self
            .activity
            .and_then(|current| self.activities.iter().position(|a| a.id == current));
        self.activity = match position {
            None => self.activities.first().map(|a| a.id),
            Some(index) => self.activities.get(index + 1).map(|a| a.id),
        };
    }

    fn charge_again(&mut self) -> Result<(), StoreError> {
        let Some(code) = self.repeat_candidate.take() else {
            self.panel = Panel::NothingToChargeAgain;
            return Ok(());
        };
        let request = ScanRequest {
            activity: self.activity,
            charge_again: true,
        };
        if let Some(result) = check_in_scan(
            self.store,
            self.settings,
            self.clock,
            code.as_str(),
            request,
        )? {
            self.show_result(result)?;
        }
        Ok(())
    }

    /// First press: ask to confirm the latest check-in still standing today. Second press: revert it.
    fn undo(&mut self) -> Result<(), StoreError> {
        if let Some(Popup::ConfirmUndo(row)) = self.popup.take() {
            let context = write_context(self.settings, self.clock);
            self.store.revert_check_in(row.event.id, &context)?;
            tracing::info!(event = row.event.id.0, "check-in reverted");
            if let Some(reverted) = self
                .today
                .iter_mut()
                .find(|today| today.event.id == row.event.id)
            {
                reverted.reverted = true;
            }
            self.repeat_candidate = None;
            self.panel = Panel::Undone(row);
            return Ok(());
        }
        self.screen = Screen::FrontDesk;
        match self.today.iter().find(|row| !row.reverted).cloned() {
            Some(mut row) => {
                // Rows beyond the named ones were loaded without names.
                if row.member_name.is_empty() {
                    row.member_name = self
                        .store
                        .member(row.event.member_id)?
                        .map(|m| m.full_name())
                        .unwrap_or_default();
                    row.card_name = self
                        .store
                        .card(row.event.card_id)?
                        .map(|c| c.name)
                        .unwrap_or_default();
                }
                self.popup = Some(Popup::ConfirmUndo(row));
            }
            None => self.panel = Panel::NothingToUndo,
        }
        Ok(())
    }

    fn tick(&mut self) -> Result<(), StoreError> {
        let today = self.settings.club_time.local_date(self.clock.now());
        if today != self.today_date {
            self.today_date = today;
            self.reload_today()?;
            if self.daily_backups {
                self.daily_backup();
            }
        }
        Ok(())
    }

    /// Writes a backup into the backup folder and shows its path on the front desk. No other
    /// process can open the database while the app runs, so this is how to back it up then.
    fn backup_now(&mut self) {
        self.go(Screen::FrontDesk);
        let folder = self.settings.backup_folder();
        match crate::backups::take_backup(self.store, &folder, self.clock.now()) {
            Ok(path) => {
                if self.settings.backup_keep > 0 {
                    crate::backups::prune(&folder, self.settings.backup_keep as usize);
                }
                tracing::info!("backup written from the app");
                self.panel = Panel::Notice {
                    lines: vec![
                        self.catalog
                            .tf("data.backup_taken", &[("path", &path.display())]),
                    ],
                    warning: false,
                };
            }
            Err(error) => {
                tracing::error!(%error, "backup from the app failed");
                let text = crate::backups::backup_error(&self.catalog, &error);
                self.panel = Panel::Notice {
                    lines: vec![self.catalog.tf("data.backup_failed", &[("detail", &text)])],
                    warning: true,
                };
            }
        }
    }

    /// Takes the daily backup if the newest one is more than a day old. Shows a warning on the
    /// front desk when daily backups are off or failed and the last one is more than a day
    /// old. The app calls this when it starts and whenever the club's day changes.
    pub fn daily_backup(&mut self) {
        self.daily_backups = true;
        let now = self.clock.now();
        let outcome = crate::backups::daily_backup(self.store, self.settings, &self.catalog, now);
        let key = self
            .keymap
            .key_for(Command::Backup)
            .unwrap_or("")
            .to_owned();
        self.panel = match outcome {
            // A backup that worked needs no attention, and the front desk keeps its ready
            // message (with the demo codes in a demo club).
            crate::backups::DailyBackup::Recent | crate::backups::DailyBackup::Taken(_) => return,
            crate::backups::DailyBackup::Stale { last, error } => {
                let mut lines = Vec::new();
                if let Some(error) = error {
                    lines.push(self.catalog.tf("data.backup_failed", &[("detail", &error)]));
                }
                lines.push(match last {
                    Some(last) => {
                        let date = self.settings.club_time.local_date(last);
                        self.catalog.tf(
                            "data.backup_stale",
                            &[("date", &self.catalog.date(date)), ("key", &key)],
                        )
                    }
                    None => self.catalog.tf("data.backup_none", &[("key", &key)]),
                });
                Panel::Notice {
                    lines,
                    warning: true,
                }
            }
        };
    }

    fn reload_today(&mut self) -> Result<(), StoreError> {
        let since = self.settings.club_time.start_of_day(self.today_date);
        self.today = self.store.check_ins_since_named(since, TODAY_NAMED_ROWS)?;
        Ok(())
    }

    /// Returns and clears the pending bell, so it rings once per refusal, after the draw.
    pub fn take_bell(&mut self) -> bool {
        std::mem::take(&mut self.bell_pending)
    }

    pub fn charges_today(&self) -> usize {
        self.today.iter().filter(|row| !row.reverted).count()
    }

    pub fn activity_name(&self) -> Option<&str> {
        let current = self.activity?;
        self.activities
            .iter()
            .find(|a| a.id == current)
            .map(|a| a.name.as_str())
    }

    pub fn can_charge_again(&self) -> bool {
        self.repeat_candidate.is_some()
    }
}

/// Returns the folder for report exports: `carnet-reports` beside the print folder, which
/// is the user's documents folder by default.
fn report_folder(settings: &Settings) -> std::path::PathBuf {
    let parent = settings
        .print_folder
        .parent()
        .unwrap_or_else(|| std::path::Path::new("."));
    parent.join("carnet-reports")
}

/// Returns a word for logs, which never contain members' names.
fn outcome_label(outcome: &CheckInOutcome) -> &'static str {
    match outcome {
        CheckInOutcome::Accepted { .. } => "accepted",
        CheckInOutcome::AlreadyCheckedIn { .. } => "already checked in",
        CheckInOutcome::Refused { .. } => "refused",
    }
}
