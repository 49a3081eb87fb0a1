-- Monthly emissions of the city's streetlights and traffic signals (LGO Protocol sector "streetlights and traffic
-- signals"; GPC I.2.2, grid energy of commercial and institutional facilities): one row per fixture and month.
-- billed kWh x the inventory year's electricity factors (electricity_factors_by_year.sql, staged per year as the
-- temp table _electricity_factor_terms: the same edition and supplier factor as every other kWh of the inventory),
-- location-based in co2e_tonnes and market-based in co2e_tonnes_market; scope 2.
-- A fixture's class (streetlight or traffic_signal) and department come from the fixture inventory
-- (core.streetlight_fixtures, both optional columns); a billed fixture missing from the inventory, or with no class,
-- is a streetlight, under the department 'Not recorded'.
-- These are the rows of out.streetlight_emissions_monthly_rows: the columns that vary by row, and `terms_id`, which
-- names the year's factor columns in out.electricity_factor_terms (electricity_factor_terms.sql). Readers read
-- the view out.streetlight_emissions_monthly (streetlight_emissions_monthly_view.sql), which joins them back and
-- adds the sector's constants (GPC reference, scope, units).
-- A row of a year without a usable factor keeps `factor_problem`; city_outcomes/metrics/streetlights.py stops the run.
-- Parameters: $start_month, $end_month (half-open).
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
    energy.energy_kwh AS activity_quantity,
    energy.is_estimated,
    energy.energy_kwh * terms.co2_kg_per_kwh AS co2_kg,
    energy.energy_kwh * terms.ch4_kg_per_kwh AS ch4_kg,
    energy.energy_kwh * terms.n2o_kg_per_kwh AS n2o_kg,
    energy.energy_kwh * terms.co2e_kg_per_kwh / 1000 AS co2e_tonnes,
    energy.energy_kwh * terms.market_co2e_kg_per_kwh / 1000 AS co2e_tonnes_market,
    terms.terms_id,
    terms.factor_problem,
    energy._feed,
    energy._file_sha256,
    energy._source_row
FROM energy
LEFT JOIN core.streetlight_fixtures AS fixtures ON fixtures.fixture_id = energy.fixture_id
JOIN _electricity_factor_terms AS terms ON terms.inventory_year = energy.inventory_year
-- No ORDER BY: the warehouse runs with preserve_insertion_order = false, so the table written from this is in no
-- guaranteed order anyway (readers order what they read), and sorting 3.6 million rows with their factors_applied lists
-- took 16 of this statement's 25 s at issue 12's size (benchmarks/municipal_inventory.py).
