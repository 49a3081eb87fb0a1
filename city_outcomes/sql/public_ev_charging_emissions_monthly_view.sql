-- out.public_ev_charging_emissions_monthly, what readers read: one row per accepted ev_charging_energy row of
-- out.public_ev_charging_emissions_monthly_rows (public_ev_charging_emissions_monthly.sql, the emission math), with
-- the year's factor columns joined back from out.electricity_factor_terms and the sector's constants: GPC II.1.2
-- (grid energy used in on-road transport), scope 2, kWh; a public charger belongs to no department on record.
SELECT
    emission_row.station_id,
    'Not recorded' AS department,
    emission_row.period_month,
    emission_row.period_start,
    emission_row.period_grain,
    emission_row.inventory_year,
    'II.1.2' AS gpc_reference,
    2 AS scope,
    emission_row.activity_quantity,
    'kWh' AS activity_unit,
    emission_row.sessions,
    emission_row.co2_kg,
    emission_row.ch4_kg,
    emission_row.n2o_kg,
    emission_row.co2e_tonnes,
    emission_row.co2e_tonnes_market,
    terms.factor_set,
    terms.factor_basis,
    terms.factor_value,
    'kg CO2e/kWh' AS factor_unit,
    terms.factor_choice,
    terms.factors_id,
    terms.market_method,
    terms.market_factor_set,
    terms.market_factor_basis,
    terms.market_factors_id,
    terms.gwp_set,
    terms.grid_subregion,
    emission_row._feed,
    emission_row._file_sha256,
    emission_row._source_row
FROM out.public_ev_charging_emissions_monthly_rows AS emission_row
-- LEFT: a row whose terms were lost would show them blank, not vanish from every total.
LEFT JOIN out.electricity_factor_terms AS terms USING (terms_id)
