//! The terminal application: state and `update` (app), key translation (input), drawing
//! (view and one module per screen), the keymap, the theme and the terminal guard.
//!
//! The loop blocks on input, drains every event already queued and applies each through
//! `App::update`, then draws once. A scanner's burst of thousands of keys is one frame.

pub mod app;
pub(crate) mod fields;
mod form_view;
mod front_desk;
pub mod import;
mod import_view;
pub mod input;
pub mod keymap;
pub mod members;
mod members_view;
pub mod pricing;
mod pricing_view;
pub mod profile_dialogs;
pub mod reports;
mod reports_view;
mod scan_burst;
pub mod screen;
pub mod session_cards;
mod session_cards_view;
pub mod terminal;
pub mod theme;
pub mod view;

use crate::config::Settings;
use crate::domain::Clock;
use crate::store::Store;
use app::{Action, App};
use crossterm::event;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Maximum time spent applying queued events before drawing, so a never-ending stream of
/// input still shows progress.
const MAX_BATCH: Duration = Duration::from_millis(50);

/// Wait for the first event of a batch; the clock in the header moves on at this pace.
const TICK: Duration = Duration::from_millis(500);

/// How long to wait for a further queued event. crossterm's `use-dev-tty` source can miss
/// events already read when polled with a zero timeout, and 1 ms drains a burst reliably.
const DRAIN_WAIT: Duration = Duration::from_millis(1);

/// Wait for input while a report is computed, so its result shows soon after it is ready.
const COMPUTING_TICK: Duration = Duration::from_millis(100);

/// Runs the app until the user quits or a termination signal arrives.
pub fn run(store: &Store, settings: &Settings, clock: &dyn Clock) -> anyhow::Result<()> {
    // The reports' worker thread borrows the store, so it lives in a scope that outlasts it.
    std::thread::scope(|scope| {
        let worker = reports::spawn_worker(scope, store);
        run_with_worker(store, settings, clock, worker)
    })
}

fn run_with_worker(
    store: &Store,
    settings: &Settings,
    clock: &dyn Clock,
    worker: reports::ReportWorker,
) -> anyhow::Result<()> {
    let keymap = keymap::Keymap::built_in()?;
    let mut app = App::new(store, settings, clock, keymap)?;
    app.daily_backup();
    app.reports.attach(worker);
    let theme = theme::Theme::from_environment();

    let stop = Arc::new(AtomicBool::new(false));
    // In raw mode Ctrl-C is a key, but `kill -INT` still delivers SIGINT: quit cleanly too.
    let signals = [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ];
    for signal in signals {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }

    let _guard = terminal::TerminalGuard::enter()?;
    // No explicit clear: the alternate screen starts empty, and clearing would query the
    // cursor position, which some terminals never report.
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    let mut burst =
        scan_burst::ScanBurst::new(Duration::from_millis(settings.scanner.max_key_gap_ms));
    tracing::info!("front desk started");

    loop {
        app.settle();
        terminal.draw(|frame| view::draw(frame, &app, &theme))?;
        if app.take_bell() {
            let mut stdout = io::stdout();
            stdout.write_all(b"\x07")?;
            stdout.flush()?;
        }
        if app.quit || stop.load(Ordering::Relaxed) {
            break;
        }

        let mut wait = if app.reports.is_computing() {
            COMPUTING_TICK
        } else {
            TICK
        };
        // Keys held back as a possible scan are let through once no key followed in time.
        if let Some(deadline) = burst.deadline() {
            wait = wait.min(deadline.saturating_duration_since(Instant::now()));
        }
        if !event::poll(wait)? {
            let typed = burst.release_if_typed(Instant::now());
            if typed.is_empty() {
                app.update(Action::Tick);
            }
            for action in typed {
                app.update(action);
            }
            continue;
        }
        let started = Instant::now();
        loop {
            let event = event::read()?;
            if let Some(action) = input::translate(&event, &app.keymap, app.key_scope()) {
                for action in burst.feed(action, Instant::now()) {
                    app.update(action);
                }
            }
            if app.quit || started.elapsed() > MAX_BATCH || !event::poll(DRAIN_WAIT)? {
                break;
            }
        }
    }
    tracing::info!("front desk stopped");
    Ok(())
}
