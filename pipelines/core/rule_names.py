"""What a rule is called where people read it: ``R01 证件号码错误``. The R rules' titles are
the dbt seed the marts use (``dbt_project/seeds/quality_rules.csv``); the quarantine and
contract rules, which the GX suites check too, are named here."""

from __future__ import annotations

import csv
from functools import cache

from pipelines.core.settings import DBT_PROJECT_DIR

OTHER_RULES = {"contract": "表结构与数据契约", "Q01": "Q01 必填项为空", "Q02": "Q02 类型不符",
               "Q03": "Q03 不在代码表中", "range": "取值超出范围"}  # fmt: skip


@cache
def _titles() -> dict[str, str]:
    with (DBT_PROJECT_DIR / "seeds" / "quality_rules.csv").open(encoding="utf-8") as seed:
        return {row["rule_id"]: row["title"] for row in csv.DictReader(seed)}


def rule_name(rule: str | None) -> str:
    """``R01 证件号码错误`` for an R rule, the Chinese name of any other, else the code."""
    if rule in _titles():
        return f"{rule} {_titles()[rule]}"
    return OTHER_RULES.get(rule or "", rule or "")
