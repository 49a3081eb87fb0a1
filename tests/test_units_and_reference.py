"""Unit conversions come from pint; shipped reference data match their published sources."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from city_outcomes.config import REFERENCE_DATA
from city_outcomes.units import unit_conversions
from tests.conftest import REALDATA


def _multiplier(quantity: str, from_unit: str) -> float:
    table = unit_conversions()
    row = table[(table.quantity == quantity) & (table.from_unit == from_unit)]
    assert len(row) == 1
    return float(row.multiplier.iloc[0])


@pytest.mark.parametrize(
    ("quantity", "unit", "expected"),
    [
        ("electricity", "MWh", 1000.0),
        ("electricity", "GJ", 1e9 / 3.6e6),  # 1 GJ / 3.6 MJ per kWh
        ("natural_gas", "therm", 0.1),  # 100,000 Btu
        ("natural_gas", "GJ", 1e9 / 1055.056 / 1e6),  # Btu (IT) = 1055.056 J
        ("natural_gas", "ccf", 0.1026),  # 100 scf x 0.001026 MMBtu/scf (EPA Hub 2021 Table 1)
        ("emission_factor", "lb/MWh", 0.45359237 / 1000),
        ("emission_factor", "g/MMBtu", 0.001),
    ],
)
def test_unit_multipliers(quantity: str, unit: str, expected: float) -> None:
    assert _multiplier(quantity, unit) == pytest.approx(expected, rel=1e-9)


# The project ships EPA's extract beside the factors it yields, so a clone with nothing beside it can
# rebuild the factors; with shared/realdata present, the shipped copy is checked against it too.
SHIPPED_EXTRACT = REFERENCE_DATA / "sources" / "ghg-emission-factors-hub-2021_tables_1_2_3_4_6.csv"
SHARED_EXTRACT = REALDATA / "epa_ghg_ef_hub_2021" / SHIPPED_EXTRACT.name


def test_shipped_emission_factors_match_epa_hub_extract(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("extract", REFERENCE_DATA / "extract_epa_ghg_hub_2021.py")
    extract = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(extract)
    rebuilt = tmp_path / "emission_factors.csv"
    extract.write(extract.extract(SHIPPED_EXTRACT), rebuilt)
    assert rebuilt.read_bytes() == (REFERENCE_DATA / "emission_factors.csv").read_bytes()


@pytest.mark.skipif(not SHARED_EXTRACT.is_file(), reason=f"the real EPA extract is not at {SHARED_EXTRACT}")
def test_the_shipped_epa_extract_is_the_published_one() -> None:
    assert SHIPPED_EXTRACT.read_bytes() == SHARED_EXTRACT.read_bytes()


def test_key_factors_have_their_published_values_and_sources() -> None:
    with (REFERENCE_DATA / "emission_factors.csv").open() as handle:
        rows = {(r["activity"], r["region"], r["rate_basis"], r["gas"]): r for r in csv.DictReader(handle)}
    # EPA Hub 2021 Table 6 (eGRID2019) and Table 1, as quoted in shared/DOMAIN.md.
    assert float(rows[("electricity", "RFCE", "total_output", "CO2")]["value"]) == 695.0
    assert float(rows[("electricity", "US", "non_baseload", "CO2")]["value"]) == 1420.2
    assert float(rows[("natural_gas", "US", "combustion", "CO2")]["value"]) == 53.06
    assert float(rows[("motor_gasoline", "US", "combustion", "CO2")]["value"]) == 8.78
    assert len({r[1] for r in rows if r[0] == "electricity"}) == 28  # 27 eGRID subregions + the US average
    for row in rows.values():
        assert row["source_document"].startswith("US EPA") and row["source_table"] and row["source_year"] == "2021"
