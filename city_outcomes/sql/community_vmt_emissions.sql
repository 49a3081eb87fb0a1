-- Community on-road transportation (GPC BASIC II.1.1, scope 1): one row per vehicle-miles row of core.community_vmt
-- and fuel it is driven on (a `mixed` row is split by the shares in $split_*). Electric miles are not here: their
-- energy is grid electricity (II.1.2), reported in the inventory by its notation key.
-- CO2: miles x share / fuel economy (mi/gal) = gallons; x the fuel's mobile-combustion CO2 factor (kg/gal, EPA GHG
--      Emission Factors Hub 2021 Table 2, of city.factor_set: motor_gasoline, diesel) = kg CO2.
-- CH4, N2O: miles x share x per-mile factor (g/mi, Hub 2021 Table 3 gasoline, Table 4 diesel, newest model year the
--      table lists, in ref.community_vmt_factors) / 1000 = kg; a VMT feed gives no model years, so the newest
--      vehicles' factors stand for the whole fleet (stated in the catalog's caveats).
-- kg CO2e = sum of kg of each gas x the city's 100-year GWP ($gwp_set).
-- Fuel economy: the city's own (inventory.vmt_fuel_economy, $economy_*), else the shipped default of
-- ref.community_vmt_factors (22.3 mpg, light-duty classes only). A row without a fuel economy, a CO2 factor or a
-- per-mile factor keeps `factor_problem` saying which; the metric stops the run on it.
-- Parameters: $factor_set, $shipped_factor_set, $gwp_set, $split_classes, $split_fuels, $split_shares, $economy_classes, $economy_mpg,
-- $economy_sources, $economy_years.
WITH split AS (
    SELECT unnest($split_classes::VARCHAR[]) AS vehicle_class, unnest($split_fuels::VARCHAR[]) AS fuel, unnest($split_shares::DOUBLE[]) AS share
),

city_economy AS (
    SELECT
        unnest($economy_classes::VARCHAR[]) AS vehicle_class,
        unnest($economy_mpg::DOUBLE[]) AS mpg,
        unnest($economy_sources::VARCHAR[]) AS source_document,
        unnest($economy_years::INTEGER[]) AS source_year
),

components AS (
    SELECT
        vmt.*,
        make_date(vmt.year, 1, 1) AS period_year,
        coalesce(split.fuel, vmt.fuel) AS component_fuel,
        coalesce(split.share, 1.0) AS share,
        CASE WHEN vmt.fuel = 'mixed' THEN format('mixed miles: {:.4g}% {} (inventory.vmt_mixed_fuel or the default split)', split.share * 100, split.fuel) END AS fuel_split
    FROM core.community_vmt AS vmt
    LEFT JOIN split ON vmt.fuel = 'mixed' AND split.vehicle_class = vmt.vehicle_class
    WHERE vmt.fuel <> 'electricity'
),

economy AS (
    SELECT
        components._feed, components._file_sha256, components._source_row, components.component_fuel,
        coalesce(city.mpg, shipped.value) AS mpg,
        CASE
            WHEN city.mpg IS NOT NULL THEN {
                'factor': ('fuel economy')::VARCHAR, 'gas': (NULL)::VARCHAR, 'value': (city.mpg)::DOUBLE, 'unit': ('mi/gal')::VARCHAR,
                'factor_set': ('city: inventory.vmt_fuel_economy')::VARCHAR, 'region': (NULL)::VARCHAR, 'rate_basis': (NULL)::VARCHAR,
                'source_document': (city.source_document)::VARCHAR, 'source_table': (NULL)::VARCHAR, 'source_year': (city.source_year)::INTEGER,
                'data_year': (city.source_year)::INTEGER, 'chosen': (format('configured: inventory.vmt_fuel_economy[{}]', components.vehicle_class))::VARCHAR
            }
            WHEN shipped.value IS NOT NULL THEN {
                'factor': ('fuel economy')::VARCHAR, 'gas': (NULL)::VARCHAR, 'value': (shipped.value)::DOUBLE, 'unit': (shipped.unit)::VARCHAR,
                'factor_set': (shipped.factor_set)::VARCHAR, 'region': (NULL)::VARCHAR, 'rate_basis': (NULL)::VARCHAR,
                'source_document': (shipped.source_document)::VARCHAR, 'source_table': (shipped.source_table)::VARCHAR, 'source_year': (shipped.source_year)::INTEGER,
                'data_year': (shipped.data_year)::INTEGER, 'chosen': ('default: reference_data/community_vmt_factors.csv')::VARCHAR
            }
        END AS applied
    FROM components
    LEFT JOIN city_economy AS city ON city.vehicle_class = components.vehicle_class
    LEFT JOIN ref.community_vmt_factors AS shipped
        ON shipped.quantity = 'fuel_economy' AND shipped.vehicle_class = components.vehicle_class AND shipped.fuel = components.component_fuel
),

co2_factor AS (
    SELECT
        components._feed, components._file_sha256, components._source_row, components.component_fuel,
        factor.value * conversion.multiplier AS kg_per_gal,
        {
                'factor': ('CO2 per gallon')::VARCHAR, 'gas': (factor.gas)::VARCHAR, 'value': (factor.value)::DOUBLE, 'unit': (factor.unit)::VARCHAR,
                'factor_set': (factor.factor_set)::VARCHAR, 'region': (factor.region)::VARCHAR, 'rate_basis': (factor.rate_basis)::VARCHAR,
                'source_document': (factor.source_document)::VARCHAR, 'source_table': (factor.source_table)::VARCHAR, 'source_year': (factor.source_year)::INTEGER,
                'data_year': (factor.data_year)::INTEGER,
                'chosen': (CASE WHEN factor.factor_set = $factor_set THEN 'configured: city.factor_set'
                    ELSE format('default: shipped {}, city.factor_set {} has no {} combustion CO2 factor', $shipped_factor_set, $factor_set, factor.activity) END)::VARCHAR
            } AS applied
    FROM components
    -- A city's own fuel set is added to the shipped one: a fuel it has no CO2 factor for takes the shipped set's.
    JOIN core.emission_factors AS factor
        ON factor.activity = CASE components.component_fuel WHEN 'gasoline' THEN 'motor_gasoline' ELSE components.component_fuel END
        AND factor.rate_basis = 'combustion' AND factor.gas = 'CO2'
        AND (factor.factor_set = $factor_set
            OR (factor.factor_set = $shipped_factor_set AND EXISTS (SELECT 1 FROM core.emission_factors WHERE factor_set = $factor_set)))
    JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = 'emission_factor' AND conversion.from_unit = factor.unit AND conversion.to_unit = 'kg/gal'
    QUALIFY (factor.factor_set = $factor_set)
        = max(factor.factor_set = $factor_set) OVER (PARTITION BY components._feed, components._file_sha256, components._source_row, components.component_fuel)
),

per_mile AS (
    SELECT
        components._feed, components._file_sha256, components._source_row, components.component_fuel,
        max(factor.value / 1000) FILTER (WHERE factor.gas = 'CH4') AS ch4_kg_per_mile,
        max(factor.value / 1000) FILTER (WHERE factor.gas = 'N2O') AS n2o_kg_per_mile,
        list(
            {
                'factor': (factor.gas || ' per mile')::VARCHAR, 'gas': (factor.gas)::VARCHAR, 'value': (factor.value)::DOUBLE, 'unit': (factor.unit)::VARCHAR,
                'factor_set': (factor.factor_set)::VARCHAR, 'region': (NULL)::VARCHAR, 'rate_basis': ('on_road_per_mile')::VARCHAR,
                'source_document': (factor.source_document)::VARCHAR, 'source_table': (factor.source_table)::VARCHAR, 'source_year': (factor.source_year)::INTEGER,
                'data_year': (factor.data_year)::INTEGER, 'chosen': ('default: reference_data/community_vmt_factors.csv')::VARCHAR
            }
            ORDER BY factor.gas
        ) AS applied
    FROM components
    JOIN ref.community_vmt_factors AS factor
        ON factor.quantity = 'per_mile' AND factor.unit = 'g/mi'
        AND factor.vehicle_class = components.vehicle_class AND factor.fuel = components.component_fuel
    GROUP BY ALL
),

gwp AS (
    SELECT
        max(gwp_100yr) FILTER (WHERE gas = 'CH4') AS ch4,
        max(gwp_100yr) FILTER (WHERE gas = 'N2O') AS n2o,
        max(gwp_100yr) FILTER (WHERE gas = 'CO2') AS co2
    FROM core.global_warming_potentials
    WHERE gwp_set = $gwp_set
),

figures AS (
    SELECT
        components.*,
        economy.mpg,
        components.vehicle_miles * components.share AS component_miles,
        components.vehicle_miles * components.share / economy.mpg AS gallons,
        components.vehicle_miles * components.share / economy.mpg * co2_factor.kg_per_gal AS co2_kg,
        components.vehicle_miles * components.share * per_mile.ch4_kg_per_mile AS ch4_kg,
        components.vehicle_miles * components.share * per_mile.n2o_kg_per_mile AS n2o_kg,
        list_concat(
            CASE WHEN economy.applied IS NOT NULL THEN [economy.applied] ELSE [] END,
            CASE WHEN co2_factor.applied IS NOT NULL THEN [co2_factor.applied] ELSE [] END,
            coalesce(per_mile.applied, [])
        ) AS factors_applied,
        CASE
            WHEN economy.mpg IS NULL
                THEN format('no fuel economy for {} on {}: the shipped default covers passenger_car and light_truck only', components.vehicle_class, components.component_fuel)
            WHEN co2_factor.kg_per_gal IS NULL
                THEN format('factor set ''{}'' has no mobile-combustion CO2 factor (kg/gal) for {}', $factor_set, components.component_fuel)
            WHEN per_mile.ch4_kg_per_mile IS NULL OR per_mile.n2o_kg_per_mile IS NULL
                THEN format('no per-mile CH4 and N2O factors for {} on {} in reference_data/community_vmt_factors.csv (EPA Hub 2021 Tables 3 and 4)',
                    components.vehicle_class, components.component_fuel)
        END AS factor_problem
    FROM components
    LEFT JOIN economy USING (_feed, _file_sha256, _source_row, component_fuel)
    LEFT JOIN co2_factor USING (_feed, _file_sha256, _source_row, component_fuel)
    LEFT JOIN per_mile USING (_feed, _file_sha256, _source_row, component_fuel)
)

SELECT
    figures.year AS inventory_year,
    figures.period_year,
    'II.1.1' AS gpc_reference,
    1 AS scope,
    figures.vehicle_class,
    figures.fuel,
    figures.component_fuel,
    figures.share,
    figures.fuel_split,
    figures.vehicle_miles,
    figures.component_miles,
    figures.mpg AS fuel_economy_mpg,
    figures.gallons,
    figures.co2_kg,
    figures.ch4_kg,
    figures.n2o_kg,
    (figures.co2_kg * gwp.co2 + figures.ch4_kg * gwp.ch4 + figures.n2o_kg * gwp.n2o) / 1000 AS co2e_tonnes,
    coalesce(figures.factor_problem, CASE WHEN gwp.ch4 IS NULL OR gwp.n2o IS NULL OR gwp.co2 IS NULL
        THEN format('gwp_set ''{}'' lacks a GWP of CO2, CH4 or N2O', $gwp_set) END) AS factor_problem,
    figures.factors_applied,
    $factor_set AS factor_set,
    $gwp_set AS gwp_set,
    figures.method,
    figures.source,
    figures._feed,
    figures._file_sha256,
    figures._source_row
FROM figures
CROSS JOIN gwp
ORDER BY figures.year, figures.vehicle_class, figures.fuel, figures.component_fuel, figures._feed, figures._source_row
