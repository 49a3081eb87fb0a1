"""Electricity factor editions by inventory year, CO2e-only factors, city-supplied factors, dual scope 2, and no
activity row without a factor (issue 12, items 3-4).

Expected figures are worked out here by hand from the published tables (values typed from EPA's documents, as
quoted in shared/DOMAIN.md and shared/realdata/SOURCES.md), not read from the project's tables.
"""

from __future__ import annotations

import csv
import importlib.util
from datetime import date
from pathlib import Path

import dagster as dg
import pytest
import yaml
from typer.testing import CliRunner

from city_outcomes.config import DEMO_CITY_CONFIG, REFERENCE_DATA, CityConfig
from city_outcomes.feeds.ingest import ingest_feed
from city_outcomes.metrics.emissions import MissingFactorError, refresh_building_emissions, write_unit_conversions
from city_outcomes.metrics.factor_sets import factors_joined
from tests.conftest import REALDATA, write_city

KG_PER_LB = 0.45359237
LB_PER_TONNE = 2204.62262  # as DOMAIN.md section 12 and the brief write it: 1000 / 0.45359237 to 9 figures
AR4_CH4, AR4_N2O = 25, 298
# EPA Hub 2021 Table 6 (eGRID2019, February 2021), NWPP total output, lb/MWh: CO2, CH4, N2O.
NWPP_2019 = (715.2, 0.068, 0.010)
# EPA Power Profiler app/data/subregion.json, NWPP total output CO2e, lb/MWh, by edition (SOURCES.md egrid_subregion_rates).
NWPP_CO2E = {"egrid2021": 638.523, "egrid2022": 605.872, "egrid2023": 635.267}
RFCE_2023_CO2E = 599.17
# Hub 2021 Table 1, natural gas per MMBtu.
GAS_PER_MMBTU_KG = 53.06 + 1.0 / 1000 * AR4_CH4 + 0.1 / 1000 * AR4_N2O

SHIPPED_SOURCE = REFERENCE_DATA / "sources" / "egrid_subregion_output_rates_2019_2023.csv"
SHARED_SOURCE = REALDATA / "egrid_subregion_rates" / SHIPPED_SOURCE.name
FACTOR_COLUMNS = ["factor_set", "activity", "region", "rate_basis", "gas", "value", "unit", "sector", "source_document", "source_table", "source_year", "data_year"]
ENERGY_COLUMNS = ["building_id", "period_month", "energy_type", "quantity", "unit", "cost_usd"]


# --- the shipped editions ------------------------------------------------------------------------------------------


def _extract_module():
    spec = importlib.util.spec_from_file_location("extract_egrid", REFERENCE_DATA / "extract_egrid_output_rates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_egrid_factors_are_rebuilt_from_the_shipped_source(tmp_path: Path) -> None:
    extract = _extract_module()
    rebuilt = tmp_path / "emission_factors_egrid.csv"
    extract.write(extract.extract(SHIPPED_SOURCE), rebuilt)
    assert rebuilt.read_bytes() == (REFERENCE_DATA / "emission_factors_egrid.csv").read_bytes()
    # The grid gross loss (T&D losses, city.td_losses) comes from the same file.
    losses = tmp_path / "grid_gross_loss_egrid.csv"
    extract.write_grid_loss(extract.extract_grid_loss(SHIPPED_SOURCE), losses)
    assert losses.read_bytes() == (REFERENCE_DATA / "grid_gross_loss_egrid.csv").read_bytes()
    # EPA's licence for the Power Profiler data travels with it.
    assert "MIT License" in (REFERENCE_DATA / "sources" / "LICENSE-USEPA-power-profiler.md").read_text()


@pytest.mark.skipif(not SHARED_SOURCE.is_file(), reason=f"the real eGRID rates are not at {SHARED_SOURCE}")
def test_the_shipped_egrid_source_is_the_published_one() -> None:
    assert SHIPPED_SOURCE.read_bytes() == SHARED_SOURCE.read_bytes()


def test_each_edition_is_a_factor_set_with_its_published_rates() -> None:
    with (REFERENCE_DATA / "emission_factors_egrid.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_key = {(r["factor_set"], r["region"], r["gas"]): r for r in rows}
    assert float(by_key[("egrid2021", "NWPP", "CO2e")]["value"]) == 638.523  # what Grants Pass applied
    assert float(by_key[("egrid2021", "NWPP", "CO2")]["value"]) == 634.599
    assert float(by_key[("egrid2019", "NWPP", "CO2")]["value"]) == 715.241  # = Hub 2021 Table 6, 715.2
    assert float(by_key[("egrid2023", "RFCE", "CO2e")]["value"]) == RFCE_2023_CO2E
    # "National", the US average, is in the eGRID2019 file only (884.23; Hub 2021 Table 6: 884.2), named US as in the Hub.
    assert float(by_key[("egrid2019", "US", "CO2")]["value"]) == 884.23
    assert not any(r["region"] in ("US", "National") for r in rows if r["factor_set"] != "egrid2019")
    # CO2e from eGRID2021 on only; eGRID2019 lists PRMS twice (one factor). Counted in the source file: 29 eGRID2019
    # records (27 subregions, the US average, the PRMS copy), 27 subregions for each later edition.
    assert not any(r["gas"] == "CO2e" and r["factor_set"] in ("egrid2019", "egrid2020") for r in rows)
    counts = {edition: sum(r["factor_set"] == edition and r["gas"] == "CO2" for r in rows) for edition in NWPP_CO2E | {"egrid2019": 0, "egrid2020": 0}}
    assert counts == {"egrid2019": 28, "egrid2020": 27, "egrid2021": 27, "egrid2022": 27, "egrid2023": 27}
    assert len(rows) == 136 + 81  # 136 CO2 rates, 81 CO2e rates (27 x 3 editions)
    for row in rows:
        assert row["source_year"] == row["data_year"] == row["factor_set"].removeprefix("egrid")
        assert row["source_document"].startswith("US EPA, Emissions & Generation Resource Integrated Database (eGRID")
        assert "USEPA/power-profiler" in row["source_table"] and row["rate_basis"] == "total_output" and row["unit"] == "lb/MWh"


# --- a small city whose bills span years ---------------------------------------------------------------------------


def _write_csv(path: Path, columns: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)


def _small_city(folder: Path, bills: list[list], factors: list[list] | None = None, **city: object) -> CityConfig:
    """A city with one bills file (contract columns) and, given ``factors``, its own emission_factors feed."""
    feeds = {"building_energy": {"contract": "building_energy", "path": "bills/*.csv"}}
    if factors is not None:
        feeds["city_factors"] = {"contract": "emission_factors", "path": "factors/*.csv", "description": "the city's own factors"}
    config = write_city(folder, feeds=feeds, first_month="2019-01-01", grid_subregion="NWPP", **city)
    _write_csv(config.inbox_dir / "bills" / "bills.csv", ENERGY_COLUMNS, bills)
    if factors is not None:
        _write_csv(config.inbox_dir / "factors" / "factors.csv", FACTOR_COLUMNS, factors)
    return config


def _run(conn, city: CityConfig, months: tuple[date, date] = (date(2019, 1, 1), date(2026, 1, 1))) -> None:
    for name in city.feeds:
        outcome = ingest_feed(conn, city, name)
        assert all(f.rows_quarantined == 0 for f in outcome.files), (name, outcome.top_rules)
    write_unit_conversions(conn)
    refresh_building_emissions(conn, city, months)


def _rows(conn, where: str = "true") -> list[dict]:
    """The building rows with their lists of factors joined back (factors_applied, market_factors_applied)."""
    cursor = conn.execute(f"SELECT * FROM {factors_joined(conn, 'out.building_emissions_monthly')} WHERE {where} ORDER BY period_month, energy_type")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_the_default_edition_is_the_latest_whose_data_year_is_at_most_the_inventory_year(tmp_path: Path, conn) -> None:
    city = _small_city(tmp_path, [["B1", f"{year}-01-01", "electricity", 1000, "kWh", ""] for year in range(2019, 2024)])
    _run(conn, city)
    got = {row["period_month"].year: row for row in _rows(conn)}
    per_gas_2019 = 1.0 * KG_PER_LB * (NWPP_2019[0] + NWPP_2019[1] * AR4_CH4 + NWPP_2019[2] * AR4_N2O) / 1000
    expected = {
        # Data year 2019: the Hub 2021's eGRID2019 (per gas) and eGRID2019 (CO2 only, so not a whole figure).
        2019: ("epa_ghg_hub_2021", "per_gas", per_gas_2019),
        # eGRID2020 publishes CO2 only: not a default; the latest whole edition is still data year 2019.
        2020: ("epa_ghg_hub_2021", "per_gas", per_gas_2019),
        2021: ("egrid2021", "CO2e", 638.523 / LB_PER_TONNE),  # 1 MWh x lb/MWh / lb per tonne
        2022: ("egrid2022", "CO2e", 605.872 / LB_PER_TONNE),
        2023: ("egrid2023", "CO2e", 635.267 / LB_PER_TONNE),
    }
    for year, (factor_set, basis, tonnes) in expected.items():
        row = got[year]
        assert (row["factor_set"], row["factor_basis"]) == (factor_set, basis), year
        assert row["co2e_tonnes"] == pytest.approx(tonnes, rel=1e-8), year
        assert row["factor_choice"] == f"default: latest edition with data year <= {year}"
        assert {f["chosen"] for f in row["factors_applied"]} == {row["factor_choice"]}
        assert {f["factor_set"] for f in row["factors_applied"]} == {factor_set}
    # A CO2e figure lists the one factor it used, as the factor table has it; the per-gas one lists three.
    [applied] = got[2021]["factors_applied"]
    assert (applied["gas"], applied["value"], applied["unit"], applied["region"], applied["source_year"], applied["data_year"]) == ("CO2e", 638.523, "lb/MWh", "NWPP", 2021, 2021)
    assert [f["gas"] for f in got[2019]["factors_applied"]] == ["CH4", "CO2", "N2O"]
    assert (got[2021]["co2_kg"], got[2021]["ch4_kg"]) == (None, None)  # no per-gas split published
    assert got[2021]["factor_value"] == pytest.approx(638.523 * KG_PER_LB / 1000) and got[2021]["factor_unit"] == "kg CO2e/kWh"


def test_a_named_edition_without_a_whole_factor_stops_the_run_naming_the_row(tmp_path: Path, conn) -> None:
    bills = [["B1", "2020-01-01", "electricity", 1000, "kWh", ""], ["B1", "2020-02-01", "electricity", 900, "kWh", ""], ["B1", "2020-01-01", "natural_gas", 10, "therm", ""]]
    city = _small_city(tmp_path, bills, electricity_factors={2020: "egrid2020"})
    with pytest.raises(MissingFactorError) as raised:
        _run(conn, city)
    message = str(raised.value)
    # The first electricity row of 2020 is the file's data row 1; the second is "1 more row like it".
    assert "feed building_energy: bills.csv row 1 and 1 more row(s) like it: electricity, inventory year 2020 (2020-01)" in message
    assert "factor set 'egrid2020' has no electricity total_output factor for grid_subregion 'NWPP' in kg/kWh" in message
    assert "needs CO2, CH4 and N2O, or CO2e (found: CO2)" in message
    assert "Fix: name an edition that has it under city.electricity_factors, e.g. `electricity_factors: {2020: egrid2021}`" in message
    assert "2 activity row(s) found no emission factor" in message  # the gas row has its factors
    assert not conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'building_emissions_monthly'").fetchone()[0]


def test_a_fuel_factor_set_without_the_fuel_names_the_setting(tmp_path: Path, conn) -> None:
    city = _small_city(tmp_path, [["B1", "2023-03-01", "natural_gas", 10, "therm", ""]], factor_set="epa_ghg_hub_2099")
    with pytest.raises(MissingFactorError, match=r"bills.csv row 1: natural_gas, inventory year 2023 \(2023-03\): location-based: factor set "
                       r"'epa_ghg_hub_2099' has no natural_gas combustion factor in kg/MMBtu .*Fix: set city.factor_set"):
        _run(conn, city)


# --- city-supplied factors: added to the shipped ones --------------------------------------------------------------

OWN = "Riverton Gas & Electric, 2024 emission factor disclosure (a test document)"


def test_a_citys_own_co2e_only_factor_is_used_as_co2e_beside_the_shipped_factors(tmp_path: Path, conn) -> None:
    # A gas utility's CO2e factor per MMBtu (no per-gas split), in a factor set the city names for fuels.
    factors = [["riverton_gas_2024", "natural_gas", "US", "combustion", "CO2e", 54.0, "kg/MMBtu", "I.x.1", OWN, "Table A", 2024, 2023]]
    bills = [["B1", "2023-01-01", "natural_gas", 10, "therm", ""], ["B1", "2023-01-01", "electricity", 1000, "kWh", ""]]
    city = _small_city(tmp_path, bills, factors, factor_set="riverton_gas_2024")
    _run(conn, city)
    gas, electricity = (_rows(conn, f"energy_type = '{t}'")[0] for t in ("natural_gas", "electricity"))
    assert gas["co2e_tonnes"] == pytest.approx(10 * 0.1 * 54.0 / 1000, rel=1e-12)  # therms x MMBtu/therm x kg/MMBtu / kg per t
    assert (gas["factor_set"], gas["factor_basis"], gas["factor_choice"]) == ("riverton_gas_2024", "CO2e", "configured: city.factor_set")
    assert gas["factors_applied"][0]["source_document"] == OWN and gas["_feed"] == "building_energy"
    # The shipped factors are still there: electricity uses eGRID2023's NWPP CO2e by default.
    assert electricity["co2e_tonnes"] == pytest.approx(635.267 / LB_PER_TONNE, rel=1e-8)
    assert electricity["factors_applied"][0]["factor_set"] == "egrid2023"


def test_location_and_market_based_scope_2(tmp_path: Path, conn) -> None:
    # A utility's own (supplier-specific) CO2e rate for data year 2024, in kg/kWh.
    factors = [["riverton_electric_2024", "electricity", "Riverton Electric service area", "supplier_specific", "CO2e", 0.25, "kg/kWh", "I.x.2", OWN, "Table B", 2025, 2024]]
    bills = [["B1", f"{year}-06-01", energy, quantity, unit, ""] for year in (2023, 2024) for energy, quantity, unit in (("electricity", 2000, "kWh"), ("natural_gas", 30, "therm"))]
    city = _small_city(tmp_path, bills, factors)
    _run(conn, city)
    rows = {(r["period_month"].year, r["energy_type"]): r for r in _rows(conn)}
    e23, e24 = rows[(2023, "electricity")], rows[(2024, "electricity")]
    # 2024: location = 2 MWh x eGRID2023 NWPP CO2e; market = 2000 kWh x 0.25 kg/kWh = 0.5 t.
    assert e24["co2e_tonnes"] == pytest.approx(2 * 635.267 / LB_PER_TONNE, rel=1e-8)
    assert e24["co2e_tonnes_market"] == pytest.approx(0.5, rel=1e-12)
    assert (e24["market_method"], e24["market_factor_set"], e24["market_factor_basis"]) == ("supplier-specific", "riverton_electric_2024", "CO2e")
    assert e24["market_factors_applied"][0]["region"] == "Riverton Electric service area"
    # 2023: the supplier's data year (2024) is later: the location-based rate is the documented fallback.
    assert e23["co2e_tonnes_market"] == e23["co2e_tonnes"] and e23["market_method"] == "location-based fallback"
    assert [{**f, "chosen": None} for f in e23["market_factors_applied"]] == [{**f, "chosen": None} for f in e23["factors_applied"]]
    assert e23["market_factors_applied"][0]["chosen"] == (
        "market: location-based fallback, no supplier-specific factor with data year <= 2023; default: latest edition with data year <= 2023"
    )
    # Scope 1 is the same in both; the totals differ only by scope 2.
    for year in (2023, 2024):
        gas = rows[(year, "natural_gas")]
        assert gas["co2e_tonnes_market"] == gas["co2e_tonnes"] == pytest.approx(30 * 0.1 * GAS_PER_MMBTU_KG / 1000, rel=1e-12)
        assert gas["market_method"] == "scope 1: same as location-based"
    by_scope = dict(conn.execute(
        "SELECT scope, sum(co2e_tonnes) - sum(co2e_tonnes_market) FROM out.building_emissions_monthly GROUP BY scope"
    ).fetchall())
    total = conn.execute("SELECT sum(co2e_tonnes) - sum(co2e_tonnes_market) FROM out.building_emissions_monthly").fetchone()[0]
    assert by_scope[1] == 0 and total == pytest.approx(by_scope[2], rel=1e-12)
    assert by_scope[2] == pytest.approx(2 * 635.267 / LB_PER_TONNE - 0.5, rel=1e-8)


def test_the_same_factor_from_two_feeds_is_a_conflict_not_a_guess(tmp_path: Path, conn) -> None:
    factors = [["egrid2023", "electricity", "NWPP", "total_output", "CO2e", 600.0, "lb/MWh", "I.x.2", OWN, "Table C", 2023, 2023]]
    city = _small_city(tmp_path, [["B1", "2023-01-01", "electricity", 1000, "kWh", ""]], factors)
    with pytest.raises(MissingFactorError, match=r"factor set 'egrid2023' gives the same electricity factor more than once \(gases CO2, CO2e, feeds city_factors, emission_factors\)"):
        _run(conn, city)


# --- Grants Pass: the City's published January 2023 electricity, reproduced ----------------------------------------

BILLS = REALDATA / "grants_pass_utility_bills" / "Pacific Power Data 01 2023-05 2023.csv"
DASHBOARD = REALDATA / "grants_pass_dashboard_emissions" / "DashboardData.csv"


@pytest.mark.skipif(not (BILLS.is_file() and DASHBOARD.is_file()), reason=f"needs the real Grants Pass exports under {REALDATA}")
def test_grants_pass_january_2023_electricity_with_egrid2021_nwpp_co2e(tmp_path: Path) -> None:
    from city_outcomes import warehouse
    from tests.test_realdata import example_city

    # By hand, from the files: the bills' January kWh, and the dashboard's published kWh and tCO2e.
    with BILLS.open(newline="", encoding="utf-8") as handle:
        bills_kwh = sum(float(r["KWH Usage"] or 0) for r in csv.DictReader(handle) if r["YearMonth"].strip() == "202301")
    with DASHBOARD.open(newline="", encoding="utf-8") as handle:
        published = [r for r in csv.DictReader(handle) if r["source"] == "Electricity" and int(float(r["yearmonth"])) == 202301]
    published_kwh, published_t = sum(float(r["units"]) for r in published), sum(float(r["mtco2e"]) for r in published)
    assert (bills_kwh, published_kwh) == (733997.0, 732637.0)  # the dashboard leaves out 1,360 kWh of named meters
    # The City's rate is eGRID2021 NWPP CO2e: its tCO2e = its kWh x 638.523 lb/MWh / 1000 / lb per tonne, where the
    # City divides by 2204.62 (every row of its dashboard gives kWh x 638.523 / 1000 / mtco2e = 2204.620), so to 1e-6.
    assert published_t == pytest.approx(published_kwh * 638.523 / 2204.62 / 1000, rel=1e-12)
    assert published_t == pytest.approx(published_kwh * 638.523 / LB_PER_TONNE / 1000, rel=2e-6)

    city = example_city("grants_pass", tmp_path)  # its city.yaml names {2023: egrid2021}
    conn = warehouse.connect(city.warehouse_path)
    try:
        for feed in ("emission_factors", "global_warming_potentials", "building_energy"):
            ingest_feed(conn, city, feed)
        write_unit_conversions(conn)
        refresh_building_emissions(conn, city, (date(2023, 1, 1), date(2023, 6, 1)))
        ours, choices = conn.execute(
            "SELECT sum(co2e_tonnes), list(DISTINCT factor_choice || ' ' || factor_basis || ' ' || factors_applied[1].value) "
            f"FROM {factors_joined(conn, 'out.building_emissions_monthly')} WHERE period_month = DATE '2023-01-01' AND energy_type = 'electricity'"
        ).fetchone()
    finally:
        conn.close()
    expected = bills_kwh * 638.523 / LB_PER_TONNE / 1000  # 212.587 t
    assert ours == pytest.approx(expected, rel=1e-9)
    assert choices == ["configured: city.electricity_factors[2023] CO2e 638.523"]
    # Against the published 212.19 t: within 0.5%, the rest being the 1,360 kWh the dashboard omits.
    assert abs(ours / published_t - 1) < 0.005
    assert ours - published_t == pytest.approx((bills_kwh - published_kwh) * 638.523 / LB_PER_TONNE / 1000, rel=1e-3)


# --- the pipeline: the run stops with the message, the blocking check does not pass --------------------------------


def test_a_planted_missing_factor_fails_the_emissions_asset_with_the_message(tmp_path: Path) -> None:
    from city_outcomes.demo import generate
    from pipelines.run import materialize_city

    # The demo city's buildings and bills only (the other feeds' assets have nothing to do with it, and take minutes).
    demo_feeds = yaml.safe_load(DEMO_CITY_CONFIG.read_text())["feeds"]
    feeds = {name: demo_feeds[name] for name in ("buildings", "building_energy")}
    city = write_city(tmp_path, feeds=feeds, electricity_factors={2024: "egrid2020"})  # CO2 only: no whole factor for 2024
    generate(city.inbox_dir)
    result = materialize_city(city, dg.DagsterInstance.ephemeral())
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    messages = " ".join(str(e.event_specific_data.error.cause or e.event_specific_data.error) for e in failures)
    assert "building_emissions_monthly" in " ".join(e.step_key for e in failures)
    assert "feed building_energy: utility_bills_2024.csv row " in messages
    assert "electricity, inventory year 2024 (2024-01)" in messages and "factor set 'egrid2020'" in messages and "city.electricity_factors" in messages
    checks = [e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert not any(c.check_name == "every_energy_row_has_emissions" and c.passed for c in checks)


# --- configuration: the setting is checked where it is written ------------------------------------------------------


def test_check_config_locates_an_unknown_edition(tmp_path: Path) -> None:
    import yaml

    from city_outcomes.config import DEMO_CITY_CONFIG
    from pipelines.cli import app

    raw = yaml.safe_load(DEMO_CITY_CONFIG.read_text())
    raw["paths"] = {"inbox": "inbox", "landing": "landing", "warehouse": "w.duckdb", "site": "site"}
    raw["city"]["electricity_factors"] = {2023: "egrid2021", 2024: "egrid2031"}
    (tmp_path / "city.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    (tmp_path / "inbox").mkdir()
    lines = (tmp_path / "city.yaml").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "egrid2031" in text)
    result = CliRunner().invoke(app, ["check-config", str(tmp_path / "city.yaml")])
    assert result.exit_code == 1
    assert f"{tmp_path / 'city.yaml'}:{line}: city.electricity_factors[2024]: 'egrid2031' is not a shipped electricity factor edition; shipped: " \
           "egrid2019 (data year 2019), egrid2020 (data year 2020), egrid2021 (data year 2021), egrid2022 (data year 2022), " \
           "egrid2023 (data year 2023), epa_ghg_hub_2021 (data year 2019)" in result.output
    raw["city"]["electricity_factors"] = {1850: "egrid2021"}
    (tmp_path / "city.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    result = CliRunner().invoke(app, ["check-config", str(tmp_path / "city.yaml")])
    assert result.exit_code == 1 and "city.electricity_factors: 1850 is not an inventory year" in result.output


def test_the_emissions_page_states_each_years_edition_and_why(tmp_path: Path, conn) -> None:
    from city_outcomes.publish.site import build_site

    # 2022 by default (eGRID2022, data year 2022); 2024 at the edition the city names, eGRID2022 again, over the
    # default eGRID2023.
    bills = [["B1", f"{year}-06-01", "electricity", 1000, "kWh", ""] for year in (2022, 2024)]
    city = _small_city(tmp_path, bills, electricity_factors={2024: "egrid2022"}, td_losses=False)
    _run(conn, city)
    build_site(conn, city, city.site_dir, as_of=date(2026, 3, 1))
    html = " ".join((city.site_dir / "emissions.html").read_text(encoding="utf-8").split())
    assert "<li>2022: egrid2022 (CO2e factors; default: latest edition with data year &lt;= 2022); market-based: egrid2022 (location-based fallback)</li>" in html
    assert "<li>2024: egrid2022 (CO2e factors; configured: city.electricity_factors[2024]); market-based: egrid2022 (location-based fallback)</li>" in html
