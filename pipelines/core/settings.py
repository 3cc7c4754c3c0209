"""Where things live, from the environment, with the demo's defaults under the repo.

POVMON_RAW_DIR       deliveries (default data/raw)
POVMON_WAREHOUSE     the restricted store with personal data (default data/warehouse/warehouse.duckdb)
POVMON_MARTS_DIR     what statisticians get (default data/marts)
POVMON_PSEUDONYM_KEY the HMAC key of person_key (pipelines/core/pseudonym.py); POVMON_DEMO=1
                     lets sample data run with a public development key instead
POVMON_ENGINE        where the dbt models run: duckdb (default: in the store itself) or
                     spark (Apache Spark, pipelines/warehouse/spark/; the results come back to the store)
POVMON_MIN_USABLE_SHARE  a file with a smaller share of usable rows rejects its delivery
                     as a broken export (default 0.5)
POVMON_MAX_UNZIPPED_MIB  a workbook that unzips to more is refused unread (default 512)

The warehouse stays outside the marts folder: only pipelines/publish copies marts across.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.core.ingest_limits import DEFAULT_LIMITS, MIB, IngestLimits

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The dbt installed beside this interpreter, so `.venv/bin/povmon` works without
# activating the virtual environment.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
SPARK_DBT_EXECUTABLE = str(Path(sys.executable).parent / "povmon-dbt-spark")
# The run tag naming the night a run belongs to (quality flags are kept per night).
RUN_DATE_TAG = "povmon/run_date"
OFFICE_TIMEZONE = ZoneInfo("Asia/Shanghai")
ENGINES = ("duckdb", "spark")


class UnknownEngine(ValueError):
    """POVMON_ENGINE names no engine povmon builds on."""


def _number(name: str, default: float) -> float:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}={text!r} is not a number") from None
    if value < 0:
        raise ValueError(f"{name}={text!r} must not be negative")
    return value


def night_of(tags: Mapping[str, str]) -> date:
    """The night a run belongs to: its povmon/run_date tag (set by the schedule and by
    `povmon run --run-date`), else today in Beijing time."""
    tagged = tags.get(RUN_DATE_TAG)
    return date.fromisoformat(tagged) if tagged else datetime.now(OFFICE_TIMEZONE).date()


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_path: Path
    marts_dir: Path
    engine: str = "duckdb"
    ingest_limits: IngestLimits = DEFAULT_LIMITS

    @classmethod
    def from_env(cls) -> Settings:
        def path(name: str, default: Path) -> Path:
            return Path(os.environ.get(name) or default).resolve()

        engine = os.environ.get("POVMON_ENGINE") or "duckdb"
        if engine not in ENGINES:
            raise UnknownEngine(f"POVMON_ENGINE={engine!r}: the engines are {', '.join(ENGINES)}")
        return cls(
            raw_dir=path("POVMON_RAW_DIR", REPO_ROOT / "data" / "raw"),
            warehouse_path=path("POVMON_WAREHOUSE", REPO_ROOT / "data/warehouse/warehouse.duckdb"),
            marts_dir=path("POVMON_MARTS_DIR", REPO_ROOT / "data" / "marts"),
            engine=engine,
            ingest_limits=IngestLimits(
                min_usable_share=_number("POVMON_MIN_USABLE_SHARE", DEFAULT_LIMITS.min_usable_share),
                max_unzipped_bytes=int(_number("POVMON_MAX_UNZIPPED_MIB",
                                               DEFAULT_LIMITS.max_unzipped_bytes / MIB) * MIB)),
        )

    @property
    def worklists_dir(self) -> Path:
        """County worklists with ID numbers and names: restricted, beside the warehouse."""
        return self.warehouse_path.parent / "worklists"

    def export(self) -> None:
        """Put the paths in the environment, where dbt's profile (a subprocess) reads them."""
        os.environ["POVMON_RAW_DIR"] = str(self.raw_dir)
        os.environ["POVMON_WAREHOUSE"] = str(self.warehouse_path)
        os.environ["POVMON_MARTS_DIR"] = str(self.marts_dir)
        os.environ["POVMON_ENGINE"] = self.engine
        os.environ["POVMON_MIN_USABLE_SHARE"] = str(self.ingest_limits.min_usable_share)
        os.environ["POVMON_MAX_UNZIPPED_MIB"] = str(self.ingest_limits.max_unzipped_bytes / MIB)
