"""`povmon-dbt-spark`: dbt, run in a process whose Spark session povmon made first.

dagster-dbt runs dbt as a subprocess (its ``dbt_executable``); for the Spark target that
executable is this one, so dbt-spark's ``getOrCreate()`` finds the session of
pipelines/warehouse/spark/session.py, with the staged feeds and person_key() registered. Arguments
are dbt's own.
"""

from __future__ import annotations

import sys

from pipelines.core.settings import Settings
from pipelines.warehouse.spark.session import start_session

# dbt commands that open a connection; `--version`, `parse` and the like need no session
# (dagster-dbt asks `--version` before every command: a JVM start saved each time)
CONNECTING_COMMANDS = frozenset({"build", "run", "test", "seed", "snapshot", "docs", "show",
                                 "compile", "run-operation", "source", "debug"})


def main() -> None:
    if CONNECTING_COMMANDS & set(sys.argv[1:]):
        start_session(Settings.from_env())
    from dbt.cli.main import cli  # after the session: dbt-spark must find it

    cli()


if __name__ == "__main__":
    main()
