//! Reports on how cards are sold and used: usage, sales, outstanding sessions and card life
//! over a period of whole days in the club's time zone.
//!
//! Computation is pure: it reads [`Facts`], the ledger reduced to fixed-size records, which
//! [`cache`] keeps up to date in a file beside the database. Every report comes from one
//! pass over the facts, so the screen and `carnet report` show the same figures.

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

pub use cache::CachedFacts;
pub use facts::Facts;
pub use period::{Period, PeriodError, Preset};

use crate::domain::ClubTime;
use crate::domain::card_type::{ActivityId, CardTypeId};
use crate::store::{Store, StoreError};
use std::collections::HashMap;

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
pub fn compute(facts: &Facts, names: &Names, period: Period, club: &ClubTime) -> Report {
    let (_, end) = period.bounds(club);
    std::thread::scope(|scope| {
        let flows = scope.spawn(|| {
            (
                usage::usage(facts, &period, club),
                sales::sales(facts, &period, club, &|id| names.audience(id)),
            )
        });
        let states = replay::replay(facts, end, club);
        let outstanding = outstanding::outstanding(facts, &states, &period);
        let card_life = card_life::card_life(facts, &states, &period, club);
        let (usage, sales) = match flows.join() {
            Ok(flows) => flows,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        Report {
            period,
            usage,
            sales,
            outstanding,
            card_life,
        }
    })
}

/// Loads the facts through the cache file, brings them up to date, and computes the reports.
pub fn compute_from_store(
    store: &Store,
    period: Period,
    club: &ClubTime,
) -> Result<(Report, Names), StoreError> {
    let mut cached = CachedFacts::load(store);
    cached.refresh(store)?;
    let names = Names::from_store(store)?;
    Ok((compute(&cached.facts, &names, period, club), names))
}
