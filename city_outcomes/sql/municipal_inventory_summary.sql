-- The annual municipal inventory by year, sector and scope (t CO2e), for the end-of-run summary. No parameters.
SELECT
    inventory_year,
    sector,
    scope,
    sum(co2e_tonnes) AS co2e_tonnes,
    sum(co2e_tonnes_market) AS co2e_tonnes_market,
    max(months) AS months
FROM out.municipal_inventory_annual
GROUP BY ALL
ORDER BY inventory_year, sector, scope
