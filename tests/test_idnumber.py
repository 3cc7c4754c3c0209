import polars as pl
import pytest

from pipelines.feeds.idnumber import check_character, check_character_expr, is_valid

# Published example numbers whose check characters are known (GB 11643-1999 examples).
KNOWN_VALID = ["11010519491231002X", "440524188001010014", "110101199003074477"]


@pytest.mark.parametrize("id_number", KNOWN_VALID)
def test_known_valid_numbers_pass(id_number):
    assert is_valid(id_number)


def test_check_character_of_known_numbers():
    assert check_character("11010519491231002") == "X"
    assert check_character("44052418800101001") == "4"


def test_lower_case_x_is_accepted_as_upper_case():
    assert is_valid("11010519491231002x")


@pytest.mark.parametrize(
    "id_number",
    [
        "110105194912310021",  # wrong check character (X expected)
        "440524188001010015",  # wrong check character (4 expected)
        "11010519490231002X",  # 1949-02-31 is not a date
        "1101051949123100",  # too short
        "11010519491231002XX",  # too long
        "11010519491231A02X",  # a letter among the digits
    ],
)
def test_invalid_numbers_fail(id_number):
    assert not is_valid(id_number)


def test_vectorised_check_character_agrees_with_scalar():
    first17 = ["11010519491231002", "44052418800101001", "51010119800101001"]
    frame = pl.DataFrame({"f": first17}).select(check_character_expr(pl.col("f")))
    assert frame.to_series().to_list() == [check_character(f) for f in first17]


def test_check_character_rejects_non_digits():
    with pytest.raises(ValueError, match="expected 17 digits"):
        check_character("1101051949123100X")


def test_sql_rule_and_dbt_macro_agree_with_the_python_rule():
    from pathlib import Path

    import duckdb
    import jinja2

    from pipelines.feeds.idnumber import valid_sql

    class DuckDBDispatch:
        """dbt's adapter.dispatch on DuckDB: the macro's default__ implementation."""

        module = None

        def dispatch(self, name, package):
            return getattr(self.module, f"default__{name}")

    macros_dir = Path(__file__).parents[1] / "dbt_project/macros"
    macros = "".join((macros_dir / f).read_text() for f in ("cross_engine.sql", "id_number.sql"))
    adapter = DuckDBDispatch()
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    # dbt's return() ends a macro with a value; here the value is text, so printing it does
    env.globals.update(adapter=adapter, **{"return": lambda value: value})
    adapter.module = env.from_string(macros).module
    dbt_sql = str(adapter.module.id_number_is_valid("x"))
    ids = [*KNOWN_VALID, "11010519491231002x", "110105194912310021", "11010519490231002X",
           "1101051949123100", "11010519491231A02X", "", None]
    with duckdb.connect() as conn:
        python_sql = [r for (r,) in conn.execute(f"select {valid_sql('x')} from unnest(?) t(x)",
                                                 [ids]).fetchall()]  # fmt: skip
        macro = [r for (r,) in conn.execute(f"select {dbt_sql.strip()} from unnest(?) t(x)",
                                            [ids]).fetchall()]  # fmt: skip
    expected = [bool(i) and is_valid(i) and i == i.upper() for i in ids]
    assert python_sql == macro == expected
