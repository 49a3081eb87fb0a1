"""The city's technology initiatives, and the goals each one serves."""

from __future__ import annotations

from datetime import date

import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract, ends_after_start, placeholder_date_checks


class Initiatives(Contract):
    """One row per initiative (e.g. LED streetlight conversion, e-bike share launch)."""

    initiative_id: str = Field(str_matches=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="Short stable id")
    title: str = Field(description="Public name")
    technology: str = Field(description="Technology deployed, e.g. LED streetlights, e-bike share")
    department: str = Field(description="Lead department")
    start_date: date = Field(description="When deployment began")
    end_date: date = Field(nullable=True, description="When deployment finished (null if ongoing)")
    goal_ids: str = Field(str_matches=r"^[a-z0-9_-]+(;[a-z0-9_-]+)*$", description="Goals it serves, ';'-separated goal_ids")
    scope: str = Field(nullable=True, description="What it touches: ';'-separated building, fixture or station ids, or a feed name")
    budget_usd: float = Field(nullable=True, ge=0, description="Budget in US dollars")
    vendor: str = Field(nullable=True, description="Vendor or operator supplying the technology (optional), e.g. the e-bike share operator")

    @pa.dataframe_check(name="end_after_start", error="end_date must not be before start_date")
    def _end_after_start(cls, data: IbisData) -> ir.BooleanColumn:
        return ends_after_start(data.table, "start_date", "end_date")

    _epoch, _day_1900 = placeholder_date_checks("start_date", "end_date")

    class Config:
        title = "Initiatives registry"
        unique = ["initiative_id"]
        metadata = {"version": "1.2.0", "time_column": None}


CONTRACT = Initiatives
