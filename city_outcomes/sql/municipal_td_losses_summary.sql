-- The scope 3 T&D losses by year and sector (t CO2e, location-based), for the run's summary and the emissions page,
-- which show them beside the inventory's scope 1 and 2, never in its totals. No parameters.
SELECT
    year(period_month)::INTEGER AS inventory_year,
    sector,
    sum(co2e_tonnes) AS co2e_tonnes,
    string_agg(DISTINCT format('{} {:.1f}%', factor_set, grid_gross_loss * 100), ', ' ORDER BY format('{} {:.1f}%', factor_set, grid_gross_loss * 100)) AS losses
FROM out.municipal_td_losses_monthly
GROUP BY ALL
ORDER BY inventory_year, sector
