//! Reading members from the CSV files that French club tools and spreadsheets write.
//!
//! The steps are pure and separate, so the command line and the Import screen share them:
//! [`decode`] turns bytes into text, [`table`] splits the text into rows with their line
//! numbers, [`mapping`] maps each column to a field, [`rows`] checks every value, and
//! [`plan`] compares the rows with the database to announce what a write would do. Nothing in
//! this module writes; `Store::import_members` does, in one transaction.

pub mod decode;
pub mod mapping;
pub mod mapping_file;
pub mod plan;
pub mod preset;
pub mod report;
pub mod rows;
pub mod table;

use chrono::NaiveDate;
pub use decode::{Encoding, decode};
pub use mapping::{Field, Mapping, Preset};
pub use plan::{ImportPlan, PlannedMember, plan_import};
pub use rows::{CardInput, ImportRow, Problem, RowProblem, RowWarning, Warning, read_rows};
pub use table::{Separator, Table, TableError, read_table};

/// A file read up to the checked rows, before any comparison with the database.
#[derive(Debug, Clone)]
pub struct ReadFile {
    pub encoding: Encoding,
    pub table: Table,
    pub mapping: Mapping,
    pub rows: Vec<ImportRow>,
    pub problems: Vec<RowProblem>,
}

/// Decodes, splits and checks a whole file with the given mapping rules.
pub fn read_file(
    bytes: &[u8],
    preset: Preset,
    saved: Option<&mapping::SavedMapping>,
    today: NaiveDate,
) -> Result<ReadFile, TableError> {
    let (text, encoding) = decode(bytes);
    let table = read_table(&text)?;
    let mapping = Mapping::detect(&table.headers, preset, saved);
    let (rows, mut problems) = read_rows(&table, &mapping, today);
    problems.extend(table.problems.iter().cloned());
    problems.sort_by_key(|problem| problem.line);
    Ok(ReadFile {
        encoding,
        table,
        mapping,
        rows,
        problems,
    })
}

impl ReadFile {
    /// Checks the rows again after the user changed the mapping.
    pub fn remap(&mut self, mapping: Mapping, today: NaiveDate) {
        let (rows, mut problems) = read_rows(&self.table, &mapping, today);
        problems.extend(self.table.problems.iter().cloned());
        problems.sort_by_key(|problem| problem.line);
        self.mapping = mapping;
        self.rows = rows;
        self.problems = problems;
    }
}
