"""Importing povmon does nothing: no file written, no subprocess started, no environment
variable set; the definitions are built by `build_defs`, which prepares the dbt project
(parses it when its manifest is missing) when first asked."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.core.settings import REPO_ROOT

IMPORT_EVERYTHING = """
import json, os, pkgutil, subprocess, sys, importlib
# third-party packages that set variables of their own on import (polars: its allocator's)
import dagster, dagster_dbt, duckdb, polars, great_expectations  # noqa: F401
def refuse(*args, **kwargs):
    raise AssertionError(f"a subprocess at import: {args[:1]}")
subprocess.Popen = refuse
before = dict(os.environ)
import pipelines
names = [m.name for m in pkgutil.walk_packages(pipelines.__path__, "pipelines.")]
for name in names:
    importlib.import_module(name)
changed = {k for k in set(before) | set(os.environ) if before.get(k) != os.environ.get(k)}
print(json.dumps({"file": pipelines.__file__, "modules": len(names), "changed": sorted(changed)}))
"""


def _tree(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}


def _copy_never_parsed(folder: Path) -> None:
    """The code and the dbt project, without the project's build output (no manifest)."""
    shutil.copytree(REPO_ROOT / "pipelines", folder / "pipelines",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO_ROOT / "dbt_project", folder / "dbt_project",
                    ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))


def test_importing_every_module_writes_nothing_starts_nothing_and_sets_no_variable(tmp_path):
    """On a copy of the code whose dbt project was never parsed (no target/, no manifest),
    with an empty environment."""
    _copy_never_parsed(tmp_path)
    before = _tree(tmp_path)
    result = subprocess.run([sys.executable, "-c", IMPORT_EVERYTHING], cwd=tmp_path,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path),
                                 "PYTHONDONTWRITEBYTECODE": "1"},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome["file"] == str(tmp_path / "pipelines" / "__init__.py")
    assert outcome["modules"] > 50
    assert outcome["changed"] == []
    assert _tree(tmp_path) == before
    assert not (tmp_path / "dbt_project" / "target").exists()


@pytest.mark.slow
def test_build_defs_prepares_the_dbt_project_when_first_asked(tmp_path):
    _copy_never_parsed(tmp_path)
    code = ("import os, polars  # polars sets its allocator's variable on import\n"
            "before = dict(os.environ)\n"
            "from pipelines.core.settings import Settings\n"
            "from pipelines.definitions import build_defs\n"
            "defs = build_defs(Settings.from_env({}))\n"
            "assert dict(os.environ) == before\n"
            "print(len(defs.resolve_all_asset_keys()))")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path,
                            env={"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
                                 "PYTHONPATH": str(tmp_path), "HOME": str(tmp_path)},
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "dbt_project" / "target" / "manifest.json").is_file()
    assert int(result.stdout.split()[-1]) > 80  # feeds, ingest log, every model, publish, reports
