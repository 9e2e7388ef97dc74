//! Render snapshots of the front desk on ratatui's TestBackend, in French and English, at
//! 80×24 (the minimum) and 120×40, with a fixed clock and known member codes.

mod common;

use carnet::domain::FixedClock;
use carnet::domain::card_type::Validity;
use carnet::i18n::Language;
use carnet::store::Store;
use carnet::tui::app::{Action, App};
use carnet::tui::keymap::{Command, Keymap};
use chrono::Duration;
use common::*;

/// Builds a club of three members: one with a valid card, one whose card expired, one archived.
fn club(dir: &std::path::Path) -> Store {
    let store = open(&dir.join("db"));
    let created = paris(2026, 9, 1, 10, 0, 0);
    let marie = member_with_code(&store, "Marie", "Dupont", "31415926", created);
    let yann = member_with_code(&store, "Yann", "Le Goff", "27182818", created);
    let lan = member_with_code(&store, "Thi Lan", "Nguyễn", "16180339", created);
    let ten = card_type(&store, "10 séances adulte", 10, Validity::Months(12));
    let short = card_type(&store, "Découverte", 3, Validity::Days(30));
    sell(&store, &marie, &ten, date(2026, 9, 1));
    sell(&store, &yann, &short, date(2026, 9, 1));
    sell(&store, &lan, &ten, date(2026, 11, 2));
    store
}

fn screen_text(app: &App, width: u16, height: u16) -> String {
    plain_screen(app, width, height)
}

fn type_scan(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::Insert(c));
    }
    app.update(Action::Submit);
}

fn language_name(language: Language) -> &'static str {
    match language {
        Language::En => "en",
        Language::Fr => "fr",
    }
}

/// Draws each step of a front-desk session, in one language, and snapshots it.
fn session_snapshots(language: Language) {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), language);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 2, 10));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    let name = language_name(language);

    insta::assert_snapshot!(format!("{name}_ready"), screen_text(&app, 80, 24));

    type_scan(&mut app, "31415926");
    insta::assert_snapshot!(format!("{name}_accepted"), screen_text(&app, 80, 24));
    insta::assert_snapshot!(format!("{name}_accepted_large"), screen_text(&app, 120, 40));

    clock.advance(Duration::seconds(20));
    type_scan(&mut app, "31415926");
    insta::assert_snapshot!(
        format!("{name}_already_checked_in"),
        screen_text(&app, 80, 24)
    );

    type_scan(&mut app, "27182818");
    insta::assert_snapshot!(format!("{name}_refused_expired"), screen_text(&app, 80, 24));

    type_scan(&mut app, "àà&é\"'(-è_");
    insta::assert_snapshot!(format!("{name}_unknown_code"), screen_text(&app, 80, 24));

    clock.advance(Duration::minutes(1));
    let lan_typed_on_azerty: String = "16180339"
        .chars()
        .map(|digit| {
            "à&é\"'(-è_ç"
                .chars()
                .nth(digit.to_digit(10).unwrap() as usize)
                .unwrap()
        })
        .collect();
    type_scan(&mut app, &lan_typed_on_azerty);
    insta::assert_snapshot!(format!("{name}_layout_mismatch"), screen_text(&app, 80, 24));

    app.update(Action::Navigate(carnet::tui::app::NavKey::Home));
    app.update(Action::Navigate(carnet::tui::app::NavKey::Home));
    app.update(Action::Submit);
    insta::assert_snapshot!(format!("{name}_unreadable"), screen_text(&app, 80, 24));

    app.update(Action::Command(Command::Undo));
    insta::assert_snapshot!(format!("{name}_undo_confirm"), screen_text(&app, 80, 24));
    app.update(Action::Command(Command::Undo));
    insta::assert_snapshot!(format!("{name}_undone"), screen_text(&app, 80, 24));

    app.update(Action::Command(Command::Help));
    insta::assert_snapshot!(format!("{name}_help"), screen_text(&app, 80, 24));
    app.update(Action::Cancel);

    app.update(Action::Command(Command::Members));
    insta::assert_snapshot!(format!("{name}_members_screen"), screen_text(&app, 80, 24));

    insta::assert_snapshot!(format!("{name}_too_small"), screen_text(&app, 60, 20));
}

#[test]
fn front_desk_english() {
    session_snapshots(Language::En);
}

#[test]
fn front_desk_french() {
    session_snapshots(Language::Fr);
}

#[test]
fn tiny_sizes_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::Fr);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 2, 10));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    type_scan(&mut app, "31415926");
    app.update(Action::Command(Command::Help));
    for (width, height) in [(1, 1), (20, 5), (79, 24), (80, 23), (80, 24), (300, 100)] {
        let text = screen_text(&app, width, height);
        assert_eq!(
            text.lines().count(),
            usize::from(height),
            "{width}×{height}"
        );
    }
}

/// Draws Finance › Pricing: the list, the form with its errors, the activities and the history.
fn pricing_snapshots(language: Language) {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let ctx = context(paris(2026, 12, 1, 9, 0, 0));
    store.create_activity("Yoga", &ctx).unwrap().unwrap();
    store.create_activity("Judo U12", &ctx).unwrap().unwrap();
    let settings = settings(&dir.path().join("db"), language);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 2, 10));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    let name = language_name(language);

    app.update(Action::Command(Command::Pricing));
    insta::assert_snapshot!(format!("{name}_pricing_list"), screen_text(&app, 80, 24));
    insta::assert_snapshot!(
        format!("{name}_pricing_list_wide"),
        screen_text(&app, 140, 30)
    );

    app.update(Action::Command(Command::New));
    for c in "10 SÉANCES ADULTE".chars() {
        app.update(Action::Insert(c));
    }
    app.update(Action::Tab);
    for c in "12,505".chars() {
        app.update(Action::Insert(c));
    }
    app.update(Action::Submit);
    insta::assert_snapshot!(
        format!("{name}_pricing_form_errors"),
        screen_text(&app, 80, 24)
    );
    app.update(Action::Cancel);

    app.update(Action::Command(Command::Activities));
    insta::assert_snapshot!(
        format!("{name}_pricing_activities"),
        screen_text(&app, 80, 24)
    );
    app.update(Action::Cancel);

    app.update(Action::Command(Command::Archive));
    app.update(Action::Command(Command::History));
    insta::assert_snapshot!(format!("{name}_pricing_history"), screen_text(&app, 80, 24));
}

#[test]
fn pricing_english() {
    pricing_snapshots(Language::En);
}

#[test]
fn pricing_french() {
    pricing_snapshots(Language::Fr);
}

/// Draws Members: a search, the profile, and the form with its errors.
fn members_snapshots(language: Language) {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), language);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 2, 10));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    let name = language_name(language);

    type_scan(&mut app, "31415926");
    app.update(Action::Command(Command::Members));
    for c in "dupont mar".chars() {
        app.update(Action::Insert(c));
    }
    app.settle();
    insta::assert_snapshot!(format!("{name}_members_search"), screen_text(&app, 80, 24));
    insta::assert_snapshot!(
        format!("{name}_members_search_wide"),
        screen_text(&app, 120, 30)
    );

    app.update(Action::Submit);
    insta::assert_snapshot!(format!("{name}_member_profile"), screen_text(&app, 80, 24));
    app.update(Action::Submit);
    insta::assert_snapshot!(
        format!("{name}_member_card_history"),
        screen_text(&app, 80, 24)
    );
    app.update(Action::Cancel);
    app.update(Action::Tab);
    app.update(Action::Tab);
    insta::assert_snapshot!(
        format!("{name}_member_attendance"),
        screen_text(&app, 80, 24)
    );

    app.update(Action::Command(Command::Sell));
    app.update(Action::Tab);
    for c in "cash:50".chars() {
        app.update(Action::Insert(c));
    }
    app.update(Action::Submit);
    insta::assert_snapshot!(
        format!("{name}_sale_dialog_error"),
        screen_text(&app, 80, 24)
    );
    app.update(Action::Cancel);
    app.update(Action::BackTab);
    app.update(Action::BackTab);
    app.update(Action::Command(Command::ChangeCard));
    insta::assert_snapshot!(
        format!("{name}_card_change_dialog"),
        screen_text(&app, 80, 24)
    );
    app.update(Action::Cancel);
    app.update(Action::Tab);
    insta::assert_snapshot!(
        format!("{name}_member_purchases"),
        screen_text(&app, 80, 24)
    );

    app.update(Action::Command(Command::Edit));
    app.update(Action::Tab);
    app.update(Action::Tab);
    for c in "marie@".chars() {
        app.update(Action::Insert(c));
    }
    app.update(Action::Submit);
    insta::assert_snapshot!(
        format!("{name}_member_form_errors"),
        screen_text(&app, 80, 24)
    );
}

#[test]
fn members_english() {
    members_snapshots(Language::En);
}

#[test]
fn members_french() {
    members_snapshots(Language::Fr);
}
