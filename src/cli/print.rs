//! `carnet print-card`: membership cards as PNG and SVG files, and an A4 PDF sheet.

use super::UserError;
use crate::config::Settings;
use crate::domain::MemberCode;
use crate::domain::member::Member;
use crate::i18n::Catalog;
use crate::messages;
use crate::print::{self, CardFace};
use crate::store::Store;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Writes `<code>.png` and `<code>.svg` into `out` for each code, and `cards.pdf` when `pdf`
/// is set, printing one line per file. Every code is looked up before anything is written,
/// so an unknown code writes nothing at all.
pub(super) fn print_cards(
    store: &Store,
    settings: &Settings,
    catalog: &Catalog,
    codes: &[String],
    out: &Path,
    pdf: bool,
) -> Result<ExitCode, UserError> {
    let members = find_members(store, catalog, codes)?;
    let faces: Vec<CardFace> = members
        .iter()
        .map(|member| CardFace::new(member, &settings.club_name))
        .collect();

    print::write_cards(&faces, out, pdf, |path| {
        let line = catalog.tf("print.written", &[("path", &path.display())]);
        // A reader that stops early, as `head` does, must not stop the cards being written.
        if let Err(error) = writeln!(std::io::stdout(), "{line}")
            && error.kind() != std::io::ErrorKind::BrokenPipe
        {
            tracing::warn!(%error, "printing the name of a written file failed");
        }
    })
    .map_err(|error| UserError(messages::write_cards_error(catalog, &error)))?;
    Ok(ExitCode::SUCCESS)
}

/// Returns the member of each code, in the order given and without repeats, or an error that
/// names every code that matches no member.
fn find_members(
    store: &Store,
    catalog: &Catalog,
    codes: &[String],
) -> Result<Vec<Member>, UserError> {
    let mut members: Vec<Member> = Vec::with_capacity(codes.len());
    let mut unknown: Vec<&str> = Vec::new();
    for text in codes {
        let member = match MemberCode::parse(text) {
            Some(code) => store
                .member_by_code(&code)
                .map_err(|error| UserError(messages::store_error(catalog, &error)))?,
            None => None,
        };
        match member {
            Some(member) => {
                if !members.iter().any(|known| known.id == member.id) {
                    members.push(member);
                }
            }
            None => unknown.push(text.trim()),
        }
    }
    match unknown.as_slice() {
        [] => Ok(members),
        [code] => Err(UserError(
            catalog.tf("print.unknown_code", &[("code", code)]),
        )),
        codes => Err(UserError(
            catalog.tf("print.unknown_codes", &[("codes", &codes.join(", "))]),
        )),
    }
}
