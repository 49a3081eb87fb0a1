-- The rows a reconciliation compares: the inventory's (out.building_emissions_monthly, one per building or
-- meter, month and energy type, with the bill's cost) and one published feed's (core.published_emissions, one
-- per facility, month and source), side by side in one shape. Published activity is converted to the
-- inventory's canonical unit where ref.unit_conversions knows the unit (kWh -> kWh, MWh -> kWh); a unit it does
-- not know (MCF of gas) is kept as published and its activity is not compared.
-- Parameters: $feed (the published feed), $start_month, $end_month (half-open).
WITH inventory AS (
    SELECT
        'inventory' AS side,
        emissions.period_month,
        emissions.energy_type AS source,
        emissions.building_id AS row_key,
        emissions.department,
        emissions.activity_quantity,
        emissions.activity_unit,
        emissions.co2e_tonnes,
        bill.cost_usd,
        emissions.factor_set AS basis,
        emissions._feed,
        emissions._source_row
    FROM out.building_emissions_monthly AS emissions
    LEFT JOIN core.building_energy AS bill
        ON bill._feed = emissions._feed
        AND bill._file_sha256 = emissions._file_sha256
        AND bill._source_row = emissions._source_row
    WHERE emissions.period_month >= $start_month AND emissions.period_month < $end_month
),

published AS (
    SELECT
        'published' AS side,
        figure.period_month,
        figure.source,
        figure.facility_id AS row_key,
        figure.department,
        figure.activity_quantity * coalesce(conversion.multiplier, 1) AS activity_quantity,
        coalesce(conversion.to_unit, figure.activity_unit) AS activity_unit,
        figure.co2e_tonnes,
        figure.cost_usd,
        figure.publication AS basis,
        figure._feed,
        figure._source_row
    FROM core.published_emissions AS figure
    LEFT JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = figure.source AND conversion.from_unit = figure.activity_unit
    WHERE figure._feed = $feed
        AND figure.period_month >= $start_month AND figure.period_month < $end_month
)

SELECT * FROM inventory
UNION ALL
SELECT * FROM published
ORDER BY period_month, source, side, row_key
