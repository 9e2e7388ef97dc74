//! Calendar rules in the club's time zone.
//!
//! A card is valid through the whole of its expiry date as the club's wall clock reads it,
//! whatever time zone the process runs in.

use chrono::{DateTime, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

/// The club's time zone, used for every "which day is it" question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClubTime {
    pub zone: Tz,
}

impl ClubTime {
    pub fn new(zone: Tz) -> Self {
        Self { zone }
    }

    /// Returns the calendar date on the club's wall clock at `instant`.
    pub fn local_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.zone).date_naive()
    }

    /// Returns the first instant of `date` in the club's time zone.
    ///
    /// Where midnight does not exist (a clock change at 00:00), the day starts at the first
    /// wall-clock time that does.
    pub fn start_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        let mut time = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        for _ in 0..=24 * 4 {
            if let Some(start) = self.zone.from_local_datetime(&time).earliest() {
                return start.with_timezone(&Utc);
            }
            time += chrono::Duration::minutes(15);
        }
        // NOTE: no real time zone skips a whole day's first 24 hours; fall back to UTC midnight.
        Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default())
    }
}

/// Adds calendar months to `start`, clamping the day to the end of the target month
/// (31 January + 1 month = 28 or 29 February).
pub fn add_months_clamped(start: NaiveDate, months: u32) -> Option<NaiveDate> {
    start.checked_add_months(Months::new(months))
}

/// Adds whole days to `start`.
pub fn add_days(start: NaiveDate, days: u32) -> Option<NaiveDate> {
    start.checked_add_days(chrono::Days::new(u64::from(days)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(
            add_months_clamped(date(2027, 1, 31), 1),
            Some(date(2027, 2, 28))
        );
        assert_eq!(
            add_months_clamped(date(2028, 1, 31), 1),
            Some(date(2028, 2, 29))
        );
        assert_eq!(
            add_months_clamped(date(2027, 3, 31), 1),
            Some(date(2027, 4, 30))
        );
        assert_eq!(
            add_months_clamped(date(2027, 8, 31), 6),
            Some(date(2028, 2, 29))
        );
    }

    #[test]
    fn leap_day_plus_year() {
        assert_eq!(
            add_months_clamped(date(2028, 2, 29), 12),
            Some(date(2029, 2, 28))
        );
        assert_eq!(
            add_months_clamped(date(2028, 2, 29), 48),
            Some(date(2032, 2, 29))
        );
    }

    #[test]
    fn months_counted_from_sale_not_chained() {
        // Chaining 31/01 → 28/02 → 28/03 would lose three days; counting from the sale date does not.
        assert_eq!(
            add_months_clamped(date(2027, 1, 31), 2),
            Some(date(2027, 3, 31))
        );
    }

    #[test]
    fn start_of_day_on_clock_change_days() {
        let paris = ClubTime::new(chrono_tz::Europe::Paris);

        // 30/03/2025 has 23 hours: it starts at 23:00 UTC the day before, like any winter day.
        let start = paris.start_of_day(date(2025, 3, 30));
        assert_eq!(start, Utc.with_ymd_and_hms(2025, 3, 29, 23, 0, 0).unwrap());
        let next = paris.start_of_day(date(2025, 3, 31));
        assert_eq!(next - start, chrono::Duration::hours(23));

        // 26/10/2025 has 25 hours.
        let start = paris.start_of_day(date(2025, 10, 26));
        let next = paris.start_of_day(date(2025, 10, 27));
        assert_eq!(next - start, chrono::Duration::hours(25));
    }

    #[test]
    fn local_date_ignores_process_zone() {
        let paris = ClubTime::new(chrono_tz::Europe::Paris);
        // 22:30 UTC on 31/12 is already 01/01 in Paris.
        let instant = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
        assert_eq!(paris.local_date(instant), date(2027, 1, 1));
        let martinique = ClubTime::new(chrono_tz::America::Martinique);
        assert_eq!(martinique.local_date(instant), date(2026, 12, 31));
    }
}
