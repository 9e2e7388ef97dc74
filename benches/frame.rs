//! One front-desk frame after a check-in, alone: the part b2 of the check-in bench, on a small
//! club made in a few seconds instead of the 100,000-member one.
//!
//! Each round moves a fixed clock on by 11 minutes, types a member's code into the scan field
//! and submits it (not timed), then draws one frame with `carnet::tui::view::draw` on a 120×40
//! `TestBackend` (timed, in `draw_frame`). The club is a 300-member demo club, in French and
//! in the Europe/Paris time zone, whose members past the five showcase ones are each sold a
//! 20-session card. The run starts at the club's midnight, so today's table is full (21 rows)
//! from the 21st round on, and empties at the next midnight, 131 rounds later, as in the
//! check-in bench. `CARNET_BENCH_SAMPLES` sets the measured rounds (2,000 by default), which
//! follow 50 warm-up rounds.
//!
//! For instruction counts, collect only inside `draw_frame` with valgrind:
//!
//! ```sh
//! CARNET_BENCH_SAMPLES=80 valgrind --tool=callgrind --toggle-collect='*draw_frame*' \
//!     target/release/deps/frame-<hash>
//! ```

#[allow(dead_code)]
#[path = "checkin/stats.rs"]
mod stats;

use anyhow::{Context, Result, bail};
use carnet::config::{Config, Settings};
use carnet::demo::DemoOptions;
use carnet::domain::{Clock, FixedClock, MemberCode};
use carnet::i18n::Language;
use carnet::store::{CheckInOutcome, Store, StoreOptions, WriteContext};
use carnet::tui::app::{Action, App, Panel};
use carnet::tui::keymap::Keymap;
use carnet::tui::theme::Theme;
use chrono::{NaiveDate, TimeDelta};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use stats::{Row, Summary};
use std::time::{Duration, Instant};

const DEFAULT_SAMPLES: usize = 2_000;
const WARM_UP_ROUNDS: usize = 50;
const MEMBERS: usize = 300;
/// The demo's first members are its showcase ones, whose cards give set results.
const SHOWCASE_MEMBERS: usize = 5;
/// How far the clock moves between rounds: past the 10-minute repeat guard.
const ROUND_MINUTES: i64 = 11;

fn main() -> Result<()> {
    let samples: usize = match std::env::var("CARNET_BENCH_SAMPLES") {
        Ok(value) => value
            .parse()
            .with_context(|| format!("CARNET_BENCH_SAMPLES={value:?} is not a count"))?,
        Err(_) => DEFAULT_SAMPLES,
    };
    let scratch = tempfile::Builder::new()
        .prefix("carnet-frame-")
        .tempdir()
        .context("creating the scratch folder")?;
    let mut config = Config::default();
    config.club.timezone = Some("Europe/Paris".to_owned());
    config.ui.language = Some(Language::Fr);
    let mut settings: Settings = carnet::config::resolve(config, None)?;
    settings.database = scratch.path().join("db");
    let store = Store::open(
        &settings.database,
        StoreOptions {
            cache_bytes: 16 << 20,
            ..StoreOptions::default()
        },
    )?;

    let first_day = NaiveDate::from_ymd_opt(2026, 12, 4).context("invalid start date")?;
    let clock = FixedClock::new(settings.club_time.start_of_day(first_day));
    let options = DemoOptions {
        members: MEMBERS,
        seed: 1,
        cards: None,
        events: None,
    };
    let progress = indicatif::ProgressBar::hidden();
    carnet::demo::generate(&store, settings.club_time, clock.now(), options, &progress)?;
    let codes = sell_cards(&store, &settings, &clock)?;

    let mut app = App::new(&store, &settings, &clock, Keymap::built_in()?)?;
    let mut terminal = Terminal::new(TestBackend::new(120, 40))?;
    let theme = Theme::colored();
    let mut frames = Vec::with_capacity(samples);
    for round in 0..WARM_UP_ROUNDS + samples {
        clock.advance(TimeDelta::minutes(ROUND_MINUTES));
        app.update(Action::Tick);
        check_in(&mut app, &codes[round % codes.len()])?;
        let elapsed = draw_frame(&mut terminal, &app, &theme)?;
        if round >= WARM_UP_ROUNDS {
            frames.push(elapsed);
        }
    }

    let rows = [Row {
        label: "front-desk frame after a check-in, 120×40",
        summary: Summary::of(&frames),
    }];
    print!("{}", stats::latency_table(&rows));
    Ok(())
}

/// Sells a 20-session card dated today to every member past the showcase ones, and returns
/// their codes.
fn sell_cards(store: &Store, settings: &Settings, clock: &FixedClock) -> Result<Vec<MemberCode>> {
    let card_type = store
        .card_types()?
        .into_iter()
        .find(|card_type| card_type.sessions == 20)
        .context("the demo club has no 20-session card type")?;
    let today = settings.club_time.local_date(clock.now());
    let context = WriteContext {
        now: clock.now(),
        operator: settings.operator.clone(),
        terminal: settings.terminal.clone(),
    };
    let mut codes = Vec::new();
    for member in store.members().skip(SHOWCASE_MEMBERS) {
        let member = member?;
        store.sell_card(member.id, card_type.id, today, &context)?;
        codes.push(member.code);
    }
    Ok(codes)
}

/// Types `code` into the scan field and submits it; fails unless the check-in is accepted.
fn check_in(app: &mut App, code: &MemberCode) -> Result<()> {
    for c in code.as_str().chars() {
        app.update(Action::Insert(c));
    }
    app.update(Action::Submit);
    match &app.panel {
        Panel::Scan(result) if matches!(result.outcome, CheckInOutcome::Accepted { .. }) => Ok(()),
        panel => bail!(
            "the check-in of {} was not accepted: {panel:?}",
            code.as_str()
        ),
    }
}

/// Draws one frame and returns how long it took. Kept out of line so that callgrind can
/// collect inside it alone.
#[inline(never)]
fn draw_frame(terminal: &mut Terminal<TestBackend>, app: &App, theme: &Theme) -> Result<Duration> {
    let started = Instant::now();
    terminal.draw(|frame| carnet::tui::view::draw(frame, app, theme))?;
    Ok(started.elapsed())
}
