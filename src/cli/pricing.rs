//! `carnet card-types` and `carnet activities`: the Pricing screen's operations for scripts,
//! with the same validation and messages as the form. Invalid input exits with status 2.

use super::UserError;
use super::out;
use crate::domain::card_type::{Activity, CardType};
use crate::domain::pricing::{CardTypeInput, fold, price_per_session, validate};
use crate::i18n::Catalog;
use crate::messages;
use crate::store::{Store, WriteContext};
use chrono::NaiveDate;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum CardTypesCommand {
    /// List card types: name, price, sessions, price per session, validity, audience,
    /// activities, status, and cards active and sold
    List {
        /// Include archived card types
        #[arg(long)]
        archived: bool,
    },
    /// Create a card type
    Add {
        #[arg(long)]
        name: String,
        /// Price as written by hand: 85, 85,00, 85.00 €, 1 020,50
        #[arg(long, allow_hyphen_values = true)]
        price: String,
        /// Sessions included, 1 to 1,000
        #[arg(long, allow_hyphen_values = true)]
        sessions: String,
        /// none, 30 days / 30 jours, 12 months / 12 mois, 1 year / 1 an, or a last day
        /// (2027-06-30, 30/06/2027)
        #[arg(long, default_value = "none")]
        validity: String,
        /// Free label, such as adults or children
        #[arg(long, default_value = "")]
        audience: String,
        /// Activity the card is valid for; repeat for several; none means every activity
        #[arg(long)]
        activity: Vec<String>,
    },
    /// Archive a card type: it is no longer sold, and its cards keep working
    Archive { name: String },
}

#[derive(Debug, Subcommand)]
pub enum ActivitiesCommand {
    /// List activities
    List,
    /// Create an activity
    Add { name: String },
    /// Archive an activity
    Archive { name: String },
}

pub fn card_types(
    store: &Store,
    catalog: &Catalog,
    command: CardTypesCommand,
    context: &WriteContext,
    today: NaiveDate,
) -> Result<ExitCode, UserError> {
    let store_error = |error| UserError(messages::store_error(catalog, &error));
    match command {
        CardTypesCommand::List { archived } => {
            let usage = store.card_type_usage(today).map_err(store_error)?;
            let activities = store.activities().map_err(store_error)?;
            let mut types = store.card_types().map_err(store_error)?;
            types.sort_by_key(|t| (t.archived, fold(&t.name)));
            for card_type in types.iter().filter(|t| archived || !t.archived) {
                let counts = usage.get(&card_type.id).copied().unwrap_or_default();
                out!(
                    "{}",
                    card_type_line(catalog, card_type, &activities, counts.active, counts.sold)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        CardTypesCommand::Add {
            name,
            price,
            sessions,
            validity,
            audience,
            activity,
        } => {
            let activities = store.activities().map_err(store_error)?;
            let mut chosen = Vec::new();
            for wanted in &activity {
                match activities
                    .iter()
                    .find(|a| !a.archived && fold(&a.name) == fold(wanted))
                {
                    Some(found) => chosen.push(found.id),
                    None => return Err(unknown_activity(catalog, wanted, &activities)),
                }
            }
            let input = CardTypeInput {
                name,
                price,
                sessions,
                validity,
                audience,
                activities: chosen,
            };
            let existing = store.card_types().map_err(store_error)?;
            let draft = match validate(&input, &existing, None, today) {
                Ok(draft) => draft,
                Err(errors) => {
                    let mut lines = Vec::new();
                    let field = |key: &str| catalog.t(key).to_owned();
                    if let Some(error) = &errors.name {
                        lines.push(format!(
                            "--name: {} ({})",
                            messages::name_error(catalog, error),
                            field("pricing.field_name")
                        ));
                    }
                    if let Some(error) = &errors.price {
                        lines.push(format!(
                            "--price: {}",
                            messages::amount_error(catalog, error)
                        ));
                    }
                    if let Some(error) = &errors.sessions {
                        lines.push(format!(
                            "--sessions: {}",
                            messages::sessions_error(catalog, error)
                        ));
                    }
                    if let Some(error) = &errors.validity {
                        lines.push(format!(
                            "--validity: {}",
                            messages::validity_error(catalog, error)
                        ));
                    }
                    return Err(UserError(lines.join("\n")));
                }
            };
            match store
                .create_card_type(&draft, context)
                .map_err(store_error)?
            {
                Ok(card_type) => {
                    out!(
                        "{}",
                        catalog.tf("pricing.created", &[("name", &card_type.name)])
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(refusal) => Err(UserError(messages::pricing_refusal(catalog, &refusal))),
            }
        }
        CardTypesCommand::Archive { name } => {
            let types = store.card_types().map_err(store_error)?;
            let Some(card_type) = types
                .iter()
                .find(|t| !t.archived && fold(&t.name) == fold(&name))
            else {
                let known: Vec<&str> = types
                    .iter()
                    .filter(|t| !t.archived)
                    .map(|t| t.name.as_str())
                    .collect();
                return Err(UserError(catalog.tf(
                    "error.unknown_card_type",
                    &[("name", &name), ("known", &known.join(", "))],
                )));
            };
            match store
                .set_card_type_archived(card_type.id, true, context)
                .map_err(store_error)?
            {
                Ok(changed) => {
                    out!(
                        "{}",
                        catalog.tf("pricing.archived_notice", &[("name", &changed.name)])
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(refusal) => Err(UserError(messages::pricing_refusal(catalog, &refusal))),
            }
        }
    }
}

pub fn activities(
    store: &Store,
    catalog: &Catalog,
    command: ActivitiesCommand,
    context: &WriteContext,
) -> Result<ExitCode, UserError> {
    let store_error = |error| UserError(messages::store_error(catalog, &error));
    match command {
        ActivitiesCommand::List => {
            let mut activities = store.activities().map_err(store_error)?;
            activities.sort_by_key(|a| (a.archived, fold(&a.name)));
            for activity in activities {
                let status = if activity.archived {
                    catalog.t("pricing.status_archived")
                } else {
                    ""
                };
                out!("{}\t{status}", activity.name);
            }
            Ok(ExitCode::SUCCESS)
        }
        ActivitiesCommand::Add { name } => {
            if name.trim().is_empty() {
                return Err(UserError(
                    catalog.t("pricing.activity_name_missing").to_owned(),
                ));
            }
            match store.create_activity(&name, context).map_err(store_error)? {
                Ok(activity) => {
                    out!(
                        "{}",
                        catalog.tf("pricing.activity_saved", &[("name", &activity.name)])
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(refusal) => Err(UserError(messages::pricing_refusal(catalog, &refusal))),
            }
        }
        ActivitiesCommand::Archive { name } => {
            let activities = store.activities().map_err(store_error)?;
            let Some(activity) = activities
                .iter()
                .find(|a| !a.archived && fold(&a.name) == fold(&name))
            else {
                return Err(unknown_activity(catalog, &name, &activities));
            };
            let changed = store
                .set_activity_archived(activity.id, true, context)
                .map_err(store_error)?;
            out!(
                "{}",
                catalog.tf("pricing.archived_notice", &[("name", &changed.name)])
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn unknown_activity(catalog: &Catalog, name: &str, activities: &[Activity]) -> UserError {
    let known: Vec<&str> = activities
        .iter()
        .filter(|a| !a.archived)
        .map(|a| a.name.as_str())
        .collect();
    UserError(catalog.tf(
        "error.unknown_activity",
        &[("name", &name), ("known", &known.join(", "))],
    ))
}

/// Formats one card type as a tab-separated line, in the user's language.
fn card_type_line(
    catalog: &Catalog,
    card_type: &CardType,
    activities: &[Activity],
    active: usize,
    sold: usize,
) -> String {
    let activity_names = if card_type.activities.is_empty() {
        catalog.t("pricing.all_activities").to_owned()
    } else {
        card_type
            .activities
            .iter()
            .filter_map(|id| {
                activities
                    .iter()
                    .find(|a| a.id == *id)
                    .map(|a| a.name.clone())
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let status = if card_type.archived {
        catalog.t("pricing.status_archived")
    } else {
        catalog.t("pricing.status_active")
    };
    [
        card_type.name.clone(),
        catalog.money(card_type.price_cents),
        card_type.sessions.to_string(),
        catalog.money(price_per_session(card_type.price_cents, card_type.sessions)),
        messages::validity_words(catalog, card_type.validity),
        card_type.audience.clone(),
        activity_names,
        status.to_owned(),
        catalog.tf("pricing.usage", &[("active", &active), ("sold", &sold)]),
    ]
    .join("\t")
}
