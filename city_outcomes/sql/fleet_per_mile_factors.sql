-- On-road CH4 and N2O per vehicle-mile for the fleet's gasoline and diesel purchases, by vehicle class and model
-- year (ref.fleet_per_mile_factors: EPA GHG Emission Factors Hub 2021 Tables 3 and 4, reference_data/
-- fleet_per_mile_factors.csv), one row per (fuel, canonical unit, class, model-year range): the kg per mile of
-- each gas with its GWP, and the list of factors a purchase at it uses (the fuel's CO2 factors from
-- _fleet_fuel_factors, then the per-mile CH4 and N2O) with its id. The tables stop at model year 2018: the newest
-- range is applied to later model years, and its factors' `chosen` says so. Staged as the temp table
-- _fleet_per_mile_factors by city_outcomes/metrics/fleet.py, after _fleet_fuel_factors. Parameters: $gwp_set.
WITH per_mile AS (
    SELECT
        *,
        max(model_year_to) OVER (PARTITION BY vehicle_class, fuel, gas) AS newest_year
    FROM ref.fleet_per_mile_factors
),

applied AS (
    SELECT
        *,
        CASE WHEN model_year_to = newest_year THEN 9999 ELSE model_year_to END AS model_year_to_applied,
        struct_pack(
            activity := 'on-road ' || fuel, gas := gas, value := value, unit := unit, factor_set := factor_set,
            rate_basis := 'on_road_per_mile', region := 'US', source_document := source_document,
            source_table := source_table, source_year := source_year::BIGINT, data_year := data_year::BIGINT,
            chosen := format('per mile: fleet_vehicles class {}, model years {}-{}{}, x the odometer''s miles since the vehicle''s previous reading',
                vehicle_class, model_year_from, model_year_to,
                CASE WHEN model_year_to = newest_year THEN format(' (the table''s newest, applied to later model years too)') ELSE '' END)
        ) AS factor
    FROM per_mile
),

ranges AS (
    -- The Hub gives CH4 and N2O for the same model-year ranges.
    SELECT
        ch4.fuel, ch4.vehicle_class, ch4.model_year_from, ch4.model_year_to_applied AS model_year_to,
        ch4.value / 1000 AS ch4_kg_per_mile, n2o.value / 1000 AS n2o_kg_per_mile, ch4.factor AS ch4_factor, n2o.factor AS n2o_factor
    FROM applied AS ch4
    JOIN applied AS n2o
        ON n2o.gas = 'N2O' AND n2o.fuel = ch4.fuel AND n2o.vehicle_class = ch4.vehicle_class
        AND n2o.model_year_from = ch4.model_year_from AND n2o.model_year_to = ch4.model_year_to
    WHERE ch4.gas = 'CH4'
),

lists AS (
    SELECT
        fuel_factors.fuel_type,
        fuel_factors.activity_unit,
        ranges.vehicle_class,
        ranges.model_year_from,
        ranges.model_year_to,
        ranges.ch4_kg_per_mile,
        ranges.n2o_kg_per_mile,
        ch4_gwp.gwp_100yr AS ch4_gwp,
        n2o_gwp.gwp_100yr AS n2o_gwp,
        list_concat([f FOR f IN fuel_factors.factors_applied IF f.gas = 'CO2'], [ranges.ch4_factor, ranges.n2o_factor]) AS factors_applied
    FROM _fleet_fuel_factors AS fuel_factors
    JOIN ranges ON ranges.fuel = fuel_factors.fuel_type
    JOIN core.global_warming_potentials AS ch4_gwp ON ch4_gwp.gas = 'CH4' AND ch4_gwp.gwp_set = $gwp_set
    JOIN core.global_warming_potentials AS n2o_gwp ON n2o_gwp.gas = 'N2O' AND n2o_gwp.gwp_set = $gwp_set
    WHERE fuel_factors.complete
)

SELECT *, md5_number_upper(to_json(factors_applied)::VARCHAR) AS factors_id
FROM lists
