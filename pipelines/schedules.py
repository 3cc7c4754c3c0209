"""When the pipeline runs: nightly at 02:00 Beijing time, and when a new complete delivery
(or a corrected re-delivery) appears; and who hears of a failed run.

The schedule and both sensors are RUNNING as soon as the definitions load with a key (or in
demo mode): a dagster-daemon started for the office runs the nights with nothing to switch
on. Without a key they start STOPPED and say why, since every run would fail. The sensor
looks for deliveries every POVMON_SENSOR_INTERVAL seconds (default 60).
"""


import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

import dagster as dg

from pipelines.core.pseudonym import DEMO_VARIABLE, KEY_VARIABLE, MissingPseudonymKey, pseudonym_key
from pipelines.core.settings import OFFICE_TIMEZONE, RUN_DATE_TAG, night_of
from pipelines.core.store import Warehouse
from pipelines.feeds import FEEDS
from pipelines.ingest.discover import SUCCESS_MARKER, discover
from pipelines.notices import NOTICE_DIR_VARIABLE, FailedRun, step_error, write_notice

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

def key_configured(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether runs can compute person_key: a key, or demo mode."""
    try:
        pseudonym_key(environ)
    except MissingPseudonymKey:
        return False
    return True


def _default_status(kind: type[dg.DefaultSensorStatus] | type[dg.DefaultScheduleStatus]):
    return kind.RUNNING if key_configured() else kind.STOPPED


STOPPED_WHY = (f" Stopped: {KEY_VARIABLE} is not set, so every run it started would fail "
               f"at the warehouse step. Set {KEY_VARIABLE} (or {DEMO_VARIABLE}=1 for sample "
               "data) and restart `dagster dev`, or start it here once it is set.")


@dg.schedule(name="nightly_0200_shanghai", job=nightly_job, cron_schedule="0 2 * * *",
             execution_timezone="Asia/Shanghai",
             default_status=_default_status(dg.DefaultScheduleStatus),
             description="Every night at 02:00 Beijing time."
             + ("" if key_configured() else STOPPED_WHY))
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


@dg.sensor(job=nightly_job,
           minimum_interval_seconds=int(os.environ.get("POVMON_SENSOR_INTERVAL") or 60),
           default_status=_default_status(dg.DefaultSensorStatus),
           description=SENSOR_DESCRIPTION + ("" if key_configured() else STOPPED_WHY))
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


@dg.run_failure_sensor(monitored_jobs=[nightly_job], default_status=_default_status(dg.DefaultSensorStatus),
                       description="Writes a notice of every failed nightly run to "
                       "POVMON_NOTICE_DIR (default <warehouse dir>/notices) and the log, and mails "
                       "it to POVMON_NOTICE_MAIL_TO when set (pipelines/notices.py).")
def run_failure_notice(context: dg.RunFailureSensorContext, warehouse: Warehouse) -> None:
    run = context.dagster_run
    failures = [(event.step_key or "", step_error(event))
                for event in context.get_step_failure_events()]
    failed = FailedRun(run.run_id, night_of(run.tags).isoformat(), run.job_name,
                       failures or [("run", context.failure_event.message or "")])
    folder = Path(os.environ.get(NOTICE_DIR_VARIABLE) or Path(warehouse.path).parent / "notices")
    path = write_notice(failed, folder)
    context.log.error(f"nightly run {run.run_id} failed; notice written to {path}")
