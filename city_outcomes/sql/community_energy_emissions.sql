-- Community-wide stationary energy (GPC BASIC I.1-I.3): one row per utility delivery row (utility, sector, energy
-- type, month) of core.community_energy.
-- delivered quantity x unit conversion = activity in its canonical unit (kWh, MMBtu);
-- x emission factor (kg per canonical unit) = kg of gas; per-gas factors x the city's 100-year GWPs, summed = kg CO2e;
-- a factor published as CO2e only is taken as it is (factor_basis 'CO2e', per-gas columns NULL).
-- GPC lines: sector residential -> I.1, commercial_institutional -> I.2, manufacturing_construction -> I.3;
-- electricity -> x.2 (scope 2, grid-supplied), every other energy type -> x.1 (scope 1, fuel combustion in the city).
-- Factors:
-- * Electricity, location-based (GPC's scope 2 figure): the inventory year's factors as electricity_factors_by_year.sql
--   chooses them for every kWh the city reports (the same edition as its own buildings', fleet's and streetlights'),
--   read from the temp table _electricity_factors_by_year that city_outcomes/metrics/community.py stages first.
-- * Fuels: stationary-combustion factors (rate_basis 'combustion') of city.factor_set ($factor_set), or of the shipped
--   set ($shipped_factor_set) for a fuel a set of the city's own lacks.
-- small_cell: the row sums fewer customers than $min_customers (the utility's small-cell rule,
-- data_contracts/community_energy.py MIN_CUSTOMERS_PUBLISHED); the inventory reports such a subsector as C.
-- A row that finds no usable factor keeps `factor_problem` saying what is missing; the metric stops the run on it.
-- Parameters: $factor_set, $shipped_factor_set, $grid_subregion, $gwp_set, $min_customers.
WITH activity AS (
    SELECT
        energy.*,
        year(energy.period_month)::INTEGER AS inventory_year,
        energy.quantity * conversion.multiplier AS activity_quantity,
        conversion.to_unit AS activity_unit
    FROM core.community_energy AS energy
    LEFT JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = energy.energy_type AND conversion.from_unit = energy.unit
),

factor_rows AS (
    SELECT factor.*, factor.value * conversion.multiplier AS kg_per_unit, conversion.to_unit AS factor_unit
    FROM core.emission_factors AS factor
    JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = 'emission_factor' AND conversion.from_unit = factor.unit
),

-- Fuels: one choice per delivery row (electricity's is _electricity_factors_by_year's). A city's own fuel set is
-- added to the shipped one (building_fuel_factors.sql): a fuel it has no combustion factor for takes the shipped set's.
choice AS (
    SELECT
        activity._feed, activity._file_sha256, activity._source_row,
        CASE WHEN fallback THEN $shipped_factor_set ELSE $factor_set END AS factor_set,
        'combustion' AS rate_basis,
        NULL::VARCHAR AS region,
        CASE WHEN fallback
            THEN format('default: shipped {}, city.factor_set {} has no {} combustion factor', $shipped_factor_set, $factor_set, activity.energy_type)
            ELSE 'configured: city.factor_set'
        END AS chosen
    FROM (
        SELECT
            activity.*,
            $factor_set <> $shipped_factor_set AND own.activity IS NULL
                AND EXISTS (SELECT 1 FROM core.emission_factors WHERE factor_set = $factor_set) AS fallback
        FROM activity
        LEFT JOIN (SELECT DISTINCT activity FROM core.emission_factors WHERE factor_set = $factor_set AND rate_basis = 'combustion') AS own
            ON own.activity = activity.energy_type
    ) AS activity
    WHERE activity.energy_type <> 'electricity'
),

candidates AS (
    SELECT choice._feed, choice._file_sha256, choice._source_row, choice.chosen, factor_rows.* EXCLUDE (_feed, _file_sha256, _source_row)
    FROM choice
    JOIN activity USING (_feed, _file_sha256, _source_row)
    JOIN factor_rows
        ON factor_rows.activity = activity.energy_type
        AND factor_rows.factor_set = choice.factor_set
        AND factor_rows.rate_basis = choice.rate_basis
        AND (choice.region IS NULL OR factor_rows.region = choice.region)
        AND factor_rows.factor_unit = 'kg/' || activity.activity_unit
),

basis AS (
    SELECT
        choice._feed, choice._file_sha256, choice._source_row,
        CASE
            WHEN count(DISTINCT candidates.gas) FILTER (WHERE candidates.gas IN ('CO2', 'CH4', 'N2O')) = 3 THEN 'per_gas'
            WHEN bool_or(candidates.gas = 'CO2e') THEN 'CO2e'
        END AS factor_basis,
        count(candidates.gas) > count(DISTINCT candidates.gas) AS has_conflict,
        string_agg(DISTINCT candidates.gas, ', ' ORDER BY candidates.gas) AS gases_found
    FROM choice
    LEFT JOIN candidates USING (_feed, _file_sha256, _source_row)
    GROUP BY ALL
),

applied AS (
    SELECT candidates.*, basis.factor_basis, gwp.gwp_100yr
    FROM candidates
    JOIN basis USING (_feed, _file_sha256, _source_row)
    LEFT JOIN core.global_warming_potentials AS gwp ON gwp.gas = candidates.gas AND gwp.gwp_set = $gwp_set
    WHERE (basis.factor_basis = 'per_gas' AND candidates.gas IN ('CO2', 'CH4', 'N2O'))
        OR (basis.factor_basis = 'CO2e' AND candidates.gas = 'CO2e')
),

figures AS (
    SELECT
        _feed, _file_sha256, _source_row,
        sum(kg_per_unit) FILTER (WHERE gas = 'CO2') AS co2_kg_per_unit,
        sum(kg_per_unit) FILTER (WHERE gas = 'CH4') AS ch4_kg_per_unit,
        sum(kg_per_unit) FILTER (WHERE gas = 'N2O') AS n2o_kg_per_unit,
        -- Gas by gas in a fixed order, not one sum over the rows: a parallel sum adds in any order, and the last
        -- digit of a figure would change from run to run. A per-gas factor without a GWP leaves it NULL (lacks_gwp).
        coalesce(sum(kg_per_unit) FILTER (WHERE gas = 'CO2e'),
            sum(kg_per_unit * gwp_100yr) FILTER (WHERE gas = 'CO2') + sum(kg_per_unit * gwp_100yr) FILTER (WHERE gas = 'CH4') + sum(kg_per_unit * gwp_100yr) FILTER (WHERE gas = 'N2O')) AS co2e_kg_per_unit,
        bool_or(gas <> 'CO2e' AND gwp_100yr IS NULL) AS lacks_gwp,
        list(
            {
                'factor': (gas || ' per ' || factor_unit[4:])::VARCHAR, 'gas': gas::VARCHAR, 'value': value::DOUBLE, 'unit': unit::VARCHAR,
                'factor_set': factor_set::VARCHAR, 'region': region::VARCHAR, 'rate_basis': rate_basis::VARCHAR,
                'source_document': source_document::VARCHAR, 'source_table': source_table::VARCHAR, 'source_year': source_year::INTEGER,
                'data_year': data_year::INTEGER, 'chosen': chosen::VARCHAR
            }
            ORDER BY gas
        ) AS factors_applied
    FROM applied
    GROUP BY ALL
),

fuel_rows AS (
    SELECT
        choice._feed, choice._file_sha256, choice._source_row,
        choice.factor_set, choice.chosen, basis.factor_basis,
        figures.co2_kg_per_unit, figures.ch4_kg_per_unit, figures.n2o_kg_per_unit, figures.co2e_kg_per_unit, figures.factors_applied,
        CASE
            WHEN activity.activity_unit IS NULL
                THEN format('no conversion of {} in {} to a canonical unit', activity.energy_type, activity.unit)
            WHEN basis.has_conflict
                THEN format('factor set ''{}'' gives the same {} factor more than once (gases {})', choice.factor_set, activity.energy_type, basis.gases_found)
            WHEN basis.factor_basis IS NULL
                THEN format('factor set ''{}'' has no {} {} factor in kg/{} (needs CO2, CH4 and N2O, or CO2e; found: {})',
                    choice.factor_set, activity.energy_type, choice.rate_basis, activity.activity_unit, coalesce(basis.gases_found, 'none'))
            WHEN figures.lacks_gwp
                THEN format('gwp_set ''{}'' lacks a GWP for a gas of factor set ''{}''', $gwp_set, choice.factor_set)
        END AS factor_problem
    FROM choice
    JOIN activity USING (_feed, _file_sha256, _source_row)
    JOIN basis USING (_feed, _file_sha256, _source_row)
    LEFT JOIN figures USING (_feed, _file_sha256, _source_row)
),

electricity_rows AS (
    SELECT
        activity._feed, activity._file_sha256, activity._source_row,
        factors.factor_set, factors.chosen, factors.factor_basis,
        factors.co2_kg_per_kwh AS co2_kg_per_unit, factors.ch4_kg_per_kwh AS ch4_kg_per_unit,
        factors.n2o_kg_per_kwh AS n2o_kg_per_unit, factors.co2e_kg_per_kwh AS co2e_kg_per_unit,
        list_transform(factors.factors_applied, f -> {
            'factor': (f.gas || ' per kWh')::VARCHAR, 'gas': f.gas::VARCHAR, 'value': f.value::DOUBLE, 'unit': f.unit::VARCHAR,
            'factor_set': f.factor_set::VARCHAR, 'region': f.region::VARCHAR, 'rate_basis': f.rate_basis::VARCHAR,
            'source_document': f.source_document::VARCHAR, 'source_table': f.source_table::VARCHAR, 'source_year': f.source_year::INTEGER,
            'data_year': f.data_year::INTEGER, 'chosen': f.chosen::VARCHAR
        }) AS factors_applied,
        CASE
            WHEN activity.activity_unit IS NULL
                THEN format('no conversion of {} in {} to a canonical unit', activity.energy_type, activity.unit)
            WHEN factors.inventory_year IS NULL THEN format('no electricity factors staged for inventory year {}', activity.inventory_year)
            ELSE factors.factor_problem
        END AS factor_problem
    FROM activity
    LEFT JOIN _electricity_factors_by_year AS factors ON factors.inventory_year = activity.inventory_year AND factors.method = 'location'
    WHERE activity.energy_type = 'electricity'
),

per_row AS (
    SELECT * FROM fuel_rows
    UNION ALL BY NAME
    SELECT * FROM electricity_rows
)

SELECT
    activity.utility,
    activity.sector,
    activity.energy_type,
    activity.period_month,
    activity.inventory_year,
    CASE activity.sector
        WHEN 'residential' THEN 'I.1'
        WHEN 'commercial_institutional' THEN 'I.2'
        WHEN 'manufacturing_construction' THEN 'I.3'
    END || CASE activity.energy_type WHEN 'electricity' THEN '.2' ELSE '.1' END AS gpc_reference,
    CASE activity.energy_type WHEN 'electricity' THEN 2 ELSE 1 END AS scope,
    activity.quantity AS delivered_quantity,
    activity.unit AS delivered_unit,
    activity.customers,
    coalesce(activity.customers < $min_customers, false) AS small_cell,
    activity.activity_quantity,
    activity.activity_unit,
    activity.activity_quantity * per_row.co2_kg_per_unit AS co2_kg,
    activity.activity_quantity * per_row.ch4_kg_per_unit AS ch4_kg,
    activity.activity_quantity * per_row.n2o_kg_per_unit AS n2o_kg,
    activity.activity_quantity * per_row.co2e_kg_per_unit / 1000 AS co2e_tonnes,
    per_row.factor_set,
    per_row.factor_basis,
    per_row.co2e_kg_per_unit AS factor_value,
    'kg CO2e/' || activity.activity_unit AS factor_unit,
    per_row.chosen AS factor_choice,
    per_row.factors_applied,
    $gwp_set AS gwp_set,
    $grid_subregion AS grid_subregion,
    per_row.factor_problem,
    activity._feed,
    activity._file_sha256,
    activity._source_row
FROM activity
JOIN per_row USING (_feed, _file_sha256, _source_row)
ORDER BY activity.period_month, activity.utility, activity.sector, activity.energy_type
