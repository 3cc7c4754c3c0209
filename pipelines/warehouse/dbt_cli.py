"""dagster-dbt's dbt resource without two start-up costs povmon does not use.

Before every dbt command, DbtCliResource.cli runs `dbt --version` in a subprocess (3.5 s:
it imports dbt) and builds a dbt adapter in this process with every macro of the project
loaded (5.0 s). The version is that of the dbt-core installed beside dagster-dbt (povmon's
dbt executables, DuckDB's and the Spark session's, both run it), and the adapter serves
only the row counts and column metadata dagster-dbt can fetch on request, which povmon
does not ask for. At 10 M persons these 8.5 s were a third of a night with nothing new's
dbt step.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from functools import cached_property

from dagster_dbt import DbtCliResource
from packaging import version


class DbtCli(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None
