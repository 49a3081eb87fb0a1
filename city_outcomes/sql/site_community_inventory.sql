-- The emissions page's community inventory: the latest inventory year, one line per GPC subsector (its CO2e,
-- summed over activities), with the notation key and explanation of lines without data. No parameters.
WITH latest AS (
    SELECT max(inventory_year) AS inventory_year FROM out.community_inventory
)
SELECT
    inventory_year,
    gpc_reference,
    any_value(subsector) AS subsector,
    any_value(scope) AS scope,
    sum(emissions_tonnes) AS emissions_tonnes,
    -- A subsector without data has one key for all its lines; with data, none.
    CASE WHEN count(emissions_tonnes) = 0 THEN any_value(notation_key) END AS notation_key,
    CASE WHEN count(emissions_tonnes) = 0 THEN any_value(explanation) END AS explanation,
    min(rowid) AS position
FROM out.community_inventory
JOIN latest USING (inventory_year)
WHERE gas = 'CO2e'
GROUP BY inventory_year, gpc_reference
ORDER BY position
