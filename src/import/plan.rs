//! The dry run: what an import would create, given the members and card types already in the
//! database. The same plan is what `Store::import_members` writes.

use super::rows::{CardInput, ImportRow, RowProblem, RowWarning, Warning};
use crate::domain::card_type::CardType;
use crate::domain::member::{Member, MemberId, NewMember};
use crate::domain::member_form::likely_duplicates;
use crate::domain::pricing::fold;
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

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

/// The identity of a member for re-imports: first and last name folded (no case, no accents),
/// e-mail in lower case, and birth date. Two rows or members with equal identities are the same
/// member, so importing a file twice creates no member twice. A missing e-mail or birth date
/// equals another missing one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Identity {
    first_name: String,
    last_name: String,
    email: Option<String>,
    birth_date: Option<NaiveDate>,
}

impl Identity {
    fn of(
        first_name: &str,
        last_name: &str,
        email: Option<&str>,
        birth: Option<NaiveDate>,
    ) -> Self {
        Identity {
            first_name: fold(first_name),
            last_name: fold(last_name),
            email: email.map(str::to_lowercase),
            birth_date: birth,
        }
    }

    fn of_row(member: &NewMember) -> Self {
        Self::of(
            &member.first_name,
            &member.last_name,
            member.email.as_deref(),
            member.birth_date,
        )
    }

    fn of_member(member: &Member) -> Self {
        Self::of(
            &member.first_name,
            &member.last_name,
            member.email.as_deref(),
            member.birth_date,
        )
    }
}

/// Tells whether a row is the same member as an existing one (see [`Identity`]).
pub fn is_same_member(row: &NewMember, member: &Member) -> bool {
    Identity::of_row(row) == Identity::of_member(member)
}

/// The existing members by identity, by folded name and by e-mail, so that each row is
/// compared with a few candidates rather than with the whole club.
struct MemberIndex<'a> {
    by_identity: HashMap<Identity, &'a Member>,
    by_name: HashMap<(String, String), Vec<&'a Member>>,
    by_email: HashMap<String, Vec<&'a Member>>,
}

impl<'a> MemberIndex<'a> {
    fn new(members: &'a [Member]) -> Self {
        let mut index = MemberIndex {
            by_identity: HashMap::with_capacity(members.len()),
            by_name: HashMap::with_capacity(members.len()),
            by_email: HashMap::new(),
        };
        for member in members {
            let identity = Identity::of_member(member);
            let name = (identity.first_name.clone(), identity.last_name.clone());
            if let Some(email) = &identity.email {
                index
                    .by_email
                    .entry(email.clone())
                    .or_default()
                    .push(member);
            }
            index.by_name.entry(name).or_default().push(member);
            index.by_identity.entry(identity).or_insert(member);
        }
        index
    }

    /// Lists the members with the same folded name or the same e-mail as `identity`, which
    /// are the only ones [`likely_duplicates`] can return.
    fn candidates(&self, identity: &Identity) -> Vec<&'a Member> {
        let name = (identity.first_name.clone(), identity.last_name.clone());
        let mut candidates: Vec<&Member> = self.by_name.get(&name).cloned().unwrap_or_default();
        if let Some(same_email) = identity.email.as_ref().and_then(|e| self.by_email.get(e)) {
            candidates.extend(same_email.iter().copied());
        }
        candidates.sort_by_key(|member| member.id);
        candidates.dedup_by_key(|member| member.id);
        candidates
    }
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
    let index = MemberIndex::new(members);
    let mut planned: HashMap<Identity, u64> = HashMap::new();
    for row in rows {
        plan.warnings.extend(row.warnings.iter().cloned());
        let identity = Identity::of_row(&row.member);
        let skip = match (index.by_identity.get(&identity), planned.get(&identity)) {
            (Some(member), _) => Some(SkipReason::InDatabase {
                code: member.code.as_str().to_owned(),
            }),
            (None, Some(first_line)) => Some(SkipReason::RepeatedInFile {
                first_line: *first_line,
            }),
            (None, None) => None,
        };
        if let Some(reason) = skip {
            plan.skipped.push(SkippedRow {
                line: row.line,
                name: format!("{} {}", row.member.first_name, row.member.last_name),
                reason,
            });
            continue;
        }
        planned.insert(identity.clone(), row.line);

        let card = row
            .card
            .as_ref()
            .and_then(|card| plan_card(card, row.line, card_types, today, &mut plan));
        let duplicates = likely_duplicates(&row.member, index.candidates(&identity), None)
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
    if let Some(left) = card.sessions_left.filter(|left| *left > card_type.sessions) {
        plan.warnings.push(RowWarning {
            line,
            column: None,
            warning: Warning::MoreSessionsThanType {
                left,
                included: card_type.sessions,
            },
        });
    }
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
