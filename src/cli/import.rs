//! `carnet import`: bring members and their current cards from another tool's CSV file. A dry
//! run unless `--commit`; with `--commit`, everything is written in one transaction or nothing.

use super::{UserError, out};
use crate::config::Settings;
use crate::i18n::Catalog;
use crate::import::mapping::SavedMapping;
use crate::import::mapping_file;
use crate::import::plan::ImportPlan;
use crate::import::{self, Preset, ReadFile, report};
use crate::messages;
use crate::store::{Store, WriteContext};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum Import {
    /// Read members, and the cards they hold, from a CSV file: a dry run unless --commit.
    /// Exit status 1 when rows cannot be read (nothing is then written without
    /// --skip-bad-rows), 2 on an error
    Members(MembersArgs),
}

#[derive(Debug, Args)]
pub struct MembersArgs {
    /// CSV file: UTF-8 or Windows-1252, separated by ; or , or tabs
    pub file: PathBuf,
    /// Column layout of a known tool; headers are recognised in French or English anyway
    #[arg(long, value_enum, default_value_t = Preset::Auto)]
    pub preset: Preset,
    /// Column mapping saved from the Import screen [default: import.mapping in config.toml,
    /// when that file exists]
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Write the members and cards that the dry run announces
    #[arg(long)]
    pub commit: bool,
    /// With --commit, import the readable rows even when others cannot be read
    #[arg(long, requires = "commit")]
    pub skip_bad_rows: bool,
}

pub fn run(
    store: &Store,
    settings: &Settings,
    catalog: &Catalog,
    command: Import,
    context: &WriteContext,
    today: NaiveDate,
) -> Result<ExitCode, UserError> {
    match command {
        Import::Members(args) => members(store, settings, catalog, &args, context, today),
    }
}

fn members(
    store: &Store,
    settings: &Settings,
    catalog: &Catalog,
    args: &MembersArgs,
    context: &WriteContext,
    today: NaiveDate,
) -> Result<ExitCode, UserError> {
    let saved = match &args.mapping {
        Some(path) => load_mapping(catalog, path, true)?,
        None => load_mapping(catalog, &settings.import_mapping, false)?,
    };
    let file = read_csv(catalog, &args.file, args.preset, saved.as_ref(), today)?;
    let plan = plan_for(store, catalog, &file, today)?;

    for line in report::dry_run_lines(catalog, &file, &plan) {
        out!("{line}");
    }
    let names_missing = !report::missing_field_lines(catalog, &file).is_empty();
    let has_bad_rows = !plan.problems.is_empty();
    if !args.commit {
        out!("{}", catalog.t("import.dry_run"));
        let clean = !has_bad_rows && !names_missing;
        return Ok(if clean {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    if names_missing {
        out!("{}", catalog.t("import.refused_missing_field"));
        return Ok(ExitCode::from(1));
    }
    if has_bad_rows && !args.skip_bad_rows {
        out!(
            "{}",
            catalog.tf(
                "import.refused_bad_rows",
                &[("count", &plan.problems.len())]
            )
        );
        return Ok(ExitCode::from(1));
    }
    if plan.create.is_empty() {
        out!("{}", catalog.t("import.nothing_to_import"));
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = store
        .import_members(&plan, context)
        .map_err(|error| UserError(messages::store_error(catalog, &error)))?;
    tracing::info!(
        members = outcome.members.len(),
        cards = outcome.cards.len(),
        "import written"
    );
    out!(
        "{}",
        catalog.tf(
            "import.committed",
            &[
                ("members", &outcome.members.len()),
                ("cards", &outcome.cards.len())
            ],
        )
    );
    Ok(ExitCode::SUCCESS)
}

fn load_mapping(
    catalog: &Catalog,
    path: &Path,
    required: bool,
) -> Result<Option<SavedMapping>, UserError> {
    mapping_file::load(path, required)
        .map_err(|error| UserError(report::mapping_error(catalog, &error)))
}

/// Reads and checks a CSV file, with errors in the user's language.
fn read_csv(
    catalog: &Catalog,
    path: &Path,
    preset: Preset,
    saved: Option<&SavedMapping>,
    today: NaiveDate,
) -> Result<ReadFile, UserError> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|error| {
        UserError(catalog.tf("import.error_read", &[("path", &shown), ("detail", &error)]))
    })?;
    import::read_file(&bytes, preset, saved, today)
        .map_err(|error| UserError(report::table_error(catalog, path, &error)))
}

/// Compares a read file with the database.
fn plan_for(
    store: &Store,
    catalog: &Catalog,
    file: &ReadFile,
    today: NaiveDate,
) -> Result<ImportPlan, UserError> {
    let store_error = |error| UserError(messages::store_error(catalog, &error));
    let members = store
        .members()
        .collect::<Result<Vec<_>, _>>()
        .map_err(store_error)?;
    let card_types = store.card_types().map_err(store_error)?;
    Ok(import::plan_import(
        &file.rows,
        &file.problems,
        &members,
        &card_types,
        today,
    ))
}
