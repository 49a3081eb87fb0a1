"""Metric assets: outcome tables computed in DuckDB SQL from the core tables."""


import dagster as dg

from assets.feeds import feed_key, monthly_partitions, partition_months
from city_outcomes.config import CityConfig
from city_outcomes.metrics.benchmarking import BENCHMARKING_CONTRACT, BENCHMARKING_TABLE, refresh_benchmarking_emissions, uncounted_benchmarking_rows
from city_outcomes.metrics.catalog import catalog
from city_outcomes.metrics.emissions import EMISSIONS_TABLE, implausible_building_energy, refresh_building_emissions, unmatched_energy_rows
from city_outcomes.metrics.fleet import FLEET_EMISSIONS_TABLE, describe_missing, fleet_fuel_without_emissions, refresh_fleet_emissions
from city_outcomes.metrics.inventory import (
    INVENTORY_ANNUAL_TABLE,
    INVENTORY_MONTHLY_TABLE,
    inventory_invariant_failures,
    refresh_municipal_inventory,
    refresh_municipal_inventory_annual,
)
from city_outcomes.metrics.public_ev_charging import PUBLIC_EV_CHARGING_TABLE, refresh_public_ev_charging_emissions
from city_outcomes.metrics.reconciliation import PUBLISHED_CONTRACT, ReconciliationError, reconcile, write_reconciliation
from city_outcomes.metrics.runs import record_metric_run
from city_outcomes.metrics.streetlights import STREETLIGHT_EMISSIONS_TABLE, refresh_streetlight_emissions
from city_outcomes.metrics.td_losses import TD_LOSSES_TABLE, refresh_td_losses
from pipelines.resources import CityResource, WarehouseResource

BUILDING_EMISSIONS = dg.AssetKey(["out", "building_emissions_monthly"])
INVENTORY_RECONCILIATION = dg.AssetKey(["out", "inventory_reconciliation"])
FLEET_EMISSIONS = dg.AssetKey(["out", "fleet_emissions_monthly"])
STREETLIGHT_EMISSIONS = dg.AssetKey(STREETLIGHT_EMISSIONS_TABLE.split("."))
PUBLIC_EV_CHARGING_EMISSIONS = dg.AssetKey(PUBLIC_EV_CHARGING_TABLE.split("."))
INVENTORY_MONTHLY = dg.AssetKey(INVENTORY_MONTHLY_TABLE.split("."))
INVENTORY_ANNUAL = dg.AssetKey(INVENTORY_ANNUAL_TABLE.split("."))
TD_LOSSES = dg.AssetKey(TD_LOSSES_TABLE.split("."))


def build_metric_assets(city: CityConfig) -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    """The emission metric assets for a city (partitioned by the city's reporting months)."""

    @dg.asset(
        key=BUILDING_EMISSIONS,
        group_name="metrics",
        partitions_def=monthly_partitions(city),
        backfill_policy=dg.BackfillPolicy.single_run(),
        deps=[
            feed_key("building_energy"),
            feed_key("buildings"),
            feed_key("emission_factors"),
            feed_key("global_warming_potentials"),
            dg.AssetKey(["ref", "unit_conversions"]),
        ],
        kinds={"duckdb", "sql"},
        description=catalog().asset_description("out.building_emissions_monthly"),
    )
    def building_emissions_monthly(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        months = partition_months(context)
        with warehouse.connect() as conn:
            rows = refresh_building_emissions(conn, city.load(), months)
            record_metric_run(conn, EMISSIONS_TABLE, months, context.run.run_id)
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "months": f"{months[0]} to {months[1]} (exclusive)"})

    @dg.asset_check(asset=BUILDING_EMISSIONS, blocking=True, description="Every accepted energy row has an emissions row: no activity silently dropped for want of a factor.")
    def every_energy_row_has_emissions(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            unmatched = unmatched_energy_rows(conn)
        return dg.AssetCheckResult(passed=not unmatched, metadata={"unmatched_rows": len(unmatched), "sample": dg.MetadataValue.json([list(map(str, r)) for r in unmatched[:10]])})

    @dg.asset_check(
        asset=BUILDING_EMISSIONS,
        description="Warns about building-months whose energy per square foot is implausible (a unit, meter or floor-area error).",
    )
    def plausible_energy_intensity(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            flagged = implausible_building_energy(conn)
        sample = [{k: str(v) for k, v in row.items()} for row in flagged[:10]]
        return dg.AssetCheckResult(passed=not flagged, severity=dg.AssetCheckSeverity.WARN, metadata={"flagged": len(flagged), "sample": dg.MetadataValue.json(sample)})

    @dg.asset(
        key=FLEET_EMISSIONS,
        group_name="metrics",
        partitions_def=monthly_partitions(city),
        backfill_policy=dg.BackfillPolicy.single_run(),
        deps=[
            feed_key("fleet_fuel"),
            *_feeds_of(city, "fleet_vehicles"),
            feed_key("emission_factors"),
            feed_key("global_warming_potentials"),
            dg.AssetKey(["ref", "unit_conversions"]),
        ],
        kinds={"duckdb", "sql"},
        description=catalog().asset_description(FLEET_EMISSIONS_TABLE),
    )
    def fleet_emissions_monthly(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        months = partition_months(context)
        with warehouse.connect() as conn:
            rows = refresh_fleet_emissions(conn, city.load(), months)
            record_metric_run(conn, FLEET_EMISSIONS_TABLE, months, context.run.run_id)
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "months": f"{months[0]} to {months[1]} (exclusive)"})

    @dg.asset_check(
        asset=FLEET_EMISSIONS,
        blocking=True,
        description="Every accepted fleet fuel row has an emissions row: a fuel without a factor stops the run, naming the feed, file, row, fuel and year.",
    )
    def every_fuel_row_has_emissions(city: CityResource, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            unmatched = fleet_fuel_without_emissions(conn, city.load())
        sample = [{k: str(v) for k, v in row.items()} for row in unmatched[:10]]
        return dg.AssetCheckResult(
            passed=not unmatched,
            description=describe_missing(unmatched) if unmatched else None,
            metadata={"unmatched_rows": len(unmatched), "sample": dg.MetadataValue.json(sample)},
        )

    inventory_assets, inventory_checks = _inventory_assets(city)
    assets = [building_emissions_monthly, fleet_emissions_monthly, *inventory_assets]
    published = [name for name, feed in city.feeds.items() if feed.contract == PUBLISHED_CONTRACT]
    if published:
        assets.append(_reconciliation_asset(published))
    checks = [every_energy_row_has_emissions, plausible_energy_intensity, every_fuel_row_has_emissions, *inventory_checks]
    benchmarking = [name for name, feed in city.feeds.items() if feed.contract == BENCHMARKING_CONTRACT]
    if benchmarking:
        assets.append(_benchmarking_asset(benchmarking))
        checks.append(_benchmarking_check())
    return assets, checks


def _feeds_of(city: CityConfig, *contracts: str) -> list[dg.AssetKey]:
    """The feed assets of the city's feeds of these contracts (whatever the city named them)."""
    return [feed_key(name) for name, feed in city.feeds.items() if feed.contract in contracts]


def _inventory_assets(city: CityConfig) -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    """The streetlight and public EV charging sectors and the municipal inventory built from every sector
    (city_outcomes/metrics/streetlights.py, public_ev_charging.py, inventory.py)."""
    factors = [feed_key("emission_factors"), feed_key("global_warming_potentials"), dg.AssetKey(["ref", "unit_conversions"])]
    partitioned = {"group_name": "metrics", "partitions_def": monthly_partitions(city), "backfill_policy": dg.BackfillPolicy.single_run(), "kinds": {"duckdb", "sql"}}

    @dg.asset(key=STREETLIGHT_EMISSIONS, deps=[*_feeds_of(city, "streetlight_energy", "streetlight_fixtures"), *factors],
              description=catalog().asset_description(STREETLIGHT_EMISSIONS_TABLE), **partitioned)
    def streetlight_emissions_monthly(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        months = partition_months(context)
        with warehouse.connect() as conn:
            rows = refresh_streetlight_emissions(conn, city.load(), months)
            record_metric_run(conn, STREETLIGHT_EMISSIONS_TABLE, months, context.run.run_id)
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "months": f"{months[0]} to {months[1]} (exclusive)"})

    @dg.asset(key=PUBLIC_EV_CHARGING_EMISSIONS, deps=[*_feeds_of(city, "ev_charging_energy"), *factors],
              description=catalog().asset_description(PUBLIC_EV_CHARGING_TABLE), **partitioned)
    def public_ev_charging_emissions_monthly(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        months = partition_months(context)
        with warehouse.connect() as conn:
            rows = refresh_public_ev_charging_emissions(conn, city.load(), months)
            record_metric_run(conn, PUBLIC_EV_CHARGING_TABLE, months, context.run.run_id)
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "months": f"{months[0]} to {months[1]} (exclusive)"})

    @dg.asset(key=INVENTORY_MONTHLY, deps=[BUILDING_EMISSIONS, FLEET_EMISSIONS, STREETLIGHT_EMISSIONS, PUBLIC_EV_CHARGING_EMISSIONS, feed_key("buildings")],
              description=catalog().asset_description(INVENTORY_MONTHLY_TABLE), **partitioned)
    def municipal_inventory_monthly(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        months = partition_months(context)
        with warehouse.connect() as conn:
            rows = refresh_municipal_inventory(conn, city.load(), months)
            record_metric_run(conn, INVENTORY_MONTHLY_TABLE, months, context.run.run_id)
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "months": f"{months[0]} to {months[1]} (exclusive)"})

    # The counted annual benchmarking rows join the annual inventory, where the city has a benchmarking feed.
    benchmarking = [BENCHMARKING_EMISSIONS] if any(feed.contract == BENCHMARKING_CONTRACT for feed in city.feeds.values()) else []

    @dg.asset(key=INVENTORY_ANNUAL, group_name="metrics", deps=[INVENTORY_MONTHLY, *benchmarking], kinds={"duckdb", "sql"},
              description=catalog().asset_description(INVENTORY_ANNUAL_TABLE))
    def municipal_inventory_annual(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as conn:
            rows = refresh_municipal_inventory_annual(conn, city.load())
            record_metric_run(conn, INVENTORY_ANNUAL_TABLE, None, context.run.run_id)
        return dg.MaterializeResult(metadata={"dagster/row_count": rows})

    @dg.asset_check(
        asset=INVENTORY_ANNUAL,
        blocking=True,
        description="The inventory's invariants: sectors sum to the total (the sector tables), monthly sums to annual, "
        "location- and market-based figures differ only in scope 2.",
    )
    def inventory_invariants_hold(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            failures = inventory_invariant_failures(conn)
        text = "\n".join(f"{f['invariant']}: {f['detail']}" for f in failures[:10])
        return dg.AssetCheckResult(
            passed=not failures,
            description=f"{len(failures)} invariant failure(s):\n{text}" if failures else None,
            metadata={"failures": len(failures), "sample": dg.MetadataValue.json(failures[:10])},
        )

    assets = [streetlight_emissions_monthly, public_ev_charging_emissions_monthly, municipal_inventory_monthly, municipal_inventory_annual]
    if city.city.td_losses:
        @dg.asset(key=TD_LOSSES, deps=[INVENTORY_MONTHLY], description=catalog().asset_description(TD_LOSSES_TABLE), **partitioned)
        def municipal_td_losses_monthly(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
            months = partition_months(context)
            with warehouse.connect() as conn:
                rows = refresh_td_losses(conn, city.load(), months)
                record_metric_run(conn, TD_LOSSES_TABLE, months, context.run.run_id)
            return dg.MaterializeResult(metadata={"dagster/row_count": rows, "months": f"{months[0]} to {months[1]} (exclusive)"})

        assets.append(municipal_td_losses_monthly)
    return assets, [inventory_invariants_hold]


def _reconciliation_asset(published: list[str]) -> dg.AssetsDefinition:
    """The inventory against each of the city's published feeds (city_outcomes/metrics/reconciliation.py),
    over the months both cover; only for a city with a feed of the published_emissions contract."""

    @dg.asset(
        key=INVENTORY_RECONCILIATION,
        group_name="metrics",
        deps=[BUILDING_EMISSIONS, FLEET_EMISSIONS, *(feed_key(name) for name in published)],
        kinds={"duckdb", "sql"},
        description=catalog().asset_description("out.inventory_reconciliation"),
    )
    def inventory_reconciliation(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        written, mismatched = 0, 0
        with warehouse.connect() as conn:
            for name in published:
                try:
                    result = reconcile(conn, name)
                except ReconciliationError as error:
                    # No figures of the feed yet (or no inventory): nothing to compare, which is not a failure of the run.
                    context.log.warning(f"{name}: not reconciled: {error}")
                    continue
                written += write_reconciliation(conn, result)
                mismatched += sum(line.verdict != "matches" for line in result.lines)
            record_metric_run(conn, "out.inventory_reconciliation", None, context.run.run_id)
        return dg.MaterializeResult(metadata={"dagster/row_count": written, "lines_not_matching": mismatched, "feeds": ", ".join(published)})

    return inventory_reconciliation


BENCHMARKING_EMISSIONS = dg.AssetKey(BENCHMARKING_TABLE.split("."))


def _benchmarking_asset(feeds: list[str]) -> dg.AssetsDefinition:
    """Annual rows from the city's benchmarking feeds, kept apart from its monthly bills (city_outcomes/metrics/benchmarking.py);
    only for a city with a feed of the building_benchmarking contract."""

    @dg.asset(
        key=BENCHMARKING_EMISSIONS,
        group_name="metrics",
        deps=[
            *(feed_key(name) for name in feeds),
            feed_key("building_energy"),
            feed_key("buildings"),
            feed_key("emission_factors"),
            feed_key("global_warming_potentials"),
            dg.AssetKey(["ref", "unit_conversions"]),
        ],
        kinds={"duckdb", "sql"},
        description=catalog().asset_description(BENCHMARKING_TABLE),
    )
    def building_emissions_annual_benchmarking(context: dg.AssetExecutionContext, city: CityResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
        with warehouse.connect() as conn:
            rows = refresh_benchmarking_emissions(conn, city.load())
            counted = conn.execute(f"SELECT count(*) FILTER (WHERE counted_in_inventory) FROM {BENCHMARKING_TABLE}").fetchone()[0]
            record_metric_run(conn, BENCHMARKING_TABLE, None, context.run.run_id)
        return dg.MaterializeResult(metadata={"dagster/row_count": rows, "rows_counted": counted, "rows_kept_out": rows - counted, "feeds": ", ".join(feeds)})

    return building_emissions_annual_benchmarking


def _benchmarking_check() -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=BENCHMARKING_EMISSIONS,
        blocking=True,
        description="Every counted benchmarking row has emissions, and every row kept out (its building-year has monthly bills) has none and says why.",
    )
    def benchmarking_rows_counted_once(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect() as conn:
            wrong = uncounted_benchmarking_rows(conn)
        return dg.AssetCheckResult(passed=not wrong, metadata={"rows": len(wrong), "sample": dg.MetadataValue.json([list(map(str, r)) for r in wrong[:10]])})

    return benchmarking_rows_counted_once
