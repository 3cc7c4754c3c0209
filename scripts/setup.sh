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
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'
echo "installed: .venv/bin/povmon ($(.venv/bin/python -c 'import dagster, dbt.version, duckdb, great_expectations as gx; print(f"dagster {dagster.__version__}, dbt-core {dbt.version.__version__}, duckdb {duckdb.__version__}, great-expectations {gx.__version__}")'))"
