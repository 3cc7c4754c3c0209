"""When the pipeline runs: nightly at 02:00 Beijing time, and when a new complete delivery
(or a corrected re-delivery) appears; and who hears of a failed run.

The schedule and both sensors are RUNNING as soon as the definitions load with a key (or in
demo mode): a dagster-daemon started for the office runs the nights with nothing to switch
on. Without a key they start STOPPED and say why, since every run would fail. The sensor
looks for deliveries every POVMON_SENSOR_INTERVAL seconds (default 60).
"""


import hashlib
import json
from pathlib import Path

import dagster as dg

from pipelines.core.pseudonym import DEMO_VARIABLE, KEY_VARIABLE, key_configured
from pipelines.core.settings import OFFICE_TIMEZONE, RUN_DATE_TAG, Settings, night_of
from pipelines.core.store import Warehouse
from pipelines.feeds import FEEDS
from pipelines.ingest.discover import SUCCESS_MARKER, discover
from pipelines.notices import FailedRun, step_error, write_notice

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

STOPPED_WHY = (f" Stopped: {KEY_VARIABLE} is not set, so every run it started would fail "
               f"at the warehouse step. Set {KEY_VARIABLE} (or {DEMO_VARIABLE}=1 for sample "
               "data) and restart `dagster dev`, or start it here once it is set.")


def _nightly_run(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
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


def _new_deliveries(context: dg.SensorEvaluationContext,
                    warehouse: dg.ResourceParam[Warehouse]) -> dg.RunRequest | dg.SkipReason:
    """Start a run when a complete delivery appears that the last evaluation had not seen."""
    current = complete_deliveries(warehouse.raw_dir)
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


FAILURE_DESCRIPTION = ("Writes a notice of every failed nightly run to POVMON_NOTICE_DIR "
                       "(default <warehouse dir>/notices) and the log, and mails it to "
                       "POVMON_NOTICE_MAIL_TO when set (pipelines/notices.py).")


def _failure_notice(context: dg.RunFailureSensorContext,
                    warehouse: dg.ResourceParam[Warehouse]) -> None:
    run = context.dagster_run
    failures = [(event.step_key or "", step_error(event))
                for event in context.get_step_failure_events()]
    failed = FailedRun(run.run_id, night_of(run.tags).isoformat(), run.job_name,
                       failures or [("run", context.failure_event.message or "")])
    path = write_notice(failed, warehouse.settings.notice_dir, warehouse.settings.notices)
    context.log.error(f"nightly run {run.run_id} failed; notice written to {path}")


def build_automation(settings: Settings) -> tuple[dg.ScheduleDefinition, list[dg.SensorDefinition]]:
    """The schedule, the delivery sensor and the failure notice: RUNNING when runs can
    compute person_key (a key, or demo mode), else STOPPED with the reason in their
    descriptions."""
    ready = key_configured(settings.key)
    why = "" if ready else STOPPED_WHY
    schedule_status = dg.DefaultScheduleStatus.RUNNING if ready else dg.DefaultScheduleStatus.STOPPED
    sensor_status = dg.DefaultSensorStatus.RUNNING if ready else dg.DefaultSensorStatus.STOPPED
    schedule = dg.schedule(
        name="nightly_0200_shanghai", job=nightly_job, cron_schedule="0 2 * * *",
        execution_timezone="Asia/Shanghai", default_status=schedule_status,
        description="Every night at 02:00 Beijing time." + why)(_nightly_run)
    deliveries = dg.sensor(
        name="new_delivery_sensor", job=nightly_job,
        minimum_interval_seconds=settings.sensor_interval_seconds,
        default_status=sensor_status, description=SENSOR_DESCRIPTION + why)(_new_deliveries)
    failures = dg.run_failure_sensor(
        name="run_failure_notice", monitored_jobs=[nightly_job], default_status=sensor_status,
        description=FAILURE_DESCRIPTION)(_failure_notice)
    return schedule, [deliveries, failures]
