//! The command line: options, subcommands, and what each prints and returns.
//!
//! Exit statuses: 0 done (or check-in accepted), 1 refused check-in or balances that differ,
//! 2 error.

mod data;
mod export;
mod export_all;
mod files;
mod import;
mod import_all;
mod logging;
mod members;
mod personal;
mod pricing;
mod print;
mod report;
mod sales;
mod session_cards;

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
    /// Write members, card types, cards, the ledger or payments to standard output or a file;
    /// `export all --out DIR` writes everything, for `carnet import-all`
    Export {
        what: export::ExportKind,
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Cards only: write the Session cards view instead, with this filter (active,
        /// expiring[:DAYS], low[:SESSIONS], used-up, expired, dormant[:DAYS], cancelled, all),
        /// in the screen's columns and the language's CSV conventions
        #[arg(long, value_name = "FILTER")]
        filter: Option<String>,
        /// Cards only: the view's sort (owner, type, audience, sold, expiry, left, last-use,
        /// status; a leading '-' for descending)
        #[arg(long, value_name = "COLUMN", allow_hyphen_values = true)]
        sort: Option<String>,
        /// Cards only: keep the cards of owners the member search finds
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// File to write instead of standard output (a folder for `all`), for the owner only
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// Read a folder written by `carnet export all` into an empty database, keeping every id
    #[command(name = "import-all")]
    ImportAll {
        #[arg(value_name = "DIR")]
        folder: PathBuf,
    },
    /// Recompute every balance from the ledger, compare every index with its records and
    /// check member codes; report each difference
    Check {
        /// Fix balances and indexes from the ledger and the records, in one transaction
        #[arg(long)]
        repair: bool,
    },
    /// Write a checked single-file backup of the database (into a folder: a dated name)
    Backup {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Replace the database (--db or config.toml) with a backup, after checking the whole
    /// file; the previous database is kept aside under a dated name
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Rewrite the database with each record once, which gives back unused space (needs the
    /// app closed)
    Compact,
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
    /// Members to inform before their card runs out or expires (Practice › Session cards)
    #[command(subcommand)]
    Inform(session_cards::InformCommand),
    /// Bring members and their current cards from another tool's CSV file
    #[command(subcommand)]
    Import(import::Import),
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
            let path = store.path().to_owned();
            drop(store);
            // A bulk load leaves sled's log two to three times the size of the records.
            let options = StoreOptions {
                cache_bytes: load_settings.cache_bytes,
                create: false,
            };
            // The club is complete without the compaction, so its failure is only a warning.
            if let Err(error) = crate::store::compact_database(&path, options, clock.now()) {
                tracing::warn!(%error, path = %path.display(), "compacting the demo club failed");
                print_error(&catalog.tf(
                    "cli.demo_compact_failed",
                    &[
                        ("path", &path.display()),
                        ("detail", &crate::backups::backup_error(catalog, &error)),
                    ],
                ));
            }
            out!(
                "{}",
                catalog.tf(
                    "cli.demo_done",
                    &[
                        ("members", &summary.members),
                        ("cards", &summary.cards),
                        ("events", &summary.events),
                        ("path", &path.display())
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
        Some(Command::Export {
            what,
            format,
            out,
            filter,
            sort,
            search,
        }) => {
            let store = open_store(&settings.database, settings, catalog)?;
            if what == export::ExportKind::All {
                return data::export_all(&store, catalog, out, clock.now());
            }
            let view_asked = filter.is_some() || sort.is_some() || search.is_some();
            if view_asked && what != export::ExportKind::Cards {
                return Err(UserError(catalog.t("cli.view_cards_only").to_owned()));
            }
            if view_asked {
                let view = session_cards::ViewArgs {
                    filter: filter.as_deref(),
                    sort: sort.as_deref(),
                    search: search.as_deref(),
                    out: out.as_deref(),
                    format,
                };
                return session_cards::export_view(&store, settings, catalog, &clock, view);
            }
            export_one(&store, catalog, what, format, out.as_deref())
        }
        Some(Command::ImportAll { folder }) => {
            let options = StoreOptions {
                cache_bytes: settings.cache_bytes,
                create: false,
            };
            data::import_all_command(catalog, &folder, &settings.database, options)
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
        Some(Command::Check { repair }) => {
            let store = open_store(&settings.database, settings, catalog)?;
            data::check(&store, catalog, repair)
        }
        Some(Command::Backup { file }) => {
            let store = open_store(&settings.database, settings, catalog)?;
            data::backup(&store, catalog, &file, clock.now())
        }
        Some(Command::Restore { file }) => {
            let options = StoreOptions {
                cache_bytes: settings.cache_bytes,
                create: false,
            };
            data::restore(catalog, &file, &settings.database, options, clock.now())
        }
        Some(Command::Compact) => {
            let options = StoreOptions {
                cache_bytes: settings.cache_bytes,
                create: false,
            };
            data::compact(catalog, &settings.database, options, clock.now())
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
        Some(Command::Inform(command)) => {
            let store = open_store(&settings.database, settings, catalog)?;
            session_cards::inform(&store, settings, catalog, &clock, command)
        }
        Some(Command::Import(command)) => {
            let store = open_store(&settings.database, settings, catalog)?;
            let context = crate::desk::write_context(settings, &clock);
            let today = settings.club_time.local_date(context.now);
            import::run(&store, settings, catalog, command, &context, today)
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
    // The demo's daily backup goes into its temporary folder, never among the club's backups,
    // whose oldest it would otherwise delete.
    let mut settings = settings.clone();
    settings.database = path.clone();
    settings.backup_folder = None;
    let settings = &settings;
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

/// Writes one kind of record to standard output, or to a file for the owner only.
fn export_one(
    store: &Store,
    catalog: &Catalog,
    what: export::ExportKind,
    format: Format,
    out: Option<&Path>,
) -> Result<ExitCode, UserError> {
    let failed = |error: &dyn std::fmt::Display| {
        UserError(catalog.tf("error.export", &[("detail", &error)]))
    };
    let result = match out {
        None => export::write(store, what, format, &mut std::io::stdout().lock()),
        Some(path) => {
            let file = files::create_private_file(path).map_err(|error| {
                UserError(catalog.tf(
                    "data.write_failed",
                    &[("path", &path.display()), ("detail", &error)],
                ))
            })?;
            let mut writer = std::io::BufWriter::new(file);
            export::write(store, what, format, &mut writer).and_then(|()| {
                use std::io::Write;
                writer.flush()?;
                Ok(())
            })
        }
    };
    match result {
        // A reader that stops early, as `head` does, is not an error.
        Err(error) if error.is_broken_pipe() => Ok(ExitCode::SUCCESS),
        Err(error) => Err(failed(&error)),
        Ok(()) => Ok(ExitCode::SUCCESS),
    }
}
