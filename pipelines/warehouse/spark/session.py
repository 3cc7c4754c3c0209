"""The Spark session a Spark build runs in: where its tables live, what it may take of the
machine, the staged feeds as tables, and person_key() and povmon_round() as functions.

dbt-spark's ``session`` method calls ``SparkSession.builder.getOrCreate()`` in dbt's own
process, so `povmon-dbt-spark` (pipelines/warehouse/spark/dbt_entry.py) creates the session first,
with everything below, and then runs dbt in that process: the HMAC key reaches Spark as a
Python function's closure, never as SQL text or a log line (as the DuckDB plugin does).

Its settings (`Settings.spark`): the master (default local[2]: this machine, 2 cores; or a
cluster's master URL, spark://host:7077, yarn, k8s://...), the driver's heap (4g), shuffle
partitions (8: tens, not Spark's 200, on 2 cores), and the folder (layout.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql.types import DoubleType, StringType

from pipelines.core.pseudonym import person_key, pseudonym_key
from pipelines.core.restricted import private_folder
from pipelines.core.settings import Settings, SparkSettings
from pipelines.feeds import FEEDS
from pipelines.warehouse.spark.layout import spark_warehouse_dir, staged_dir
from pipelines.warehouse.spark.rounding import round_half_up
from pipelines.warehouse.spark.staged_parquet import BOOKKEEPING_TABLES

STAGED_SCHEMA = "raw"
LOG_CONFIG = "log4j2.properties"
LOG_FILE = "spark.log"
# Spark's log4j: warnings and errors, to standard error, which start_session sends to spark.log
LOG_SETTINGS = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = spark: %p %c{1}: %m%n%ex
"""


def spark_conf(folder: Path, spark: SparkSettings) -> dict[str, str]:
    """The session's settings. The metastore (Derby, embedded) keeps the tables between
    builds, so the quality history grows night after night as it does in DuckDB; ANSI mode
    is off, as dbt-spark sets it, so a failed cast or a division by zero gives NULL as in
    DuckDB."""
    return {
        "spark.master": spark.master,
        "spark.app.name": "povmon",
        "spark.driver.memory": spark.driver_memory,
        "spark.sql.shuffle.partitions": str(spark.partitions),
        "spark.sql.warehouse.dir": str(spark_warehouse_dir(folder)),
        "spark.hadoop.javax.jdo.option.ConnectionURL":
            f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true",
        # Derby's log in the folder; Spark's own log warnings and errors only, no
        # progress bars (they go to spark.log, see start_session)
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={folder} "
                                         f"-Dlog4j2.configurationFile=file:{folder / LOG_CONFIG}",
        "spark.ui.showConsoleProgress": "false",
        # spilled shuffle blocks hold ID numbers: inside the restricted folder
        "spark.local.dir": str(folder / "tmp"),
        "spark.ui.enabled": "false",
        "spark.sql.ansi.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
    }


def start_session(settings: Settings) -> SparkSession:
    """The session, with the staged feeds as tables of schema raw and person_key()."""
    folder = settings.spark_dir
    private_folder(folder)
    (folder / LOG_CONFIG).write_text(LOG_SETTINGS)
    # Spark's Python workers (person_key) run this interpreter, where povmon is installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    conf = spark_conf(folder, settings.spark)
    if conf["spark.master"].startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # else a warning on every start
    builder = SparkSession.builder.enableHiveSupport()
    for name, value in conf.items():
        builder = builder.config(name, value)
    session = _with_stderr_to(folder / LOG_FILE, builder.getOrCreate)
    session.sparkContext.setLogLevel("ERROR")
    register_staged_tables(session, staged_dir(folder))
    session.udf.register("person_key", partial(person_key, pseudonym_key(settings.key)), StringType())
    session.udf.register("povmon_round", round_half_up, DoubleType())
    return session


def _with_stderr_to(log: Path, start: Callable[[], SparkSession]) -> SparkSession:
    """Start the JVM with ``log`` as its standard error. dagster-dbt reads dbt's standard
    output and error as one stream of JSON lines: a JVM line (a warning, a progress bar)
    landing in the middle of one would cost that model its Dagster event."""
    saved = os.dup(2)
    with log.open("ab") as file:
        os.dup2(file.fileno(), 2)
        try:
            return start()
        finally:
            os.dup2(saved, 2)
            os.close(saved)


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
