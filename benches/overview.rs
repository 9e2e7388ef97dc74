//! Practice › Session cards on the demo club of 100,000 members and 200,000 cards, through
//! the app itself (`App::update`, `App::settle` and `view::draw` on ratatui's TestBackend at
//! 120×40), as the event loop runs them:
//!
//! - first open: F5 once, which builds the member search and reads every card, owner and
//!   last use;
//! - reload: F5 again after a write (a contact recorded), which reads every card again; F5
//!   with nothing written since shows the cards already loaded;
//! - frame: drawing the screen while the selection moves down a page at a time;
//! - filter: Tab to the next filter, through all eight twice;
//! - sort: Left or Right to the next column and Ctrl-R to reverse, through every column;
//! - search: an owner's name typed one character at a time.
//!
//! The club is made by `carnet demo` in a temporary folder, or in the folder named by
//! `CARNET_BENCH_DB` (reused when it holds a database). The runs work on a copy.

#[allow(dead_code)]
#[path = "checkin/setup.rs"]
mod setup;
#[allow(dead_code)]
#[path = "checkin/stats.rs"]
mod stats;

use anyhow::{Context, Result};
use carnet::config::{Config, Settings};
use carnet::domain::SystemClock;
use carnet::domain::inform::Channel;
use carnet::store::{NewContact, Store, StoreOptions};
use carnet::tui::app::{Action, App, NavKey};
use carnet::tui::keymap::{Command, Keymap};
use carnet::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use stats::Summary;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const FRAMES: usize = 300;
const LOADS: usize = 3;
const FRAME_TARGET_MS: f64 = 5.0;
const CHANGE_TARGET_MS: f64 = 50.0;
const SEARCH: &str = "dupont marie";

fn main() -> Result<()> {
    setup::tune_allocator_as_the_app_does();
    let scratch = tempfile::Builder::new()
        .prefix("carnet-overview-")
        .tempdir()
        .context("creating the scratch folder")?;
    let database = prepare_database(scratch.path())?;
    let mut settings: Settings = carnet::config::resolve(Config::default(), None)?;
    settings.database = database.clone();
    let options = StoreOptions {
        cache_bytes: settings.cache_bytes,
        create: false,
    };
    let store = Store::open(&database, options)?;
    let mut app = App::new(&store, &settings, &SystemClock, Keymap::built_in()?)?;
    let mut terminal = Terminal::new(TestBackend::new(120, 40))?;
    let theme = Theme::colored();
    let mut draw = |app: &App| -> Result<Duration> {
        let started = Instant::now();
        terminal.draw(|frame| carnet::tui::view::draw(frame, app, &theme))?;
        Ok(started.elapsed())
    };
    let step = |app: &mut App, actions: &[Action]| -> Duration {
        let started = Instant::now();
        for action in actions {
            app.update(action.clone());
        }
        app.settle();
        started.elapsed()
    };

    let first_open = step(&mut app, &[Action::Command(Command::SessionCards)]);
    draw(&app)?;
    let mut loads = Vec::new();
    let someone = app.session_cards.overview.owners.get(0).member_id;
    let context = carnet::desk::write_context(&settings, &SystemClock);
    for _ in 0..LOADS {
        let contact = NewContact {
            member_id: someone,
            channel: Channel::Phone,
            note: "bench".to_owned(),
            reasons: Vec::new(),
        };
        store.record_contact(&contact, &context)?;
        step(&mut app, &[Action::Command(Command::FrontDesk)]);
        loads.push(step(&mut app, &[Action::Command(Command::SessionCards)]));
        draw(&app)?;
    }

    let mut frames = Vec::new();
    for _ in 0..FRAMES {
        step(&mut app, &[Action::Navigate(NavKey::PageDown)]);
        frames.push(draw(&app)?);
    }

    let mut filters = Vec::new();
    for _ in 0..16 {
        filters.push(step(&mut app, &[Action::Tab]));
        draw(&app)?;
    }

    let mut sorts = Vec::new();
    for _ in 0..8 {
        sorts.push(step(&mut app, &[Action::Navigate(NavKey::Right)]));
        draw(&app)?;
        sorts.push(step(&mut app, &[Action::Command(Command::SortReverse)]));
        draw(&app)?;
    }

    let mut typing = Vec::new();
    for c in SEARCH.chars() {
        typing.push(step(&mut app, &[Action::Insert(c)]));
        draw(&app)?;
    }
    let shown = app.session_cards.shown.len();
    let cards = app.session_cards.overview.rows.len();

    let frame = Summary::of(&frames);
    let filter = Summary::of(&filters);
    let sort = Summary::of(&sorts);
    let search = Summary::of(&typing);
    let load = Summary::of(&loads);
    println!("## Practice › Session cards, {cards} cards, 120×40\n");
    println!(
        "{}",
        stats::latency_table(&[
            stats::Row {
                label: "first open (member search built, every card read)",
                summary: Summary::of(&[first_open])
            },
            stats::Row {
                label: "open again after a write (every card read)",
                summary: load
            },
            stats::Row {
                label: "draw one frame",
                summary: frame
            },
            stats::Row {
                label: "change the filter (Tab)",
                summary: filter
            },
            stats::Row {
                label: "change or reverse the sort",
                summary: sort
            },
            stats::Row {
                label: "type one character of an owner search",
                summary: search
            },
        ])
    );
    println!(
        "frame p95 {:.2} ms (target {FRAME_TARGET_MS} ms: {}); filter p95 {:.1} ms and sort p95 {:.1} ms (target {CHANGE_TARGET_MS} ms: {}); \"{SEARCH}\" leaves {shown} cards",
        frame.p95,
        met(frame.p95 < FRAME_TARGET_MS),
        filter.p95,
        sort.p95,
        met(filter.p95 < CHANGE_TARGET_MS && sort.p95 < CHANGE_TARGET_MS),
    );
    Ok(())
}

fn met(yes: bool) -> &'static str {
    if yes { "met" } else { "not met" }
}

/// Makes or reuses the club, and returns a copy of it for the runs.
fn prepare_database(scratch: &Path) -> Result<PathBuf> {
    let source = match std::env::var_os("CARNET_BENCH_DB").map(PathBuf::from) {
        Some(reused) if setup::has_database(&reused) => reused,
        Some(folder) => {
            setup::make_demo(&folder, scratch)?;
            folder
        }
        None => {
            let folder = scratch.join("club");
            setup::make_demo(&folder, scratch)?;
            folder
        }
    };
    let copy = scratch.join("db");
    setup::copy_folder(&source, &copy)?;
    Ok(copy)
}
