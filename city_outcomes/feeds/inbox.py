"""Watching a feed's inbox: which files are there, and which are new, changed or gone since last time."""

from __future__ import annotations

import json

from city_outcomes.config import CityConfig


def inbox_state(city: CityConfig, feed_name: str) -> dict[str, list[int]]:
    """Each current file of the feed: its size and modification time (cheap; hashing happens at landing)."""
    state = {}
    for path in city.feed_files(feed_name):
        stat = path.stat()
        state[str(path)] = [stat.st_size, stat.st_mtime_ns]
    return state


def changed_files(cursor: str | None, state: dict[str, list[int]]) -> list[str]:
    """Files that are new, changed or removed relative to the state saved in ``cursor``."""
    previous: dict[str, list[int]] = json.loads(cursor) if cursor else {}
    changed = [path for path, signature in state.items() if previous.get(path) != signature]
    removed = [path for path in previous if path not in state]
    return sorted(changed + removed)
