"""dbt-duckdb plugin (profiles.yml): registers person_key(id_number) on dbt's connection,
so the HMAC key never appears in SQL, compiled files or logs."""

from __future__ import annotations

from functools import partial

from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import DuckDBPyConnection

from pipelines.core.pseudonym import person_key, pseudonym_key
from pipelines.core.settings import Settings


class Plugin(BasePlugin):
    def configure_connection(self, conn: DuckDBPyConnection) -> None:
        key = pseudonym_key(Settings.from_env().key)  # dbt's environment: Settings.environment
        conn.create_function("person_key", partial(person_key, key), ["VARCHAR"], "VARCHAR",
                             side_effects=False)
