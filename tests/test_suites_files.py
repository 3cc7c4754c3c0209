"""The committed suites under expectations/ are exactly what the contract generates."""

from pathlib import Path

from pipelines.validation.suites import suite_files

EXPECTATIONS = Path(__file__).parents[1] / "expectations"


def test_committed_suites_match_the_contract():
    generated = suite_files()
    committed = {p.name: p.read_text(encoding="utf-8") for p in EXPECTATIONS.glob("*.json")}
    assert sorted(committed) == sorted(generated)
    for name, text in generated.items():
        assert committed[name] == text, f"{name} is stale: run `povmon suites`"
