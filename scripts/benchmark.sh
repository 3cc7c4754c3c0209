#!/usr/bin/env bash
# Figures, not tests: generate N persons, then time three nights, each with seconds and
# peak memory (of any process) per step, and the bare-DuckDB floor for loading the files:
#   1. first night (everything new)
#   2. nothing new
#   3. a corrected re-delivery of the latest delivery of every feed
#   bash scripts/benchmark.sh [--engine duckdb|spark] [PERSONS] [WORKDIR]
#   e.g. bash scripts/benchmark.sh 1000000; bash scripts/benchmark.sh --engine spark 1000000
# (--engine spark: the dbt models on Spark, local[2]; the other steps are the same)
# REUSE=1 keeps the generated deliveries of an earlier benchmark in WORKDIR (only the
# warehouse and marts are built anew). NIGHTS=1 or 2 runs only the first night(s), FLOOR=0
# skips the bare-DuckDB floor: at 10 M persons each is most of an hour.
set -euo pipefail
cd "$(dirname "$0")/.."
ENGINE=duckdb
if [ "${1:-}" = --engine ]; then ENGINE="$2"; shift 2; fi
PERSONS="${1:-1000000}"
WORK="${2:-/tmp/povmon-benchmark-$PERSONS}"
if [ "${REUSE:-0}" = 1 ] && [ -d "$WORK/raw/_truth" ]; then
    echo "== reusing the deliveries in $WORK/raw"
    rm -rf "$WORK/warehouse" "$WORK/marts"
else
    rm -rf "$WORK"
    echo "== generate $PERSONS persons into $WORK/raw"
    /usr/bin/time -f "generate: %e s, peak %M KiB" .venv/bin/povmon generate --persons "$PERSONS" \
        --seed 1 --out "$WORK/raw"
fi
du -sh "$WORK/raw"
night() {  # night LABEL DAYS_AGO: each night its own run date, as on a real server
    echo "== $1 (engine: $ENGINE)"
    .venv/bin/povmon run --demo --engine "$ENGINE" --run-date "$(date -d "-$2 days" +%F)" --raw "$WORK/raw" --marts "$WORK/marts" \
        --warehouse "$WORK/warehouse/warehouse.duckdb" --log-level WARNING --profile 2>/dev/null \
        | sed -n '/^run succeeded/p;/^files by status/,/^checks:/p;/^seconds and peak memory/,$p' \
        || { echo "run failed"; exit 1; }
    if [ "$ENGINE" = duckdb ]; then .venv/bin/python scripts/dbt_model_seconds.py "$WORK/warehouse"; fi
}
redeliver_latest() {
    for feed in "$WORK"/raw/*/; do
        [ "$(basename "$feed")" = _truth ] && continue
        latest=""
        for delivery in "$feed"*/; do
            if [ -e "$delivery/_SUCCESS" ]; then latest="$delivery"; fi
        done
        csvs=("$latest"*.csv)
        printf '\n' >> "${csvs[0]}"   # a changed file: reloaded as a corrected re-delivery
    done
}
NIGHTS="${NIGHTS:-3}"
night "first night (everything new)" 2
if [ "$NIGHTS" -ge 2 ]; then night "second night (nothing new)" 1; fi
if [ "$NIGHTS" -ge 3 ]; then
    redeliver_latest
    night "third night (a corrected re-delivery of every feed)" 0
fi
if [ "${FLOOR:-1}" = 1 ]; then
    echo "== bare DuckDB floor"
    .venv/bin/python scripts/bare_duckdb_load.py "$WORK/raw"
fi
