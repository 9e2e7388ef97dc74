//! `carnet export cards --filter … --sort …` (the overview's view as on screen) and
//! `carnet inform list|mark|emails` (the members to inform).

use super::sales::find_member;
use super::{UserError, out};
use crate::config::Settings;
use crate::domain::Clock;
use crate::domain::inform::{Channel, ToInform, contact_reasons, to_inform};
use crate::domain::overview::{Filter, Overview, Sort, Thresholds, parse_filter, parse_sort};
use crate::i18n::Catalog;
use crate::messages;
use crate::search::SearchIndex;
use crate::session_cards::{self, EmailSettings, View};
use crate::store::{NewContact, Store, StoreError};
use clap::{Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum InformCommand {
    /// List the members whose card runs out or expires soon with no other card to take over
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        #[command(flatten)]
        thresholds: ThresholdArgs,
    },
    /// Record that a member was informed about their cards
    Mark {
        /// The member's code
        code: String,
        /// How: phone, email or in-person
        #[arg(long)]
        channel: String,
        /// A note kept with the contact
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        thresholds: ThresholdArgs,
    },
    /// Write one e-mail (.eml) per member to inform into a folder
    Emails {
        /// Folder to write the files to; created, for the owner only, if missing
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[command(flatten)]
        thresholds: ThresholdArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Csv,
}

/// The thresholds of config.toml, overridden for one command.
#[derive(Debug, clap::Args)]
pub struct ThresholdArgs {
    /// Days before expiry that count, 0 to 3650 [default: overview.expiring_days]
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=3650))]
    expiring: Option<u32>,
    /// Sessions left that count, 0 to 1000 [default: overview.low_sessions]
    #[arg(long, value_name = "SESSIONS", value_parser = clap::value_parser!(u32).range(0..=1000))]
    low: Option<u32>,
}

impl ThresholdArgs {
    fn apply(&self, mut thresholds: Thresholds) -> Thresholds {
        if let Some(days) = self.expiring {
            thresholds.expiring_days = days;
        }
        if let Some(sessions) = self.low {
            thresholds.low_sessions = sessions;
        }
        thresholds
    }
}

fn store_error(catalog: &Catalog) -> impl Fn(StoreError) -> UserError + '_ {
    move |error| UserError(messages::store_error(catalog, &error))
}

/// The options of `carnet export cards` that select the Session cards view.
pub struct ViewArgs<'a> {
    pub filter: Option<&'a str>,
    pub sort: Option<&'a str>,
    pub search: Option<&'a str>,
    /// A file to write, for the owner only, instead of standard output.
    pub out: Option<&'a std::path::Path>,
    pub format: super::Format,
}

/// Writes the overview's view as CSV, as the screen's Ctrl-E does.
pub fn export_view(
    store: &Store,
    settings: &Settings,
    catalog: &Catalog,
    clock: &dyn Clock,
    args: ViewArgs,
) -> Result<ExitCode, UserError> {
    let ViewArgs {
        filter,
        sort,
        search,
        out,
        format,
    } = args;
    let mut thresholds = settings.thresholds;
    let filter = match filter {
        Some(text) => parse_filter(text, &mut thresholds)
            .map_err(|_| UserError(catalog.tf("cli.bad_filter", &[("text", &text)])))?,
        None => Filter::Active,
    };
    let sort = match sort {
        Some(text) => parse_sort(text)
            .ok_or_else(|| UserError(catalog.tf("cli.bad_sort", &[("text", &text)])))?,
        None => Sort::default(),
    };
    let today = settings.club_time.local_date(clock.now());
    let mut overview = store
        .overview(&settings.club_time)
        .map_err(store_error(catalog))?;
    overview.rank_owners_by_name();
    let owners = match search.filter(|text| !text.trim().is_empty()) {
        Some(query) => {
            let (wanted, close_only) =
                matching_owners(store, &overview, query).map_err(store_error(catalog))?;
            if close_only {
                let note = catalog.tf("cards.close_only", &[("query", &query)]);
                super::print_error(note.trim());
            }
            Some(wanted)
        }
        None => None,
    };
    let shown = overview.view(filter, owners.as_deref(), sort, today, &thresholds);
    let view = View {
        overview: &overview,
        shown: &shown,
        filter,
        sort,
        today,
        thresholds: &thresholds,
    };
    let mut bytes = Vec::new();
    let rendered = match format {
        super::Format::Csv => session_cards::write_view_csv(&mut bytes, catalog, &view),
        super::Format::Json => session_cards::write_view_json(&mut bytes, &view),
    };
    let written = rendered.and_then(|()| match out {
        Some(path) => crate::print::write_private_file(path, &bytes),
        None => std::io::Write::write_all(&mut std::io::stdout().lock(), &bytes),
    });
    match written {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(error) => Err(UserError(catalog.tf("error.export", &[("detail", &error)]))),
        Ok(()) => Ok(ExitCode::SUCCESS),
    }
}

/// Returns a flag per owner that the member search finds, and whether only close spellings
/// were found.
fn matching_owners(
    store: &Store,
    overview: &Overview,
    query: &str,
) -> Result<(Vec<bool>, bool), StoreError> {
    let index = SearchIndex::try_new(store.members())?;
    let matching = index.matching(query, true);
    let mut wanted = vec![false; overview.owners.len()];
    for member in matching.members {
        if let Some(slot) = overview.owners.find(member) {
            wanted[slot] = true;
        }
    }
    Ok((wanted, matching.close_only))
}

pub fn inform(
    store: &Store,
    settings: &Settings,
    catalog: &Catalog,
    clock: &dyn Clock,
    command: InformCommand,
) -> Result<ExitCode, UserError> {
    let today = settings.club_time.local_date(clock.now());
    let mut overview = store
        .overview(&settings.club_time)
        .map_err(store_error(catalog))?;
    overview.rank_owners_by_name();
    let contacts = store.last_contacts().map_err(store_error(catalog))?;
    let list_with = |thresholds: &ThresholdArgs| {
        to_inform(
            &overview,
            today,
            &thresholds.apply(settings.thresholds),
            &contacts,
        )
    };
    match command {
        InformCommand::List { format, thresholds } => {
            let list = list_with(&thresholds);
            match format {
                ListFormat::Text => print_list(catalog, &overview, &list),
                ListFormat::Csv => {
                    let written = session_cards::write_inform_csv(
                        std::io::stdout().lock(),
                        catalog,
                        &overview,
                        &list,
                    );
                    match written {
                        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
                            return Err(UserError(
                                catalog.tf("error.export", &[("detail", &error)]),
                            ));
                        }
                        _ => {}
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        InformCommand::Mark {
            code,
            channel,
            note,
            thresholds,
        } => {
            let channel = Channel::parse(&channel)
                .ok_or_else(|| UserError(catalog.tf("cli.bad_channel", &[("text", &channel)])))?;
            let member = find_member(store, catalog, &code)?;
            let list = list_with(&thresholds);
            let current = list
                .iter()
                .find(|entry| overview.owners.get(entry.owner as usize).member_id == member.id)
                .map(|entry| entry.reasons.as_slice())
                .unwrap_or_default();
            let reasons = contact_reasons(current, contacts.get(&member.id));
            let contact = NewContact {
                member_id: member.id,
                channel,
                note: note.trim().to_owned(),
                reasons,
            };
            let context = crate::desk::write_context(settings, clock);
            store
                .record_contact(&contact, &context)
                .map_err(store_error(catalog))?;
            out!(
                "{}",
                catalog.tf(
                    "inform.marked",
                    &[
                        ("name", &member.full_name()),
                        (
                            "channel",
                            &catalog.t(crate::tui::session_cards::channel_key(channel))
                        )
                    ],
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        InformCommand::Emails { out, thresholds } => {
            let list = list_with(&thresholds);
            let email_settings = EmailSettings {
                from: &settings.inform_from,
                club_name: &settings.club_name,
                templates: settings.inform_templates.as_deref(),
                language: settings.language,
                now: clock.now(),
            };
            let report = session_cards::write_emails(&out, &overview, &list, &email_settings)
                .map_err(|error| UserError(messages::email_error(catalog, &error)))?;
            out!(
                "{}",
                catalog.tf(
                    "inform.emails_written",
                    &[("count", &report.written), ("folder", &out.display())],
                )
            );
            for name in &report.without_email {
                out!("{}", catalog.tf("cli.inform_no_email", &[("name", name)]));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_list(catalog: &Catalog, overview: &Overview, list: &[ToInform]) {
    if list.is_empty() {
        out!("{}", catalog.t("inform.none").trim());
        return;
    }
    for entry in list {
        let owner = overview.owners.get(entry.owner as usize);
        // Phones are stored in E.164 form and shown as people write them.
        let phone = owner.phone.map(|e164| {
            crate::domain::input::format_french(&crate::domain::input::Phone {
                e164: e164.to_owned(),
                warning: None,
            })
        });
        let contact = [owner.email.map(str::to_owned), phone]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        out!(
            "{}  {}  {}  {}",
            owner.code,
            owner.name(),
            if contact.is_empty() { "—" } else { &contact },
            session_cards::reasons_text(catalog, &entry.reasons)
        );
    }
    out!(
        "{}",
        catalog.tf("cli.inform_count", &[("count", &list.len())])
    );
}
