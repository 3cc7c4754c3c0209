#!/usr/bin/env bash
# Create .venv/ in the repo root and install povmon with pinned dependency ranges.
# Idempotent: re-running only installs what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "povmon needs Python 3.11 (found $("$PYTHON" --version)); set PYTHON=/path/to/python3.11" >&2
    exit 1
fi
# Java 17 for the Spark engine (povmon run --engine spark) and its tests: Debian's headless JRE.
if ! command -v java >/dev/null; then
    echo "installing Debian's openjdk-17-jre-headless (Java, for the Spark engine)" >&2
    apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# pip's notices (index locations, setuptools' editable-install banner) go to a log that is
# shown only when the install fails, so the demo's console shows what a user acts on.
log=.venv/pip-install.log
if ! { .venv/bin/python -m pip install --quiet --upgrade pip &&
       .venv/bin/python -m pip install --quiet -e '.[dev]'; } > "$log" 2>&1; then
    cat "$log" >&2
    echo "setup failed: pip could not install povmon (its output is above and in $log)" >&2
    exit 1
fi
# pipelines first: it silences pyspark's pandas-3 warning, which GX's import would print
echo "installed: .venv/bin/povmon ($(.venv/bin/python -c 'import pipelines, dagster, dbt.version, duckdb, great_expectations as gx; print(f"dagster {dagster.__version__}, dbt-core {dbt.version.__version__}, duckdb {duckdb.__version__}, great-expectations {gx.__version__}")'))"
