//! config.toml: what each section sets, its defaults, and the settings resolved from it.
//!
//! Unknown keys are rejected so that a misspelt key is reported instead of silently ignored.

use crate::domain::ClubTime;
use crate::domain::overview::Thresholds;
use crate::domain::scan::ScannerRules;
use crate::i18n::Language;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub club: ClubSection,
    pub database: DatabaseSection,
    pub ui: UiSection,
    pub checkin: CheckInSection,
    pub scanner: ScannerRules,
    pub station: StationSection,
    pub print: PrintSection,
    pub overview: OverviewSection,
    pub export: ExportSection,
    pub inform: InformSection,
    pub backup: BackupSection,
    pub import: ImportSection,
}

/// Thresholds of the Practice › Session cards filters and of the members to inform.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OverviewSection {
    pub expiring_days: u32,
    pub low_sessions: u32,
    pub dormant_days: u32,
}

impl Default for OverviewSection {
    fn default() -> Self {
        let defaults = Thresholds::default();
        Self {
            expiring_days: defaults.expiring_days,
            low_sessions: defaults.low_sessions,
            dormant_days: defaults.dormant_days,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportSection {
    /// Folder for the CSV files and e-mails the screens write; relative paths start from the
    /// config file's folder. Default: a `carnet-exports` folder in the user's documents.
    pub folder: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InformSection {
    /// The club's address, written as the sender of the e-mails to members.
    pub from: String,
    /// Folder with the club's own `inform.fr.txt` and `inform.en.txt`; the templates in
    /// assets/email are used when absent.
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackupSection {
    /// Folder for the app's backups; relative paths start from the config file's folder.
    /// Default: a `backups` folder beside the database folder.
    pub folder: Option<PathBuf>,
    /// Daily backups kept in the folder; older ones are deleted. 0 turns daily backups off.
    pub keep: u32,
}

impl Default for BackupSection {
    fn default() -> Self {
        Self {
            folder: None,
            keep: 7,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportSection {
    /// File where the Import screen saves the column mapping; relative paths start from the
    /// config file's folder. Default: import-mapping.toml in the user's carnet config folder.
    pub mapping: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrintSection {
    /// Folder for printable membership cards; relative paths start from the config file's
    /// folder. Default: a `carnet-cards` folder in the user's documents.
    pub folder: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[derive(Default)]
pub struct ClubSection {
    /// Shown in the header; empty shows nothing.
    pub name: String,
    /// IANA time zone name, such as "Europe/Paris"; the system's when absent.
    pub timezone: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSection {
    /// Database folder; relative paths start from the config file's folder.
    pub path: Option<PathBuf>,
    /// sled's page cache, in MiB.
    pub cache_mb: u64,
}

impl Default for DatabaseSection {
    fn default() -> Self {
        Self {
            path: None,
            // 12 held 9 MB more at Session cards (141 against 132 MB), for 4 µs gained per
            // check-in on a disk that syncs in 0.13 ms (BENCHMARKS.md).
            cache_mb: 8,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiSection {
    /// "fr" or "en"; from LANG when absent.
    pub language: Option<Language>,
    /// Ring the terminal bell when a check-in is refused.
    pub bell_on_refusal: bool,
}

impl Default for UiSection {
    fn default() -> Self {
        Self {
            language: None,
            bell_on_refusal: true,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckInSection {
    /// A second scan of the same member within this many minutes deducts nothing.
    pub repeat_guard_minutes: u32,
}

impl Default for CheckInSection {
    fn default() -> Self {
        Self {
            repeat_guard_minutes: 10,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StationSection {
    /// Name written on every ledger event made here.
    pub operator: String,
    pub terminal: String,
}

impl Default for StationSection {
    fn default() -> Self {
        Self {
            operator: "front-desk".to_owned(),
            terminal: "desk-1".to_owned(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is invalid: {detail}")]
    Invalid { path: PathBuf, detail: String },
    #[error("{path}: {key} = {value:?} is invalid: {expected}")]
    BadValue {
        path: PathBuf,
        key: &'static str,
        value: String,
        expected: Expected,
    },
    #[error("no folder for the database: set database.path in config.toml or pass --db")]
    NoDataFolder,
}

/// The kind of value that a configuration key expects, named in the error about a wrong one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    TimeZone,
    CacheMb,
    KeyGapMs,
    RepeatGuardMinutes,
    Days,
    Sessions,
    Backups,
}

impl Expected {
    /// Returns the catalog key of the text that describes the value expected.
    pub fn key(self) -> &'static str {
        match self {
            Expected::TimeZone => "error.expected_time_zone",
            Expected::CacheMb => "error.expected_cache_mb",
            Expected::KeyGapMs => "error.expected_key_gap_ms",
            Expected::RepeatGuardMinutes => "error.expected_repeat_guard_minutes",
            Expected::Days => "error.expected_days",
            Expected::Sessions => "error.expected_sessions",
            Expected::Backups => "error.expected_backups",
        }
    }
}

/// The English text, for logs.
impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Expected::TimeZone => "an IANA time zone name such as \"Europe/Paris\"",
            Expected::CacheMb => "a size in MiB from 8 to 4096",
            Expected::KeyGapMs => "a number of milliseconds from 5 to 500",
            Expected::RepeatGuardMinutes => "a number of minutes from 0 to 1440",
            Expected::Days => "a number of days from 0 to 3650",
            Expected::Sessions => "a number of sessions from 0 to 1000",
            Expected::Backups => "a number of backups from 0 to 1000",
        })
    }
}

/// Everything the application needs from config.toml, checked and resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    pub club_name: String,
    pub club_time: ClubTime,
    pub database: PathBuf,
    pub cache_bytes: u64,
    pub language: Language,
    pub bell_on_refusal: bool,
    pub repeat_guard: chrono::Duration,
    pub scanner: ScannerRules,
    pub operator: String,
    pub terminal: String,
    /// Folder where the Members screen writes printable cards.
    pub print_folder: PathBuf,
    pub thresholds: Thresholds,
    /// Folder where screens write CSV exports and e-mails.
    pub export_folder: PathBuf,
    pub inform_from: String,
    pub inform_templates: Option<PathBuf>,
    /// Folder for backups from the app, when config.toml sets one; see [`Settings::backup_folder`].
    pub backup_folder: Option<PathBuf>,
    /// Daily backups kept; 0 turns them off.
    pub backup_keep: u32,
    /// File where the Import screen saves the column mapping it was given.
    pub import_mapping: PathBuf,
    /// The config file read, if any.
    pub source: Option<PathBuf>,
}

impl Settings {
    /// Returns the folder for the app's backups: the configured one, or `backups` beside the
    /// database folder (which `--db` may have changed after loading).
    pub fn backup_folder(&self) -> PathBuf {
        match &self.backup_folder {
            Some(folder) => folder.clone(),
            None => self
                .database
                .parent()
                .map_or_else(|| PathBuf::from("backups"), |parent| parent.join("backups")),
        }
    }

    /// Loads `explicit`, or else the first of `./config.toml` and the user's
    /// `carnet/config.toml` that exists, or else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Settings, ConfigError> {
        let path = match explicit {
            Some(path) => Some(path.to_owned()),
            None => default_config_locations()
                .into_iter()
                .find(|path| path.is_file()),
        };
        let config = match &path {
            Some(path) => parse_file(path)?,
            None => Config::default(),
        };
        resolve(config, path)
    }
}

fn default_config_locations() -> Vec<PathBuf> {
    let mut locations = vec![PathBuf::from("config.toml")];
    if let Some(folder) = dirs::config_dir() {
        locations.push(folder.join("carnet").join("config.toml"));
    }
    locations
}

fn parse_file(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|error| ConfigError::Invalid {
        path: path.to_owned(),
        detail: error.to_string(),
    })
}

/// Checks values that serde cannot, and fills in what depends on the machine.
pub fn resolve(config: Config, source: Option<PathBuf>) -> Result<Settings, ConfigError> {
    let shown_path = source
        .clone()
        .unwrap_or_else(|| PathBuf::from("config.toml"));
    let zone = match &config.club.timezone {
        Some(name) => name
            .parse::<chrono_tz::Tz>()
            .map_err(|_| ConfigError::BadValue {
                path: shown_path.clone(),
                key: "club.timezone",
                value: name.clone(),
                expected: Expected::TimeZone,
            })?,
        None => system_time_zone(),
    };
    if !(8..=4096).contains(&config.database.cache_mb) {
        return Err(ConfigError::BadValue {
            path: shown_path.clone(),
            key: "database.cache_mb",
            value: config.database.cache_mb.to_string(),
            expected: Expected::CacheMb,
        });
    }
    if !(5..=500).contains(&config.scanner.max_key_gap_ms) {
        return Err(ConfigError::BadValue {
            path: shown_path.clone(),
            key: "scanner.max_key_gap_ms",
            value: config.scanner.max_key_gap_ms.to_string(),
            expected: Expected::KeyGapMs,
        });
    }
    if config.checkin.repeat_guard_minutes > 24 * 60 {
        return Err(ConfigError::BadValue {
            path: shown_path.clone(),
            key: "checkin.repeat_guard_minutes",
            value: config.checkin.repeat_guard_minutes.to_string(),
            expected: Expected::RepeatGuardMinutes,
        });
    }

    let overview = &config.overview;
    for (key, value, limit, expected) in [
        (
            "overview.expiring_days",
            overview.expiring_days,
            3650,
            Expected::Days,
        ),
        (
            "overview.low_sessions",
            overview.low_sessions,
            1000,
            Expected::Sessions,
        ),
        (
            "overview.dormant_days",
            overview.dormant_days,
            3650,
            Expected::Days,
        ),
    ] {
        if value > limit {
            return Err(ConfigError::BadValue {
                path: shown_path.clone(),
                key,
                value: value.to_string(),
                expected,
            });
        }
    }

    let base = source
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_owned)
        .unwrap_or_default();
    let database = match config.database.path {
        Some(path) if path.is_absolute() => path,
        Some(path) => base.join(path),
        None => dirs::data_dir()
            .ok_or(ConfigError::NoDataFolder)?
            .join("carnet")
            .join("db"),
    };

    let print_folder = match config.print.folder {
        Some(path) if path.is_absolute() => path,
        Some(path) => base.join(path),
        None => dirs::document_dir()
            .or_else(dirs::home_dir)
            .unwrap_or_else(std::env::temp_dir)
            .join("carnet-cards"),
    };
    let from_base = |path: PathBuf| {
        if path.is_absolute() {
            path
        } else {
            base.join(path)
        }
    };
    let export_folder = match config.export.folder {
        Some(path) => from_base(path),
        None => dirs::document_dir()
            .or_else(dirs::home_dir)
            .unwrap_or_else(std::env::temp_dir)
            .join("carnet-exports"),
    };

    let backup_folder = config.backup.folder.map(|path| {
        if path.is_absolute() {
            path
        } else {
            base.join(path)
        }
    });
    if config.backup.keep > 1000 {
        return Err(ConfigError::BadValue {
            path: shown_path.clone(),
            key: "backup.keep",
            value: config.backup.keep.to_string(),
            expected: Expected::Backups,
        });
    }

    let import_mapping = match config.import.mapping {
        Some(path) if path.is_absolute() => path,
        Some(path) => base.join(path),
        None => dirs::config_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("carnet")
            .join("import-mapping.toml"),
    };

    Ok(Settings {
        club_name: config.club.name,
        club_time: ClubTime::new(zone),
        database,
        cache_bytes: config.database.cache_mb * 1024 * 1024,
        language: config
            .ui
            .language
            .unwrap_or_else(Language::from_environment),
        bell_on_refusal: config.ui.bell_on_refusal,
        repeat_guard: chrono::Duration::minutes(i64::from(config.checkin.repeat_guard_minutes)),
        scanner: config.scanner,
        operator: config.station.operator,
        terminal: config.station.terminal,
        print_folder,
        thresholds: Thresholds {
            expiring_days: config.overview.expiring_days,
            low_sessions: config.overview.low_sessions,
            dormant_days: config.overview.dormant_days,
        },
        export_folder,
        inform_from: config.inform.from,
        inform_templates: config.inform.templates.map(from_base),
        backup_folder,
        backup_keep: config.backup.keep,
        import_mapping,
        source,
    })
}

/// Returns the system's time zone, or UTC when the system does not name one.
fn system_time_zone() -> chrono_tz::Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|error| ConfigError::Invalid {
            path: "config.toml".into(),
            detail: error.to_string(),
        })?;
        resolve(config, Some(PathBuf::from("/club/config.toml")))
    }

    #[test]
    fn shipped_config_is_valid() {
        let settings = parse(include_str!("../config.toml")).unwrap();
        assert_eq!(settings.club_time.zone, chrono_tz::Europe::Paris);
    }

    #[test]
    fn unknown_key_is_rejected_by_name() {
        let error = parse("[checkin]\nrepeat_guard = 5\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("repeat_guard"), "{error}");
    }

    #[test]
    fn bad_time_zone_names_value() {
        let error = parse("[club]\ntimezone = \"Europe/Pariss\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("club.timezone"), "{error}");
        assert!(error.contains("Europe/Pariss"), "{error}");
    }

    #[test]
    fn bad_language_is_rejected() {
        let error = parse("[ui]\nlanguage = \"de\"\n").unwrap_err().to_string();
        assert!(error.contains("de"), "{error}");
    }

    #[test]
    fn relative_database_path_from_config_folder() {
        let settings = parse("[database]\npath = \"data\"\n").unwrap();
        assert_eq!(settings.database, PathBuf::from("/club/data"));
    }

    #[test]
    fn backup_section() {
        let settings = parse("[backup]\nfolder = \"saves\"\nkeep = 3\n").unwrap();
        assert_eq!(settings.backup_folder(), PathBuf::from("/club/saves"));
        assert_eq!(settings.backup_keep, 3);
        let default = parse("[database]\npath = \"/data/club/db\"\n").unwrap();
        assert_eq!(default.backup_folder(), PathBuf::from("/data/club/backups"));
        let error = parse("[backup]\nkeep = 5000\n").unwrap_err().to_string();
        assert!(error.contains("backup.keep"), "{error}");
    }

    #[test]
    fn cache_size_bounds() {
        assert!(parse("[database]\ncache_mb = 2\n").is_err());
        assert_eq!(
            parse("[database]\ncache_mb = 32\n").unwrap().cache_bytes,
            32 << 20
        );
    }
}
