"""The feed generator: deterministic, contract-exact, and honest about its defects."""

import hashlib
from pathlib import Path

import polars as pl
import pytest

from pipelines.feeds import FEEDS
from pipelines.feeds.idnumber import is_valid
from pipelines.ingest.decode import decode
from sample_feeds.generator import generate


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("raw"), persons=3000, seed=3, years=(2019, 2020),
                    defect_rate=0.02, progress=lambda _: None)  # fmt: skip


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_the_same_files_with_any_number_of_workers(raw, tmp_path):
    """The fixture ran a county per core; one worker writes the same bytes, province-wide
    claims files included (joined from the counties' parts, in county order), and the
    XLSX workbooks (created on their delivery date, not when written)."""
    again = generate(tmp_path, persons=3000, seed=3, years=(2019, 2020), defect_rate=0.02,
                     progress=lambda _: None, workers=1)
    assert _digests(again) == _digests(raw)
    assert len([name for name in _digests(raw) if name.endswith(".xlsx")]) == 7
    assert not (raw / "_parts").exists()
    claims = (raw / "medical" / "2020-05-31" / "claims_202005.csv").read_text(encoding="utf-8")
    header = claims.splitlines()[0]
    assert header.startswith("结算单号") and claims.count(header) == 1
    files = pl.read_csv(raw / "_truth" / "files.csv").filter(pl.col("file") == "claims_202005.csv")
    assert len(claims.splitlines()) - 1 == files["rows"].item() > 0


def test_every_feed_is_delivered_with_success_markers_except_the_incomplete_folder(raw):
    complete = {p.parent.relative_to(raw).parts[0] for p in raw.rglob("_SUCCESS")}
    assert complete == set(FEEDS)
    incomplete = [p for p in (raw / "registry").iterdir() if not (p / "_SUCCESS").exists()]
    assert [p.name for p in incomplete] == ["2021-01-31"]


def _csv(path: Path) -> pl.DataFrame:
    data = path.read_bytes()
    return pl.read_csv(decode(data).data, infer_schema=False)


def test_csv_headers_are_the_contract_headers(raw):
    for feed in FEEDS.values():
        for path in (raw / feed.id).rglob("*.csv"):
            table = feed.table_for(path.name)
            headers = [h.strip() for h in _csv(path).columns if h.strip() != "备注"]
            dropped = path.parent.name == "2020-06-30" and feed.id == "dibao"
            expected = [c.header for c in table.columns if not (dropped and c.header == "证件号码"
                                                                 and "510101" in path.name)]
            assert headers == expected, path


def test_counties_use_utf8_gb18030_bom_and_xlsx(raw):
    folder = raw / "registry" / "2020-12-31"
    encodings = {p.name: decode(p.read_bytes()).encoding for p in folder.glob("*.csv")}
    assert sorted(encodings.values()) == ["GB18030", "UTF-8"]
    assert [p.name for p in folder.glob("*.xlsx")] == ["registry_510103.xlsx"]
    assert decode((raw / "education/2020-10-15/education_510103.csv").read_bytes()).encoding == (
        "UTF-8-BOM")


def test_id_numbers_are_valid_except_the_planted_r01_cases(raw):
    registry = _csv(raw / "registry" / "2020-12-31" / "registry_510101.csv")
    ids = registry["证件号码"].drop_nulls().to_list()
    invalid = [i for i in ids if not is_valid(i)]
    flags = pl.read_csv(raw / "_truth" / "flags.csv").filter(
        (pl.col("feed") == "registry") & (pl.col("delivery_date") == "2020-12-31"))
    assert len(ids) > 100
    # one county's file of three: some, but not more than the whole delivery's R01 flags
    assert 0 < len(invalid) <= flags.filter(pl.col("rule_id") == "R01")["flags"].sum()


def test_every_rule_is_injected_and_every_quarantine_case_planted(raw):
    rules = set(pl.read_csv(raw / "_truth" / "flags.csv")["rule_id"])
    assert rules == {f"R{i:02d}" for i in range(1, 18)}
    files = pl.read_csv(raw / "_truth" / "files.csv")
    assert files.filter(pl.col("table") == "registry")["quarantined"].sum() > 0


def test_too_small_a_province_is_refused():
    with pytest.raises(ValueError, match="--persons must be at least 100"):
        generate(Path("/nonexistent"), persons=10, seed=1)


def test_every_household_has_its_head_first_even_the_last_one_cut_to_size():
    """The last household of a county is cut to the persons left; its members once started
    before it (member -2 for the one person of county 0's last household at 6,000 persons,
    seed 7): a household without 户主 that no defect planted, an R17 flag the truth missed."""
    from sample_feeds.geography import build_geography
    from sample_feeds.people import draw_people

    county = build_geography(6000, 7).counties[0]
    persons = draw_people(county, 7, defect_rate=0.0).persons
    assert persons["member"].min() == 0
    heads = persons.group_by("hh").agg((pl.col("member") == 0).sum().alias("heads"))
    assert heads["heads"].to_list() == [1] * heads.height
