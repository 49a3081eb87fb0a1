-- The months the fleet's fuel purchases cover (inventory_reconciliation_fleet_rows.sql's), with the buildings'
-- (inventory_reconciliation_months.sql) the inventory's months. No parameters.
SELECT 'inventory' AS side, period_month FROM out.fleet_emissions_monthly WHERE fuel_type <> 'electricity' GROUP BY period_month
ORDER BY period_month
