//! Reading and writing a saved column mapping (TOML).

use super::mapping::{Field, IGNORE, SavedMapping};
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum MappingFileError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is invalid: {detail}")]
    Invalid { path: String, detail: String },
    #[error("{path} maps {header:?} to {value:?}, which is not a field")]
    UnknownField {
        path: String,
        header: String,
        value: String,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Lists the values a saved mapping accepts, for messages.
pub fn accepted_values() -> String {
    let mut values: Vec<&str> = Field::ALL.iter().map(|field| field.code()).collect();
    values.push(IGNORE);
    values.join(", ")
}

/// Reads a saved mapping; `Ok(None)` when the file does not exist and `required` is false.
pub fn load(path: &Path, required: bool) -> Result<Option<SavedMapping>, MappingFileError> {
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if !required && error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None);
        }
        Err(source) => {
            return Err(MappingFileError::Read {
                path: shown,
                source,
            });
        }
    };
    let saved: SavedMapping = toml::from_str(&text).map_err(|error| MappingFileError::Invalid {
        path: shown.clone(),
        detail: error.message().to_owned(),
    })?;
    if let Some((header, value)) = saved.unknown_values().first() {
        return Err(MappingFileError::UnknownField {
            path: shown,
            header: (*header).to_owned(),
            value: (*value).to_owned(),
        });
    }
    Ok(Some(saved))
}

/// Writes a mapping, creating its folder if needed, readable by its owner only.
pub fn save(path: &Path, saved: &SavedMapping) -> Result<(), MappingFileError> {
    let write_error = |source| MappingFileError::Write {
        path: path.display().to_string(),
        source,
    };
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(write_error)?;
    }
    let text = format!(
        "# Column mapping for carnet import: header = field ({}).\n{}",
        accepted_values(),
        toml::to_string(saved).unwrap_or_default()
    );
    write_private(path, text.as_bytes()).map_err(write_error)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("sub").join("mapping.toml");
        let mut saved = SavedMapping::default();
        saved.columns.insert("Tél.".into(), "phone".into());
        saved.columns.insert("Ville".into(), "ignore".into());
        save(&path, &saved).unwrap();
        assert_eq!(load(&path, true).unwrap(), Some(saved));
    }

    #[test]
    fn missing_file_optional() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("none.toml");
        assert!(load(&path, false).unwrap().is_none());
        assert!(load(&path, true).is_err());
    }

    #[test]
    fn unknown_field_rejected() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("m.toml");
        std::fs::write(&path, "[columns]\nNom = \"surname\"\n").unwrap();
        let error = load(&path, true).unwrap_err();
        assert!(
            matches!(error, MappingFileError::UnknownField { value, .. } if value == "surname")
        );
    }
}
