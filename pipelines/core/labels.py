"""The Chinese names of coded values (``program`` = ``dibao`` is 应保尽保): the dbt seed
``value_labels``, published as ``marts.value_labels`` for statisticians and read here by
the reports, the worklists and `povmon export`, so each code has one name everywhere."""

from __future__ import annotations

import csv
from functools import cache

from pipelines.core.settings import DBT_PROJECT_DIR

SEED = DBT_PROJECT_DIR / "seeds" / "value_labels.csv"


@cache
def _all() -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    with SEED.open(encoding="utf-8") as seed:
        for row in csv.DictReader(seed):
            labels.setdefault(row["column_name"], {})[row["value"]] = row["label_zh"]
    return labels


def labels(column: str) -> dict[str, str]:
    """value -> Chinese name of a coded column, in the seed's order."""
    return dict(_all().get(column, {}))


def labelled_columns() -> frozenset[str]:
    return frozenset(_all())
