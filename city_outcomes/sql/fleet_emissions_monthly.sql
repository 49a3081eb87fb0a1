-- Monthly greenhouse-gas emissions of the city's vehicle fleet: one row per accepted fuel purchase or
-- charge (core.fleet_fuel), keyed by vehicle, department, month and fuel, with its lineage.
-- quantity as bought x unit conversion = quantity in the fuel's canonical unit (gal, scf, kWh);
-- x, for each factor the fuel needs (ref.fleet_fuel_components, see fleet_fuel_components.sql for the
-- blends and defaults and why), its volume share x the factor (converted to kg per canonical unit)
-- = kg of each gas; fossil gases x 100-year GWP of the city's GWP set, summed = kg CO2e.
-- Biogenic CO2 (the ethanol of E85, the biodiesel of B5/B20/B100, renewable diesel) is summed into
-- biogenic_co2_kg and left out of co2_kg and co2e_tonnes, as the GHG Protocol requires.
-- Fuels are scope 1 (GPC II.1.1, on-road transportation fuel combustion); EV charging is scope 2
-- (GPC II.1.2, grid energy used in transport) at the electricity factors of its inventory year, location- and
-- market-based, as electricity_factors_by_year.sql chooses them for every kWh of the inventory (the temp table
-- _electricity_factors_by_year, staged by city_outcomes/metrics/electricity_factors.py): the same edition as the
-- buildings' electricity of that year. co2e_tonnes_market equals co2e_tonnes on fuel rows (scope 1).
-- A purchase lacking any factor, conversion or GWP it needs is left out here, and the blocking check
-- (fleet_fuel_without_emissions.sql) names it: nothing is computed from part of its factors.
-- The factors each fuel needs are the temp table _fleet_fuel_factors (fleet_fuel_factors.sql, staged by
-- city_outcomes/metrics/fleet.py); rows carry the id of their list of factors (factors_id, see
-- city_outcomes/metrics/factor_sets.py), the lists are in out.factors_applied.
-- CH4 and N2O per mile: where the fleet inventory (core.fleet_vehicles) gives a gasoline or diesel vehicle's on-road
-- class and model year, and its odometer readings (core.fleet_fuel.odometer_miles) the miles since its previous
-- reading (more than 0, at most $max_miles_per_reading), a purchase's CH4 and N2O are those miles x the Hub's
-- per-mile factors of its class and model year (_fleet_per_mile_factors, fleet_per_mile_factors.sql) in place of
-- the per-gallon default; its CO2 stays per gallon. ch4_n2o_basis says which ('per_mile' or 'per_gallon'),
-- vehicle_miles the miles used. A vehicle the inventory lists twice with different classes or years, off-road
-- equipment, and a reading without a previous one keep the per-gallon default.
-- Parameters: $start_month, $end_month (half-open), $factor_set, $grid_subregion, $gwp_set, $max_miles_per_reading.
WITH vehicles AS (
    -- Every row of a vehicle agrees (one class, one model year, none blank), and it is on the road.
    SELECT vehicle_id, any_value(vehicle_class) AS vehicle_class, any_value(model_year) AS model_year
    FROM core.fleet_vehicles
    GROUP BY vehicle_id
    HAVING count(DISTINCT vehicle_class) = 1 AND count(DISTINCT model_year) = 1 AND count(model_year) = count(*)
        AND any_value(vehicle_class) <> 'off_road'
),

readings AS (
    -- Every reading of the listed vehicles, whatever the months computed: a month's first purchase needs the last
    -- reading before it.
    SELECT
        fuel._feed, fuel._file_sha256, fuel._source_row,
        fuel.odometer_miles - lag(fuel.odometer_miles) OVER (
            PARTITION BY fuel.vehicle_id ORDER BY fuel.purchase_date, fuel.odometer_miles, fuel._file_sha256, fuel._source_row
        ) AS miles
    FROM core.fleet_fuel AS fuel
    SEMI JOIN vehicles ON vehicles.vehicle_id = fuel.vehicle_id
    WHERE fuel.odometer_miles IS NOT NULL
),

fuel AS (
    SELECT *, CAST(date_trunc('month', purchase_date) AS DATE) AS period_month
    FROM core.fleet_fuel
    WHERE purchase_date >= $start_month AND purchase_date < $end_month
),

activity AS (
    SELECT
        fuel.*,
        fuel.quantity * conversion.multiplier AS activity_quantity,
        conversion.to_unit AS activity_unit
    FROM fuel
    JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = fuel.fuel_type AND conversion.from_unit = fuel.unit
),

fuel_rows AS (
    -- Each gas: quantity x volume share x kg per unit, per component, summed in the components' order.
    SELECT
        activity.vehicle_id,
        activity.department,
        activity.period_month,
        activity.purchase_date,
        activity.fuel_type,
        activity.quantity,
        activity.unit,
        activity.activity_quantity,
        activity.activity_unit,
        coalesce(list_sum([activity.activity_quantity * c.volume_share * c.gas_kg_per_unit
            FOR c IN fuel_factors.components IF c.gas = 'CO2' AND NOT c.biogenic]), 0) AS co2_kg,
        coalesce(list_sum([activity.activity_quantity * c.volume_share * c.gas_kg_per_unit
            FOR c IN fuel_factors.components IF c.gas = 'CO2' AND c.biogenic]), 0) AS biogenic_co2_kg,
        CASE WHEN per_mile.vehicle_class IS NOT NULL THEN readings.miles * per_mile.ch4_kg_per_mile
            ELSE list_sum([activity.activity_quantity * c.volume_share * c.gas_kg_per_unit FOR c IN fuel_factors.components IF c.gas = 'CH4'])
        END AS ch4_kg,
        CASE WHEN per_mile.vehicle_class IS NOT NULL THEN readings.miles * per_mile.n2o_kg_per_mile
            ELSE list_sum([activity.activity_quantity * c.volume_share * c.gas_kg_per_unit FOR c IN fuel_factors.components IF c.gas = 'N2O'])
        END AS n2o_kg,
        CASE WHEN per_mile.vehicle_class IS NOT NULL
            THEN (coalesce(list_sum([activity.activity_quantity * c.volume_share * c.gas_kg_per_unit * c.gwp_100yr
                    FOR c IN fuel_factors.components IF c.gas = 'CO2' AND NOT c.biogenic]), 0)
                + readings.miles * per_mile.ch4_kg_per_mile * per_mile.ch4_gwp
                + readings.miles * per_mile.n2o_kg_per_mile * per_mile.n2o_gwp) / 1000
            ELSE coalesce(list_sum([activity.activity_quantity * c.volume_share * c.gas_kg_per_unit * c.gwp_100yr
                FOR c IN fuel_factors.components IF NOT c.biogenic]), 0) / 1000
        END AS co2e_tonnes,
        CASE WHEN per_mile.vehicle_class IS NOT NULL THEN 'per_mile'
            WHEN len([c FOR c IN fuel_factors.components IF c.gas IN ('CH4', 'N2O')]) > 0 THEN 'per_gallon'
        END AS ch4_n2o_basis,
        CASE WHEN per_mile.vehicle_class IS NOT NULL THEN readings.miles END AS vehicle_miles,
        coalesce(per_mile.factors_id, fuel_factors.factors_id) AS factors_id,
        fuel_factors.complete,
        -- The set(s) its factors came from: the city's, or the shipped one's for a fuel the city's set lacks.
        coalesce(fuel_factors.factor_set, $factor_set) AS factor_set,
        'scope 1: same as location-based' AS market_method,
        activity._feed,
        activity._file_sha256,
        activity._source_row
    FROM activity
    -- Each (fuel, canonical unit)'s components and factors, staged once (fleet_fuel_factors.sql).
    JOIN _fleet_fuel_factors AS fuel_factors ON fuel_factors.fuel_type = activity.fuel_type AND fuel_factors.activity_unit = activity.activity_unit
    LEFT JOIN readings USING (_feed, _file_sha256, _source_row)
    LEFT JOIN vehicles ON vehicles.vehicle_id = activity.vehicle_id
    LEFT JOIN _fleet_per_mile_factors AS per_mile
        ON per_mile.fuel_type = activity.fuel_type AND per_mile.activity_unit = activity.activity_unit
        AND per_mile.vehicle_class = vehicles.vehicle_class
        AND vehicles.model_year BETWEEN per_mile.model_year_from AND per_mile.model_year_to
        AND readings.miles > 0 AND readings.miles <= $max_miles_per_reading
),

-- Charging: kWh x the year's shared electricity factors (per gas, or CO2e where the edition gives no split).
charging_rows AS (
    SELECT
        activity.vehicle_id,
        activity.department,
        activity.period_month,
        activity.purchase_date,
        activity.fuel_type,
        activity.quantity,
        activity.unit,
        activity.activity_quantity,
        activity.activity_unit,
        activity.activity_quantity * location.co2_kg_per_kwh AS co2_kg,
        0.0 AS biogenic_co2_kg,
        activity.activity_quantity * location.ch4_kg_per_kwh AS ch4_kg,
        activity.activity_quantity * location.n2o_kg_per_kwh AS n2o_kg,
        activity.activity_quantity * location.co2e_kg_per_kwh / 1000 AS co2e_tonnes,
        activity.activity_quantity * market.co2e_kg_per_kwh / 1000 AS co2e_tonnes_market,
        -- The electricity factor structs have the fleet's fields (activity 'electricity'): the same list, the same id.
        location.factors_id,
        location.factor_problem IS NULL AND market.factor_problem IS NULL AND activity.activity_unit = 'kWh' AS complete,
        location.factor_set,
        market.market_method,
        activity._feed,
        activity._file_sha256,
        activity._source_row
    FROM activity
    JOIN _electricity_factors_by_year AS location
        ON location.inventory_year = year(activity.period_month) AND location.method = 'location'
    JOIN _electricity_factors_by_year AS market
        ON market.inventory_year = year(activity.period_month) AND market.method = 'market'
    WHERE activity.fuel_type = 'electricity'
),

per_row AS (
    SELECT *, co2e_tonnes AS co2e_tonnes_market FROM fuel_rows
    UNION ALL BY NAME
    SELECT * FROM charging_rows
)

SELECT
    vehicle_id,
    coalesce(department, 'Not recorded') AS department,
    period_month,
    purchase_date,
    fuel_type,
    CASE fuel_type WHEN 'electricity' THEN 'II.1.2' ELSE 'II.1.1' END AS gpc_reference,
    CASE fuel_type WHEN 'electricity' THEN 2 ELSE 1 END AS scope,
    quantity AS purchased_quantity,
    unit AS purchased_unit,
    activity_quantity,
    activity_unit,
    co2_kg,
    biogenic_co2_kg,
    ch4_kg,
    n2o_kg,
    -- CNG and LNG: CO2 only (the Hub has their vehicle CH4/N2O per mile only; see fleet_fuel_components.sql).
    ch4_kg IS NOT NULL AND n2o_kg IS NOT NULL AS ch4_n2o_estimated,
    ch4_n2o_basis,
    vehicle_miles,
    co2e_tonnes,
    co2e_tonnes_market,
    market_method,
    factor_set,
    $gwp_set AS gwp_set,
    $grid_subregion AS grid_subregion,
    factors_id,
    _feed,
    _file_sha256,
    _source_row
FROM per_row
WHERE complete
-- No ORDER BY: the warehouse runs with preserve_insertion_order = false, so the table written from this is in no
-- guaranteed order anyway (readers order what they read), and sorting a million rows with their factors_applied lists (as they then were)
-- cost about 2 of the fleet's 13 s at issue 12's size (benchmarks/municipal_inventory.py).
-- (was: ORDER BY period_month, vehicle_id, fuel_type, _file_sha256, _source_row)
