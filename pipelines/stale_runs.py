"""Runs left "started" by a process that was killed: found by the process tags, marked failed.

A run executed in process (`city-outcomes run`) that is killed with SIGKILL cannot report its own
end, and no daemon watches it. The next run of the same warehouse, once it holds the warehouse's
lock, looks for runs of that warehouse still marked started whose recorded process is gone, and
marks them failed, saying so.
"""

from __future__ import annotations

import socket
from pathlib import Path

import dagster as dg

from city_outcomes.locking import display_path, process_alive
from pipelines.run_tags import HOST_TAG, PID_TAG, PROCESS_START_TAG, WAREHOUSE_TAG


def run_source(run: dg.DagsterRun) -> str:
    """Who started a run, in a few words: a sensor, the schedule, a backfill, or its job (the UI, the CLI)."""
    tags = run.tags
    if "dagster/sensor_name" in tags:
        return f"sensor {tags['dagster/sensor_name']}"
    if "dagster/schedule_name" in tags:
        return f"schedule {tags['dagster/schedule_name']}"
    if "dagster/backfill" in tags:
        return f"backfill {tags['dagster/backfill']}"
    if run.job_name == "__ASSET_JOB":
        return "assets materialized from the asset graph"
    return f"job {run.job_name}"


def fail_abandoned_runs(instance: dg.DagsterInstance, warehouse_path: Path | str) -> list[str]:
    """Mark failed this warehouse's runs still marked started whose process (on this host) is gone.

    Returns one message per run marked. Runs of other hosts, and runs without process tags, are
    left alone: nothing here can tell whether they still run.
    """
    warehouse = str(Path(warehouse_path).resolve())
    started = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED], tags={WAREHOUSE_TAG: warehouse}))
    messages = []
    for run in started:
        pid, host = run.tags.get(PID_TAG, ""), run.tags.get(HOST_TAG)
        if not pid.isdigit() or host != socket.gethostname() or process_alive(int(pid), run.tags.get(PROCESS_START_TAG)):
            continue
        message = (
            f"Run {run.run_id[:8]} ({run_source(run)}) of {display_path(warehouse)} was still marked started, but its "
            f"process (pid {pid}) is gone, killed before it could finish: marked it failed."
        )
        instance.report_run_failed(run, message)
        messages.append(message)
    return messages
