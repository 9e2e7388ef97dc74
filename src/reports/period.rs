//! The period a report covers: whole days in the club's time zone, first and last included.

use crate::domain::ClubTime;
use crate::domain::input::{DateError, DateOrder, parse_date};
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};

/// The choices of the period selector, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    ThisWeek,
    ThisMonth,
    /// From 1 September, the start of a club's season.
    ThisSeason,
    Last12Months,
    /// Two dates typed by hand.
    Dates,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::ThisWeek,
        Preset::ThisMonth,
        Preset::ThisSeason,
        Preset::Last12Months,
        Preset::Dates,
    ];

    /// The catalog key of the preset's name.
    pub fn label(self) -> &'static str {
        match self {
            Preset::ThisWeek => "report_period.this_week",
            Preset::ThisMonth => "report_period.this_month",
            Preset::ThisSeason => "report_period.this_season",
            Preset::Last12Months => "report_period.last_12_months",
            Preset::Dates => "report_period.dates",
        }
    }
}

/// A span of whole days, `first` and `last` included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("{which} date: {error}")]
    Date {
        which: &'static str,
        error: DateError,
    },
    #[error("the period starts on {first} after it ends on {last}")]
    Reversed { first: NaiveDate, last: NaiveDate },
}

impl Period {
    /// Returns the period of a preset that ends `today`; `None` for [`Preset::Dates`].
    pub fn of_preset(preset: Preset, today: NaiveDate) -> Option<Period> {
        let first = match preset {
            Preset::ThisWeek => {
                today - Days::new(u64::from(today.weekday().num_days_from_monday()))
            }
            Preset::ThisMonth => today.with_day(1)?,
            Preset::ThisSeason => {
                let year = if today.month() >= 9 {
                    today.year()
                } else {
                    today.year() - 1
                };
                NaiveDate::from_ymd_opt(year, 9, 1)?
            }
            Preset::Last12Months => today.checked_sub_months(Months::new(12))? + Days::new(1),
            Preset::Dates => return None,
        };
        Some(Period { first, last: today })
    }

    /// Reads two dates as people type them (`01/09/2026`, `2026-09-01`), first one first.
    pub fn parse(first: &str, last: &str) -> Result<Period, PeriodError> {
        let first = parse_date(first, DateOrder::DayFirst).map_err(|error| PeriodError::Date {
            which: "first",
            error,
        })?;
        let last = parse_date(last, DateOrder::DayFirst).map_err(|error| PeriodError::Date {
            which: "last",
            error,
        })?;
        Period::new(first, last)
    }

    pub fn new(first: NaiveDate, last: NaiveDate) -> Result<Period, PeriodError> {
        if first > last {
            return Err(PeriodError::Reversed { first, last });
        }
        Ok(Period { first, last })
    }

    /// Returns the number of days, both ends included.
    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// Returns the first instant of the period and the first instant after it.
    pub fn bounds(&self, club: &ClubTime) -> (DateTime<Utc>, DateTime<Utc>) {
        let after = self.last.succ_opt().unwrap_or(self.last);
        (club.start_of_day(self.first), club.start_of_day(after))
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }
}

/// Says in the user's language which date is wrong and what to type instead.
pub fn message(catalog: &crate::i18n::Catalog, error: &PeriodError) -> String {
    match error {
        PeriodError::Date { which, error } => {
            let key = if *which == "first" {
                "report_period.invalid_first"
            } else {
                "report_period.invalid_last"
            };
            catalog.tf(key, &[("text", &error.text())])
        }
        PeriodError::Reversed { first, last } => catalog.tf(
            "report_period.reversed",
            &[
                ("first", &catalog.date(*first)),
                ("last", &catalog.date(*last)),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn presets_end_today() {
        let today = date(2026, 12, 4); // a Friday
        let of = |preset| Period::of_preset(preset, today).unwrap();
        assert_eq!(of(Preset::ThisWeek).first, date(2026, 11, 30));
        assert_eq!(of(Preset::ThisMonth).first, date(2026, 12, 1));
        assert_eq!(of(Preset::ThisSeason).first, date(2026, 9, 1));
        assert_eq!(of(Preset::Last12Months).first, date(2025, 12, 5));
        assert_eq!(of(Preset::Last12Months).days(), 365);
        assert_eq!(of(Preset::ThisWeek).last, today);
        assert_eq!(Period::of_preset(Preset::Dates, today), None);
    }

    #[test]
    fn season_before_september_started_last_year() {
        let period = Period::of_preset(Preset::ThisSeason, date(2027, 3, 15)).unwrap();
        assert_eq!(period.first, date(2026, 9, 1));
        let period = Period::of_preset(Preset::ThisSeason, date(2026, 9, 1)).unwrap();
        assert_eq!(period.first, date(2026, 9, 1));
    }

    #[test]
    fn week_starts_on_monday() {
        let sunday = date(2026, 12, 6);
        let period = Period::of_preset(Preset::ThisWeek, sunday).unwrap();
        assert_eq!(period.first, date(2026, 11, 30));
        let monday = date(2026, 11, 30);
        assert_eq!(
            Period::of_preset(Preset::ThisWeek, monday).unwrap().days(),
            1
        );
    }

    #[test]
    fn typed_dates_day_first() {
        let period = Period::parse("01/09/2026", " 31/12/2026 ").unwrap();
        assert_eq!(period.first, date(2026, 9, 1));
        assert_eq!(period.last, date(2026, 12, 31));
        assert!(Period::parse("2026-09-01", "2026-09-01").is_ok());
    }

    #[test]
    fn typed_dates_rejected() {
        assert!(matches!(
            Period::parse("31/02/2026", "01/03/2026"),
            Err(PeriodError::Date { which: "first", .. })
        ));
        assert!(matches!(
            Period::parse("01/09/2026", "demain"),
            Err(PeriodError::Date { which: "last", .. })
        ));
        assert_eq!(
            Period::parse("02/09/2026", "01/09/2026"),
            Err(PeriodError::Reversed {
                first: date(2026, 9, 2),
                last: date(2026, 9, 1)
            })
        );
    }

    #[test]
    fn bounds_at_club_midnight() {
        // Martinique is UTC-4 all year: its days start at 04:00 UTC.
        let club = ClubTime::new(chrono_tz::America::Martinique);
        let period = Period::new(date(2026, 3, 1), date(2026, 3, 31)).unwrap();
        let (start, end) = period.bounds(&club);
        assert_eq!(start.to_rfc3339(), "2026-03-01T04:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-04-01T04:00:00+00:00");
    }
}
