#!/usr/bin/env bash
# Runs the check-in latency benchmark (benches/checkin.rs) and prints its markdown tables,
# after the machine it ran on.
#
# The run builds in release mode, makes a demo club of 100,000 members, 200,000 cards and
# 2,000,000 ledger events (80 s on a 2-core machine), loads it into SQLite (20 s), then
# measures 2,000 rounds. It stops with an error after 15 minutes.
#
# Environment:
#   CARNET_BENCH_DB=<folder>   reuse the demo club in that folder, or make it there first
#   CARNET_BENCH_SAMPLES=<n>   samples per variant (default 2000)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "## Machine"
echo
echo "- cores: $(nproc)"
echo "- memory: $(free -h | awk '/^Mem:/ {print $2}')"
echo "- disk: $(df -h . | awk 'NR == 2 {print $1 ", " $2 " total, " $4 " free"}')"
echo "- $(rustc --version)"
echo "- command: scripts/bench.sh (cargo bench --bench checkin)"
echo

timeout 15m cargo bench --bench checkin
