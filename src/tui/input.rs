//! Terminal events turned into actions. The scan field takes printable keys before any
//! shortcut, so a scanned `q` or `1` is always text.

use super::app::Action;
use super::keymap::Keymap;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub fn translate(event: &Event, keymap: &Keymap) -> Option<Action> {
    match event {
        Event::Key(key) => translate_key(key, keymap),
        Event::Paste(text) => Some(Action::Paste(text.clone())),
        // A resize needs no state change: the next draw lays out the new size.
        _ => None,
    }
}

fn translate_key(key: &KeyEvent, keymap: &Keymap) -> Option<Action> {
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

    match key.code {
        KeyCode::Enter | KeyCode::Tab => return Some(Action::Submit),
        KeyCode::Backspace => return Some(Action::DeleteBack),
        KeyCode::Esc => return Some(Action::Cancel),
        KeyCode::Home
        | KeyCode::End
        | KeyCode::PageUp
        | KeyCode::PageDown
        | KeyCode::Up
        | KeyCode::Down
        | KeyCode::Left
        | KeyCode::Right
        | KeyCode::Insert
        | KeyCode::Delete
        | KeyCode::KeypadBegin => return Some(Action::StrayKey),
        _ => {}
    }
    keymap.command_for(key).map(Action::Command)
}

#[cfg(test)]
mod tests {
    use super::*;
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
            translate(&press(KeyCode::Char('q')), &keymap),
            Some(Action::Insert('q'))
        );
        assert_eq!(
            translate(&press(KeyCode::Char('1')), &keymap),
            Some(Action::Insert('1'))
        );
        let shifted = key(KeyCode::Char('Q'), KeyModifiers::SHIFT, KeyEventKind::Press);
        assert_eq!(translate(&shifted, &keymap), Some(Action::Insert('Q')));
    }

    #[test]
    fn release_events_ignored() {
        let keymap = Keymap::built_in().unwrap();
        let release = key(
            KeyCode::Char('1'),
            KeyModifiers::NONE,
            KeyEventKind::Release,
        );
        assert_eq!(translate(&release, &keymap), None);
        let enter_release = key(KeyCode::Enter, KeyModifiers::NONE, KeyEventKind::Release);
        assert_eq!(translate(&enter_release, &keymap), None);
    }

    #[test]
    fn altgr_is_text() {
        let keymap = Keymap::built_in().unwrap();
        let altgr = key(
            KeyCode::Char('@'),
            KeyModifiers::CONTROL | KeyModifiers::ALT,
            KeyEventKind::Press,
        );
        assert_eq!(translate(&altgr, &keymap), Some(Action::Insert('@')));
    }

    #[test]
    fn terminators_submit() {
        let keymap = Keymap::built_in().unwrap();
        assert_eq!(
            translate(&press(KeyCode::Enter), &keymap),
            Some(Action::Submit)
        );
        let line_feed = key(
            KeyCode::Char('j'),
            KeyModifiers::CONTROL,
            KeyEventKind::Press,
        );
        assert_eq!(translate(&line_feed, &keymap), Some(Action::Submit));
    }

    #[test]
    fn navigation_keys_are_stray() {
        let keymap = Keymap::built_in().unwrap();
        for code in [
            KeyCode::Home,
            KeyCode::End,
            KeyCode::PageDown,
            KeyCode::Insert,
            KeyCode::KeypadBegin,
        ] {
            assert_eq!(
                translate(&press(code), &keymap),
                Some(Action::StrayKey),
                "{code:?}"
            );
        }
    }

    #[test]
    fn function_keys_are_commands() {
        let keymap = Keymap::built_in().unwrap();
        assert_eq!(
            translate(&press(KeyCode::F(9)), &keymap),
            Some(Action::Command(Command::Undo))
        );
        let ctrl_c = key(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
            KeyEventKind::Press,
        );
        assert_eq!(
            translate(&ctrl_c, &keymap),
            Some(Action::Command(Command::Quit))
        );
    }

    #[test]
    fn paste_is_kept_whole() {
        let keymap = Keymap::built_in().unwrap();
        let paste = Event::Paste("0012345678".into());
        assert_eq!(
            translate(&paste, &keymap),
            Some(Action::Paste("0012345678".into()))
        );
    }
}
