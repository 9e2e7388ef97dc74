//! Compact serde forms for dates, so stored records hold a 4-byte day number instead of text.

/// A `NaiveDate` as its day number counted from 1 January of year 1.
pub mod date {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i32(date.num_days_from_ce())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
        let days = i32::deserialize(deserializer)?;
        NaiveDate::from_num_days_from_ce_opt(days)
            .ok_or_else(|| D::Error::custom(format!("day number {days} is out of range")))
    }
}

/// An optional `NaiveDate`, in the same form as [`date`].
pub mod option_date {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(
        date: &Option<NaiveDate>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match date {
            Some(date) => serializer.serialize_some(&date.num_days_from_ce()),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<NaiveDate>, D::Error> {
        match Option::<i32>::deserialize(deserializer)? {
            None => Ok(None),
            Some(days) => NaiveDate::from_num_days_from_ce_opt(days)
                .map(Some)
                .ok_or_else(|| D::Error::custom(format!("day number {days} is out of range"))),
        }
    }
}
