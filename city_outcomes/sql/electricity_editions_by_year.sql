-- Which electricity factors each inventory year used, and why (the page states it: issue 12's "default, stated on
-- the page"). Every kWh of a year takes the same edition (electricity_factors_by_year.sql), so the buildings' rows
-- say it for all sectors; their factor_choice is the rule as it was applied ('configured: ...' or 'default: ...').
-- No parameters.
SELECT
    inventory_year,
    factor_set,
    string_agg(DISTINCT factor_choice, '; ') AS factor_choice,
    string_agg(DISTINCT factor_basis, '; ') AS factor_basis,
    string_agg(DISTINCT market_factor_set, '; ') AS market_factor_set,
    string_agg(DISTINCT market_method, '; ') AS market_method
FROM out.building_emissions_monthly
WHERE energy_type = 'electricity'
GROUP BY inventory_year, factor_set
ORDER BY inventory_year, factor_set
