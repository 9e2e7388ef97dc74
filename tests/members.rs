//! Members against a real database: the search as staff type, the profile, and the member
//! form with its validation and duplicate warning, driven by actions as the keyboard sends them.

mod common;

use carnet::domain::FixedClock;
use carnet::domain::card_type::Validity;
use carnet::i18n::Language;
use carnet::store::Store;
use carnet::tui::app::{Action, App, Screen};
use carnet::tui::keymap::{Command, Keymap};
use carnet::tui::members::{MembersMode, ProfileSection};
use common::*;

/// Builds a club of the members of the name-search cases, with known codes.
fn club(dir: &std::path::Path) -> Store {
    let store = open(&dir.join("db"));
    let created = paris(2026, 9, 1, 10, 0, 0);
    let names = [
        ("Marie", "Dupont", "10000001"),
        ("Jean-Pierre", "Martin", "10000002"),
        ("Jeanne", "d’Arc Lemaire", "10000003"),
        ("Yann", "Le Goff", "10000004"),
        ("Paul", "de La Fontaine", "10000005"),
        ("Marie-Hélène", "Dupond", "10000006"),
    ];
    for (first, last, code) in names {
        member_with_code(&store, first, last, code, created);
    }
    let ten = card_type(&store, "10 séances adulte", 10, Validity::Months(12));
    let marie = store
        .member_by_code(&carnet::domain::MemberCode::parse("10000001").unwrap())
        .unwrap()
        .unwrap();
    sell(&store, &marie, &ten, date(2026, 9, 1));
    store
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::Insert(c));
    }
}

fn first_match(app: &App) -> String {
    app.members
        .rows
        .first()
        .map(|row| row.member.full_name())
        .unwrap_or_default()
}

#[test]
fn search_finds_as_staff_type() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::Fr);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 0, 0));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    app.update(Action::Command(Command::Members));
    assert_eq!(app.screen, Screen::Members);

    let cases = [
        ("dupont marie", "Marie Dupont"),
        ("jean pierre", "Jean-Pierre Martin"),
        ("jeanpierre", "Jean-Pierre Martin"),
        ("d'arc", "Jeanne d’Arc Lemaire"),
        ("legoff", "Yann Le Goff"),
        ("fontaine paul", "Paul de La Fontaine"),
        ("dupont", "Marie Dupont"),
        ("10000004", "Yann Le Goff"),
    ];
    for (query, expected) in cases {
        app.update(Action::ClearField);
        app.update(Action::Cancel);
        type_text(&mut app, query);
        // The search runs once the queued keys are applied, as the event loop does.
        app.settle();
        assert_eq!(first_match(&app), expected, "query {query:?}");
    }
}

#[test]
fn search_waits_for_the_burst() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 0, 0));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    app.update(Action::Command(Command::Members));
    let before = app.members.rows.len();
    type_text(&mut app, "legoff");
    assert_eq!(
        app.members.rows.len(),
        before,
        "no search per key of a burst"
    );
    app.settle();
    assert_eq!(first_match(&app), "Yann Le Goff");
}

#[test]
fn profile_shows_cards_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 0, 0));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    app.update(Action::Command(Command::Members));
    type_text(&mut app, "dupont marie");
    app.settle();
    app.update(Action::Submit);
    let MembersMode::Profile(profile) = &app.members.mode else {
        panic!("Enter opens the profile");
    };
    assert_eq!(profile.member.full_name(), "Marie Dupont");
    assert_eq!(profile.cards.len(), 1);
    assert_eq!(profile.section, ProfileSection::Cards);

    app.update(Action::Submit);
    let MembersMode::Profile(profile) = &app.members.mode else {
        panic!("the profile stays open");
    };
    assert_eq!(
        profile.card_ledger.as_ref().map(Vec::len),
        Some(1),
        "the sale is the card's only event"
    );

    app.update(Action::Cancel);
    app.update(Action::Cancel);
    assert!(
        matches!(app.members.mode, MembersMode::List),
        "Esc goes back to the list"
    );
}

#[test]
fn form_validates_then_warns_of_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::Fr);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 0, 0));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    app.update(Action::Command(Command::Members));
    app.update(Action::Command(Command::New));

    // Invalid phone and a two-digit year: nothing is saved.
    for (index, value) in ["Yann", "LE GOFF", "", "0612", "05/03/87"]
        .iter()
        .enumerate()
    {
        if index > 0 {
            app.update(Action::Tab);
        }
        type_text(&mut app, value);
    }
    app.update(Action::Submit);
    let MembersMode::Form(form) = &app.members.mode else {
        panic!("the form stays open on errors");
    };
    assert!(form.errors.phone.is_some());
    assert!(form.errors.birth_date.is_some());
    assert_eq!(store.member_count(), 6);

    // Fix both; the same name without a birth date is not a duplicate, so it is created.
    app.update(Action::BackTab);
    for _ in 0..4 {
        app.update(Action::DeleteBack);
    }
    type_text(&mut app, "06 12 34 56 78");
    app.update(Action::Tab);
    for _ in 0..8 {
        app.update(Action::DeleteBack);
    }
    app.update(Action::Submit);
    assert!(
        matches!(app.members.mode, MembersMode::Profile(_)),
        "saved, the profile opens"
    );
    assert_eq!(store.member_count(), 7);
    let created = store.member(carnet::domain::MemberId(7)).unwrap().unwrap();
    assert_eq!(created.phone.as_deref(), Some("+33612345678"));
    assert_eq!(created.last_name, "LE GOFF");

    // Same e-mail as an existing member: the form shows it first, the second Enter saves.
    store
        .update_member(
            created.id,
            &carnet::domain::member::NewMember {
                email: Some("yann@exemple.fr".into()),
                ..carnet::domain::member::NewMember::named("Yann", "LE GOFF")
            },
        )
        .unwrap();
    app.update(Action::Cancel);
    app.update(Action::Command(Command::New));
    for (index, value) in ["Y.", "Le Goff", "Yann@Exemple.fr"].iter().enumerate() {
        if index > 0 {
            app.update(Action::Tab);
        }
        type_text(&mut app, value);
    }
    app.update(Action::Submit);
    let MembersMode::Form(form) = &app.members.mode else {
        panic!("a likely duplicate keeps the form open");
    };
    assert_eq!(form.duplicates.len(), 1);
    assert_eq!(store.member_count(), 7);
    app.update(Action::Submit);
    assert_eq!(store.member_count(), 8);
}

#[test]
fn archived_member_found_on_request_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 0, 0));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    app.update(Action::Command(Command::Members));
    type_text(&mut app, "dupont marie");
    app.settle();
    app.update(Action::Submit);
    app.update(Action::Command(Command::Archive));
    app.update(Action::Cancel);
    app.settle();
    assert_ne!(
        first_match(&app),
        "Marie Dupont",
        "archived members are hidden"
    );
    app.update(Action::Command(Command::ShowArchived));
    app.settle();
    assert_eq!(first_match(&app), "Marie Dupont");

    // An archived member cannot check in.
    app.update(Action::Command(Command::FrontDesk));
    type_text(&mut app, "10000001");
    app.update(Action::Submit);
    let marie = store.member(carnet::domain::MemberId(1)).unwrap().unwrap();
    assert!(marie.archived);
    assert_eq!(
        store.cards_of_member(marie.id).unwrap()[0].sessions_remaining,
        10
    );
}

#[test]
fn sale_half_cash_half_cheque_then_check_in() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::Fr);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 0, 0));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();

    // Yann has no card: the front desk refuses him and offers the sale.
    type_text(&mut app, "10000004");
    app.update(Action::Submit);
    app.update(Action::Command(Command::Sell));
    assert_eq!(app.screen, Screen::Members);
    let MembersMode::Profile(profile) = &app.members.mode else {
        panic!("the sale opens on the member's profile");
    };
    assert_eq!(profile.member.full_name(), "Yann Le Goff");
    assert!(profile.dialog.is_some());

    // Payments that do not add up are refused, then the right ones sell the card.
    app.update(Action::Tab);
    type_text(&mut app, "espèces:60 + chèque:50");
    app.update(Action::Submit);
    let MembersMode::Profile(profile) = &app.members.mode else {
        panic!("the profile stays open");
    };
    assert!(
        profile.dialog.is_some(),
        "a wrong total keeps the dialog open"
    );
    assert!(store.cards_of_member(profile.member.id).unwrap().is_empty());
    for _ in 0..2 {
        app.update(Action::DeleteBack);
    }
    type_text(&mut app, "60");
    app.update(Action::Submit);
    let MembersMode::Profile(profile) = &app.members.mode else {
        panic!("the profile stays open");
    };
    assert!(profile.dialog.is_none(), "sold: {:?}", app.members.notice);
    let member_id = profile.member.id;
    let sales = store.sales_of_member(member_id).unwrap();
    assert_eq!(sales.len(), 1);
    assert_eq!(sales[0].paid_cents, 12_000);
    assert_eq!(sales[0].payments.len(), 2);

    // The member now checks in.
    app.update(Action::Command(Command::FrontDesk));
    clock.advance(chrono::Duration::minutes(1));
    type_text(&mut app, "10000004");
    app.update(Action::Submit);
    assert_eq!(
        store.cards_of_member(member_id).unwrap()[0].sessions_remaining,
        9
    );
    assert!(store.verify_balances().unwrap().is_empty());
}

#[test]
fn card_change_needs_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 0, 0));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    app.update(Action::Command(Command::Members));
    type_text(&mut app, "dupont marie");
    app.settle();
    app.update(Action::Submit);
    app.update(Action::Command(Command::ChangeCard));

    // "Add or remove sessions" is the first action: +2 without a reason is refused.
    app.update(Action::Tab);
    type_text(&mut app, "+2");
    app.update(Action::Submit);
    let card = &store.cards_of_member(carnet::domain::MemberId(1)).unwrap()[0];
    assert_eq!(card.sessions_remaining, 10);
    app.update(Action::Tab);
    type_text(&mut app, "séance offerte");
    app.update(Action::Submit);
    let card = &store.cards_of_member(carnet::domain::MemberId(1)).unwrap()[0];
    assert_eq!(card.sessions_remaining, 12);
    assert!(store.verify_balances().unwrap().is_empty());
}

#[test]
fn print_writes_card_files() {
    let dir = tempfile::tempdir().unwrap();
    let store = club(dir.path());
    let mut settings = settings(&dir.path().join("db"), Language::En);
    settings.print_folder = dir.path().join("cards");
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 0, 0));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    app.update(Action::Command(Command::Members));
    type_text(&mut app, "marie dup");
    app.settle();
    app.update(Action::Command(Command::Print));
    let printed = app.members.rows.len();
    assert!(printed >= 2, "both Dupont and Dupond are listed");
    for code in ["10000001", "10000006"] {
        assert!(
            settings.print_folder.join(format!("{code}.png")).is_file(),
            "{code}.png"
        );
        assert!(
            settings.print_folder.join(format!("{code}.svg")).is_file(),
            "{code}.svg"
        );
    }
    assert!(settings.print_folder.join("cards.pdf").is_file());
    assert!(
        app.members
            .notice
            .as_deref()
            .unwrap_or("")
            .contains("cards"),
        "{:?}",
        app.members.notice
    );
}
