-- out.streetlight_emissions_monthly, what readers read: one row per fixture and month of
-- out.streetlight_emissions_monthly_rows (streetlight_emissions_monthly.sql, the emission math), with the year's
-- factor columns joined back from out.electricity_factor_terms and the sector's constants: GPC I.2.2 (grid energy
-- of commercial and institutional facilities), scope 2, kWh.
SELECT
    emission_row.fixture_id,
    emission_row.fixture_class,
    emission_row.department,
    emission_row.period_month,
    emission_row.inventory_year,
    'I.2.2' AS gpc_reference,
    2 AS scope,
    emission_row.activity_quantity,
    'kWh' AS activity_unit,
    emission_row.is_estimated,
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
FROM out.streetlight_emissions_monthly_rows AS emission_row
-- LEFT: a row whose terms were lost would show them blank, not vanish from every total.
LEFT JOIN out.electricity_factor_terms AS terms USING (terms_id)
