//! The benchmark's databases: the demo club made by `carnet demo` (or reused), its copy for the
//! run, and their sizes.

use anyhow::{Context, Result, bail};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub const MEMBERS: usize = 100_000;
pub const CARDS: usize = 200_000;
pub const EVENTS: usize = 2_000_000;
pub const SEED: u64 = 1;

/// Sets glibc's thresholds and arenas as src/main.rs does at the app's start, so that a bench measures
/// with the same allocator settings as the app; `CARNET_BENCH_GLIBC_DEFAULTS=1`
/// leaves glibc's own, to compare.
pub fn tune_allocator_as_the_app_does() {
    if std::env::var_os("CARNET_BENCH_GLIBC_DEFAULTS").is_some() {
        eprintln!("glibc's allocation thresholds left as glibc sets them");
        return;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes glibc's settings, under glibc's own lock.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Figures of the `carnet demo` run that made the club.
#[derive(Debug, Clone)]
pub struct DemoRun {
    pub seconds: f64,
    /// Peak resident set size from `/usr/bin/time -v`, when that tool exists.
    pub peak_rss_kib: Option<u64>,
    /// Output of `carnet demo`: the counts it wrote.
    pub output: String,
}

/// Makes the demo club at `path` with the `carnet` binary, under `/usr/bin/time -v` when
/// present, and records the figures beside the database for later runs that reuse it.
pub fn make_demo(path: &Path, scratch: &Path) -> Result<DemoRun> {
    let config = scratch.join("empty-config.toml");
    std::fs::write(&config, "")?;
    let carnet = env!("CARGO_BIN_EXE_carnet");
    let time = Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut command = Command::new(time);
        command.arg("-v").arg(carnet);
        command
    } else {
        Command::new(carnet)
    };
    command
        .arg("--config")
        .arg(&config)
        .arg("--db")
        .arg(path)
        .args(["demo", "--members", &MEMBERS.to_string()])
        .args(["--cards", &CARDS.to_string()])
        .args(["--events", &EVENTS.to_string()])
        .args(["--seed", &SEED.to_string()]);

    let started = Instant::now();
    let output = command.output().context("running carnet demo")?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("carnet demo failed ({}): {stderr}", output.status);
    }
    let run = DemoRun {
        seconds,
        peak_rss_kib: parse_peak_rss(&stderr),
        output: String::from_utf8_lossy(&output.stdout).trim().to_owned(),
    };
    std::fs::write(stats_path(path), format_stats(&run))?;
    Ok(run)
}

/// Reads the figures recorded when the reused database was made.
pub fn recorded_demo(path: &Path) -> Option<DemoRun> {
    let text = std::fs::read_to_string(stats_path(path)).ok()?;
    let mut run = DemoRun {
        seconds: f64::NAN,
        peak_rss_kib: None,
        output: String::new(),
    };
    for line in text.lines() {
        match line.split_once('=') {
            Some(("seconds", value)) => run.seconds = value.parse().ok()?,
            Some(("peak_rss_kib", value)) => run.peak_rss_kib = value.parse().ok(),
            Some(("output", value)) => run.output = value.to_owned(),
            _ => {}
        }
    }
    Some(run)
}

fn stats_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".demo-run");
    PathBuf::from(name)
}

fn format_stats(run: &DemoRun) -> String {
    let rss = run.peak_rss_kib.map(|k| k.to_string()).unwrap_or_default();
    format!(
        "seconds={}\npeak_rss_kib={rss}\noutput={}\n",
        run.seconds, run.output
    )
}

fn parse_peak_rss(time_report: &str) -> Option<u64> {
    time_report
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("Maximum resident set size (kbytes):")
        })
        .and_then(|value| value.trim().parse().ok())
}

/// Copies every file of a database folder, so that a run never changes the database it reuses.
pub fn copy_folder(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_folder(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Bytes allocated on disk for a file or every file under a folder, as `du` counts them.
pub fn disk_usage(path: &Path) -> Result<u64> {
    let metadata = std::fs::symlink_metadata(path)?;
    if !metadata.is_dir() {
        return Ok(metadata.blocks() * 512);
    }
    let mut total = 0;
    for entry in std::fs::read_dir(path)? {
        total += disk_usage(&entry?.path())?;
    }
    Ok(total)
}

/// Returns whether `path` contains a database made earlier: a sled folder with its `db` and
/// `conf` files.
pub fn has_database(path: &Path) -> bool {
    path.join("db").is_file() && path.join("conf").is_file()
}
