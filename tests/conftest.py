"""Shared fixtures: a demo city laid out in a temporary folder, with its own warehouse and site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from city_outcomes import warehouse
from city_outcomes.config import DEMO_CITY_CONFIG, CityConfig, load_city_config
from city_outcomes.demo import generate

SHARED = Path(__file__).resolve().parents[2] / "shared"
REALDATA = SHARED / "realdata"


def write_city(folder: Path, feeds: dict | None = None, privacy: dict | None = None, ingest: dict | None = None, **city_overrides) -> CityConfig:
    """A city config in ``folder`` shaped like the demo city, with its paths inside ``folder``
    (and, given ``privacy``, a privacy policy file beside it).

    Files are read as soon as they are written (``ingest.settle_seconds: 0``) unless ``ingest`` says otherwise:
    tests write a file and ingest it at once."""
    raw = yaml.safe_load(DEMO_CITY_CONFIG.read_text())
    raw["paths"] = {"inbox": "inbox", "landing": "landing", "warehouse": "warehouse.duckdb", "site": "site"}
    raw["ingest"] = {"settle_seconds": 0} if ingest is None else ingest
    raw["city"].update(city_overrides)
    if feeds is not None:
        raw["feeds"] = feeds
    if privacy is not None:
        (folder / "privacy.yaml").write_text(yaml.safe_dump(privacy))
        raw["privacy"] = "privacy.yaml"
    path = folder / "city.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_city_config(path)


@pytest.fixture
def demo_city(tmp_path: Path) -> CityConfig:
    """The demo city's configuration and generated files, in a fresh temporary folder."""
    city = write_city(tmp_path)
    generate(city.inbox_dir)
    return city


@pytest.fixture(scope="session")
def published_demo(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> CityConfig:
    """The demo city run once through every asset (site included) for the whole test session, to read only.

    Under pytest-xdist every worker shares the one run (a file lock in the session's temporary root): the
    demo pipeline takes minutes, and several modules only read what it made. A test that writes must build
    its own city."""
    import dagster as dg
    from filelock import FileLock

    from pipelines.run import materialize_city

    root = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    folder = root / "published-demo"
    with FileLock(str(root / "published-demo.lock")):
        if not (folder / ".done").exists():
            folder.mkdir(exist_ok=True)
            city = write_city(folder)
            generate(city.inbox_dir)
            result = materialize_city(city, dg.DagsterInstance.ephemeral())
            # What the run did, for tests on the run itself (the result cannot cross xdist workers).
            checks = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
            (folder / "run.json").write_text(json.dumps({
                "success": result.success,
                "materialized": sorted({e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}),
                "checks": [{"asset": c.asset_key.to_user_string(), "check": c.check_name, "passed": c.passed} for c in checks],
            }))
            assert result.success
            (folder / ".done").touch()
    return load_city_config(folder / "city.yaml")


def published_demo_run(city: CityConfig) -> dict:
    """What the run behind :func:`published_demo` did: ``success``, ``materialized`` keys and ``checks``."""
    return json.loads((city.config_path.parent / "run.json").read_text())


@pytest.fixture
def conn(tmp_path: Path):
    connection = warehouse.connect(tmp_path / "warehouse.duckdb")
    yield connection
    connection.close()
