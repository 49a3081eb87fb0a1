"""Demo utility bills: monthly electricity and heating fuel per building, one export per year.

Exported the way a utility-billing system would: its own column names, commodity and unit
labels, US month format. The water utility reports its plant in MWh and one recreation center's
gas is billed in MMBtu, so unit normalisation is exercised on real-looking data. Most buildings heat
with natural gas; one downtown office is on the district steam loop (billed in MMBtu of steam), one
maintenance garage burns heating oil (No. 2, gallons) and one community center propane (gallons).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from city_outcomes.demo.generator import DemoCity, write_csv

# Typical heating and cooling degree days by month for a mid-Atlantic US city (base 65 F).
HDD = np.array([950, 800, 650, 350, 120, 20, 0, 5, 60, 300, 600, 880], dtype=float)
CDD = np.array([0, 0, 5, 20, 80, 240, 380, 330, 160, 30, 0, 0], dtype=float)
# Share of a year's electricity that is weather-independent (lighting, plug loads, pumps).
ELECTRIC_BASE_SHARE = 0.75
GAS_BASE_SHARE = 0.12  # hot water and process heat
PRICE_PER_KWH = 0.13
PRICE_PER_THERM = 1.15
# Heating fuels other than gas: the building's heat need, drawn as gas therms like every other building's, is
# delivered instead as steam (a steam customer burns nothing on site: the 80% boiler efficiency EPA Hub 2021 Table 7
# assumes is the supplier's), or as gallons at EPA Hub 2021 Table 1 heat contents (No. 2 oil 0.138, propane 0.091 MMBtu/gal).
STEAM_DELIVERED_PER_GAS_MMBTU = 0.8
OIL_MMBTU_PER_GAL, PROPANE_MMBTU_PER_GAL = 0.138, 0.091
PRICE_PER_STEAM_MMBTU, PRICE_PER_OIL_GAL, PRICE_PER_PROPANE_GAL = 22.0, 3.9, 2.6
# Retrofit works (LED lighting, controls) ran in the first half of 2024; savings show from July 2024.
RETROFIT_WORKS = (date(2024, 1, 8), date(2024, 6, 28))
RETROFIT_SAVING_FROM = (2024, 6)  # (year, zero-based month): July 2024


def _monthly_profile(base_share: float, degree_days: np.ndarray) -> np.ndarray:
    """Monthly shares of an annual total: a flat base plus a weather-driven part."""
    return base_share / 12 + (1 - base_share) * degree_days / degree_days.sum()


def choose_retrofits(rng: np.random.Generator, buildings: pd.DataFrame) -> list[str]:
    """The buildings that get an efficiency retrofit: a third of them, drawn at random.

    This is the first draw :func:`make` makes, so calling it just before ``make`` (and passing its
    answer in) leaves every bill unchanged; the initiatives registry lists the same buildings.
    """
    return list(buildings["FacilityID"].iloc[rng.permutation(len(buildings))[: len(buildings) // 3]])


def make(city: DemoCity, rng: np.random.Generator, buildings: pd.DataFrame, retrofitted: Collection[str] | None = None) -> pd.DataFrame:
    """Monthly bills for every building, year and commodity (``retrofitted``: from :func:`choose_retrofits`)."""
    electric_profile = _monthly_profile(ELECTRIC_BASE_SHARE, CDD + 0.15 * HDD)
    gas_profile = _monthly_profile(GAS_BASE_SHARE, HDD)
    mwh_building = buildings.loc[buildings["UseType"] == "water treatment plant", "FacilityID"].iloc[0]
    mmbtu_building = buildings.loc[buildings["UseType"] == "recreation center", "FacilityID"].iloc[0]
    steam_building, oil_building, propane_building = heating_fuel_buildings(buildings)
    # A third of buildings get an efficiency retrofit (LED lighting, controls) from July 2024,
    # saving about a fifth of their electricity (within the 10-30% such retrofits typically achieve).
    retrofitted = set(choose_retrofits(rng, buildings) if retrofitted is None else retrofitted)
    rows = []
    for year in city.years:
        weather = rng.normal(1.0, 0.04, size=12)
        for b in buildings.itertuples():
            annual_kwh = b.GrossSqFt * b.hidden_kwh_per_sqft
            annual_therm = b.GrossSqFt * b.hidden_therm_per_sqft
            for month in range(12):
                saving = 0.78 if b.FacilityID in retrofitted and (year, month) >= RETROFIT_SAVING_FROM else 1.0
                kwh = annual_kwh * electric_profile[month] * saving * weather[month] ** 0.5 * rng.normal(1, 0.04)
                therm = annual_therm * gas_profile[month] * weather[month] * rng.normal(1, 0.05)
                service_month = f"{month + 1:02d}/{year}"
                if b.FacilityID == mwh_building:
                    electric_usage, electric_unit = round(kwh / 1000, 3), "MWH"
                else:
                    electric_usage, electric_unit = round(kwh, 1), "KWH"
                if b.FacilityID == mmbtu_building:
                    gas_usage, gas_unit = round(therm / 10, 2), "MMBTU"
                else:
                    gas_usage, gas_unit = round(therm, 1), "THERMS"
                rows.append((b.FacilityID, b.Name, service_month, "Electric", electric_usage, electric_unit, round(kwh * PRICE_PER_KWH, 2), year))
                heat = _heating_bill(b.FacilityID, therm, (steam_building, oil_building, propane_building))
                if heat is None:
                    heat = ("Natural Gas", gas_usage, gas_unit, round(therm * PRICE_PER_THERM, 2))
                rows.append((b.FacilityID, b.Name, service_month, *heat, year))
    return pd.DataFrame(rows, columns=["Facility ID", "Facility Name", "Service Month", "Commodity", "Usage", "UOM", "Cost ($)", "_year"])


def heating_fuel_buildings(buildings: pd.DataFrame) -> tuple[str, str, str]:
    """The buildings heated by district steam (the second office), No. 2 oil (the first maintenance garage) and propane
    (the first community center)."""
    def nth(use_type: str, n: int) -> str:
        return buildings.loc[buildings["UseType"] == use_type, "FacilityID"].iloc[n]

    return nth("office", 1), nth("maintenance garage", 0), nth("community center", 0)


def _heating_bill(building_id: str, therm: float, special: tuple[str, str, str]) -> tuple[str, float, str, float] | None:
    """(commodity, usage, unit, cost) of a building not heated by gas, from the heat its gas would have been; else None."""
    steam_building, oil_building, propane_building = special
    mmbtu = therm / 10
    if building_id == steam_building:
        steam = mmbtu * STEAM_DELIVERED_PER_GAS_MMBTU
        return "District Steam", round(steam, 2), "MMBTU", round(steam * PRICE_PER_STEAM_MMBTU, 2)
    if building_id == oil_building:
        gallons = mmbtu / OIL_MMBTU_PER_GAL
        return "Fuel Oil #2", round(gallons, 1), "GAL", round(gallons * PRICE_PER_OIL_GAL, 2)
    if building_id == propane_building:
        gallons = mmbtu / PROPANE_MMBTU_PER_GAL
        return "Propane", round(gallons, 1), "GAL", round(gallons * PRICE_PER_PROPANE_GAL, 2)
    return None


def write(table: pd.DataFrame, folder: Path) -> list[Path]:
    """One utility-billing export per calendar year."""
    return [
        write_csv(rows.drop(columns="_year"), folder / "building_energy" / f"utility_bills_{year}.csv")
        for year, rows in table.groupby("_year", sort=True)
    ]
