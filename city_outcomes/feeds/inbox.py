"""Watching a feed's inbox: which files are there, which are settled, and which are new, changed or gone.

A department's export is often copied into the inbox slowly (a network share, a vendor's upload). A
file modified less than the settling time ago (``ingest.settle_seconds``, or the feed's own
``settle_seconds``) is taken to be still on its way: it is left for a later run rather than
ingested half-written. A growing file is caught by its modification time, which every write moves.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from city_outcomes.config import CityConfig


@dataclass(frozen=True)
class UnsettledFile:
    """A file of a feed that changed too recently to be read: it may still be being written."""

    feed: str
    path: Path
    changed_seconds_ago: float
    settle_seconds: float
    setting: str  # the setting that decides the settling time, e.g. ingest.settle_seconds

    def why(self) -> str:
        """E.g. ``changed 12 s ago, waiting until it has been unchanged for 60 s (ingest.settle_seconds)``."""
        age = max(self.changed_seconds_ago, 0.0)
        return f"changed {age:.0f} s ago, waiting until it has been unchanged for {self.settle_seconds:g} s ({self.setting})"

    def message(self) -> str:
        """E.g. ``feed X: file Y changed 12 s ago, waiting until it has been unchanged for 60 s (ingest.settle_seconds)``."""
        return f"feed {self.feed}: file {self.path} {self.why()}"


def settle_setting(city: CityConfig, feed_name: str) -> tuple[float, str]:
    """The settling time of a feed, in seconds, and the name of the setting it comes from."""
    own = city.feeds[feed_name].settle_seconds
    if own is not None:
        return own, f"feeds.{feed_name}.settle_seconds"
    return city.ingest.settle_seconds, "ingest.settle_seconds"


def settled_files(city: CityConfig, feed_name: str, now: float | None = None) -> tuple[list[Path], list[UnsettledFile]]:
    """A feed's current files split in two: settled (safe to read) and unsettled (changed too recently).

    ``now`` is the time to judge by (seconds since the epoch; default: the current time). A file is
    unsettled if its modification time is less than the settling time before ``now``, or after it.
    """
    now = time.time() if now is None else now
    settle, setting = settle_setting(city, feed_name)
    settled, unsettled = [], []
    for path in city.feed_files(feed_name):
        try:
            modified = path.stat().st_mtime
        except FileNotFoundError:
            continue  # removed since the folder was listed
        age = now - modified
        if settle > 0 and age < settle:
            unsettled.append(UnsettledFile(feed_name, path, age, settle, setting))
        else:
            settled.append(path)
    return settled, unsettled


def inbox_state(city: CityConfig, feed_name: str, paths: list[Path] | None = None) -> dict[str, list[int]]:
    """Each current file of the feed (or each of ``paths``): its size and modification time (cheap; hashing happens at landing)."""
    state = {}
    for path in city.feed_files(feed_name) if paths is None else paths:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        state[str(path)] = [stat.st_size, stat.st_mtime_ns]
    return state


def settled_state(city: CityConfig, feed_name: str, cursor: str | None, now: float | None = None) -> tuple[dict[str, list[int]], list[UnsettledFile]]:
    """The inbox state a sensor may act on, and the files it must wait for.

    Settled files appear as they are. An unsettled file keeps the signature ``cursor`` recorded for it
    (a file being rewritten is neither changed nor removed until it settles), and a new unsettled
    file is left out, so that it counts as new once it has settled.
    """
    settled, unsettled = settled_files(city, feed_name, now)
    previous: dict[str, list[int]] = json.loads(cursor) if cursor else {}
    state = inbox_state(city, feed_name, settled)
    for file in unsettled:
        if str(file.path) in previous:
            state[str(file.path)] = previous[str(file.path)]
    return state, unsettled


def changed_files(cursor: str | None, state: dict[str, list[int]]) -> list[str]:
    """Files that are new, changed or removed relative to the state saved in ``cursor``."""
    previous: dict[str, list[int]] = json.loads(cursor) if cursor else {}
    changed = [path for path, signature in state.items() if previous.get(path) != signature]
    removed = [path for path in previous if path not in state]
    return sorted(changed + removed)
