//! The interface of a screen that has its own lists, fields and shortcuts (Pricing, Members).
//! The app routes keys to the screen shown through this trait.

use super::app::NavKey;
use super::keymap::Command;
use crate::i18n::Catalog;
use crate::store::{Store, StoreError, WriteContext};
use chrono::NaiveDate;

/// The parts of the app that one screen update reads.
pub struct ScreenContext<'a> {
    pub store: &'a Store,
    pub catalog: &'a Catalog,
    pub write: WriteContext,
    pub today: NaiveDate,
    pub club_name: &'a str,
    /// Folder where printable membership cards are written.
    pub print_folder: &'a std::path::Path,
    pub settings: &'a crate::config::Settings,
}

pub trait ScreenState {
    /// Tells whether printable keys go to a field of this screen rather than to the scan field.
    fn takes_text(&self) -> bool;
    /// Tells whether a scanned card goes to the focused field, as in a member search, rather
    /// than to the front desk. Forms and dialogs leave it to the front desk.
    fn scan_goes_to_field(&self) -> bool {
        false
    }
    fn insert(&mut self, c: char);
    fn delete_back(&mut self);
    /// Tab (`forward`) or Shift-Tab.
    fn tab(&mut self, forward: bool);
    fn navigate(&mut self, key: NavKey);
    /// Esc: closes what is open; returns false when there was nothing to close.
    fn cancel(&mut self) -> bool;
    /// Enter.
    fn submit(&mut self, context: &ScreenContext) -> Result<(), StoreError>;
    /// Runs a shortcut of the screen's key scope.
    fn command(&mut self, command: Command, context: &ScreenContext) -> Result<(), StoreError>;
}
