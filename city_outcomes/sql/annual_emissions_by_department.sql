-- Annual building emissions (tCO2e) by department, with each year's change against the first year
-- (the baseline). Only complete years (12 months of data) are compared.
WITH yearly AS (
    SELECT
        department,
        year(period_month) AS year,
        count(DISTINCT period_month) AS months,
        sum(co2e_tonnes) AS co2e_tonnes
    FROM out.building_emissions_monthly
    GROUP BY ALL
),

final AS (
    SELECT
        department,
        year,
        months,
        co2e_tonnes,
        first(co2e_tonnes ORDER BY year) OVER (PARTITION BY department) AS baseline_co2e_tonnes
    FROM yearly
    WHERE months = 12
)

SELECT
    department,
    year,
    co2e_tonnes,
    (co2e_tonnes - baseline_co2e_tonnes) / baseline_co2e_tonnes AS change_vs_baseline
FROM final
ORDER BY department, year
