"""Demo published figures: the emissions the city's climate dashboard reports for its buildings' electricity.

The city answers in public for these numbers, and the inventory is reconciled against them
(`city-outcomes reconcile --against published_emissions`). Two differences are planted, as real
dashboards have them (DOMAIN.md §12, the Grants Pass case):

* **factor**: the dashboard still applies eGRID2021's RFCE CO2e rate (675.996 lb/MWh, the rate of
  reference_data/emission_factors_egrid.csv) to 2024's kWh, where the inventory's default for 2024 is the
  latest edition whose data year is at most 2024 (eGRID2023);
* **activity**: the dashboard leaves out one meter, the last building of the inventory (its feed from the
  utility was never connected), so its kWh are in the inventory and not in the published figures.

No random draws: made from the bills. Rounded to 0.1 t, as the dashboard shows them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from city_outcomes.config import REFERENCE_DATA
from city_outcomes.demo.generator import DemoCity, write_csv

YEAR = 2024
EDITION = "egrid2021"
PUBLICATION = "Riverton Climate Dashboard, municipal operations, 2024 edition (demo)"
KG_PER_LB = 0.45359237


def dashboard_rate(subregion: str = "RFCE") -> float:
    """The CO2e rate the dashboard applies, in kg per kWh, from the shipped eGRID rates."""
    rates = pd.read_csv(REFERENCE_DATA / "emission_factors_egrid.csv")
    row = rates[(rates.factor_set == EDITION) & (rates.region == subregion) & (rates.gas == "CO2e") & (rates.rate_basis == "total_output")]
    [value] = row["value"].tolist()  # lb/MWh
    return value * KG_PER_LB / 1000


def left_out_meter(buildings: pd.DataFrame) -> str:
    """The building whose meter the dashboard never connected."""
    return str(buildings["FacilityID"].iloc[-1])


def make(city: DemoCity, buildings: pd.DataFrame, bills: pd.DataFrame) -> pd.DataFrame:
    """The dashboard's monthly electricity rows for YEAR, one per building."""
    departments = dict(zip(buildings["FacilityID"], buildings["Dept"], strict=True))
    electric = bills[(bills["_year"] == YEAR) & (bills["Commodity"] == "Electric") & (bills["Facility ID"] != left_out_meter(buildings))]
    rate = dashboard_rate()
    # Some meters are billed in MWh: the dashboard counts kWh.
    kwh = electric["Usage"] * electric["UOM"].map({"KWH": 1.0, "MWH": 1000.0})
    return pd.DataFrame({
        "Month": electric["Service Month"],
        "Meter": electric["Facility ID"],
        "Department": [departments.get(b) for b in electric["Facility ID"]],
        "Source": "Electricity",
        "kWh": kwh.round(1),
        "MTCO2e": (kwh * rate / 1000).round(1),
        "Cost": electric["Cost ($)"],
        "Publication": PUBLICATION,
    }).reset_index(drop=True)


def write(table: pd.DataFrame, folder: Path) -> Path:
    """published/dashboard_electricity_2024.csv, as the dashboard exports it."""
    return write_csv(table, folder / "published" / f"dashboard_electricity_{YEAR}.csv")
