"""Great Expectations suites, generated from the feed contract so they cannot drift.

Two suites per staged table:
- ``<table>.contract`` (blocking): what makes a staged table unusable. The same rules
  that quarantined rows at ingest (Q01 not null, Q02 type or format, Q03 code list) hold
  for every accepted row, and the table has exactly the contract's columns. A failure means the
  warehouse is not what the marts assume, so the marts downstream do not run.
- ``<table>.quality`` (warning): what is worth a look but still usable: ID numbers that
  fail the check character (R01), values outside a plausible range, natural keys that
  repeat within a delivery, a household without exactly one 户主 (R17).
Expectations carry ``meta.rule`` (Q01-Q03 or R01/R17 of quality-rules.md) so results can
be read next to the quarantine and the quality flags. No expectation returns personal
data: row-level results name only delivery_date, source_file and source_row.
"""

import json

import great_expectations as gx
from great_expectations import expectations as gxe

from pipelines.feeds import Kind, Table
from pipelines.feeds.idnumber import valid_sql

BOOKKEEPING_COLUMNS = ("delivery_date", "source_file", "source_row")
# Formats are checked with DuckDB's own regexp_full_match: GX has no regex support for
# the duckdb dialect, and a row query keeps the check inside DuckDB all the same.
FORMATS = {
    Kind.AREA_CODE: "[0-9]{12}",
    Kind.SCHOOL_YEAR: "[0-9]{4}-[0-9]{4}",
    Kind.PERIOD: "[0-9]{4}-(0[1-9]|1[0-2])",
}
ROW_REFERENCE = "delivery_date, source_file, source_row"
# Typed columns: a value that did not parse was quarantined (Q02); the staged column's
# type (as GX reflects it from DuckDB) is what guarantees it for the rows that stayed.
TYPES = {Kind.INTEGER: ["BigInteger", "BIGINT"], Kind.DECIMAL: ["NUMERIC", "DECIMAL"],
         Kind.DATE: ["DATE"]}


def _rows(description: str, where: str, rule: str, select: str = ROW_REFERENCE,
          tail: str = "", column: str | None = None) -> gxe.UnexpectedRowsExpectation:
    """Rows of the batch that break a rule, found by SQL run in DuckDB. GX formats the
    query with str.format, so every brace but {batch} is doubled."""
    query = f"select {select} from BATCH {where} {tail}".strip()
    query = query.replace("{", "{{").replace("}", "}}").replace("BATCH", "{batch}")
    meta = {"rule": rule} | ({"column": column} if column else {})
    return gxe.UnexpectedRowsExpectation(description=description, unexpected_rows_query=query,
                                         meta=meta)  # fmt: skip


def contract_suite(table: Table) -> gx.ExpectationSuite:
    names = [c.name for c in table.columns]
    expectations: list = [
        gxe.ExpectTableColumnsToMatchSet(column_set=[*names, *BOOKKEEPING_COLUMNS],
                                         exact_match=True, meta={"rule": "contract"}),
    ]  # fmt: skip
    for c in table.columns:
        if c.mandatory:
            expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=c.name, meta={"rule": "Q01"}))
        if c.kind in TYPES:
            expectations.append(gxe.ExpectColumnValuesToBeInTypeList(
                column=c.name, type_list=TYPES[c.kind], meta={"rule": "Q02"}))  # fmt: skip
        if c.kind in FORMATS:
            expectations.append(_rows(
                f"Q02 {c.header}({c.name}) 符合格式 {FORMATS[c.kind]}",
                f"where {c.name} is not null and not regexp_full_match({c.name}, '{FORMATS[c.kind]}')",
                "Q02", column=c.name))  # fmt: skip
        if c.kind is Kind.CODE:
            expectations.append(gxe.ExpectColumnValuesToBeInSet(
                column=c.name, value_set=list(c.codes), meta={"rule": "Q03"}))  # fmt: skip
    return gx.ExpectationSuite(name=f"{table.name}.contract", expectations=expectations)


def quality_suite(table: Table) -> gx.ExpectationSuite:
    expectations: list = []
    for c in table.columns:
        if c.kind is Kind.ID_NUMBER:
            expectations.append(_rows(
                f"R01 {c.header}({c.name}) 是18位、出生日期真实、校验码正确的身份证号",
                f"where {c.name} is not null and not {valid_sql(c.name)}", "R01",
                column=c.name))  # fmt: skip
        if c.minimum is not None or c.maximum is not None:
            expectations.append(gxe.ExpectColumnValuesToBeBetween(
                column=c.name, min_value=c.minimum, max_value=c.maximum,
                strict_min=c.strict_minimum, meta={"rule": "range"}))  # fmt: skip
    if table.natural_key:
        # one result row per repeated key, naming only its delivery and how often it
        # repeats (the key itself may hold ID numbers); GX's own compound-unique check
        # failed on the 94 M-row registry of 10 M persons
        key = ", ".join(table.natural_key)
        expectations.append(_rows(
            f"自然键 ({key}) 在同一批次内唯一", "", "natural_key",
            select="delivery_date, count(*) as copies",
            tail=f"group by delivery_date, {key} having count(*) > 1"))  # fmt: skip
    if table.exactly_one:
        group, column, value = table.exactly_one
        expectations.append(_rows(
            f"R17 每个 {group} 恰有一行 {column} = {value}", "", "R17",
            select=f"delivery_date, {group}",
            tail=f"group by all having count(*) filter (where {column} = '{value}') != 1"))  # fmt: skip
    return gx.ExpectationSuite(name=f"{table.name}.quality", expectations=expectations)


def suites(table: Table) -> dict[str, gx.ExpectationSuite]:
    return {"contract": contract_suite(table), "quality": quality_suite(table)}


def suite_files() -> dict[str, str]:
    """Every suite as the JSON committed under expectations/ (file name -> text)."""
    from pipelines.feeds import TABLES

    files = {}
    for table in TABLES.values():
        for suite in suites(table).values():
            document = suite.to_json_dict()
            document.pop("id", None)
            for expectation in document["expectations"]:
                expectation.pop("id", None)
            files[f"{suite.name}.json"] = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return files
