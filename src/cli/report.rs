//! `carnet report`: the figures of the Reports screen on standard output, as CSV in the
//! user's language or as JSON.

use super::{Format, UserError};
use crate::config::Settings;
use crate::i18n::Catalog;
use crate::reports::{self, Period, PeriodError, Preset, ReportKind, export, tables};
use crate::store::Store;
use chrono::NaiveDate;
use std::io::Write;
use std::process::ExitCode;

/// Prints one report over the period from `from` to `to`, both included. Without `from` the
/// period starts on the last 1 September; without `to` it ends today.
#[allow(clippy::too_many_arguments)]
pub fn run(
    store: &Store,
    settings: &Settings,
    catalog: &Catalog,
    today: NaiveDate,
    kind: ReportKind,
    from: Option<&str>,
    to: Option<&str>,
    format: Format,
) -> Result<ExitCode, UserError> {
    let period = period_of(from, to, today).map_err(|error| period_error(catalog, &error))?;
    let (report, names) = reports::compute_from_store(store, period, &settings.club_time)
        .map_err(|error| UserError(crate::messages::store_error(catalog, &error)))?;
    let tables = tables::tables(&report, kind, &names, catalog);
    let mut stdout = std::io::stdout().lock();
    let written = match format {
        // Both conversions keep the kind of an I/O error, so a closed pipe is recognised.
        Format::Csv => export::write_csv(&mut stdout, &report, kind, &tables, catalog)
            .map_err(std::io::Error::from),
        Format::Json => {
            let json = export::to_json(&report, kind, &tables);
            serde_json::to_writer_pretty(&mut stdout, &json)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(stdout))
        }
    };
    match written {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(error) => Err(UserError(catalog.tf("error.export", &[("detail", &error)]))),
        Ok(()) => Ok(ExitCode::SUCCESS),
    }
}

fn period_of(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<Period, PeriodError> {
    let season = Period::of_preset(Preset::ThisSeason, today).unwrap_or(Period {
        first: today,
        last: today,
    });
    let first = from.map_or_else(
        || season.first.format("%Y-%m-%d").to_string(),
        str::to_owned,
    );
    let last = to.map_or_else(|| today.format("%Y-%m-%d").to_string(), str::to_owned);
    Period::parse(&first, &last)
}

/// Turns a period error into a message naming the value and what to type.
pub fn period_error(catalog: &Catalog, error: &PeriodError) -> UserError {
    UserError(crate::reports::period::message(catalog, error))
}
