-- The fleet's fuel purchases as the inventory's side of a reconciliation, in inventory_reconciliation_rows.sql's
-- shape: one row per purchase (out.fleet_emissions_monthly, with the purchase's cost), its source the fuel
-- (gasoline, diesel, e85, b20, cng: a publication that reports no e85 has it outside its boundary), keyed by
-- vehicle. The fleet's EV charging is not here: a publication's electricity is counted by meter, and the
-- buildings' side already holds the meters. Parameters: $start_month, $end_month (half-open).
SELECT
    'inventory' AS side,
    emissions.period_month,
    emissions.fuel_type AS source,
    emissions.vehicle_id AS row_key,
    emissions.department,
    emissions.activity_quantity,
    emissions.activity_unit,
    emissions.co2e_tonnes,
    purchase.cost_usd,
    emissions.factor_set AS basis,
    emissions._feed,
    emissions._source_row
FROM out.fleet_emissions_monthly AS emissions
LEFT JOIN core.fleet_fuel AS purchase
    ON purchase._feed = emissions._feed
    AND purchase._file_sha256 = emissions._file_sha256
    AND purchase._source_row = emissions._source_row
WHERE emissions.period_month >= $start_month AND emissions.period_month < $end_month
    AND emissions.fuel_type <> 'electricity'
ORDER BY period_month, source, row_key
