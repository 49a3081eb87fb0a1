"""The community inventory's settings in a city file (`inventory:`): notation keys and VMT assumptions.

Kept apart from ``config.py`` so that the GPC's vocabulary (subsector references, notation keys,
vehicle classes) lives in one small module; ``CityConfig.inventory`` holds an :class:`InventorySettings`.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from data_contracts.community_vmt import FUELS, VEHICLE_CLASSES

GPC_SUBSECTORS_CSV = Path(__file__).resolve().parent.parent / "reference_data" / "gpc_basic_subsectors.csv"
# GPC 1.1 notation keys (shared/DOMAIN.md section 17): not occurring, not estimated, included elsewhere, confidential.
NOTATION_KEYS = ("NO", "NE", "IE", "C")
COMBUSTION_FUELS = [fuel for fuel in FUELS if fuel not in ("electricity", "mixed")]


@cache
def gpc_references() -> tuple[str, ...]:
    """The GPC BASIC subsector references shipped in reference_data/gpc_basic_subsectors.csv."""
    with GPC_SUBSECTORS_CSV.open(encoding="utf-8", newline="") as handle:
        return tuple(row["gpc_reference"] for row in csv.DictReader(handle))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NotationKey(_Strict):
    """The key a subsector line carries where the city has no figure for it, and why."""

    key: Literal["NO", "NE", "IE", "C"] = Field(description="NO not occurring, NE not estimated, IE included elsewhere (say where), C confidential")
    explanation: str = Field(min_length=1, description="Why, in words a reader of the inventory understands; for IE, where the emissions are reported")

    @field_validator("key", mode="before")
    @classmethod
    def _yaml_no(cls, value: object) -> object:
        # YAML 1.1 (PyYAML) reads an unquoted NO as false: the only thing a city can have meant by it here is NO.
        return "NO" if value is False else value

    @model_validator(mode="after")
    def _ie_says_where(self) -> NotationKey:
        # GPC 1.1: an IE line must name the line that holds its emissions, e.g. "included in I.2.2".
        if self.key == "IE" and not any(ref in self.explanation for ref in gpc_references()):
            raise ValueError("key IE (included elsewhere) must say where: name the GPC line that holds the emissions in the explanation, e.g. 'included in I.2.2'")
        return self


class FuelEconomy(_Strict):
    """A city's own fuel economy for a vehicle class (miles per gallon), with where it comes from."""

    mpg: float = Field(gt=0, le=200, description="Miles per gallon of the class's fuel")
    source: str = Field(min_length=1, description="The document and table the figure comes from, e.g. 'FHWA Highway Statistics 2022, Table VM-1'")
    year: int = Field(ge=1990, le=2100, description="The year of the source (its data year)")


class InventorySettings(_Strict):
    """The community inventory (GPC BASIC): notation keys per subsector and the VMT method's assumptions."""

    notation_keys: dict[str, NotationKey] = Field(
        default_factory=dict,
        description="GPC reference -> the notation key its lines carry where the city has no figure, e.g. "
        "{I.4.1: {key: NO, explanation: 'no power plant in the city'}}; without one, a subsector without data is NE",
    )
    vmt_fuel_economy: dict[str, FuelEconomy] = Field(
        default_factory=dict,
        description="Vehicle class -> the city's fuel economy for it, replacing the shipped default (22.3 mpg, light-duty classes only)",
    )
    vmt_mixed_fuel: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="Vehicle class -> shares of its `mixed` miles by fuel, e.g. {passenger_car: {gasoline: 0.97, diesel: 0.03}}; "
        "default: all gasoline for cars, light trucks and motorcycles, all diesel for buses and medium/heavy trucks",
    )

    @field_validator("notation_keys")
    @classmethod
    def _known_subsectors(cls, value: dict[str, NotationKey]) -> dict[str, NotationKey]:
        unknown = [ref for ref in value if ref not in gpc_references()]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not a GPC BASIC subsector reference; the references are {', '.join(gpc_references())}")
        return value

    @field_validator("vmt_fuel_economy")
    @classmethod
    def _known_classes(cls, value: dict[str, FuelEconomy]) -> dict[str, FuelEconomy]:
        unknown = [name for name in value if name not in VEHICLE_CLASSES]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not a vehicle class; the classes are {', '.join(VEHICLE_CLASSES)}")
        return value

    @field_validator("vmt_mixed_fuel")
    @classmethod
    def _shares_sum_to_one(cls, value: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for name, shares in value.items():
            if name not in VEHICLE_CLASSES:
                raise ValueError(f"{name}: not a vehicle class; the classes are {', '.join(VEHICLE_CLASSES)}")
            wrong = [fuel for fuel in shares if fuel not in COMBUSTION_FUELS]
            if wrong:
                raise ValueError(f"{name}: {', '.join(wrong)} cannot share mixed miles; the fuels are {', '.join(COMBUSTION_FUELS)}")
            if any(share < 0 for share in shares.values()) or abs(sum(shares.values()) - 1) > 1e-9:
                raise ValueError(f"{name}: the shares {shares} must be at least 0 and sum to 1")
        return value

    def mixed_fuel_split(self) -> list[tuple[str, str, float]]:
        """(vehicle class, fuel, share) for every class: the city's split where given, else the documented default."""
        heavy = {"bus", "medium_heavy_truck"}
        rows = []
        for name in VEHICLE_CLASSES:
            shares = self.vmt_mixed_fuel.get(name) or {("diesel" if name in heavy else "gasoline"): 1.0}
            rows += [(name, fuel, share) for fuel, share in sorted(shares.items()) if share > 0]
        return rows
