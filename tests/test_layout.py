"""The layout holds: each stage's folder imports only the stages below it and the core, the
core imports no stage, the runtime package never imports the sample generator, and only
the settings module reads povmon's environment variables."""

import ast
import re
from pathlib import Path

from pipelines.core.settings import REPO_ROOT

PACKAGE = REPO_ROOT / "pipelines"
# Each folder, and what it may import besides itself (the top-level modules, which put the
# stages together, may import any of them).
ALLOWED = {
    "core": set(),
    "feeds": {"core"},
    "ingest": {"core", "feeds"},
    "validation": {"core", "feeds", "ingest"},
    "warehouse": {"core", "feeds"},
    "publish": {"core", "warehouse"},
    "reports": {"core", "feeds", "ingest", "validation"},
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def _folder_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "pipelines" or len(parts) < 3:
        return None
    return parts[1]


def test_no_folder_imports_a_stage_above_it():
    wrong = []
    for folder, allowed in ALLOWED.items():
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            for module in _imports(path):
                target = _folder_of(module)
                if target is not None and target != folder and target not in allowed:
                    wrong.append(f"{path.relative_to(REPO_ROOT)} imports {module}")
    assert wrong == []
    assert set(ALLOWED) == {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}


def test_the_runtime_package_never_imports_the_sample_generator():
    users = [str(path.relative_to(REPO_ROOT)) for path in sorted(PACKAGE.rglob("*.py"))
             if any(m.split(".")[0] == "sample_feeds" for m in _imports(path))
             and path.name != "cli.py"]  # `povmon generate` imports it when asked
    assert users == []


def test_only_the_settings_module_reads_povmon_variables():
    reading = re.compile(r"environ(\.get)?[\[(]\s*[\"']POVMON_|getenv\([\"']POVMON_")
    readers = [str(path.relative_to(REPO_ROOT)) for path in sorted(PACKAGE.rglob("*.py"))
               if reading.search(path.read_text(encoding="utf-8"))]
    assert readers == ["pipelines/core/settings.py"]
