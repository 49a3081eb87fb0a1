"""Every example city runs end to end through `city-outcomes run`, the command a new user types.

The examples read the real public samples in ``../shared/realdata``; each run here keeps that inbox
but writes its landing zone, warehouse, site and Dagster instance into a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from city_outcomes.config import PROJECT_ROOT, REFERENCE_FEEDS
from tests.conftest import REALDATA

EXAMPLES = sorted(p.parent.name for p in (PROJECT_ROOT / "cities" / "examples").glob("*/city.yaml"))
pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"the examples read the real data samples at {REALDATA}, which are absent")


def _example_in(folder: Path, name: str) -> Path:
    """The example's configuration with only its writable paths moved into ``folder`` (it reads the
    shared samples, or the file it ships in its own ``inbox/``)."""
    example = PROJECT_ROOT / "cities" / "examples" / name
    raw = yaml.safe_load((example / "city.yaml").read_text(encoding="utf-8"))
    inbox = example / "inbox" if (example / "inbox").is_dir() else REALDATA.resolve()
    raw["paths"] = {"inbox": str(inbox), "landing": "landing", "warehouse": "warehouse.duckdb", "site": "site"}
    raw["ingest"] = {"settle_seconds": 0}  # the samples may have been copied beside the checkout moments ago
    path = folder / "city.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_every_example_is_tested() -> None:
    # A city with only reference feeds (houston_hgac) is among them: it once crashed building the schedule.
    assert {"houston_hgac", "grants_pass", "palo_alto", "austin", "san_francisco_open311", "epa_ghg_hub_workbook"} <= set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_runs_through_the_cli(name: str, tmp_path: Path) -> None:
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
    assert set(own) <= ingested
    assert written > 0
