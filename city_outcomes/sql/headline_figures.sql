-- Headline figures for the run summary: building emissions in the first and the latest complete year.
WITH yearly AS (
    SELECT year(period_month) AS year, count(DISTINCT period_month) AS months, sum(co2e_tonnes) AS co2e_tonnes
    FROM out.building_emissions_monthly
    GROUP BY ALL
    HAVING count(DISTINCT period_month) = 12
)

SELECT
    (SELECT min(year) FROM yearly) AS baseline_year,
    (SELECT co2e_tonnes FROM yearly ORDER BY year LIMIT 1) AS baseline_co2e_tonnes,
    (SELECT max(year) FROM yearly) AS latest_year,
    (SELECT co2e_tonnes FROM yearly ORDER BY year DESC LIMIT 1) AS latest_co2e_tonnes,
    (SELECT count(DISTINCT building_id) FROM out.building_emissions_monthly) AS buildings
