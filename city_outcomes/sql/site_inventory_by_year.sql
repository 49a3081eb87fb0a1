-- The emissions page's sector chart: the municipal inventory by year and sector (t CO2e, location-based), each year
-- labelled with its months where it is not a whole year (an incomplete year never reads as a reduction). No parameters.
WITH by_sector AS (
    SELECT inventory_year, sector, sum(co2e_tonnes) AS co2e_tonnes, max(months) AS months
    FROM out.municipal_inventory_annual
    GROUP BY inventory_year, sector
),

by_year AS (
    SELECT inventory_year, max(months) AS months FROM by_sector GROUP BY inventory_year
)

SELECT
    by_sector.inventory_year,
    CASE WHEN by_year.months < 12 THEN format('{} ({} months)', by_sector.inventory_year, by_year.months)
        ELSE by_sector.inventory_year::VARCHAR END AS year_label,
    by_sector.sector,
    by_sector.co2e_tonnes,
    by_year.months
FROM by_sector
JOIN by_year USING (inventory_year)
ORDER BY by_sector.inventory_year, by_sector.sector
