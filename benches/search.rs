//! Member search at club scale: 100,000 synthetic members, queries typed one character at a
//! time, and the same names through `fzf --filter` as a whole process for comparison.
//!
//! Run with `cargo bench --bench search`. The members come from a fixed seed, so every run
//! searches the same club; the machine's load still moves the times from run to run.

// The search bench uses only the allocator settings from the check-in bench's helpers.
#[allow(dead_code)]
#[path = "checkin/setup.rs"]
mod setup;

use carnet::domain::{Category, Member, MemberCode, MemberId};
use carnet::search::{SearchIndex, SearchOptions, fold};
use chrono::{TimeZone, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MEMBERS: usize = 100_000;
const SEED: u64 = 0x00CA_72E7;
/// Query lengths reported, in characters.
const LENGTHS: [usize; 4] = [1, 3, 6, 12];
/// Each query is typed this many times, so that the percentiles rest on enough samples.
const ROUNDS: usize = 5;
/// Queries also run through fzf, which takes a tenth of a second or more per run.
const FZF_QUERIES: usize = 10;
const FZF_ROUNDS: usize = 2;

const FIRST_NAMES: &[&str] = &[
    "Marie",
    "Jean-Pierre",
    "Zoé",
    "Yann",
    "Lucas",
    "Léa",
    "Chloé",
    "Hugo",
    "Inès",
    "Mathéo",
    "Camille",
    "Noé",
    "Anaïs",
    "Gaël",
    "Hélène",
    "François",
    "Maëlys",
    "Raphaël",
    "Élodie",
    "Jérôme",
    "Agnès",
    "Loïc",
    "Océane",
    "Sébastien",
    "Thi Lan",
    "Wei",
    "Ana",
    "Ægir",
    "Fatima",
    "Mohamed",
    "Aïcha",
    "Karim",
    "Sofia",
    "Giulia",
    "João",
    "Björn",
    "Siobhán",
    "Nuno",
    "Paul",
    "Jeanne",
    "Marie-Hélène",
    "Anne-Sophie",
    "Louis",
    "Emma",
    "Gabriel",
    "Jules",
    "Arthur",
    "Louise",
    "Alice",
    "Lina",
    "Adam",
    "Nathan",
    "Sarah",
    "Thomas",
    "Nicolas",
    "Julie",
    "Pierre",
    "Isabelle",
    "Philippe",
    "Nathalie",
    "Sylvie",
    "Stéphane",
    "Frédéric",
    "Céline",
    "Aurélie",
    "Benoît",
    "Jérémy",
    "Clémence",
    "Mélanie",
    "Dorothée",
    "Noëlle",
    "Søren",
    "Łukasz",
    "Zoë",
    "Ángel",
    "José",
    "Müller",
    "Çağla",
    "Đorđe",
    "Nguyễn",
    "Oğuz",
];

const LAST_NAMES: &[&str] = &[
    "Dupont",
    "Martin",
    "Lefèvre",
    "Le Goff",
    "de La Fontaine",
    "d’Arc Lemaire",
    "Dupond",
    "Bernard",
    "Moreau",
    "Petit",
    "Durand",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dubois",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Faure",
    "André",
    "Mercier",
    "Blanc",
    "Guérin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "François",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clément",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Lemaire",
    "Noël",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
    "Blanchard",
    "Giraud",
    "Joly",
    "Rivière",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Martínez",
    "Gérard",
    "Roche",
    "Renard",
    "Schmitt",
    "Le Gall",
    "Kerjean",
    "N’Diaye",
    "Diallo",
    "Traoré",
    "Nguyễn",
    "Trần",
    "Ødegård",
    "Størmer",
    "Groß",
    "Schäfer",
    "Kowalski",
    "Wójcik",
    "Öztürk",
    "Çelik",
    "Rossi",
    "Esposito",
    "Fernández",
    "González",
    "Pérez",
    "O’Brien",
    "Mac Giolla",
    "Costa",
    "Sousa",
    "Gonçalves",
    "van der Berg",
    "de Smet",
    "Lefèbvre",
    "Béranger",
];

const DOMAINS: &[&str] = &["exemple.fr", "courriel.fr", "mail.test", "club.example"];

fn synthetic_members() -> Vec<Member> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let created_at = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    (0..MEMBERS)
        .map(|i| {
            let first = *FIRST_NAMES.choose(&mut rng).unwrap();
            let last = *LAST_NAMES.choose(&mut rng).unwrap();
            let email = rng.random_bool(0.7).then(|| {
                let local: String = format!("{} {}", fold(first), fold(last))
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
                    .collect();
                let suffix = rng.random_range(0..100);
                let domain = DOMAINS.choose(&mut rng).unwrap();
                format!("{local}{suffix}@{domain}")
            });
            let phone = rng.random_bool(0.8).then(|| {
                let digits: Vec<u32> = (0..8).map(|_| rng.random_range(0..10)).collect();
                let pairs: Vec<String> = digits
                    .chunks(2)
                    .map(|pair| format!("{}{}", pair[0], pair[1]))
                    .collect();
                let mobile = if rng.random_bool(0.5) { 6 } else { 7 };
                if rng.random_bool(0.1) {
                    format!("+33 {mobile} {}", pairs.join(" "))
                } else {
                    format!("0{mobile} {}", pairs.join(" "))
                }
            });
            Member {
                id: MemberId(i as u64 + 1),
                code: MemberCode::generate(&mut rng),
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                email,
                phone,
                birth_date: None,
                category: Category::Adult,
                notes: String::new(),
                created_at,
                archived: rng.random_bool(0.05),
                last_visit: None,
            }
        })
        .collect()
}

/// Returns the first `n` characters of `text`, or `None` when it is shorter.
fn chars_prefix(text: &str, n: usize) -> Option<String> {
    (text.chars().count() >= n).then(|| text.chars().take(n).collect())
}

/// Queries of 12 characters as a front desk types them: last then first name or the reverse,
/// with or without accents, phone numbers in groups, e-mail addresses.
fn queries(members: &[Member]) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 1);
    let mut out = Vec::new();
    let mut add = |rng: &mut ChaCha8Rng, make: &dyn Fn(&Member) -> Option<String>, count| {
        let mut added = 0;
        while added < count {
            let member = members.choose(rng).unwrap();
            if let Some(query) = make(member).and_then(|q| chars_prefix(&q, 12)) {
                out.push(query);
                added += 1;
            }
        }
    };
    add(
        &mut rng,
        &|m| Some(fold(&format!("{} {}", m.last_name, m.first_name))),
        12,
    );
    add(
        &mut rng,
        &|m| Some(fold(&format!("{} {}", m.first_name, m.last_name))),
        8,
    );
    add(
        &mut rng,
        &|m| Some(format!("{} {}", m.last_name, m.first_name).to_lowercase()),
        6,
    );
    add(&mut rng, &|m| m.phone.clone(), 6);
    add(&mut rng, &|m| m.email.clone(), 6);
    // A last name with its third letter changed, then the first name: what the typo tier is
    // for. Every keystroke from the misspelt letter on finds few members in the other tiers,
    // so each runs the typo scan over the whole club.
    add(
        &mut rng,
        &|m| {
            let mut last: Vec<char> = fold(&m.last_name).chars().collect();
            let third = last.get_mut(2)?;
            *third = if *third == 'x' { 'z' } else { 'x' };
            let last: String = last.into_iter().collect();
            Some(format!("{last} {}", fold(&m.first_name)))
        },
        6,
    );
    // Letters typed in order, skipping some: what the fuzzy tier is for.
    add(
        &mut rng,
        &|m| {
            let folded = fold(&format!("{}{}", m.first_name, m.last_name));
            Some(
                folded
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .step_by(2)
                    .collect(),
            )
        },
        2,
    );
    out
}

#[derive(Default, Clone, Copy)]
struct Stats {
    median: Duration,
    p95: Duration,
    p99: Duration,
    max: Duration,
    samples: usize,
}

fn stats(samples: &mut [Duration]) -> Stats {
    samples.sort_unstable();
    let at = |q: f64| {
        let rank = (q * samples.len() as f64).ceil() as usize;
        samples[rank.clamp(1, samples.len()) - 1]
    };
    Stats {
        median: at(0.5),
        p95: at(0.95),
        p99: at(0.99),
        max: *samples.last().unwrap(),
        samples: samples.len(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

/// Returns the system's load averages, since other processes on a shared machine move every
/// figure.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        },
    )
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Types every query one character at a time and times each keystroke, by query length.
fn time_typing(
    index: &SearchIndex,
    queries: &[String],
    slowest: &mut Vec<(Duration, String)>,
) -> Vec<Vec<Duration>> {
    let mut by_length = vec![Vec::new(); 13];
    let options = SearchOptions::default();
    for _ in 0..ROUNDS {
        for query in queries {
            // The user clears the field before typing the next member.
            index.search("", options);
            let mut typed = String::new();
            for c in query.chars() {
                typed.push(c);
                let start = Instant::now();
                let hits = index.search(&typed, options);
                let elapsed = start.elapsed();
                std::hint::black_box(hits);
                by_length[typed.chars().count()].push(elapsed);
                slowest.push((elapsed, typed.clone()));
            }
        }
    }
    by_length
}

/// Median time of an upsert that renames an existing member, of an upsert that adds one, and
/// of a removal, on an index of all the members.
fn time_changes(members: &[Member]) -> [Duration; 3] {
    const CHANGES: usize = 300;
    let mut index = SearchIndex::new(members);
    let mut rng = ChaCha8Rng::seed_from_u64(SEED + 2);
    let median = |times: &mut Vec<Duration>| {
        times.sort_unstable();
        times[times.len() / 2]
    };
    let mut renamed = Vec::new();
    for _ in 0..CHANGES {
        let mut member = members.choose(&mut rng).unwrap().clone();
        member.last_name = LAST_NAMES.choose(&mut rng).unwrap().to_string();
        let start = Instant::now();
        index.upsert(&member);
        renamed.push(start.elapsed());
    }
    let mut added = Vec::new();
    for i in 0..CHANGES {
        let mut member = members.choose(&mut rng).unwrap().clone();
        member.id = MemberId((MEMBERS + 1 + i) as u64);
        let start = Instant::now();
        index.upsert(&member);
        added.push(start.elapsed());
    }
    let mut removed = Vec::new();
    for _ in 0..CHANGES {
        let id = members.choose(&mut rng).unwrap().id;
        let start = Instant::now();
        index.remove(id);
        removed.push(start.elapsed());
    }
    [
        median(&mut renamed),
        median(&mut added),
        median(&mut removed),
    ]
}

fn fzf_available() -> bool {
    Command::new("fzf")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `fzf --filter` over the members' lines, one whole process per query.
fn time_fzf(members: &[Member], queries: &[String]) -> std::io::Result<Vec<Vec<Duration>>> {
    let mut lines = tempfile::NamedTempFile::new()?;
    {
        let mut out = std::io::BufWriter::new(lines.as_file_mut());
        for m in members {
            writeln!(
                out,
                "{} {} {} {} {}",
                m.first_name,
                m.last_name,
                m.code,
                m.phone.as_deref().unwrap_or(""),
                m.email.as_deref().unwrap_or("")
            )?;
        }
    }
    let mut by_length = vec![Vec::new(); 13];
    for _ in 0..FZF_ROUNDS {
        for query in queries.iter().take(FZF_QUERIES) {
            for &length in &LENGTHS {
                let Some(prefix) = chars_prefix(query, length) else {
                    continue;
                };
                let input = std::fs::File::open(lines.path())?;
                let start = Instant::now();
                let status = Command::new("fzf")
                    .arg("--filter")
                    .arg(&prefix)
                    .stdin(input)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()?;
                let elapsed = start.elapsed();
                // Exit status 1 only means nothing matched.
                if status.code().is_some_and(|code| code <= 1) {
                    by_length[length].push(elapsed);
                }
            }
        }
    }
    Ok(by_length)
}

fn main() {
    setup::tune_allocator_as_the_app_does();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let members = synthetic_members();
    let accented = members.iter().filter(|m| !m.full_name().is_ascii()).count();
    println!(
        "{} members ({:.0}% with non-ASCII letters), {} hardware threads, load average {}",
        members.len(),
        100.0 * accented as f64 / members.len() as f64,
        threads,
        load_average()
    );

    let rss_before = rss_kib();
    let start = Instant::now();
    let index = SearchIndex::new(&members);
    let build = start.elapsed();
    let rss_after = rss_kib();
    println!(
        "index built in {} ms; heap estimate {:.1} MiB; resident memory grew by {}",
        ms(build),
        index.heap_bytes() as f64 / (1024.0 * 1024.0),
        match (rss_before, rss_after) {
            (Some(before), Some(after)) =>
                format!("{:.1} MiB", after.saturating_sub(before) as f64 / 1024.0),
            _ => "an unknown amount".to_owned(),
        }
    );

    let queries = queries(&members);
    // One untimed pass warms the caches and the allocator.
    time_typing(&index, &queries[..4], &mut Vec::new());
    let mut slowest = Vec::new();
    let mut carnet = time_typing(&index, &queries, &mut slowest);

    let found = queries
        .iter()
        .filter(|q| !index.search(q, SearchOptions::default()).is_empty())
        .count();
    println!(
        "{} queries of 12 characters, each typed {} times; {} of them still match at 12 characters",
        queries.len(),
        ROUNDS,
        found
    );

    let mut fzf = if fzf_available() {
        match time_fzf(&members, &queries) {
            Ok(times) => Some(times),
            Err(error) => {
                println!("fzf could not be run ({error}); the comparison is left out");
                None
            }
        }
    } else {
        println!("fzf is not installed; the comparison is left out");
        None
    };

    println!();
    println!(
        "| query length | Carnet median ms | p95 ms | p99 ms | max ms | samples | fzf --filter median ms | fzf p95 ms | fzf runs | fzf median / Carnet median |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for &length in &LENGTHS {
        let ours = stats(&mut carnet[length]);
        let (fzf_median, fzf_p95, fzf_runs, ratio) = match fzf.as_mut() {
            Some(times) if !times[length].is_empty() => {
                let theirs = stats(&mut times[length]);
                (
                    ms(theirs.median),
                    ms(theirs.p95),
                    theirs.samples.to_string(),
                    format!(
                        "{:.0}×",
                        theirs.median.as_secs_f64() / ours.median.as_secs_f64()
                    ),
                )
            }
            _ => ("-".into(), "-".into(), "0".into(), "-".into()),
        };
        println!(
            "| {length} | {} | {} | {} | {} | {} | {fzf_median} | {fzf_p95} | {fzf_runs} | {ratio} |",
            ms(ours.median),
            ms(ours.p95),
            ms(ours.p99),
            ms(ours.max),
            ours.samples,
        );
    }

    println!(
        "heap estimate after typing, with the buffers kept between keystrokes: {:.1} MiB",
        index.heap_bytes() as f64 / (1024.0 * 1024.0)
    );
    let changes = time_changes(&members);
    println!();
    println!(
        "keeping the index in step: upsert of an existing member median {} ms, of a new member {} ms, remove {} ms",
        ms(changes[0]),
        ms(changes[1]),
        ms(changes[2])
    );

    println!("load average at the end: {}", load_average());
    let mut every: Vec<Duration> = carnet.iter().flatten().copied().collect();
    let all = stats(&mut every);
    println!();
    println!(
        "every keystroke (lengths 1 to 12, {} samples): median {} ms, p95 {} ms, p99 {} ms, max {} ms",
        all.samples,
        ms(all.median),
        ms(all.p95),
        ms(all.p99),
        ms(all.max)
    );
    print!("p95 by length:");
    for (length, times) in carnet.iter_mut().enumerate().skip(1) {
        if !times.is_empty() {
            print!(" {length}: {}", ms(stats(times).p95));
        }
    }
    println!();
    slowest.sort_unstable_by(|a, b| b.cmp(a));
    slowest.dedup_by(|a, b| a.1 == b.1);
    print!("slowest keystrokes:");
    for (time, typed) in slowest.iter().take(12) {
        print!(" {typed:?} {} ms;", ms(*time));
    }
    println!();
}
