-- The municipal operations inventory (LGO Protocol sectors), monthly: every sector table's rows summed by sector,
-- department, source and scope, split by gas. One row per month, sector, subsector, department, source_kind (the
-- fuel or energy), scope and gas; `source_rows` counts the sector tables' rows summed (one row per source would be
-- 100,000 rows a month for a city's streetlights: the sector tables keep each building, vehicle, fixture and
-- station, and `trace` follows their rows).
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
--   the fleet's CO2 rows. T&D losses (scope 3) are not here: see municipal_td_losses_monthly.sql.
-- activity / unit: the source rows' activity summed, on every gas row of the group (do not sum it across gases).
-- Parameters: $start_month, $end_month (half-open), $gwp_set, $water_types, $wastewater_types.
WITH buildings AS (
    SELECT
        emissions.period_month,
        building_sector(buildings.building_type, $water_types, $wastewater_types) AS sector,
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
        emissions.co2e_tonnes_market
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
        co2_kg, ch4_kg, n2o_kg, biogenic_co2_kg, co2e_tonnes, co2e_tonnes_market
    FROM out.fleet_emissions_monthly
    WHERE period_month >= $start_month AND period_month < $end_month
),

streetlights AS (
    SELECT
        period_month, 'Streetlights and traffic signals' AS sector,
        CASE fixture_class WHEN 'traffic_signal' THEN 'Traffic signals' ELSE 'Streetlights' END AS subsector,
        department, 'electricity' AS source_kind, fixture_id AS source_id, gpc_reference, scope,
        activity_quantity, activity_unit, factor_set, market_method,
        co2_kg, ch4_kg, n2o_kg, 0.0 AS biogenic_co2_kg, co2e_tonnes, co2e_tonnes_market
    FROM out.streetlight_emissions_monthly
    WHERE period_month >= $start_month AND period_month < $end_month
),

public_charging AS (
    SELECT
        period_month, 'Public EV charging' AS sector, 'Public chargers' AS subsector,
        department, 'electricity' AS source_kind, station_id AS source_id, gpc_reference, scope,
        activity_quantity, activity_unit, factor_set, market_method,
        co2_kg, ch4_kg, n2o_kg, 0.0 AS biogenic_co2_kg, co2e_tonnes, co2e_tonnes_market
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

-- One row per source row and gas (the macro gas_rows, city_outcomes/sql/inventory_macros.sql): one pass over the
-- sources, each row unnested into its gases (four UNION ALL branches over the sources made DuckDB keep all of them
-- in memory and read them four times: about half of this statement's time at issue 12's size).
figures AS (
    SELECT sources.*, unnest(gas_rows(co2_kg, ch4_kg, n2o_kg, co2e_tonnes, co2e_tonnes_market,
                                      coalesce(market_method = 'supplier-specific', false), gwp.ch4, gwp.n2o), recursive := true)
    FROM sources, gwp
)

SELECT
    period_month,
    sector,
    subsector,
    department,
    source_kind,
    gpc_reference,
    scope,
    gas,
    -- Sums of DECIMAL(38, 18) (each figure rounded at 1e-18; the sum exact): a parallel sum of doubles adds in any
    -- order, and a rerun would change a figure's last digit. (Sorting each group's values for an ordered sum cost
    -- twice as much at issue 12's size.)
    sum(activity_quantity::DECIMAL(38, 18))::DOUBLE AS activity,
    activity_unit AS unit,
    -- The factor sets and market methods of the group's rows (one year: one electricity edition; fuels and
    -- suppliers may differ between sources).
    string_agg(DISTINCT factor_set, ', ' ORDER BY factor_set) AS factor_set,
    string_agg(DISTINCT market_method, ', ' ORDER BY market_method) AS market_method,
    sum(mass_kg::DECIMAL(38, 18))::DOUBLE / 1000 AS mass_tonnes,
    sum(location_tonnes::DECIMAL(38, 18))::DOUBLE AS co2e_tonnes,
    sum(market_tonnes::DECIMAL(38, 18))::DOUBLE AS co2e_tonnes_market,
    sum((CASE WHEN gas = 'CO2' THEN biogenic_co2_kg ELSE 0 END)::DECIMAL(38, 18))::DOUBLE / 1000 AS biogenic_co2_tonnes,
    count(*) AS source_rows,
    $gwp_set AS gwp_set
FROM figures
GROUP BY period_month, sector, subsector, department, source_kind, gpc_reference, scope, gas, activity_unit
-- No ORDER BY: the warehouse runs with preserve_insertion_order = false, so the table written from this is in no
-- guaranteed order anyway (readers order what they read).
