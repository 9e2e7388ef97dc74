//! Logs go to a file in the user's data folder, never to the screen. `CARNET_LOG` sets the
//! filter (default `info`). Logs carry ids, not members' names.

use std::fs::OpenOptions;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::PathBuf;
use std::sync::Mutex;
use tracing_subscriber::EnvFilter;

/// Starts logging to `carnet.log` and returns its path. Returns `None` when no file could be
/// opened, and the app then runs without a log rather than writing over the screen.
pub fn init() -> Option<PathBuf> {
    let folder = dirs::data_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("carnet");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&folder)
        .ok()?;
    let path = folder.join("carnet.log");
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&path)
        .ok()?;
    let filter = EnvFilter::try_from_env("CARNET_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(path)
}
