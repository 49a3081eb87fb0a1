"""Configuration problems in one line each, with the file and the line: `city-outcomes check-config`,
and every command (and the Dagster code location) loading a broken city file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from city_outcomes.config import PROJECT_ROOT, load_city_config
from city_outcomes.config_errors import ConfigError
from pipelines.cli import app
from tests.conftest import REALDATA

FIXTURES = Path(__file__).parent / "fixtures" / "config"
EXAMPLES = sorted((PROJECT_ROOT / "cities" / "examples").glob("*/city.yaml"))
BIN = Path(sys.executable).parent

# Every problem planted in fixtures/config/broken/, worked out by hand from the files:
# (file, line, dotted key, words the message must contain).
CITY_PROBLEMS = [
    ("city.yaml", 7, "city.gwp_set", "'AR7' is not allowed; allowed values: AR4, AR5, AR6"),
    ("city.yaml", 8, "city.first_month", "must be the first day of a month"),
    ("city.yaml", 9, "city.timezone", "'America/New_Yrok' is not an IANA time zone"),
    ("city.yaml", 10, "paths.site", "required key missing: add `site:` to paths"),  # at the mapping it belongs in
    ("city.yaml", 11, "paths.inbox", "does not exist"),  # check-config only: a run creates nothing there
    ("city.yaml", 16, "ingest.settle_seconds", "valid number"),
    ("city.yaml", 21, "feeds.building_energy.format", "'csvv' is not allowed; allowed values: csv, json, xml, xlsx; did you mean 'csv'?"),
    ("city.yaml", 22, "feeds.building_energy.delimeter", "unknown key; allowed keys here: contract, path, format,"),
    ("city.yaml", 25, "feeds.building_energy.columns.quantty", "is not a column of contract building_energy; its columns: period_month, building_id"),
    ("city.yaml", 27, "feeds.building_energy.date_formats.period_month", "'MM/YYYY' is not a strptime format"),
    ("city.yaml", 30, "feeds.building_energy.constants.unit", "duplicate key (also on line 29)"),
    ("city.yaml", 32, "feeds.trips.contract", "'micromobility_trip' is not a data contract"),
    ("city.yaml", 34, "feeds.fleet.contract", "required key missing: add `contract:` to feeds.fleet"),
    ("city.yaml", 36, "feeds.fleet.timezone", "'Mars/Olympus' is not an IANA time zone"),
    ("privacy.yaml", 4, "actions.phone", "'shred' is not allowed; allowed values: drop, hash, coarsen_to_tract, keep"),
    ("privacy.yaml", 6, "actions.coordinates", "coordinates cannot be hashed (a hashed point is not a place); allowed values: drop, coarsen_to_tract, keep"),
    ("privacy.yaml", 7, "actions.emial", "unknown personal field kind; kinds: name, email,"),
]


def _broken(tmp_path: Path, name: str = "broken") -> Path:
    """A copy of a fixture city folder (its relative paths then point inside tmp_path)."""
    shutil.copytree(FIXTURES / name, tmp_path / name)
    return tmp_path / name / "city.yaml"


def _problem_lines(output: str, folder: Path) -> list[str]:
    """The output's problem lines (FILE:LINE: ...) for files in ``folder``."""
    pattern = re.compile(re.escape(str(folder) + os.sep) + r"[^:]+:\d+: ")
    return [line for line in output.splitlines() if pattern.match(line)]


def _assert_listed(lines: list[str], folder: Path, expected: list[tuple[str, int, str, str]]) -> None:
    for file, line, where, words in expected:
        prefix = f"{folder / file}:{line}: {where}: "
        found = [text for text in lines if text.startswith(prefix)]
        assert len(found) == 1, f"{prefix} not listed once in:\n" + "\n".join(lines)
        assert words in found[0], found[0]
    assert len(lines) == len(expected), "\n".join(lines)


def test_check_config_lists_every_problem_of_a_broken_city_with_its_line(tmp_path: Path) -> None:
    city = _broken(tmp_path)
    result = CliRunner().invoke(app, ["check-config", str(city)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    _assert_listed(_problem_lines(result.output, city.parent), city.parent, CITY_PROBLEMS)
    assert f"{city}: {len(CITY_PROBLEMS)} error(s), 0 warning(s)" in result.output


def test_a_yaml_syntax_error_is_one_line_with_its_line_and_column(tmp_path: Path) -> None:
    city = _broken(tmp_path, "syntax")
    result = CliRunner().invoke(app, ["check-config", str(city)])
    assert result.exit_code == 1
    assert _problem_lines(result.output, city.parent) == [f"{city}:6: YAML syntax error at column 15: mapping values are not allowed here"]


def test_a_run_of_the_broken_city_prints_one_line_per_problem_and_no_traceback(tmp_path: Path) -> None:
    city = _broken(tmp_path)
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home"), "DAGSTER_DISABLE_TELEMETRY": "true"}
    completed = subprocess.run([str(BIN / "city-outcomes"), "run", "--city", str(city)], env=env, capture_output=True, text=True, timeout=300)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 2, output
    assert "Traceback" not in output and "validation error" not in output
    # The same problems, less the inbox (a run does not require it to exist yet).
    _assert_listed(_problem_lines(output, city.parent), city.parent, [p for p in CITY_PROBLEMS if p[2] != "paths.inbox"])
    assert not (tmp_path / "broken" / "warehouse.duckdb").exists()


def test_summary_and_the_dagster_code_location_name_the_line_too(tmp_path: Path) -> None:
    city = _broken(tmp_path)
    summary = CliRunner().invoke(app, ["summary", "--city", str(city)])
    assert summary.exit_code == 2 and "Traceback" not in summary.output
    assert f"{city}:21: feeds.building_energy.format: 'csvv' is not allowed; allowed values: csv, json, xml, xlsx" in summary.output
    # What `dagster dev`, the UI's code location and `make validate` load: one error carrying every problem.
    with pytest.raises(ConfigError) as raised:
        load_city_config(city)
    assert len(raised.value.issues) == len(CITY_PROBLEMS) - 1
    (tmp_path / "home").mkdir()
    env = {**os.environ, "CITY_OUTCOMES_CITY": str(city), "DAGSTER_HOME": str(tmp_path / "home"), "DAGSTER_DISABLE_TELEMETRY": "true"}
    completed = subprocess.run([str(BIN / "dagster"), "definitions", "validate", "-w", "workspace.yaml"],
                               cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert f"{city}:22: feeds.building_energy.delimeter: unknown key" in output
    assert "pydantic" not in output


def test_the_time_zone_rule_is_listed_beside_other_problems(tmp_path: Path) -> None:
    # A timestamped feed needs city.timezone; the rule is reported even when another setting is also wrong.
    text = (
        "city:\n"                                   # 1
        "  name: Zoneless\n"                        # 2
        "  state: ZZ\n"                             # 3
        "  grid_subregion: RFCE\n"                  # 4
        "  factor_set: epa_ghg_hub_2021\n"          # 5
        "  gwp_set: AR4\n"                          # 6
        "  first_month: 2024-01-01\n"               # 7
        "paths: {inbox: inbox, landing: landing, warehouse: w.duckdb, site: site}\n"  # 8
        "feeds:\n"                                  # 9
        "  chargers:\n"                             # 10
        "    contract: ev_charging_sessions\n"      # 11
        "    path: ev/*.csv\n"                      # 12
        "    encodng: latin-1\n"                    # 13
    )
    (tmp_path / "city.yaml").write_text(text)
    (tmp_path / "inbox").mkdir()
    result = CliRunner().invoke(app, ["check-config", str(tmp_path / "city.yaml")])
    assert result.exit_code == 1
    lines = _problem_lines(result.output, tmp_path)
    assert lines[0].startswith(f"{tmp_path / 'city.yaml'}:1: city.timezone: required: feeds chargers are timestamped")
    # A feed no file matches is a warning, not an error.
    assert lines[1] == f"{tmp_path / 'city.yaml'}:12: warning: feeds.chargers.path: no file matches 'ev/*.csv' under {tmp_path / 'inbox'}; " \
                       f"the folder {tmp_path / 'inbox' / 'ev'} does not exist (a warning: the export may come later)"
    assert lines[2].startswith(f"{tmp_path / 'city.yaml'}:13: feeds.chargers.encodng: unknown key;") and lines[2].endswith("did you mean 'encoding'?")
    assert len(lines) == 3


def test_a_city_with_only_warnings_passes(tmp_path: Path) -> None:
    raw = yaml.safe_load((PROJECT_ROOT / "cities" / "demo" / "city.yaml").read_text())
    raw["paths"] = {"inbox": "inbox", "landing": "landing", "warehouse": "warehouse.duckdb", "site": "site"}
    (tmp_path / "inbox").mkdir()
    (tmp_path / "city.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    result = CliRunner().invoke(app, ["check-config", str(tmp_path / "city.yaml")])
    assert result.exit_code == 0, result.output
    lines = _problem_lines(result.output, tmp_path)
    assert lines and all(": warning: feeds." in line and "no file matches" in line for line in lines)
    assert len(lines) == len(raw["feeds"])  # every feed of the demo city, none of them with a file here


@pytest.mark.skipif(not REALDATA.is_dir(), reason="needs ../shared/realdata (the real public samples the examples read)")
@pytest.mark.parametrize("city", EXAMPLES, ids=[path.parent.name for path in EXAMPLES])
def test_every_example_city_passes(city: Path) -> None:
    result = CliRunner().invoke(app, ["check-config", str(city)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("feeds)") and "warning" not in result.output, result.output
