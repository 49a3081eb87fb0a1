"""Check a city's configuration file and its privacy policy, every problem with its line.

:func:`check_city_file` is what ``load_city_config`` (so every command and the Dagster code
location) and ``city-outcomes check-config`` run. Beyond the schema (pydantic, located by
:mod:`city_outcomes.config_errors`) it checks what a run would trip on later: contracts that exist,
a time zone for timestamped feeds, mappings keyed by columns the contract has, JSON Schemas that
resolve, a privacy policy that exists and validates. With ``files=True`` (check-config) it also
looks at the inbox: a missing inbox folder is an error, a feed no file matches a warning.

Which feed settings are keyed by contract columns is read from the model: a ``dict`` field whose
description starts "Contract column ->" (or "Contract <kind> column ->"), so keys added to
``FeedConfig`` later get the same check.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from city_outcomes.config import DEMO_CITY_CONFIG, REFERENCE_FEEDS, SPECS_DIR, CityConfig, FeedConfig
from city_outcomes.config_errors import ConfigError, ConfigIssue, YamlDocument, closest, errors_of, validate

# Keys the loader sets itself: a file that sets them is told so, not obeyed.
LOADER_KEYS = ("config_path",)
CONTRACT_KEYED = re.compile(r"^Contract (\w+ )?column ->")
EPOCH_FORMATS = ("epoch_s", "epoch_ms")


@dataclass(frozen=True)
class CityCheck:
    """What checking a city file found: the configuration (None if it could not be built) and every issue."""

    config: CityConfig | None
    issues: list[ConfigIssue]

    @property
    def errors(self) -> list[ConfigIssue]:
        return errors_of(self.issues)


def check_city_file(path: Path | str, files: bool = False) -> CityCheck:
    """Check a city file (raises FileNotFoundError if there is none) and the privacy policy it names.

    ``files`` also checks the inbox: its folder exists (an error) and each feed's glob matches a file (a warning).
    """
    path = Path(path).resolve()
    doc = YamlDocument.read(path)
    issues = list(doc.issues)
    if not doc.parsed:
        return CityCheck(None, issues)
    raw = doc.data
    if not isinstance(raw, dict):
        issues.append(ConfigIssue(path, 1, "", "a city file is a YAML mapping with city:, paths: and feeds: (see cities/demo/city.yaml)"))
        return CityCheck(None, issues)
    data = dict(raw)
    for key in LOADER_KEYS:
        if key in data:
            issues.append(doc.issue((key,), "set by city-outcomes (the file's own path), not in the file: remove it", at="key"))
            del data[key]
    user_feeds = data.get("feeds")
    if isinstance(user_feeds, dict):
        data["feeds"] = {**{name: dict(feed) for name, feed in REFERENCE_FEEDS.items()}, **user_feeds}
        issues += _feed_problems(doc, user_feeds, data["feeds"], path.parent)
    elif user_feeds is None:
        data["feeds"] = {name: dict(feed) for name, feed in REFERENCE_FEEDS.items()}
    issues += _time_zone_problems(doc, data)
    issues += _electricity_edition_problems(doc, data)
    config, model_issues = validate(doc, CityConfig, {**data, "config_path": path}, internal=LOADER_KEYS)
    issues += model_issues
    if isinstance(raw.get("privacy"), str):
        issues += _privacy_problems(doc, path.parent / raw["privacy"])
    if files:
        issues += _inbox_problems(doc, raw, user_feeds if isinstance(user_feeds, dict) else {})
    # One listing in file order: the city file's lines first, then the policy's.
    issues = sorted(dict.fromkeys(issues), key=lambda issue: (issue.file != path, issue.line))
    return CityCheck(config if isinstance(config, CityConfig) and not errors_of(issues) else None, issues)


def load_checked_city(path: Path | str) -> CityConfig:
    """The city's configuration, or a :class:`ConfigError` carrying every error, one line each."""
    path = Path(path).resolve()
    try:
        checked = check_city_file(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"City configuration not found: {path}") from None
    if checked.errors or checked.config is None:
        raise ConfigError(checked.errors)
    return checked.config


def _contract_keyed_fields() -> list[str]:
    """FeedConfig's settings keyed by contract columns (by their documented meaning, not a list kept here)."""
    return [
        name for name, info in FeedConfig.model_fields.items()
        if get_origin(info.annotation) is dict and CONTRACT_KEYED.match(info.description or "")
    ]


def _feed_problems(doc: YamlDocument, user_feeds: dict[Any, Any], feeds: dict[Any, Any], base: Path) -> list[ConfigIssue]:
    """Contracts that do not exist, settings keyed by columns the contract lacks, bad zones and date formats,
    JSON Schemas that do not resolve (resolved ones are replaced in ``feeds`` by their path)."""
    from data_contracts import all_contracts

    contracts = all_contracts()
    issues: list[ConfigIssue] = []
    keyed = _contract_keyed_fields()
    for name, feed in user_feeds.items():
        if not isinstance(feed, dict):
            continue  # pydantic says what a feed must be
        loc = ("feeds", name)
        contract = contracts.get(feed.get("contract")) if isinstance(feed.get("contract"), str) else None
        if isinstance(feed.get("contract"), str) and contract is None:
            issues.append(doc.issue((*loc, "contract"), f"{feed['contract']!r} is not a data contract; contracts: {', '.join(sorted(contracts))}"
                                    f"{closest(feed['contract'], sorted(contracts))}"))
        if contract is not None:
            for setting in keyed:
                mapping = feed.get(setting)
                for column in mapping if isinstance(mapping, dict) else ():
                    if column not in contract.columns:
                        issues.append(doc.issue((*loc, setting, column), f"{column!r} is not a column of contract {contract.name}; its columns: "
                                                f"{', '.join(contract.columns)}{closest(column, contract.columns)}", at="key"))
        if contract is not None and feed.get("cadence") in ("monthly", "quarterly", "annual") and not contract.time_column:
            # Freshness is judged from the time column: without one a cadence could never be met.
            issues.append(doc.issue((*loc, "cadence"), f"contract {contract.name} has no time column, so the feed's periods cannot be told: "
                                    "write `cadence: none` (reference data) or leave it out"))
        zone = feed.get("timezone")
        if isinstance(zone, str) and not _is_zone(zone):
            issues.append(doc.issue((*loc, "timezone"), f"{zone!r} is not an IANA time zone; write one like America/Los_Angeles{closest(zone, _zones())}"))
        formats = feed.get("date_formats")
        for column, text in formats.items() if isinstance(formats, dict) else ():
            if isinstance(text, str) and text not in EPOCH_FORMATS and "%" not in text:
                issues.append(doc.issue((*loc, "date_formats", column), f"{text!r} is not a strptime format (e.g. '%m/%d/%Y') nor one of {', '.join(EPOCH_FORMATS)}"))
        schema = feed.get("json_schema")
        if isinstance(schema, str) and schema:
            resolved = next((candidate.resolve() for candidate in (SPECS_DIR / schema, base / schema) if candidate.is_file()), None)
            if resolved is None:
                shipped = sorted(str(p.relative_to(SPECS_DIR)) for p in SPECS_DIR.glob("*/*.json"))
                issues.append(doc.issue((*loc, "json_schema"), f"{schema!r} is neither shipped in data_contracts/specs/ ({', '.join(shipped)}) "
                                        f"nor a file next to the city configuration{closest(schema, shipped)}"))
            else:
                feeds[name] = {**feed, "json_schema": str(resolved)}
    return issues


def _time_zone_problems(doc: YamlDocument, data: dict[str, Any]) -> list[ConfigIssue]:
    """city.timezone is required when a feed is timestamped: its months are the city's local months."""
    from data_contracts import all_contracts

    city = data.get("city")
    if not isinstance(city, dict) or city.get("timezone") is not None:
        return []
    contracts = all_contracts()
    feeds = data.get("feeds") if isinstance(data.get("feeds"), dict) else {}
    timestamped = [
        str(name) for name, feed in feeds.items()
        if isinstance(feed, dict) and isinstance(feed.get("contract"), str) and feed["contract"] in contracts and contracts[feed["contract"]].timestamped
    ]
    if not timestamped:
        return []
    return [doc.issue(("city", "timezone"), f"required: feeds {', '.join(timestamped)} are timestamped, and their months are the city's "
                      "local months (set e.g. `timezone: America/New_York` under `city:`)", at="missing")]


def shipped_electricity_editions() -> dict[str, int]:
    """The electricity factor editions shipped in reference_data (factor set -> data year): those with total-output rates."""
    import csv
    from glob import glob

    editions: dict[str, int] = {}
    for name in sorted(glob(REFERENCE_FEEDS["emission_factors"]["path"])):
        with open(name, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["activity"] == "electricity" and row["rate_basis"] == "total_output":
                    editions[row["factor_set"]] = max(editions.get(row["factor_set"], 0), int(row["data_year"]))
    return editions


def _electricity_edition_problems(doc: YamlDocument, data: dict[str, Any]) -> list[ConfigIssue]:
    """city.electricity_factors names shipped editions, unless the city brings its own emission_factors feed
    (whose factor sets are known only when it is read: the metric names a missing one then, row by row)."""
    city = data.get("city")
    chosen = city.get("electricity_factors") if isinstance(city, dict) else None
    feeds = data.get("feeds") if isinstance(data.get("feeds"), dict) else {}
    own = [name for name, feed in feeds.items() if name != "emission_factors" and isinstance(feed, dict) and feed.get("contract") == "emission_factors"]
    if not isinstance(chosen, dict) or own or REFERENCE_FEEDS["emission_factors"]["path"] != feeds.get("emission_factors", {}).get("path"):
        return []
    editions = shipped_electricity_editions()
    shipped = ", ".join(f"{name} (data year {year})" for name, year in sorted(editions.items()))
    return [
        doc.issue(("city", "electricity_factors", year), f"{edition!r} is not a shipped electricity factor edition; shipped: {shipped}"
                  f"{closest(edition, sorted(editions))} (or add a feed of the emission_factors contract with its rates)")
        for year, edition in chosen.items()
        if isinstance(edition, str) and edition not in editions
    ]


def _privacy_problems(doc: YamlDocument, policy_path: Path) -> list[ConfigIssue]:
    """The privacy policy the city names: it exists and validates (its own problems at its own lines)."""
    try:
        return check_privacy_file(policy_path)[1]
    except FileNotFoundError:
        return [doc.issue(("privacy",), f"the privacy policy {policy_path.resolve()} does not exist (the path is relative to this file)")]


def check_privacy_file(path: Path) -> tuple[Any, list[ConfigIssue]]:
    """A privacy policy file (a ``PolicyFile``, or None) and its problems: the schema, unknown kinds, hashed coordinates."""
    from city_outcomes.feeds.privacy import PERSONAL_KINDS, PolicyFile

    path = path.resolve()
    doc = YamlDocument.read(path)
    issues = list(doc.issues)
    if not doc.parsed:
        return None, issues
    raw = {} if doc.data is None else doc.data
    if not isinstance(raw, dict):
        return None, [*issues, ConfigIssue(path, 1, "", "a privacy policy is a YAML mapping with actions:, salt_file: and small_cell_k:")]
    actions = raw.get("actions")
    for kind, action in actions.items() if isinstance(actions, dict) else ():
        if kind not in PERSONAL_KINDS:
            issues.append(doc.issue(("actions", kind), f"unknown personal field kind; kinds: {', '.join(PERSONAL_KINDS)}{closest(kind, PERSONAL_KINDS)}", at="key"))
        elif kind == "coordinates" and action == "hash":
            issues.append(doc.issue(("actions", kind), "coordinates cannot be hashed (a hashed point is not a place); allowed values: drop, coarsen_to_tract, keep"))
    policy, model_issues = validate(doc, PolicyFile, raw)
    issues += model_issues
    issues = sorted(dict.fromkeys(issues), key=lambda issue: issue.line)
    return (policy if not errors_of(issues) else None), issues


def load_privacy_file(path: Path) -> Any:
    """A privacy policy file as a ``PolicyFile``, or a :class:`ConfigError` carrying every error."""
    policy, issues = check_privacy_file(path)
    if policy is None:
        raise ConfigError(errors_of(issues))
    return policy


def _inbox_problems(doc: YamlDocument, raw: dict[str, Any], user_feeds: dict[Any, Any]) -> list[ConfigIssue]:
    """The inbox folder exists (an error; for the demo city a warning, as its first run generates it); each of
    the file's feeds matches a file (a warning: the export may come later). Read from the file as written, so
    this is checked even when other settings are wrong."""
    paths = raw.get("paths")
    if not isinstance(paths, dict) or not isinstance(paths.get("inbox"), str):
        return []
    inbox = (doc.path.parent / paths["inbox"]).resolve()
    if not inbox.is_dir():
        demo = doc.path == DEMO_CITY_CONFIG.resolve()
        hint = "; `make demo` (or the first `make run`) generates the demo city's files there" if demo else " (the path is relative to this file)"
        return [doc.issue(("paths", "inbox"), f"the inbox folder {inbox} does not exist{hint}", severity="warning" if demo else "error")]
    issues = []
    for name, feed in user_feeds.items():
        pattern = feed.get("path") if isinstance(feed, dict) else None
        if not isinstance(pattern, str):
            continue
        full = os.path.join(inbox, pattern)
        if any(Path(match).is_file() for match in glob.glob(full, recursive=True)):
            continue
        # The folder part before the first wildcard: is it there at all?
        fixed = Path(os.path.dirname(re.split(r"[*?[]", full, maxsplit=1)[0]))
        gone = "" if fixed.is_dir() else f"; the folder {fixed} does not exist"
        issues.append(doc.issue(("feeds", name, "path"), f"no file matches {pattern!r} under {inbox}{gone} (a warning: the export may come later)", severity="warning"))
    return issues


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _zones() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(available_timezones())
