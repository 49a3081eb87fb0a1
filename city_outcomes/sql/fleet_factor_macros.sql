-- The emission factor rows the fleet may use, as a temporary table macro that city_outcomes/metrics/fleet.py creates
-- before the metric (fleet_fuel_factors.sql) and its blocking check (fleet_fuel_without_emissions.sql) run: the
-- check looks for exactly the factors the metric would have used. No parameters.
--
-- fleet_factor_rows(city_set, shipped_set): core.emission_factors' rows of city.factor_set, and, where that is a set
-- of the city's own (it has factors), the shipped set's rows of each (activity, rate basis, region) it has none of,
-- with `priority` 1 (the city's) or 2 (the shipped set's). A city's own fuel factors are added to the shipped ones,
-- not put in their place (building_fuel_factors.sql says the same for buildings); an activity the city's set has
-- some factors of takes only the city's (a gas it lacks is then missing, never filled in from another set).
CREATE OR REPLACE TEMP MACRO fleet_factor_rows(city_set, shipped_set) AS TABLE
    SELECT factor.*, CASE WHEN factor.factor_set = city_set THEN 1 ELSE 2 END AS priority
    FROM core.emission_factors AS factor
    WHERE factor.factor_set = city_set
        OR (factor.factor_set = shipped_set AND EXISTS (SELECT 1 FROM core.emission_factors WHERE factor_set = city_set))
    QUALIFY priority = min(priority) OVER (PARTITION BY factor.activity, factor.rate_basis, factor.region);
