#!/usr/bin/env bash
# Runs the check-in latency benchmark (benches/checkin.rs), then the start-up and memory
# benchmark (benches/startup.rs, about 30 s once the club exists), the Session cards
# benchmark (benches/overview.rs, about 20 s), and prints their markdown tables, after the
# machine they ran on. Then runs the reports benchmark (benches/report.rs, criterion, about
# 2 minutes on the same club), and the member search benchmark (benches/search.rs, about
# 1 minute on 100,000 generated members, beside `fzf --filter` when fzf is installed).
#
# The run builds in release mode, makes a demo club of 100,000 members, 200,000 cards and
# 2,000,000 ledger events (95 to 111 s on a 2-core machine), loads it into SQLite (15 s), then
# measures 2,000 rounds. It stops with an error after 15 minutes.
#
# Environment:
#   CARNET_BENCH_DB=<folder>   reuse the demo club in that folder, or make it there first;
#                              unset, the club is made once in a temporary folder for both
#                              benches and removed at the end
#   CARNET_BENCH_SAMPLES=<n>   samples per variant (default 2000)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${CARNET_BENCH_DB:-}" ]]; then
    club_parent=$(mktemp -d -t carnet-bench-club-XXXXXX)
    trap 'rm -rf "$club_parent"' EXIT
    export CARNET_BENCH_DB="$club_parent/club"
fi

echo "## Machine"
echo
echo "- cores: $(nproc)"
echo "- memory: $(free -h | awk '/^Mem:/ {print $2}')"
echo "- disk: $(df -h . | awk 'NR == 2 {print $1 ", " $2 " total, " $4 " free"}')"
echo "- $(rustc --version)"
echo "- command: scripts/bench.sh (cargo bench --bench checkin, then --bench startup, --bench overview, --bench report and --bench search)"
echo

timeout 15m cargo bench --bench checkin

# Start-up to the first frame and peak memory of the real binary, on the same club.
echo
timeout 10m cargo bench --bench startup

# Practice › Session cards through the app on the same club: load, frame, filter, sort, search.
echo
timeout 10m cargo bench --bench overview

# Each report over the last 12 months, on the same club.
echo
timeout 10m cargo bench --bench report

# The member search typed a character at a time, beside fzf.
echo
timeout 10m cargo bench --bench search
