"""Every setting of povmon, read from the environment in this one place into one object.

`Settings.from_env()` reads every ``POVMON_*`` variable (the table in docs/operations.md is
`VARIABLES`); nothing else in povmon reads them. The object is made once, where a process
starts (`povmon`, `dagster dev`'s code location, the dbt-on-Spark entry point), and handed
on: to Dagster as the ``warehouse`` resource (pipelines/core/store.py), to dbt as its
subprocess's environment (`Settings.dbt_environment`). Reading it changes nothing.
The warehouse stays outside the marts folder: only pipelines/publish copies marts across.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pipelines.core.duckdb_limits import DuckDBLimits
from pipelines.core.ingest_limits import MIB, IngestLimits
from pipelines.core.pseudonym import KeySource

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

# name -> (default, what it sets); docs/operations.md shows this table.
VARIABLES: dict[str, tuple[str, str]] = {
    "POVMON_RAW_DIR": ("data/raw", "the deliveries folder"),
    "POVMON_WAREHOUSE": ("data/warehouse/warehouse.duckdb",
                         "the restricted store (ID numbers, names); its folder holds the "
                         "worklists, logs, notices, spill, dbt's build artifacts and "
                         "the Spark files"),
    "POVMON_MARTS_DIR": ("data/marts", "what statisticians get: no personal data"),
    "POVMON_ENGINE": ("duckdb", "where the dbt models run: duckdb or spark"),
    "POVMON_PSEUDONYM_KEY": ("(none)", "the HMAC key of person_key; a run without a key "
                             "refuses to build"),
    "POVMON_PSEUDONYM_KEY_FILE": ("(none)", "a file holding the key instead (systemd's "
                                  "LoadCredential=)"),
    "POVMON_DEMO": ("0", "1: sample data with the public development key"),
    "POVMON_MIN_USABLE_SHARE": ("0.5", "a file with a smaller share of usable rows rejects "
                                "its delivery as a broken export"),
    "POVMON_MAX_UNZIPPED_MIB": ("512", "a workbook that unzips to more is refused unread"),
    "POVMON_DUCKDB_MEMORY_LIMIT": ("4GB", "DuckDB memory per connection (it spills beyond)"),
    "POVMON_DUCKDB_THREADS": ("the machine's cores", "DuckDB threads per connection"),
    "POVMON_SPARK_DIR": ("spark/ beside the store", "the Spark engine's files (restricted)"),
    "POVMON_SPARK_MASTER": ("local[2]", "the Spark master: local or a cluster's URL"),
    "POVMON_SPARK_DRIVER_MEMORY": ("4g", "the Spark driver's memory"),
    "POVMON_SPARK_PARTITIONS": ("8", "spark.sql.shuffle.partitions"),
    "POVMON_SENSOR_INTERVAL": ("60", "seconds between the delivery sensor's looks"),
    "POVMON_NOTICE_DIR": ("notices/ beside the store", "where failed-run notices are written"),
    "POVMON_NOTICE_MAIL_TO": ("(none)", "addresses (comma-separated) mailed each notice"),
    "POVMON_SMTP_HOST": ("localhost", "the mail relay, host[:port]"),
}


class UnknownEngine(ValueError):
    """POVMON_ENGINE names no engine povmon builds on."""


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    text = environ.get(name)
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
    """The night a run belongs to: its povmon/run_date tag (set by the schedule, by
    `povmon run --run-date` or in the launchpad), else today in Beijing time."""
    tagged = tags.get(RUN_DATE_TAG)
    return date.fromisoformat(tagged) if tagged else datetime.now(OFFICE_TIMEZONE).date()


@dataclass(frozen=True)
class SparkSettings:
    folder: Path | None = None  # None: spark/ beside the store
    master: str = "local[2]"
    driver_memory: str = "4g"
    partitions: int = 8


@dataclass(frozen=True)
class NoticeSettings:
    folder: Path | None = None  # None: notices/ beside the store
    mail_to: tuple[str, ...] = ()
    smtp_host: str = "localhost"


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_path: Path
    marts_dir: Path
    engine: str = "duckdb"
    key: KeySource = field(default_factory=KeySource)
    ingest_limits: IngestLimits = field(default_factory=IngestLimits)
    duckdb: DuckDBLimits = field(default_factory=DuckDBLimits)
    spark: SparkSettings = field(default_factory=SparkSettings)
    notices: NoticeSettings = field(default_factory=NoticeSettings)
    sensor_interval_seconds: int = 60

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise UnknownEngine(f"POVMON_ENGINE={self.engine!r}: the engines are "
                                f"{', '.join(ENGINES)}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        def path(name: str, default: Path) -> Path:
            return Path(environ.get(name) or default).resolve()

        def optional_path(name: str) -> Path | None:
            return Path(environ[name]).resolve() if environ.get(name) else None

        defaults_limits, defaults_spark = IngestLimits(), SparkSettings()
        return cls(
            raw_dir=path("POVMON_RAW_DIR", REPO_ROOT / "data" / "raw"),
            warehouse_path=path("POVMON_WAREHOUSE", REPO_ROOT / "data/warehouse/warehouse.duckdb"),
            marts_dir=path("POVMON_MARTS_DIR", REPO_ROOT / "data" / "marts"),
            engine=environ.get("POVMON_ENGINE") or "duckdb",
            key=KeySource(text=environ.get("POVMON_PSEUDONYM_KEY", ""),
                          file=optional_path("POVMON_PSEUDONYM_KEY_FILE"),
                          demo=environ.get("POVMON_DEMO") == "1"),
            ingest_limits=IngestLimits(
                min_usable_share=_number(environ, "POVMON_MIN_USABLE_SHARE",
                                         defaults_limits.min_usable_share),
                max_unzipped_bytes=int(_number(environ, "POVMON_MAX_UNZIPPED_MIB",
                                               defaults_limits.max_unzipped_bytes / MIB) * MIB)),
            duckdb=DuckDBLimits(
                memory_limit=environ.get("POVMON_DUCKDB_MEMORY_LIMIT") or DuckDBLimits().memory_limit,
                threads=int(_number(environ, "POVMON_DUCKDB_THREADS", DuckDBLimits().threads))),
            spark=SparkSettings(
                folder=optional_path("POVMON_SPARK_DIR"),
                master=environ.get("POVMON_SPARK_MASTER") or defaults_spark.master,
                driver_memory=environ.get("POVMON_SPARK_DRIVER_MEMORY") or defaults_spark.driver_memory,
                partitions=int(_number(environ, "POVMON_SPARK_PARTITIONS", defaults_spark.partitions))),
            notices=NoticeSettings(
                folder=optional_path("POVMON_NOTICE_DIR"),
                mail_to=tuple(a.strip() for a in environ.get("POVMON_NOTICE_MAIL_TO", "").split(",")
                              if a.strip()),
                smtp_host=environ.get("POVMON_SMTP_HOST") or "localhost"),
            sensor_interval_seconds=int(_number(environ, "POVMON_SENSOR_INTERVAL", 60)),
        )

    @property
    def warehouse_dir(self) -> Path:
        return self.warehouse_path.parent

    @property
    def worklists_dir(self) -> Path:
        """County worklists with ID numbers and names: restricted, beside the warehouse."""
        return self.warehouse_dir / "worklists"

    @property
    def gx_root(self) -> Path:
        """The GX project (suites, results, recorded outcomes), beside the store."""
        return self.warehouse_dir / "gx"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's artifacts of this store's builds, a folder per engine: beside the store, so
        two stores (two offices, or the tests' workers) never write one manifest."""
        return self.warehouse_dir / "dbt-target"

    @property
    def spark_dir(self) -> Path:
        """The Spark engine's files (pipelines/warehouse/spark/layout.py): restricted."""
        return self.spark.folder or self.warehouse_dir / "spark"

    @property
    def notice_dir(self) -> Path:
        return self.notices.folder or self.warehouse_dir / "notices"

    def environment(self) -> dict[str, str]:
        """These settings as the variables `from_env` reads back: what a povmon subprocess
        (dbt, and on Spark the session dbt runs in) is started with."""
        values = {
            "POVMON_RAW_DIR": str(self.raw_dir),
            "POVMON_WAREHOUSE": str(self.warehouse_path),
            "POVMON_MARTS_DIR": str(self.marts_dir),
            "POVMON_ENGINE": self.engine,
            "POVMON_PSEUDONYM_KEY": self.key.text,
            "POVMON_PSEUDONYM_KEY_FILE": str(self.key.file or ""),
            "POVMON_DEMO": "1" if self.key.demo else "",
            "POVMON_MIN_USABLE_SHARE": str(self.ingest_limits.min_usable_share),
            "POVMON_MAX_UNZIPPED_MIB": str(self.ingest_limits.max_unzipped_bytes / MIB),
            "POVMON_DUCKDB_MEMORY_LIMIT": self.duckdb.memory_limit,
            "POVMON_DUCKDB_THREADS": str(self.duckdb.threads),
            "POVMON_SPARK_DIR": str(self.spark_dir),
            "POVMON_SPARK_MASTER": self.spark.master,
            "POVMON_SPARK_DRIVER_MEMORY": self.spark.driver_memory,
            "POVMON_SPARK_PARTITIONS": str(self.spark.partitions),
            "POVMON_SENSOR_INTERVAL": str(self.sensor_interval_seconds),
            "POVMON_NOTICE_DIR": str(self.notice_dir),
            "POVMON_NOTICE_MAIL_TO": ",".join(self.notices.mail_to),
            "POVMON_SMTP_HOST": self.notices.smtp_host,
        }
        return values
