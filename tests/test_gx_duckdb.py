"""Great Expectations computes real metrics inside DuckDB (the adapter of
pipelines/validation/gx_duckdb.py); these fail if GX #11579 or the reflection bug return."""

import duckdb
import great_expectations as gx
import pytest

from pipelines.validation.gx_duckdb import duckdb_table_asset


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema raw")
        conn.execute("create table raw.t as select range as x, "
                     "case when range % 10 = 0 then null else range end as y from range(1000)")
    return path


def test_expectations_get_exact_counts_from_a_table_in_a_schema(warehouse):
    context = gx.get_context(mode="ephemeral")
    suite = gx.ExpectationSuite("s", expectations=[
        gx.expectations.ExpectColumnValuesToNotBeNull(column="y"),
        gx.expectations.ExpectColumnValuesToBeBetween(column="x", min_value=0, max_value=500),
        gx.expectations.ExpectTableRowCountToEqual(value=1000),
    ])  # fmt: skip
    with duckdb_table_asset(context, warehouse, "raw", "t") as asset:
        batch_definition = asset.add_batch_definition_whole_table("t")
        result = batch_definition.get_batch().validate(suite)
    counts = {r.expectation_config.type: (r.success, r.result.get("unexpected_count"),
                                          r.result.get("observed_value"))
              for r in result.results}  # fmt: skip
    assert counts == {
        "expect_column_values_to_not_be_null": (False, 100, None),
        "expect_column_values_to_be_between": (False, 499, None),
        "expect_table_row_count_to_equal": (True, None, 1000),
    }


def test_the_warehouse_is_free_for_a_writer_after_validation(warehouse):
    context = gx.get_context(mode="ephemeral")
    with duckdb_table_asset(context, warehouse, "raw", "t") as asset:
        batch_definition = asset.add_batch_definition_whole_table("t")
        batch_definition.get_batch().validate(
            gx.expectations.ExpectColumnValuesToNotBeNull(column="x"))
    with duckdb.connect(str(warehouse)) as writer:
        writer.execute("insert into raw.t values (1000, 1000)")
        assert writer.execute("select count(*) from raw.t").fetchone() == (1001,)
