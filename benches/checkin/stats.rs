//! Percentiles of latency samples and the markdown tables that report them.

use std::fmt::Write as _;
use std::time::Duration;

/// Median, tail percentiles and maximum of one variant, in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub samples: usize,
    pub median: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl Summary {
    pub fn of(samples: &[Duration]) -> Summary {
        let mut millis: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        millis.sort_by(f64::total_cmp);
        Summary {
            samples: millis.len(),
            median: percentile(&millis, 50.0),
            p95: percentile(&millis, 95.0),
            p99: percentile(&millis, 99.0),
            max: millis.last().copied().unwrap_or(f64::NAN),
        }
    }
}

/// Nearest-rank percentile of sorted values: the smallest value with at least `p`% of the
/// values at or below it.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// One row of the latency table.
pub struct Row<'a> {
    pub label: &'a str,
    pub summary: Summary,
}

pub fn latency_table(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str("| operation | samples | median | p95 | p99 | max |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|\n");
    for row in rows {
        let s = row.summary;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            row.label,
            s.samples,
            ms(s.median),
            ms(s.p95),
            ms(s.p99),
            ms(s.max)
        );
    }
    out
}

/// One ratio and the limit it is held to, if any.
pub struct Ratio<'a> {
    pub label: &'a str,
    pub value: f64,
    pub limit: Option<f64>,
}

pub fn ratio_table(ratios: &[Ratio]) -> String {
    let mut out = String::new();
    out.push_str("| ratio | measured | target | met |\n");
    out.push_str("|---|---:|---:|---|\n");
    for ratio in ratios {
        let (target, met) = match ratio.limit {
            Some(limit) if ratio.value <= limit => (format!("≤ {limit}×"), "yes"),
            Some(limit) => (format!("≤ {limit}×"), "no"),
            None => ("none".to_owned(), "—"),
        };
        let _ = writeln!(
            out,
            "| {} | {:.2}× | {target} | {met} |",
            ratio.label, ratio.value
        );
    }
    out
}

pub fn ms(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.3} ms")
    } else {
        format!("{value:.1} ms")
    }
}
