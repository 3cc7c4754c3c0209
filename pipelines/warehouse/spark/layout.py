"""Where a Spark build keeps its files: one folder (`Settings.spark_dir`: POVMON_SPARK_DIR,
default spark/ beside the DuckDB store, restricted like it, since its tables hold ID numbers):

    <spark>/staged/       the staged deliveries as Parquet (pipelines/warehouse/spark/staged_parquet.py)
    <spark>/warehouse/    Spark's tables, <schema>.db/<table>/ (spark.sql.warehouse.dir)
    <spark>/metastore_db  the embedded Derby metastore naming them
    <spark>/tmp/          Spark's spill (spark.local.dir)
"""

from __future__ import annotations

from pathlib import Path


def staged_dir(folder: Path) -> Path:
    return folder / "staged"


def spark_warehouse_dir(folder: Path) -> Path:
    return folder / "warehouse"
