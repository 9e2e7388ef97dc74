//! The Import screen: type the path of a CSV file, check how its columns are read and change
//! them, read the dry run, then confirm to write. State and updates live here; drawing is in
//! `import_view`.

use super::app::NavKey;
use super::fields::{edit_cursor, moved};
use super::keymap::Command;
use super::screen::{ScreenContext, ScreenState};
use crate::import::mapping::Field;
use crate::import::mapping_file;
use crate::import::plan::ImportPlan;
use crate::import::{self, Preset, ReadFile, report};
use crate::store::StoreError;
use std::path::PathBuf;
use tui_input::{Input, InputRequest};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImportStep {
    /// The path field has the focus.
    #[default]
    Path,
    /// The file is read: its columns and the dry run are shown.
    Review,
    /// Enter was pressed once on the review: the next Enter writes.
    Confirm,
    /// The import was written.
    Done,
}

/// The outcome of the last action, already in the user's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub ok: bool,
    pub text: String,
}

#[derive(Default)]
pub struct ImportState {
    pub step: ImportStep,
    pub path: Input,
    pub preset: Preset,
    pub file: Option<ReadFile>,
    pub plan: Option<ImportPlan>,
    /// The column whose field Left and Right change.
    pub selected_column: usize,
    /// First line of the dry run shown.
    pub scroll: usize,
    pub notice: Option<Notice>,
    /// Where Ctrl-S saves the mapping, and where it is read from.
    pub mapping_path: PathBuf,
    /// Set when Esc on the path field asks to go back to the Members screen.
    pub leave: bool,
    /// Set after a write, so the app refreshes what shows members.
    pub members_changed: bool,
    /// The mapping changed and the dry run must be compared with the database again.
    needs_plan: bool,
    /// The club's date when the screen opened, for the checks that depend on it.
    today: Option<chrono::NaiveDate>,
}

impl ImportState {
    /// Shows the path field, keeping the last path typed.
    pub fn open(&mut self, mapping_path: PathBuf, today: chrono::NaiveDate) {
        self.mapping_path = mapping_path;
        self.today = Some(today);
        self.step = ImportStep::Path;
        self.file = None;
        self.plan = None;
        self.notice = None;
        self.leave = false;
    }

    fn read(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        let catalog = context.catalog;
        let path = typed_path(self.path.value());
        // A mapping file that fails to load leaves its error shown while the file is read
        // without it.
        self.notice = None;
        let saved = match mapping_file::load(&self.mapping_path, false) {
            Ok(saved) => saved,
            Err(error) => {
                self.fail(report::mapping_error(catalog, &error));
                None
            }
        };
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(error) => {
                let text = catalog.tf(
                    "import.error_read",
                    &[("path", &path.display()), ("detail", &error)],
                );
                self.fail(text);
                return Ok(());
            }
        };
        match import::read_file(&bytes, self.preset, saved.as_ref(), context.today) {
            Ok(file) => {
                self.file = Some(file);
                self.selected_column = 0;
                self.scroll = 0;
                self.step = ImportStep::Review;
                self.replan(context)?;
            }
            Err(error) => self.fail(report::table_error(catalog, &path, &error)),
        }
        Ok(())
    }

    /// Compares the file with the database again.
    fn replan(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        self.plan = Some(plan_against(context.store, file, context.today)?);
        Ok(())
    }

    fn fail(&mut self, text: String) {
        self.notice = Some(Notice { ok: false, text });
    }

    /// Moves the selected column to the next or previous field (or to none). The dry run is
    /// planned again by [`ImportState::refresh`].
    fn change_field(&mut self, forward: bool) {
        let (Some(file), Some(today)) = (&mut self.file, self.today) else {
            return;
        };
        let choices: Vec<Option<Field>> = std::iter::once(None)
            .chain(Field::ALL.into_iter().map(Some))
            .collect();
        let current = file
            .mapping
            .columns
            .get(self.selected_column)
            .copied()
            .flatten();
        let position = choices.iter().position(|c| *c == current).unwrap_or(0);
        let next = if forward {
            (position + 1) % choices.len()
        } else {
            (position + choices.len() - 1) % choices.len()
        };
        let mut mapping = file.mapping.clone();
        mapping.set(self.selected_column, choices[next]);
        file.remap(mapping, today);
        self.step = ImportStep::Review;
        self.needs_plan = true;
    }

    /// Plans the dry run again after the mapping changed; the app calls it after each key.
    pub fn refresh(&mut self, store: &crate::store::Store) -> Result<(), StoreError> {
        if !std::mem::take(&mut self.needs_plan) {
            return Ok(());
        }
        let (Some(file), Some(today)) = (&self.file, self.today) else {
            return Ok(());
        };
        self.plan = Some(plan_against(store, file, today)?);
        Ok(())
    }

    fn save_mapping(&mut self, context: &ScreenContext) {
        let Some(file) = &self.file else {
            return;
        };
        let saved = file.mapping.to_saved(&file.table.headers);
        let catalog = context.catalog;
        self.notice = Some(match mapping_file::save(&self.mapping_path, &saved) {
            Ok(()) => Notice {
                ok: true,
                text: catalog.tf(
                    "import_screen.mapping_saved",
                    &[("path", &self.mapping_path.display())],
                ),
            },
            Err(error) => Notice {
                ok: false,
                text: report::mapping_error(catalog, &error),
            },
        });
    }

    fn next_preset(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        let position = Preset::ALL
            .iter()
            .position(|p| *p == self.preset)
            .unwrap_or(0);
        self.preset = Preset::ALL[(position + 1) % Preset::ALL.len()];
        if self.file.is_some() {
            self.read(context)?;
        }
        Ok(())
    }

    /// Second Enter: plans again against the database as it is now, and writes only if that
    /// plan is the one the user read.
    fn write(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        let shown = self.plan.clone();
        self.replan(context)?;
        let Some(plan) = self.plan.clone() else {
            return Ok(());
        };
        let catalog = context.catalog;
        if shown.as_ref() != Some(&plan) {
            self.step = ImportStep::Review;
            self.fail(catalog.t("import_screen.plan_changed").to_owned());
            return Ok(());
        }
        if plan.create.is_empty() {
            self.step = ImportStep::Review;
            self.fail(catalog.t("import.nothing_to_import").to_owned());
            return Ok(());
        }
        let outcome = context.store.import_members(&plan, &context.write)?;
        tracing::info!(
            members = outcome.members.len(),
            cards = outcome.cards.len(),
            "import written"
        );
        self.members_changed = true;
        self.step = ImportStep::Done;
        self.notice = Some(Notice {
            ok: true,
            text: catalog.tf(
                "import.committed",
                &[
                    ("members", &outcome.members.len()),
                    ("cards", &outcome.cards.len()),
                ],
            ),
        });
        self.replan(context)
    }

    /// Tells whether the mapping fills the first and last names, without which nothing imports.
    pub fn names_mapped(&self) -> bool {
        self.file.as_ref().is_some_and(|file| {
            file.mapping.column_of(Field::LastName).is_some()
                && file.mapping.column_of(Field::FirstName).is_some()
        })
    }
}

impl ScreenState for ImportState {
    fn takes_text(&self) -> bool {
        self.step == ImportStep::Path
    }

    fn insert(&mut self, c: char) {
        self.path.handle(InputRequest::InsertChar(c));
    }

    fn delete_back(&mut self) {
        self.path.handle(InputRequest::DeletePrevChar);
    }

    fn tab(&mut self, _forward: bool) {}

    fn navigate(&mut self, key: NavKey) {
        match self.step {
            ImportStep::Path => edit_cursor(&mut self.path, key),
            ImportStep::Review | ImportStep::Confirm | ImportStep::Done => {
                let columns = self.file.as_ref().map_or(0, |f| f.table.headers.len());
                match key {
                    NavKey::Right => self.change_field(true),
                    NavKey::Left => self.change_field(false),
                    NavKey::Up | NavKey::Down | NavKey::Home | NavKey::End => {
                        self.selected_column = moved(self.selected_column, columns, key);
                    }
                    NavKey::PageDown => self.scroll += PAGE,
                    NavKey::PageUp => self.scroll = self.scroll.saturating_sub(PAGE),
                    _ => {}
                }
            }
        }
    }

    fn cancel(&mut self) -> bool {
        match self.step {
            ImportStep::Path => self.leave = true,
            ImportStep::Confirm => self.step = ImportStep::Review,
            ImportStep::Review | ImportStep::Done => {
                self.step = ImportStep::Path;
                self.notice = None;
            }
        }
        true
    }

    fn submit(&mut self, context: &ScreenContext) -> Result<(), StoreError> {
        match self.step {
            ImportStep::Path => self.read(context),
            ImportStep::Review => {
                if !self.names_mapped() {
                    self.fail(context.catalog.t("import.refused_missing_field").to_owned());
                } else {
                    self.notice = None;
                    self.step = ImportStep::Confirm;
                }
                Ok(())
            }
            ImportStep::Confirm => self.write(context),
            ImportStep::Done => {
                self.step = ImportStep::Path;
                self.notice = None;
                Ok(())
            }
        }
    }

    fn command(&mut self, command: Command, context: &ScreenContext) -> Result<(), StoreError> {
        match command {
            Command::SaveMapping => self.save_mapping(context),
            Command::NextPreset => self.next_preset(context)?,
            _ => {}
        }
        Ok(())
    }
}

/// Reads a typed or pasted path: surrounding quotes, which terminals add when a file is
/// dropped on them, are removed, and a leading `~/` is the home folder.
fn typed_path(text: &str) -> PathBuf {
    let trimmed = text.trim();
    let unquoted = ['\'', '"']
        .iter()
        .find_map(|quote| {
            trimmed
                .strip_prefix(*quote)
                .and_then(|rest| rest.strip_suffix(*quote))
        })
        .unwrap_or(trimmed);
    match (unquoted.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(unquoted),
    }
}

fn plan_against(
    store: &crate::store::Store,
    file: &ReadFile,
    today: chrono::NaiveDate,
) -> Result<ImportPlan, StoreError> {
    let members: Vec<_> = store.members().collect::<Result<_, _>>()?;
    let card_types = store.card_types()?;
    Ok(import::plan_import(
        &file.rows,
        &file.problems,
        &members,
        &card_types,
        today,
    ))
}

/// Lines the dry run scrolls by with Page Up and Page Down.
const PAGE: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_paths_cleaned() {
        assert_eq!(typed_path("  a b.csv "), PathBuf::from("a b.csv"));
        assert_eq!(typed_path("'/tmp/a b.csv'"), PathBuf::from("/tmp/a b.csv"));
        assert_eq!(typed_path("\"/tmp/x.csv\""), PathBuf::from("/tmp/x.csv"));
        if let Some(home) = dirs::home_dir() {
            assert_eq!(typed_path("~/x.csv"), home.join("x.csv"));
        }
    }
}
