"""The command line as a user meets it: help, and errors that say what to do."""

from tests.runner import povmon


def test_help_lists_the_commands():
    result = povmon("--help")
    assert result.returncode == 0
    for command in ("generate", "run", "sql"):
        assert command in result.stdout


def test_run_without_deliveries_folder_says_how_to_get_one(tmp_path):
    result = povmon("run", "--raw", tmp_path / "missing", "--marts", tmp_path / "marts",
                    "--warehouse", tmp_path / "w.duckdb")
    assert result.returncode == 2
    assert f"no deliveries folder {tmp_path / 'missing'}" in result.stderr
    assert "povmon generate --out DIR" in result.stderr


def test_a_failing_run_exits_non_zero_and_publishes_nothing(tmp_path):
    (tmp_path / "raw").mkdir()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the warehouse folder should be")
    result = povmon("run", "--raw", tmp_path / "raw", "--marts", tmp_path / "marts",
                    "--warehouse", blocker / "w.duckdb", "--log-level", "WARNING")
    assert result.returncode == 1
    assert "run FAILED" in result.stderr and "nothing was published" in result.stderr
    assert not (tmp_path / "marts").exists()


def test_sql_before_any_run_says_to_run_first(tmp_path):
    result = povmon("sql", "select 1", "--marts", tmp_path)
    assert result.returncode == 2
    assert "run `povmon run` first" in result.stderr


def test_generate_refuses_years_outside_the_simulation():
    result = povmon("generate", "--years", "2010-2012")
    assert result.returncode == 2
    assert "years must lie within 2016-2020" in result.stderr


def test_run_without_a_pseudonym_key_refuses_and_says_what_to_do(tmp_path):
    result = povmon("run", "--raw", tmp_path, "--marts", tmp_path / "marts", key=None)
    assert result.returncode == 2
    assert "POVMON_PSEUDONYM_KEY is not set" in result.stderr
    assert "povmon run --demo" in result.stderr
    assert not (tmp_path / "marts").exists()


def test_demo_says_it_uses_the_public_development_key(tmp_path):
    result = povmon("run", "--demo", "--raw", tmp_path / "missing", key=None)
    assert "PUBLIC development key" in result.stderr
    assert result.returncode == 2  # then stops: no deliveries folder
