"""Demo annual benchmarking: the city's ENERGY STAR Portfolio Manager export for the buildings it benchmarks.

The city benchmarks four buildings: City Hall (the first office), the steam-heated office, the oil-heated garage
and the propane-heated community center. Their electricity, gas, steam, oil and propane are also billed monthly,
so those rows are kept out of the inventory (counted once, from the bills); City Hall's emergency generator burns
diesel #2 that no utility bills (a vendor delivers it), so that row is the one the benchmarking adds. Portfolio
Manager ids are its own; the feed maps them to the city's building ids. No random draws: made from the bills.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from city_outcomes.demo.building_energy import heating_fuel_buildings
from city_outcomes.demo.generator import DemoCity, write_csv

# Portfolio Manager's site energy per billed unit: electricity in kWh; every other fuel in kBtu (a therm is 100 kBtu,
# an MMBtu 1,000; oil and propane gallons at EPA Hub 2021 Table 1 heat contents, 0.138 and 0.091 MMBtu/gal).
PER_BILLED_UNIT = {("Electric", "KWH"): 1.0, ("Natural Gas", "THERMS"): 100.0, ("Natural Gas", "MMBTU"): 1000.0,
                   ("District Steam", "MMBTU"): 1000.0, ("Fuel Oil #2", "GAL"): 138.0, ("Propane", "GAL"): 91.0}
# The generator's monthly test run: 4 gallons of diesel #2 (138 kBtu/gal), 12 a year.
GENERATOR_DIESEL_KBTU = 12 * 4 * 138.0
COLUMNS = {
    "Electric": "Electricity Use - Grid Purchase (kWh)",
    "Natural Gas": "Natural Gas Use (kBtu)",
    "District Steam": "District Steam Use (kBtu)",
    "Fuel Oil #2": "Fuel Oil #2 Use (kBtu)",
    "Propane": "Propane Use (kBtu)",
}
PROPERTY_TYPES = {"office": "Office", "maintenance garage": "Repair Services (Vehicle, Shoe, Locksmith, etc.)", "community center": "Social/Meeting Hall"}


def portfolio_manager_ids(buildings: pd.DataFrame) -> dict[str, str]:
    """The benchmarked buildings' Portfolio Manager Property Ids, by the city's building id."""
    benchmarked = [buildings["FacilityID"].iloc[0], *heating_fuel_buildings(buildings)]
    return {building_id: str(6_104_220 + 17 * i) for i, building_id in enumerate(benchmarked)}


def make(city: DemoCity, buildings: pd.DataFrame, bills: pd.DataFrame) -> pd.DataFrame:
    """One row per benchmarked property and calendar year, from the year's monthly bills."""
    ids = portfolio_manager_ids(buildings)
    info = buildings.set_index("FacilityID")
    rows = []
    for (building_id, year), group in bills[bills["Facility ID"].isin(ids)].groupby(["Facility ID", "_year"], sort=True):
        row = {
            "Property Id": ids[building_id], "Property Name": info.loc[building_id, "Name"], "Calendar Year": year,
            "Primary Property Type - Self Selected": PROPERTY_TYPES.get(info.loc[building_id, "UseType"], "Office"),
            "Property GFA - Self-Reported (ft²)": info.loc[building_id, "GrossSqFt"],
        }
        for commodity, use in group.groupby("Commodity"):
            per_unit = [PER_BILLED_UNIT[(commodity, unit)] for unit in use["UOM"]]
            row[COLUMNS[commodity]] = round(float((use["Usage"] * per_unit).sum()), 1)
        if building_id == buildings["FacilityID"].iloc[0]:
            row["Diesel #2 Use (kBtu)"] = GENERATOR_DIESEL_KBTU
        rows.append(row)
    columns = ["Property Id", "Property Name", "Calendar Year", "Primary Property Type - Self Selected", "Property GFA - Self-Reported (ft²)",
               *COLUMNS.values(), "Diesel #2 Use (kBtu)"]
    return pd.DataFrame(rows, columns=columns)


def write(table: pd.DataFrame, folder: Path) -> Path:
    """The Portfolio Manager export, one file for all years."""
    return write_csv(table, folder / "benchmarking" / "portfolio_manager_export.csv")
