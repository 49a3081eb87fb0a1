-- The factors of the buildings' fuels and purchased district energy (everything but grid electricity, whose factors
-- are electricity_factors_by_year.sql's), one row per (energy type, canonical unit, inventory year) the activity has
-- and method ('location', 'market'). The choice depends on nothing else, so it is made once per key, not once per
-- bill (at issue 12's size, 144,000 bills x 2 methods built the same lists of factor structs 288,000 times).
-- Staged as the temp table _building_fuel_factors by city_outcomes/metrics/emissions.py; building_emissions_monthly.sql
-- joins the bills to it. How the factors are chosen is in building_emissions_monthly.sql's header.
-- factors_applied is the list of factor structs a figure used (the same fields as every sector's, see
-- electricity_factors_by_year.sql), factors_id its id (its content hash, city_outcomes/metrics/factor_sets.py): the
-- emissions rows carry the id, out.factors_applied the list.
-- factor_problem says what keeps a key from having a figure (a bill without a unit conversion is named by
-- building_emissions_monthly.sql, which knows the billed unit).
-- Parameters: $start_month, $end_month (half-open), $factor_set, $shipped_factor_set, $gwp_set. Input: the temporary view building_activity.
WITH keys AS (
    SELECT
        -- An id per key, so that a key whose unit has no conversion (activity_unit NULL) still joins to its choices.
        row_number() OVER (ORDER BY energy_type, activity_unit NULLS FIRST, inventory_year) AS key_id,
        *
    FROM (
        SELECT DISTINCT
            energy.energy_type,
            conversion.to_unit AS activity_unit,
            year(energy.period_month)::INTEGER AS inventory_year
        FROM building_activity AS energy
        LEFT JOIN ref.unit_conversions AS conversion
            ON conversion.quantity = energy.energy_type AND conversion.from_unit = energy.unit
        WHERE energy.period_month >= $start_month AND energy.period_month < $end_month AND energy.energy_type <> 'electricity'
    )
),

factor_rows AS (
    SELECT
        factor.*,
        factor.value * conversion.multiplier AS kg_per_unit,
        conversion.to_unit AS factor_unit
    FROM core.emission_factors AS factor
    JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = 'emission_factor' AND conversion.from_unit = factor.unit
),

-- A district energy supplier's own factors (steam, hot or chilled water), per energy type.
district_supplier_editions AS (
    SELECT activity, factor_set, max(data_year) AS data_year, max(source_year) AS source_year
    FROM factor_rows
    WHERE activity IN ('district_steam', 'district_hot_water', 'district_chilled_water') AND rate_basis = 'supplier_specific'
    GROUP BY activity, factor_set
),

district_years AS (
    SELECT DISTINCT energy_type, inventory_year FROM keys WHERE starts_with(energy_type, 'district_')
),

district_supplier AS (
    SELECT years.energy_type, years.inventory_year, editions.factor_set
    FROM district_years AS years
    JOIN district_supplier_editions AS editions
        ON editions.activity = years.energy_type AND editions.data_year <= years.inventory_year
    QUALIFY row_number() OVER (
        PARTITION BY years.energy_type, years.inventory_year
        ORDER BY editions.data_year DESC, editions.source_year DESC, editions.factor_set
    ) = 1
),

-- One choice per key and method: the factor set, the rate basis and region it is read with, and why.
location_choice AS (
    SELECT
        keys.key_id,
        'location' AS method,
        keys.energy_type,
        keys.activity_unit,
        coalesce(district_supplier.factor_set, $factor_set) AS factor_set,
        CASE
            WHEN district_supplier.factor_set IS NOT NULL THEN 'supplier_specific'
            WHEN starts_with(keys.energy_type, 'district_') THEN 'purchased_default'
            ELSE 'combustion'
        END AS rate_basis,
        NULL::VARCHAR AS region,
        CASE
            WHEN district_supplier.factor_set IS NOT NULL
                THEN format('supplier-specific: the {} supplier''s factor, latest data year <= {}', keys.energy_type, keys.inventory_year)
            WHEN starts_with(keys.energy_type, 'district_')
                THEN format('default: city.factor_set, no {} supplier factor with data year <= {}', keys.energy_type, keys.inventory_year)
            ELSE 'configured: city.factor_set'
        END AS chosen,
        'location-based' AS market_method
    FROM keys
    LEFT JOIN district_supplier
        ON district_supplier.energy_type = keys.energy_type AND district_supplier.inventory_year = keys.inventory_year
),

market_choice AS (
    SELECT
        location_choice.* REPLACE (
            'market' AS method,
            -- Purchased district energy has one factor for both methods (the supplier's, else the default).
            CASE location_choice.rate_basis
                WHEN 'supplier_specific' THEN 'district energy: supplier-specific, same as location-based'
                WHEN 'purchased_default' THEN 'district energy: default factor, same as location-based'
                ELSE 'scope 1: same as location-based'
            END AS market_method
        )
    FROM location_choice
),

chosen_sets AS (
    SELECT * FROM location_choice
    UNION ALL
    SELECT * FROM market_choice
),

-- A city's own fuel factors are added to the shipped ones, not put in their place: where city.factor_set is a set
-- of the city's (it has factors) but none for this fuel, the shipped set ($shipped_factor_set) gives them, and the
-- row says so. A set with some of the fuel's factors but not a whole figure is a problem, not a fallback (the
-- city's own factor is never mixed with, or silently replaced by, another set's); a set no feed holds (a typo)
-- falls back to nothing.
choices AS (
    SELECT *, 1 AS priority FROM chosen_sets
    UNION ALL
    SELECT
        chosen_sets.* REPLACE (
            $shipped_factor_set AS factor_set,
            format('default: shipped {}, city.factor_set {} has no {} {} factor', $shipped_factor_set, $factor_set,
                chosen_sets.energy_type, chosen_sets.rate_basis) AS chosen
        ),
        2 AS priority
    FROM chosen_sets
    WHERE chosen_sets.factor_set = $factor_set AND $factor_set <> $shipped_factor_set
        AND EXISTS (SELECT 1 FROM core.emission_factors WHERE factor_set = $factor_set)
),

-- Every factor row a choice could use: its activity, set, basis and region, in a unit per the activity's canonical unit.
candidates AS (
    SELECT choices.key_id, choices.method, choices.priority, choices.chosen, factor_rows.*
    FROM choices
    JOIN factor_rows
        ON factor_rows.activity = choices.energy_type
        AND factor_rows.factor_set = choices.factor_set
        AND factor_rows.rate_basis = choices.rate_basis
        AND (choices.region IS NULL OR factor_rows.region = choices.region)
        AND factor_rows.factor_unit = 'kg/' || choices.activity_unit
),

-- Per-gas where the set has CO2, CH4 and N2O; else its CO2e factor; else nothing (a problem). A gas given twice
-- (two feeds, or two regions of a fuel) is a conflict: no figure is made from a guess between them.
basis AS (
    SELECT
        choices.key_id,
        choices.method,
        choices.priority,
        CASE
            WHEN count(DISTINCT candidates.gas) FILTER (WHERE candidates.gas IN ('CO2', 'CH4', 'N2O')) = 3 THEN 'per_gas'
            WHEN bool_or(candidates.gas = 'CO2e') THEN 'CO2e'
        END AS factor_basis,
        count(candidates.gas) > count(DISTINCT candidates.gas) AS has_conflict,
        string_agg(DISTINCT candidates.gas, ', ' ORDER BY candidates.gas) AS gases_found,
        string_agg(DISTINCT candidates._feed, ', ' ORDER BY candidates._feed) AS feeds_found
    FROM choices
    LEFT JOIN candidates USING (key_id, method, priority)
    GROUP BY ALL
),

-- The city's set where it has any factor of the fuel, else the shipped one where it has any, else the city's (whose
-- problem is then reported).
picked AS (
    SELECT key_id, method, coalesce(min(priority) FILTER (WHERE gases_found IS NOT NULL), 1) AS priority
    FROM basis
    GROUP BY key_id, method
),

applied AS (
    SELECT
        candidates.*,
        basis.factor_basis,
        gwp.gwp_100yr
    FROM candidates
    JOIN picked USING (key_id, method, priority)
    JOIN basis USING (key_id, method, priority)
    LEFT JOIN core.global_warming_potentials AS gwp
        ON gwp.gas = candidates.gas AND gwp.gwp_set = $gwp_set
    WHERE (basis.factor_basis = 'per_gas' AND candidates.gas IN ('CO2', 'CH4', 'N2O'))
        OR (basis.factor_basis = 'CO2e' AND candidates.gas = 'CO2e')
),

figures AS (
    SELECT
        applied.key_id,
        applied.method,
        sum(applied.kg_per_unit) FILTER (WHERE applied.gas = 'CO2') AS co2_kg_per_unit,
        sum(applied.kg_per_unit) FILTER (WHERE applied.gas = 'CH4') AS ch4_kg_per_unit,
        sum(applied.kg_per_unit) FILTER (WHERE applied.gas = 'N2O') AS n2o_kg_per_unit,
        -- A CO2e factor already is CO2e (weight 1); per-gas factors are weighted by their GWPs, gas by gas in a fixed
        -- order, not one sum over the rows: a parallel sum adds in any order, and the last
        -- digit of a figure would change from run to run. A per-gas factor without a GWP leaves it NULL (lacks_gwp).
        coalesce(sum(applied.kg_per_unit) FILTER (WHERE applied.gas = 'CO2e'),
            sum(applied.kg_per_unit * applied.gwp_100yr) FILTER (WHERE applied.gas = 'CO2') + sum(applied.kg_per_unit * applied.gwp_100yr) FILTER (WHERE applied.gas = 'CH4') + sum(applied.kg_per_unit * applied.gwp_100yr) FILTER (WHERE applied.gas = 'N2O')) AS co2e_kg_per_unit,
        bool_or(applied.gas <> 'CO2e' AND applied.gwp_100yr IS NULL) AS lacks_gwp,
        list(
            {
                'activity': applied.activity, 'gas': applied.gas, 'value': applied.value, 'unit': applied.unit,
                'factor_set': applied.factor_set, 'rate_basis': applied.rate_basis, 'region': applied.region,
                'source_document': applied.source_document, 'source_table': applied.source_table,
                'source_year': applied.source_year, 'data_year': applied.data_year, 'chosen': applied.chosen
            }
            ORDER BY applied.gas
        ) AS factors_applied
    FROM applied
    GROUP BY applied.key_id, applied.method
)

SELECT
    keys.energy_type,
    keys.activity_unit,
    keys.inventory_year,
    choices.method,
    choices.factor_set,
    choices.rate_basis,
    choices.region,
    choices.chosen,
    basis.factor_basis,
    figures.co2_kg_per_unit,
    figures.ch4_kg_per_unit,
    figures.n2o_kg_per_unit,
    figures.co2e_kg_per_unit,
    figures.factors_applied,
    md5_number_upper(to_json(figures.factors_applied)::VARCHAR) AS factors_id,
    choices.market_method,
    CASE
        WHEN choices.factor_set IS NULL
            THEN format('no edition has {} total-output rates (CO2, CH4 and N2O, or CO2e) for grid_subregion {} with data year <= {}',
                keys.energy_type, ('''' || choices.region || ''''), keys.inventory_year)
        WHEN basis.has_conflict
            THEN format('factor set {} gives the same {} factor more than once (gases {}, feeds {})',
                ('''' || choices.factor_set || ''''), keys.energy_type, basis.gases_found, basis.feeds_found)
        WHEN basis.factor_basis IS NULL
            THEN format('factor set {} has no {} {} factor{} in kg/{} or a unit convertible to it: needs CO2, CH4 and N2O, or CO2e (found: {})',
                ('''' || choices.factor_set || ''''), keys.energy_type, choices.rate_basis,
                CASE WHEN choices.region IS NOT NULL THEN ' for grid_subregion ' || ('''' || choices.region || '''') ELSE '' END,
                keys.activity_unit, coalesce(basis.gases_found, 'none'))
        WHEN figures.lacks_gwp
            THEN format('gwp_set {} lacks a GWP for a gas of factor set {}', ('''' || $gwp_set || ''''), ('''' || choices.factor_set || ''''))
    END AS factor_problem
FROM choices
JOIN picked USING (key_id, method, priority)
JOIN keys USING (key_id)
JOIN basis USING (key_id, method, priority)
LEFT JOIN figures USING (key_id, method)
