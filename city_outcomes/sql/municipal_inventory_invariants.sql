-- The municipal inventory's invariants, each row a failure (none when the inventory holds):
-- 1. sectors sum to the total: per sector and month, the inventory's location- and market-based tCO2e equal the
--    sums of the sector tables it is built from (a duplicated or lost row shows here);
-- 2. monthly sums to annual: per year, sector, department, source kind, scope and gas, the annual table's rows of
--    basis 'monthly rows' equal the sum of the monthly one;
-- 3. location and market totals differ only in scope 2: scope 1 rows have the same figure by both methods;
-- 4. counted benchmarking rows are in the annual inventory once: per year, its rows of basis 'annual benchmarking'
--    sum to the benchmarking rows counted (_counted_benchmarking, staged by city_outcomes/metrics/inventory.py).
-- Tolerance: 1e-9 t plus 1e-9 of the figure (sums of floating-point figures in another order).
-- No parameters.
WITH source_totals AS (
    SELECT period_month, 'Buildings and facilities' AS sector_group, sum(co2e_tonnes) AS location, sum(co2e_tonnes_market) AS market
    FROM out.building_emissions_monthly GROUP BY ALL
    UNION ALL
    SELECT period_month, 'Vehicle fleet', sum(co2e_tonnes), sum(co2e_tonnes_market) FROM out.fleet_emissions_monthly GROUP BY ALL
    UNION ALL
    SELECT period_month, 'Streetlights and traffic signals', sum(co2e_tonnes), sum(co2e_tonnes_market) FROM out.streetlight_emissions_monthly GROUP BY ALL
    UNION ALL
    SELECT period_month, 'Public EV charging', sum(co2e_tonnes), sum(co2e_tonnes_market) FROM out.public_ev_charging_emissions_monthly GROUP BY ALL
),

inventory_totals AS (
    SELECT
        period_month,
        -- Water and wastewater facilities are buildings: they sum with them to the buildings' table.
        CASE WHEN sector IN ('Water delivery facilities', 'Wastewater facilities') THEN 'Buildings and facilities' ELSE sector END AS sector_group,
        sum(co2e_tonnes) AS location,
        sum(co2e_tonnes_market) AS market
    FROM out.municipal_inventory_monthly
    GROUP BY ALL
),

sector_failures AS (
    SELECT
        'sectors sum to the total' AS invariant,
        format('{} {}: inventory {:.6f} / {:.6f} t CO2e (location / market), sector table {:.6f} / {:.6f}',
            coalesce(i.sector_group, s.sector_group), strftime(coalesce(i.period_month, s.period_month), '%Y-%m'),
            coalesce(i.location, 0), coalesce(i.market, 0), coalesce(s.location, 0), coalesce(s.market, 0)) AS detail
    FROM inventory_totals AS i
    FULL OUTER JOIN source_totals AS s USING (period_month, sector_group)
    WHERE abs(coalesce(i.location, 0) - coalesce(s.location, 0)) > 1e-9 + 1e-9 * abs(coalesce(s.location, 0))
        OR abs(coalesce(i.market, 0) - coalesce(s.market, 0)) > 1e-9 + 1e-9 * abs(coalesce(s.market, 0))
),

monthly_by_year AS (
    SELECT year(period_month)::INTEGER AS inventory_year, sector, subsector, department, source_kind, scope, gas,
        sum(co2e_tonnes) AS location, sum(co2e_tonnes_market) AS market
    FROM out.municipal_inventory_monthly GROUP BY ALL
),

annual AS (
    SELECT inventory_year, sector, subsector, department, source_kind, scope, gas,
        sum(co2e_tonnes) AS location, sum(co2e_tonnes_market) AS market
    FROM out.municipal_inventory_annual WHERE basis = 'monthly rows' GROUP BY ALL
),

benchmarking_failures AS (
    SELECT
        'counted benchmarking rows are in the annual inventory once' AS invariant,
        format('{}: annual benchmarking rows {:.6f} / {:.6f} t CO2e (location / market), counted benchmarking rows {:.6f} / {:.6f}',
            coalesce(i.inventory_year, b.inventory_year), coalesce(i.location, 0), coalesce(i.market, 0),
            coalesce(b.location, 0), coalesce(b.market, 0)) AS detail
    FROM (
        SELECT inventory_year, sum(co2e_tonnes) AS location, sum(co2e_tonnes_market) AS market
        FROM out.municipal_inventory_annual WHERE basis = 'annual benchmarking' GROUP BY ALL
    ) AS i
    FULL OUTER JOIN (
        SELECT calendar_year::INTEGER AS inventory_year, sum(co2e_tonnes) AS location, sum(co2e_tonnes_market) AS market
        FROM _counted_benchmarking GROUP BY ALL
    ) AS b USING (inventory_year)
    WHERE abs(coalesce(i.location, 0) - coalesce(b.location, 0)) > 1e-9 + 1e-9 * abs(coalesce(b.location, 0))
        OR abs(coalesce(i.market, 0) - coalesce(b.market, 0)) > 1e-9 + 1e-9 * abs(coalesce(b.market, 0))
),

annual_failures AS (
    SELECT
        'monthly sums to annual' AS invariant,
        format('{} {} / {} / {} / {} scope {} {}: months sum to {:.6f} t CO2e, the annual table says {:.6f}',
            coalesce(m.inventory_year, a.inventory_year), coalesce(m.sector, a.sector), coalesce(m.subsector, a.subsector),
            coalesce(m.department, a.department), coalesce(m.source_kind, a.source_kind), coalesce(m.scope, a.scope),
            coalesce(m.gas, a.gas), coalesce(m.location, 0), coalesce(a.location, 0)) AS detail
    FROM monthly_by_year AS m
    FULL OUTER JOIN annual AS a USING (inventory_year, sector, subsector, department, source_kind, scope, gas)
    WHERE abs(coalesce(m.location, 0) - coalesce(a.location, 0)) > 1e-9 + 1e-9 * abs(coalesce(m.location, 0))
        OR abs(coalesce(m.market, 0) - coalesce(a.market, 0)) > 1e-9 + 1e-9 * abs(coalesce(m.market, 0))
),

scope_failures AS (
    SELECT
        'location and market differ only in scope 2' AS invariant,
        format('{} {} / {} / {} / {} scope {} {}: location {:.6f}, market {:.6f} t CO2e',
            strftime(period_month, '%Y-%m'), sector, subsector, department, source_kind, scope, gas, co2e_tonnes, co2e_tonnes_market) AS detail
    FROM out.municipal_inventory_monthly
    WHERE scope <> 2 AND abs(co2e_tonnes - co2e_tonnes_market) > 1e-9 + 1e-9 * abs(co2e_tonnes)
)

SELECT * FROM sector_failures
UNION ALL SELECT * FROM annual_failures
UNION ALL SELECT * FROM scope_failures
UNION ALL SELECT * FROM benchmarking_failures
ORDER BY invariant, detail
