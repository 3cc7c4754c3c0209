"""Where things live, from the environment, with the demo's defaults under the repo.

POVMON_RAW_DIR       deliveries (default data/raw)
POVMON_WAREHOUSE     the restricted store with personal data (default data/warehouse/warehouse.duckdb)
POVMON_MARTS_DIR     what statisticians get (default data/marts)

The warehouse stays outside the marts folder: only pipelines/publish copies marts across.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The dbt installed beside this interpreter, so `.venv/bin/povmon` works without
# activating the virtual environment.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_path: Path
    marts_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        def path(name: str, default: Path) -> Path:
            return Path(os.environ.get(name) or default).resolve()

        return cls(
            raw_dir=path("POVMON_RAW_DIR", REPO_ROOT / "data" / "raw"),
            warehouse_path=path("POVMON_WAREHOUSE", REPO_ROOT / "data/warehouse/warehouse.duckdb"),
            marts_dir=path("POVMON_MARTS_DIR", REPO_ROOT / "data" / "marts"),
        )

    def export(self) -> None:
        """Put the paths in the environment, where dbt's profile (a subprocess) reads them."""
        os.environ["POVMON_RAW_DIR"] = str(self.raw_dir)
        os.environ["POVMON_WAREHOUSE"] = str(self.warehouse_path)
        os.environ["POVMON_MARTS_DIR"] = str(self.marts_dir)
