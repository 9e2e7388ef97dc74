//! A child process checks members in as fast as it can and is killed with SIGKILL at a random
//! moment; every check-in it acknowledged must be in the database afterwards, with every
//! balance equal to its ledger. Repeated over several rounds on the same database.
//!
//! The child is this test binary run again with `CARNET_CRASH_DB` set, which makes the
//! `crash_child_loop` test do the work instead of returning at once.

mod common;

use carnet::domain::MemberCode;
use carnet::domain::card_type::Validity;
use carnet::domain::checkin::CheckInRules;
use carnet::domain::ledger::EventId;
use carnet::domain::member::NewMember;
use carnet::store::{BulkLoader, CheckInOutcome};
use chrono::{Duration, Utc};
use common::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

const MEMBERS: usize = 50;
const ROUNDS: u64 = 6;

fn code_of(index: usize) -> MemberCode {
    MemberCode::parse(&format!("K{index:04}")).unwrap()
}

/// Runs only as the child: check-ins in a loop, printing `ACK <event id>` after each one
/// the store reports as durable.
#[test]
fn crash_child_loop() {
    let Some(path) = std::env::var_os("CARNET_CRASH_DB") else {
        return;
    };
    let store = open(std::path::Path::new(&path));
    let mut stdout = std::io::stdout().lock();
    for round in 0.. {
        let now = Utc::now();
        let rules = CheckInRules {
            today: now.date_naive(),
            now,
            activity: None,
            repeat_guard: Duration::zero(),
            charge_again: true,
        };
        let outcome = store
            .check_in(&code_of(round % MEMBERS), &rules, &context(now))
            .unwrap();
        if let CheckInOutcome::Accepted { event, .. } = outcome {
            writeln!(stdout, "ACK {}", event.id.0).unwrap();
            stdout.flush().unwrap();
        }
    }
}

#[test]
fn killed_child_loses_no_acknowledged_check_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = open(&path);
        let big = card_type(&store, "Mille", 1000, Validity::None);
        let now = Utc::now();
        let mut loader = BulkLoader::new(&store).unwrap();
        for index in 0..MEMBERS {
            let member = loader
                .add_member(&NewMember::named("Crash", "Test"), code_of(index), now)
                .unwrap();
            loader
                .add_card(&member, &big, now.date_naive(), &context(now))
                .unwrap();
        }
        loader.finish().unwrap();
    }

    let mut acknowledged: Vec<u64> = Vec::new();
    for round in 0..ROUNDS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_child_loop",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CARNET_CRASH_DB", &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();

        // Kill after a varying number of acknowledgements, so the kill lands at different
        // points of the write path.
        // The last rounds run past 2,000 writes, where a checkpoint folds the journal into sled.
        let kill_after = 20 + round * 450;
        let started = Instant::now();
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = 0;
        while let Some(Ok(line)) = lines.next() {
            if let Some(id) = line.strip_prefix("ACK ") {
                acknowledged.push(id.parse().unwrap());
                seen += 1;
                if seen >= kill_after {
                    break;
                }
            }
            assert!(started.elapsed().as_secs() < 60, "child made no progress");
        }
        child.kill().unwrap();
        // Read what the child printed before it died: those were acknowledged too.
        for line in lines.map_while(Result::ok) {
            if let Some(id) = line.strip_prefix("ACK ") {
                acknowledged.push(id.parse().unwrap());
            }
        }
        child.wait().unwrap();

        let store = open(&path);
        for id in &acknowledged {
            assert!(
                store.event(EventId(*id)).unwrap().is_some(),
                "round {round}: acknowledged event {id} lost"
            );
        }
        let mismatches = store.verify_balances().unwrap();
        assert!(mismatches.is_empty(), "round {round}: {mismatches:?}");
    }
    assert!(
        acknowledged.len() as u64 >= ROUNDS * 20,
        "too few check-ins were made"
    );
}
