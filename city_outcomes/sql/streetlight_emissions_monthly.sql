-- Monthly emissions of the city's streetlights and traffic signals (LGO Protocol sector "streetlights and traffic
-- signals"; GPC I.2.2, grid energy of commercial and institutional facilities): one row per fixture and month.
-- billed kWh x the inventory year's electricity factors (electricity_factors_by_year.sql, the temp table
-- _electricity_factors_by_year: the same edition and supplier factor as every other kWh of the inventory),
-- location-based in co2e_tonnes and market-based in co2e_tonnes_market; scope 2.
-- A fixture's class (streetlight or traffic_signal) and department come from the fixture inventory
-- (core.streetlight_fixtures, both optional columns); a billed fixture missing from the inventory, or with no class,
-- is a streetlight, under the department 'Not recorded'.
-- A row of a year without a usable factor keeps `factor_problem`; city_outcomes/metrics/streetlights.py stops the run.
-- Parameters: $start_month, $end_month (half-open), $gwp_set, $grid_subregion.
WITH energy AS (
    SELECT energy.*, year(energy.period_month)::INTEGER AS inventory_year
    FROM core.streetlight_energy AS energy
    WHERE energy.period_month >= $start_month AND energy.period_month < $end_month
)

SELECT
    energy.fixture_id,
    coalesce(fixtures.fixture_class, 'streetlight') AS fixture_class,
    coalesce(fixtures.department, 'Not recorded') AS department,
    energy.period_month,
    energy.inventory_year,
    'I.2.2' AS gpc_reference,
    2 AS scope,
    energy.energy_kwh AS activity_quantity,
    'kWh' AS activity_unit,
    energy.is_estimated,
    energy.energy_kwh * location.co2_kg_per_kwh AS co2_kg,
    energy.energy_kwh * location.ch4_kg_per_kwh AS ch4_kg,
    energy.energy_kwh * location.n2o_kg_per_kwh AS n2o_kg,
    energy.energy_kwh * location.co2e_kg_per_kwh / 1000 AS co2e_tonnes,
    energy.energy_kwh * market.co2e_kg_per_kwh / 1000 AS co2e_tonnes_market,
    location.factor_set,
    location.factor_basis,
    location.co2e_kg_per_kwh AS factor_value,
    'kg CO2e/kWh' AS factor_unit,
    location.chosen AS factor_choice,
    location.factors_id,
    market.market_method,
    market.factor_set AS market_factor_set,
    market.factor_basis AS market_factor_basis,
    market.factors_id AS market_factors_id,
    $gwp_set AS gwp_set,
    $grid_subregion AS grid_subregion,
    coalesce('location-based: ' || location.factor_problem, 'market-based: ' || market.factor_problem) AS factor_problem,
    energy._feed,
    energy._file_sha256,
    energy._source_row
FROM energy
LEFT JOIN core.streetlight_fixtures AS fixtures ON fixtures.fixture_id = energy.fixture_id
JOIN _electricity_factors_by_year AS location ON location.inventory_year = energy.inventory_year AND location.method = 'location'
JOIN _electricity_factors_by_year AS market ON market.inventory_year = energy.inventory_year AND market.method = 'market'
-- No ORDER BY: the warehouse runs with preserve_insertion_order = false, so the table written from this is in no
-- guaranteed order anyway (readers order what they read), and sorting 3.6 million rows with their factors_applied lists
-- took 16 of this statement's 25 s at issue 12's size (benchmarks/municipal_inventory.py).
-- (was: ORDER BY energy.period_month, energy.fixture_id)
