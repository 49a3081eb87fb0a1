-- The municipal operations inventory by year: out.municipal_inventory_monthly summed over the months of each
-- inventory year, by sector, subsector, department, source kind, scope and gas. months says how many months of the
-- year hold rows.
-- No parameters.
SELECT
    year(period_month)::INTEGER AS inventory_year,
    sector,
    subsector,
    department,
    source_kind,
    gpc_reference,
    scope,
    gas,
    -- Sums over a list in a fixed order (by value): a parallel sum adds in any order, and a rerun would
    -- change a figure's last digit.
    list_sum(list(activity ORDER BY activity)) AS activity,
    unit,
    string_agg(DISTINCT factor_set, ', ' ORDER BY factor_set) AS factor_set,
    list_sum(list(mass_tonnes ORDER BY mass_tonnes)) AS mass_tonnes,
    list_sum(list(co2e_tonnes ORDER BY co2e_tonnes)) AS co2e_tonnes,
    list_sum(list(co2e_tonnes_market ORDER BY co2e_tonnes_market)) AS co2e_tonnes_market,
    list_sum(list(biogenic_co2_tonnes ORDER BY biogenic_co2_tonnes)) AS biogenic_co2_tonnes,
    count(DISTINCT period_month) AS months,
    any_value(gwp_set) AS gwp_set
FROM out.municipal_inventory_monthly
GROUP BY inventory_year, sector, subsector, department, source_kind, gpc_reference, scope, gas, unit
ORDER BY inventory_year, sector, subsector, department, source_kind, scope, gas
