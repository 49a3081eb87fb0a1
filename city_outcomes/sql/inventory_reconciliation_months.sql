-- The months each side has: the inventory's (any energy type) and one published feed's. A reconciliation
-- compares, by default, the span both sides cover; published months outside it are listed as not compared. Parameters: $feed.
SELECT 'inventory' AS side, period_month FROM out.building_emissions_monthly GROUP BY period_month
UNION ALL
SELECT 'published' AS side, period_month FROM core.published_emissions WHERE _feed = $feed GROUP BY period_month
ORDER BY side, period_month
