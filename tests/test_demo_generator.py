"""The demo city is deterministic and looks like a real mid-size US city's exports."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from city_outcomes.demo import generate


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generating_twice_gives_identical_files(tmp_path: Path) -> None:
    first = generate(tmp_path / "a")
    generate(tmp_path / "b")
    assert len(first) == 5
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")


def test_a_different_seed_gives_different_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=1)
    generate(tmp_path / "b", seed=2)
    assert _digests(tmp_path / "a") != _digests(tmp_path / "b")


def test_demo_city_has_the_promised_shape(tmp_path: Path) -> None:
    generate(tmp_path)
    tracts = pd.read_csv(tmp_path / "census" / "acs_tracts_2019_2023.csv", dtype={"GEOID": str})
    buildings = pd.read_csv(tmp_path / "facilities" / "facility_inventory.csv", dtype={"CensusTract": str})
    bills = pd.concat(pd.read_csv(p) for p in sorted((tmp_path / "building_energy").glob("*.csv")))
    assert len(tracts) == 40 and tracts["GEOID"].str.fullmatch(r"\d{11}").all()
    assert 120_000 < tracts["B01003_001E"].sum() < 250_000  # a mid-size city
    # Poorer tracts have lower incomes: the demographics are correlated, as in real ACS data.
    assert tracts["poverty_rate"].corr(tracts["B19013_001E"]) < -0.5
    assert len(buildings) == 60 and set(buildings["CensusTract"]) <= set(tracts["GEOID"])
    assert len(bills) == 60 * 36 * 2
    # Departments export their own labels; at least one building reports in MWh and one in MMBtu.
    assert set(bills["UOM"]) == {"KWH", "MWH", "THERMS", "MMBTU"}
    assert bills.loc[bills["UOM"] == "MWH", "Facility ID"].nunique() == 1
    assert bills.loc[bills["UOM"] == "MMBTU", "Facility ID"].nunique() == 1


def test_demo_energy_is_seasonal_and_plausible(tmp_path: Path) -> None:
    generate(tmp_path)
    bills = pd.concat(pd.read_csv(p) for p in sorted((tmp_path / "building_energy").glob("*.csv")))
    bills["month"] = bills["Service Month"].str[:2].astype(int)
    therms = bills[bills["UOM"] == "THERMS"].groupby("month")["Usage"].sum()
    kwh = bills[bills["UOM"] == "KWH"].groupby("month")["Usage"].sum()
    assert therms[1] > 4 * therms[7]  # heating season
    assert kwh[7] > kwh[4]  # cooling season
    # Annual electricity: 4 to 30 kWh per square foot, typical of public buildings, except the
    # pump-dominated water treatment plants.
    buildings = pd.read_csv(tmp_path / "facilities" / "facility_inventory.csv").set_index("FacilityID")
    per_building = bills[bills["UOM"] == "KWH"].groupby("Facility ID")["Usage"].sum() / 3
    intensity = per_building / buildings["GrossSqFt"].reindex(per_building.index)
    is_plant = buildings["UseType"].reindex(per_building.index) == "water treatment plant"
    assert intensity[~is_plant].between(4, 30).all()
    assert intensity[is_plant].between(100, 200).all()
