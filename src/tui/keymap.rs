//! Shortcuts as data, from assets/keymap.toml: each binding's keys, action and description.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

/// What a shortcut asks for.
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
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    pub keys: Vec<String>,
    pub action: Command,
    /// Catalog key of the description.
    pub label: String,
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

    /// Returns the command bound to a key press, if any.
    pub fn command_for(&self, event: &KeyEvent) -> Option<Command> {
        let pressed = (event.code, event.modifiers);
        self.bindings
            .iter()
            .find(|binding| {
                binding
                    .keys
                    .iter()
                    .filter_map(|key| parse_key(key))
                    .any(|key| key == pressed)
            })
            .map(|binding| binding.action)
    }

    /// The first key of a command, as written in the keymap, for hints.
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
        assert_eq!(keymap.command_for(&f9), Some(Command::Undo));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(keymap.command_for(&ctrl_c), Some(Command::Quit));
    }

    #[test]
    fn plain_letters_are_never_shortcuts() {
        let keymap = Keymap::built_in().unwrap();
        for c in ('a'..='z').chain('0'..='9') {
            let plain = KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
            assert_eq!(keymap.command_for(&plain), None, "{c}");
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
