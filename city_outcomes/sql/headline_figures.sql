-- City-wide building emissions per calendar year, with the number of buildings billed. Which years
-- may be shown as the baseline and the latest year is decided by year_completeness.sql, not here.
SELECT
    year(period_month) AS year,
    sum(co2e_tonnes) AS co2e_tonnes,
    count(DISTINCT building_id) AS buildings
FROM out.building_emissions_monthly
GROUP BY ALL
ORDER BY year
