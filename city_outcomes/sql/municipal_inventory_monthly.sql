-- The municipal operations inventory (LGO Protocol sectors), monthly: every sector table's rows, by sector,
-- department, source and scope, split by gas. One row per month, sector, subsector, department, source_kind (the
-- fuel or energy), source_id (building, vehicle, fixture, station), scope and gas.
-- Sectors: buildings (out.building_emissions_monthly) are "Buildings and facilities", except buildings whose
--   building_type (any case) is in $water_types ("Water delivery facilities") or $wastewater_types ("Wastewater
--   facilities"; city.water_building_types, city.wastewater_building_types); "Vehicle fleet"
--   (out.fleet_emissions_monthly: fuels scope 1, the fleet's own charging scope 2); "Streetlights and traffic
--   signals" (out.streetlight_emissions_monthly, subsector Streetlights or Traffic signals); "Public EV charging"
--   (out.public_ev_charging_emissions_monthly, day rows summed to their month; the fleet's stations are not in it).
-- Gas: where a row's factors are per gas, its CO2, CH4 and N2O each get a row: tCO2e = mass x the GWP of $gwp_set
--   (mass_tonnes the gas's own mass); where the factor was published as CO2e only, one row of gas 'CO2e' (no split
--   exists). A CNG/LNG fleet row has CO2 only (the Hub gives their CH4 and N2O per mile only).
-- Location and market: co2e_tonnes is location-based, co2e_tonnes_market market-based. Where the market figure
--   used other factors than the location one (a supplier-specific factor) it is reported on the gas 'CO2e' row
--   (0 on the per-gas rows); elsewhere (scope 1, or the location-based fallback) each gas row carries the same
--   figure in both. Summing either column over all rows gives its method's total.
-- Biogenic CO2 (the ethanol of E85, the biodiesel of B20) is kept out of both totals, in biogenic_co2_tonnes on
--   the fleet's CO2 rows. T&D losses (scope 3) are not included: no grid gross loss factor is shipped.
-- activity / unit: the source rows' activity summed, on every gas row of the source (do not sum it across gases).
-- Parameters: $start_month, $end_month (half-open), $gwp_set, $water_types, $wastewater_types.
WITH buildings AS (
    SELECT
        emissions.period_month,
        CASE
            WHEN list_contains([lower(trim(t)) FOR t IN $water_types::VARCHAR[]], lower(trim(buildings.building_type))) THEN 'Water delivery facilities'
            WHEN list_contains([lower(trim(t)) FOR t IN $wastewater_types::VARCHAR[]], lower(trim(buildings.building_type))) THEN 'Wastewater facilities'
            ELSE 'Buildings and facilities'
        END AS sector,
        coalesce(buildings.building_type, 'Not in buildings inventory') AS subsector,
        emissions.department,
        emissions.energy_type AS source_kind,
        emissions.building_id AS source_id,
        emissions.gpc_reference,
        emissions.scope,
        emissions.activity_quantity,
        emissions.activity_unit,
        emissions.factor_set,
        emissions.market_method,
        emissions.co2_kg,
        emissions.ch4_kg,
        emissions.n2o_kg,
        0.0 AS biogenic_co2_kg,
        emissions.co2e_tonnes,
        emissions.co2e_tonnes_market,
        true AS one_row_per_key
    FROM out.building_emissions_monthly AS emissions
    LEFT JOIN core.buildings AS buildings USING (building_id)
    WHERE emissions.period_month >= $start_month AND emissions.period_month < $end_month
),

fleet AS (
    SELECT
        period_month, 'Vehicle fleet' AS sector,
        CASE fuel_type WHEN 'electricity' THEN 'Fleet EV charging' ELSE 'Fleet fuel' END AS subsector,
        department, fuel_type AS source_kind, vehicle_id AS source_id, gpc_reference, scope,
        activity_quantity, activity_unit, factor_set, market_method,
        -- A CO2e-only edition leaves the charging rows' co2_kg NULL; fuel rows always have fossil CO2 (0 for B100).
        co2_kg, ch4_kg, n2o_kg, biogenic_co2_kg, co2e_tonnes, co2e_tonnes_market,
        false AS one_row_per_key  -- many purchases per vehicle, month and fuel
    FROM out.fleet_emissions_monthly
    WHERE period_month >= $start_month AND period_month < $end_month
),

streetlights AS (
    SELECT
        period_month, 'Streetlights and traffic signals' AS sector,
        CASE fixture_class WHEN 'traffic_signal' THEN 'Traffic signals' ELSE 'Streetlights' END AS subsector,
        department, 'electricity' AS source_kind, fixture_id AS source_id, gpc_reference, scope,
        activity_quantity, activity_unit, factor_set, market_method,
        co2_kg, ch4_kg, n2o_kg, 0.0 AS biogenic_co2_kg, co2e_tonnes, co2e_tonnes_market,
        true AS one_row_per_key
    FROM out.streetlight_emissions_monthly
    WHERE period_month >= $start_month AND period_month < $end_month
),

public_charging AS (
    SELECT
        period_month, 'Public EV charging' AS sector, 'Public chargers' AS subsector,
        department, 'electricity' AS source_kind, station_id AS source_id, gpc_reference, scope,
        activity_quantity, activity_unit, factor_set, market_method,
        co2_kg, ch4_kg, n2o_kg, 0.0 AS biogenic_co2_kg, co2e_tonnes, co2e_tonnes_market,
        false AS one_row_per_key  -- day rows summed to their month
    FROM out.public_ev_charging_emissions_monthly
    WHERE period_month >= $start_month AND period_month < $end_month
),

sources AS (
    SELECT * FROM buildings
    UNION ALL BY NAME SELECT * FROM fleet
    UNION ALL BY NAME SELECT * FROM streetlights
    UNION ALL BY NAME SELECT * FROM public_charging
),

gwp AS (
    SELECT
        max(gwp_100yr) FILTER (WHERE gas = 'CH4') AS ch4,
        max(gwp_100yr) FILTER (WHERE gas = 'N2O') AS n2o
    FROM core.global_warming_potentials
    WHERE gwp_set = $gwp_set
),

-- One row per source row and gas: CO2, CH4 and N2O where the row's factors gave CO2 (its CO2e is then the sum of its
-- gases); one CO2e row where they gave CO2e only, or where the market figure used a supplier's own factors.
-- One pass over the sources, each row unnested into its gases (four UNION ALL branches over the sources made DuckDB
-- keep all of them in memory and read them four times: about half of this statement's time at issue 12's size).
per_gas AS (
    SELECT sources.*, unnest(list_filter([
        {'gas': 'CO2', 'mass_kg': co2_kg, 'gas_co2e_tonnes': co2_kg / 1000, 'kept': co2_kg IS NOT NULL},
        {'gas': 'CH4', 'mass_kg': ch4_kg, 'gas_co2e_tonnes': ch4_kg * gwp.ch4 / 1000, 'kept': co2_kg IS NOT NULL AND ch4_kg IS NOT NULL},
        {'gas': 'N2O', 'mass_kg': n2o_kg, 'gas_co2e_tonnes': n2o_kg * gwp.n2o / 1000, 'kept': co2_kg IS NOT NULL AND n2o_kg IS NOT NULL},
        {'gas': 'CO2e', 'mass_kg': NULL::DOUBLE, 'gas_co2e_tonnes': co2e_tonnes, 'kept': co2_kg IS NULL OR market_method = 'supplier-specific'}
    ], g -> g.kept), recursive := true)
    FROM sources, gwp
),

by_gas AS (
    SELECT per_gas.* EXCLUDE (kept), per_gas.market_method = 'supplier-specific' AS market_own_factors FROM per_gas
),

figures AS (
    SELECT
        by_gas.*,
        CASE WHEN by_gas.gas = 'CO2e' AND by_gas.co2_kg IS NOT NULL THEN 0.0 ELSE by_gas.gas_co2e_tonnes END AS location_tonnes,
        CASE
            WHEN NOT by_gas.market_own_factors THEN by_gas.gas_co2e_tonnes
            WHEN by_gas.gas = 'CO2e' THEN by_gas.co2e_tonnes_market
            ELSE 0.0
        END AS market_tonnes
    FROM by_gas
)

SELECT
    period_month,
    sector,
    subsector,
    department,
    source_kind,
    source_id,
    gpc_reference,
    scope,
    gas,
    -- Sums over a list in a fixed order (by value): a parallel sum adds in any order, and a rerun would
    -- change a figure's last digit.
    list_sum(list(activity_quantity ORDER BY activity_quantity)) AS activity,
    activity_unit AS unit,
    -- One source, month and fuel has one year, so one factor set and market method (min: a cheap 'the one').
    min(factor_set) AS factor_set,
    min(market_method) AS market_method,
    list_sum(list(mass_kg ORDER BY mass_kg)) / 1000 AS mass_tonnes,
    list_sum(list(location_tonnes ORDER BY location_tonnes)) AS co2e_tonnes,
    list_sum(list(market_tonnes ORDER BY market_tonnes)) AS co2e_tonnes_market,
    list_sum(list(CASE WHEN gas = 'CO2' THEN biogenic_co2_kg ELSE 0 END ORDER BY CASE WHEN gas = 'CO2' THEN biogenic_co2_kg ELSE 0 END)) / 1000 AS biogenic_co2_tonnes,
    count(*) AS source_rows,
    $gwp_set AS gwp_set
FROM figures
WHERE NOT one_row_per_key
GROUP BY period_month, sector, subsector, department, source_kind, source_id, gpc_reference, scope, gas, activity_unit
UNION ALL BY NAME
-- A building's month and energy type, a fixture's month, is one row of its sector table (the unique keys of their
-- contracts, building_energy's (building_id, period_month, energy_type) and streetlight_energy's (fixture_id,
-- period_month): rows sharing a key are quarantined at ingest, and each sector table has one row per core row), so
-- each of their gas rows is already its own group: taken as it is, not through the GROUP BY (its sums of one value
-- are that value). At issue 12's size the streetlights alone are 3.6 of the 4.1 million rows.
SELECT
    period_month, sector, subsector, department, source_kind, source_id, gpc_reference, scope, gas,
    activity_quantity AS activity,
    activity_unit AS unit,
    factor_set,
    market_method,
    mass_kg / 1000 AS mass_tonnes,
    location_tonnes AS co2e_tonnes,
    market_tonnes AS co2e_tonnes_market,
    CASE WHEN gas = 'CO2' THEN biogenic_co2_kg ELSE 0 END / 1000 AS biogenic_co2_tonnes,
    1::BIGINT AS source_rows,
    $gwp_set AS gwp_set
FROM figures
WHERE one_row_per_key
-- No ORDER BY: the warehouse runs with preserve_insertion_order = false, so the table written from this is in no
-- guaranteed order anyway (readers order what they read), and sorting its 4 million rows on eight keys
-- cost 9 of the inventory's 23 s at issue 12's size (benchmarks/municipal_inventory.py).
-- (was: ORDER BY period_month, sector, subsector, department, source_kind, source_id, scope, gas)
