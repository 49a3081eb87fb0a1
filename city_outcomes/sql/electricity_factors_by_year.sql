-- Grid electricity's emission factors per inventory year and scope 2 method: ONE choice of edition for every kWh
-- of the inventory (buildings, fleet EV charging, streetlights and traffic signals, public EV chargers), staged
-- by city_outcomes/metrics/electricity_factors.py as the temp table _electricity_factors_by_year and joined on
-- (inventory_year, method) by each sector's SQL. One row per inventory year and method ('location', 'market').
--
-- * Location-based: eGRID total-output rates of the city's grid subregion, from the edition the city names for
--   the inventory year (city.electricity_factors, passed as $configured_years and $configured_sets), else by
--   default the latest edition whose data year is at most the inventory year (ties: the later source year, then
--   per-gas before CO2e-only, then the name). An edition is a factor set with total-output electricity rates for
--   the subregion, shipped or from a city's own emission_factors feed; only editions that can give a whole figure
--   (CO2, CH4 and N2O, or CO2e) are default candidates: eGRID2019 and 2020 as EPA's Power Profiler lists them carry
--   CO2 only, and a CO2-only figure would leave CH4 and N2O out unannounced. Non-baseload rates are for
--   avoided-emission estimates only and are never chosen.
-- * Market-based (GHG Protocol Scope 2 Guidance, dual reporting): the supplier-specific factor (rate_basis
--   'supplier_specific', from a city's emission_factors feed, any region: the region names the supplier's area)
--   with the latest data year at most the inventory year; where the city gives none, the location-based rate
--   (`market_method` = 'location-based fallback').
-- * Per-gas or CO2e: where the chosen set has all of CO2, CH4 and N2O, the per-gas factors are used (the city's GWP
--   set applies); only where it lacks them is its CO2e factor used (`factor_basis` = 'CO2e', per-gas columns NULL).
-- A year whose choice gives no usable factor, or one gas twice (two feeds), has `factor_problem` saying what is
-- missing; every sector stops the run on an activity row that meets such a year.
-- Parameters: $years (the inventory years wanted), $grid_subregion, $gwp_set, $configured_years, $configured_sets.
WITH years AS (
    SELECT DISTINCT unnest($years::INTEGER[]) AS inventory_year
),

factor_rows AS (
    SELECT
        factor.*,
        factor.value * conversion.multiplier AS kg_per_unit,
        conversion.to_unit AS factor_unit
    FROM core.emission_factors AS factor
    JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = 'emission_factor' AND conversion.from_unit = factor.unit
    WHERE factor.activity = 'electricity'
),

-- Location-based editions for the city's grid subregion, and what each can give.
grid_editions AS (
    SELECT
        factor_set,
        max(data_year) AS data_year,
        max(source_year) AS source_year,
        count(DISTINCT gas) FILTER (WHERE gas IN ('CO2', 'CH4', 'N2O')) = 3 AS has_per_gas,
        bool_or(gas = 'CO2e') AS has_co2e
    FROM factor_rows
    WHERE region = $grid_subregion AND rate_basis = 'total_output'
    GROUP BY factor_set
),

supplier_editions AS (
    SELECT factor_set, max(data_year) AS data_year, max(source_year) AS source_year
    FROM factor_rows
    WHERE rate_basis = 'supplier_specific'
    GROUP BY factor_set
),

configured AS (
    SELECT unnest($configured_years::INTEGER[]) AS inventory_year, unnest($configured_sets::VARCHAR[]) AS factor_set
),

default_grid_edition AS (
    SELECT years.inventory_year, editions.factor_set
    FROM years
    JOIN grid_editions AS editions
        ON editions.data_year <= years.inventory_year AND (editions.has_per_gas OR editions.has_co2e)
    QUALIFY row_number() OVER (
        PARTITION BY years.inventory_year
        ORDER BY editions.data_year DESC, editions.source_year DESC, editions.has_per_gas DESC, editions.factor_set
    ) = 1
),

default_supplier_edition AS (
    SELECT years.inventory_year, editions.factor_set
    FROM years
    JOIN supplier_editions AS editions ON editions.data_year <= years.inventory_year
    QUALIFY row_number() OVER (
        PARTITION BY years.inventory_year ORDER BY editions.data_year DESC, editions.source_year DESC, editions.factor_set
    ) = 1
),

location_choice AS (
    SELECT
        years.inventory_year,
        'location' AS method,
        coalesce(configured.factor_set, default_grid_edition.factor_set) AS factor_set,
        'total_output' AS rate_basis,
        $grid_subregion AS region,
        CASE
            WHEN configured.factor_set IS NOT NULL THEN format('configured: city.electricity_factors[{}]', years.inventory_year)
            ELSE format('default: latest edition with data year <= {}', years.inventory_year)
        END AS chosen,
        'location-based' AS market_method
    FROM years
    LEFT JOIN configured USING (inventory_year)
    LEFT JOIN default_grid_edition USING (inventory_year)
),

market_choice AS (
    SELECT
        location_choice.inventory_year,
        'market' AS method,
        coalesce(supplier.factor_set, location_choice.factor_set) AS factor_set,
        CASE WHEN supplier.factor_set IS NOT NULL THEN 'supplier_specific' ELSE location_choice.rate_basis END AS rate_basis,
        CASE WHEN supplier.factor_set IS NULL THEN location_choice.region END AS region,
        CASE
            WHEN supplier.factor_set IS NOT NULL
                THEN format('market: supplier-specific factor, latest data year <= {}', location_choice.inventory_year)
            ELSE format('market: location-based fallback, no supplier-specific factor with data year <= {}; ', location_choice.inventory_year)
                || location_choice.chosen
        END AS chosen,
        CASE WHEN supplier.factor_set IS NOT NULL THEN 'supplier-specific' ELSE 'location-based fallback' END AS market_method
    FROM location_choice
    LEFT JOIN default_supplier_edition AS supplier USING (inventory_year)
),

choices AS (
    SELECT * FROM location_choice
    UNION ALL
    SELECT * FROM market_choice
),

candidates AS (
    SELECT choices.inventory_year, choices.method, choices.chosen, factor_rows.*
    FROM choices
    JOIN factor_rows
        ON factor_rows.factor_set = choices.factor_set
        AND factor_rows.rate_basis = choices.rate_basis
        AND (choices.region IS NULL OR factor_rows.region = choices.region)
        AND factor_rows.factor_unit = 'kg/kWh'
),

-- A gas given twice (two feeds, or two regions of a supplier) is a conflict: no figure is made from a guess.
basis AS (
    SELECT
        choices.inventory_year,
        choices.method,
        CASE
            WHEN count(DISTINCT candidates.gas) FILTER (WHERE candidates.gas IN ('CO2', 'CH4', 'N2O')) = 3 THEN 'per_gas'
            WHEN bool_or(candidates.gas = 'CO2e') THEN 'CO2e'
        END AS factor_basis,
        count(candidates.gas) > count(DISTINCT candidates.gas) AS has_conflict,
        string_agg(DISTINCT candidates.gas, ', ' ORDER BY candidates.gas) AS gases_found,
        string_agg(DISTINCT candidates._feed, ', ' ORDER BY candidates._feed) AS feeds_found
    FROM choices
    LEFT JOIN candidates USING (inventory_year, method)
    GROUP BY ALL
),

applied AS (
    SELECT candidates.*, basis.factor_basis, gwp.gwp_100yr
    FROM candidates
    JOIN basis USING (inventory_year, method)
    LEFT JOIN core.global_warming_potentials AS gwp ON gwp.gas = candidates.gas AND gwp.gwp_set = $gwp_set
    WHERE (basis.factor_basis = 'per_gas' AND candidates.gas IN ('CO2', 'CH4', 'N2O'))
        OR (basis.factor_basis = 'CO2e' AND candidates.gas = 'CO2e')
),

figures AS (
    SELECT
        inventory_year,
        method,
        sum(kg_per_unit) FILTER (WHERE gas = 'CO2') AS co2_kg_per_kwh,
        sum(kg_per_unit) FILTER (WHERE gas = 'CH4') AS ch4_kg_per_kwh,
        sum(kg_per_unit) FILTER (WHERE gas = 'N2O') AS n2o_kg_per_kwh,
        -- A CO2e factor already is CO2e: weight 1. A per-gas factor without a GWP leaves the sum NULL (a problem).
        -- Gas by gas in a fixed order, not one sum over the rows: a parallel sum adds in any order, and the last
        -- digit of a figure would change from run to run. A per-gas factor without a GWP leaves it NULL (lacks_gwp).
        coalesce(sum(kg_per_unit) FILTER (WHERE gas = 'CO2e'),
            sum(kg_per_unit * gwp_100yr) FILTER (WHERE gas = 'CO2') + sum(kg_per_unit * gwp_100yr) FILTER (WHERE gas = 'CH4') + sum(kg_per_unit * gwp_100yr) FILTER (WHERE gas = 'N2O')) AS co2e_kg_per_kwh,
        bool_or(gas <> 'CO2e' AND gwp_100yr IS NULL) AS lacks_gwp,
        -- The factor struct every sector writes to out.factors_applied (city_outcomes/metrics/factor_sets.py): the
        -- same fields in the same order for buildings, fleet, streetlights and chargers, so one table holds them all.
        list(
            {
                'activity': activity, 'gas': gas, 'value': value, 'unit': unit, 'factor_set': factor_set,
                'rate_basis': rate_basis, 'region': region, 'source_document': source_document, 'source_table': source_table,
                'source_year': source_year, 'data_year': data_year, 'chosen': chosen
            }
            ORDER BY gas
        ) AS factors_applied
    FROM applied
    GROUP BY inventory_year, method
)

SELECT
    choices.inventory_year,
    choices.method,
    choices.factor_set,
    choices.rate_basis,
    choices.region,
    choices.chosen,
    choices.market_method,
    basis.factor_basis,
    figures.co2_kg_per_kwh,
    figures.ch4_kg_per_kwh,
    figures.n2o_kg_per_kwh,
    figures.co2e_kg_per_kwh,
    figures.factors_applied,
    -- The rows carry this id, not the list (the list is in out.factors_applied once): its content hash, see
    -- city_outcomes/metrics/factor_sets.py.
    md5_number_upper(to_json(figures.factors_applied)::VARCHAR) AS factors_id,
    CASE
        WHEN choices.factor_set IS NULL
            THEN format('no edition has electricity total-output rates (CO2, CH4 and N2O, or CO2e) for grid_subregion {} with data year <= {}',
                ('''' || $grid_subregion || ''''), choices.inventory_year)
        WHEN basis.has_conflict
            THEN format('factor set {} gives the same electricity factor more than once (gases {}, feeds {})',
                ('''' || choices.factor_set || ''''), basis.gases_found, basis.feeds_found)
        WHEN basis.factor_basis IS NULL
            THEN format('factor set {} has no electricity {} factor{} in kg/kWh or a unit convertible to it: needs CO2, CH4 and N2O, or CO2e (found: {})',
                ('''' || choices.factor_set || ''''), choices.rate_basis,
                CASE WHEN choices.region IS NOT NULL THEN ' for grid_subregion ' || ('''' || choices.region || '''') ELSE '' END,
                coalesce(basis.gases_found, 'none'))
        WHEN figures.lacks_gwp
            THEN format('gwp_set {} lacks a GWP for a gas of factor set {}', ('''' || $gwp_set || ''''), ('''' || choices.factor_set || ''''))
    END AS factor_problem
FROM choices
JOIN basis USING (inventory_year, method)
LEFT JOIN figures USING (inventory_year, method)
ORDER BY choices.inventory_year, choices.method
