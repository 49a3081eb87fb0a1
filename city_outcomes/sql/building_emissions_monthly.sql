-- Monthly greenhouse-gas emissions of municipal buildings: one row per building, month and energy type.
-- activity as billed x unit conversion = activity in canonical unit (kWh, MMBtu);
-- x emission factor (converted to kg per canonical unit) = kg of gas;
-- per-gas factors: x 100-year GWP of the city's GWP set, summed = kg CO2e;
-- a factor published as CO2e: taken as it is (the publisher's own GWPs), no GWP applied.
--
-- Which factors (every choice is written on the row, in `factor_choice`, and in each entry of the list of factors the
-- row's `factors_id` names in out.factors_applied):
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
-- Parameters: $start_month, $end_month (half-open), $grid_subregion, $gwp_set (city.factor_set is building_fuel_factors.sql's).
-- Input: the temporary view `building_activity` (city_outcomes/metrics/emissions.py makes it): core.building_energy
-- for the monthly bills; the annual benchmarking rows not covered by bills for the annual table (the same factors);
-- the temp tables _building_fuel_factors (building_fuel_factors.sql) and _electricity_factors_by_year.
WITH energy AS (
    SELECT *
    FROM building_activity
    WHERE period_month >= $start_month AND period_month < $end_month
),

activity AS (
    SELECT
        energy.*,
        year(energy.period_month)::INTEGER AS inventory_year,
        energy.quantity * conversion.multiplier AS activity_quantity,
        conversion.to_unit AS activity_unit
    FROM energy
    LEFT JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = energy.energy_type AND conversion.from_unit = energy.unit
),

-- The factors of every (energy type, canonical unit, inventory year) and method: fuels and district energy from
-- building_fuel_factors.sql (the temp table _building_fuel_factors), grid electricity from the shared
-- _electricity_factors_by_year (every kWh of a year at one edition). A bill finds its factors by that key: the
-- choice depends on nothing else, so it is made once per key, not per bill.
factors AS (
    SELECT
        energy_type, coalesce(activity_unit, '') AS unit_key, inventory_year, method, factor_set, chosen, factor_basis,
        co2_kg_per_unit, ch4_kg_per_unit, n2o_kg_per_unit, co2e_kg_per_unit, factors_id, market_method, factor_problem
    FROM _building_fuel_factors
    UNION ALL
    SELECT
        'electricity', 'kWh', inventory_year, method, factor_set, chosen, factor_basis,
        co2_kg_per_kwh, ch4_kg_per_kwh, n2o_kg_per_kwh, co2e_kg_per_kwh, factors_id, market_method, factor_problem
    FROM _electricity_factors_by_year
),

keyed AS (
    SELECT
        activity.*,
        -- Electricity's factors are per kWh whatever the bill's unit converted to; a bill without a conversion (NULL)
        -- still finds its key, so that its problem is named.
        CASE WHEN activity.energy_type = 'electricity' THEN 'kWh' ELSE coalesce(activity.activity_unit, '') END AS unit_key,
        CASE WHEN activity.activity_unit IS NULL
            THEN format('no conversion of {} in {} to a canonical unit', activity.energy_type, activity.unit)
        END AS conversion_problem
    FROM activity
),

per_row AS (
    SELECT
        keyed.* EXCLUDE (unit_key, conversion_problem),
        location.factor_set,
        location.chosen AS factor_choice,
        location.factor_basis,
        location.co2e_kg_per_unit AS factor_value,
        'kg CO2e/' || keyed.activity_unit AS factor_unit,
        keyed.activity_quantity * location.co2_kg_per_unit AS co2_kg,
        keyed.activity_quantity * location.ch4_kg_per_unit AS ch4_kg,
        keyed.activity_quantity * location.n2o_kg_per_unit AS n2o_kg,
        keyed.activity_quantity * location.co2e_kg_per_unit / 1000 AS co2e_tonnes,
        -- The id of the list of factors applied (the list is in out.factors_applied: city_outcomes/metrics/factor_sets.py).
        location.factors_id,
        keyed.activity_quantity * market.co2e_kg_per_unit / 1000 AS co2e_tonnes_market,
        market.market_method,
        market.factor_set AS market_factor_set,
        market.factor_basis AS market_factor_basis,
        market.factors_id AS market_factors_id,
        coalesce('location-based: ' || coalesce(keyed.conversion_problem, location.factor_problem),
            'market-based: ' || coalesce(keyed.conversion_problem, market.factor_problem)) AS factor_problem
    FROM keyed
    JOIN factors AS location
        ON location.energy_type = keyed.energy_type AND location.unit_key = keyed.unit_key
        AND location.inventory_year = keyed.inventory_year AND location.method = 'location'
    JOIN factors AS market
        ON market.energy_type = keyed.energy_type AND market.unit_key = keyed.unit_key
        AND market.inventory_year = keyed.inventory_year AND market.method = 'market'
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
        per_row.factors_id,
        per_row.co2e_tonnes_market,
        per_row.market_method,
        per_row.market_factor_set,
        per_row.market_factor_basis,
        per_row.market_factors_id,
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
