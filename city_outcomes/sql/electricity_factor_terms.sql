-- The factor columns every kWh of a grid-electricity sector (streetlights and traffic signals, public EV chargers)
-- shares with the other kWh of its inventory year, location- and market-based: one row per inventory year, from the
-- temp table _electricity_factors_by_year (electricity_factors_by_year.sql), staged by
-- city_outcomes/metrics/grid_electricity.py as _electricity_factor_terms.
-- The sectors' rows carry `terms_id`, the content hash of the columns the published rows show (factor set, basis,
-- value, choice, factor ids, market method, GWP set, subregion), and the rates their figures are computed from;
-- the columns themselves are kept once in out.electricity_factor_terms, and the sector's view joins them back.
-- (Writing these 11 columns on each of 3.6 million streetlight rows took most of that sector's time at issue 12's
-- size: benchmarks/RESULTS.md.)
-- `factor_problem` says what is missing for a year whose choice gives no usable factor.
-- Parameters: $gwp_set, $grid_subregion.
WITH terms AS (
    SELECT
        location.inventory_year,
        location.co2_kg_per_kwh,
        location.ch4_kg_per_kwh,
        location.n2o_kg_per_kwh,
        location.co2e_kg_per_kwh,
        market.co2e_kg_per_kwh AS market_co2e_kg_per_kwh,
        coalesce('location-based: ' || location.factor_problem, 'market-based: ' || market.factor_problem) AS factor_problem,
        {
            'factor_set': location.factor_set,
            'factor_basis': location.factor_basis,
            'factor_value': location.co2e_kg_per_kwh,
            'factor_choice': location.chosen,
            'factors_id': location.factors_id,
            'market_method': market.market_method,
            'market_factor_set': market.factor_set,
            'market_factor_basis': market.factor_basis,
            'market_factors_id': market.factors_id,
            'gwp_set': $gwp_set::VARCHAR,
            'grid_subregion': $grid_subregion::VARCHAR
        } AS shown
    FROM _electricity_factors_by_year AS location
    JOIN _electricity_factors_by_year AS market ON market.inventory_year = location.inventory_year AND market.method = 'market'
    WHERE location.method = 'location'
)

SELECT
    inventory_year,
    co2_kg_per_kwh,
    ch4_kg_per_kwh,
    n2o_kg_per_kwh,
    co2e_kg_per_kwh,
    market_co2e_kg_per_kwh,
    factor_problem,
    md5_number_upper(to_json(shown)::VARCHAR) AS terms_id,
    unnest(shown)
FROM terms
ORDER BY inventory_year
