"""Building emissions equal activity x factor x GWP, computed here by hand from the published values."""

from __future__ import annotations

from datetime import date

import pytest

from city_outcomes.config import CityConfig
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.metrics.emissions import MissingFactorError, refresh_building_emissions, unmatched_energy_rows, write_unit_conversions
from city_outcomes.metrics.factor_sets import factors_joined
from tests.conftest import write_city

# Published values, typed here from the documents (not read from the project's tables):
# EPA GHG Emission Factors Hub 2021, Table 6, eGRID2019 RFCE total output rates (lb/MWh) ...
RFCE_CO2, RFCE_CH4, RFCE_N2O = 695.0, 0.053, 0.007
# ... eGRID2023 RFCE total output CO2e (lb/MWh), EPA Power Profiler app/data/subregion.json at commit 9463d66
# (shared/realdata/egrid_subregion_rates; DOMAIN.md section 2 rounds it to 599.2): the default edition for the demo
# city's 2023-2025 inventory years, the latest whose data year (2023) is at most the inventory year ...
RFCE_2023_CO2E = 599.17
# ... and Table 1, natural gas (per MMBtu).
GAS_CO2_KG, GAS_CH4_G, GAS_N2O_G = 53.06, 1.0, 0.1
AR4_CH4, AR4_N2O = 25, 298
KG_PER_LB = 0.45359237


BUILDING_FEEDS = ("emission_factors", "global_warming_potentials", "buildings", "building_energy")


def _build(conn, city: CityConfig) -> None:
    for name in BUILDING_FEEDS:
        ingest_feed(conn, city, name)
    write_unit_conversions(conn)
    refresh_building_emissions(conn, city, (date(2023, 1, 1), date(2026, 1, 1)))


def _bill(city: CityConfig, year: int, building: str, month: str, commodity: str) -> tuple[float, str]:
    """Read one bill straight from the department's export file."""
    for line in (city.inbox_dir / "building_energy" / f"utility_bills_{year}.csv").read_text().splitlines()[1:]:
        fields = line.split(",")
        if fields[0] == building and fields[2] == month and fields[3] == commodity:
            return float(fields[4]), fields[5]
    raise AssertionError("bill not found")


def _emissions(conn, building: str, month: date, energy_type: str) -> float:
    return conn.execute(
        "SELECT co2e_tonnes FROM out.building_emissions_monthly WHERE building_id = ? AND period_month = ? AND energy_type = ?",
        [building, month, energy_type],
    ).fetchone()[0]


def test_electricity_building_month_equals_activity_times_factor(demo_city: CityConfig, conn) -> None:
    # No edition configured: the default, eGRID2023, which publishes CO2e (no CH4/N2O split), used as it is.
    _build(conn, demo_city)
    kwh, unit = _bill(demo_city, 2024, "F-0101", "07/2024", "Electric")
    assert unit == "KWH"
    by_hand_kg = kwh / 1000 * KG_PER_LB * RFCE_2023_CO2E
    assert _emissions(conn, "F-0101", date(2024, 7, 1), "electricity") == pytest.approx(by_hand_kg / 1000, rel=1e-9)
    assert conn.execute(
        "SELECT factor_set, factor_basis, factor_choice, co2_kg FROM out.building_emissions_monthly "
        "WHERE building_id = 'F-0101' AND period_month = '2024-07-01' AND energy_type = 'electricity'"
    ).fetchone() == ("egrid2023", "CO2e", "default: latest edition with data year <= 2024", None)


def test_a_configured_per_gas_edition_applies_the_gwps(tmp_path, conn) -> None:
    from city_outcomes.demo import generate

    city = write_city(tmp_path, electricity_factors={2024: "epa_ghg_hub_2021"})
    generate(city.inbox_dir)
    _build(conn, city)
    kwh, _ = _bill(city, 2024, "F-0101", "07/2024", "Electric")
    by_hand_kg = kwh / 1000 * KG_PER_LB * (RFCE_CO2 + RFCE_CH4 * AR4_CH4 + RFCE_N2O * AR4_N2O)
    assert _emissions(conn, "F-0101", date(2024, 7, 1), "electricity") == pytest.approx(by_hand_kg / 1000, rel=1e-9)
    row = conn.execute(
        f"SELECT factor_set, factor_basis, factor_choice, co2_kg, [f.gas FOR f IN factors_applied] FROM {factors_joined(conn, 'out.building_emissions_monthly')} "
        "WHERE building_id = 'F-0101' AND period_month = '2024-07-01' AND energy_type = 'electricity'"
    ).fetchone()
    assert row[:3] == ("epa_ghg_hub_2021", "per_gas", "configured: city.electricity_factors[2024]")
    assert row[3] == pytest.approx(kwh / 1000 * KG_PER_LB * RFCE_CO2, rel=1e-9) and row[4] == ["CH4", "CO2", "N2O"]
    # The years not named keep the default.
    assert conn.execute("SELECT DISTINCT factor_set FROM out.building_emissions_monthly WHERE energy_type = 'electricity' AND year(period_month) = 2025").fetchall() == [("egrid2023",)]


def test_gas_in_therms_and_in_mmbtu_both_convert(demo_city: CityConfig, conn) -> None:
    _build(conn, demo_city)
    therms, unit = _bill(demo_city, 2023, "F-0101", "01/2023", "Natural Gas")
    assert unit == "THERMS"
    per_mmbtu_kg = GAS_CO2_KG + GAS_CH4_G / 1000 * AR4_CH4 + GAS_N2O_G / 1000 * AR4_N2O
    assert _emissions(conn, "F-0101", date(2023, 1, 1), "natural_gas") == pytest.approx(therms * 0.1 * per_mmbtu_kg / 1000, rel=1e-9)

    mmbtu_building = conn.execute("SELECT DISTINCT building_id FROM core.building_energy WHERE unit = 'MMBtu'").fetchone()[0]
    mmbtu, unit = _bill(demo_city, 2023, mmbtu_building, "01/2023", "Natural Gas")
    assert unit == "MMBTU"
    assert _emissions(conn, mmbtu_building, date(2023, 1, 1), "natural_gas") == pytest.approx(mmbtu * per_mmbtu_kg / 1000, rel=1e-9)


def test_electricity_in_mwh_converts(demo_city: CityConfig, conn) -> None:
    _build(conn, demo_city)
    building = conn.execute("SELECT DISTINCT building_id FROM core.building_energy WHERE unit = 'MWh'").fetchone()[0]
    mwh, unit = _bill(demo_city, 2025, building, "12/2025", "Electric")
    assert unit == "MWH"
    by_hand_kg = mwh * KG_PER_LB * RFCE_2023_CO2E
    assert _emissions(conn, building, date(2025, 12, 1), "electricity") == pytest.approx(by_hand_kg / 1000, rel=1e-9)


def test_every_row_is_covered_and_rows_carry_their_lineage(demo_city: CityConfig, conn) -> None:
    _build(conn, demo_city)
    assert unmatched_energy_rows(conn) == []
    count, departments, missing_lineage = conn.execute(
        """SELECT count(*), count(DISTINCT department), count(*) FILTER (WHERE _file_sha256 IS NULL OR _source_row IS NULL)
           FROM out.building_emissions_monthly"""
    ).fetchone()
    assert (count, departments, missing_lineage) == (4320, 8, 0)


def test_gwp_set_is_a_choice_the_result_records(tmp_path, conn) -> None:
    from city_outcomes.demo import generate

    # The GWP set applies to per-gas factors: the Hub's eGRID2019 rates, named for 2024, and natural gas.
    city = write_city(tmp_path, gwp_set="AR6", electricity_factors={2024: "epa_ghg_hub_2021"})
    generate(city.inbox_dir)
    _build(conn, city)
    kwh, _ = _bill(city, 2024, "F-0101", "07/2024", "Electric")
    by_hand_kg = kwh / 1000 * KG_PER_LB * (RFCE_CO2 + RFCE_CH4 * 27.9 + RFCE_N2O * 273)
    assert _emissions(conn, "F-0101", date(2024, 7, 1), "electricity") == pytest.approx(by_hand_kg / 1000, rel=1e-9)
    therms, _ = _bill(city, 2023, "F-0101", "01/2023", "Natural Gas")
    per_mmbtu_kg = GAS_CO2_KG + GAS_CH4_G / 1000 * 27.9 + GAS_N2O_G / 1000 * 273
    assert _emissions(conn, "F-0101", date(2023, 1, 1), "natural_gas") == pytest.approx(therms * 0.1 * per_mmbtu_kg / 1000, rel=1e-9)
    assert conn.execute("SELECT DISTINCT gwp_set FROM out.building_emissions_monthly").fetchall() == [("AR6",)]


def test_an_unknown_grid_subregion_is_named_in_the_error(tmp_path, conn) -> None:
    from city_outcomes.demo import generate

    city = write_city(tmp_path, grid_subregion="ATLANTIS")
    generate(city.inbox_dir)
    with pytest.raises(MissingFactorError, match="grid_subregion 'ATLANTIS'"):
        _build(conn, city)


def test_implausible_energy_per_square_foot_is_flagged(demo_city: CityConfig, conn) -> None:
    from city_outcomes.metrics.emissions import implausible_building_energy

    _build(conn, demo_city)
    assert implausible_building_energy(conn) == []  # the demo city's buildings are plausible
    # A bill keyed in Wh instead of kWh looks like a thousand times the use.
    conn.execute("UPDATE core.building_energy SET quantity = quantity * 1000 WHERE building_id = 'F-0101' AND period_month = '2024-07-01' AND energy_type = 'electricity'")
    flagged = implausible_building_energy(conn)
    assert [(r["building_id"], str(r["period_month"])[:10]) for r in flagged] == [("F-0101", "2024-07-01")]
    assert flagged[0]["_source_row"] is not None
