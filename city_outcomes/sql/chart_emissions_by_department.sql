-- Chart data: monthly building emissions (tCO2e) by department.
SELECT
    period_month,
    department,
    sum(co2e_tonnes) AS co2e_tonnes
FROM out.building_emissions_monthly
GROUP BY ALL
ORDER BY period_month, department
