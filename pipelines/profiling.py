"""Seconds and peak memory per step of a run, for `povmon run --profile` and the benchmark.

A background thread samples, twice a second, the resident memory of this process and of
every process it started (dbt runs as a subprocess), from /proc. After the run each
Dagster step gets its wall time and the largest single process seen while it ran: the
figure the memory target is about ("peak memory of any process").
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

SAMPLE_SECONDS = 0.5


def _tree_rss_mib(root: int) -> float:
    """The largest resident set (MiB) among ``root`` and its descendants."""
    parents, rss = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = dict(line.split(":", 1) for line in (entry / "status").read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue  # the process ended while we looked
        parents[int(entry.name)] = int(status["PPid"])
        rss[int(entry.name)] = int(status.get("VmRSS", "0 kB").split()[0]) / 1024
    tree = {root}
    grew = True
    while grew:
        children = {pid for pid, parent in parents.items() if parent in tree} - tree
        grew = bool(children)
        tree |= children
    return max(rss.get(pid, 0.0) for pid in tree)


@dataclass
class MemorySampler:
    """Samples (time, largest process MiB) until stopped."""

    samples: list[tuple[float, float]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.samples.append((time.time(), _tree_rss_mib(os.getpid())))

    def peak_between(self, start: float, end: float) -> float:
        return max((mib for t, mib in self.samples if start <= t <= end), default=0.0)


def step_profile(instance: dg.DagsterInstance, run_id: str,
                 sampler: MemorySampler) -> list[tuple[str, float, float]]:
    """(step, seconds, peak MiB of any process) for every step of the run, in order."""
    started: dict[str, float] = {}
    rows = []
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            started[event.step_key] = entry.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS,
                                  dg.DagsterEventType.STEP_FAILURE):
            begin = started.get(event.step_key, entry.timestamp)
            rows.append((event.step_key, entry.timestamp - begin,
                         sampler.peak_between(begin, entry.timestamp)))
    return rows


def profile_table(rows: list[tuple[str, float, float]], total_seconds: float,
                  peak_mib: float) -> str:
    """The steps as a markdown table, with the whole run's line last."""
    lines = ["| step | seconds | peak MiB (any process) |", "|---|---:|---:|"]
    lines += [f"| {step} | {seconds:,.1f} | {mib:,.0f} |" for step, seconds, mib in rows]
    lines.append(f"| **whole run** | {total_seconds:,.1f} | {peak_mib:,.0f} |")
    return "\n".join(lines)
