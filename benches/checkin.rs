//! Check-in latency, measured in one run with the variants interleaved round-robin, so that
//! the noise of a shared machine falls on all of them alike:
//!
//! a. the floor: a 256-byte append and `fdatasync` to a file beside the database folder,
//!    as Carnet's journal appends;
//! a′. for comparison, the same write into space written before, so `fdatasync` has no file
//!    size to record;
//! b. Carnet: a scan typed into the front desk (`App::update`), stored durably, and one frame
//!    drawn to a 120×40 `TestBackend`;
//! c. the same check-in as one SQLite transaction (WAL, `synchronous=FULL`) on the same data.
//!
//! The database is a demo club of 100,000 members, 200,000 cards and about 2,000,000 ledger
//! events, made by `carnet demo` at the start, or reused from the folder named by
//! `CARNET_BENCH_DB` (made there when missing, with its SQLite copy beside it). A run works
//! on copies, so a reused database never changes. `CARNET_BENCH_SAMPLES` sets the samples per
//! variant (2,000 by default), and `CARNET_BENCH_CACHE_MB` sled's cache in MiB (config.toml's
//! default otherwise), to compare settings. Prints markdown tables to stdout and every sample to
//! `target/checkin-samples.csv`.

#[path = "checkin/setup.rs"]
mod setup;
#[path = "checkin/sqlite.rs"]
mod sqlite;
#[path = "checkin/stats.rs"]
mod stats;

use anyhow::{Context, Result, bail};
use carnet::config::{Config, Settings};
use carnet::domain::checkin::CheckInRules;
use carnet::domain::{Card, Clock, FixedClock, LedgerEvent, Member, MemberId};
use carnet::store::{CheckInOutcome, Store, StoreOptions, WriteContext};
use carnet::tui::app::{Action, App, Panel};
use carnet::tui::keymap::Keymap;
use carnet::tui::theme::Theme;
use carnet::tui::view;
use chrono::{Days, TimeDelta, Utc};
use rand::{Rng, SeedableRng};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use stats::{Ratio, Row, Summary};
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const DEFAULT_SAMPLES: usize = 2_000;
/// Rounds run before measuring, to fill caches and settle the files.
const WARM_UP_ROUNDS: usize = 50;
/// Members checked in during the run, in turn. Each is sold a 20-session card first.
const BENCH_MEMBERS: usize = 500;
/// How far the clock moves between rounds: past the 10-minute repeat guard.
const ROUND_MINUTES: i64 = 11;
/// Size of one floor write, about the size of a check-in's journal frame.
const FLOOR_BYTES: usize = 256;

/// The samples of one run, one per measured round and variant.
#[derive(Default)]
struct Samples {
    floor: Vec<Duration>,
    overwrite: Vec<Duration>,
    carnet: Vec<Duration>,
    carnet_submit: Vec<Duration>,
    carnet_draw: Vec<Duration>,
    /// Today's list reloaded again after the Carnet sample, outside its timing.
    carnet_reload: Vec<Duration>,
    sqlite: Vec<Duration>,
}

fn main() -> Result<()> {
    setup::tune_allocator_as_the_app_does();
    let samples: usize = match std::env::var("CARNET_BENCH_SAMPLES") {
        Ok(value) => value
            .parse()
            .with_context(|| format!("CARNET_BENCH_SAMPLES={value:?} is not a count"))?,
        Err(_) => DEFAULT_SAMPLES,
    };
    let scratch = tempfile::Builder::new()
        .prefix("carnet-bench-")
        .tempdir()
        .context("creating the scratch folder")?;
    let prepared = prepare_database(scratch.path())?;

    let mut settings: Settings = carnet::config::resolve(Config::default(), None)?;
    settings.database = prepared.carnet.clone();
    if let Ok(value) = std::env::var("CARNET_BENCH_CACHE_MB") {
        let mib: u64 = value
            .parse()
            .with_context(|| format!("CARNET_BENCH_CACHE_MB={value:?} is not a size in MiB"))?;
        settings.cache_bytes = mib << 20;
    }
    let store = Store::open(
        &settings.database,
        StoreOptions {
            cache_bytes: settings.cache_bytes,
            ..StoreOptions::default()
        },
    )?;
    let ledger_events = store.ledger_len();
    let sqlite_path = prepare_sqlite(scratch.path(), prepared.reused.as_deref(), &store)?;

    let busy_day = time_busy_day(&store, &settings)?;
    // The run starts at the club's next midnight, so today's list holds only the run's own
    // check-ins (at most 131 a day at one per 11 minutes), whatever the hour of the run.
    let tomorrow = settings.club_time.local_date(Utc::now()) + Days::new(1);
    let clock = FixedClock::new(settings.club_time.start_of_day(tomorrow));
    let members = pick_members(&store)?;
    let sales = sell_cards(&store, &settings, &clock, &members)?;
    // The journal starts empty, so its checkpoint after 2,000 writes falls at a known sample.
    store.checkpoint()?;
    let mut conn = sqlite::open(&sqlite_path)?;
    sqlite::add_sold_cards(&mut conn, &sales)?;

    eprintln!(
        "measuring {samples} rounds after {WARM_UP_ROUNDS} warm-up rounds, sled's cache at {} MiB",
        settings.cache_bytes >> 20
    );
    let mut bench = Bench {
        app: App::new(&store, &settings, &clock, Keymap::built_in()?)?,
        terminal: Terminal::new(TestBackend::new(120, 40))?,
        theme: Theme::colored(),
        floor: OpenOptions::new()
            .create(true)
            .append(true)
            .open(scratch.path().join("floor.bin"))?,
        overwrite: preallocated(
            &scratch.path().join("overwrite.bin"),
            WARM_UP_ROUNDS + samples,
        )?,
        conn,
        settings: &settings,
        clock: &clock,
    };
    let measured = bench.run(&members, samples)?;
    drop(bench);
    write_csv(&measured)?;

    let facts = Facts {
        busy_day,
        demo: prepared.demo,
        carnet_bytes: setup::disk_usage(&prepared.measured_size_of)?,
        sqlite_bytes: setup::disk_usage(&sqlite_path)?,
        ledger_events,
    };
    print!("{}", report(&measured, &facts));
    Ok(())
}

struct Prepared {
    /// The database folder the run opens.
    carnet: PathBuf,
    /// The folder named by `CARNET_BENCH_DB`, when reused.
    reused: Option<PathBuf>,
    /// The folder whose size is reported: the demo as made, before the run wrote to it.
    measured_size_of: PathBuf,
    demo: Option<setup::DemoRun>,
}

fn prepare_database(scratch: &Path) -> Result<Prepared> {
    let copy = scratch.join("db");
    let Some(reused) = std::env::var_os("CARNET_BENCH_DB").map(PathBuf::from) else {
        eprintln!("making the demo club in {}", copy.display());
        let demo = setup::make_demo(&copy, scratch)?;
        let measured = scratch.join("db-as-made");
        // Sizes are measured on a copy taken before the run writes to the database.
        setup::copy_folder(&copy, &measured)?;
        return Ok(Prepared {
            carnet: copy,
            reused: None,
            measured_size_of: measured,
            demo: Some(demo),
        });
    };
    let demo = if setup::has_database(&reused) {
        eprintln!("reusing the demo club in {}", reused.display());
        setup::recorded_demo(&reused)
    } else {
        eprintln!("making the demo club in {}", reused.display());
        Some(setup::make_demo(&reused, scratch)?)
    };
    setup::copy_folder(&reused, &copy)?;
    Ok(Prepared {
        carnet: copy,
        measured_size_of: reused.clone(),
        reused: Some(reused),
        demo,
    })
}

/// Loads the club into SQLite, or copies the file loaded by an earlier run.
fn prepare_sqlite(scratch: &Path, reused: Option<&Path>, store: &Store) -> Result<PathBuf> {
    let path = scratch.join("club.sqlite");
    let cached = reused.map(|folder| {
        let mut name = folder.as_os_str().to_owned();
        name.push(".sqlite");
        PathBuf::from(name)
    });
    if let Some(cached) = cached.as_ref().filter(|cached| cached.is_file()) {
        std::fs::copy(cached, &path)?;
        return Ok(path);
    }
    eprintln!("loading the club into SQLite");
    let started = Instant::now();
    let rows = sqlite::load(&path, store)?;
    eprintln!(
        "loaded {rows} rows in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    if let Some(cached) = cached {
        std::fs::copy(&path, cached)?;
    }
    Ok(path)
}

/// Today's list on the demo's last day, which the front desk reloads after every accepted scan.
struct BusyDay {
    rows: usize,
    median: Duration,
}

/// Times the reload of today's list on the day of the demo's latest ledger event.
fn time_busy_day(store: &Store, settings: &Settings) -> Result<BusyDay> {
    let latest = store
        .ledger()
        .next_back()
        .context("the ledger is empty")??;
    let since = settings
        .club_time
        .start_of_day(settings.club_time.local_date(latest.at));
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..5 {
        let started = Instant::now();
        rows = store.check_ins_since(since)?.len();
        times.push(started.elapsed());
    }
    times.sort();
    Ok(BusyDay {
        rows,
        median: times[times.len() / 2],
    })
}

/// Picks members at random (seeded), past the five showcase members.
fn pick_members(store: &Store) -> Result<Vec<Member>> {
    let count = store.member_count() as u64;
    if count < 6 + BENCH_MEMBERS as u64 {
        bail!("the demo club has only {count} members");
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut ids: Vec<u64> = Vec::with_capacity(BENCH_MEMBERS);
    while ids.len() < BENCH_MEMBERS {
        let id = rng.random_range(6..=count);
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.into_iter()
        .map(|id| {
            store
                .member(MemberId(id))?
                .with_context(|| format!("member {id} not found"))
        })
        .collect()
}

/// Sells each member a 20-session card dated today, so no check-in of the run is refused.
fn sell_cards(
    store: &Store,
    settings: &Settings,
    clock: &FixedClock,
    members: &[Member],
) -> Result<Vec<(Card, LedgerEvent)>> {
    let card_type = store
        .card_types()?
        .into_iter()
        .find(|card_type| card_type.sessions == 20)
        .context("the demo club has no 20-session card type")?;
    let today = settings.club_time.local_date(clock.now());
    let context = write_context(settings, clock);
    let mut sales = Vec::with_capacity(members.len());
    for member in members {
        let card = store.sell_card(member.id, card_type.id, today, &context)?;
        let sale = store
            .events_of_card(card.id)?
            .into_iter()
            .next()
            .with_context(|| format!("sale event of card {} not found", card.id.0))?;
        sales.push((card, sale));
    }
    Ok(sales)
}

fn write_context(settings: &Settings, clock: &FixedClock) -> WriteContext {
    WriteContext {
        now: clock.now(),
        operator: settings.operator.clone(),
        terminal: settings.terminal.clone(),
    }
}

struct Bench<'a> {
    app: App<'a>,
    terminal: Terminal<TestBackend>,
    theme: Theme,
    floor: File,
    /// A file already written to its full length, for the a′ variant.
    overwrite: File,
    conn: rusqlite::Connection,
    settings: &'a Settings,
    clock: &'a FixedClock,
}

impl Bench<'_> {
    /// Runs the warm-up and measured rounds. Each round moves the clock on, then takes one
    /// sample of every variant, in an order that changes every round.
    fn run(&mut self, members: &[Member], samples: usize) -> Result<Samples> {
        let mut measured = Samples::default();
        for round in 0..WARM_UP_ROUNDS + samples {
            self.clock.advance(TimeDelta::minutes(ROUND_MINUTES));
            // The app ticks between scans; a new day reloads today's list there.
            self.app.update(Action::Tick);
            let code = members[round % members.len()].code.as_str().to_owned();
            let mut floor = Duration::ZERO;
            let mut overwrite = Duration::ZERO;
            let mut carnet = (Duration::ZERO, Duration::ZERO);
            let mut sqlite = Duration::ZERO;
            for variant in variant_order(round) {
                match variant {
                    0 => floor = self.floor_write()?,
                    1 => carnet = self.carnet_check_in(&code)?,
                    2 => sqlite = self.sqlite_check_in(&code)?,
                    _ => overwrite = self.overwrite_write(round)?,
                }
            }
            if round >= WARM_UP_ROUNDS {
                measured.floor.push(floor);
                measured.overwrite.push(overwrite);
                measured.carnet.push(carnet.0 + carnet.1);
                measured.carnet_submit.push(carnet.0);
                measured.carnet_draw.push(carnet.1);
                measured.carnet_reload.push(self.time_reload()?);
                measured.sqlite.push(sqlite);
            }
        }
        Ok(measured)
    }

    fn floor_write(&mut self) -> Result<Duration> {
        let block = [b'x'; FLOOR_BYTES];
        let started = Instant::now();
        self.floor.write_all(&block)?;
        self.floor.sync_data()?;
        Ok(started.elapsed())
    }

    fn overwrite_write(&mut self, round: usize) -> Result<Duration> {
        let block = [b'y'; FLOOR_BYTES];
        let offset = (round * FLOOR_BYTES) as u64;
        let started = Instant::now();
        self.overwrite.write_all_at(&block, offset)?;
        self.overwrite.sync_data()?;
        Ok(started.elapsed())
    }

    /// Types the code, submits it and draws one frame. Returns the time from the first key to
    /// the stored result, and the time to draw it.
    fn carnet_check_in(&mut self, code: &str) -> Result<(Duration, Duration)> {
        let started = Instant::now();
        for c in code.chars() {
            self.app.update(Action::Insert(c));
        }
        self.app.update(Action::Submit);
        let stored = Instant::now();
        let (app, theme) = (&self.app, &self.theme);
        self.terminal.draw(|frame| view::draw(frame, app, theme))?;
        let drawn = Instant::now();

        let accepted = matches!(
            &self.app.panel,
            Panel::Scan(result) if matches!(result.outcome, CheckInOutcome::Accepted { .. })
        );
        if !accepted {
            bail!("Carnet did not accept {code}: {:?}", self.app.panel);
        }
        Ok((stored - started, drawn - stored))
    }

    /// Times the reload of today's list that `App` does after every accepted scan.
    fn time_reload(&self) -> Result<Duration> {
        let club_time = &self.settings.club_time;
        let since = club_time.start_of_day(club_time.local_date(self.clock.now()));
        let started = Instant::now();
        self.app.store().check_ins_since(since)?;
        Ok(started.elapsed())
    }

    fn sqlite_check_in(&mut self, code: &str) -> Result<Duration> {
        let now = self.clock.now();
        let rules = CheckInRules {
            today: self.settings.club_time.local_date(now),
            now,
            activity: None,
            repeat_guard: self.settings.repeat_guard,
            charge_again: false,
        };
        let context = write_context(self.settings, self.clock);
        let started = Instant::now();
        let accepted = sqlite::check_in(&mut self.conn, code, &rules, &context)?;
        let elapsed = started.elapsed();
        if !accepted {
            bail!("SQLite did not accept {code}");
        }
        Ok(elapsed)
    }
}

/// Returns the order of the four variants in `round`: the 24 orders in turn, so that each variant
/// runs equally often in each position and after each other variant. With a fixed rotation,
/// where a variant always follows the same one, Carnet's median once came out below the
/// floor's although Carnet's check-in includes the same `fdatasync`.
fn variant_order(round: usize) -> [usize; 4] {
    let mut remaining = vec![0, 1, 2, 3];
    let mut index = round % 24;
    let mut order = [0; 4];
    for (position, slot) in order.iter_mut().enumerate() {
        let base = (1..4 - position).product::<usize>();
        *slot = remaining.remove(index / base);
        index %= base;
    }
    order
}

/// Creates a file of `blocks` floor-sized blocks, written and synced, so that later writes
/// inside it change no file metadata that `fdatasync` must record.
fn preallocated(path: &Path, blocks: usize) -> Result<File> {
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .write(true)
        .truncate(true)
        .open(path)?;
    file.write_all(&vec![0u8; blocks * FLOOR_BYTES])?;
    file.sync_all()?;
    Ok(file)
}

fn write_csv(samples: &Samples) -> Result<()> {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let path = target.join("checkin-samples.csv");
    let mut out = String::from(
        "sample,floor_ms,overwrite_ms,carnet_ms,carnet_submit_ms,carnet_draw_ms,carnet_reload_ms,sqlite_ms\n",
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    for i in 0..samples.carnet.len() {
        let _ = writeln!(
            out,
            "{i},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4}",
            ms(samples.floor[i]),
            ms(samples.overwrite[i]),
            ms(samples.carnet[i]),
            ms(samples.carnet_submit[i]),
            ms(samples.carnet_draw[i]),
            ms(samples.carnet_reload[i]),
            ms(samples.sqlite[i])
        );
    }
    std::fs::write(&path, out).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("samples written to {}", path.display());
    Ok(())
}

struct Facts {
    busy_day: BusyDay,
    demo: Option<setup::DemoRun>,
    carnet_bytes: u64,
    sqlite_bytes: u64,
    ledger_events: usize,
}

fn report(samples: &Samples, facts: &Facts) -> String {
    let mut out = String::new();
    let now = Utc::now().format("%Y-%m-%d %H:%M UTC");
    let _ = writeln!(out, "## Check-in latency ({now})\n");
    out.push_str(&stats::latency_table(&latency_rows(samples)));
    out.push('\n');
    out.push_str(&stats::ratio_table(&ratios(samples)));
    out.push('\n');
    out.push_str(&slowest(samples));
    out.push('\n');
    out.push_str(&database_facts(facts));
    out
}

fn latency_rows(samples: &Samples) -> Vec<Row<'static>> {
    let row = |label, samples: &[Duration]| Row {
        label,
        summary: Summary::of(samples),
    };
    vec![
        row("a. floor: 256-byte append + fdatasync", &samples.floor),
        row(
            "a′. same write into space written before + fdatasync",
            &samples.overwrite,
        ),
        row(
            "b. Carnet check-in: scan to durable result, drawn",
            &samples.carnet,
        ),
        row("b1. of which scan to stored result", &samples.carnet_submit),
        row("b2. of which drawing the frame", &samples.carnet_draw),
        row(
            "b3. today's list reload (at start-up and day change only), timed apart",
            &samples.carnet_reload,
        ),
        row(
            "c. SQLite transaction (WAL, synchronous=FULL)",
            &samples.sqlite,
        ),
    ]
}

/// Carnet's ratios to the floor and to SQLite, with the targets they are held to.
///
/// The front desk target times the check-in up to the frame drawn (b). The storage target
/// times it up to the result stored and flushed (b1), which is all the SQLite variant does,
/// so b1 is compared with SQLite. b / c is kept for information.
fn ratios(samples: &Samples) -> Vec<Ratio<'static>> {
    let floor = Summary::of(&samples.floor);
    let carnet = Summary::of(&samples.carnet);
    let stored = Summary::of(&samples.carnet_submit);
    let sqlite = Summary::of(&samples.sqlite);
    let ratio = |label, value, limit| Ratio {
        label,
        value,
        limit,
    };
    vec![
        ratio(
            "b / a at the median (drawn)",
            carnet.median / floor.median,
            Some(4.0),
        ),
        ratio("b / a at p99 (drawn)", carnet.p99 / floor.p99, Some(5.0)),
        ratio(
            "b1 / a at the median (stored)",
            stored.median / floor.median,
            Some(4.0),
        ),
        ratio("b1 / a at p99 (stored)", stored.p99 / floor.p99, Some(5.0)),
        ratio(
            "b1 / c at the median (stored, as SQLite)",
            stored.median / sqlite.median,
            Some(1.0),
        ),
        ratio("b1 / c at p99", stored.p99 / sqlite.p99, None),
        ratio(
            "b / c at the median (drawn)",
            carnet.median / sqlite.median,
            None,
        ),
    ]
}

/// Lists the five slowest Carnet samples, to show what lands on the tail.
fn slowest(samples: &Samples) -> String {
    let mut order: Vec<usize> = (0..samples.carnet.len()).collect();
    order.sort_by(|&a, &b| samples.carnet[b].cmp(&samples.carnet[a]));
    let mut out = String::from("Slowest Carnet samples (index: total = stored + drawn):");
    for &i in order.iter().take(5) {
        let ms = |d: Duration| stats::ms(d.as_secs_f64() * 1e3);
        let _ = write!(
            out,
            " #{i}: {} = {} + {};",
            ms(samples.carnet[i]),
            ms(samples.carnet_submit[i]),
            ms(samples.carnet_draw[i])
        );
    }
    let checkpoint = 2_000usize.checked_sub(WARM_UP_ROUNDS + 1);
    if let Some(index) = checkpoint.filter(|&i| i < samples.carnet.len()) {
        let _ = write!(
            out,
            " the journal checkpoint (every 2,000 writes) is sample #{index}."
        );
    }
    out.push('\n');
    out
}

fn database_facts(facts: &Facts) -> String {
    let mut out = String::new();
    match &facts.demo {
        Some(demo) => {
            let rss = demo.peak_rss_kib.map_or_else(
                || "not measured".to_owned(),
                |k| format!("{:.0} MB", k as f64 / 1024.0),
            );
            let _ = writeln!(
                out,
                "- `carnet demo`: {:.1} s, peak RSS {rss}; {}",
                demo.seconds, demo.output
            );
        }
        None => out.push_str("- `carnet demo`: reused database, no figures recorded\n"),
    }
    let _ = writeln!(
        out,
        "- Today's list on the demo's last day: {} check-ins, reloaded in {} (median of 5); \
         the front desk reloads it at start-up and when the day changes",
        facts.busy_day.rows,
        stats::ms(facts.busy_day.median.as_secs_f64() * 1e3)
    );
    let per_event = |bytes: u64| bytes as f64 / facts.ledger_events.max(1) as f64;
    let _ = writeln!(
        out,
        "- Carnet database on disk: {:.0} MB for {} ledger events, {:.0} bytes per event",
        facts.carnet_bytes as f64 / 1e6,
        facts.ledger_events,
        per_event(facts.carnet_bytes)
    );
    let _ = writeln!(
        out,
        "- SQLite {} database on disk: {:.0} MB, {:.0} bytes per event",
        rusqlite::version(),
        facts.sqlite_bytes as f64 / 1e6,
        per_event(facts.sqlite_bytes)
    );
    out
}
