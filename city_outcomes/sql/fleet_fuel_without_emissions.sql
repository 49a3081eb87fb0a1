-- Accepted fleet fuel rows that produced no emissions row, each with what it lacked: a unit conversion,
-- an emission method for its fuel (ref.fleet_fuel_components), a factor of the city's factor set, or a
-- GWP. Without this check such a row would drop out of the inventory without a trace.
-- EV charging's factors are the inventory year's shared electricity factors (the temp table
-- _electricity_factors_by_year, staged by city_outcomes/metrics/fleet.py before this query runs).
-- Parameters: $factor_set, $shipped_factor_set, $grid_subregion, $gwp_set (the city's, as the metric used them).
WITH unmatched AS (
    SELECT fuel.*
    FROM core.fleet_fuel AS fuel
    ANTI JOIN out.fleet_emissions_monthly AS emissions
        ON emissions._feed = fuel._feed
        AND emissions._file_sha256 = fuel._file_sha256
        AND emissions._source_row = fuel._source_row
),

conversions AS (
    SELECT unmatched._feed, unmatched._file_sha256, unmatched._source_row, conversion.to_unit AS activity_unit
    FROM unmatched
    JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = unmatched.fuel_type AND conversion.from_unit = unmatched.unit
),

-- The factors the metric could use (fleet_factor_rows, as fleet_fuel_factors.sql reads them).
factors AS (
    SELECT factor.activity, factor.rate_basis, factor.region, factor.gas, conversion.to_unit AS factor_unit
    FROM fleet_factor_rows($factor_set, $shipped_factor_set) AS factor
    JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = 'emission_factor' AND conversion.from_unit = factor.unit
),

missing_factors AS (
    SELECT
        unmatched._feed,
        unmatched._file_sha256,
        unmatched._source_row,
        string_agg(
            CASE
                WHEN factors.activity IS NULL THEN
                    'no ' || component.gas || ' factor for ' || component.factor_activity || ' (rate_basis ' || component.rate_basis
                    || ', region ' || CASE component.factor_activity WHEN 'electricity' THEN $grid_subregion ELSE 'US' END
                    || ', per ' || coalesce(conversions.activity_unit, '?') || ') in factor_set ' || $factor_set
                    || CASE WHEN $factor_set <> $shipped_factor_set THEN ' (nor, where it has no ' || component.factor_activity || ' factor at all, in the shipped ' || $shipped_factor_set || ')' ELSE '' END
                WHEN gwp.gas IS NULL THEN 'no ' || component.gas || ' GWP in gwp_set ' || $gwp_set
            END,
            '; ' ORDER BY component.factor_activity, component.gas
        ) AS missing
    FROM unmatched
    JOIN ref.fleet_fuel_components AS component ON component.fuel_type = unmatched.fuel_type
    LEFT JOIN conversions USING (_feed, _file_sha256, _source_row)
    LEFT JOIN factors
        ON factors.activity = component.factor_activity
        AND factors.rate_basis = component.rate_basis
        AND factors.gas = component.gas
        AND factors.region = CASE component.factor_activity WHEN 'electricity' THEN $grid_subregion ELSE 'US' END
        AND factors.factor_unit = 'kg/' || conversions.activity_unit
    LEFT JOIN core.global_warming_potentials AS gwp ON gwp.gas = component.gas AND gwp.gwp_set = $gwp_set
    GROUP BY ALL
)

SELECT
    unmatched._feed AS feed,
    coalesce(landed.source_path, unmatched._file_sha256) AS file,
    unmatched._file_sha256 AS file_sha256,
    unmatched._source_row AS source_row,
    unmatched.vehicle_id,
    unmatched.purchase_date,
    year(unmatched.purchase_date) AS year,
    unmatched.fuel_type,
    unmatched.quantity,
    unmatched.unit,
    CASE
        WHEN unmatched.fuel_type = 'electricity' AND conversions.activity_unit IS NOT NULL THEN coalesce(
            'location-based: ' || electricity.factor_problem, 'market-based: ' || market.factor_problem,
            'no emissions row (unexplained)'
        )
        WHEN NOT EXISTS (SELECT 1 FROM ref.fleet_fuel_components AS c WHERE c.fuel_type = unmatched.fuel_type) THEN
            'no emission method or factor for fuel_type ' || unmatched.fuel_type
            || ' (factor_set ' || $factor_set || ' has none; see city_outcomes/sql/fleet_fuel_components.sql)'
        WHEN conversions.activity_unit IS NULL THEN 'no conversion of ' || unmatched.unit || ' for ' || unmatched.fuel_type || ' in ref.unit_conversions'
        ELSE coalesce(missing_factors.missing, 'no emissions row (unexplained)')
    END AS missing
FROM unmatched
LEFT JOIN conversions USING (_feed, _file_sha256, _source_row)
LEFT JOIN missing_factors USING (_feed, _file_sha256, _source_row)
LEFT JOIN meta.landed_files AS landed ON landed.feed = unmatched._feed AND landed.file_sha256 = unmatched._file_sha256
LEFT JOIN _electricity_factors_by_year AS electricity
    ON electricity.inventory_year = year(unmatched.purchase_date) AND electricity.method = 'location'
LEFT JOIN _electricity_factors_by_year AS market
    ON market.inventory_year = year(unmatched.purchase_date) AND market.method = 'market'
ORDER BY unmatched.purchase_date, unmatched._feed, unmatched._file_sha256, unmatched._source_row
