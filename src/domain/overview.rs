//! Practice › Session cards: the rows of the card overview, its filters, sorts and totals.
//!
//! The overview keeps every card of the club in memory at once (200,000 in a large chain), so a row is
//! kept small: owners, card types and activity lists are stored once and rows point at them.

use super::card::{CardId, CardState, CardStatus};
use super::card_type::ActivityId;
use super::member::MemberId;
use super::pricing::fold;
use chrono::{Datelike, NaiveDate};

/// The N of the filters that take one, from `[overview]` in config.toml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A card expiring within this many days (today counts as 0) is "expiring".
    pub expiring_days: u32,
    /// A card with this many sessions or fewer is "low".
    pub low_sessions: u32,
    /// A card unused for this many days while sessions remain is "dormant".
    pub dormant_days: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            expiring_days: 14,
            low_sessions: 2,
            dormant_days: 30,
        }
    }
}

/// The filters of the filter bar, in its order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Filter {
    #[default]
    Active,
    Expiring,
    LowBalance,
    UsedUp,
    Expired,
    Dormant,
    Cancelled,
    All,
}

impl Filter {
    pub const ALL: [Filter; 8] = [
        Filter::Active,
        Filter::Expiring,
        Filter::LowBalance,
        Filter::UsedUp,
        Filter::Expired,
        Filter::Dormant,
        Filter::Cancelled,
        Filter::All,
    ];

    /// Returns the name used in catalogs and on the command line (`--filter expiring:14`).
    pub fn name(self) -> &'static str {
        match self {
            Filter::Active => "active",
            Filter::Expiring => "expiring",
            Filter::LowBalance => "low",
            Filter::UsedUp => "used-up",
            Filter::Expired => "expired",
            Filter::Dormant => "dormant",
            Filter::Cancelled => "cancelled",
            Filter::All => "all",
        }
    }

    pub fn from_name(name: &str) -> Option<Filter> {
        Filter::ALL.into_iter().find(|filter| filter.name() == name)
    }

    /// Tells whether the filter takes an N, and which threshold it is.
    pub fn threshold(self, thresholds: &Thresholds) -> Option<u32> {
        match self {
            Filter::Expiring => Some(thresholds.expiring_days),
            Filter::LowBalance => Some(thresholds.low_sessions),
            Filter::Dormant => Some(thresholds.dormant_days),
            _ => None,
        }
    }

    pub fn next(self) -> Filter {
        let at = Filter::ALL.iter().position(|f| *f == self).unwrap_or(0);
        Filter::ALL[(at + 1) % Filter::ALL.len()]
    }

    pub fn previous(self) -> Filter {
        let at = Filter::ALL.iter().position(|f| *f == self).unwrap_or(0);
        Filter::ALL[(at + Filter::ALL.len() - 1) % Filter::ALL.len()]
    }
}

/// The columns of the table, in screen order; each one sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Owner,
    CardType,
    Audience,
    SoldOn,
    ExpiresOn,
    SessionsLeft,
    LastUse,
    Status,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::Owner,
        Column::CardType,
        Column::Audience,
        Column::SoldOn,
        Column::ExpiresOn,
        Column::SessionsLeft,
        Column::LastUse,
        Column::Status,
    ];

    /// Returns the name used in catalogs and on the command line (`--sort expiry`).
    pub fn name(self) -> &'static str {
        match self {
            Column::Owner => "owner",
            Column::CardType => "type",
            Column::Audience => "audience",
            Column::SoldOn => "sold",
            Column::ExpiresOn => "expiry",
            Column::SessionsLeft => "left",
            Column::LastUse => "last-use",
            Column::Status => "status",
        }
    }

    pub fn from_name(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|column| column.name() == name)
    }
}

/// A sort: a column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self {
            column: Column::ExpiresOn,
            descending: false,
        }
    }
}

/// A card's owner, as the overview hands it out: borrowed from [`Owners`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner<'a> {
    pub member_id: MemberId,
    /// The member code, as printed under the QR code.
    pub code: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    /// The language the member reads, when staff set one.
    pub language: Option<crate::i18n::Language>,
    /// Archived or erased: the cards stay in the overview, the member is not informed.
    pub archived: bool,
    /// Place of the owner in last-name order, so that sorting compares numbers.
    pub rank: u32,
}

impl Owner<'_> {
    /// "First Last", as shown, like [`super::member::Member::full_name`].
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// Every owner of the overview, stored once for all their cards. Their texts share one
/// buffer: five strings of their own for each of 100,000 owners took 27 MB, a third of what
/// the Session cards screen held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owners {
    text: String,
    entries: Vec<OwnerEntry>,
    /// Some owner was pushed after one with a higher member id, so [`Owners::find`] cannot
    /// search by halves. The store pushes them in id order.
    unordered: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct OwnerEntry {
    member_id: MemberId,
    /// Ends of the owner's texts in `Owners::text`: code, first name, last name, e-mail and
    /// phone, stored one after the other from the end of the owner before.
    ends: [usize; 5],
    has_email: bool,
    has_phone: bool,
    language: Option<crate::i18n::Language>,
    archived: bool,
    rank: u32,
}

impl Owners {
    pub fn push(&mut self, owner: Owner<'_>) {
        if self
            .entries
            .last()
            .is_some_and(|last| last.member_id >= owner.member_id)
        {
            self.unordered = true;
        }
        let mut ends = [0; 5];
        let fields = [
            owner.code,
            owner.first_name,
            owner.last_name,
            owner.email.unwrap_or_default(),
            owner.phone.unwrap_or_default(),
        ];
        for (end, field) in ends.iter_mut().zip(fields) {
            self.text.push_str(field);
            *end = self.text.len();
        }
        self.entries.push(OwnerEntry {
            member_id: owner.member_id,
            ends,
            has_email: owner.email.is_some(),
            has_phone: owner.phone.is_some(),
            language: owner.language,
            archived: owner.archived,
            rank: owner.rank,
        });
    }

    /// Returns the owner at `index`, which must be below [`Owners::len`], as for a slice.
    pub fn get(&self, index: usize) -> Owner<'_> {
        let entry = &self.entries[index];
        let start = index
            .checked_sub(1)
            .map_or(0, |before| self.entries[before].ends[4]);
        let [code, first, last, email, phone] = entry.ends;
        Owner {
            member_id: entry.member_id,
            code: &self.text[start..code],
            first_name: &self.text[code..first],
            last_name: &self.text[first..last],
            email: entry.has_email.then(|| &self.text[last..email]),
            phone: entry.has_phone.then(|| &self.text[email..phone]),
            language: entry.language,
            archived: entry.archived,
            rank: entry.rank,
        }
    }

    /// Finds the member's entry by halves, without a map from member to place, which took
    /// 4 MB for 100,000 owners.
    pub fn find(&self, member: MemberId) -> Option<usize> {
        if self.unordered {
            return self
                .entries
                .iter()
                .position(|entry| entry.member_id == member);
        }
        self.entries
            .binary_search_by_key(&member, |entry| entry.member_id)
            .ok()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Owner<'_>> {
        (0..self.len()).map(|index| self.get(index))
    }

    pub fn set_rank(&mut self, index: usize, rank: u32) {
        self.entries[index].rank = rank;
    }

    pub fn set_archived(&mut self, index: usize, archived: bool) {
        self.entries[index].archived = archived;
    }

    /// Frees the capacity beyond what the owners use.
    pub fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.entries.shrink_to_fit();
    }
}

#[cfg(test)]
impl Owners {
    /// Builds owners from "First Last" names with the given ranks, for tests: member ids
    /// from 1, no code, contact or language.
    pub(crate) fn from_names(names: &[&str], ranks: impl IntoIterator<Item = u32>) -> Owners {
        let mut owners = Owners::default();
        for ((i, name), rank) in names.iter().enumerate().zip(ranks) {
            let (first_name, last_name) = name.split_once(' ').unwrap();
            owners.push(Owner {
                member_id: MemberId(i as u64 + 1),
                code: "",
                first_name,
                last_name,
                email: None,
                phone: None,
                language: None,
                archived: false,
                rank,
            });
        }
        owners
    }
}

/// A card type's name and audience as sold, stored once for all cards that share them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub name: String,
    pub audience: String,
    /// Place in name order, then audience order.
    pub name_rank: u32,
    pub audience_rank: u32,
}

/// One card of the overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRow {
    pub card_id: CardId,
    /// Index into [`Overview::owners`].
    pub owner: u32,
    /// Index into [`Overview::products`].
    pub product: u32,
    /// Index into [`Overview::activity_sets`]; the set at 0 is empty (every activity).
    pub activities: u32,
    pub sold_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub last_use: Option<NaiveDate>,
    pub remaining: u32,
    pub total: u32,
    pub price_cents: i64,
    pub state: CardState,
}

impl CardRow {
    /// Derives the status with the same rule as [`crate::domain::Card::status`].
    pub fn status(&self, today: NaiveDate) -> CardStatus {
        if self.state != CardState::Open {
            CardStatus::Cancelled
        } else if self.expires_on.is_some_and(|last| today > last) {
            CardStatus::Expired
        } else if self.remaining == 0 {
            CardStatus::UsedUp
        } else {
            CardStatus::Active
        }
    }

    /// Days from today to the expiry date: 0 on the last valid day, negative once expired.
    pub fn days_to_expiry(&self, today: NaiveDate) -> Option<i64> {
        self.expires_on.map(|last| (last - today).num_days())
    }

    /// Tells whether the card is active and expires within the threshold.
    pub fn is_expiring(&self, today: NaiveDate, thresholds: &Thresholds) -> bool {
        self.status(today) == CardStatus::Active
            && self
                .days_to_expiry(today)
                .is_some_and(|days| days <= i64::from(thresholds.expiring_days))
    }

    /// Tells whether the card is active with the threshold's number of sessions or fewer.
    pub fn is_low(&self, today: NaiveDate, thresholds: &Thresholds) -> bool {
        self.status(today) == CardStatus::Active && self.remaining <= thresholds.low_sessions
    }

    /// Tells whether the card was used up recently: its last session was taken within the
    /// dormant threshold, so its owner may come back without a card.
    pub fn is_recently_used_up(&self, today: NaiveDate, thresholds: &Thresholds) -> bool {
        self.status(today) == CardStatus::UsedUp
            && self
                .last_use
                .is_some_and(|last| (today - last).num_days() < i64::from(thresholds.dormant_days))
    }

    /// Tells whether the card is active and unused (or, never used, unsold) for the
    /// threshold's days.
    pub fn is_dormant(&self, today: NaiveDate, thresholds: &Thresholds) -> bool {
        let since = self.last_use.unwrap_or(self.sold_on);
        self.status(today) == CardStatus::Active
            && (today - since).num_days() >= i64::from(thresholds.dormant_days)
    }

    pub fn matches(&self, filter: Filter, today: NaiveDate, thresholds: &Thresholds) -> bool {
        match filter {
            Filter::Active => self.status(today) == CardStatus::Active,
            Filter::Expiring => self.is_expiring(today, thresholds),
            Filter::LowBalance => self.is_low(today, thresholds),
            Filter::UsedUp => self.status(today) == CardStatus::UsedUp,
            Filter::Expired => self.status(today) == CardStatus::Expired,
            Filter::Dormant => self.is_dormant(today, thresholds),
            Filter::Cancelled => self.status(today) == CardStatus::Cancelled,
            Filter::All => true,
        }
    }

    /// Returns the value of the remaining sessions at the card's own price per session, in
    /// cents, rounded once per card.
    pub fn remaining_value_cents(&self) -> i64 {
        if self.total == 0 {
            return 0;
        }
        let total = i128::from(self.total);
        let value =
            (i128::from(self.price_cents) * i128::from(self.remaining) * 2 + total) / (total * 2);
        i64::try_from(value).unwrap_or(i64::MAX)
    }
}

/// Every card of the club with what its rows point at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overview {
    pub owners: Owners,
    pub products: Vec<Product>,
    pub activity_sets: Vec<Vec<ActivityId>>,
    pub rows: Vec<CardRow>,
}

/// The sum line under the table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub cards: usize,
    pub sessions: u64,
    pub value_cents: i64,
}

impl Overview {
    pub fn owner(&self, row: &CardRow) -> Owner<'_> {
        self.owners.get(row.owner as usize)
    }

    pub fn product(&self, row: &CardRow) -> &Product {
        &self.products[row.product as usize]
    }

    pub fn activities(&self, row: &CardRow) -> &[ActivityId] {
        &self.activity_sets[row.activities as usize]
    }

    /// Ranks owners by a name order the caller has, such as the member search's.
    pub fn rank_owners(&mut self, rank: impl Fn(MemberId) -> Option<u32>) {
        for index in 0..self.owners.len() {
            let member = self.owners.get(index).member_id;
            self.owners
                .set_rank(index, rank(member).unwrap_or(u32::MAX));
        }
    }

    /// Ranks owners by last name, then first name, ignoring case and accents.
    pub fn rank_owners_by_name(&mut self) {
        let names: Vec<String> = self
            .owners
            .iter()
            .map(|owner| format!("{} {}", owner.last_name, owner.first_name))
            .collect();
        let ranks = ranks_of(names.iter().map(String::as_str));
        for (index, rank) in ranks.into_iter().enumerate() {
            self.owners.set_rank(index, rank);
        }
    }

    /// Indices of the rows that pass the filter and, when given, whose owner is in `owners`
    /// (a flag per owner, from the member search), sorted.
    pub fn view(
        &self,
        filter: Filter,
        owners: Option<&[bool]>,
        sort: Sort,
        today: NaiveDate,
        thresholds: &Thresholds,
    ) -> Vec<u32> {
        let mut shown: Vec<u32> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| owners.is_none_or(|wanted| wanted[row.owner as usize]))
            .filter(|(_, row)| row.matches(filter, today, thresholds))
            .map(|(index, _)| index as u32)
            .collect();
        self.sort(&mut shown, sort, today);
        shown
    }

    /// Sorts row indices by `sort`; ties keep card order, so a sort is the same every time.
    /// Each row's key is computed once, so that 200,000 rows sort in a few milliseconds.
    pub fn sort(&self, shown: &mut [u32], sort: Sort, today: NaiveDate) {
        let mut keyed: Vec<(u32, u64, u32)> = shown
            .iter()
            .map(|&index| {
                let row = &self.rows[index as usize];
                let key = self.sort_key(row, sort.column, today);
                let key = if sort.descending { u32::MAX - key } else { key };
                (key, row.card_id.0, index)
            })
            .collect();
        keyed.sort_unstable();
        for (slot, (_, _, index)) in shown.iter_mut().zip(keyed) {
            *slot = index;
        }
    }

    /// Returns a number that orders rows by `column`.
    fn sort_key(&self, row: &CardRow, column: Column, today: NaiveDate) -> u32 {
        let day = |date: NaiveDate| date.num_days_from_ce().max(0) as u32;
        match column {
            Column::Owner => self.owner(row).rank,
            Column::CardType => self.product(row).name_rank,
            Column::Audience => self.product(row).audience_rank,
            Column::SoldOn => day(row.sold_on),
            // A card that never expires comes after every dated one.
            Column::ExpiresOn => row.expires_on.map_or(u32::MAX - 1, day),
            Column::SessionsLeft => row.remaining,
            // A card never used comes first: it is the most dormant.
            Column::LastUse => row.last_use.map_or(0, |date| day(date) + 1),
            Column::Status => u32::from(status_rank(row.status(today))),
        }
    }

    pub fn totals(&self, shown: &[u32]) -> Totals {
        shown.iter().map(|&index| &self.rows[index as usize]).fold(
            Totals::default(),
            |totals, row| Totals {
                cards: totals.cards + 1,
                sessions: totals.sessions + u64::from(row.remaining),
                value_cents: totals
                    .value_cents
                    .saturating_add(row.remaining_value_cents()),
            },
        )
    }
}

fn status_rank(status: CardStatus) -> u8 {
    match status {
        CardStatus::Active => 0,
        CardStatus::UsedUp => 1,
        CardStatus::Expired => 2,
        CardStatus::Cancelled => 3,
    }
}

/// Gives each text its place in accent- and case-insensitive order; equal texts share one.
pub fn ranks_of<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<u32> {
    let keys: Vec<String> = texts.into_iter().map(fold).collect();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut ranks = vec![0u32; keys.len()];
    let mut rank = 0u32;
    for (place, &index) in order.iter().enumerate() {
        if place > 0 && keys[order[place - 1]] != keys[index] {
            rank += 1;
        }
        ranks[index] = rank;
    }
    ranks
}

/// Reads a filter as the command line writes it: `expiring`, `expiring:14`, `low:2`, `all`.
/// The number, when given, replaces the filter's threshold.
pub fn parse_filter(text: &str, thresholds: &mut Thresholds) -> Result<Filter, FilterError> {
    let (name, number) = match text.split_once(':') {
        Some((name, number)) => (name.trim(), Some(number.trim())),
        None => (text.trim(), None),
    };
    let filter = Filter::from_name(&name.to_lowercase()).ok_or_else(|| FilterError::Unknown {
        text: text.to_owned(),
    })?;
    if let Some(number) = number {
        let value: u32 = number.parse().map_err(|_| FilterError::BadNumber {
            text: text.to_owned(),
        })?;
        match filter {
            Filter::Expiring => thresholds.expiring_days = value,
            Filter::LowBalance => thresholds.low_sessions = value,
            Filter::Dormant => thresholds.dormant_days = value,
            _ => {
                return Err(FilterError::NoNumber {
                    text: text.to_owned(),
                });
            }
        }
    }
    Ok(filter)
}

/// Reads a sort as the command line writes it: `expiry`, or `-left` for descending.
pub fn parse_sort(text: &str) -> Option<Sort> {
    let text = text.trim().to_lowercase();
    let (descending, name) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, text),
    };
    Column::from_name(&name).map(|column| Sort { column, descending })
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("unknown filter {text:?}")]
    Unknown { text: String },
    #[error("the number in {text:?} is not a whole number")]
    BadNumber { text: String },
    #[error("the filter {text:?} takes no number")]
    NoNumber { text: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn row(id: u64) -> CardRow {
        CardRow {
            card_id: CardId(id),
            owner: 0,
            product: 0,
            activities: 0,
            sold_on: date("2026-09-01"),
            expires_on: Some(date("2027-06-30")),
            last_use: None,
            remaining: 5,
            total: 10,
            price_cents: 10_000,
            state: CardState::Open,
        }
    }

    const TODAY: &str = "2026-12-04";

    #[test]
    fn expiring_includes_today_and_exactly_n_days() {
        let today = date(TODAY);
        let thresholds = Thresholds {
            expiring_days: 14,
            ..Thresholds::default()
        };
        let mut card = row(1);
        for (expiry, expected) in [
            ("2026-12-04", true),
            ("2026-12-18", true),
            ("2026-12-19", false),
            ("2026-12-03", false),
        ] {
            card.expires_on = Some(date(expiry));
            assert_eq!(
                card.matches(Filter::Expiring, today, &thresholds),
                expected,
                "{expiry}"
            );
        }
        card.expires_on = None;
        assert!(!card.matches(Filter::Expiring, today, &thresholds));
    }

    #[test]
    fn low_balance_includes_n_sessions() {
        let today = date(TODAY);
        let thresholds = Thresholds::default();
        let mut card = row(1);
        for (remaining, expected) in [(3, false), (2, true), (1, true), (0, false)] {
            card.remaining = remaining;
            assert_eq!(
                card.matches(Filter::LowBalance, today, &thresholds),
                expected,
                "{remaining}"
            );
        }
        card.remaining = 0;
        assert!(card.matches(Filter::UsedUp, today, &thresholds));
    }

    #[test]
    fn dormant_counts_from_last_use() {
        let today = date(TODAY);
        let thresholds = Thresholds::default();
        let mut card = row(1);
        card.sold_on = date("2026-11-04");
        assert!(card.matches(Filter::Dormant, today, &thresholds), "30 days");
        card.sold_on = date("2026-11-05");
        assert!(
            !card.matches(Filter::Dormant, today, &thresholds),
            "29 days"
        );
        card.sold_on = date("2026-01-01");
        card.last_use = Some(date("2026-11-20"));
        assert!(!card.matches(Filter::Dormant, today, &thresholds));
        card.remaining = 0;
        card.last_use = None;
        assert!(
            !card.matches(Filter::Dormant, today, &thresholds),
            "a used-up card is not dormant"
        );
    }

    #[test]
    fn statuses_split_the_cards_with_no_overlap() {
        let today = date(TODAY);
        let thresholds = Thresholds::default();
        let mut expired = row(1);
        expired.expires_on = Some(date("2026-12-03"));
        let mut used_up = row(2);
        used_up.remaining = 0;
        let mut cancelled = row(3);
        cancelled.state = CardState::Refunded;
        let active = row(4);
        for card in [&expired, &used_up, &cancelled, &active] {
            let hits = [
                Filter::Active,
                Filter::UsedUp,
                Filter::Expired,
                Filter::Cancelled,
            ]
            .into_iter()
            .filter(|filter| card.matches(*filter, today, &thresholds))
            .count();
            assert_eq!(hits, 1, "{card:?}");
            assert!(card.matches(Filter::All, today, &thresholds));
        }
    }

    #[test]
    fn owners_round_trip_and_find() {
        let owner = |id, code, email| Owner {
            member_id: MemberId(id),
            code,
            first_name: "Zoé",
            last_name: "Lefèvre",
            email,
            phone: None,
            language: Some(crate::i18n::Language::Fr),
            archived: id == 9,
            rank: 0,
        };
        let pushed = [
            owner(3, "C3", Some("zoe@exemple.fr")),
            owner(9, "", Some("")),
            owner(12, "C12", None),
        ];
        let mut owners = Owners::default();
        for one in pushed {
            owners.push(one);
        }
        for (index, one) in pushed.iter().enumerate() {
            assert_eq!(owners.get(index), *one);
            assert_eq!(owners.find(one.member_id), Some(index));
        }
        assert_eq!(owners.get(0).name(), "Zoé Lefèvre");
        assert_eq!(owners.find(MemberId(4)), None);

        // Pushed out of id order, members are still found.
        owners.push(owner(5, "C5", None));
        assert_eq!(owners.find(MemberId(5)), Some(3));
        assert_eq!(owners.find(MemberId(12)), Some(2));
    }

    fn overview() -> Overview {
        let names = ["Élodie Zola", "Marc Abel", "anne Martin"];
        let sort_names = ["Zola Élodie", "Abel Marc", "Martin anne"];
        let ranks = ranks_of(sort_names);
        let owners = Owners::from_names(&names, ranks);
        let mut rows = Vec::new();
        for (id, owner, remaining, expiry) in [
            (1, 0, 4, Some("2026-12-10")),
            (2, 1, 1, None),
            (3, 2, 8, Some("2026-12-05")),
            (4, 1, 2, Some("2027-01-20")),
        ] {
            let mut card = row(id);
            card.owner = owner;
            card.remaining = remaining;
            card.expires_on = expiry.map(date);
            rows.push(card);
        }
        Overview {
            owners,
            products: vec![Product {
                name: "10 séances".into(),
                audience: "Adultes".into(),
                name_rank: 0,
                audience_rank: 0,
            }],
            activity_sets: vec![Vec::new()],
            rows,
        }
    }

    fn ids(overview: &Overview, shown: &[u32]) -> Vec<u64> {
        shown
            .iter()
            .map(|&i| overview.rows[i as usize].card_id.0)
            .collect()
    }

    #[test]
    fn filter_sort_and_search_combine() {
        let overview = overview();
        let today = date(TODAY);
        let thresholds = Thresholds::default();
        let by_left = Sort {
            column: Column::SessionsLeft,
            descending: false,
        };
        let all = overview.view(Filter::Active, None, by_left, today, &thresholds);
        assert_eq!(ids(&overview, &all), [2, 4, 1, 3]);

        // Only Marc Abel's cards, still sorted, then only the low ones among them.
        let marc = [false, true, false];
        let shown = overview.view(Filter::Active, Some(&marc), by_left, today, &thresholds);
        assert_eq!(ids(&overview, &shown), [2, 4]);
        let descending = Sort {
            descending: true,
            ..by_left
        };
        let shown = overview.view(Filter::Active, Some(&marc), descending, today, &thresholds);
        assert_eq!(ids(&overview, &shown), [4, 2]);
        let low = Thresholds {
            low_sessions: 1,
            ..thresholds
        };
        let shown = overview.view(Filter::LowBalance, Some(&marc), by_left, today, &low);
        assert_eq!(ids(&overview, &shown), [2]);
    }

    #[test]
    fn every_column_sorts_both_ways() {
        let overview = overview();
        let today = date(TODAY);
        let thresholds = Thresholds::default();
        let by = |column, descending| {
            let shown = overview.view(
                Filter::All,
                None,
                Sort { column, descending },
                today,
                &thresholds,
            );
            ids(&overview, &shown)
        };
        // Owners in last-name order, accents and case ignored: Abel, Martin, Zola.
        assert_eq!(by(Column::Owner, false), [2, 4, 3, 1]);
        assert_eq!(by(Column::Owner, true), [1, 3, 2, 4]);
        // The card that never expires sorts last.
        assert_eq!(by(Column::ExpiresOn, false), [3, 1, 4, 2]);
        assert_eq!(by(Column::ExpiresOn, true), [2, 4, 1, 3]);
        for column in Column::ALL {
            let up = by(column, false);
            let down = by(column, true);
            assert_eq!(up.len(), 4, "{column:?}");
            assert_eq!(down.len(), 4, "{column:?}");
        }
    }

    #[test]
    fn totals_use_each_card_price() {
        let mut overview = overview();
        overview.rows[0].price_cents = 10_000;
        overview.rows[0].total = 3;
        overview.rows[0].remaining = 1;
        let totals = overview.totals(&[0, 1]);
        assert_eq!(totals.cards, 2);
        assert_eq!(totals.sessions, 2);
        // 100 € / 3 = 33.33 € for card 1, and 1 of 10 sessions of 100 € for card 2.
        assert_eq!(totals.value_cents, 3_333 + 1_000);
    }

    #[test]
    fn command_line_filters_and_sorts_are_read() {
        let mut thresholds = Thresholds::default();
        assert_eq!(
            parse_filter("expiring:7", &mut thresholds),
            Ok(Filter::Expiring)
        );
        assert_eq!(thresholds.expiring_days, 7);
        assert_eq!(parse_filter("LOW", &mut thresholds), Ok(Filter::LowBalance));
        assert!(matches!(
            parse_filter("soon", &mut thresholds),
            Err(FilterError::Unknown { .. })
        ));
        assert!(matches!(
            parse_filter("expiring:x", &mut thresholds),
            Err(FilterError::BadNumber { .. })
        ));
        assert!(matches!(
            parse_filter("all:3", &mut thresholds),
            Err(FilterError::NoNumber { .. })
        ));
        assert_eq!(
            parse_sort("-left"),
            Some(Sort {
                column: Column::SessionsLeft,
                descending: true
            })
        );
        assert_eq!(parse_sort("nope"), None);
    }
}
