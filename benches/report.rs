//! How long each report over the last 12 months takes on the demo club of 100,000 members,
//! 200,000 cards and 2,000,000 ledger events, with criterion.
//!
//! The club comes from `CARNET_BENCH_DB` (made there when missing, as `benches/checkin.rs`
//! does) or is made in a temporary folder; the run works on a copy. Three cases:
//! - `build_cache`: the reports cache made from the ledger alone, once per database (timed
//!   once, outside criterion, since it writes the file that the other cases read);
//! - `first_report/KIND`: the cache file read and caught up, the names read, the report
//!   computed and turned into its tables: the first report of an app session, or
//!   `carnet report` without the time to open the store;
//! - `next_report/KIND`: the report computed from the facts already loaded (the cards in
//!   memory, the events read again from the file), as the Reports screen's worker does for
//!   every later report.

// The reports bench uses only the club's set-up from the check-in bench's helpers.
#[allow(dead_code)]
#[path = "checkin/setup.rs"]
mod setup;

use anyhow::{Context, Result};
use carnet::config::{Config, Settings};
use carnet::i18n::{Catalog, Language};
use carnet::reports::{self, Facts, Names, Period, Preset, ReportKind};
use carnet::store::{Store, StoreOptions};
use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn prepare(scratch: &Path) -> Result<PathBuf> {
    let copy = scratch.join("db");
    let source = match std::env::var_os("CARNET_BENCH_DB").map(PathBuf::from) {
        Some(reused) => reused,
        None => scratch.join("club"),
    };
    if !setup::has_database(&source) {
        eprintln!("making the demo club in {}", source.display());
        setup::make_demo(&source, scratch)?;
    }
    eprintln!("copying the demo club from {}", source.display());
    setup::copy_folder(&source, &copy)?;
    // A cache left in the reused club would hide the time to build it.
    let _ = std::fs::remove_file(copy.join("reports-cache"));
    Ok(copy)
}

fn bench_reports(c: &mut Criterion) {
    setup::tune_allocator_as_the_app_does();
    let scratch = tempfile::Builder::new()
        .prefix("carnet-report-bench-")
        .tempdir()
        .expect("scratch folder");
    let path = prepare(scratch.path()).expect("demo club");
    let settings: Settings =
        carnet::config::resolve(Config::default(), None).expect("default settings");
    let store = Store::open(&path, StoreOptions::default()).expect("store opens");
    let club = settings.club_time;
    let today = club.local_date(Utc::now());
    let period = Period::of_preset(Preset::Last12Months, today).expect("12 months");
    let catalog = Catalog::new(Language::En);

    let started = Instant::now();
    let mut facts = Facts::load(&store).expect("facts file");
    facts.refresh(&store).expect("facts");
    eprintln!(
        "build_cache: {:.3} s for {} ledger events and {} cards",
        started.elapsed().as_secs_f64(),
        facts.event_count(),
        facts.cards.len()
    );
    let names = Names::from_store(&store).expect("names");

    let mut group = c.benchmark_group("report_12_months");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    for kind in ReportKind::ALL {
        group.bench_function(format!("first_report/{}", kind.code()), |b| {
            b.iter(|| {
                let mut facts = Facts::load(&store).expect("facts file");
                facts.refresh(&store).expect("facts");
                let names = Names::from_store(&store).expect("names");
                let report = reports::compute(&facts, &names, period, &club).expect("report");
                reports::tables::tables(&report, kind, &names, &catalog)
            })
        });
        group.bench_function(format!("next_report/{}", kind.code()), |b| {
            b.iter(|| {
                let report = reports::compute(&facts, &names, period, &club).expect("report");
                reports::tables::tables(&report, kind, &names, &catalog)
            })
        });
    }
    group.finish();
    drop(store);
    let _ = scratch.close().context("removing the scratch folder");
}

criterion_group!(benches, bench_reports);
criterion_main!(benches);
