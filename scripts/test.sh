#!/usr/bin/env bash
# Set up a fresh machine and run the whole test suite (unit, Dagster, dbt, end-to-end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Debian's Chromium, for the test that opens the quality report in a real browser.
if ! command -v chromium >/dev/null; then
    echo "installing Debian's chromium (headless browser for the report test)" >&2
    apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
# Debian's LibreOffice Calc, for the tests that open the CSVs as a spreadsheet user does.
if ! command -v soffice >/dev/null; then
    echo "installing Debian's libreoffice-calc-nogui (spreadsheet for the worklist tests)" >&2
    apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null
fi
.venv/bin/ruff check pipelines sample_feeds tests scripts
# --fast: the edit-test loop, without the tests marked slow (whole pipeline runs, the
# daemon, Spark). Each test module runs on one of the machine's cores (pytest-xdist): a
# module's tests share the warehouse it builds.
selection=()
if [ "${1:-}" = "--fast" ]; then
    shift
    selection=(-m "not slow")
fi
set +e
.venv/bin/python -m pytest -n auto --dist loadfile "${selection[@]}" "$@"
status=$?
set -e
# pytest exits 5 when it collected no test: that is a failure of the suite, say so.
[ "$status" -eq 5 ] && echo "pytest collected no tests" >&2 && exit 1
exit "$status"
