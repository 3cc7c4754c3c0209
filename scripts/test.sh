#!/usr/bin/env bash
# Set up a fresh machine and run the whole test suite (unit, Dagster, dbt, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check pipelines tests
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
# pytest exits 5 when it collected no test: that is a failure of the suite, say so.
[ "$status" -eq 5 ] && echo "pytest collected no tests" >&2 && exit 1
exit "$status"
