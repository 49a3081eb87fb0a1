"""Benchmark: the municipal inventory for a generated large city (issue 12's size by default): 2,000 buildings x
3 years of monthly electricity and gas bills, 1,000,000 fleet fuel purchases, 100,000 streetlights x 36 months,
200 public chargers x 3 years of days. Prints wall time and peak memory per phase; target <= 15 s and <= 2 GB.

The core tables are written straight into a fresh warehouse (generated in DuckDB SQL; ingest is benchmarked
apart), then the metrics run as the pipeline runs them: the sector tables, the monthly and annual inventory and its
invariants. Correctness checks: the invariants hold, and the streetlights' total is their kWh x each year's
factor, computed here from the kWh and the shared factor table.

    .venv/bin/python benchmarks/municipal_inventory.py                      # full size
    .venv/bin/python benchmarks/municipal_inventory.py --scale 0.01         # smoke (what `make test` runs)
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from city_outcomes import warehouse  # noqa: E402
from city_outcomes.config import DEMO_CITY_CONFIG, load_city_config  # noqa: E402
from city_outcomes.feeds.ingest import ensure_core_table, ingest_feed  # noqa: E402
from city_outcomes.feeds.privacy import PrivacyPolicy  # noqa: E402
from city_outcomes.metrics.emissions import refresh_building_emissions, write_unit_conversions  # noqa: E402
from city_outcomes.metrics.fleet import refresh_fleet_emissions  # noqa: E402
from city_outcomes.metrics.inventory import (  # noqa: E402
    inventory_invariant_failures,
    refresh_municipal_inventory,
    refresh_municipal_inventory_annual,
)
from city_outcomes.metrics.public_ev_charging import refresh_public_ev_charging_emissions  # noqa: E402
from city_outcomes.metrics.streetlights import refresh_streetlight_emissions  # noqa: E402
from data_contracts import get_contract  # noqa: E402

MONTHS = (date(2023, 1, 1), date(2026, 1, 1))
KG_PER_LB = 0.45359237


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def _city(out: Path):
    raw = yaml.safe_load(DEMO_CITY_CONFIG.read_text())
    raw["paths"] = {"inbox": "inbox", "landing": "landing", "warehouse": "warehouse.duckdb", "site": "site"}
    raw["feeds"] = {name: {"contract": name, "path": f"{name}/*.csv"} for name in
                    ("buildings", "building_energy", "fleet_fuel", "streetlight_fixtures", "streetlight_energy", "ev_charging_energy")}
    path = out / "city.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return load_city_config(path)


def _generate(conn, city, buildings: int, fuel: int, lights: int, stations: int) -> dict[str, int]:
    """The core tables, in SQL: deterministic figures from the row numbers (no randomness needed)."""
    policy = PrivacyPolicy.load(city)
    for name in ("buildings", "building_energy", "fleet_fuel", "streetlight_fixtures", "streetlight_energy", "ev_charging_energy"):
        ensure_core_table(conn, get_contract(name), policy)
    lineage = "'{feed}' AS _feed, 'bench' AS _file_sha256, i AS _source_row, NULL AS _source_field"
    conn.execute(f"""INSERT INTO core.buildings BY NAME SELECT 'B' || i AS building_id, 'Building ' || i AS building_name,
        'Dept ' || (i % 12) AS department, CASE WHEN i % 50 = 0 THEN 'water treatment plant' WHEN i % 51 = 0 THEN 'lift station' ELSE 'office' END AS building_type,
        10000 + i AS floor_area_sqft, 1970 AS year_built, '42999000100' AS tract_geoid, {lineage.format(feed='buildings')} FROM range(1, {buildings} + 1) AS t(i)""")
    conn.execute(f"""INSERT INTO core.building_energy BY NAME SELECT 'B' || (i // 72 + 1) AS building_id,
        (DATE '2023-01-01' + INTERVAL (i % 36) MONTH)::DATE AS period_month, CASE WHEN i % 72 < 36 THEN 'electricity' ELSE 'natural_gas' END AS energy_type,
        CASE WHEN i % 72 < 36 THEN 10000 + i % 997 ELSE 300 + i % 97 END AS quantity, CASE WHEN i % 72 < 36 THEN 'kWh' ELSE 'therm' END AS unit,
        NULL AS cost_usd, {lineage.format(feed='building_energy')} FROM range(0, {buildings} * 72) AS t(i)""")
    conn.execute(f"""INSERT INTO core.fleet_fuel BY NAME SELECT 'V' || (i % 800) AS vehicle_id, 'Dept ' || (i % 12) AS department,
        (DATE '2023-01-01' + INTERVAL (i % 1095) DAY)::DATE AS purchase_date, ['gasoline', 'diesel', 'e85', 'b20', 'electricity'][i % 5 + 1] AS fuel_type,
        CASE WHEN i % 5 = 4 THEN 40 ELSE 12 END + i % 7 AS quantity, CASE WHEN i % 5 = 4 THEN 'kWh' ELSE 'gal' END AS unit, NULL AS cost_usd,
        {lineage.format(feed='fleet_fuel')} FROM range(0, {fuel}) AS t(i)""")
    conn.execute(f"""INSERT INTO core.streetlight_fixtures BY NAME SELECT 'SL' || i AS fixture_id, 'LED' AS technology, 40 + i % 100 AS wattage,
        CASE WHEN i % 40 = 0 THEN 'traffic_signal' ELSE 'streetlight' END AS fixture_class, 'Public Works' AS department,
        {lineage.format(feed='streetlight_fixtures')} FROM range(0, {lights}) AS t(i)""")
    conn.execute(f"""INSERT INTO core.streetlight_energy BY NAME SELECT 'SL' || (i // 36) AS fixture_id, (DATE '2023-01-01' + INTERVAL (i % 36) MONTH)::DATE AS period_month,
        10 + i % 50 AS energy_kwh, true AS is_estimated, {lineage.format(feed='streetlight_energy')} FROM range(0, {lights} * 36) AS t(i)""")
    conn.execute(f"""INSERT INTO core.ev_charging_energy BY NAME SELECT 'ST' || (i // 1095) AS station_id, (DATE '2023-01-01' + INTERVAL (i % 1095) DAY)::DATE AS period_start,
        'day' AS period_grain, 20 + i % 80 AS energy_kwh, 3 AS sessions, 2 AS port_count, {lineage.format(feed='ev_charging_energy')}
        FROM range(0, {stations} * 1095) AS t(i)""")
    return {name: conn.execute(f"SELECT count(*) FROM core.{name}").fetchone()[0]
            for name in ("building_energy", "fleet_fuel", "streetlight_energy", "ev_charging_energy")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's size (1.0 = 2,000 buildings, 1M purchases, 100,000 lights)")
    parser.add_argument("--out", type=Path, default=None, help="folder for the warehouse (default: a temporary folder)")
    args = parser.parse_args()
    sizes = {"buildings": max(10, int(2000 * args.scale)), "fuel": max(100, int(1_000_000 * args.scale)),
             "lights": max(100, int(100_000 * args.scale)), "stations": max(2, int(200 * args.scale))}
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        city = _city(out)
        conn = warehouse.connect(out / "warehouse.duckdb")
        for name in ("emission_factors", "global_warming_potentials"):
            ingest_feed(conn, city, name)
        counts = _generate(conn, city, **sizes)
        print("rows: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
        phases = [
            ("unit conversions", lambda: write_unit_conversions(conn)),
            ("buildings", lambda: refresh_building_emissions(conn, city, MONTHS)),
            ("fleet", lambda: refresh_fleet_emissions(conn, city, MONTHS)),
            ("streetlights", lambda: refresh_streetlight_emissions(conn, city, MONTHS)),
            ("public EV charging", lambda: refresh_public_ev_charging_emissions(conn, city, MONTHS)),
            ("inventory monthly", lambda: refresh_municipal_inventory(conn, city, MONTHS)),
            ("inventory annual", lambda: refresh_municipal_inventory_annual(conn, city)),
            ("invariants", lambda: len(inventory_invariant_failures(conn))),
        ]
        print(f"{'phase':<20} {'seconds':>8} {'rows':>12} {'peak MB':>9}")
        total = 0.0
        for label, run in phases:
            started = time.perf_counter()
            result = run()
            elapsed = time.perf_counter() - started
            total += elapsed
            print(f"{label:<20} {elapsed:>8.2f} {result:>12,} {_peak_mb():>9.0f}")
        print(f"{'total':<20} {total:>8.2f} {'':>12} {_peak_mb():>9.0f}   (target <= 15 s, <= 2,048 MB)")

        failures = inventory_invariant_failures(conn)
        # Streetlights by hand: each year's kWh x that year's CO2e factor (eGRID2023 RFCE, 599.17 lb/MWh, for 2023-2025).
        kwh = conn.execute("SELECT sum(energy_kwh) FROM core.streetlight_energy").fetchone()[0]
        expected = kwh * 599.17 * KG_PER_LB / 1000 / 1000
        got = conn.execute("SELECT sum(co2e_tonnes) FROM out.municipal_inventory_monthly WHERE sector = 'Streetlights and traffic signals'").fetchone()[0]
        checks = {"invariants hold": not failures, "streetlights = kWh x 599.17 lb/MWh": abs(got - expected) <= 1e-9 * expected}
        for name, ok in checks.items():
            print(f"[{'ok' if ok else 'FAILED'}] {name}")
        conn.close()
        print("correctness: all passed" if all(checks.values()) else "correctness: FAILED")
        return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
