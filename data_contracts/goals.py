"""The city's public goals: what it promised, by when, measured how."""

from __future__ import annotations

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract


class Goals(Contract):
    """One row per goal (e.g. cut municipal building emissions 50% below 2023 by 2030).

    A goal with neither target_value nor target_change is direction-only (grow cycling, cut fuel use):
    its status is Open SDG's method 1, the observed yearly change in the goal's direction."""

    goal_id: str = Field(str_matches=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="Short stable id, e.g. buildings-ghg-2030")
    title: str = Field(description="The goal as the city states it")
    metric: str = Field(description="The outcome metric that measures it, e.g. building_co2e_tonnes")
    direction: str = Field(isin=["decrease", "increase"], description="Whether success means the metric going down or up")
    baseline_year: int = Field(ge=1990, le=2100, description="Year the goal is measured from")
    target_year: int = Field(ge=1990, le=2100, description="Year the target is due")
    target_value: float = Field(nullable=True, description="Target in `unit`; with target_change also null, a direction-only goal (Open SDG method 1)")
    target_change: float = Field(nullable=True, ge=-1, le=10, description="Target as a change from baseline, e.g. -0.5 for 50% less; used only when target_value is null")
    unit: str = Field(description="Unit of the metric, e.g. t CO2e, share of trips")
    source_document: str = Field(description="Where the city adopted the goal (plan, resolution)")
    frequency: str = Field(
        nullable=True, isin=["annual", "monthly"],
        description="How often the goal is read: annual (the default, when absent or blank) or monthly (its series and path are shown by month too)",
    )

    @pa.dataframe_check(name="target_after_baseline", error="target_year must be after baseline_year")
    def _target_after_baseline(cls, data: IbisData) -> ir.BooleanColumn:
        return data.table.target_year > data.table.baseline_year

    class Config:
        title = "Goals registry"
        unique = ["goal_id"]
        metadata = {"version": "1.1.0", "time_column": None}


CONTRACT = Goals
