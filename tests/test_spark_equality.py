"""The generated province of the end-to-end tests, built again on Apache Spark
(`povmon run --engine spark`, local[2]) from the same store: every published mart is the
same, row for row (tests/engine_equality.py says what "the same" allows)."""

import pytest

from tests.engine_equality import compare_marts
from tests.runner import build_again_on_spark, query

pytestmark = pytest.mark.slow  # scripts/test.sh --fast leaves it out


@pytest.fixture(scope="module")
def spark_marts(province, tmp_path_factory):
    raw, duckdb_marts, _ = province
    return build_again_on_spark(raw, duckdb_marts.parent, tmp_path_factory.mktemp("spark"))


def test_every_mart_is_the_same_on_spark_and_duckdb(province, spark_marts):
    results = compare_marts(province[1], spark_marts)
    assert len(results) == 19  # the 18 marts and marts.value_labels
    assert {r.mart: r.problems for r in results if r.problems} == {}
    assert all(r.rows > 0 for r in results if r.mart != "quality_resolved_flags")


def test_spark_publishes_the_parquet_files_beside_the_database(spark_marts):
    assert len(list(spark_marts.glob("*.parquet"))) == 19
    assert query(spark_marts, "select count(*) from read_parquet(?)",
                 [str(spark_marts / "poverty_incidence.parquet")]) == query(
        spark_marts, "select count(*) from marts.poverty_incidence")
