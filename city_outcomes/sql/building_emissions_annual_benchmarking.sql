-- Annual emissions from benchmarking feeds, one row per building (property), calendar year and energy type: every
-- benchmarking row, counted or kept out. A counted row carries the emissions building_emissions_monthly.sql gives
-- its activity (the same factor choice, per-gas or CO2e, both scope 2 methods, the ids of the lists of factors
-- applied, kept in out.factors_applied); a row kept out because the building's monthly bills of that energy type and
-- year are counted (out.building_emissions_monthly) has no emissions (NULL) and says why, so summing co2e_tonnes never counts a building-year twice.
-- Reads the temporary tables city_outcomes/metrics/benchmarking.py stages: _benchmarking_activity (from
-- building_benchmarking_activity.sql) and _benchmarking_emissions_staged (the counted rows' emissions). No parameters.
SELECT
    activity.building_id,
    coalesce(emissions.building_name, activity.property_name) AS building_name,
    coalesce(emissions.department, 'Not in buildings inventory') AS department,
    activity.calendar_year,
    activity.period_month AS period_start,
    'year' AS period_grain,
    activity.energy_type,
    activity.benchmarking_fields,
    CASE WHEN activity.energy_type = 'electricity' OR starts_with(activity.energy_type, 'district_') THEN 'I.2.2' ELSE 'I.2.1' END AS gpc_reference,
    CASE WHEN activity.energy_type = 'electricity' OR starts_with(activity.energy_type, 'district_') THEN 2 ELSE 1 END AS scope,
    activity.quantity AS reported_quantity,
    activity.unit AS reported_unit,
    activity.counted_in_inventory,
    activity.exclusion_reason,
    activity.monthly_bill_rows,
    emissions.activity_quantity,
    emissions.activity_unit,
    emissions.co2_kg,
    emissions.ch4_kg,
    emissions.n2o_kg,
    emissions.co2e_tonnes,
    emissions.factor_set,
    emissions.gwp_set,
    emissions.factor_basis,
    emissions.factor_value,
    emissions.factor_unit,
    emissions.factor_choice,
    emissions.factors_id,
    emissions.co2e_tonnes_market,
    emissions.market_method,
    emissions.market_factor_set,
    emissions.market_factors_id,
    activity._feed,
    activity._file_sha256,
    activity._source_row
FROM _benchmarking_activity AS activity
LEFT JOIN _benchmarking_emissions_staged AS emissions
    ON activity.counted_in_inventory
    AND emissions._file_sha256 = activity._file_sha256
    AND emissions._source_row = activity._source_row
    AND emissions.energy_type = activity.energy_type
ORDER BY activity.calendar_year, activity.building_id, activity.energy_type
