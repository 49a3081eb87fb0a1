"""EV charging energy by station and day or month: the daily or monthly reports many chargers export instead of sessions.

A charging network's dashboard (ChargePoint, PowerFlex, Blink...) exports energy delivered and
sessions started per station, or per group of stations, per day or month. The station is whatever
the report sums over: a charger, a site, or the portfolio it names; a report that sums a whole
portfolio is one "station" named by the city's configuration (`constants: {station_id: ...}`).
"""

from __future__ import annotations

from datetime import date

import ibis
import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.api.ibis.types import IbisData
from pandera.ibis import Field

from data_contracts._base import Contract, id_check, not_in_future, placeholder_date_checks

GRAINS = ["day", "month"]
# The fastest DC chargers deliver about 350 kW per port; 400 kW leaves room for the next generation.
MAX_KW_PER_PORT = 400
HOURS = {"day": 24, "month": 31 * 24}


class EvChargingEnergy(Contract):
    """One row per station and period (a day or a month)."""

    station_id: str = Field(description="Station, charger or site id, or the name of the group of stations the report sums")
    period_start: date = Field(description="First day of the period: the day itself, or the first of the month")
    period_grain: str = Field(isin=GRAINS, description="`day` or `month`")
    energy_kwh: float = Field(ge=0, le=10_000_000, description="Energy delivered in the period, kWh")
    sessions: int = Field(ge=0, le=1_000_000, description="Charging sessions started in the period")
    port_count: int = Field(nullable=True, ge=1, le=10_000, description="Ports (connectors that can charge at once) the figures cover, if exported")

    @pa.check("period_start", name="not_in_future", error="must not be after today")
    def _not_future(cls, data: IbisData) -> ir.BooleanColumn:
        return not_in_future(data)

    @pa.dataframe_check(name="month_starts_on_the_first", error="a month's period_start must be the first day of the month")
    def _month_on_first(cls, data: IbisData) -> ir.BooleanColumn:
        table = data.table
        return (table.period_grain != "month") | (table.period_start.day() == 1)

    @pa.dataframe_check(
        name="energy_within_port_power",
        error=f"energy_kwh must not exceed port_count × {MAX_KW_PER_PORT} kW × the hours of the period ({HOURS['day']} for a day, {HOURS['month']} for a month)",
    )
    def _within_power(cls, data: IbisData) -> ir.BooleanColumn:
        table = data.table
        hours = ibis.cases((table.period_grain == "month", HOURS["month"]), else_=HOURS["day"])
        return table.port_count.isnull() | (table.energy_kwh <= table.port_count * MAX_KW_PER_PORT * hours)

    _ids = id_check("station_id")
    _epoch, _day_1900 = placeholder_date_checks("period_start")

    class Config:
        title = "EV charging energy (by station, daily or monthly)"
        unique = ["station_id", "period_start", "period_grain"]
        metadata = {"version": "1.0.0", "time_column": "period_start"}


CONTRACT = EvChargingEnergy
