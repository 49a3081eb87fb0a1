-- The community inventory (GPC 1.1 BASIC) as a reporting table: for each inventory year the city has community data,
-- one line per GPC subsector, activity and gas (CO2, CH4, N2O, CO2e), each with either a value or a notation key
-- and always an explanation. Lines with data:
-- * I.x.1 / I.x.2 from out.community_energy_emissions_monthly, one activity per energy type (kWh, MMBtu);
-- * II.1.1 from out.community_vmt_emissions, one activity per vehicle class and fuel (vehicle-miles).
-- emissions_tonnes is tonnes of the line's gas (tonnes CO2e on the CO2e line); emission_factor is the line's kg of
-- gas per activity unit (emissions / activity: the factor itself where one factor applies, as in every shipped case).
-- Notation keys (shared/DOMAIN.md section 17):
-- * C: a subsector-year with a figure summing fewer customers than the small-cell rule allows, or one the city
--   keys C itself: no value is published for any of its lines;
-- * IE on a per-gas line whose factor is published as CO2e only (the figure is on the CO2e line);
-- * a subsector-year without data: the city's key (inventory.notation_keys, $key_refs/$key_keys/$key_explanations),
--   else the default: II.1.2 is IE where the city reports electric vehicle-miles and grid electricity of I.1.2 or
--   I.2.2 that year (charging is in the utility's deliveries), every other line NE, saying which feed is missing.
-- Parameters: $key_refs, $key_keys, $key_explanations, $min_customers.
WITH subsectors AS (
    SELECT * FROM ref.gpc_basic_subsectors
),

city_keys AS (
    SELECT unnest($key_refs::VARCHAR[]) AS gpc_reference, unnest($key_keys::VARCHAR[]) AS notation_key,
        unnest($key_explanations::VARCHAR[]) AS explanation
),

gases AS (
    SELECT unnest(['CO2', 'CH4', 'N2O', 'CO2e']) AS gas, unnest([1, 2, 3, 4]) AS gas_order
),

energy AS (
    SELECT
        inventory_year, gpc_reference, energy_type AS activity, activity_unit,
        sum(activity_quantity) AS activity_value,
        sum(co2_kg) / 1000 AS co2_t, sum(ch4_kg) / 1000 AS ch4_t, sum(n2o_kg) / 1000 AS n2o_t, sum(co2e_tonnes) AS co2e_t,
        bool_or(factor_basis = 'CO2e') AS co2e_only,
        list_distinct(flatten(list(factors_applied))) AS factors_applied,
        format('{} monthly deliveries of {} ({}); {} at factor set {} ({}), GWPs {}',
            count(*), string_agg(DISTINCT utility, ', ' ORDER BY utility), string_agg(DISTINCT _feed, ', ' ORDER BY _feed),
            any_value(energy_type), string_agg(DISTINCT factor_set, ', ' ORDER BY factor_set),
            string_agg(DISTINCT factor_choice, '; ' ORDER BY factor_choice), any_value(gwp_set)) AS method
    FROM out.community_energy_emissions_monthly
    GROUP BY ALL
),

vmt AS (
    SELECT
        inventory_year, gpc_reference, vehicle_class || ' on ' || component_fuel AS activity, 'vehicle-miles' AS activity_unit,
        sum(component_miles) AS activity_value,
        sum(co2_kg) / 1000 AS co2_t, sum(ch4_kg) / 1000 AS ch4_t, sum(n2o_kg) / 1000 AS n2o_t, sum(co2e_tonnes) AS co2e_t,
        false AS co2e_only,
        list_distinct(flatten(list(factors_applied))) AS factors_applied,
        format('vehicle-miles from {} (method {}){}; CO2 = miles / fuel economy x CO2 per gallon, CH4 and N2O per mile; GWPs {}',
            string_agg(DISTINCT source, '; ' ORDER BY source), string_agg(DISTINCT method, ', ' ORDER BY method),
            coalesce('; ' || string_agg(DISTINCT fuel_split, '; ' ORDER BY fuel_split), ''), any_value(gwp_set)) AS method
    FROM out.community_vmt_emissions
    GROUP BY ALL
),

activity_lines AS (
    SELECT * FROM energy
    UNION ALL BY NAME
    SELECT * FROM vmt
),

small_cells AS (
    SELECT inventory_year, gpc_reference, count(*) AS figures
    FROM out.community_energy_emissions_monthly
    WHERE small_cell
    GROUP BY ALL
),

years AS (
    SELECT DISTINCT inventory_year FROM activity_lines
    UNION
    SELECT DISTINCT year FROM core.community_vmt
),

electric_miles AS (
    SELECT year AS inventory_year, sum(vehicle_miles) AS miles FROM core.community_vmt WHERE fuel = 'electricity' GROUP BY ALL
),

value_lines AS (
    SELECT
        lines.inventory_year, lines.gpc_reference, lines.activity, lines.activity_unit, gases.gas, gases.gas_order,
        CASE
            WHEN small.figures IS NOT NULL OR city.notation_key = 'C' THEN 'C'
            WHEN lines.co2e_only AND gases.gas <> 'CO2e' THEN 'IE'
        END AS notation_key,
        lines.activity_value,
        CASE gases.gas WHEN 'CO2' THEN lines.co2_t WHEN 'CH4' THEN lines.ch4_t WHEN 'N2O' THEN lines.n2o_t ELSE lines.co2e_t END AS tonnes,
        CASE
            WHEN small.figures IS NOT NULL
                THEN format('confidential: {} monthly figure(s) of {} sum fewer than {} customers (the utility''s small-cell rule)',
                    small.figures, lines.inventory_year, $min_customers)
            WHEN city.notation_key = 'C' THEN 'confidential: ' || city.explanation || ' (inventory.notation_keys)'
            WHEN lines.co2e_only AND gases.gas <> 'CO2e'
                THEN format('included in the CO2e line of {}: its factor is published as CO2e only, without a split by gas', lines.gpc_reference)
            ELSE lines.method
        END AS explanation,
        CASE
            WHEN gases.gas = 'CO2e' THEN lines.factors_applied
            ELSE list_filter(lines.factors_applied, f -> f.gas = gases.gas OR f.factor = 'fuel economy')
        END AS factors_applied
    FROM activity_lines AS lines
    CROSS JOIN gases
    LEFT JOIN small_cells AS small USING (inventory_year, gpc_reference)
    LEFT JOIN city_keys AS city USING (gpc_reference)
),

key_lines AS (
    SELECT
        years.inventory_year, subsectors.gpc_reference, NULL::VARCHAR AS activity, NULL::VARCHAR AS activity_unit, gases.gas, gases.gas_order,
        CASE
            WHEN city.notation_key IS NOT NULL THEN city.notation_key
            WHEN subsectors.gpc_reference = 'II.1.2' AND electric.miles > 0 AND EXISTS (
                SELECT 1 FROM activity_lines AS grid
                WHERE grid.inventory_year = years.inventory_year AND grid.gpc_reference IN ('I.1.2', 'I.2.2')
            ) THEN 'IE'
            ELSE 'NE'
        END AS notation_key,
        NULL::DOUBLE AS activity_value,
        NULL::DOUBLE AS tonnes,
        CASE
            WHEN city.notation_key IS NOT NULL THEN city.explanation
            WHEN subsectors.gpc_reference = 'II.1.2' AND electric.miles > 0 AND EXISTS (
                SELECT 1 FROM activity_lines AS grid
                WHERE grid.inventory_year = years.inventory_year AND grid.gpc_reference IN ('I.1.2', 'I.2.2')
            ) THEN format('included in I.1.2 and I.2.2: vehicles charge from the grid, and the utility''s deliveries by customer class '
                || 'include that electricity; community_vmt counts {:,} electric vehicle-miles in {}', electric.miles::BIGINT, years.inventory_year)
            WHEN subsectors.gpc_reference LIKE 'I._._' AND subsectors.gpc_reference < 'I.4'
                THEN format('not estimated: no community_energy rows of {} ({}) in {}', subsectors.subsector,
                    CASE subsectors.scope WHEN 2 THEN 'grid electricity' ELSE 'fuel combustion' END, years.inventory_year)
            WHEN subsectors.gpc_reference = 'II.1.1'
                THEN format('not estimated: no community_vmt rows of gasoline, diesel or mixed-fuel vehicle-miles in {}', years.inventory_year)
            WHEN subsectors.gpc_reference = 'II.1.2'
                THEN format('not estimated: no grid electricity of on-road vehicles can be told apart in {} (no electric vehicle-miles, or no '
                    || 'residential or commercial grid electricity, in the feeds)', years.inventory_year)
            ELSE format('not estimated: city-outcomes has no feed for {} ({}) yet; key it in inventory.notation_keys', subsectors.subsector,
                lower(subsectors.description[1:1]) || subsectors.description[2:])
        END AS explanation,
        []::STRUCT(
            factor VARCHAR, gas VARCHAR, value DOUBLE, unit VARCHAR, factor_set VARCHAR, region VARCHAR, rate_basis VARCHAR,
            source_document VARCHAR, source_table VARCHAR, source_year INTEGER, data_year INTEGER, chosen VARCHAR
        )[] AS factors_applied
    FROM years
    CROSS JOIN subsectors
    CROSS JOIN gases
    LEFT JOIN city_keys AS city USING (gpc_reference)
    LEFT JOIN electric_miles AS electric USING (inventory_year)
    WHERE NOT EXISTS (
        SELECT 1 FROM activity_lines AS lines
        WHERE lines.inventory_year = years.inventory_year AND lines.gpc_reference = subsectors.gpc_reference
    )
),

all_lines AS (
    SELECT * FROM value_lines
    UNION ALL BY NAME
    SELECT * FROM key_lines
)

SELECT
    lines.inventory_year,
    make_date(lines.inventory_year, 1, 1) AS period_year,
    subsectors.sector,
    subsectors.subsector,
    lines.gpc_reference,
    subsectors.scope,
    subsectors.reporting_level,
    lines.gas,
    lines.activity,
    CASE WHEN lines.notation_key = 'C' THEN NULL ELSE lines.activity_value END AS activity_value,
    lines.activity_unit,
    CASE WHEN lines.notation_key IS NULL AND lines.activity_value > 0 THEN lines.tonnes * 1000 / lines.activity_value END AS emission_factor,
    CASE WHEN lines.notation_key IS NULL AND lines.activity_unit IS NOT NULL
        THEN 'kg ' || lines.gas || '/' || CASE lines.activity_unit WHEN 'vehicle-miles' THEN 'vehicle-mile' ELSE lines.activity_unit END
    END AS factor_unit,
    CASE WHEN lines.notation_key IS NULL THEN array_to_string(list_sort(list_distinct(list_transform(lines.factors_applied,
        f -> format('{}: {} {} ({}; {}; {})', f.factor, f.value, f.unit, f.source_document, coalesce(f.source_table, 'no table'),
            coalesce(f.source_year::VARCHAR, 'year not given'))))), ' | ')
    END AS factor_source,
    CASE WHEN lines.notation_key IS NULL THEN lines.tonnes END AS emissions_tonnes,
    lines.notation_key,
    lines.explanation,
    CASE WHEN lines.notation_key IS NULL THEN lines.factors_applied ELSE [] END AS factors_applied
FROM all_lines AS lines
JOIN subsectors USING (gpc_reference)
ORDER BY lines.inventory_year, subsectors.position, lines.activity NULLS FIRST, lines.gas_order
