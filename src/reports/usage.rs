//! Usage: sessions used in the period, over time, by card type, by activity, by weekday and
//! hour, and how many members came. Reverted check-ins do not count.

use super::facts::IdMap;
use super::facts::{FactKind, Facts, minutes_between};
use super::period::Period;
use crate::domain::ClubTime;
use crate::domain::card_type::{ActivityId, CardTypeId};
use crate::store::StoreError;
use chrono::{Datelike, Days, NaiveDate, Timelike};

/// The width of one bar of the usage chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Day,
    /// Weeks from Monday.
    Week,
    Month,
}

impl Step {
    /// Picks days up to a month, weeks up to six months, months beyond.
    pub fn for_period(period: &Period) -> Step {
        match period.days() {
            ..=31 => Step::Day,
            32..=183 => Step::Week,
            _ => Step::Month,
        }
    }

    /// Returns the first day of the bar that contains `date`.
    pub fn start_of(self, date: NaiveDate) -> NaiveDate {
        match self {
            Step::Day => date,
            Step::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
            Step::Month => date.with_day(1).unwrap_or(date),
        }
    }

    fn next(self, date: NaiveDate) -> NaiveDate {
        match self {
            Step::Day => date + Days::new(1),
            Step::Week => date + Days::new(7),
            Step::Month => date
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(date + Days::new(31)),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    /// Sessions used and not reverted.
    pub sessions: u64,
    /// Check-ins of the period that were reverted, shown apart.
    pub reverted: u64,
    pub members: u64,
    pub step: Step,
    /// Each bar's first day and its sessions, every bar of the period included.
    pub buckets: Vec<(NaiveDate, u64)>,
    /// Most used first.
    pub by_type: Vec<(CardTypeId, u64)>,
    /// Most used first; `None` is a check-in without a chosen activity.
    pub by_activity: Vec<(Option<ActivityId>, u64)>,
    /// Sessions by weekday (Monday first) and hour, on the club's clock.
    pub grid: [[u64; 24]; 7],
}

impl Usage {
    /// Returns the mean sessions per bar.
    pub fn average(&self) -> f64 {
        if self.buckets.is_empty() {
            0.0
        } else {
            self.sessions as f64 / self.buckets.len() as f64
        }
    }
}

pub fn usage(facts: &Facts, period: &Period, club: &ClubTime) -> Result<Usage, StoreError> {
    let (start, end) = period.bounds(club);
    let period_minutes = minutes_between(start, end);
    let step = Step::for_period(period);
    let mut buckets: Vec<(NaiveDate, u64)> = Vec::new();
    let mut day = step.start_of(period.first);
    while day <= period.last {
        buckets.push((day, 0));
        day = step.next(day);
    }
    let mut by_type: IdMap<CardTypeId, u64> = IdMap::default();
    let mut by_activity: IdMap<Option<ActivityId>, u64> = IdMap::default();
    let mut members = MemberSet::default();
    let mut grid = [[0u64; 24]; 7];
    let mut sessions = 0;
    let mut reverted_count = 0;
    let mut clock = LocalClock::new(club);

    // NOTE: events are in id order, which is time order unless a terminal's clock went back,
    // so every event is tested rather than stopping at the first one past `end`.
    for event in facts.events() {
        let event = event?;
        if !period_minutes.contains(&event.minute) {
            continue;
        }
        let FactKind::Used { activity, reverted } = event.kind else {
            continue;
        };
        if reverted {
            reverted_count += 1;
            continue;
        }
        let card = facts.card(&event);
        let local = clock.local(event.at());
        sessions += 1;
        let bar = step.start_of(local.date_naive());
        if let Ok(index) = buckets.binary_search_by_key(&bar, |(day, _)| *day) {
            buckets[index].1 += 1;
        }
        *by_type.entry(card.type_id).or_default() += 1;
        *by_activity.entry(activity).or_default() += 1;
        members.insert(card.member);
        let weekday = local.weekday().num_days_from_monday() as usize;
        grid[weekday][local.hour() as usize] += 1;
    }
    Ok(Usage {
        sessions,
        reverted: reverted_count,
        members: members.count,
        step,
        buckets,
        by_type: most_first(by_type),
        by_activity: most_first(by_activity),
        grid,
    })
}

/// Distinct members, as a bit per member id: ids come from a sequence, so they are dense.
#[derive(Default)]
struct MemberSet {
    seen: Vec<u64>,
    count: u64,
}

impl MemberSet {
    fn insert(&mut self, member: crate::domain::member::MemberId) {
        let Ok(id) = usize::try_from(member.0) else {
            return;
        };
        let (word, bit) = (id / 64, id % 64);
        if word >= self.seen.len() {
            self.seen.resize(word + 1, 0);
        }
        if self.seen[word] & (1 << bit) == 0 {
            self.seen[word] |= 1 << bit;
            self.count += 1;
        }
    }
}

/// Sorts counts from the largest, ties by key, so the order is stable.
pub(super) fn most_first<K: Ord + Copy>(counts: IdMap<K, u64>) -> Vec<(K, u64)> {
    let mut counts: Vec<(K, u64)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
}

/// Converts instants to the club's wall clock, looking the offset up once per quarter hour
/// of UTC time, because the time zone search costs more than the rest of a check-in's share
/// of the report. Offset changes fall on quarter hours in the tz database's zones.
struct LocalClock<'a> {
    club: &'a ClubTime,
    slot: i64,
    offset: chrono::FixedOffset,
}

impl<'a> LocalClock<'a> {
    fn new(club: &'a ClubTime) -> LocalClock<'a> {
        LocalClock {
            club,
            slot: i64::MIN,
            offset: chrono::FixedOffset::east_opt(0).expect("zero offset is valid"),
        }
    }

    fn local(
        &mut self,
        at: chrono::DateTime<chrono::Utc>,
    ) -> chrono::DateTime<chrono::FixedOffset> {
        use chrono::Offset;
        let slot = at.timestamp().div_euclid(900);
        if slot != self.slot {
            self.slot = slot;
            self.offset = at.with_timezone(&self.club.zone).offset().fix();
        }
        at.with_timezone(&self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::card::CardId;
    use crate::domain::member::MemberId;
    use crate::reports::facts::CardFact;
    use chrono::{TimeZone, Utc};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// One card and a check-in at each of `instants`, the second one reverted.
    fn facts_with_check_ins(instants: &[chrono::DateTime<Utc>]) -> Facts {
        let mut facts = Facts::scratch();
        let card = facts
            .add_card(CardFact {
                id: CardId(1),
                member: MemberId(1),
                type_id: CardTypeId(1),
                sold_on: date(2025, 1, 1),
                expires_on: None,
                price_cents: 10_000,
                sessions: 10,
            })
            .unwrap();
        for (index, at) in instants.iter().enumerate() {
            let used = FactKind::Used {
                activity: None,
                reverted: false,
            };
            facts.add_event(index as u64 + 1, *at, card, used).unwrap();
        }
        let reverted = FactKind::Reverted { reverted: 2 };
        facts.add_event(100, instants[1], card, reverted).unwrap();
        facts.commit().unwrap();
        facts
    }

    #[test]
    fn hours_follow_clock_change() {
        // Paris left summer time at 01:00 UTC on 26/10/2025: 00:30 UTC is 02:30 local,
        // 01:30 UTC is 02:30 local again, and 02:30 UTC is 03:30 local.
        let club = ClubTime::new(chrono_tz::Europe::Paris);
        let instants = [
            Utc.with_ymd_and_hms(2025, 10, 26, 0, 30, 0).unwrap(),
            Utc.with_ymd_and_hms(2025, 10, 26, 0, 45, 0).unwrap(),
            Utc.with_ymd_and_hms(2025, 10, 26, 1, 30, 0).unwrap(),
            Utc.with_ymd_and_hms(2025, 10, 26, 2, 30, 0).unwrap(),
        ];
        let facts = facts_with_check_ins(&instants);
        let period = Period::new(date(2025, 10, 26), date(2025, 10, 26)).unwrap();
        let usage = usage(&facts, &period, &club).unwrap();
        assert_eq!(usage.sessions, 3);
        assert_eq!(usage.reverted, 1);
        let sunday = &usage.grid[6];
        assert_eq!(sunday[2], 2);
        assert_eq!(sunday[3], 1);
        assert_eq!(usage.buckets, [(date(2025, 10, 26), 3)]);
    }

    #[test]
    fn midnight_in_club_zone_splits_days() {
        // Martinique is UTC-4: 03:59 UTC on 02/03 is still 01/03 there.
        let club = ClubTime::new(chrono_tz::America::Martinique);
        let instants = [
            Utc.with_ymd_and_hms(2026, 3, 2, 3, 59, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 2, 3, 59, 30).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 2, 4, 0, 0).unwrap(),
        ];
        let facts = facts_with_check_ins(&instants);
        let march_1 = Period::new(date(2026, 3, 1), date(2026, 3, 1)).unwrap();
        assert_eq!(usage(&facts, &march_1, &club).unwrap().sessions, 1);
        let march_2 = Period::new(date(2026, 3, 2), date(2026, 3, 2)).unwrap();
        assert_eq!(usage(&facts, &march_2, &club).unwrap().sessions, 1);
    }

    #[test]
    fn step_follows_period_length() {
        let days =
            |n: u64| Period::new(date(2026, 1, 1), date(2026, 1, 1) + Days::new(n - 1)).unwrap();
        assert_eq!(Step::for_period(&days(31)), Step::Day);
        assert_eq!(Step::for_period(&days(32)), Step::Week);
        assert_eq!(Step::for_period(&days(184)), Step::Month);
        assert_eq!(Step::Week.start_of(date(2026, 12, 6)), date(2026, 11, 30));
        assert_eq!(Step::Month.start_of(date(2026, 12, 6)), date(2026, 12, 1));
    }
}
