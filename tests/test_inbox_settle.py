"""Files still being written into the inbox wait: a file changed within ingest.settle_seconds is left for later."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml
from typer.testing import CliRunner

from city_outcomes.config import DEMO_CITY_CONFIG, CityConfig
from city_outcomes.demo import generate
from city_outcomes.demo.generator import DEMO_MTIME, render
from city_outcomes.feeds.inbox import settled_files
from pipelines.definitions import build_definitions
from tests.conftest import write_city

HEADER = "Facility ID,Facility Name,Service Month,Commodity,Usage,UOM,Cost ($)\n"
LONG_AGO = time.time() - 86_400


def energy_city(folder: Path, settle: float | None = 60, feed_settle: float | None = None) -> CityConfig:
    demo = yaml.safe_load(DEMO_CITY_CONFIG.read_text())["feeds"]
    feeds = {name: demo[name] for name in ("buildings", "building_energy")}
    if feed_settle is not None:
        feeds["building_energy"]["settle_seconds"] = feed_settle
    city = write_city(folder, feeds=feeds, ingest={} if settle is None else {"settle_seconds": settle})
    for relative, content in render():
        if relative.startswith(("facilities/", "building_energy/")):
            target = city.inbox_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            os.utime(target, (LONG_AGO, LONG_AGO))
    return city


def test_a_file_touched_now_waits_and_one_changed_long_ago_is_read(tmp_path: Path) -> None:
    city = energy_city(tmp_path)
    folder = city.inbox_dir / "building_energy"
    old, new = folder / "utility_bills_2023.csv", folder / "utility_bills_2026.csv"
    new.write_text(HEADER)
    changed = new.stat().st_mtime

    settled, unsettled = settled_files(city, "building_energy", now=changed + 12)
    assert old in settled and new not in settled
    (waiting,) = unsettled
    assert (waiting.path, waiting.settle_seconds, waiting.setting) == (new, 60, "ingest.settle_seconds")
    assert waiting.message() == f"feed building_energy: file {new} changed 12 s ago, waiting until it has been unchanged for 60 s (ingest.settle_seconds)"
    # Unchanged for the whole settling time: read.
    assert settled_files(city, "building_energy", now=changed + 60) == (sorted([*settled, new]), [])
    # Judged by the real clock, a file written a moment ago waits.
    assert [f.path for f in settled_files(city, "building_energy")[1]] == [new]


def test_a_feed_can_have_its_own_settling_time(tmp_path: Path) -> None:
    city = energy_city(tmp_path, feed_settle=600)
    new = city.inbox_dir / "building_energy" / "utility_bills_2026.csv"
    new.write_text(HEADER)
    (waiting,) = settled_files(city, "building_energy", now=new.stat().st_mtime + 60)[1]
    assert waiting.message().endswith("waiting until it has been unchanged for 600 s (feeds.building_energy.settle_seconds)")
    # The other feed keeps the city's setting; a setting of 0 reads every file at once.
    assert settled_files(city, "buildings")[1] == []
    (tmp_path / "eager").mkdir()
    eager = energy_city(tmp_path / "eager", settle=0)
    (eager.inbox_dir / "building_energy" / "utility_bills_2026.csv").write_text(HEADER)
    assert settled_files(eager, "building_energy")[1] == []


def test_a_file_being_appended_to_waits_until_it_stops_growing(tmp_path: Path) -> None:
    city = energy_city(tmp_path)
    growing = city.inbox_dir / "building_energy" / "utility_bills_2023.csv"
    assert growing in settled_files(city, "building_energy")[0]
    for _ in range(3):  # an export still being copied in: every write moves its modification time
        with growing.open("a") as out:
            out.write("F-0101,City Hall,01/2023,Electric,10,KWH,1.30\n")
        settled, unsettled = settled_files(city, "building_energy")
        assert growing not in settled and [f.path for f in unsettled] == [growing]
        time.sleep(0.05)
    assert growing in settled_files(city, "building_energy", now=growing.stat().st_mtime + 61)[0]


def _sensor(city: CityConfig, cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    defs = build_definitions(city)
    sensor = next(s for s in defs.sensors if s.name == "building_energy_inbox")
    with dg.DagsterInstance.ephemeral() as instance:
        return sensor(dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs))


def test_the_sensor_waits_for_unsettled_files_and_says_so(tmp_path: Path) -> None:
    city = energy_city(tmp_path)
    folder = city.inbox_dir / "building_energy"
    new = folder / "utility_bills_2026.csv"
    new.write_text(HEADER)

    # Settled files that changed get a run; the new file is named in the run's tags, not yet in the cursor.
    first = _sensor(city, None)
    assert isinstance(first, dg.SensorResult)
    (request,) = first.run_requests
    assert str(folder / "utility_bills_2024.csv") in request.tags["city_outcomes/changed_files"]
    assert str(new) not in request.tags["city_outcomes/changed_files"]
    assert request.tags["city_outcomes/unsettled_files"] == str(new)
    assert str(new) not in first.cursor

    # Nothing else changed: the sensor skips, naming the file it waits for and the setting.
    waiting = _sensor(city, first.cursor)
    assert isinstance(waiting, dg.SkipReason)
    assert re.fullmatch(
        rf"feed building_energy: file {re.escape(str(new))} changed \d+ s ago, waiting until it has been unchanged for 60 s \(ingest\.settle_seconds\)",
        waiting.skip_message,
    )

    # A file the cursor knows, being rewritten, is neither changed nor gone until it settles.
    rewritten = folder / "utility_bills_2023.csv"
    rewritten.write_bytes(rewritten.read_bytes() + b"F-0101,City Hall,01/2023,Natural Gas,10,THERMS,9.10\n")
    still = _sensor(city, first.cursor)
    assert isinstance(still, dg.SkipReason) and str(rewritten) in still.skip_message and str(new) in still.skip_message

    # Once both have been unchanged long enough, one run reads them.
    for path in (new, rewritten):
        os.utime(path, (LONG_AGO, LONG_AGO))
    settled = _sensor(city, first.cursor)
    assert isinstance(settled, dg.SensorResult)
    assert settled.run_requests[0].tags["city_outcomes/changed_files"] == ", ".join(sorted([str(rewritten), str(new)]))
    assert "city_outcomes/unsettled_files" not in settled.run_requests[0].tags


def test_city_outcomes_run_says_which_files_it_leaves_for_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.cli import app

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    city = energy_city(tmp_path)
    new = city.inbox_dir / "building_energy" / "utility_bills_2026.csv"
    new.write_text(HEADER)
    result = CliRunner().invoke(app, ["run", "--city", str(city.config_path)])
    assert result.exit_code == 0, result.output
    assert re.search(
        rf"Not reading yet \(still being written\?\): feed building_energy: file {re.escape(str(new))} changed \d+ s ago, waiting until it has been unchanged for 60 s \(ingest\.settle_seconds\)",
        result.output,
    ), result.output
    assert "utility_bills_2023.csv" not in result.output


def test_demo_files_are_settled_as_soon_as_they_are_generated(tmp_path: Path) -> None:
    city = write_city(tmp_path, ingest={})  # the default settling time
    assert city.ingest.settle_seconds == 60
    written = generate(city.inbox_dir)
    assert {path.stat().st_mtime for path in written} == {DEMO_MTIME}
    # Nothing held back, the reference data shipped with the code included (its files are as new as the checkout).
    assert all(settled_files(city, name)[1] == [] for name in city.feeds)
