//! Terminal events as scanners and terminals really send them, fed through the same
//! translation and `update` as the running app, against a real database.

mod common;

use carnet::domain::FixedClock;
use carnet::domain::card_type::Validity;
use carnet::i18n::Language;
use carnet::store::Store;
use carnet::tui::app::{App, Panel};
use carnet::tui::input::translate;
use carnet::tui::keymap::Keymap;
use chrono::Duration;
use common::*;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers};

fn key(code: KeyCode, kind: KeyEventKind) -> Event {
    Event::Key(KeyEvent {
        code,
        modifiers: KeyModifiers::NONE,
        kind,
        state: KeyEventState::NONE,
    })
}

fn feed(app: &mut App, events: &[Event]) {
    for event in events {
        if let Some(action) = translate(event, &app.keymap, app.key_scope()) {
            app.update(action);
        }
    }
}

fn press_and_release(text: &str) -> Vec<Event> {
    let mut events = Vec::new();
    for c in text.chars() {
        events.push(key(KeyCode::Char(c), KeyEventKind::Press));
        events.push(key(KeyCode::Char(c), KeyEventKind::Release));
    }
    events.push(key(KeyCode::Enter, KeyEventKind::Press));
    events.push(key(KeyCode::Enter, KeyEventKind::Release));
    events
}

struct Desk {
    _dir: tempfile::TempDir,
    store: Store,
    settings: carnet::config::Settings,
    clock: FixedClock,
    card: carnet::domain::CardId,
}

fn desk() -> Desk {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let settings = settings(&dir.path().join("db"), Language::En);
    let member = member_with_code(
        &store,
        "Léa",
        "Martin",
        "0012345678",
        paris(2026, 1, 1, 9, 0, 0),
    );
    let card = sell(
        &store,
        &member,
        &card_type(&store, "Dix", 10, Validity::None),
        date(2026, 1, 1),
    )
    .id;
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 0, 0));
    Desk {
        _dir: dir,
        store,
        settings,
        clock,
        card,
    }
}

fn remaining(desk: &Desk) -> u32 {
    desk.store
        .card(desk.card)
        .unwrap()
        .unwrap()
        .sessions_remaining
}

#[test]
fn press_and_release_count_once() {
    let desk = desk();
    let mut app = App::new(
        &desk.store,
        &desk.settings,
        &desk.clock,
        Keymap::built_in().unwrap(),
    )
    .unwrap();
    feed(&mut app, &press_and_release("0012345678"));
    assert_eq!(remaining(&desk), 9);
    assert_eq!(app.today.len(), 1);
    assert_eq!(app.scan.value(), "", "the field is empty after the result");
}

#[test]
fn paste_then_enter_deducts_once() {
    let desk = desk();
    let mut app = App::new(
        &desk.store,
        &desk.settings,
        &desk.clock,
        Keymap::built_in().unwrap(),
    )
    .unwrap();
    feed(&mut app, &[Event::Paste("0012345678".to_owned())]);
    assert_eq!(remaining(&desk), 10, "a paste alone never submits");
    feed(&mut app, &[key(KeyCode::Enter, KeyEventKind::Press)]);
    assert_eq!(remaining(&desk), 9);
}

#[test]
fn paste_drops_control_characters() {
    let desk = desk();
    let mut app = App::new(
        &desk.store,
        &desk.settings,
        &desk.clock,
        Keymap::built_in().unwrap(),
    )
    .unwrap();
    feed(&mut app, &[Event::Paste("Dupont\r\n".to_owned())]);
    assert_eq!(app.scan.value(), "Dupont");
}

#[test]
fn scanned_q_is_text_not_quit() {
    let desk = desk();
    let mut app = App::new(
        &desk.store,
        &desk.settings,
        &desk.clock,
        Keymap::built_in().unwrap(),
    )
    .unwrap();
    feed(&mut app, &[key(KeyCode::Char('q'), KeyEventKind::Press)]);
    assert!(!app.quit);
    assert_eq!(app.scan.value(), "q");
}

#[test]
fn numlock_off_burst_is_unreadable() {
    let desk = desk();
    let mut app = App::new(
        &desk.store,
        &desk.settings,
        &desk.clock,
        Keymap::built_in().unwrap(),
    )
    .unwrap();
    // 0012345678 typed on a keypad with NumLock off.
    let keypad = [
        KeyCode::Insert,
        KeyCode::Insert,
        KeyCode::End,
        KeyCode::Down,
        KeyCode::PageDown,
        KeyCode::Left,
        KeyCode::KeypadBegin,
        KeyCode::Right,
        KeyCode::Home,
        KeyCode::Up,
        KeyCode::Enter,
    ];
    let events: Vec<Event> = keypad
        .iter()
        .map(|&code| key(code, KeyEventKind::Press))
        .collect();
    feed(&mut app, &events);
    assert_eq!(app.panel, Panel::Unreadable);
    assert_eq!(remaining(&desk), 10);

    // The next clean scan works as usual.
    feed(&mut app, &press_and_release("0012345678"));
    assert_eq!(remaining(&desk), 9);
}

#[test]
fn scan_during_undo_prompt_is_kept() {
    let desk = desk();
    let mut app = App::new(
        &desk.store,
        &desk.settings,
        &desk.clock,
        Keymap::built_in().unwrap(),
    )
    .unwrap();
    feed(&mut app, &press_and_release("0012345678"));
    feed(&mut app, &[key(KeyCode::F(9), KeyEventKind::Press)]);
    assert!(app.popup.is_some(), "F9 asks for confirmation");

    // A member scans while the prompt is open: the prompt closes and the scan counts.
    desk.clock.advance(Duration::minutes(30));
    feed(&mut app, &press_and_release("0012345678"));
    assert!(app.popup.is_none());
    assert_eq!(remaining(&desk), 8);
}

#[test]
fn undo_needs_second_press() {
    let desk = desk();
    let mut app = App::new(
        &desk.store,
        &desk.settings,
        &desk.clock,
        Keymap::built_in().unwrap(),
    )
    .unwrap();
    feed(&mut app, &press_and_release("0012345678"));
    feed(
        &mut app,
        &[
            key(KeyCode::F(9), KeyEventKind::Press),
            key(KeyCode::Esc, KeyEventKind::Press),
        ],
    );
    assert_eq!(remaining(&desk), 9, "Esc keeps the check-in");
    feed(
        &mut app,
        &[
            key(KeyCode::F(9), KeyEventKind::Press),
            key(KeyCode::F(9), KeyEventKind::Press),
        ],
    );
    assert_eq!(remaining(&desk), 10);
    assert!(matches!(app.panel, Panel::Undone(_)));

    feed(&mut app, &[key(KeyCode::F(9), KeyEventKind::Press)]);
    assert_eq!(app.panel, Panel::NothingToUndo);
    assert!(desk.store.verify_balances().unwrap().is_empty());
}

#[test]
fn charge_again_only_after_warning() {
    let desk = desk();
    let mut app = App::new(
        &desk.store,
        &desk.settings,
        &desk.clock,
        Keymap::built_in().unwrap(),
    )
    .unwrap();
    feed(&mut app, &[key(KeyCode::F(8), KeyEventKind::Press)]);
    assert_eq!(app.panel, Panel::NothingToChargeAgain);

    feed(&mut app, &press_and_release("0012345678"));
    desk.clock.advance(Duration::seconds(30));
    feed(&mut app, &press_and_release("0012345678"));
    assert_eq!(
        remaining(&desk),
        9,
        "the repeat guard stops the second scan"
    );
    assert!(app.can_charge_again());
    feed(&mut app, &[key(KeyCode::F(8), KeyEventKind::Press)]);
    assert_eq!(remaining(&desk), 8);
    feed(&mut app, &[key(KeyCode::F(8), KeyEventKind::Press)]);
    assert_eq!(remaining(&desk), 8, "F8 deducts once per warning");
}

#[test]
fn day_change_clears_today_list() {
    let desk = desk();
    let mut app = App::new(
        &desk.store,
        &desk.settings,
        &desk.clock,
        Keymap::built_in().unwrap(),
    )
    .unwrap();
    feed(&mut app, &press_and_release("0012345678"));
    assert_eq!(app.today.len(), 1);
    desk.clock.set(paris(2026, 12, 5, 0, 0, 1));
    app.update(carnet::tui::app::Action::Tick);
    assert!(app.today.is_empty());
}
