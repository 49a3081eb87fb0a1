-- Annual building emissions (tCO2e) by department, every year with bills. Whether a year is complete,
-- and so whether a change may be computed from or to it, comes from year_completeness.sql.
SELECT
    department,
    year(period_month) AS year,
    sum(co2e_tonnes) AS co2e_tonnes
FROM out.building_emissions_monthly
GROUP BY ALL
ORDER BY department, year
