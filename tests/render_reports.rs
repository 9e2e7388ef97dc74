//! Render snapshots of the Reports screen on ratatui's TestBackend: each report as a chart and
//! as a table, in French and English, at 80×24 (the minimum) and 120×40, on a small demo club
//! made with a fixed seed and clock.

mod common;

use carnet::domain::{ClubTime, FixedClock};
use carnet::i18n::Language;
use carnet::reports::Preset;
use carnet::store::Store;
use carnet::tui::app::{Action, App, Screen};
use carnet::tui::keymap::{Command, Keymap};
use carnet::tui::reports::Status;
use carnet::tui::theme::Theme;
use common::*;

fn demo_club(dir: &std::path::Path) -> Store {
    let store = open(&dir.join("db"));
    let options = carnet::demo::DemoOptions {
        members: 40,
        seed: 3,
        cards: None,
        events: None,
    };
    let club = ClubTime::new(chrono_tz::Europe::Paris);
    carnet::demo::generate(
        &store,
        club,
        paris(2026, 12, 4, 18, 0, 0),
        options,
        &indicatif::ProgressBar::hidden(),
    )
    .expect("demo club");
    store
}

fn screen_text(app: &App, theme: &Theme, width: u16, height: u16) -> String {
    let terminal = common::draw_app(app, width, height, theme);
    common::buffer_text(terminal.backend().buffer())
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.update(Action::Insert(c));
    }
}

fn report_snapshots(language: Language) {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_club(dir.path());
    let mut settings = settings(&dir.path().join("db"), language);
    settings.print_folder = dir.path().join("cards");
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 2, 10));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    let name = match language {
        Language::En => "en",
        Language::Fr => "fr",
    };
    let plain = Theme::plain();

    app.update(Action::Command(Command::Reports));
    assert_eq!(app.screen, Screen::Reports);
    assert!(matches!(app.reports.status, Status::Ready { .. }));
    for kind in ["usage", "sales", "outstanding", "card_life"] {
        insta::assert_snapshot!(
            format!("{name}_reports_{kind}_chart"),
            screen_text(&app, &plain, 80, 24)
        );
        insta::assert_snapshot!(
            format!("{name}_reports_{kind}_chart_wide"),
            screen_text(&app, &plain, 120, 40)
        );
        // Colour adds nothing that the plain theme does not show.
        assert_eq!(
            screen_text(&app, &Theme::colored(), 120, 40),
            screen_text(&app, &plain, 120, 40)
        );
        app.update(Action::Command(Command::SwitchView));
        insta::assert_snapshot!(
            format!("{name}_reports_{kind}_table"),
            screen_text(&app, &plain, 80, 24)
        );
        insta::assert_snapshot!(
            format!("{name}_reports_{kind}_table_wide"),
            screen_text(&app, &plain, 120, 40)
        );
        app.update(Action::Command(Command::SwitchView));
        app.update(Action::Tab);
    }

    // Back on usage, over the last 12 months: bars per month.
    app.update(Action::Command(Command::PreviousPeriod));
    app.update(Action::Command(Command::PreviousPeriod));
    insta::assert_snapshot!(
        format!("{name}_reports_usage_12_months"),
        screen_text(&app, &plain, 80, 24)
    );

    // Dates typed by hand: a wrong one is named, and right ones compute the period.
    app.update(Action::Command(Command::TypeDates));
    for _ in 0..12 {
        app.update(Action::DeleteBack);
    }
    type_text(&mut app, "31/02/2026");
    app.update(Action::Submit);
    insta::assert_snapshot!(
        format!("{name}_reports_dates_error"),
        screen_text(&app, &plain, 80, 24)
    );
    for _ in 0..12 {
        app.update(Action::DeleteBack);
    }
    type_text(&mut app, "01/11/2026");
    app.update(Action::Tab);
    for _ in 0..12 {
        app.update(Action::DeleteBack);
    }
    type_text(&mut app, "30/11/2026");
    app.update(Action::Submit);
    assert!(app.reports.dates.is_none());
    let period = app.reports.period.unwrap();
    assert_eq!(period.first, date(2026, 11, 1));
    assert_eq!(period.last, date(2026, 11, 30));
    insta::assert_snapshot!(
        format!("{name}_reports_november"),
        screen_text(&app, &plain, 80, 24)
    );

    // Export: the file is written in carnet-reports beside the print folder.
    app.update(Action::Command(Command::Export));
    let message = app.reports.message.clone().unwrap();
    let folder = dir.path().join("carnet-reports");
    assert!(message.contains(&folder.display().to_string()), "{message}");
    let written: Vec<_> = std::fs::read_dir(&folder).unwrap().collect();
    assert_eq!(written.len(), 1);
}

#[test]
fn reports_english() {
    report_snapshots(Language::En);
}

#[test]
fn reports_french() {
    report_snapshots(Language::Fr);
}

#[test]
fn dates_form_esc_restores_period_choice() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 2, 10));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    app.update(Action::Command(Command::Reports));
    app.update(Action::Command(Command::NextPeriod));
    assert_eq!(app.reports.preset, Preset::Last12Months);

    app.update(Action::Command(Command::NextPeriod));
    assert_eq!(app.reports.preset, Preset::Dates);
    assert!(app.reports.dates.is_some());
    app.update(Action::Cancel);
    assert!(app.reports.dates.is_none());
    assert_eq!(app.reports.preset, Preset::Last12Months);
    assert_eq!(app.screen, Screen::Reports);
}

#[test]
fn scanned_code_still_reaches_front_desk() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_club(dir.path());
    let settings = settings(&dir.path().join("db"), Language::En);
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 2, 10));
    let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
    app.update(Action::Command(Command::Reports));
    type_text(&mut app, "123");
    assert_eq!(app.screen, Screen::FrontDesk);
    assert_eq!(app.scan.value(), "123");
}

/// The seconds shown while reports compute take the language's decimal mark.
#[test]
fn computing_time_uses_decimal_comma_in_french() {
    let dir = tempfile::tempdir().unwrap();
    let store = demo_club(dir.path());
    let clock = FixedClock::new(paris(2026, 12, 4, 18, 2, 10));
    for (language, mark) in [(Language::Fr, ','), (Language::En, '.')] {
        let settings = settings(&dir.path().join("db"), language);
        let mut app = App::new(&store, &settings, &clock, Keymap::built_in().unwrap()).unwrap();
        app.update(Action::Command(Command::Reports));
        app.reports.status = Status::Computing {
            since: std::time::Instant::now(),
        };
        let text = screen_text(&app, &Theme::plain(), 120, 40);
        let seconds = text
            .split_whitespace()
            .find(|word| word.len() >= 3 && word.chars().all(|c| c.is_ascii_digit() || c == mark))
            .unwrap_or_else(|| panic!("no time with {mark:?} in:\n{text}"));
        assert!(seconds.contains(mark), "{seconds}");
    }
}
