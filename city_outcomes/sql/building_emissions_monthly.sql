-- Monthly greenhouse-gas emissions of municipal buildings: one row per building, month and energy type.
-- activity as billed x unit conversion = activity in canonical unit (kWh, MMBtu);
-- x emission factor (converted to kg per canonical unit) = kg of gas;
-- per-gas factors: x 100-year GWP of the city's GWP set, summed = kg CO2e;
-- a factor published as CO2e: taken as it is (the publisher's own GWPs), no GWP applied.
--
-- Which factors (every choice is written on the row, in `factor_choice` and in each `factors_applied` entry):
-- * Electricity (scope 2, GPC I.x.2), location- and market-based: the factors of the inventory year as
--   electricity_factors_by_year.sql chooses them for every kWh of the inventory (the edition by year, the
--   supplier-specific factor, per-gas or CO2e), read from the temp table _electricity_factors_by_year that
--   city_outcomes/metrics/electricity_factors.py stages before this query runs.
-- * Natural gas, fuel oils, kerosene, propane (scope 1, GPC I.x.1): stationary combustion factors of city.factor_set
--   ($factor_set), per MMBtu (gallons convert at the Hub's Table 1 heat contents, in ref.unit_conversions).
-- * District steam, hot water, chilled water (purchased: scope 2, GPC I.x.2): the supplier's own factor (rate_basis
--   'supplier_specific', activity = the energy type, from a city's emission_factors feed, any region: the region
--   names the supplier) with the latest data year at most the inventory year; else the default of city.factor_set
--   (rate_basis 'purchased_default': EPA Hub 2021 Table 7 for steam and hot water; chilled water has none, so it
--   needs the supplier's factor). The same factor serves both scope 2 methods (market_method says which it was).
-- * Per-gas or CO2e: where a chosen factor set has all of CO2, CH4 and N2O for the activity, the per-gas factors are
--   used (the city's GWP set then applies, and the CO2/CH4/N2O columns are filled); only where it lacks them is its
--   CO2e factor used (`factor_basis` = 'CO2e', per-gas columns NULL: the publisher gave no split).
-- * Market-based (GHG Protocol Scope 2 Guidance, dual reporting): `co2e_tonnes_market`; electricity as above
--   (`market_method` says supplier-specific or location-based fallback). Scope 1 rows are the same in both.
--   `co2e_tonnes` stays the location-based figure.
-- A row whose chosen factor set gives no usable factor, or gives one gas twice (two feeds), is kept with
-- `factor_problem` saying what is missing; city_outcomes/metrics/emissions.py stops the run on any such row.
-- Parameters: $start_month, $end_month (half-open), $factor_set, $grid_subregion, $gwp_set.
-- Input: the temporary view `building_activity` (city_outcomes/metrics/emissions.py makes it): core.building_energy
-- for the monthly bills; the annual benchmarking rows not covered by bills for the annual table (the same factors).
WITH energy AS (
    SELECT *
    FROM building_activity
    WHERE period_month >= $start_month AND period_month < $end_month
),

activity AS (
    SELECT
        row_number() OVER (ORDER BY energy._feed, energy._file_sha256, energy._source_row, energy.energy_type) AS row_id,
        energy.*,
        year(energy.period_month)::INTEGER AS inventory_year,
        energy.quantity * conversion.multiplier AS activity_quantity,
        conversion.to_unit AS activity_unit
    FROM energy
    LEFT JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = energy.energy_type AND conversion.from_unit = energy.unit
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
    SELECT DISTINCT energy_type, inventory_year FROM activity WHERE starts_with(energy_type, 'district_')
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

-- One choice per activity row and method for fuels (electricity's is _electricity_factors_by_year's): the factor
-- set, the rate basis and region it is read with, and why.
location_choice AS (
    SELECT
        activity.row_id,
        'location' AS method,
        activity.energy_type,
        activity.activity_unit,
        coalesce(district_supplier.factor_set, $factor_set) AS factor_set,
        CASE
            WHEN district_supplier.factor_set IS NOT NULL THEN 'supplier_specific'
            WHEN starts_with(activity.energy_type, 'district_') THEN 'purchased_default'
            ELSE 'combustion'
        END AS rate_basis,
        NULL::VARCHAR AS region,
        CASE
            WHEN district_supplier.factor_set IS NOT NULL
                THEN format('supplier-specific: the {} supplier''s factor, latest data year <= {}', activity.energy_type, activity.inventory_year)
            WHEN starts_with(activity.energy_type, 'district_')
                THEN format('default: city.factor_set, no {} supplier factor with data year <= {}', activity.energy_type, activity.inventory_year)
            ELSE 'configured: city.factor_set'
        END AS chosen
    FROM activity
    LEFT JOIN district_supplier
        ON district_supplier.energy_type = activity.energy_type AND district_supplier.inventory_year = activity.inventory_year
    WHERE activity.energy_type <> 'electricity'
),

market_choice AS (
    SELECT
        location_choice.row_id,
        'market' AS method,
        location_choice.energy_type,
        location_choice.activity_unit,
        location_choice.factor_set,
        location_choice.rate_basis,
        location_choice.region,
        location_choice.chosen,
        -- Purchased district energy has one factor for both methods (the supplier's, else the default).
        CASE location_choice.rate_basis
            WHEN 'supplier_specific' THEN 'district energy: supplier-specific, same as location-based'
            WHEN 'purchased_default' THEN 'district energy: default factor, same as location-based'
            ELSE 'scope 1: same as location-based'
        END AS market_method
    FROM location_choice
),

choices AS (
    SELECT row_id, method, energy_type, activity_unit, factor_set, rate_basis, region, chosen FROM location_choice
    UNION ALL
    SELECT row_id, method, energy_type, activity_unit, factor_set, rate_basis, region, chosen FROM market_choice
),

-- Every factor row a choice could use: its activity, set, basis and region, in a unit per the activity's canonical unit.
-- The choice carries its row's energy type and unit, so that the factors are joined to the choices alone: joining
-- the activity first matched every row with every factor of its energy type (28 million rows for 144,000 bills).
candidates AS (
    SELECT choices.row_id, choices.method, choices.chosen, factor_rows.*
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
        choices.row_id,
        choices.method,
        CASE
            WHEN count(DISTINCT candidates.gas) FILTER (WHERE candidates.gas IN ('CO2', 'CH4', 'N2O')) = 3 THEN 'per_gas'
            WHEN bool_or(candidates.gas = 'CO2e') THEN 'CO2e'
        END AS factor_basis,
        count(candidates.gas) > count(DISTINCT candidates.gas) AS has_conflict,
        string_agg(DISTINCT candidates.gas, ', ' ORDER BY candidates.gas) AS gases_found,
        string_agg(DISTINCT candidates._feed, ', ' ORDER BY candidates._feed) AS feeds_found
    FROM choices
    LEFT JOIN candidates USING (row_id, method)
    GROUP BY ALL
),

applied AS (
    SELECT
        candidates.*,
        basis.factor_basis,
        gwp.gwp_100yr
    FROM candidates
    JOIN basis USING (row_id, method)
    LEFT JOIN core.global_warming_potentials AS gwp
        ON gwp.gas = candidates.gas AND gwp.gwp_set = $gwp_set
    WHERE (basis.factor_basis = 'per_gas' AND candidates.gas IN ('CO2', 'CH4', 'N2O'))
        OR (basis.factor_basis = 'CO2e' AND candidates.gas = 'CO2e')
),

figures AS (
    SELECT
        applied.row_id,
        applied.method,
        any_value(applied.factor_basis) AS factor_basis,
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
                'gas': applied.gas, 'value': applied.value, 'unit': applied.unit, 'factor_set': applied.factor_set,
                'region': applied.region, 'rate_basis': applied.rate_basis, 'source_document': applied.source_document,
                'source_table': applied.source_table, 'source_year': applied.source_year, 'data_year': applied.data_year,
                'chosen': applied.chosen
            }
            ORDER BY applied.gas
        ) AS factors_applied
    FROM applied
    GROUP BY applied.row_id, applied.method
),

-- Each row's figure by method, or what keeps it from having one: fuels here, electricity from the shared relation.
fuel_per_method AS (
    SELECT
        choices.row_id,
        choices.method,
        choices.factor_set,
        choices.rate_basis,
        choices.region,
        choices.chosen,
        figures.factor_basis,
        figures.co2_kg_per_unit,
        figures.ch4_kg_per_unit,
        figures.n2o_kg_per_unit,
        figures.co2e_kg_per_unit,
        figures.factors_applied,
        coalesce(market_choice.market_method, 'location-based') AS market_method,
        CASE
            WHEN activity.activity_unit IS NULL
                THEN format('no conversion of {} in {} to a canonical unit', activity.energy_type, activity.unit)
            WHEN choices.factor_set IS NULL
                THEN format('no edition has {} total-output rates (CO2, CH4 and N2O, or CO2e) for grid_subregion {} with data year <= {}',
                    activity.energy_type, ('''' || choices.region || ''''), activity.inventory_year)
            WHEN basis.has_conflict
                THEN format('factor set {} gives the same {} factor more than once (gases {}, feeds {})',
                    ('''' || choices.factor_set || ''''), activity.energy_type, basis.gases_found, basis.feeds_found)
            WHEN basis.factor_basis IS NULL
                THEN format('factor set {} has no {} {} factor{} in kg/{} or a unit convertible to it: needs CO2, CH4 and N2O, or CO2e (found: {})',
                    ('''' || choices.factor_set || ''''), activity.energy_type, choices.rate_basis,
                    CASE WHEN choices.region IS NOT NULL THEN ' for grid_subregion ' || ('''' || choices.region || '''') ELSE '' END,
                    activity.activity_unit, coalesce(basis.gases_found, 'none'))
            WHEN figures.lacks_gwp
                THEN format('gwp_set {} lacks a GWP for a gas of factor set {}', ('''' || $gwp_set || ''''), ('''' || choices.factor_set || ''''))
        END AS factor_problem
    FROM choices
    JOIN activity USING (row_id)
    JOIN basis USING (row_id, method)
    LEFT JOIN figures USING (row_id, method)
    -- market_choice.method is always 'market': an equi-join (a condition on choices.method alone made it a nested loop).
    LEFT JOIN market_choice ON market_choice.row_id = choices.row_id AND market_choice.method = choices.method
),

electricity_per_method AS (
    SELECT
        activity.row_id,
        factors.method,
        factors.factor_set,
        factors.rate_basis,
        factors.region,
        factors.chosen,
        factors.factor_basis,
        factors.co2_kg_per_kwh AS co2_kg_per_unit,
        factors.ch4_kg_per_kwh AS ch4_kg_per_unit,
        factors.n2o_kg_per_kwh AS n2o_kg_per_unit,
        factors.co2e_kg_per_kwh AS co2e_kg_per_unit,
        factors.factors_applied,
        factors.market_method,
        CASE
            WHEN activity.activity_unit IS NULL
                THEN format('no conversion of {} in {} to a canonical unit', activity.energy_type, activity.unit)
            ELSE factors.factor_problem
        END AS factor_problem
    FROM activity
    JOIN _electricity_factors_by_year AS factors USING (inventory_year)
    WHERE activity.energy_type = 'electricity'
),

per_method AS (
    SELECT * FROM fuel_per_method
    UNION ALL BY NAME
    SELECT * FROM electricity_per_method
),

per_row AS (
    SELECT
        activity.*,
        location.factor_set,
        location.chosen AS factor_choice,
        location.factor_basis,
        location.co2e_kg_per_unit AS factor_value,
        'kg CO2e/' || activity.activity_unit AS factor_unit,
        activity.activity_quantity * location.co2_kg_per_unit AS co2_kg,
        activity.activity_quantity * location.ch4_kg_per_unit AS ch4_kg,
        activity.activity_quantity * location.n2o_kg_per_unit AS n2o_kg,
        activity.activity_quantity * location.co2e_kg_per_unit / 1000 AS co2e_tonnes,
        location.factors_applied,
        activity.activity_quantity * market.co2e_kg_per_unit / 1000 AS co2e_tonnes_market,
        market.market_method,
        market.factor_set AS market_factor_set,
        market.factor_basis AS market_factor_basis,
        market.factors_applied AS market_factors_applied,
        coalesce('location-based: ' || location.factor_problem, 'market-based: ' || market.factor_problem) AS factor_problem
    FROM activity
    JOIN per_method AS location ON location.row_id = activity.row_id AND location.method = 'location'
    JOIN per_method AS market ON market.row_id = activity.row_id AND market.method = 'market'
),

final AS (
    SELECT
        per_row.building_id,
        buildings.building_name,
        coalesce(buildings.department, 'Not in buildings inventory') AS department,
        per_row.period_month,
        per_row.energy_type,
        -- Grid electricity and purchased district energy are scope 2 (I.x.2); fuels burned on site scope 1 (I.x.1).
        CASE WHEN per_row.energy_type = 'electricity' OR starts_with(per_row.energy_type, 'district_') THEN 'I.2.2' ELSE 'I.2.1' END AS gpc_reference,
        CASE WHEN per_row.energy_type = 'electricity' OR starts_with(per_row.energy_type, 'district_') THEN 2 ELSE 1 END AS scope,
        per_row.quantity AS billed_quantity,
        per_row.unit AS billed_unit,
        per_row.activity_quantity,
        per_row.activity_unit,
        per_row.co2_kg,
        per_row.ch4_kg,
        per_row.n2o_kg,
        per_row.co2e_tonnes,
        per_row.factor_set,
        $gwp_set AS gwp_set,
        $grid_subregion AS grid_subregion,
        per_row.factor_basis,
        per_row.factor_value,
        per_row.factor_unit,
        per_row.factor_choice,
        per_row.factors_applied,
        per_row.co2e_tonnes_market,
        per_row.market_method,
        per_row.market_factor_set,
        per_row.market_factor_basis,
        per_row.market_factors_applied,
        per_row.inventory_year,
        per_row.factor_problem,
        per_row._feed,
        per_row._file_sha256,
        per_row._source_row
    FROM per_row
    LEFT JOIN core.buildings AS buildings ON buildings.building_id = per_row.building_id
)

SELECT * FROM final
ORDER BY period_month, building_id, energy_type
