//! Shortcuts as data, from assets/keymap.toml: each binding's keys, action and description.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

/// The command a shortcut triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Help,
    FrontDesk,
    Members,
    Pricing,
    SessionCards,
    Reports,
    NextActivity,
    ChargeAgain,
    Undo,
    Quit,
    /// Create a record on the current screen.
    New,
    /// Archive the selected record, or restore an archived one.
    Archive,
    Delete,
    ShowArchived,
    Activities,
    History,
    /// Edit the record shown.
    Edit,
    /// Sell a card to the member shown, or to the member just refused at the front desk.
    Sell,
    /// Change the selected card: sessions, expiry, payment, cancellation, refund.
    ChangeCard,
    /// Write printable membership cards of the member shown, or of every match listed.
    Print,
    /// Reverse the order of the sorted column.
    SortReverse,
    /// Change the N of the filters that take one.
    Thresholds,
    /// Write what the screen shows as a CSV file.
    Export,
    /// Switch between the card overview and the members to inform.
    ToInform,
    /// Record that the selected member was told about their cards.
    MarkInformed,
    /// Write one e-mail per member to inform.
    WriteEmails,
    /// Write a backup of the database into the backup folder.
    Backup,
    /// Erase the personal details of the member shown, after a confirmation.
    Erase,
    /// Open the Import screen, to read members from a CSV file.
    Import,
    /// Save the Import screen's column mapping.
    SaveMapping,
    /// Read the file again with the next preset layout.
    NextPreset,
    /// Reports: switch between the chart and the table of the same figures.
    SwitchView,
    /// Reports: type the period's first and last dates.
    TypeDates,
    /// Reports: the next choice of period (week, month, season, 12 months, dates).
    NextPeriod,
    PreviousPeriod,
}

/// The screen a binding applies to; bindings without a scope apply everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyScope {
    Pricing,
    Members,
    MemberProfile,
    SessionCards,
    ToInform,
    Import,
    Reports,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    pub keys: Vec<String>,
    pub action: Command,
    /// Catalog key of the description.
    pub label: String,
    #[serde(default)]
    pub screen: Option<KeyScope>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keymap {
    #[serde(rename = "binding")]
    pub bindings: Vec<Binding>,
}

#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    #[error("keymap is invalid: {0}")]
    Invalid(#[from] toml::de::Error),
    #[error("keymap names {key:?}, which is not a key; use F1 to F12 or Ctrl-<letter>")]
    UnknownKey { key: String },
}

impl Keymap {
    pub fn built_in() -> Result<Keymap, KeymapError> {
        Keymap::parse(include_str!("../../assets/keymap.toml"))
    }

    pub fn parse(source: &str) -> Result<Keymap, KeymapError> {
        let keymap: Keymap = toml::from_str(source)?;
        for binding in &keymap.bindings {
            for key in &binding.keys {
                if parse_key(key).is_none() {
                    return Err(KeymapError::UnknownKey { key: key.clone() });
                }
            }
        }
        Ok(keymap)
    }

    /// Returns the command bound to a key press, if any: a binding of the current screen
    /// first, then a global one.
    pub fn command_for(&self, event: &KeyEvent, scope: Option<KeyScope>) -> Option<Command> {
        let pressed = (event.code, event.modifiers);
        let bound = |binding: &&Binding| {
            binding
                .keys
                .iter()
                .filter_map(|key| parse_key(key))
                .any(|key| key == pressed)
        };
        let scoped = self
            .bindings
            .iter()
            .filter(|b| scope.is_some() && b.screen == scope)
            .find(bound);
        let global = || {
            self.bindings
                .iter()
                .filter(|b| b.screen.is_none())
                .find(bound)
        };
        scoped.or_else(global).map(|binding| binding.action)
    }

    /// Returns the bindings of one screen, for its footer.
    pub fn scoped(&self, scope: KeyScope) -> impl Iterator<Item = &Binding> {
        self.bindings
            .iter()
            .filter(move |binding| binding.screen == Some(scope))
    }

    /// Returns the first key of a command, as written in the keymap, for hints.
    pub fn key_for(&self, command: Command) -> Option<&str> {
        self.bindings
            .iter()
            .find(|binding| binding.action == command)
            .and_then(|binding| binding.keys.first())
            .map(String::as_str)
    }
}

/// Parses `F1`…`F12` and `Ctrl-<letter>`, the only keys a scanner cannot type.
fn parse_key(text: &str) -> Option<(KeyCode, KeyModifiers)> {
    if let Some(number) = text.strip_prefix('F') {
        let number: u8 = number.parse().ok()?;
        return (1..=12)
            .contains(&number)
            .then_some((KeyCode::F(number), KeyModifiers::NONE));
    }
    let letter = text.strip_prefix("Ctrl-")?;
    let mut chars = letter.chars();
    let (Some(letter), None) = (chars.next(), chars.next()) else {
        return None;
    };
    letter.is_ascii_alphabetic().then(|| {
        (
            KeyCode::Char(letter.to_ascii_lowercase()),
            KeyModifiers::CONTROL,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_keymap_parses() {
        let keymap = Keymap::built_in().unwrap();
        let f9 = KeyEvent::new(KeyCode::F(9), KeyModifiers::NONE);
        assert_eq!(keymap.command_for(&f9, None), Some(Command::Undo));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keymap.command_for(&ctrl_c, None), Some(Command::Quit));
        let ctrl_n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(keymap.command_for(&ctrl_n, None), None);
        assert_eq!(
            keymap.command_for(&ctrl_n, Some(KeyScope::Pricing)),
            Some(Command::New)
        );
    }

    #[test]
    fn plain_letters_are_never_shortcuts() {
        let keymap = Keymap::built_in().unwrap();
        for c in ('a'..='z').chain('0'..='9') {
            let plain = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            assert_eq!(
                keymap.command_for(&plain, Some(KeyScope::Pricing)),
                None,
                "{c}"
            );
        }
    }

    #[test]
    fn printable_key_in_keymap_is_rejected() {
        let error = Keymap::parse(
            "[[binding]]\nkeys = [\"q\"]\naction = \"quit\"\nlabel = \"keys.quit\"\n",
        );
        assert!(matches!(error, Err(KeymapError::UnknownKey { .. })));
    }
}
