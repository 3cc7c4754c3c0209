"""The night that runs itself, under a real `dagster-daemon` on a temporary instance
configured as deploy/ ships it (deploy/dagster.yaml, deploy/workspace.yaml, the key in a
file as systemd's LoadCredential= hands it over): the delivery sensor, RUNNING because a
key is configured, sees nothing, then a new delivery, and launches the nightly run, which
succeeds; a later run that fails leaves a notice for the office."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from pipelines.core.settings import REPO_ROOT
from tests.deliveries import REGISTRY_HEADER, deliver
from tests.test_quality_rules import REGISTRY, deliver_county

pytestmark = pytest.mark.slow  # scripts/test.sh --fast leaves it out

TIMEOUT = 600  # seconds for a run of the small county to start and end


def _wait(what: str, condition, timeout: float = TIMEOUT, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(2)
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def _sensor_ticks(instance: dg.DagsterInstance, name: str) -> list:
    states = [s for s in instance.all_instigator_state() if s.instigator_name == name]
    return [t for s in states for t in instance.get_ticks(s.instigator_origin_id, s.selector_id)]


@pytest.fixture(scope="module")
def daemon(tmp_path_factory):
    root = tmp_path_factory.mktemp("office")
    home, raw = root / "dagster_home", root / "raw"
    home.mkdir()
    raw.mkdir()
    shutil.copy(REPO_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    key = root / "credentials" / "pseudonym-key"
    key.parent.mkdir(mode=0o700)
    key.write_text("daemon-test-key-0123456789\n")
    key.chmod(0o400)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POVMON_", "DAGSTER_"))}
    env.update(DAGSTER_HOME=str(home), POVMON_RAW_DIR=str(raw),
               POVMON_WAREHOUSE=str(root / "warehouse" / "warehouse.duckdb"),
               POVMON_MARTS_DIR=str(root / "marts"), POVMON_PSEUDONYM_KEY_FILE=str(key),
               POVMON_NOTICE_DIR=str(root / "notices"), POVMON_SENSOR_INTERVAL="5")
    log = root / "daemon.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("dagster-daemon")), "run", "-w",
             str(REPO_ROOT / "deploy" / "workspace.yaml")],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root, start_new_session=True)
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        yield instance, raw, root, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        instance.dispose()


def test_the_sensor_launches_the_nightly_run_on_a_new_delivery_and_it_succeeds(daemon):
    instance, raw, root, log = daemon
    skipped = _wait("the sensor's first tick (nothing delivered yet)", lambda: [
        t for t in _sensor_ticks(instance, "new_delivery_sensor")
        if t.status.value == "SKIPPED"], log=log)
    assert skipped[0].skip_reason == "no new complete delivery"
    assert instance.get_runs() == []
    deliver_county(raw)
    run = _wait("a run launched by the sensor", lambda: next(iter(instance.get_runs()), None),
                log=log)
    assert run.job_name == "nightly"
    assert "registry/2020-12-31" in run.tags["povmon/new_deliveries"]
    ended = _wait("the run to end", lambda: (r := instance.get_run_by_id(run.run_id))
                  .is_finished and r, log=log)
    assert ended.status == dg.DagsterRunStatus.SUCCESS, log.read_text()[-3000:]
    assert (root / "marts" / "warehouse.duckdb").exists()
    assert (root / "marts" / "quality" / "index.html").exists()


def test_a_failed_run_leaves_a_notice_the_office_can_route(daemon):
    instance, raw, root, log = daemon
    shutil.rmtree(root / "marts")
    (root / "marts").write_text("not a folder")  # publishing cannot write the marts
    before = {r.run_id for r in instance.get_runs()}
    deliver(raw, "registry", "2020-12-30", {"r.csv": [REGISTRY_HEADER, *REGISTRY]})
    run = _wait("a second run", lambda: next(
        (r for r in instance.get_runs() if r.run_id not in before), None), log=log)
    ended = _wait("it to end", lambda: (r := instance.get_run_by_id(run.run_id))
                  .is_finished and r, log=log)
    assert ended.status == dg.DagsterRunStatus.FAILURE
    notice = _wait("the failure notice", lambda: next(
        iter((root / "notices").glob(f"*_{run.run_id}_failed.txt")), None), timeout=180, log=log)
    text = notice.read_text(encoding="utf-8")
    assert text.startswith("povmon：") and "夜间运行失败 / the night's run FAILED" in text
    assert f"run {run.run_id}" in text and "publish__published_marts: " in text
    assert str(root / "marts") in text  # the error itself, not Dagster's "step failed"


def test_the_service_units_are_valid_and_read_the_key_as_a_credential(tmp_path):
    """systemd's own check of deploy/*.service, as installed in the checkout's place."""
    units = []
    for name in ("povmon-dagster-daemon.service", "povmon-dagster-webserver.service"):
        text = (REPO_ROOT / "deploy" / name).read_text()
        assert "LoadCredential=pseudonym-key:/etc/povmon/pseudonym-key" in text
        assert "POVMON_PSEUDONYM_KEY_FILE=%d/pseudonym-key" in text
        assert "POVMON_PSEUDONYM_KEY=" not in text  # the key itself is in no environment
        (tmp_path / name).write_text(text.replace("/opt/povmon", str(REPO_ROOT)))
        units.append(str(tmp_path / name))
    checked = subprocess.run([shutil.which("systemd-analyze") or "systemd-analyze", "verify",
                              *units], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
