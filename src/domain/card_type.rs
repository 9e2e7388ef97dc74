//! Card types: the multi-session cards a club sells (Finance › Pricing), and activities.

use super::dates::{add_days, add_months_clamped};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CardTypeId(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ActivityId(pub u64);

/// How long a card stays valid after its sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Validity {
    None,
    Days(u32),
    /// Calendar months counted from the sale date, the day clamped to the month's end.
    Months(u32),
    /// A fixed last day, such as the end of the season.
    Until(#[serde(with = "super::compact::date")] NaiveDate),
}

impl Validity {
    /// Returns the last valid day of a card sold on `sale_date`, or `None` when it never expires.
    pub fn expiry_for_sale_on(&self, sale_date: NaiveDate) -> Option<NaiveDate> {
        match *self {
            Validity::None => None,
            Validity::Days(days) => add_days(sale_date, days),
            Validity::Months(months) => add_months_clamped(sale_date, months),
            Validity::Until(last_day) => Some(last_day),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardType {
    pub id: CardTypeId,
    pub name: String,
    pub price_cents: i64,
    pub sessions: u32,
    pub validity: Validity,
    pub audience: String,
    /// Activities the card is valid for; empty means every activity.
    pub activities: Vec<ActivityId>,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub id: ActivityId,
    pub name: String,
    pub archived: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn expiry_for_each_validity() {
        let sale = date(2027, 1, 31);
        assert_eq!(Validity::None.expiry_for_sale_on(sale), None);
        assert_eq!(
            Validity::Days(30).expiry_for_sale_on(sale),
            Some(date(2027, 3, 2))
        );
        assert_eq!(
            Validity::Months(1).expiry_for_sale_on(sale),
            Some(date(2027, 2, 28))
        );
        assert_eq!(
            Validity::Months(12).expiry_for_sale_on(sale),
            Some(date(2028, 1, 31))
        );
        let season_end = date(2027, 6, 30);
        assert_eq!(
            Validity::Until(season_end).expiry_for_sale_on(sale),
            Some(season_end)
        );
    }
}
