//! `carnet backup`, `carnet restore`, `carnet check [--repair]`, `carnet export all` and
//! `carnet import-all`: moving a whole database in and out, and checking it.

use super::export_all::write_all;
use super::import_all::{ImportAllError, import_all};
use super::{UserError, out};
use crate::backups::{backup_error, backup_file_name};
use crate::i18n::Catalog;
use crate::messages;
use crate::store::keys::{TreeName, id_of_key, second_of_pair};
use crate::store::{
    BalanceMismatch, IntegrityProblem, Repair, Store, StoreError, StoreOptions, compact_database,
    restore_backup,
};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Writes a backup to `target`, or into it with a dated name when it is a folder.
pub(crate) fn backup(
    store: &Store,
    catalog: &Catalog,
    target: &Path,
    now: DateTime<Utc>,
) -> Result<ExitCode, UserError> {
    let path = if target.is_dir() {
        target.join(backup_file_name(now))
    } else {
        target.to_owned()
    };
    if path.exists() {
        return Err(UserError(
            catalog.tf("data.backup_exists", &[("path", &path.display())]),
        ));
    }
    let summary = store
        .backup_to(&path, now)
        .map_err(|error| UserError(backup_error(catalog, &error)))?;
    out!(
        "{}",
        catalog.tf(
            "data.backup_done",
            &[("path", &path.display()), ("records", &summary.records)]
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Restores `file` in place of the database at `target`, then checks the result.
pub(crate) fn restore(
    catalog: &Catalog,
    file: &Path,
    target: &Path,
    options: StoreOptions,
    now: DateTime<Utc>,
) -> Result<ExitCode, UserError> {
    let report = restore_backup(file, target, options, now)
        .map_err(|error| UserError(backup_error(catalog, &error)))?;
    out!(
        "{}",
        catalog.tf(
            "data.restore_done",
            &[
                ("path", &report.target.display()),
                ("records", &report.summary.records),
                (
                    "taken",
                    &report.summary.taken_at.format("%Y-%m-%d %H:%M:%S UTC"),
                ),
            ]
        )
    );
    if let Some(previous) = &report.previous {
        out!(
            "{}",
            catalog.tf("data.restore_aside", &[("path", &previous.display())])
        );
    }
    let store = Store::open(
        target,
        StoreOptions {
            create: false,
            ..options
        },
    )
    .map_err(|error| UserError(messages::store_error(catalog, &error)))?;
    check(&store, catalog, false)
}

/// Rewrites the database at `target` compactly, and prints how much space that gave back.
pub(crate) fn compact(
    catalog: &Catalog,
    target: &Path,
    options: StoreOptions,
    now: DateTime<Utc>,
) -> Result<ExitCode, UserError> {
    let report = compact_database(target, options, now)
        .map_err(|error| UserError(backup_error(catalog, &error)))?;
    let megabytes = |bytes: u64| bytes.div_ceil(1_000_000);
    out!(
        "{}",
        catalog.tf(
            "data.compact_done",
            &[
                ("path", &target.display()),
                ("before", &megabytes(report.bytes_before)),
                ("after", &megabytes(report.bytes_after)),
                ("records", &report.records),
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the full export into `folder`.
pub(crate) fn export_all(
    store: &Store,
    catalog: &Catalog,
    folder: Option<PathBuf>,
    now: DateTime<Utc>,
) -> Result<ExitCode, UserError> {
    let Some(folder) = folder else {
        return Err(UserError(catalog.t("data.export_all_needs_out").to_owned()));
    };
    let manifest = write_all(store, &folder, now)
        .map_err(|error| UserError(catalog.tf("error.export", &[("detail", &error)])))?;
    out!(
        "{}",
        catalog.tf(
            "data.export_all_done",
            &[
                ("path", &folder.display()),
                ("members", &manifest.counts.members),
                ("cards", &manifest.counts.cards),
                ("events", &manifest.counts.ledger_events),
            ]
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Reads a full export into a new database at `target`, then checks the result.
///
/// The import is written into a new folder beside `target` and moved in place only when it
/// succeeded, so a failure leaves nothing behind. `target` may be missing, an empty folder or
/// an empty database; a database with records is rejected.
pub(crate) fn import_all_command(
    catalog: &Catalog,
    folder: &Path,
    target: &Path,
    options: StoreOptions,
) -> Result<ExitCode, UserError> {
    let store_error = |error| UserError(messages::store_error(catalog, &error));
    let not_empty =
        || UserError(catalog.tf("data.import_not_empty", &[("path", &target.display())]));
    let target_exists = target.exists();
    if target_exists {
        match Store::open(
            target,
            StoreOptions {
                create: false,
                ..options
            },
        ) {
            Ok(store) => {
                if !store.is_empty_database().map_err(store_error)? {
                    return Err(not_empty());
                }
            }
            Err(StoreError::Missing { .. }) => {}
            Err(error) => return Err(store_error(error)),
        }
    }

    let parent = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    let write_failed = |path: &Path, error: std::io::Error| {
        UserError(catalog.tf(
            "data.write_failed",
            &[("path", &path.display()), ("detail", &error)],
        ))
    };
    std::fs::create_dir_all(&parent).map_err(|error| write_failed(&parent, error))?;
    let staging = tempfile::Builder::new()
        .prefix(".carnet-import-")
        .tempdir_in(&parent)
        .map_err(|error| write_failed(&parent, error))?;
    let staged = staging.path().join("db");
    let manifest = {
        let store = Store::open(
            &staged,
            StoreOptions {
                create: true,
                ..options
            },
        )
        .map_err(store_error)?;
        import_all(&store, folder).map_err(|error| {
            UserError(match error {
                ImportAllError::NotEmpty => not_empty().0,
                ImportAllError::FewIdsLeft { path, id } => catalog.tf(
                    "data.import_few_ids_left",
                    &[
                        ("path", &path.display()),
                        ("id", &id),
                        ("limit", &(u64::MAX - super::import_all::IDS_LEFT)),
                    ],
                ),
                ImportAllError::Store(error) => messages::store_error(catalog, &error),
                other => catalog.tf("data.import_failed", &[("detail", &other)]),
            })
        })?
    };
    if target_exists {
        // Checked above: an empty folder or a database without records.
        std::fs::remove_dir_all(target).map_err(|error| write_failed(target, error))?;
    }
    std::fs::rename(&staged, target).map_err(|error| write_failed(target, error))?;

    let store = Store::open(
        target,
        StoreOptions {
            create: false,
            ..options
        },
    )
    .map_err(store_error)?;
    out!(
        "{}",
        catalog.tf(
            "data.import_done",
            &[
                ("path", &store.path().display()),
                ("members", &manifest.counts.members),
                ("cards", &manifest.counts.cards),
                ("events", &manifest.counts.ledger_events),
            ]
        )
    );
    check(&store, catalog, false)
}

/// Checks balances, indexes and codes; with `repair`, fixes what the ledger and the base
/// records determine and reports each change. Exit 1 when a problem remains.
pub(crate) fn check(store: &Store, catalog: &Catalog, repair: bool) -> Result<ExitCode, UserError> {
    let store_error = |error| UserError(messages::store_error(catalog, &error));
    // Ledger events that the check read, for the summary. After a repair they are counted
    // again below.
    let mut events_read = None;
    let remaining = if repair {
        let report = store.repair().map_err(store_error)?;
        for change in &report.repaired {
            out!("{}", repair_line(catalog, change));
        }
        out!(
            "{}",
            catalog.tf("data.repair_done", &[("count", &report.repaired.len())])
        );
        report.left
    } else {
        let balances = store.check_balances().map_err(store_error)?;
        events_read = Some(balances.events);
        let mut problems: Vec<Repair> = balances
            .mismatches
            .into_iter()
            .map(Repair::Balance)
            .collect();
        let indexes = store.verify_indexes().map_err(store_error)?;
        problems.extend(indexes.into_iter().map(Repair::Index));
        problems
    };
    for problem in &remaining {
        out!("{}", problem_line(catalog, problem));
    }
    if remaining.is_empty() {
        let events = match events_read {
            Some(events) => events,
            None => store.check_balances().map_err(store_error)?.events,
        };
        out!(
            "{}",
            catalog.tf(
                "cli.check_clean",
                &[("cards", &store.card_count()), ("events", &events)]
            )
        );
        out!(
            "{}",
            catalog.tf(
                "data.check_indexes_clean",
                &[("members", &store.member_count())]
            )
        );
        Ok(ExitCode::SUCCESS)
    } else {
        let hint = if repair {
            ""
        } else {
            catalog.t("data.check_repair_hint")
        };
        out!(
            "{} {hint}",
            catalog.tf("data.check_problems", &[("count", &remaining.len())])
        );
        Ok(ExitCode::from(1))
    }
}

fn balance_line(catalog: &Catalog, mismatch: &BalanceMismatch) -> String {
    catalog.tf(
        "cli.check_mismatch",
        &[
            ("card", &mismatch.card_id.0),
            ("member", &mismatch.member_id.0),
            ("stored", &mismatch.stored),
            ("ledger", &mismatch.from_ledger),
        ],
    )
}

/// Describes a problem found by `carnet check`.
fn problem_line(catalog: &Catalog, problem: &Repair) -> String {
    match problem {
        Repair::Balance(mismatch) => balance_line(catalog, mismatch),
        Repair::Index(problem) => index_line(catalog, problem, false),
    }
}

/// Describes a change made by `carnet check --repair`.
fn repair_line(catalog: &Catalog, change: &Repair) -> String {
    match change {
        Repair::Balance(mismatch) => catalog.tf(
            "data.repaired_balance",
            &[
                ("card", &mismatch.card_id.0),
                ("stored", &mismatch.stored),
                ("ledger", &mismatch.from_ledger),
            ],
        ),
        Repair::Index(problem) => index_line(catalog, problem, true),
    }
}

fn index_line(catalog: &Catalog, problem: &IntegrityProblem, repaired: bool) -> String {
    let (key, tree, entry) = match problem {
        IntegrityProblem::MissingEntry { tree, key } => (
            if repaired {
                "data.added_entry"
            } else {
                "data.missing_entry"
            },
            *tree,
            key,
        ),
        IntegrityProblem::StaleEntry { tree, key } => (
            if repaired {
                "data.removed_entry"
            } else {
                "data.stale_entry"
            },
            *tree,
            key,
        ),
        IntegrityProblem::WrongValue { tree, key } => (
            if repaired {
                "data.fixed_entry"
            } else {
                "data.wrong_entry"
            },
            *tree,
            key,
        ),
        IntegrityProblem::InvalidCode { member_id, code } => {
            return catalog.tf(
                "data.invalid_code",
                &[("member", &member_id.0), ("code", code)],
            );
        }
        IntegrityProblem::DuplicateCode {
            code,
            first,
            second,
        } => {
            return catalog.tf(
                "data.duplicate_code",
                &[("code", code), ("first", &first.0), ("second", &second.0)],
            );
        }
    };
    catalog.tf(
        key,
        &[
            ("index", &tree.as_str()),
            ("entry", &describe_key(tree, entry)),
        ],
    )
}

/// Shows an index key as the ids or code it is made of.
fn describe_key(tree: TreeName, key: &[u8]) -> String {
    match tree {
        TreeName::MemberCodes => String::from_utf8_lossy(key).into_owned(),
        _ => match (key.get(..8).and_then(id_of_key), second_of_pair(key)) {
            (Some(first), Some(second)) => format!("{first}/{second}"),
            (Some(first), None) => first.to_string(),
            _ => key.iter().map(|byte| format!("{byte:02x}")).collect(),
        },
    }
}
