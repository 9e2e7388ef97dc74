//! The dry run: what an import would create, given the members and card types already in the
//! database. The same plan is what `Store::import_members` writes.

use super::rows::{CardInput, ImportRow, RowProblem, RowWarning, Warning};
use crate::domain::card_type::CardType;
use crate::domain::member::{Member, MemberId, NewMember};
use crate::domain::member_form::likely_duplicates;
use crate::domain::pricing::fold;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A card to create for an imported member, with the balance it arrives with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedCard {
    pub card_type: CardType,
    pub sessions: u32,
    pub expires_on: Option<NaiveDate>,
    pub price_cents: i64,
    pub sold_on: NaiveDate,
}

/// An existing member that a row likely describes, although not exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateOf {
    pub id: MemberId,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMember {
    pub line: u64,
    pub member: NewMember,
    pub card: Option<PlannedCard>,
    /// Existing members with the same name and birth date, or the same e-mail. The row is
    /// still imported: the list is for the user to check before confirming.
    pub duplicates: Vec<DuplicateOf>,
}

/// The reason a readable row creates nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The member is in the database already, for example from an earlier import of the file.
    InDatabase { code: String },
    /// An earlier row of the same file describes the same member.
    RepeatedInFile { first_line: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    pub line: u64,
    pub name: String,
    pub reason: SkipReason,
}

/// Everything a dry run announces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPlan {
    pub create: Vec<PlannedMember>,
    pub skipped: Vec<SkippedRow>,
    pub problems: Vec<RowProblem>,
    pub warnings: Vec<RowWarning>,
    /// Card type names found in the file but not in the club, with how many rows use each.
    pub unknown_card_types: BTreeMap<String, usize>,
}

impl ImportPlan {
    pub fn members_to_create(&self) -> usize {
        self.create.len()
    }

    pub fn cards_to_create(&self) -> usize {
        self.create.iter().filter(|row| row.card.is_some()).count()
    }

    pub fn duplicate_rows(&self) -> impl Iterator<Item = &PlannedMember> {
        self.create.iter().filter(|row| !row.duplicates.is_empty())
    }
}

/// Tells whether a row is the same member as an existing one, so that importing a file twice
/// creates no member twice: the same first and last name (ignoring case and accents), and the
/// same e-mail and birth date, both missing counting as the same.
pub fn is_same_member(row: &NewMember, member: &Member) -> bool {
    fold(&row.first_name) == fold(&member.first_name)
        && fold(&row.last_name) == fold(&member.last_name)
        && lowercase(row.email.as_deref()) == lowercase(member.email.as_deref())
        && row.birth_date == member.birth_date
}

fn lowercase(email: Option<&str>) -> Option<String> {
    email.map(str::to_lowercase)
}

/// Compares the readable rows with the database and decides what each creates.
pub fn plan_import(
    rows: &[ImportRow],
    problems: &[RowProblem],
    members: &[Member],
    card_types: &[CardType],
    today: NaiveDate,
) -> ImportPlan {
    let mut plan = ImportPlan {
        problems: problems.to_vec(),
        ..ImportPlan::default()
    };
    for row in rows {
        plan.warnings.extend(row.warnings.iter().cloned());
        if let Some(reason) = skip_reason(row, members, &plan.create) {
            plan.skipped.push(SkippedRow {
                line: row.line,
                name: format!("{} {}", row.member.first_name, row.member.last_name),
                reason,
            });
            continue;
        }
        let card = row
            .card
            .as_ref()
            .and_then(|card| plan_card(card, row.line, card_types, today, &mut plan));
        let duplicates = likely_duplicates(&row.member, members, None)
            .into_iter()
            .map(|member| DuplicateOf {
                id: member.id,
                code: member.code.as_str().to_owned(),
                name: member.full_name(),
            })
            .collect();
        plan.create.push(PlannedMember {
            line: row.line,
            member: row.member.clone(),
            card,
            duplicates,
        });
    }
    plan.warnings.sort_by_key(|warning| warning.line);
    plan
}

fn skip_reason(
    row: &ImportRow,
    members: &[Member],
    planned: &[PlannedMember],
) -> Option<SkipReason> {
    if let Some(member) = members.iter().find(|m| is_same_member(&row.member, m)) {
        return Some(SkipReason::InDatabase {
            code: member.code.as_str().to_owned(),
        });
    }
    let earlier = planned.iter().find(|planned| {
        fold(&planned.member.first_name) == fold(&row.member.first_name)
            && fold(&planned.member.last_name) == fold(&row.member.last_name)
            && lowercase(planned.member.email.as_deref()) == lowercase(row.member.email.as_deref())
            && planned.member.birth_date == row.member.birth_date
    })?;
    Some(SkipReason::RepeatedInFile {
        first_line: earlier.line,
    })
}

/// Matches the card's type by name, ignoring case and accents, preferring a type on sale.
fn plan_card(
    card: &CardInput,
    line: u64,
    card_types: &[CardType],
    today: NaiveDate,
    plan: &mut ImportPlan,
) -> Option<PlannedCard> {
    let wanted = fold(&card.type_name);
    let mut matching = card_types.iter().filter(|t| fold(&t.name) == wanted);
    let found = matching
        .clone()
        .find(|t| !t.archived)
        .or_else(|| matching.next());
    let Some(card_type) = found else {
        *plan
            .unknown_card_types
            .entry(card.type_name.clone())
            .or_default() += 1;
        plan.warnings.push(RowWarning {
            line,
            column: card.type_column.clone(),
            warning: Warning::UnknownCardType(card.type_name.clone()),
        });
        return None;
    };
    let sold_on = card.sold_on.unwrap_or(today);
    Some(PlannedCard {
        card_type: card_type.clone(),
        sessions: card.sessions_left.unwrap_or(card_type.sessions),
        expires_on: card
            .expires_on
            .or_else(|| card_type.validity.expiry_for_sale_on(sold_on)),
        price_cents: card.amount_cents.unwrap_or(card_type.price_cents),
        sold_on,
    })
}
