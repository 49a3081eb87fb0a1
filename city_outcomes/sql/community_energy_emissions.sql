-- Community-wide stationary energy (GPC BASIC I.1-I.3): one row per utility delivery row (utility, sector, energy
-- type, month) of core.community_energy.
-- delivered quantity x unit conversion = activity in its canonical unit (kWh, MMBtu);
-- x emission factor (kg per canonical unit) = kg of gas; per-gas factors x the city's 100-year GWPs, summed = kg CO2e;
-- a factor published as CO2e only is taken as it is (factor_basis 'CO2e', per-gas columns NULL).
-- GPC lines: sector residential -> I.1, commercial_institutional -> I.2, manufacturing_construction -> I.3;
-- electricity -> x.2 (scope 2, grid-supplied), every other energy type -> x.1 (scope 1, fuel combustion in the city).
-- Factors:
-- * Electricity, location-based (GPC's scope 2 figure): eGRID total-output rates of city.grid_subregion from the
--   edition city.electricity_factors names for the year ($configured_years, $configured_sets), else the latest
--   edition whose data year is at most the inventory year that gives a whole figure (CO2, CH4 and N2O, or CO2e);
--   ties: later source year, per-gas before CO2e-only, then the name. The same rule as building_emissions_monthly.sql.
--   TODO(lead): swap the two CTEs grid_editions/default_grid_edition for city_outcomes/sql/electricity_factors_by_year.sql
--   (the shared extraction of this rule) once it lands.
-- * Fuels: stationary-combustion factors (rate_basis 'combustion') of city.factor_set ($factor_set).
-- small_cell: the row sums fewer customers than $min_customers (the utility's small-cell rule,
-- data_contracts/community_energy.py MIN_CUSTOMERS_PUBLISHED); the inventory reports such a subsector as C.
-- A row that finds no usable factor keeps `factor_problem` saying what is missing; the metric stops the run on it.
-- Parameters: $factor_set, $grid_subregion, $gwp_set, $configured_years, $configured_sets, $min_customers.
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

grid_editions AS (
    SELECT
        factor_set,
        max(data_year) AS data_year,
        max(source_year) AS source_year,
        count(DISTINCT gas) FILTER (WHERE gas IN ('CO2', 'CH4', 'N2O')) = 3 AS has_per_gas,
        bool_or(gas = 'CO2e') AS has_co2e
    FROM factor_rows
    WHERE activity = 'electricity' AND region = $grid_subregion AND rate_basis = 'total_output'
    GROUP BY factor_set
),

configured AS (
    SELECT unnest($configured_years::INTEGER[]) AS inventory_year, unnest($configured_sets::VARCHAR[]) AS factor_set
),

default_grid_edition AS (
    SELECT years.inventory_year, editions.factor_set
    FROM (SELECT DISTINCT inventory_year FROM activity WHERE energy_type = 'electricity') AS years
    JOIN grid_editions AS editions
        ON editions.data_year <= years.inventory_year AND (editions.has_per_gas OR editions.has_co2e)
    QUALIFY row_number() OVER (
        PARTITION BY years.inventory_year
        ORDER BY editions.data_year DESC, editions.source_year DESC, editions.has_per_gas DESC, editions.factor_set
    ) = 1
),

choice AS (
    SELECT
        activity._feed, activity._file_sha256, activity._source_row,
        CASE activity.energy_type
            WHEN 'electricity' THEN coalesce(configured.factor_set, default_grid_edition.factor_set)
            ELSE $factor_set
        END AS factor_set,
        CASE activity.energy_type WHEN 'electricity' THEN 'total_output' ELSE 'combustion' END AS rate_basis,
        CASE activity.energy_type WHEN 'electricity' THEN $grid_subregion END AS region,
        CASE
            WHEN activity.energy_type <> 'electricity' THEN 'configured: city.factor_set'
            WHEN configured.factor_set IS NOT NULL THEN format('configured: city.electricity_factors[{}]', activity.inventory_year)
            ELSE format('default: latest edition with data year <= {}', activity.inventory_year)
        END AS chosen
    FROM activity
    LEFT JOIN configured
        ON activity.energy_type = 'electricity' AND configured.inventory_year = activity.inventory_year
    LEFT JOIN default_grid_edition
        ON activity.energy_type = 'electricity' AND default_grid_edition.inventory_year = activity.inventory_year
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
        sum(kg_per_unit * CASE WHEN gas = 'CO2e' THEN 1 ELSE gwp_100yr END) AS co2e_kg_per_unit,
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
    activity.activity_quantity * figures.co2_kg_per_unit AS co2_kg,
    activity.activity_quantity * figures.ch4_kg_per_unit AS ch4_kg,
    activity.activity_quantity * figures.n2o_kg_per_unit AS n2o_kg,
    activity.activity_quantity * figures.co2e_kg_per_unit / 1000 AS co2e_tonnes,
    choice.factor_set,
    basis.factor_basis,
    figures.co2e_kg_per_unit AS factor_value,
    'kg CO2e/' || activity.activity_unit AS factor_unit,
    choice.chosen AS factor_choice,
    figures.factors_applied,
    $gwp_set AS gwp_set,
    $grid_subregion AS grid_subregion,
    CASE
        WHEN activity.activity_unit IS NULL
            THEN format('no conversion of {} in {} to a canonical unit', activity.energy_type, activity.unit)
        WHEN choice.factor_set IS NULL
            THEN format('no edition has electricity total-output rates (CO2, CH4 and N2O, or CO2e) for grid_subregion ''{}'' with data year <= {}',
                $grid_subregion, activity.inventory_year)
        WHEN basis.has_conflict
            THEN format('factor set ''{}'' gives the same {} factor more than once (gases {})', choice.factor_set, activity.energy_type, basis.gases_found)
        WHEN basis.factor_basis IS NULL
            THEN format('factor set ''{}'' has no {} {} factor in kg/{} (needs CO2, CH4 and N2O, or CO2e; found: {})',
                choice.factor_set, activity.energy_type, choice.rate_basis, activity.activity_unit, coalesce(basis.gases_found, 'none'))
        WHEN figures.lacks_gwp
            THEN format('gwp_set ''{}'' lacks a GWP for a gas of factor set ''{}''', $gwp_set, choice.factor_set)
    END AS factor_problem,
    activity._feed,
    activity._file_sha256,
    activity._source_row
FROM activity
JOIN choice USING (_feed, _file_sha256, _source_row)
JOIN basis USING (_feed, _file_sha256, _source_row)
LEFT JOIN figures USING (_feed, _file_sha256, _source_row)
ORDER BY activity.period_month, activity.utility, activity.sector, activity.energy_type
