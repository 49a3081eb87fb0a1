-- The municipal operations inventory by year, by sector, subsector, department, source kind, scope and gas, from
-- two bases (column basis):
-- * 'monthly rows': out.municipal_inventory_monthly summed over the months of each inventory year; months says
--   how many months of the year hold rows;
-- * 'annual benchmarking': the benchmarking rows counted in the inventory (out.building_emissions_annual_benchmarking,
--   counted_in_inventory: no monthly bill of the building, energy type and year is counted, so nothing is counted
--   twice), staged by city_outcomes/metrics/inventory.py as _counted_benchmarking (empty for a city without a
--   benchmarking feed), split by gas as the monthly rows are (the macros of inventory_macros.sql); months is 12 (a
--   benchmarking row reports a whole calendar year).
-- Parameters: $gwp_set, $water_types, $wastewater_types.
WITH gwp AS (
    SELECT
        max(gwp_100yr) FILTER (WHERE gas = 'CH4') AS ch4,
        max(gwp_100yr) FILTER (WHERE gas = 'N2O') AS n2o
    FROM core.global_warming_potentials
    WHERE gwp_set = $gwp_set
),

monthly AS (
    SELECT
        year(period_month)::INTEGER AS inventory_year,
        sector,
        subsector,
        department,
        source_kind,
        gpc_reference,
        scope,
        gas,
        'monthly rows' AS basis,
        -- Sums over a list in a fixed order (by value): a parallel sum adds in any order, and a rerun would
        -- change a figure's last digit.
        list_sum(list(activity ORDER BY activity)) AS activity,
        unit,
        string_agg(DISTINCT factor_set, ', ' ORDER BY factor_set) AS factor_set,
        list_sum(list(mass_tonnes ORDER BY mass_tonnes)) AS mass_tonnes,
        list_sum(list(co2e_tonnes ORDER BY co2e_tonnes)) AS co2e_tonnes,
        list_sum(list(co2e_tonnes_market ORDER BY co2e_tonnes_market)) AS co2e_tonnes_market,
        list_sum(list(biogenic_co2_tonnes ORDER BY biogenic_co2_tonnes)) AS biogenic_co2_tonnes,
        count(DISTINCT period_month) AS months,
        any_value(gwp_set) AS gwp_set
    FROM out.municipal_inventory_monthly
    GROUP BY inventory_year, sector, subsector, department, source_kind, gpc_reference, scope, gas, unit
),

benchmarking_gases AS (
    SELECT
        counted.calendar_year::INTEGER AS inventory_year,
        building_sector(buildings.building_type, $water_types, $wastewater_types) AS sector,
        coalesce(buildings.building_type, 'Not in buildings inventory') AS subsector,
        counted.department,
        counted.energy_type AS source_kind,
        counted.gpc_reference,
        counted.scope,
        counted.activity_quantity,
        counted.activity_unit,
        counted.factor_set,
        unnest(gas_rows(counted.co2_kg, counted.ch4_kg, counted.n2o_kg, counted.co2e_tonnes, counted.co2e_tonnes_market,
                        coalesce(counted.market_method = 'supplier-specific', false), gwp.ch4, gwp.n2o), recursive := true)
    FROM _counted_benchmarking AS counted
    LEFT JOIN core.buildings AS buildings USING (building_id)
    CROSS JOIN gwp
),

benchmarking AS (
    SELECT
        inventory_year, sector, subsector, department, source_kind, gpc_reference, scope, gas,
        'annual benchmarking' AS basis,
        list_sum(list(activity_quantity ORDER BY activity_quantity)) AS activity,
        activity_unit AS unit,
        string_agg(DISTINCT factor_set, ', ' ORDER BY factor_set) AS factor_set,
        list_sum(list(mass_kg ORDER BY mass_kg)) / 1000 AS mass_tonnes,
        list_sum(list(location_tonnes ORDER BY location_tonnes)) AS co2e_tonnes,
        list_sum(list(market_tonnes ORDER BY market_tonnes)) AS co2e_tonnes_market,
        0.0 AS biogenic_co2_tonnes,
        12::BIGINT AS months,  -- an annual report covers its calendar year
        $gwp_set AS gwp_set
    FROM benchmarking_gases
    GROUP BY inventory_year, sector, subsector, department, source_kind, gpc_reference, scope, gas, activity_unit
)

SELECT * FROM monthly
UNION ALL BY NAME
SELECT * FROM benchmarking
ORDER BY inventory_year, sector, subsector, department, source_kind, scope, gas, basis
