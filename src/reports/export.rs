//! Reports written as CSV or JSON.
//!
//! CSV follows the user's language so a spreadsheet opens it as is: in French a UTF-8 byte
//! order mark, `;` between fields, decimal commas and dd/mm/yyyy dates; in English `,`,
//! decimal points and yyyy-mm-dd dates. Amounts are plain numbers in euros, without a
//! currency sign or thousands separator. JSON uses the stable English ids, amounts in cents
//! and ISO dates.

use super::tables::{Cell, Table};
use super::{Names, Report, ReportKind};
use crate::i18n::{Catalog, Language};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes a report's tables as CSV: a line with the report's title and period, then each
/// table after an empty line, its title on a line of its own.
pub fn write_csv(
    out: &mut dyn Write,
    report: &Report,
    kind: ReportKind,
    tables: &[Table],
    catalog: &Catalog,
) -> Result<(), csv::Error> {
    let french = catalog.language == Language::Fr;
    if french {
        out.write_all("\u{feff}".as_bytes())?;
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(if french { b';' } else { b',' })
        .flexible(true)
        .from_writer(out);
    writer.write_record([
        catalog.t(kind.label()),
        &catalog.date(report.period.first),
        &catalog.date(report.period.last),
    ])?;
    for table in tables {
        writer.write_record([""])?;
        writer.write_record([table.title.as_str()])?;
        writer.write_record(table.columns.iter().map(|(_, title)| title.as_str()))?;
        for row in &table.rows {
            writer.write_record(row.iter().map(|cell| csv_cell(cell, catalog)))?;
        }
    }
    writer.flush()?;
    Ok(())
}

fn csv_cell(cell: &Cell, catalog: &Catalog) -> String {
    let french = catalog.language == Language::Fr;
    let decimal = |text: String| if french { text.replace('.', ",") } else { text };
    match cell {
        Cell::Text(text) => text.clone(),
        Cell::Count(value) => value.to_string(),
        Cell::Money(cents) => {
            let sign = if *cents < 0 { "-" } else { "" };
            let cents = cents.unsigned_abs();
            decimal(format!("{sign}{}.{:02}", cents / 100, cents % 100))
        }
        Cell::Decimal(value) => decimal(format!("{value:.1}")),
        Cell::Percent(value) => decimal(format!("{value:.1}")),
        Cell::Date(date) => catalog.date(*date),
        Cell::Empty => String::new(),
    }
}

/// Returns a report as JSON: its name, period and tables with stable column ids.
pub fn to_json(report: &Report, kind: ReportKind, tables: &[Table]) -> Value {
    let tables: Vec<Value> = tables
        .iter()
        .map(|table| {
            let rows: Vec<Value> = table
                .rows
                .iter()
                .enumerate()
                .map(|(index, row)| {
                    let mut fields: serde_json::Map<String, Value> = table
                        .columns
                        .iter()
                        .zip(row)
                        .map(|((id, _), cell)| (json_key(id, cell), json_cell(cell)))
                        .collect();
                    // A summary's labels are in the user's language; scripts read its id.
                    if let Some(id) = table.row_ids.get(index) {
                        fields.insert("id".to_owned(), json!(id));
                    }
                    Value::Object(fields)
                })
                .collect();
            json!({ "table": table.id, "rows": rows })
        })
        .collect();
    json!({
        "report": kind.code(),
        "from": report.period.first.to_string(),
        "to": report.period.last.to_string(),
        "tables": tables,
    })
}

/// Names a money column `…_cents`, since its numbers are cents.
fn json_key(id: &str, cell: &Cell) -> String {
    match cell {
        Cell::Money(_) => format!("{id}_cents"),
        _ => id.to_owned(),
    }
}

fn json_cell(cell: &Cell) -> Value {
    match cell {
        Cell::Text(text) => json!(text),
        Cell::Count(value) | Cell::Money(value) => json!(value),
        Cell::Decimal(value) | Cell::Percent(value) => json!((value * 10.0).round() / 10.0),
        Cell::Date(date) => json!(date.to_string()),
        Cell::Empty => Value::Null,
    }
}

/// Writes the CSV of a report into `folder`, creating the folder readable by its owner only,
/// and returns the file's path. The file name contains the report and the period.
pub fn save_csv(
    folder: &Path,
    report: &Report,
    kind: ReportKind,
    names: &Names,
    catalog: &Catalog,
) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)?;
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))?;
    let name = format!(
        "carnet-{}-{}-{}.csv",
        kind.code(),
        report.period.first.format("%Y%m%d"),
        report.period.last.format("%Y%m%d")
    );
    let path = folder.join(name);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)?;
    let tables = super::tables::tables(report, kind, names, catalog);
    write_csv(&mut file, report, kind, &tables, catalog).map_err(std::io::Error::other)?;
    file.sync_all()?;
    Ok(path)
}
