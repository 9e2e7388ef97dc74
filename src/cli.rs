//! The command line: options, subcommands, and what each prints and returns.
//!
//! Exit statuses: 0 done (or check-in accepted), 1 refused check-in or balances that differ,
//! 2 error.

mod export;
mod logging;
mod members;
mod pricing;
mod print;
mod report;
mod sales;

use crate::config::Settings;
use crate::demo::{self, DemoOptions};
use crate::desk::{ScanRequest, check_in_scan};
use crate::domain::{Clock, SystemClock};
use crate::i18n::{Catalog, Language};
use crate::messages;
use crate::store::{CheckInOutcome, Store, StoreOptions};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "carnet",
    version,
    about = "Front-desk check-in and multi-session cards for clubs"
)]
pub struct Cli {
    /// Database folder (overrides database.path in config.toml)
    #[arg(long, global = true, value_name = "DIR")]
    pub db: Option<PathBuf>,
    /// Configuration file (default: ./config.toml, then the user's carnet/config.toml)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Open the app on a fresh demo club in a temporary folder
    #[arg(long, conflicts_with = "db")]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fill an empty database with a realistic demo club
    Demo {
        /// Number of members to create
        #[arg(long, default_value_t = 300)]
        members: usize,
        /// Seed of the random generator; the same seed gives the same club
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Total number of cards to sell [default: one to three per member, 1.7 on average]
        #[arg(long, value_name = "N")]
        cards: Option<usize>,
        /// Number of ledger events (card sales and check-ins) to aim for; the result is
        /// approximate [default: each card used for a random number of its sessions, about 6]
        #[arg(long, value_name = "N")]
        events: Option<usize>,
    },
    /// Check in one member code, with the same rules as the front desk
    Checkin {
        /// The code as scanned or typed
        code: String,
        /// Name of the activity the member comes for
        #[arg(long)]
        activity: Option<String>,
        /// Deduct even if the member was checked in moments ago
        #[arg(long)]
        again: bool,
    },
    /// Write members, card types, cards or the ledger to standard output
    Export {
        what: export::ExportKind,
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
    },
    /// Recompute every balance from the ledger and report each difference
    Check,
    /// Print a report (usage, sales, outstanding sessions, card life) over a period
    Report {
        what: crate::reports::ReportKind,
        /// First day, included: 01/09/2026 or 2026-09-01 [default: the last 1 September]
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day, included [default: today]
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
    },
    /// Card types sold by the club (Finance › Pricing)
    #[command(name = "card-types", subcommand)]
    CardTypes(pricing::CardTypesCommand),
    /// Activities that card types can be restricted to
    #[command(subcommand)]
    Activities(pricing::ActivitiesCommand),
    /// Sell a card to a member, with its payment lines
    Sell(sales::SellArgs),
    /// A member's sold cards: list, later payments, adjustments, expiry, cancellation, refunds
    #[command(subcommand)]
    Cards(sales::CardsCommand),
    /// Members: add them, search them
    #[command(subcommand)]
    Members(members::MembersCommand),
    /// Write membership cards: CODE.png and CODE.svg for each code, and with --pdf A4 sheets
    PrintCard {
        /// Member codes, as printed under the QR code
        #[arg(required = true, value_name = "CODE")]
        codes: Vec<String>,
        /// Folder to write the files to; created, for the owner only, if missing
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Also write cards.pdf: A4 sheets of 10 cards with cut marks
        #[arg(long)]
        pdf: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Json,
}

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(mut settings) => {
            if let Some(db) = &cli.db {
                settings.database = db.clone();
            }
            settings
        }
        Err(error) => {
            let language =
                language_of_file(cli.config.as_deref()).unwrap_or_else(Language::from_environment);
            let catalog = Catalog::new(language);
            print_error(&messages::config_error(&catalog, &error));
            return ExitCode::from(2);
        }
    };
    let catalog = Catalog::new(settings.language);
    let _log = logging::init();

    match run(cli, &settings, &catalog) {
        Ok(code) => code,
        Err(error) => {
            tracing::error!(error = %error, "command failed");
            print_error(&error.to_string());
            ExitCode::from(2)
        }
    }
}

/// Prints a line on standard output like `println!`, but a reader that stops early
/// (`carnet … | head -1`) ends the output quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_line(format_args!($($arg)*))
    };
}
pub(crate) use out;

pub(crate) fn write_line(args: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{args}");
}

/// Writes an error to standard error, ignoring a closed stream (`carnet … 2>&1 | head`),
/// where `eprintln!` would panic.
fn print_error(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Reads `ui.language` from a config file that failed to load as a whole, so its errors are
/// still in the language it sets.
fn language_of_file(explicit: Option<&Path>) -> Option<Language> {
    let path = explicit
        .map(Path::to_owned)
        .unwrap_or_else(|| PathBuf::from("config.toml"));
    let text = std::fs::read_to_string(path).ok()?;
    let value: toml::Value = toml::from_str(&text).ok()?;
    match value.get("ui")?.get("language")?.as_str()? {
        "fr" => Some(Language::Fr),
        "en" => Some(Language::En),
        _ => None,
    }
}

/// An error already put into the user's language.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UserError(String);

fn run(cli: Cli, settings: &Settings, catalog: &Catalog) -> Result<ExitCode, UserError> {
    let clock = SystemClock;
    match cli.command {
        None if cli.demo => run_demo_app(settings, catalog, &clock),
        None => {
            let store = open_or_create_store(&settings.database, settings, catalog)?;
            crate::tui::run(&store, settings, &clock)
                .map_err(|error| UserError(error.to_string()))?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Demo {
            members,
            seed,
            cards,
            events,
        }) => {
            // A bulk load holds several times sled's cache size in memory; see demo::CACHE_BYTES.
            let mut load_settings = settings.clone();
            load_settings.cache_bytes = settings.cache_bytes.min(demo::CACHE_BYTES);
            let store = open_or_create_store(&settings.database, &load_settings, catalog)?;
            let options = DemoOptions {
                members,
                seed,
                cards,
                events,
            };
            let summary = fill_demo(&store, settings, catalog, &clock, options)?;
            out!(
                "{}",
                catalog.tf(
                    "cli.demo_done",
                    &[
                        ("members", &summary.members),
                        ("cards", &summary.cards),
                        ("events", &summary.events),
                        ("path", &store.path().display())
                    ],
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Checkin {
            code,
            activity,
            again,
        }) => {
            let store = open_store(&settings.database, settings, catalog)?;
            checkin(
                &store,
                settings,
                catalog,
                &clock,
                &code,
                activity.as_deref(),
                again,
            )
        }
        Some(Command::Export { what, format }) => {
            let store = open_store(&settings.database, settings, catalog)?;
            match export::write(&store, what, format, &mut std::io::stdout().lock()) {
                // A reader that stops early, as `head` does, is not an error.
                Err(error) if error.is_broken_pipe() => Ok(ExitCode::SUCCESS),
                Err(error) => Err(UserError(catalog.tf("error.export", &[("detail", &error)]))),
                Ok(()) => Ok(ExitCode::SUCCESS),
            }
        }
        Some(Command::Report {
            what,
            from,
            to,
            format,
        }) => {
            let store = open_store(&settings.database, settings, catalog)?;
            let today = settings.club_time.local_date(clock.now());
            report::run(
                &store,
                settings,
                catalog,
                today,
                what,
                from.as_deref(),
                to.as_deref(),
                format,
            )
        }
        Some(Command::Check) => {
            let store = open_store(&settings.database, settings, catalog)?;
            check(&store, catalog)
        }
        Some(Command::CardTypes(command)) => {
            let store = open_store(&settings.database, settings, catalog)?;
            let today = settings.club_time.local_date(clock.now());
            pricing::card_types(
                &store,
                catalog,
                command,
                &crate::desk::write_context(settings, &clock),
                today,
            )
        }
        Some(Command::Members(command)) => {
            let store = open_store(&settings.database, settings, catalog)?;
            let today = settings.club_time.local_date(clock.now());
            let context = crate::desk::write_context(settings, &clock);
            members::run(&store, catalog, command, &context, today)
        }
        Some(Command::Sell(args)) => {
            let store = open_store(&settings.database, settings, catalog)?;
            let context = crate::desk::write_context(settings, &clock);
            let today = settings.club_time.local_date(context.now);
            sales::sell(&store, catalog, args, &context, today)
        }
        Some(Command::Cards(command)) => {
            let store = open_store(&settings.database, settings, catalog)?;
            let context = crate::desk::write_context(settings, &clock);
            let today = settings.club_time.local_date(context.now);
            sales::cards(&store, catalog, command, &context, today)
        }
        Some(Command::Activities(command)) => {
            let store = open_store(&settings.database, settings, catalog)?;
            pricing::activities(
                &store,
                catalog,
                command,
                &crate::desk::write_context(settings, &clock),
            )
        }
        Some(Command::PrintCard { codes, out, pdf }) => {
            let store = open_store(&settings.database, settings, catalog)?;
            print::print_cards(&store, settings, catalog, &codes, &out, pdf)
        }
    }
}

/// Opens an existing database; commands other than the app and `demo` never create one.
fn open_store(path: &Path, settings: &Settings, catalog: &Catalog) -> Result<Store, UserError> {
    open_with(path, settings, catalog, false)
}

/// Opens the database, creating it if the folder is missing or empty.
fn open_or_create_store(
    path: &Path,
    settings: &Settings,
    catalog: &Catalog,
) -> Result<Store, UserError> {
    open_with(path, settings, catalog, true)
}

fn open_with(
    path: &Path,
    settings: &Settings,
    catalog: &Catalog,
    create: bool,
) -> Result<Store, UserError> {
    let options = StoreOptions {
        cache_bytes: settings.cache_bytes,
        create,
    };
    Store::open(path, options).map_err(|error| UserError(messages::store_error(catalog, &error)))
}

/// Most members `carnet demo` creates: a club chain's size, well within memory.
const MAX_DEMO_MEMBERS: usize = 2_000_000;

fn fill_demo(
    store: &Store,
    settings: &Settings,
    catalog: &Catalog,
    clock: &dyn Clock,
    options: DemoOptions,
) -> Result<demo::DemoSummary, UserError> {
    if options.members > MAX_DEMO_MEMBERS {
        return Err(UserError(catalog.tf(
            "error.demo_too_many",
            &[("members", &options.members), ("max", &MAX_DEMO_MEMBERS)],
        )));
    }
    let progress = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    demo::generate(store, settings.club_time, clock.now(), options, &progress).map_err(|error| {
        match error {
            demo::DemoError::NotEmpty { members } => {
                UserError(catalog.tf("error.demo_not_empty", &[("members", &members)]))
            }
            demo::DemoError::Store(error) => UserError(messages::store_error(catalog, &error)),
        }
    })
}

fn run_demo_app(
    settings: &Settings,
    catalog: &Catalog,
    clock: &dyn Clock,
) -> Result<ExitCode, UserError> {
    let folder = tempfile::Builder::new()
        .prefix("carnet-demo-")
        .tempdir()
        .map_err(|error| UserError(catalog.tf("error.temp_folder", &[("detail", &error)])))?;
    let path = folder.path().join("db");
    let store = open_or_create_store(&path, settings, catalog)?;
    fill_demo(
        &store,
        settings,
        catalog,
        clock,
        DemoOptions {
            members: 300,
            seed: 1,
            cards: None,
            events: None,
        },
    )?;
    crate::tui::run(&store, settings, clock).map_err(|error| UserError(error.to_string()))?;
    Ok(ExitCode::SUCCESS)
}

fn checkin(
    store: &Store,
    settings: &Settings,
    catalog: &Catalog,
    clock: &dyn Clock,
    code: &str,
    activity: Option<&str>,
    again: bool,
) -> Result<ExitCode, UserError> {
    let store_error = |error| UserError(messages::store_error(catalog, &error));
    let activity = match activity {
        None => None,
        Some(name) => {
            let activities = store.activities().map_err(store_error)?;
            let wanted = name.trim().to_lowercase();
            let found = activities
                .iter()
                .find(|a| !a.archived && a.name.to_lowercase() == wanted);
            match found {
                Some(activity) => Some(activity.id),
                None => {
                    let known: Vec<&str> = activities
                        .iter()
                        .filter(|a| !a.archived)
                        .map(|a| a.name.as_str())
                        .collect();
                    return Err(UserError(catalog.tf(
                        "error.unknown_activity",
                        &[("name", &name), ("known", &known.join(", "))],
                    )));
                }
            }
        }
    };
    let request = ScanRequest {
        activity,
        charge_again: again,
    };
    let Some(result) = check_in_scan(store, settings, clock, code, request).map_err(store_error)?
    else {
        return Err(UserError(catalog.t("error.empty_code").to_owned()));
    };
    for line in messages::scan_result_lines(catalog, &result, settings.club_time.zone) {
        out!("{line}");
    }
    Ok(match result.outcome {
        CheckInOutcome::Accepted { .. } => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

fn check(store: &Store, catalog: &Catalog) -> Result<ExitCode, UserError> {
    let mismatches = store
        .verify_balances()
        .map_err(|error| UserError(messages::store_error(catalog, &error)))?;
    for mismatch in &mismatches {
        out!(
            "{}",
            catalog.tf(
                "cli.check_mismatch",
                &[
                    ("card", &mismatch.card_id.0),
                    ("member", &mismatch.member_id.0),
                    ("stored", &mismatch.stored),
                    ("ledger", &mismatch.from_ledger)
                ],
            )
        );
    }
    if mismatches.is_empty() {
        out!(
            "{}",
            catalog.tf(
                "cli.check_clean",
                &[
                    ("cards", &store.card_count()),
                    ("events", &store.ledger_len())
                ]
            )
        );
        Ok(ExitCode::SUCCESS)
    } else {
        out!(
            "{}",
            catalog.tf("cli.check_differences", &[("count", &mismatches.len())])
        );
        Ok(ExitCode::from(1))
    }
}
