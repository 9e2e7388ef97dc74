//! The backup folder: dated backup files, the daily backup the app takes when it starts or
//! runs past midnight, and the deletion of all but the newest `backup.keep` files.

use crate::config::Settings;
use crate::i18n::Catalog;
use crate::store::Store;
use crate::store::backup::BackupError;
use chrono::{DateTime, NaiveDateTime, Utc};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Extension of backup files, in their names only; the content is recognised by its magic.
pub const BACKUP_EXTENSION: &str = "carnetbak";
const NAME_PREFIX: &str = "carnet-";
/// UTC time with a `Z`, so names sort by time and read the same in every time zone.
const STAMP_FORMAT: &str = "%Y%m%d-%H%M%SZ";

/// Returns the file name of a backup taken at `now`: `carnet-YYYYMMDD-HHMMSSZ.carnetbak`.
pub fn backup_file_name(now: DateTime<Utc>) -> String {
    format!(
        "{NAME_PREFIX}{}.{BACKUP_EXTENSION}",
        now.format(STAMP_FORMAT)
    )
}

/// Reads the time of a backup from a name made by [`backup_file_name`].
fn time_of_name(name: &str) -> Option<DateTime<Utc>> {
    let stamp = name
        .strip_prefix(NAME_PREFIX)?
        .strip_suffix(BACKUP_EXTENSION)?
        .strip_suffix('.')?;
    let time = NaiveDateTime::parse_from_str(stamp, STAMP_FORMAT).ok()?;
    Some(time.and_utc())
}

/// Lists the dated backups in `folder`, oldest first. A missing folder has none.
pub fn dated_backups(folder: &Path) -> Vec<(DateTime<Utc>, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut backups: Vec<(DateTime<Utc>, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let time = time_of_name(&entry.file_name().to_string_lossy())?;
            Some((time, entry.path()))
        })
        .collect();
    backups.sort();
    backups
}

/// Writes a dated backup into `folder`, created for the owner only if missing.
pub fn take_backup(
    store: &Store,
    folder: &Path,
    now: DateTime<Utc>,
) -> Result<PathBuf, BackupError> {
    let io_error = |source| BackupError::Io {
        path: folder.to_owned(),
        source,
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)
        .map_err(io_error)?;
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700)).map_err(io_error)?;
    let mut path = folder.join(backup_file_name(now));
    // Two backups in the same second: wait for the next name rather than fail.
    let mut at = now;
    while path.exists() {
        at += chrono::Duration::seconds(1);
        path = folder.join(backup_file_name(at));
    }
    store.backup_to(&path, now)?;
    Ok(path)
}

/// Deletes the oldest dated backups in `folder` so that `keep` remain; returns those deleted.
pub fn prune(folder: &Path, keep: usize) -> Vec<PathBuf> {
    let backups = dated_backups(folder);
    let excess = backups.len().saturating_sub(keep);
    let mut deleted = Vec::new();
    for (_, path) in backups.into_iter().take(excess) {
        match std::fs::remove_file(&path) {
            Ok(()) => deleted.push(path),
            Err(error) => tracing::warn!(%error, "deleting an old backup failed"),
        }
    }
    deleted
}

/// What the daily backup did when the app started or the day changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DailyBackup {
    /// A backup was written to this file.
    Taken(PathBuf),
    /// A backup younger than a day exists already.
    Recent,
    /// Daily backups are off, or failed; the newest backup, if any, is more than a day old.
    Stale {
        last: Option<DateTime<Utc>>,
        /// The error, already in the user's language, when a backup was attempted.
        error: Option<String>,
    },
}

/// Takes the daily backup when the newest one is more than a day old and `backup.keep` is
/// above 0, then deletes the oldest beyond `keep`.
pub fn daily_backup(
    store: &Store,
    settings: &Settings,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> DailyBackup {
    let folder = settings.backup_folder();
    let last = dated_backups(&folder).last().map(|(time, _)| *time);
    if last.is_some_and(|time| now - time < chrono::Duration::days(1)) {
        return DailyBackup::Recent;
    }
    if settings.backup_keep == 0 {
        return DailyBackup::Stale { last, error: None };
    }
    match take_backup(store, &folder, now) {
        Ok(path) => {
            prune(&folder, settings.backup_keep as usize);
            tracing::info!("daily backup written");
            DailyBackup::Taken(path)
        }
        Err(error) => {
            tracing::error!(%error, "daily backup failed");
            DailyBackup::Stale {
                last,
                error: Some(backup_error(catalog, &error)),
            }
        }
    }
}

/// Puts a backup error into the user's language.
pub fn backup_error(catalog: &Catalog, error: &BackupError) -> String {
    match error {
        BackupError::Foreign { path } => {
            catalog.tf("data.backup_foreign", &[("path", &path.display())])
        }
        BackupError::TooNew { path, found } => catalog.tf(
            "data.backup_too_new",
            &[("path", &path.display()), ("found", found)],
        ),
        BackupError::Truncated { path } => {
            catalog.tf("data.backup_truncated", &[("path", &path.display())])
        }
        BackupError::Damaged { path, detail } => catalog.tf(
            "data.backup_damaged",
            &[("path", &path.display()), ("detail", detail)],
        ),
        BackupError::Io { path, source } => {
            if source.kind() == std::io::ErrorKind::StorageFull {
                crate::messages::io_error(catalog, path, source)
            } else {
                catalog.tf(
                    "data.write_failed",
                    &[("path", &path.display()), ("detail", source)],
                )
            }
        }
        BackupError::Store(error) => crate::messages::store_error(catalog, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_round_trip() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let name = backup_file_name(now);
        assert_eq!(name, "carnet-20270115-080000Z.carnetbak");
        assert_eq!(time_of_name(&name), Some(now));
    }

    #[test]
    fn other_names_are_ignored() {
        assert_eq!(time_of_name("carnet-2027.carnetbak"), None);
        assert_eq!(time_of_name("notes.txt"), None);
        assert_eq!(
            time_of_name("carnet-20270115-080000Z.carnetbak.partial-12"),
            None
        );
        assert_eq!(time_of_name("carnet-20270115-080000.carnetbak"), None);
    }
}
