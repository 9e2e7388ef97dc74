//! Terminal events turned into actions. The scan field takes printable keys before any
//! shortcut, so a scanned `q` or `1` is always text.

use super::app::{Action, NavKey};
use super::keymap::{KeyScope, Keymap};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Turns one event into an action; `scope` is the current screen's key scope, if any.
pub fn translate(event: &Event, keymap: &Keymap, scope: Option<KeyScope>) -> Option<Action> {
    match event {
        Event::Key(key) => translate_key(key, keymap, scope),
        Event::Paste(text) => Some(Action::Paste(text.clone())),
        // A resize needs no state change: the next draw lays out the new size.
        _ => None,
    }
}

fn translate_key(key: &KeyEvent, keymap: &Keymap, scope: Option<KeyScope>) -> Option<Action> {
    // Terminals that report releases (Windows, the kitty protocol) would count every key twice.
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let modifiers = key.modifiers;
    let control = modifiers.contains(KeyModifiers::CONTROL);
    let alt = modifiers.contains(KeyModifiers::ALT);

    if let KeyCode::Char(c) = key.code {
        // AltGr arrives as Ctrl+Alt on Windows: it is typing, not a shortcut.
        if !control && !alt || control && alt {
            return Some(Action::Insert(c));
        }
        // In raw mode a line feed arrives as Ctrl+J: some scanners end codes with it.
        if control && c == 'j' {
            return Some(Action::Submit);
        }
        if control && c == 'u' {
            return Some(Action::ClearField);
        }
    }

    let navigation = match key.code {
        KeyCode::Enter => return Some(Action::Submit),
        KeyCode::Tab => return Some(Action::Tab),
        KeyCode::BackTab => return Some(Action::BackTab),
        KeyCode::Backspace => return Some(Action::DeleteBack),
        KeyCode::Esc => return Some(Action::Cancel),
        KeyCode::Home => NavKey::Home,
        KeyCode::End => NavKey::End,
        KeyCode::PageUp => NavKey::PageUp,
        KeyCode::PageDown => NavKey::PageDown,
        KeyCode::Up => NavKey::Up,
        KeyCode::Down => NavKey::Down,
        KeyCode::Left => NavKey::Left,
        KeyCode::Right => NavKey::Right,
        KeyCode::Insert => NavKey::Insert,
        KeyCode::Delete => NavKey::Delete,
        KeyCode::KeypadBegin => NavKey::KeypadBegin,
        _ => return keymap.command_for(key, scope).map(Action::Command),
    };
    Some(Action::Navigate(navigation))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::NavKey;
    use crate::tui::keymap::Command;
    use crossterm::event::KeyEventState;

    fn key(code: KeyCode, modifiers: KeyModifiers, kind: KeyEventKind) -> Event {
        Event::Key(KeyEvent {
            code,
            modifiers,
            kind,
            state: KeyEventState::NONE,
        })
    }

    fn press(code: KeyCode) -> Event {
        key(code, KeyModifiers::NONE, KeyEventKind::Press)
    }

    #[test]
    fn letters_and_digits_are_text() {
        let keymap = Keymap::built_in().unwrap();
        assert_eq!(
            translate(&press(KeyCode::Char('q')), &keymap, None),
            Some(Action::Insert('q'))
        );
        assert_eq!(
            translate(&press(KeyCode::Char('1')), &keymap, None),
            Some(Action::Insert('1'))
        );
        let shifted = key(KeyCode::Char('Q'), KeyModifiers::SHIFT, KeyEventKind::Press);
        assert_eq!(
            translate(&shifted, &keymap, None),
            Some(Action::Insert('Q'))
        );
    }

    #[test]
    fn release_events_ignored() {
        let keymap = Keymap::built_in().unwrap();
        let release = key(
            KeyCode::Char('1'),
            KeyModifiers::NONE,
            KeyEventKind::Release,
        );
        assert_eq!(translate(&release, &keymap, None), None);
        let enter_release = key(KeyCode::Enter, KeyModifiers::NONE, KeyEventKind::Release);
        assert_eq!(translate(&enter_release, &keymap, None), None);
    }

    #[test]
    fn altgr_is_text() {
        let keymap = Keymap::built_in().unwrap();
        let altgr = key(
            KeyCode::Char('@'),
            KeyModifiers::CONTROL | KeyModifiers::ALT,
            KeyEventKind::Press,
        );
        assert_eq!(translate(&altgr, &keymap, None), Some(Action::Insert('@')));
    }

    #[test]
    fn terminators_submit() {
        let keymap = Keymap::built_in().unwrap();
        assert_eq!(
            translate(&press(KeyCode::Enter), &keymap, None),
            Some(Action::Submit)
        );
        let line_feed = key(
            KeyCode::Char('j'),
            KeyModifiers::CONTROL,
            KeyEventKind::Press,
        );
        assert_eq!(translate(&line_feed, &keymap, None), Some(Action::Submit));
    }

    #[test]
    fn navigation_keys_are_navigation() {
        let keymap = Keymap::built_in().unwrap();
        let cases = [
            (KeyCode::Home, NavKey::Home),
            (KeyCode::End, NavKey::End),
            (KeyCode::PageDown, NavKey::PageDown),
            (KeyCode::Insert, NavKey::Insert),
            (KeyCode::KeypadBegin, NavKey::KeypadBegin),
        ];
        for (code, expected) in cases {
            assert_eq!(
                translate(&press(code), &keymap, None),
                Some(Action::Navigate(expected)),
                "{code:?}"
            );
        }
        assert_eq!(
            translate(&press(KeyCode::Tab), &keymap, None),
            Some(Action::Tab)
        );
    }

    #[test]
    fn function_keys_are_commands() {
        let keymap = Keymap::built_in().unwrap();
        assert_eq!(
            translate(&press(KeyCode::F(9)), &keymap, None),
            Some(Action::Command(Command::Undo))
        );
        let ctrl_c = key(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
            KeyEventKind::Press,
        );
        assert_eq!(
            translate(&ctrl_c, &keymap, None),
            Some(Action::Command(Command::Quit))
        );
    }

    #[test]
    fn paste_is_kept_whole() {
        let keymap = Keymap::built_in().unwrap();
        let paste = Event::Paste("0012345678".into());
        assert_eq!(
            translate(&paste, &keymap, None),
            Some(Action::Paste("0012345678".into()))
        );
    }
}
