"""dbt, as dagster-dbt runs it for povmon: in a subprocess started with the run's settings,
without two start-up costs povmon does not use.

dagster-dbt starts dbt with a copy of this process's environment. povmon's settings do not
live there (pipelines/core/settings.py): `DbtCli` puts them in (and the night's date, for
the macros) only while the subprocess starts, and takes them out again.

Before every dbt command, DbtCliResource.cli runs `dbt --version` in a subprocess (3.5 s:
it imports dbt) and builds a dbt adapter in this process with every macro of the project
loaded (5.0 s). The version is that of the dbt-core installed beside dagster-dbt (povmon's
dbt executables, DuckDB's and the Spark session's, both run it), and the adapter serves
only the row counts and column metadata dagster-dbt can fetch on request, which povmon
does not ask for.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from dagster_dbt import DbtCliInvocation, DbtCliResource, DbtProject
from packaging import version

from pipelines.core.settings import DBT_EXECUTABLE, SPARK_DBT_EXECUTABLE, Settings


@contextmanager
def environment_for_dbt(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` in this process's environment while a dbt subprocess starts (it copies
    the environment then), the environment as it was afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value


class DbtCli(DbtCliResource):
    environment: dict[str, str] = {}

    def cli(self, args: Sequence[str], **kwargs: Any) -> DbtCliInvocation:
        with environment_for_dbt(self.environment):
            return super().cli(args, **kwargs)

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_cli(project: DbtProject, settings: Settings, engine: str | None = None) -> DbtCli:
    """dbt on the engine's target (the settings' unless ``engine`` says): DuckDB's dbt, or
    dbt inside povmon's Spark session (pipelines/warehouse/spark/dbt_entry.py)."""
    common = {"project_dir": project, "profiles_dir": str(project.project_dir),
              "environment": settings.environment()}
    if (engine or settings.engine) == "spark":
        return DbtCli(**common, dbt_executable=SPARK_DBT_EXECUTABLE, target="spark")
    return DbtCli(**common, dbt_executable=DBT_EXECUTABLE)
