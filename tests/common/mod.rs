//! Shared set-up for integration tests: settings at a fixed place and time, and a small club
//! with known member codes.
#![allow(dead_code)]

use carnet::config::{Config, Settings, resolve};
use carnet::domain::card::Card;
use carnet::domain::card_type::{CardType, Validity};
use carnet::domain::member::{Member, NewMember};
use carnet::domain::{FixedClock, MemberCode};
use carnet::i18n::Language;
use carnet::store::{BulkLoader, Store, StoreOptions, WriteContext};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::path::Path;
use std::process::{Command, Output, Stdio};

pub fn settings(database: &Path, language: Language) -> Settings {
    let mut config = Config::default();
    config.club.timezone = Some("Europe/Paris".to_owned());
    config.club.name = "Club de test".to_owned();
    config.ui.language = Some(language);
    config.ui.bell_on_refusal = false;
    let mut settings = resolve(config, None).expect("default config resolves");
    settings.database = database.to_owned();
    settings
}

pub fn open(path: &Path) -> Store {
    Store::open(
        path,
        StoreOptions {
            cache_bytes: 16 << 20,
            ..StoreOptions::default()
        },
    )
    .expect("store opens")
}

/// Returns the instant of a Paris wall-clock time.
pub fn paris(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Paris
        .with_ymd_and_hms(y, m, d, h, min, s)
        .single()
        .expect("unambiguous Paris time")
        .with_timezone(&Utc)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

pub fn context(now: DateTime<Utc>) -> WriteContext {
    WriteContext {
        now,
        operator: "test".to_owned(),
        terminal: "desk-test".to_owned(),
    }
}

pub fn clock(now: DateTime<Utc>) -> FixedClock {
    FixedClock::new(now)
}

pub fn card_type(store: &Store, name: &str, sessions: u32, validity: Validity) -> CardType {
    store
        .insert_card_type(name, 12_000, sessions, validity, "adultes", vec![])
        .expect("card type stored")
}

/// Adds a member with a chosen code, so tests and snapshots are repeatable.
pub fn member_with_code(
    store: &Store,
    first: &str,
    last: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Member {
    let mut loader = BulkLoader::new(store).expect("loader");
    let member = loader
        .add_member(
            &NewMember::named(first, last),
            MemberCode::parse(code).expect("valid code"),
            now,
        )
        .expect("member added");
    loader.finish().expect("loader finished");
    member
}

pub fn sell(store: &Store, member: &Member, card_type: &CardType, sold_on: NaiveDate) -> Card {
    let at = paris(2025, 1, 1, 10, 0, 0);
    store
        .sell_card(member.id, card_type.id, sold_on, &context(at))
        .expect("card sold")
}

/// Draws the app once on a TestBackend of `width` × `height` with `theme`, and returns the
/// terminal, for tests that read styles as well as text.
pub fn draw_app(
    app: &carnet::tui::app::App,
    width: u16,
    height: u16,
    theme: &carnet::tui::theme::Theme,
) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| carnet::tui::view::draw(frame, app, theme))
        .unwrap();
    terminal
}

/// Returns the text of a drawn buffer, one line per row without trailing blanks; a wide
/// character is written once.
pub fn buffer_text(buffer: &ratatui::buffer::Buffer) -> String {
    let area = buffer.area;
    let mut text = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
            line.push_str(symbol);
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// Draws the app without colour and returns the screen's text.
pub fn plain_screen(app: &carnet::tui::app::App, width: u16, height: u16) -> String {
    let terminal = draw_app(app, width, height, &carnet::tui::theme::Theme::plain());
    buffer_text(terminal.backend().buffer())
}

/// Runs the binary in `folder` with a configuration there (created with English messages and
/// the Paris time zone when missing) and the folder as its data home.
pub fn run_carnet(folder: &Path, args: &[&str]) -> Output {
    let config = folder.join("config.toml");
    if !config.exists() {
        std::fs::write(
            &config,
            "[club]\ntimezone = \"Europe/Paris\"\n\n[ui]\nlanguage = \"en\"\n",
        )
        .unwrap();
    }
    Command::new(env!("CARGO_BIN_EXE_carnet"))
        .arg("--config")
        .arg(&config)
        .args(args)
        .current_dir(folder)
        .env("XDG_DATA_HOME", folder)
        .stdin(Stdio::null())
        .output()
        .expect("carnet started")
}

/// Asserts that a `run_carnet` output exited with 0, showing its status, its output and the
/// first lines of its errors otherwise.
pub fn assert_ok(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "exit status {:?}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
            .lines()
            .take(3)
            .collect::<Vec<_>>()
            .join("\n")
    );
}
