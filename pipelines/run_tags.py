"""Tags on the runs city-outcomes makes: which warehouse a run writes, and which process runs it.

The warehouse tag is what the instance's run queue limits to one run at a time per value
(pipelines/dagster.yaml); the process tags let the next run tell a run whose process was killed from
one still running (pipelines/stale_runs.py).
"""

from __future__ import annotations

import os
import socket

from city_outcomes.config import CityConfig
from city_outcomes.locking import process_start_token

WAREHOUSE_TAG = "city_outcomes/warehouse"
PID_TAG = "city_outcomes/pid"
HOST_TAG = "city_outcomes/host"
PROCESS_START_TAG = "city_outcomes/process_start"


def warehouse_tags(city: CityConfig) -> dict[str, str]:
    """The tag naming the warehouse a run writes (its resolved path)."""
    return {WAREHOUSE_TAG: str(city.warehouse_path)}


def process_tags() -> dict[str, str]:
    """Tags naming the current process, the one that executes the run."""
    pid = os.getpid()
    tags = {PID_TAG: str(pid), HOST_TAG: socket.gethostname()}
    token = process_start_token(pid)
    if token is not None:
        tags[PROCESS_START_TAG] = token
    return tags
