"""The Spark session a Spark build runs in: where its tables live, what it may take of the
machine, the staged feeds as tables, and person_key() as a function.

dbt-spark's ``session`` method calls ``SparkSession.builder.getOrCreate()`` in dbt's own
process, so `povmon-dbt-spark` (pipelines/spark/dbt_entry.py) creates the session first,
with everything below, and then runs dbt in that process: the HMAC key reaches Spark as a
Python function's closure, never as SQL text or a log line (as the DuckDB plugin does).

POVMON_SPARK_MASTER         where Spark runs (default local[2]: this machine, 2 cores);
                            a cluster's master URL (spark://host:7077, yarn, k8s://...)
POVMON_SPARK_DIR            Spark's tables, metastore and staged Parquet (default: spark/
                            beside the warehouse, restricted like it)
POVMON_SPARK_DRIVER_MEMORY  the driver's heap (default 4g)
POVMON_SPARK_PARTITIONS     shuffle partitions (default 8: tens, not Spark's 200, on 2 cores)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from functools import partial
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql.types import StringType

from pipelines.feeds import FEEDS
from pipelines.pseudonym import person_key, pseudonym_key
from pipelines.restricted import private_folder
from pipelines.spark.staged_parquet import BOOKKEEPING_TABLES

MASTER_VARIABLE = "POVMON_SPARK_MASTER"
DIR_VARIABLE = "POVMON_SPARK_DIR"
STAGED_SCHEMA = "raw"


def spark_dir(warehouse: Path, environ: Mapping[str, str] = os.environ) -> Path:
    return Path(environ.get(DIR_VARIABLE) or warehouse.parent / "spark").resolve()


def staged_dir(folder: Path) -> Path:
    return folder / "staged"


def spark_conf(folder: Path, environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The session's settings. The metastore (Derby, embedded) keeps the tables between
    builds, so the quality history grows night after night as it does in DuckDB; ANSI mode
    is off, as dbt-spark sets it, so a failed cast or a division by zero gives NULL as in
    DuckDB."""
    return {
        "spark.master": environ.get(MASTER_VARIABLE) or "local[2]",
        "spark.app.name": "povmon",
        "spark.driver.memory": environ.get("POVMON_SPARK_DRIVER_MEMORY") or "4g",
        "spark.sql.shuffle.partitions": environ.get("POVMON_SPARK_PARTITIONS") or "8",
        "spark.sql.warehouse.dir": str(folder / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL":
            f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={folder}",
        # spilled shuffle blocks hold ID numbers: inside the restricted folder
        "spark.local.dir": str(folder / "tmp"),
        "spark.ui.enabled": "false",
        "spark.sql.ansi.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
    }


def start_session(folder: Path) -> SparkSession:
    """The session, with the staged feeds as tables of schema raw and person_key()."""
    private_folder(folder)
    # Spark's Python workers (person_key) run this interpreter, where povmon is installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.enableHiveSupport()
    for name, value in spark_conf(folder).items():
        builder = builder.config(name, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    register_staged_tables(session, staged_dir(folder))
    session.udf.register("person_key", partial(person_key, pseudonym_key()), StringType())
    return session


def register_staged_tables(session: SparkSession, staged: Path) -> None:
    """Schema raw: one table per staged feed table over its folder of delivery files,
    named as in DuckDB so that dbt's sources are the same on both engines. Re-created every
    build (the files are the truth; the metastore only points at them)."""
    session.sql(f"create database if not exists {STAGED_SCHEMA}")
    names = [table.name for feed in FEEDS.values() for table in feed.tables]
    for name in [*names, *BOOKKEEPING_TABLES]:
        session.sql(f"drop table if exists {STAGED_SCHEMA}.{name}")
        session.sql(f"create table {STAGED_SCHEMA}.{name} using parquet "
                    f"options (mergeSchema 'true') location '{staged / name}'")
