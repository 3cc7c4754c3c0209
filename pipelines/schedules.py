"""When the pipeline runs: nightly at 02:00 Beijing time, and when a new complete delivery
(or a corrected re-delivery) appears."""


import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg

from pipelines.feeds import FEEDS
from pipelines.ingest.discover import SUCCESS_MARKER, discover
from pipelines.pseudonym import DEMO_VARIABLE, KEY_VARIABLE, MissingPseudonymKey, pseudonym_key
from pipelines.resources import Warehouse
from pipelines.settings import OFFICE_TIMEZONE, RUN_DATE_TAG

# Runs carrying this tag write the warehouse; dagster_home/dagster.yaml lets one of them
# be in progress at a time, so a second (schedule, sensor or a person) waits in the queue.
WAREHOUSE_WRITER_TAG = {"povmon/warehouse": "writer"}

nightly_job = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all(),
    description="Ingest every feed, build and test the marts, publish them. One run at a "
    "time: the others wait in the queue (dagster_home/dagster.yaml).",
    tags=WAREHOUSE_WRITER_TAG,
)

@dg.schedule(name="nightly_0200_shanghai", job=nightly_job, cron_schedule="0 2 * * *",
             execution_timezone="Asia/Shanghai")
def nightly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Every night at 02:00 Beijing time; the run belongs to that night's date, even when
    it starts late or is launched again."""
    night = context.scheduled_execution_time.astimezone(OFFICE_TIMEZONE).date()
    return dg.RunRequest(run_key=night.isoformat(), tags={RUN_DATE_TAG: night.isoformat()})


def complete_deliveries(raw_dir: Path) -> list[str]:
    """Every complete delivery as '<feed>/<date>@<_SUCCESS mtime>': a corrected
    re-delivery writes a new marker, so it shows up as new too."""
    found = []
    for feed in FEEDS:
        deliveries, _ = discover(raw_dir, feed)
        for d in deliveries:
            if d.complete:
                found.append(f"{feed}/{d.day}@{(d.folder / SUCCESS_MARKER).stat().st_mtime_ns}")
    return sorted(found)


SENSOR_DESCRIPTION = ("Starts the nightly job when a complete delivery appears that the "
                      "last evaluation had not seen (or a corrected one, by its new _SUCCESS).")
SENSOR_STOPPED_WHY = (f" Stopped: {KEY_VARIABLE} is not set, so every run it started would fail "
                      f"at the warehouse step. Set {KEY_VARIABLE} (or {DEMO_VARIABLE}=1 for sample "
                      "data) and restart `dagster dev`, or start the sensor here once it is set.")


def key_configured(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether runs can compute person_key: a key, or demo mode."""
    try:
        pseudonym_key(environ)
    except MissingPseudonymKey:
        return False
    return True


@dg.sensor(job=nightly_job, minimum_interval_seconds=60,
           default_status=(dg.DefaultSensorStatus.RUNNING if key_configured()
                           else dg.DefaultSensorStatus.STOPPED),
           description=SENSOR_DESCRIPTION + ("" if key_configured() else SENSOR_STOPPED_WHY))
def new_delivery_sensor(context: dg.SensorEvaluationContext, warehouse: Warehouse):
    """Start a run when a complete delivery appears that the last evaluation had not seen."""
    current = complete_deliveries(Path(warehouse.raw_dir))
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    new = [d for d in current if d not in seen]
    context.update_cursor(json.dumps(current))
    if not new:
        return dg.SkipReason("no new complete delivery")
    names = [n.split("@")[0] for n in new]
    return dg.RunRequest(
        run_key=hashlib.sha256("|".join(new).encode()).hexdigest()[:20],
        tags={"povmon/new_deliveries": ", ".join(names[:20]) + (" …" if len(names) > 20 else ""),
              "povmon/new_delivery_count": str(len(names))},
    )
