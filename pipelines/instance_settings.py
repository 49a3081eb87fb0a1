"""Dagster's instance settings ($DAGSTER_HOME/dagster.yaml), from one template for `make` and the CLI.

The template, ``pipelines/dagster.yaml``, says what city-outcomes needs of the instance: no telemetry,
one run at a time per warehouse in the run queue, run monitoring. A new instance gets the template as
it is; an instance from an older checkout keeps its own settings and gains the missing ones.

``python -m pipelines.instance_settings DAGSTER_HOME`` applies it (the Makefile does); it imports only
PyYAML, so it costs nothing next to starting Dagster.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Any

import yaml

TEMPLATE = Path(__file__).with_name("dagster.yaml")
# Settings an existing file may not turn off: without them a second writer breaks the first, a
# killed run stays "started", or something reaches the network.
FORCED = (("telemetry", "enabled"), ("run_monitoring", "enabled"))


def required_settings() -> dict[str, Any]:
    """The template's settings."""
    return yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))


def merge_settings(existing: dict[str, Any], required: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``existing`` with what ``required`` adds; and a line per change, for the user."""
    merged = copy.deepcopy(existing)
    changes: list[str] = []
    limits_required = required.get("concurrency", {}).get("runs", {}).get("tag_concurrency_limits", [])
    for key, value in required.items():
        if key == "concurrency":
            continue
        _merge_missing(merged, key, value, key, changes)
    for path in FORCED:
        want = _get(required, path)
        if _get(merged, path) != want:
            _set(merged, path, want)
            changes.append(f"set {'.'.join(path)}: {str(want).lower()}")
    limits = _tag_limits(merged)
    for limit in limits_required:
        current = next((item for item in limits if isinstance(item, dict) and item.get("key") == limit["key"]), None)
        if current != limit:
            if current is not None:
                limits.remove(current)
            limits.append(copy.deepcopy(limit))
            changes.append(f"one run at a time per value of tag {limit['key']} (tag_concurrency_limits)")
    return merged, changes


def ensure_instance_settings(home: Path | str) -> list[str]:
    """Write ``home``/dagster.yaml from the template, or upgrade an existing one; return what an upgrade changed."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.exists():
        _replace(settings, TEMPLATE.read_text(encoding="utf-8"))
        return []
    existing = yaml.safe_load(settings.read_text(encoding="utf-8")) or {}
    if not isinstance(existing, dict):
        raise ValueError(f"{settings} is not a YAML mapping; remove it and it is written again from {TEMPLATE}")
    merged, changes = merge_settings(existing, required_settings())
    if changes:
        _replace(settings, "# Upgraded by city-outcomes from pipelines/dagster.yaml (comments are not kept).\n" + yaml.safe_dump(merged, sort_keys=False))
    return changes


def _merge_missing(target: dict[str, Any], key: str, value: Any, where: str, changes: list[str]) -> None:
    if key not in target:
        target[key] = copy.deepcopy(value)
        changes.append(f"added {where}")
    elif isinstance(value, dict) and isinstance(target[key], dict):
        for sub_key, sub_value in value.items():
            _merge_missing(target[key], sub_key, sub_value, f"{where}.{sub_key}", changes)


def _tag_limits(settings: dict[str, Any]) -> list[Any]:
    # Dagster refuses tag limits in both `concurrency.runs` and the older `run_queue` / run coordinator
    # config: add ours where the file already keeps its limits.
    for path in (("run_queue",), ("run_coordinator", "config")):
        section = _get(settings, path)
        if isinstance(section, dict) and section.get("tag_concurrency_limits") is not None:
            return section["tag_concurrency_limits"]
    runs = settings.setdefault("concurrency", {}).setdefault("runs", {})
    if runs.get("tag_concurrency_limits") is None:
        runs["tag_concurrency_limits"] = []
    return runs["tag_concurrency_limits"]


def _get(settings: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(settings, dict):
            return None
        settings = settings.get(key)
    return settings


def _set(settings: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        if not isinstance(settings.get(key), dict):
            settings[key] = {}
        settings = settings[key]
    settings[path[-1]] = value


def _replace(target: Path, text: str) -> None:
    # Two commands may start at once: each writes its own file and renames it into place, so Dagster
    # never reads half a file.
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, target)


if __name__ == "__main__":
    for change in ensure_instance_settings(sys.argv[1] if len(sys.argv) > 1 else os.environ["DAGSTER_HOME"]):
        print(f"Dagster instance settings: {change}")
