"""Every benchmark in benchmarks/ gets a smoke run at a small size, so it cannot rot unseen.

A smoke run checks that the benchmark still runs against the current code, prints its tables and
passes its own correctness checks. It asserts no timing: timing targets live in benchmarks/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

# Each benchmark script -> the arguments of its smoke run (small enough for the test suite).
SMOKE_ARGS = {
    "ingest_trips.py": ["--rows", "20000", "--routes", "bare,ingest,ingest_drop_coords,ingest_transformed"],
    "xml_streaming.py": ["5000"],
    "municipal_inventory.py": ["--scale", "0.01"],
    "site_render.py": ["--repeat", "1"],
}


def test_every_benchmark_has_a_smoke_run() -> None:
    """A new benchmark script must be added to SMOKE_ARGS (and so to `make test`)."""
    assert sorted(p.name for p in BENCHMARKS.glob("*.py")) == sorted(SMOKE_ARGS)


def _run(script: str, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DAGSTER_DISABLE_TELEMETRY": "true"}
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *SMOKE_ARGS[script], *extra, "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_ingest_trips_smoke(tmp_path: Path) -> None:
    """The trips benchmark at 20,000 rows: every route runs, the correctness checks pass, the
    result and per-phase tables are printed with every phase timed."""
    done = _run("ingest_trips.py", tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]

    # 20,000 rows with 0.05% of rows per fault kind: 10 rows each of negative distance, end before
    # start and over 24 h, and 10 duplicate pairs (both rows quarantined): 50 quarantined.
    for route in ("bare", "ingest", "ingest_drop_coords", "ingest_transformed"):
        accepted, quarantined = ("20,000", "0") if route == "bare" else ("19,950", "50")
        row = re.search(rf"^{route}\s+(\d+\.\d+)\s.*\s{accepted}\s+{quarantined}\s+\d+\.\d+\s", output, re.M)
        assert row, f"no result row for {route} with {accepted} accepted, {quarantined} quarantined:\n{output[-4000:]}"
    assert "correctness, ingest: all passed" in output
    assert "correctness, ingest_drop_coords: all passed" in output
    # The transformed route's filter is evaluated on every row and keeps them all, and its derived
    # trip_duration_s is the export's duration: the same counts and rules as ingest.
    assert "correctness, ingest_transformed: all passed" in output
    assert "[ok] filter evaluated, no row filtered out" in output and "[ok] sampled core durations = the file's trip_duration" in output
    assert re.search(r"^target \(issue 11\): ingest_transformed .* <= 1\.10x ingest: \d+\.\d+x, (met|NOT met)$", output, re.M)
    assert "[FAIL]" not in output
    for rule, fired in (
        ("trip_distance_m: greater_than_or_equal_to(0)", 10),
        ("end_after_start: end_time must not be before start_time", 10),
        ("trip_duration_s: less_than_or_equal_to(86400)", 10),
        ("unique: provider_name, trip_id", 20),
    ):
        assert output.count(f"[ok] rule '{rule}' fired {fired} times") == 3, rule

    # The per-phase table: every phase has a timer (none lost to a renamed ingest function).
    assert "WARNING" not in output, output[-4000:]
    for phase in ("landing + hash", "read + cast + row checks", "failures + unique key", "core write (privacy, coarsening)", "quarantine + counts", "close (checkpoint)"):
        assert re.search(rf"^{re.escape(phase)}\s+\d+\.\d+\s+\d+\.\d+", output, re.M), f"no phase row {phase!r}:\n{output[-4000:]}"
    assert re.search(r"^targets \(issue\): ingest <= 3x the bare read", output, re.M)


@pytest.mark.parametrize("script", sorted(SMOKE_ARGS))
def test_benchmark_has_usage_doc(script: str) -> None:
    """Each benchmark is described in benchmarks/README.md, full run and smoke run."""
    readme = (BENCHMARKS / "README.md").read_text(encoding="utf-8")
    assert f"`{script}`" in readme
    assert " ".join(SMOKE_ARGS[script]) in readme


def test_xml_streaming_smoke(tmp_path: Path) -> None:
    result = _run("xml_streaming.py", tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| 5,000 |" in result.stdout and (tmp_path / "xml_streaming.md").is_file()


def test_municipal_inventory_smoke(tmp_path: Path) -> None:
    """The inventory benchmark at 1% of the issue's size: every phase runs and is timed, the invariants hold and
    the streetlights' total is their kWh x the year's factor."""
    done = _run("municipal_inventory.py", tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    # 1%: 20 buildings x 72 bills, 10,000 purchases, 1,000 lights x 36 months, 2 stations x 1,095 days.
    assert "rows: building_energy 1,440, fleet_fuel 10,000, streetlight_energy 36,000, ev_charging_energy 2,190" in output
    for phase in ("buildings", "fleet", "streetlights", "public EV charging", "inventory monthly", "inventory annual", "invariants", "total"):
        assert re.search(rf"^{phase}\s+\d+\.\d\d\s", output, re.M), f"phase {phase} not timed:\n{output[-4000:]}"
    assert "correctness: all passed" in output


def test_site_render_smoke(tmp_path: Path) -> None:
    """The render benchmark on a small city (three buildings, two goals, two initiatives): every page is timed in
    the browser, the site's build time and size are printed, and no page logs an error."""
    from tests.building_bills import write_payload_city

    (tmp_path / "city").mkdir()
    city = write_payload_city(tmp_path / "city", registries=True)
    done = _run("site_render.py", tmp_path / "out", "--city", str(city.config_path))
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    for page in ("index.html", "emissions.html", "goal-halve-buildings.html", "initiative-retrofits.html", "quality.html", "methods.html"):
        assert re.search(rf"^{re.escape(page)}\s+\d+\s+\d+\.\d{{3}}\s+(met|NOT met)", output, re.M), f"{page} not timed:\n{output[-4000:]}"
    assert re.search(r"^site build \(.*\): \d+\.\d\d s$", output, re.M)
    assert re.search(r"^site size: \d+\.\d\d MB \(\d+\.\d\d MB without the chart bundle\)", output, re.M)
    assert re.search(r"^target \(issue 13\): .*: (met|NOT met)$", output, re.M)
    assert "[FAIL]" not in output
