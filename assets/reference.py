"""Reference assets computed by the project itself rather than read from a feed."""


import dagster as dg

from city_outcomes.metrics.emissions import write_unit_conversions
from pipelines.resources import WarehouseResource


@dg.asset(
    key=["ref", "unit_conversions"],
    group_name="reference",
    kinds={"duckdb", "pint"},
    description="Multipliers from billed and published units to canonical units, computed by pint (ref.unit_conversions).",
)
def unit_conversions(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as conn:
        rows = write_unit_conversions(conn)
    return dg.MaterializeResult(metadata={"dagster/row_count": rows})
