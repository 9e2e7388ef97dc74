//! Start-up time and memory of the real `carnet` binary on the demo club of 100,000 members,
//! 200,000 cards and about 2,000,000 ledger events.
//!
//! Each run starts `carnet --config CFG --db DIR` in a 100×30 pseudo-terminal and times from
//! the spawn until the front desk's ready text is on the emulated screen (vt100), then quits
//! with F10 and waits for the exit:
//!
//! - warm: one discarded run, then 10 runs with the database files in the page cache.
//! - cold: 5 runs, each after the database files were flushed and evicted from the page cache
//!   with `posix_fadvise(POSIX_FADV_DONTNEED)`. The binary stays cached.
//! - memory: one more warm run reads the peak resident memory (the `VmHWM` line of
//!   `/proc/PID/status`) after start-up. It then opens Members (F3), types a search one
//!   character at a time and reads the peak again once the list shows a match.
//! - screens: four more warm runs read the peak after the manager screens on the same club:
//!   Session cards (F5) alone; Reports (F6) alone, first with no reports cache file, so that
//!   it builds one from the ledger, then with that file; and one session that opens Members
//!   with the search, Session cards and Reports, then the three again.
//! - parts: in this process, through the library, the times and resident memory of
//!   `Store::open`, of loading today's check-ins (`Store::check_ins_since`) and of `App::new`,
//!   which loads them again, on the same copy.
//!
//! The club is made by `carnet demo` in a temporary folder, or in the folder named by
//! `CARNET_BENCH_DB` (reused when it already holds a database, as the check-in bench leaves
//! it). The runs work on a copy, so a reused database never changes. Prints markdown tables.

#[allow(dead_code)]
#[path = "checkin/setup.rs"]
mod setup;

use anyhow::{Context, Result, bail};
use carnet::config::{Config, Settings};
use carnet::domain::SystemClock;
use carnet::store::{Store, StoreOptions};
use carnet::tui::app::App as DeskApp;
use carnet::tui::keymap::Keymap;
use chrono::Utc;
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

const CARNET: &str = env!("CARGO_BIN_EXE_carnet");
const ROWS: u16 = 30;
const COLS: u16 = 100;
/// The text of the English front desk once it is drawn and waiting for a scan.
const READY: &str = "Ready: scan a membership card";
/// The escape sequences an xterm sends for F10 (quit) and F3 (Members).
const F10: &str = "\x1b[21~";
const F3: &str = "\x1bOR";
/// F5 (Practice › Session cards) and F6 (Reports).
const F5: &str = "\x1b[15~";
const F6: &str = "\x1b[17~";
/// The search typed into Members, and the name a matching row shows (last name first).
const SEARCH: &str = "dupont marie";
const MATCH: &str = "Dupont Marie";
const WARM_RUNS: usize = 10;
/// Number of times each part of the start-up is measured in this process.
const PART_RUNS: usize = 3;
const COLD_RUNS: usize = 5;
/// Time to wait for a screen or an exit before giving up.
const TIMEOUT: Duration = Duration::from_secs(60);

const WARM_TARGET_S: f64 = 0.5;
const COLD_TARGET_S: f64 = 1.5;
const MEMORY_TARGET_MB: f64 = 150.0;

/// Python script that flushes each file named on the command line, then drops its cached pages.
const EVICT_SCRIPT: &str = "
import os, sys
for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)
";

fn main() -> Result<()> {
    let load_before = load_average();
    let scratch = tempfile::Builder::new()
        .prefix("carnet-startup-")
        .tempdir()
        .context("creating the scratch folder")?;
    let database = prepare_database(scratch.path())?;
    let config = scratch.path().join("config.toml");
    std::fs::write(&config, "[ui]\nlanguage = \"en\"\n")?;
    let bench = Bench {
        config,
        database,
        folder: scratch.path().to_owned(),
    };

    eprintln!("warm start-ups: 1 discarded, then {WARM_RUNS}");
    let discarded = bench.start_up()?;
    let mut warm = Vec::with_capacity(WARM_RUNS);
    for _ in 0..WARM_RUNS {
        warm.push(bench.start_up()?);
    }

    eprintln!("cold start-ups: {COLD_RUNS}, each after evicting the database from the page cache");
    let mut cold = Vec::with_capacity(COLD_RUNS);
    let mut cached_after_eviction = Vec::with_capacity(COLD_RUNS);
    for _ in 0..COLD_RUNS {
        let files = files_under(&bench.database)?;
        evict(&files)?;
        cached_after_eviction.push(cached_bytes(&files));
        cold.push(bench.start_up()?);
    }
    // Measured before the screens, whose Reports run adds the reports cache file (105 MB on
    // the demo club) to the copy.
    let database_bytes = setup::disk_usage(&bench.database)?;

    eprintln!("memory: start-up, then Members and the search {SEARCH:?}");
    let memory = bench.memory()?;
    eprintln!("memory: the manager screens");
    let screens = bench.screens_memory()?;
    eprintln!("parts: Store::open, today's check-ins and App::new, {PART_RUNS} times each");
    let parts = parts(&bench.database)?;
    let load_after = load_average();

    let report = Report {
        discarded,
        warm,
        cold,
        cached_after_eviction,
        memory,
        screens,
        parts,
        database_bytes,
        load_before,
        load_after,
    };
    print!("{}", report.render());
    Ok(())
}

/// Makes or reuses the club, and returns a copy of it for the runs.
fn prepare_database(scratch: &Path) -> Result<PathBuf> {
    let source = match std::env::var_os("CARNET_BENCH_DB").map(PathBuf::from) {
        Some(reused) if setup::has_database(&reused) => {
            eprintln!("reusing the demo club in {}", reused.display());
            reused
        }
        Some(folder) => {
            eprintln!("making the demo club in {}", folder.display());
            setup::make_demo(&folder, scratch)?;
            folder
        }
        None => {
            let folder = scratch.join("club");
            eprintln!("making the demo club in {}", folder.display());
            setup::make_demo(&folder, scratch)?;
            folder
        }
    };
    let copy = scratch.join("db");
    eprintln!("copying it to {}", copy.display());
    setup::copy_folder(&source, &copy)?;
    Ok(copy)
}

struct Bench {
    config: PathBuf,
    database: PathBuf,
    /// Working folder of the app, and its data folder for the log file.
    folder: PathBuf,
}

/// One start-up: the time to the ready screen, and the check-in count on that screen.
#[derive(Clone)]
struct StartUp {
    seconds: f64,
    /// The count in "Check-ins today: N", when the first screen shows it.
    today: Option<usize>,
}

/// The peak resident memory of one run, in KiB, at two moments.
struct Memory {
    start_up: StartUp,
    after_start_kib: u64,
    rss_after_start_kib: u64,
    members_seconds: f64,
    search_seconds: f64,
    after_search_kib: u64,
    rss_after_search_kib: u64,
}

/// One run of the app through some of the manager screens, with the peak memory read after
/// each, in KiB.
struct ScreensRun {
    name: &'static str,
    peaks_kib: Vec<u64>,
}

/// A screen to open and the text that shows it is loaded.
#[derive(Clone, Copy)]
struct Visit {
    key: &'static str,
    search: bool,
    loaded: &'static str,
    ready: fn(&str) -> bool,
}

const SESSION_CARDS: Visit = Visit {
    key: F5,
    search: false,
    loaded: "the Session cards totals",
    ready: |text| text.contains("Total: ") && text.contains(" card(s)"),
};

const REPORTS: Visit = Visit {
    key: F6,
    search: false,
    loaded: "the usage chart",
    ready: |text| text.contains("Sessions used per") && !text.contains("Computing the reports"),
};

const MEMBERS_SEARCH: Visit = Visit {
    search: true,
    ..MEMBERS
};

const MEMBERS: Visit = Visit {
    key: F3,
    search: false,
    loaded: "the Members list",
    ready: |text| text.contains("Members: ") && text.contains(" shown of "),
};

impl Bench {
    /// Runs the app through the manager screens and reads the peak memory after each.
    fn screens_memory(&self) -> Result<Vec<ScreensRun>> {
        let cache_file = self.database.join("reports-cache");
        let _ = std::fs::remove_file(&cache_file);
        let runs: [(&'static str, Vec<Visit>); 4] = [
            ("Session cards (F5)", vec![SESSION_CARDS]),
            (
                "Reports (F6), no cache file: built from the ledger",
                vec![REPORTS],
            ),
            ("Reports (F6), cache file present", vec![REPORTS]),
            (
                "Members and a search, Session cards and Reports, then the three again",
                vec![
                    MEMBERS_SEARCH,
                    SESSION_CARDS,
                    REPORTS,
                    MEMBERS,
                    SESSION_CARDS,
                    REPORTS,
                ],
            ),
        ];
        let mut results = Vec::with_capacity(runs.len());
        for (name, visits) in runs {
            let (mut app, _) = self.launch()?;
            let mut peaks_kib = Vec::with_capacity(visits.len());
            for visit in visits {
                app.send(visit.key)?;
                if visit.search {
                    app.wait_until(visit.loaded, |screen| (visit.ready)(&screen.contents()))?;
                    app.send(SEARCH)?;
                    app.wait_until(&format!("{MATCH:?} in the list"), |screen| {
                        screen.contents().contains(MATCH)
                    })?;
                } else {
                    // The screen shown before may already match, so wait for the key first.
                    thread::sleep(Duration::from_millis(200));
                    app.wait_until(visit.loaded, |screen| (visit.ready)(&screen.contents()))?;
                }
                thread::sleep(Duration::from_millis(500));
                peaks_kib.push(app.memory()?.0);
            }
            app.quit()?;
            results.push(ScreensRun { name, peaks_kib });
        }
        Ok(results)
    }

    /// Starts the app, times it to the ready screen, quits it with F10.
    fn start_up(&self) -> Result<StartUp> {
        let (mut app, start_up) = self.launch()?;
        app.quit()?;
        Ok(start_up)
    }

    fn memory(&self) -> Result<Memory> {
        let (mut app, start_up) = self.launch()?;
        // Let the first frame settle before reading the peak.
        thread::sleep(Duration::from_millis(500));
        let (after_start_kib, rss_after_start_kib) = app.memory()?;

        let opened = Instant::now();
        app.send(F3)?;
        app.wait_until("the Members list", |screen| {
            let text = screen.contents();
            text.contains("Members: ") && text.contains(" shown of ")
        })?;
        let members_seconds = opened.elapsed().as_secs_f64();

        let typed = Instant::now();
        for (end, c) in SEARCH.char_indices() {
            app.send(&c.to_string())?;
            let prefix = &SEARCH[..end + c.len_utf8()];
            app.wait_until(&format!("{prefix:?} in the search field"), |screen| {
                shows_field(screen, prefix)
            })?;
        }
        app.wait_until(&format!("{MATCH:?} in the list"), |screen| {
            screen.contents().contains(MATCH)
        })?;
        let search_seconds = typed.elapsed().as_secs_f64();
        eprintln!("the screen with the match:\n{}", app.contents());
        thread::sleep(Duration::from_millis(500));
        let (after_search_kib, rss_after_search_kib) = app.memory()?;
        app.quit()?;
        Ok(Memory {
            start_up,
            after_start_kib,
            rss_after_start_kib,
            members_seconds,
            search_seconds,
            after_search_kib,
            rss_after_search_kib,
        })
    }

    /// Spawns the app in a pseudo-terminal and waits for the ready screen.
    fn launch(&self) -> Result<(App, StartUp)> {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .map_err(|e| anyhow::anyhow!("opening a pseudo-terminal: {e}"))?;
        let mut command = CommandBuilder::new(CARNET);
        command.arg("--config");
        command.arg(&self.config);
        command.arg("--db");
        command.arg(&self.database);
        command.cwd(&self.folder);
        command.env("XDG_DATA_HOME", &self.folder);
        command.env("TERM", "xterm-256color");

        let parser = Arc::new(Mutex::new(vt100::Parser::new_with_callbacks(
            non_zero(ROWS),
            non_zero(COLS),
            0,
            TerminalReplies::default(),
        )));
        let writer: SharedWriter = Arc::new(Mutex::new(
            pty.master
                .take_writer()
                .map_err(|e| anyhow::anyhow!("pseudo-terminal writer: {e}"))?,
        ));
        let reader = pty
            .master
            .try_clone_reader()
            .map_err(|e| anyhow::anyhow!("pseudo-terminal reader: {e}"))?;
        let (ready_sender, ready) = mpsc::channel();

        let started = Instant::now();
        let child = pty
            .slave
            .spawn_command(command)
            .map_err(|e| anyhow::anyhow!("starting carnet: {e}"))?;
        // The child keeps its own copy of the terminal, so reads end when it exits.
        drop(pty.slave);
        spawn_screen_reader(
            reader,
            Arc::clone(&parser),
            Arc::clone(&writer),
            ready_sender,
        );
        let mut app = App {
            child,
            writer,
            _master: pty.master,
            parser,
        };

        let (at, today) = match ready.recv_timeout(TIMEOUT) {
            Ok(seen) => seen,
            Err(_) => bail!(
                "no ready screen within {TIMEOUT:?}. The screen shows:\n{}",
                app.contents()
            ),
        };
        let mut start_up = StartUp {
            seconds: (at - started).as_secs_f64(),
            today,
        };
        if let Some(status) = app.child.try_wait()? {
            bail!("carnet exited with {status:?} right after its first screen");
        }
        if start_up.today.is_none() {
            // The ready text can arrive in one read and the title in the next.
            app.wait_until("the title \"Check-ins today: N\"", |screen| {
                today_count(&screen.contents()).is_some()
            })?;
            start_up.today = today_count(&app.contents());
        }
        Ok((app, start_up))
    }
}

/// The parts of a start-up timed in this process: medians in seconds, and the growth of this
/// process's resident memory (KiB) over the first round.
struct Parts {
    open_seconds: f64,
    today_seconds: f64,
    today_rows: usize,
    app_new_seconds: f64,
    open_kib: i64,
    today_kib: i64,
    app_new_kib: i64,
}

/// Times `Store::open`, today's check-ins and `App::new` with the app's own settings.
fn parts(database: &Path) -> Result<Parts> {
    let mut settings: Settings = carnet::config::resolve(Config::default(), None)?;
    settings.database = database.to_owned();
    let options = StoreOptions {
        cache_bytes: settings.cache_bytes,
        create: false,
    };
    let (mut open, mut today, mut app_new) = (Vec::new(), Vec::new(), Vec::new());
    let mut growth = None;
    let mut today_rows = 0;
    for _ in 0..PART_RUNS {
        let before = own_rss_kib()?;
        let started = Instant::now();
        let store = Store::open(database, options)?;
        open.push(started.elapsed().as_secs_f64());
        let opened = own_rss_kib()?;

        let club_time = &settings.club_time;
        let since = club_time.start_of_day(club_time.local_date(Utc::now()));
        let started = Instant::now();
        let rows = store.check_ins_since(since)?;
        today.push(started.elapsed().as_secs_f64());
        today_rows = rows.len();
        let loaded = own_rss_kib()?;
        drop(rows);

        let after_drop = own_rss_kib()?;
        let started = Instant::now();
        let app = DeskApp::new(&store, &settings, &SystemClock, Keymap::built_in()?)?;
        app_new.push(started.elapsed().as_secs_f64());
        let after_app = own_rss_kib()?;
        drop(app);
        drop(store);
        growth.get_or_insert((opened - before, loaded - opened, after_app - after_drop));
    }
    let (open_kib, today_kib, app_new_kib) = growth.context("no round ran")?;
    Ok(Parts {
        open_seconds: median(open),
        today_seconds: median(today),
        today_rows,
        app_new_seconds: median(app_new),
        open_kib,
        today_kib,
        app_new_kib,
    })
}

fn own_rss_kib() -> Result<i64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .context("VmRSS not found in /proc/self/status")
}

type Emulator = vt100::Parser<TerminalReplies>;
type SharedWriter = Arc<Mutex<Box<dyn Write + Send>>>;

/// The app running in a pseudo-terminal, and the emulated screen it draws on.
struct App {
    child: Box<dyn Child + Send + Sync>,
    writer: SharedWriter,
    /// The master side, kept open while the app runs because closing it hangs up its terminal.
    _master: Box<dyn MasterPty + Send>,
    parser: Arc<Mutex<Emulator>>,
}

impl App {
    fn send(&mut self, text: &str) -> Result<()> {
        let mut writer = lock(&self.writer);
        writer.write_all(text.as_bytes())?;
        writer.flush()?;
        Ok(())
    }

    fn contents(&self) -> String {
        lock(&self.parser).screen().contents()
    }

    fn wait_until(&mut self, expected: &str, check: impl Fn(&vt100::Screen) -> bool) -> Result<()> {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if check(lock(&self.parser).screen()) {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "carnet exited with {status:?} before showing {expected}:\n{}",
                    self.contents()
                );
            }
            if Instant::now() >= deadline {
                bail!(
                    "timed out waiting for {expected}. The screen shows:\n{}",
                    self.contents()
                );
            }
            thread::sleep(Duration::from_millis(2));
        }
    }

    /// Returns the peak and the current resident memory in KiB.
    fn memory(&self) -> Result<(u64, u64)> {
        let pid = self
            .child
            .process_id()
            .context("carnet has no process id")?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        let field = |name: &str| -> Result<u64> {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
                .with_context(|| format!("{name} not found in /proc/{pid}/status"))
        };
        Ok((field("VmHWM:")?, field("VmRSS:")?))
    }

    /// Presses F10 and waits for a clean exit.
    fn quit(&mut self) -> Result<()> {
        self.send(F10)?;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                if !status.success() {
                    bail!("carnet exited with {status:?} after F10");
                }
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!("carnet still running {TIMEOUT:?} after F10");
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for App {
    /// Ends an app that a failed run left behind, so no process outlives the bench.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            if let Some(pid) = self.child.process_id() {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            }
            let _ = self.child.wait();
        }
    }
}

fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Replies to the cursor-position query (`ESC [ 6 n`) that ratatui's `Terminal::clear` sends at
/// start. vt100 parses the query without replying, and crossterm gives up after 2 s without
/// a reply.
#[derive(Default)]
struct TerminalReplies {
    pending: Vec<u8>,
}

impl vt100::Callbacks for TerminalReplies {
    fn unhandled_csi(
        &mut self,
        screen: &mut vt100::Screen,
        first_intermediate: Option<u8>,
        _second_intermediate: Option<u8>,
        params: &[&[u16]],
        final_char: char,
    ) {
        if final_char == 'n' && first_intermediate.is_none() && params == [&[6u16][..]] {
            let (row, column) = screen.cursor_position();
            let reply = format!("\x1b[{};{}R", row + 1, column + 1);
            self.pending.extend_from_slice(reply.as_bytes());
        }
    }
}

/// Feeds the app's output to the emulator and sends back its replies until the terminal
/// closes. Reports the moment the ready text first appears, with the day's check-in count.
fn spawn_screen_reader(
    mut reader: Box<dyn Read + Send>,
    parser: Arc<Mutex<Emulator>>,
    writer: SharedWriter,
    ready: mpsc::Sender<(Instant, Option<usize>)>,
) {
    thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        let mut seen = false;
        loop {
            let count = match reader.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(count) => count,
            };
            let (replies, ready_now) = {
                let mut parser = lock(&parser);
                parser.process(&buffer[..count]);
                let replies = std::mem::take(&mut parser.callbacks_mut().pending);
                let ready_now = if seen {
                    None
                } else {
                    let text = parser.screen().contents();
                    text.contains(READY).then(|| today_count(&text))
                };
                (replies, ready_now)
            };
            if let Some(today) = ready_now {
                seen = true;
                let _ = ready.send((Instant::now(), today));
            }
            if !replies.is_empty() {
                let mut writer = lock(&writer);
                // The app may have exited meanwhile, so a failed write is ignored.
                let _ = writer.write_all(&replies);
                let _ = writer.flush();
            }
        }
    });
}

/// Tells whether the bordered field at the right end of the cursor's row contains exactly
/// `text`, with the cursor right after it, so that a typed space counts too.
fn shows_field(screen: &vt100::Screen, text: &str) -> bool {
    let (row, column) = screen.cursor_position();
    let Some(line) = screen.rows(0, COLS).nth(usize::from(row)) else {
        return false;
    };
    let Some((before, inside)) = line
        .trim_end()
        .strip_suffix('│')
        .and_then(|rest| rest.rsplit_once('│'))
    else {
        return false;
    };
    let start = before.chars().count() + 1;
    inside.trim_end() == text.trim_end() && usize::from(column) == start + text.chars().count()
}

/// Parses the count in the English title "Check-ins today: N", if the screen shows it.
fn today_count(screen: &str) -> Option<usize> {
    let (_, rest) = screen.split_once("Check-ins today: ")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn non_zero(value: u16) -> NonZeroU16 {
    NonZeroU16::new(value).expect("terminal sizes are positive")
}

/// Lists every file under `folder`, subfolders included.
fn files_under(folder: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            files.extend(files_under(&entry.path())?);
        } else {
            files.push(entry.path());
        }
    }
    Ok(files)
}

/// Flushes the files and evicts them from the page cache, with Python's `os.posix_fadvise`.
fn evict(files: &[PathBuf]) -> Result<()> {
    let status = Command::new("python3")
        .arg("-c")
        .arg(EVICT_SCRIPT)
        .args(files)
        .status()
        .context("running python3 to evict the database from the page cache")?;
    if !status.success() {
        bail!("evicting the database from the page cache failed: {status}");
    }
    Ok(())
}

/// Returns the bytes of `files` still in the page cache, from util-linux's `fincore` when it
/// is installed.
fn cached_bytes(files: &[PathBuf]) -> Option<u64> {
    let output = Command::new("fincore")
        .args(["--bytes", "--noheadings", "--output", "RES"])
        .args(files)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.trim().parse::<u64>().ok())
        .sum()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

struct Report {
    discarded: StartUp,
    warm: Vec<StartUp>,
    cold: Vec<StartUp>,
    cached_after_eviction: Vec<Option<u64>>,
    memory: Memory,
    screens: Vec<ScreensRun>,
    parts: Parts,
    database_bytes: u64,
    load_before: String,
    load_after: String,
}

impl Report {
    fn render(&self) -> String {
        let (warm_median, warm_max) = median_max(&self.warm);
        let (cold_median, cold_max) = median_max(&self.cold);
        let after_start = megabytes(self.memory.after_start_kib);
        let after_search = megabytes(self.memory.after_search_kib);
        let mut out = String::new();
        out.push_str("## Start-up and memory\n\n");
        out.push_str("| operation | median | max or value | target | met |\n");
        out.push_str("|---|---:|---:|---|---|\n");
        out.push_str(&format!(
            "| start-up to the first frame, warm ({} runs) | {warm_median:.3} s | {warm_max:.3} s | < {WARM_TARGET_S} s | {} |\n",
            self.warm.len(),
            met(warm_max < WARM_TARGET_S),
        ));
        out.push_str(&format!(
            "| start-up to the first frame, cold ({} runs) | {cold_median:.3} s | {cold_max:.3} s | < {COLD_TARGET_S} s | {} |\n",
            self.cold.len(),
            met(cold_max < COLD_TARGET_S),
        ));
        out.push_str(&format!(
            "| peak memory (VmHWM) after start-up | — | {after_start:.0} MB | < {MEMORY_TARGET_MB} MB | {} |\n",
            met(after_start < MEMORY_TARGET_MB),
        ));
        out.push_str(&format!(
            "| peak memory (VmHWM) after Members and the search {SEARCH:?} | — | {after_search:.0} MB | < {MEMORY_TARGET_MB} MB | {} |\n",
            met(after_search < MEMORY_TARGET_MB),
        ));
        for run in &self.screens {
            let peak = megabytes(run.peaks_kib.iter().copied().max().unwrap_or(0));
            out.push_str(&format!(
                "| peak memory (VmHWM) after {} | — | {peak:.0} MB | < {MEMORY_TARGET_MB} MB | {} |\n",
                run.name,
                met(peak < MEMORY_TARGET_MB),
            ));
        }
        out.push('\n');
        out.push_str("A start-up target is met when the slowest run is under it.\n");
        out.push_str("MB are 10^6 bytes; /proc reports KiB.\n\n");

        let today: Vec<String> = self
            .warm
            .iter()
            .chain(&self.cold)
            .map(|run| run.today.map_or("?".to_owned(), |n| n.to_string()))
            .collect();
        out.push_str(&format!(
            "- Check-ins today shown on the first screens: {}.\n",
            dedup(&today).join(", ")
        ));
        out.push_str(&format!(
            "- Warm runs: {}; discarded first run {:.3} s.\n",
            seconds_list(&self.warm),
            self.discarded.seconds
        ));
        out.push_str(&format!("- Cold runs: {}.\n", seconds_list(&self.cold)));
        let cached: Vec<String> = self
            .cached_after_eviction
            .iter()
            .map(|bytes| bytes.map_or("?".to_owned(), |b| format!("{:.1} MB", b as f64 / 1e6)))
            .collect();
        out.push_str(&format!(
            "- Database on disk: {:.0} MB; left in the page cache after each eviction (fincore): {}.\n",
            self.database_bytes as f64 / 1e6,
            cached.join(", ")
        ));
        let memory = &self.memory;
        out.push_str(&format!(
            "- Memory run: start-up {:.3} s; VmHWM {after_start:.1} MB and VmRSS {:.1} MB 0.5 s after the first frame; \
             Members drawn {:.3} s after F3; {} characters typed and a match shown in {:.3} s; \
             then VmHWM {after_search:.1} MB and VmRSS {:.1} MB.\n",
            memory.start_up.seconds,
            megabytes(memory.rss_after_start_kib),
            memory.members_seconds,
            SEARCH.chars().count(),
            memory.search_seconds,
            megabytes(memory.rss_after_search_kib),
        ));
        for run in &self.screens {
            let peaks: Vec<String> = run
                .peaks_kib
                .iter()
                .map(|&kib| format!("{:.0}", megabytes(kib)))
                .collect();
            out.push_str(&format!(
                "- {}: VmHWM after each screen {} MB.\n",
                run.name,
                peaks.join(", ")
            ));
        }
        let parts = &self.parts;
        out.push_str(&format!(
            "- Parts, in the bench process (median of {PART_RUNS}, memory growth in the first round): \
             `Store::open` {:.3} s, +{:.1} MB resident; today's check-ins ({} rows) {:.3} s, \
             +{:.1} MB while kept; `App::new` (which loads them too) {:.3} s, +{:.1} MB.\n",
            parts.open_seconds,
            parts.open_kib as f64 * 1024.0 / 1e6,
            parts.today_rows,
            parts.today_seconds,
            parts.today_kib as f64 * 1024.0 / 1e6,
            parts.app_new_seconds,
            parts.app_new_kib as f64 * 1024.0 / 1e6,
        ));
        out.push_str(&format!(
            "- Load average (1, 5, 15 min): {} before, {} after.\n",
            self.load_before, self.load_after
        ));
        out
    }
}

fn median_max(runs: &[StartUp]) -> (f64, f64) {
    let seconds: Vec<f64> = runs.iter().map(|run| run.seconds).collect();
    let max = seconds.iter().copied().fold(f64::NAN, f64::max);
    (median(seconds), max)
}

/// Returns the middle value, or the mean of the two middle values of an even count.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

fn seconds_list(runs: &[StartUp]) -> String {
    runs.iter()
        .map(|run| format!("{:.3}", run.seconds))
        .collect::<Vec<_>>()
        .join(", ")
        + " s"
}

fn dedup(values: &[String]) -> Vec<String> {
    let mut unique: Vec<String> = Vec::new();
    for value in values {
        if !unique.contains(value) {
            unique.push(value.clone());
        }
    }
    unique
}

fn megabytes(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

fn met(yes: bool) -> &'static str {
    if yes { "yes" } else { "no" }
}
