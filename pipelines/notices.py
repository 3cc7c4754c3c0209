"""A failed night, told to the office: a notice file it can route (a mail rule, a ticket
system's folder watch, a monitoring agent), the Dagster log, and optionally a mail.

Files go to POVMON_NOTICE_DIR (default ``<warehouse dir>/notices``), one per failed run,
named ``<night>_<run id>_failed.txt``. With POVMON_NOTICE_MAIL_TO (addresses separated by
commas) the same text is mailed through POVMON_SMTP_HOST (default localhost:25, the
server's own mail relay). A notice names the failed steps and their errors; it holds no
personal data (step errors name files and checks, never records).
"""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from pipelines.core.settings import NoticeSettings


@dataclass(frozen=True)
class FailedRun:
    run_id: str
    night: str
    job: str
    failures: list[tuple[str, str]]  # (step, error)


def step_error(event: Any) -> str:
    """What failed, innermost: a failed step's error (a DagsterEvent's) is Dagster's
    "Execution of step … failed" around the real one."""
    info = getattr(event.event_specific_data, "error", None)
    if info is None:
        return (event.message or "").strip()
    while info.cause is not None:
        info = info.cause
    return info.message.strip()


def notice_text(run: FailedRun) -> str:
    steps = "\n".join(f"  - {step}: {error}" for step, error in run.failures) or "  - (none recorded)"
    return (f"povmon：{run.night} 夜间运行失败 / the night's run FAILED\n"
            f"job {run.job}, run {run.run_id}\n"
            f"failed steps:\n{steps}\n"
            "The published marts are still the previous night's (nothing half-built is "
            "published). What to do: open the run in the Dagster UI (Runs → this run id) or "
            "the run's log, fix what the first failed step says, then launch the job again "
            "(the night's date is kept).\n")


def write_notice(run: FailedRun, folder: Path, mail: NoticeSettings) -> Path:
    """The notice file, and the mail when addresses are configured; the file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run.night}_{run.run_id}_failed.txt"
    text = notice_text(run)
    path.write_text(text, encoding="utf-8")
    if mail.mail_to:
        message = EmailMessage()
        message["Subject"] = f"povmon: {run.night} 夜间运行失败 (run {run.run_id[:8]})"
        message["From"] = f"povmon@{os.uname().nodename}"
        message["To"] = ", ".join(mail.mail_to)
        message.set_content(text)
        host, _, port = mail.smtp_host.partition(":")
        with smtplib.SMTP(host, int(port or 25), timeout=30) as smtp:
            smtp.send_message(message)
    return path
