//! The Import screen: render snapshots in French and English on ratatui's TestBackend, and the
//! keys that change the mapping, save it, confirm and write.

mod common;

use carnet::domain::FixedClock;
use carnet::domain::card_type::Validity;
use carnet::i18n::Language;
use carnet::store::Store;
use carnet::tui::app::{Action, App, NavKey, Screen};
use carnet::tui::import::ImportStep;
use carnet::tui::keymap::{Command, Keymap};
use common::*;

/// Relative to the package root, where `cargo test` runs, so snapshots show no temp path.
const BAD_ROW_FILE: &str = "tests/data/import/members-bad-row.csv";

fn club(dir: &std::path::Path) -> Store {
    let store = open(&dir.join("db"));
    member_with_code(
        &store,
        "Marie-Hélène",
        "Dupont",
        "31415926",
        paris(2026, 9, 1, 10, 0, 0),
    );
    card_type(&store, "10 séances adulte", 10, Validity::Months(12));
    store
}

fn screen_text(app: &App, width: u16, height: u16) -> String {
    hide_codes(&common::plain_screen(app, width, height))
}

/// Replaces member codes, which are drawn at random, with `########`.
fn hide_codes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once('\n')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() == 8 {
            out.push_str("########");
        } else {
            out.push_str(&digits);
        }
        digits.clear();
        out.push(c);
    }
    out.pop();
    out
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::Insert(c));
    }
}

fn open_import(app: &mut App) {
    app.update(Action::Command(Command::Members));
    app.update(Action::Command(Command::Import));
    assert_eq!(app.screen, Screen::Import);
}

fn snapshots(language: Language) {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let mut settings = settings(&dir.path().join("db"), language);
    settings.import_mapping = dir.path().join("import-mapping.toml");
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 2, 10));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    let name = match language {
        Language::En => "en",
        Language::Fr => "fr",
    };

    open_import(&mut app);
    type_text(&mut app, BAD_ROW_FILE);
    insta::assert_snapshot!(format!("{name}_import_path"), screen_text(&app, 120, 40));

    app.update(Action::Submit);
    assert_eq!(app.import.step, ImportStep::Review);
    insta::assert_snapshot!(format!("{name}_import_review"), screen_text(&app, 120, 40));
    insta::assert_snapshot!(
        format!("{name}_import_review_small"),
        screen_text(&app, 80, 24)
    );

    app.update(Action::Submit);
    assert_eq!(app.import.step, ImportStep::Confirm);
    insta::assert_snapshot!(format!("{name}_import_confirm"), screen_text(&app, 120, 40));

    app.update(Action::Submit);
    assert_eq!(app.import.step, ImportStep::Done);
    insta::assert_snapshot!(format!("{name}_import_done"), screen_text(&app, 120, 40));

    app.update(Action::Submit);
    app.update(Action::Submit);
    insta::assert_snapshot!(format!("{name}_import_again"), screen_text(&app, 120, 40));
}

#[test]
fn import_screen_english() {
    snapshots(Language::En);
}

#[test]
fn import_screen_french() {
    snapshots(Language::Fr);
}

#[test]
fn mapping_changed_on_screen_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let mut settings = settings(&dir.path().join("db"), Language::En);
    settings.import_mapping = dir.path().join("import-mapping.toml");
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 2, 10));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();

    open_import(&mut app);
    type_text(&mut app, BAD_ROW_FILE);
    app.update(Action::Submit);
    let cards_before = app.import.plan.as_ref().unwrap().cards_to_create();
    assert_eq!(cards_before, 2);

    // The sixth column, Carnet, is no longer read: no card is planned.
    for _ in 0..5 {
        app.update(Action::Navigate(NavKey::Down));
    }
    app.update(Action::Navigate(NavKey::Right));
    let file = app.import.file.as_ref().unwrap();
    assert_eq!(
        file.mapping.columns[5],
        Some(carnet::import::Field::SessionsLeft)
    );
    let plan = app.import.plan.as_ref().unwrap();
    assert_eq!(plan.cards_to_create(), 0, "planned again after the change");
    assert_eq!(
        plan.problems.len(),
        6,
        "card type names are not numbers of sessions"
    );

    // Back to the card type, then saved.
    app.update(Action::Navigate(NavKey::Left));
    assert_eq!(app.import.plan.as_ref().unwrap().cards_to_create(), 2);
    app.update(Action::Navigate(NavKey::Down));
    app.update(Action::Navigate(NavKey::Right));
    app.update(Action::Navigate(NavKey::Right));
    app.update(Action::Command(Command::SaveMapping));
    assert!(app.import.notice.as_ref().unwrap().ok);
    let saved = std::fs::read_to_string(&settings.import_mapping).unwrap();
    assert!(saved.contains("Montant = \"ignore\""), "{saved}");
    assert!(saved.contains("Carnet = \"card_type\""), "{saved}");

    // Read again: the saved mapping applies.
    app.update(Action::Cancel);
    app.update(Action::Submit);
    let file = app.import.file.as_ref().unwrap();
    assert_eq!(file.mapping.columns[6], None);
}

#[test]
fn confirmed_import_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let mut settings = settings(&dir.path().join("db"), Language::En);
    settings.import_mapping = dir.path().join("import-mapping.toml");
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 2, 10));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();

    open_import(&mut app);
    type_text(&mut app, BAD_ROW_FILE);
    app.update(Action::Submit);
    assert_eq!(store.member_count(), 1, "nothing written by the dry run");
    app.update(Action::Submit);
    assert_eq!(
        store.member_count(),
        1,
        "nothing written before the second Enter"
    );
    app.update(Action::Submit);
    assert_eq!(store.member_count(), 6);
    assert!(store.verify_balances().unwrap().is_empty());

    // The same file again creates no member.
    app.update(Action::Submit);
    app.update(Action::Submit);
    let plan = app.import.plan.as_ref().unwrap();
    assert_eq!(plan.members_to_create(), 0);
    app.update(Action::Submit);
    app.update(Action::Submit);
    assert_eq!(store.member_count(), 6);

    // Esc twice goes back to Members, whose search finds the imported members.
    app.update(Action::Cancel);
    app.update(Action::Cancel);
    assert_eq!(app.screen, Screen::Members);
    type_text(&mut app, "celik");
    app.settle();
    assert_eq!(app.members.rows.len(), 1);
}
