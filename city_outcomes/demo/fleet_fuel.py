"""Demo fleet fuel: every fill-up and charge of ~160 city vehicles, one export per quarter.

Exported the way a fleet-management system's fuel-transaction report looks: its own product
labels and units (gasoline, diesel and blends in gallons, CNG in gasoline gallon equivalents,
depot charging in kWh), money as "$1,234.56". Snowplows burn most in winter, mowers only in the
growing season, and a few gasoline pool and code-enforcement cars are replaced by EVs in 2024-25.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from city_outcomes.demo.generator import DemoCity, write_csv

# Monthly activity profiles (relative; normalised to a mean of 1).
PROFILES = {
    "flat": [1.0] * 12,
    "snow": [2.3, 2.0, 1.2, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 1.0, 1.9],
    "growing": [0.4, 0.4, 0.7, 1.1, 1.4, 1.5, 1.5, 1.4, 1.2, 1.0, 0.6, 0.4],
    "mowing": [0.0, 0.0, 0.3, 1.2, 1.8, 1.9, 1.9, 1.8, 1.5, 0.9, 0.2, 0.0],
}
# Cold engines and heaters: light vehicles burn up to ~8% more in mid-winter.
WINTER_PENALTY = np.array([0.08, 0.07, 0.04, 0.01, 0, 0, 0, 0, 0, 0.01, 0.04, 0.07])


@dataclass(frozen=True)
class VehicleClass:
    """A group of like vehicles: who runs them, what they burn and how much a year."""

    department: str
    prefix: str
    count: int
    description: str
    product: str  # the fleet system's product label
    annual: float  # units of the product per vehicle per year
    fill: float  # a typical fill (or charge)
    profile: str = "flat"
    mpg: float = 15.0  # miles per unit, for the odometer


FLEET = [
    VehicleClass("Police", "PD", 42, "Ford Police Interceptor Utility", "UNL REG", 1_900, 17, mpg=14),
    VehicleClass("Police", "PD", 6, "Ford F-150 Police Responder (flex fuel)", "E85 ETHANOL", 1_500, 22, mpg=12),
    VehicleClass("Fire", "FD", 10, "Pierce Enforcer pumper", "DIESEL #2 ULSD", 1_500, 45, mpg=4),
    VehicleClass("Fire", "FD", 3, "Pierce Ascendant aerial ladder", "DIESEL #2 ULSD", 1_300, 50, mpg=3.5),
    VehicleClass("Fire", "FD", 6, "Ford F-250 command vehicle", "UNL REG", 900, 22, mpg=13),
    VehicleClass("Public Works", "PW", 14, "International HV dump truck with plow", "B20 BIODIESEL", 2_200, 45, "snow", mpg=6),
    VehicleClass("Public Works", "PW", 14, "Ford F-350 utility truck", "UNL REG", 1_000, 25, "snow", mpg=12),
    VehicleClass("Public Works", "PW", 6, "Elgin Pelican street sweeper", "DIESEL #2 ULSD", 1_800, 40, "growing", mpg=3),
    VehicleClass("Sanitation", "SN", 12, "Mack LR refuse truck (CNG)", "CNG", 8_000, 60, mpg=3),
    VehicleClass("Parks and Recreation", "PR", 12, "Ford F-250 pickup", "UNL REG", 800, 20, "growing", mpg=14),
    VehicleClass("Parks and Recreation", "PR", 4, "Toro Groundsmaster 4000-D mower", "DIESEL #2 ULSD", 600, 12, "mowing", mpg=1),
    VehicleClass("Water Utility", "WU", 10, "Ford Transit service van", "UNL REG", 900, 22, mpg=15),
    VehicleClass("Water Utility", "WU", 3, "Vactor 2100i combination truck", "DIESEL #2 ULSD", 1_600, 45, mpg=5),
    VehicleClass("General Services", "GS", 6, "Ford Fusion Hybrid pool car", "UNL REG", 350, 10, mpg=40),
    VehicleClass("Code Enforcement", "CE", 6, "Chevrolet Impala (flex fuel)", "E85 ETHANOL", 500, 14, mpg=18),
    VehicleClass("General Services", "GS", 4, "Chevrolet Bolt EV pool car", "EV CHARGE", 2_800, 28, mpg=3.4),
]
# Fleet electrification: (in service from, class replaced, how many, new class). The gasoline or
# flex-fuel vehicles they replace are retired the same day.
EV_REPLACEMENTS = [
    (date(2024, 7, 15), "Ford Fusion Hybrid pool car", 4, VehicleClass("General Services", "GS", 4, "Chevrolet Bolt EUV pool car", "EV CHARGE", 2_600, 28, mpg=3.3)),
    (date(2025, 3, 3), "Chevrolet Impala (flex fuel)", 3, VehicleClass("Code Enforcement", "CE", 3, "Ford Mustang Mach-E", "EV CHARGE", 3_400, 35, mpg=2.9)),
    (date(2025, 5, 12), "Ford F-250 pickup", 2, VehicleClass("Parks and Recreation", "PR", 2, "Ford F-150 Lightning", "EV CHARGE", 5_200, 45, mpg=2.0)),
]
# The fleet asset list's class of each model (the Hub's on-road classes: a pickup over 8,500 lb GVWR, like the
# F-250 and F-350, is heavy-duty; mowers are off-road equipment), and how many years old the oldest unit is.
ASSET_CLASS = {
    "Ford Police Interceptor Utility": ("Light Truck/SUV", 5), "Ford F-150 Police Responder (flex fuel)": ("Light Truck/SUV", 4),
    "Pierce Enforcer pumper": ("Heavy Duty", 14), "Pierce Ascendant aerial ladder": ("Heavy Duty", 12),
    "Ford F-250 command vehicle": ("Heavy Duty", 6), "International HV dump truck with plow": ("Heavy Duty", 11),
    "Ford F-350 utility truck": ("Heavy Duty", 9), "Elgin Pelican street sweeper": ("Heavy Duty", 8),
    "Mack LR refuse truck (CNG)": ("Heavy Duty", 7), "Ford F-250 pickup": ("Heavy Duty", 10),
    "Toro Groundsmaster 4000-D mower": ("Equipment", 6), "Ford Transit service van": ("Light Truck/SUV", 7),
    "Vactor 2100i combination truck": ("Heavy Duty", 10), "Ford Fusion Hybrid pool car": ("Sedan", 8),
    "Chevrolet Impala (flex fuel)": ("Sedan", 9), "Chevrolet Bolt EV pool car": ("Sedan", 3),
    "Chevrolet Bolt EUV pool car": ("Sedan", 0), "Ford Mustang Mach-E": ("Sedan", 0), "Ford F-150 Lightning": ("Light Truck/SUV", 0),
}
UNITS = {"UNL REG": "GAL", "DIESEL #2 ULSD": "GAL", "B20 BIODIESEL": "GAL", "E85 ETHANOL": "GAL", "CNG": "GGE", "EV CHARGE": "KWH"}
# Depot (bulk, tax-exempt) prices per unit by year; retail pumps cost more.
DEPOT_PRICE = {
    "UNL REG": {2023: 2.95, 2024: 2.86, 2025: 2.71},
    "DIESEL #2 ULSD": {2023: 3.62, 2024: 3.36, 2025: 3.21},
    "B20 BIODIESEL": {2023: 3.70, 2024: 3.45, 2025: 3.30},
    "E85 ETHANOL": {2023: 2.62, 2024: 2.55, 2025: 2.49},
    "CNG": {2023: 2.15, 2024: 2.10, 2025: 2.05},
    "EV CHARGE": {2023: 0.124, 2024: 0.128, 2025: 0.133},
}
RETAIL_MARKUP = 0.42
FILL_HOURS = [6, 7, 7, 8, 11, 12, 14, 15, 16, 19, 22]  # shift changes and lunch breaks
# Where each product is bought: the city's own sites, or retail stations on the fuel card.
DEPOT_SITES = {
    "UNL REG": "PW YARD FUEL ISLAND",
    "DIESEL #2 ULSD": "PW YARD FUEL ISLAND",
    "B20 BIODIESEL": "PW YARD FUEL ISLAND",
    "CNG": "SANITATION YARD CNG",
    "EV CHARGE": "CITY HALL GARAGE EV",
}
RETAIL_SITES = {
    "UNL REG": ["SUNOCO #0423 RIVERTON PA", "WAWA #8120 RIVERTON PA", "SHEETZ #611 RIVERTON PA"],
    "E85 ETHANOL": ["SHEETZ #611 RIVERTON PA", "SHEETZ #648 RIVERTON PA"],
}
RETAIL_SHARE = {"UNL REG": 0.3, "E85 ETHANOL": 1.0}


@dataclass(frozen=True)
class Vehicle:
    vehicle_id: str
    kind: VehicleClass
    in_service: date
    retired: date | None


def _fleet(city: DemoCity) -> list[Vehicle]:
    """Every vehicle that served during the demo years, with its in-service and retirement dates."""
    start = date(city.years[0], 1, 1)
    numbers: dict[str, int] = {}
    vehicles: list[Vehicle] = []

    def next_id(prefix: str) -> str:
        numbers[prefix] = numbers.get(prefix, 100) + 1
        return f"{prefix}-{numbers[prefix]}"

    for kind in FLEET:
        retire_dates = [when for when, replaced, count, _ in EV_REPLACEMENTS if replaced == kind.description for _ in range(count)]
        for i in range(kind.count):
            vehicles.append(Vehicle(next_id(kind.prefix), kind, start, retire_dates[i] if i < len(retire_dates) else None))
    for when, _, count, kind in EV_REPLACEMENTS:
        vehicles += [Vehicle(next_id(kind.prefix), kind, when, None) for _ in range(count)]
    return vehicles


def make(city: DemoCity, rng: np.random.Generator) -> pd.DataFrame:
    """Every fuel transaction of the demo years, in time order."""
    rows = []
    for vehicle in _fleet(city):
        kind = vehicle.kind
        profile = np.array(PROFILES[kind.profile]) / np.mean(PROFILES[kind.profile])
        use = rng.lognormal(0, 0.25)  # some units work harder than others
        odometer = float(rng.integers(8_000, 90_000))
        for year, month in city.months:
            first = date(year, month, 1)
            days = (date(year + month // 12, month % 12 + 1, 1) - first).days
            served = [d for d in range(days) if vehicle.in_service <= first + timedelta(d) and (vehicle.retired is None or first + timedelta(d) < vehicle.retired)]
            if not served:
                continue
            penalty = 1 + (WINTER_PENALTY[month - 1] if kind.product != "EV CHARGE" else 2.5 * WINTER_PENALTY[month - 1])
            expected = kind.annual / 12 * profile[month - 1] * use * penalty * len(served) / days
            n = rng.poisson(expected / kind.fill)
            days_in_service = rng.choice(served, size=n)
            quantities = np.round(kind.fill * rng.uniform(0.5, 1.15, size=n), 3 if kind.product != "EV CHARGE" else 2)
            retail = rng.random(n) < RETAIL_SHARE.get(kind.product, 0.0)
            sites = rng.integers(0, 3, size=n)
            prices = DEPOT_PRICE[kind.product][year] * rng.normal(1, 0.03, size=n) + np.where(retail, RETAIL_MARKUP, 0.0)
            hours, minutes = rng.choice(FILL_HOURS, size=n), rng.integers(0, 60, size=n)
            miles = quantities * kind.mpg * rng.uniform(0.9, 1.1, size=n)
            for i in np.argsort(days_in_service * 24 + hours, kind="stable"):
                day = first + timedelta(int(days_in_service[i]))
                site = RETAIL_SITES[kind.product][sites[i] % len(RETAIL_SITES[kind.product])] if retail[i] else DEPOT_SITES[kind.product]
                odometer += miles[i]
                when = datetime(day.year, day.month, day.day, int(hours[i]), int(minutes[i]))
                rows.append((when, vehicle.vehicle_id, kind.department, kind.description, int(odometer), site, kind.product, float(quantities[i]), round(float(prices[i]), 3), year, month))
    table = pd.DataFrame(rows, columns=["when", "vehicle", "department", "description", "odometer", "site", "product", "quantity", "price", "year", "month"])
    table = table.sort_values(["when", "vehicle"], kind="stable").reset_index(drop=True)
    total = (table["quantity"] * table["price"]).round(2)
    return pd.DataFrame(
        {
            "Transaction ID": [f"FT{1_000_001 + i}" for i in range(len(table))],
            "Transaction Date": table["when"].dt.strftime("%m/%d/%Y"),
            "Transaction Time": table["when"].dt.strftime("%H:%M"),
            "Vehicle No.": table["vehicle"],
            "Department": table["department"],
            "Vehicle Description": table["description"],
            "Odometer": table["odometer"],
            "Site": table["site"],
            "Product": table["product"],
            "Quantity": table["quantity"],
            "UOM": table["product"].map(UNITS),
            "Unit Price": table["price"].map(lambda p: f"${p:,.3f}"),
            "Total Cost": total.map(lambda t: f"${t:,.2f}"),
            "_quarter": table["year"].astype(str) + "_Q" + ((table["month"] - 1) // 3 + 1).astype(str),
        }
    )


def assets(city: DemoCity) -> pd.DataFrame:
    """The fleet asset list, as the fleet-management system exports it: every vehicle that served, its model year
    (a class's units bought one a year back from its oldest; a replacement EV is the year it came) and class."""
    rows = []
    for vehicle in _fleet(city):
        label, oldest = ASSET_CLASS[vehicle.kind.description]
        number = int(vehicle.vehicle_id.split("-")[1])
        bought = vehicle.in_service.year if vehicle.in_service.year > city.years[0] else city.years[0] - number % (oldest + 1)
        rows.append((vehicle.vehicle_id, bought, vehicle.kind.description, label, vehicle.kind.department,
                     vehicle.retired.strftime("%m/%d/%Y") if vehicle.retired else ""))
    return pd.DataFrame(rows, columns=["Unit No.", "Model Year", "Make/Model", "Asset Class", "Department", "Disposal Date"])


def write(table: pd.DataFrame, folder: Path, city: DemoCity | None = None) -> list[Path]:
    """One fuel-transaction export per quarter (and, given the city, the fleet asset list)."""
    written = [
        write_csv(rows.drop(columns="_quarter"), folder / "fleet_fuel" / f"fuel_transactions_{quarter}.csv")
        for quarter, rows in table.groupby("_quarter", sort=True)
    ]
    if city is not None:
        written.append(write_csv(assets(city), folder / "fleet_assets" / "fleet_asset_list.csv"))
    return written
