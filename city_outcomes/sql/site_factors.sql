-- The emission factors the Methods page lists: every factor of a fuel or energy type, and of electricity only the
-- city's grid subregion (every edition) and supplier-specific rates; each with its value, unit, source and edition.
-- Parameters: $subregion.
SELECT
    factor_set,
    activity,
    region,
    rate_basis,
    gas,
    value,
    unit,
    source_document,
    source_table,
    source_year,
    data_year
FROM core.emission_factors
WHERE activity <> 'electricity' OR region = $subregion OR rate_basis <> 'total_output'
ORDER BY activity, factor_set, region, rate_basis, gas
