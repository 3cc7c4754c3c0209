#!/usr/bin/env bash
# Figures, not tests: generate N persons, run a first night (everything new) and a second
# night (nothing new), and print time and peak memory of each step.
#   bash scripts/benchmark.sh [PERSONS] [WORKDIR]     e.g. bash scripts/benchmark.sh 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
PERSONS="${1:-1000000}"
WORK="${2:-/tmp/povmon-benchmark-$PERSONS}"
rm -rf "$WORK"
echo "== generate $PERSONS persons into $WORK/raw"
.venv/bin/povmon generate --persons "$PERSONS" --seed 1 --out "$WORK/raw"
du -sh "$WORK/raw"
for night in first second; do
    echo "== $night night"
    .venv/bin/povmon run --raw "$WORK/raw" --marts "$WORK/marts" \
        --warehouse "$WORK/warehouse/warehouse.duckdb" --log-level WARNING 2>/dev/null \
        | grep -E "run succeeded|Finished running|checks:" || { echo "run failed"; exit 1; }
done
