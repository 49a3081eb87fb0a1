-- The factors each fleet fuel needs, per (fuel, canonical unit): the components (gas, biogenic or not, volume share,
-- kg per unit, GWP) that fleet_emissions_monthly.sql sums per purchase, the list of factor structs applied with its
-- id (the rows carry the id, out.factors_applied the list: city_outcomes/metrics/factor_sets.py), and whether every
-- factor and GWP was found. Staged as the temp table _fleet_fuel_factors by city_outcomes/metrics/fleet.py.
-- The factor rows are the city's set's, or the shipped set's ($shipped_factor_set) for a factor activity (gasoline,
-- diesel, ethanol, ...) a set of the city's own has none of: fleet_factor_rows (fleet_factor_macros.sql); the
-- shipped ones say so in `chosen`.
-- Parameters: $factor_set, $shipped_factor_set, $grid_subregion, $gwp_set.
WITH factors AS (
    SELECT
        factor.activity,
        factor.rate_basis,
        factor.region,
        factor.gas,
        factor.value * conversion.multiplier AS gas_kg_per_unit,
        conversion.to_unit AS factor_unit,
        struct_pack(
            activity := factor.activity, gas := factor.gas, value := factor.value, unit := factor.unit,
            factor_set := factor.factor_set, rate_basis := factor.rate_basis, region := factor.region,
            source_document := factor.source_document, source_table := factor.source_table,
            source_year := factor.source_year, data_year := factor.data_year,
            chosen := CASE WHEN factor.priority = 1 THEN 'configured: city.factor_set'
                ELSE format('default: shipped {}, city.factor_set {} has no {} {} factor', $shipped_factor_set, $factor_set, factor.activity, factor.rate_basis) END
        ) AS factor_applied
    FROM fleet_factor_rows($factor_set, $shipped_factor_set) AS factor
    JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = 'emission_factor' AND conversion.from_unit = factor.unit
),

-- Every factor each (fuel, canonical unit) needs, found or not (a LEFT JOIN, so that a missing one is seen),
-- gathered once per fuel rather than per purchase: the factor structs (long source strings) are built a handful
-- of times and joined to the purchases, instead of being carried through a per-purchase GROUP BY (which ran out
-- of memory at 300,000 purchases). Components are in a fixed order (factor_activity, gas), so the per-purchase
-- sums of fleet_emissions_monthly.sql add the same terms in the same order on every run.
fuel_factors AS (
    SELECT
        units.fuel_type,
        units.activity_unit,
        list({
            gas: component.gas, biogenic: component.biogenic, volume_share: component.volume_share,
            gas_kg_per_unit: factors.gas_kg_per_unit, gwp_100yr: gwp.gwp_100yr
        } ORDER BY component.factor_activity, component.gas) AS components,
        list(factors.factor_applied ORDER BY component.factor_activity, component.gas) AS factors_applied,
        bool_and(factors.gas_kg_per_unit IS NOT NULL AND gwp.gwp_100yr IS NOT NULL) AS complete
    -- Every canonical unit a fuel converts to, whether or not this run's months bought it: the list is the same either way.
    FROM (SELECT DISTINCT quantity AS fuel_type, to_unit AS activity_unit FROM ref.unit_conversions) AS units
    JOIN ref.fleet_fuel_components AS component ON component.fuel_type = units.fuel_type
    LEFT JOIN factors
        ON factors.activity = component.factor_activity
        AND factors.rate_basis = component.rate_basis
        AND factors.gas = component.gas
        -- Electricity factors are per eGRID subregion; fuel factors are national ('US').
        AND factors.region = CASE component.factor_activity WHEN 'electricity' THEN $grid_subregion ELSE 'US' END
        -- The factor must be per the fuel's canonical unit: kg/gal for gal, kg/scf for scf, kg/kWh for kWh.
        AND factors.factor_unit = 'kg/' || units.activity_unit
    LEFT JOIN core.global_warming_potentials AS gwp
        ON gwp.gas = component.gas AND gwp.gwp_set = $gwp_set
    GROUP BY units.fuel_type, units.activity_unit
)

SELECT
    *,
    md5_number_upper(to_json(factors_applied)::VARCHAR) AS factors_id,
    nullif(array_to_string(list_sort(list_distinct([f.factor_set FOR f IN factors_applied IF f IS NOT NULL])), ', '), '') AS factor_set
FROM fuel_factors
