"""The seconds dbt spent on each model of the last build of a store, from its
run_results.json: the slowest, and the relapse-prevention models (防返贫监测) whatever
their rank, so a benchmark night says what those cost.

    .venv/bin/python scripts/dbt_model_seconds.py WAREHOUSE_DIR [TOP]
"""

import json
import sys
from pathlib import Path

RELAPSE_MODELS = ("int_person_coverage", "int_monitoring_members", "int_monitored_households",
                  "int_screened_households", "int_screened_members", "int_risk_signals",
                  "household_cards", "risk_signals", "monitoring_summary", "visit_list")


def main(warehouse_dir: Path, top: int) -> None:
    results = json.loads((warehouse_dir / "dbt-target" / "duckdb" / "run_results.json").read_text())
    models = sorted(((r["unique_id"].split(".")[-1], r["execution_time"])
                     for r in results["results"] if r["unique_id"].startswith("model.")),
                    key=lambda m: -m[1])
    total = sum(seconds for _, seconds in models)
    print(f"dbt build of {results['metadata']['generated_at']}: {len(models)} models, "
          f"{total:.1f} s in all; the {top} slowest:")
    for name, seconds in models[:top]:
        print(f"  {name:<40} {seconds:7.1f} s")
    relapse = [(n, s) for n, s in models if n in RELAPSE_MODELS]
    print(f"relapse-prevention models: {sum(s for _, s in relapse):.1f} s")
    for name, seconds in relapse:
        print(f"  {name:<40} {seconds:7.1f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 8)
