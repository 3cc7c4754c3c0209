#!/usr/bin/env bash
# Set up a fresh machine and run the main job on the embedded default:
# generate a sample province into data/raw/, ingest + validate it into the warehouse,
# build the marts with dbt and publish them to data/marts/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PERSONS="${PERSONS:-20000}"
rm -rf data/raw/*/ data/warehouse
.venv/bin/povmon generate --persons "$PERSONS" --seed 1 --out data/raw
.venv/bin/povmon run --demo --raw data/raw --marts data/marts
