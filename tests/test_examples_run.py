"""Every example city runs end to end through `city-outcomes run`, the command a new user types.

The examples read the real public samples in ``../shared/realdata``, or the one they ship beside
their configuration (``cities/examples/<name>/data``); each run here keeps that inbox but writes
its landing zone, warehouse, site and Dagster instance into a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from city_outcomes.config import PROJECT_ROOT, REFERENCE_FEEDS, load_city_config
from tests.conftest import REALDATA

EXAMPLES_DIR = PROJECT_ROOT / "cities" / "examples"
EXAMPLES = sorted(p.parent.name for p in EXAMPLES_DIR.glob("*/city.yaml"))


def _own_inbox(name: str) -> Path | None:
    """The inbox of an example that ships its sample in its own folder (None: it reads ../shared)."""
    inbox = load_city_config(EXAMPLES_DIR / name / "city.yaml").inbox_dir
    return inbox if inbox.is_relative_to(EXAMPLES_DIR / name) else None


def _example_in(folder: Path, name: str) -> Path:
    """The example's configuration with only its writable paths moved into ``folder``."""
    raw = yaml.safe_load((EXAMPLES_DIR / name / "city.yaml").read_text(encoding="utf-8"))
    inbox = _own_inbox(name) or REALDATA.resolve()
    raw["paths"] = {"inbox": str(inbox), "landing": "landing", "warehouse": "warehouse.duckdb", "site": "site"}
    raw["ingest"] = {"settle_seconds": 0}  # the samples may have been copied beside the checkout moments ago
    # A lookup's file is relative to the example's own file, which is not the one written here.
    for feed in raw["feeds"].values():
        for lookup in (feed.get("lookup") or {}).values():
            if "file" in lookup["from"]:
                lookup["from"]["file"] = str((PROJECT_ROOT / "cities" / "examples" / name / lookup["from"]["file"]).resolve())
    path = folder / "city.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_every_example_is_tested() -> None:
    # A city with only reference feeds (houston_hgac) is among them: it once crashed building the schedule.
    assert {"houston_hgac", "grants_pass", "palo_alto", "austin", "nyc_311", "seattle_benchmarking", "santa_barbara_ev_energy", "dvrpc_mercer_tracts", "san_francisco_open311", "epa_ghg_hub_workbook"} <= set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_through_the_cli(name: str, tmp_path: Path) -> None:
    if _own_inbox(name) is None and not REALDATA.is_dir():
        pytest.skip(f"example {name} reads the real data samples at {REALDATA}, which are absent")
    config = _example_in(tmp_path, name)
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dagster_home"), "DAGSTER_DISABLE_TELEMETRY": "true"}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "city-outcomes"), "run", "--city", str(config)],
        capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "feeds read" in result.stdout and (tmp_path / "site" / "index.html").is_file()
    own = [feed for feed in yaml.safe_load(config.read_text())["feeds"] if feed not in REFERENCE_FEEDS]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        ingested = {feed for (feed,) in conn.execute("SELECT DISTINCT feed FROM meta.file_reconciliation").fetchall()}
        written = conn.execute("SELECT sum(rows_written) FROM meta.file_reconciliation").fetchone()[0]
        counts = dict(conn.execute("SELECT feed, [sum(rows_read), sum(rows_written), sum(rows_quarantined), sum(rows_filtered)] FROM meta.file_reconciliation GROUP BY feed").fetchall())
        costs = conn.execute("SELECT count(cost_usd) FROM core.fleet_fuel").fetchone() if name == "grants_pass" else None
        people_of_color = conn.execute("SELECT count(share_people_of_color) FROM core.census_tracts").fetchone()[0] if name == "houston_hgac" else None
    assert set(own) <= ingested
    assert written > 0
    # What each key does, seen through the CLI (the values are checked row by row in test_realdata.py
    # and test_examples_shipped.py): the filter keeps the 59 heat requests of 300 and counts the other 241;
    # every accepted fuel purchase gets a derived cost; every tract with people gets a derived share.
    if name == "nyc_311":
        assert counts["service_requests"] == [300, 59, 0, 241]
    if name == "grants_pass":
        assert costs[0] == 1310  # every purchase written (its vehicle is in the fleet list the lookup reads)
    if name == "houston_hgac":
        assert people_of_color == 1104
