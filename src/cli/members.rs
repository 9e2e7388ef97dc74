//! `carnet members`: add members and search them from scripts, with the same validation and
//! the same search engine as the Members screen; export or erase one member's personal data.

use super::UserError;
use super::out;
use crate::domain::member::Member;
use crate::domain::member_form::{MemberInput, likely_duplicates, validate_member};
use crate::i18n::Catalog;
use crate::messages;
use crate::search::{SearchIndex, SearchOptions};
use crate::store::{Store, WriteContext};
use chrono::NaiveDate;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum MembersCommand {
    /// Create a member and print their code
    Add {
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
        #[arg(long, default_value = "")]
        email: String,
        /// Any usual writing: 06 12 34 56 78, +33 6 12 34 56 78, 0033612345678
        #[arg(long, default_value = "", allow_hyphen_values = true)]
        phone: String,
        /// Day first: 05/03/1987, or 1987-03-05
        #[arg(long, default_value = "")]
        birth_date: String,
        /// adult, child (or adulte, enfant), or a label of the club's
        #[arg(long, default_value = "")]
        category: String,
        #[arg(long, default_value = "")]
        notes: String,
        /// The language the member reads e-mails in: fr or en [default: the club's]
        #[arg(long, default_value = "")]
        language: String,
        /// Create the member even when one with the same name and birth date, or the same
        /// e-mail, exists
        #[arg(long)]
        allow_duplicate: bool,
    },
    /// Print the members matching QUERY, best first, one a line: code, name, category,
    /// e-mail, phone
    Search {
        query: String,
        /// Maximum number of matches
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Include archived members
        #[arg(long)]
        archived: bool,
    },
    /// Write everything Carnet holds about one member (profile, cards, payments, attendance,
    /// ledger) as CODE.json and CODE-*.csv files, readable by their owner only
    ExportData {
        code: String,
        /// Folder to write the files to; created, for the owner only, if missing
        #[arg(long, value_name = "DIR")]
        out: std::path::PathBuf,
    },
    /// Erase a member's names, e-mail, phone, birth date and notes; their cards and ledger
    /// stay, so revenue and remaining sessions are unchanged, and their code stops working
    Erase {
        code: String,
        /// Confirm the erasure, which cannot be undone
        #[arg(long)]
        yes: bool,
    },
}

pub fn run(
    store: &Store,
    catalog: &Catalog,
    command: MembersCommand,
    context: &WriteContext,
    today: NaiveDate,
) -> Result<ExitCode, UserError> {
    let store_error = |error| UserError(messages::store_error(catalog, &error));
    match command {
        MembersCommand::Add {
            first_name,
            last_name,
            email,
            phone,
            birth_date,
            category,
            notes,
            language,
            allow_duplicate,
        } => {
            let input = MemberInput {
                first_name,
                last_name,
                email,
                phone,
                birth_date,
                category,
                notes,
                language,
            };
            let valid = validate_member(&input, today).map_err(|errors| {
                let fields = [
                    "--first-name",
                    "--last-name",
                    "--email",
                    "--phone",
                    "--birth-date",
                    "--category",
                    "--language",
                    "--notes",
                ];
                let lines: Vec<String> = messages::member_errors(catalog, &errors)
                    .iter()
                    .zip(fields)
                    .filter_map(|(error, field)| {
                        error.as_ref().map(|error| format!("{field}: {error}"))
                    })
                    .collect();
                UserError(lines.join("\n"))
            })?;
            if !allow_duplicate {
                let members: Vec<Member> = store
                    .members()
                    .collect::<Result<_, _>>()
                    .map_err(store_error)?;
                let duplicates = likely_duplicates(&valid.member, &members, None);
                if !duplicates.is_empty() {
                    let mut lines = vec![catalog.t("members.duplicates").to_owned()];
                    lines.extend(
                        duplicates
                            .iter()
                            .map(|m| format!("  {}\t{}", m.code, m.full_name())),
                    );
                    lines.push(catalog.t("members.duplicates_cli").to_owned());
                    return Err(UserError(lines.join("\n")));
                }
            }
            let member = store
                .insert_member(&valid.member, context)
                .map_err(store_error)?;
            out!("{}", member.code);
            Ok(ExitCode::SUCCESS)
        }
        MembersCommand::Search {
            query,
            limit,
            archived,
        } => {
            let members: Vec<Member> = store
                .members()
                .collect::<Result<_, _>>()
                .map_err(store_error)?;
            let index = SearchIndex::new(&members);
            let options = SearchOptions {
                include_archived: archived,
                limit,
            };
            for hit in index.search(&query, options) {
                let Some(member) = members.iter().find(|m| m.id == hit.member_id) else {
                    continue;
                };
                let category = messages::category_label(catalog, &member.category);
                out!(
                    "{}\t{}\t{category}\t{}\t{}",
                    member.code,
                    member.full_name(),
                    member.email.as_deref().unwrap_or(""),
                    member.phone.as_deref().unwrap_or("")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        MembersCommand::ExportData { code, out } => {
            super::personal::export_data(store, catalog, &code, &out, context.now)
        }
        MembersCommand::Erase { code, yes } => {
            super::personal::erase(store, catalog, &code, yes, context)
        }
    }
}
