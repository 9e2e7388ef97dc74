//! Reports on how cards are sold and used: usage, sales, outstanding sessions and card life
//! over a period of whole days in the club's time zone.
//!
//! Computation reads [`Facts`], the ledger reduced to fixed-size records, which [`cache`]
//! keeps up to date in a file beside the database. Every report comes from passes over the
//! same facts, so the screen and `carnet report` show the same figures.

pub mod cache;
pub mod card_life;
pub mod export;
pub mod facts;
pub mod outstanding;
pub mod period;
mod replay;
pub mod sales;
pub mod tables;
pub mod usage;

pub use facts::Facts;
pub use period::{Period, PeriodError, Preset};

use crate::domain::ClubTime;
use crate::domain::card_type::{ActivityId, CardTypeId};
use crate::store::{Store, StoreError};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The four reports, in the order of the screen's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportKind {
    Usage,
    Sales,
    Outstanding,
    CardLife,
}

impl ReportKind {
    pub const ALL: [ReportKind; 4] = [
        ReportKind::Usage,
        ReportKind::Sales,
        ReportKind::Outstanding,
        ReportKind::CardLife,
    ];

    /// Returns the stable English name used on the command line and in file names.
    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Usage => "usage",
            ReportKind::Sales => "sales",
            ReportKind::Outstanding => "outstanding",
            ReportKind::CardLife => "card-life",
        }
    }

    /// The catalog key of the report's title.
    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Usage => "reports.usage",
            ReportKind::Sales => "reports.sales",
            ReportKind::Outstanding => "reports.outstanding",
            ReportKind::CardLife => "reports.card_life",
        }
    }
}

/// A request to stop the reports being computed, made when staff leave the Reports screen and
/// no longer wait for them. A report stopped halfway is incomplete, so its caller drops it.
#[derive(Debug, Clone, Default)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    pub fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Names of card types and activities, read from the store when a report is made.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub card_types: HashMap<CardTypeId, (String, String)>,
    pub activities: HashMap<ActivityId, String>,
}

impl Names {
    pub fn from_store(store: &Store) -> Result<Names, StoreError> {
        let card_types = store
            .card_types()?
            .into_iter()
            .map(|t| (t.id, (t.name, t.audience)))
            .collect();
        let activities = store
            .activities()?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        Ok(Names {
            card_types,
            activities,
        })
    }

    /// Returns a card type's name, or its number for a type that no longer exists.
    pub fn card_type(&self, id: CardTypeId) -> String {
        self.card_types
            .get(&id)
            .map_or_else(|| format!("#{}", id.0), |(name, _)| name.clone())
    }

    pub fn audience(&self, id: CardTypeId) -> String {
        self.card_types
            .get(&id)
            .map(|(_, audience)| audience.clone())
            .unwrap_or_default()
    }

    /// Returns an activity's name; `None` when no activity was chosen at the check-in.
    pub fn activity(&self, id: Option<ActivityId>) -> Option<String> {
        let id = id?;
        Some(
            self.activities
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("#{}", id.0)),
        )
    }
}

/// Every report over one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub period: Period,
    pub usage: usage::Usage,
    pub sales: sales::Sales,
    pub outstanding: outstanding::Outstanding,
    pub card_life: card_life::CardLife,
}

/// Computes every report over `period` from the facts.
///
/// Usage and sales run on a second thread while the cards' states are replayed on this one.
/// Every pass reads the events from the facts file.
pub fn compute(
    facts: &Facts,
    names: &Names,
    period: Period,
    club: &ClubTime,
) -> Result<Report, StoreError> {
    let (_, end) = period.bounds(club);
    std::thread::scope(|scope| {
        let flows = scope.spawn(|| -> Result<_, StoreError> {
            Ok((
                usage::usage(facts, &period, club)?,
                sales::sales(facts, &period, club, &|id| names.audience(id))?,
            ))
        });
        let states = replay::replay(facts, end, club);
        let flows = match flows.join() {
            Ok(flows) => flows,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let states = states?;
        let (usage, sales) = flows?;
        Ok(Report {
            period,
            usage,
            sales,
            outstanding: outstanding::outstanding(facts, &states, &period),
            card_life: card_life::card_life(facts, &states, &period, club),
        })
    })
}

/// Brings the facts in `loaded` up to date, loading them first when `loaded` is empty, and
/// computes the reports. The facts stay in `loaded` for the next report.
///
/// A failure to read the facts file may come from a change made to it since it was read,
/// so the facts are loaded once more, and the file built again if need be, before the error
/// is returned. After an error `loaded` is empty.
///
/// Once `stop` is set, the facts stop reading the ledger and the file, so the result is
/// incomplete: the caller drops it, and the facts with it.
pub fn compute_with(
    loaded: &mut Option<Facts>,
    store: &Store,
    period: Period,
    club: &ClubTime,
    stop: &Stop,
) -> Result<(Report, Names), StoreError> {
    let attempt = |loaded: &mut Option<Facts>, fresh: &dyn Fn() -> Result<Facts, StoreError>| {
        let facts = match loaded {
            Some(facts) => facts,
            None => loaded.insert(fresh()?),
        };
        facts.stop_on(stop.clone());
        facts.refresh(store)?;
        let names = Names::from_store(store)?;
        Ok((compute(facts, &names, period, club)?, names))
    };
    let load = || Facts::load(store);
    attempt(loaded, &load).or_else(|error| {
        *loaded = None;
        if stop.is_stopped() {
            return Err(error);
        }
        let again = if is_disk_full(&error) {
            // The records go to the temporary folder, often on another disk, until the
            // database's disk has room again. When that fails too, the error about the
            // database's disk is returned, because that is the disk staff must free.
            tracing::warn!(%error, "reports cache not written; using the temporary folder");
            attempt(loaded, &|| Facts::unnamed(&std::env::temp_dir())).map_err(|other| {
                tracing::warn!(error = %other, "reports not built in the temporary folder");
                error
            })
        } else {
            tracing::warn!(%error, "reports failed; loading the facts again");
            attempt(loaded, &load)
        };
        again.inspect_err(|_| *loaded = None)
    })
}

/// Tells whether `error` is a full disk, or a quota reached, which leave no room to write.
fn is_disk_full(error: &StoreError) -> bool {
    let no_room = |source: &std::io::Error| {
        crate::messages::is_disk_full(source) || source.kind() == std::io::ErrorKind::QuotaExceeded
    };
    matches!(error, StoreError::Io { source, .. } if no_room(source))
}

/// Loads the facts through the facts file, brings them up to date, and computes the reports.
pub fn compute_from_store(
    store: &Store,
    period: Period,
    club: &ClubTime,
) -> Result<(Report, Names), StoreError> {
    compute_with(&mut None, store, period, club, &Stop::default())
}
