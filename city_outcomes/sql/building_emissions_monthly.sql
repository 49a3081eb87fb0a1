-- Monthly greenhouse-gas emissions of municipal buildings: one row per building, month and energy type.
-- activity as billed x unit conversion = activity in canonical unit (kWh, MMBtu);
-- x emission factor per gas (converted to kg per canonical unit) = kg of each gas;
-- x 100-year GWP of the city's GWP set, summed = kg CO2e.
-- Electricity uses eGRID total-output rates: the inventory basis (GPC I.x.2, scope 2); non-baseload
-- rates are for avoided-emission estimates only. Natural gas uses stationary combustion factors
-- (GPC I.x.1, scope 1). Parameters: $start_month, $end_month (half-open), $factor_set, $grid_subregion, $gwp_set.
WITH energy AS (
    SELECT *
    FROM core.building_energy
    WHERE period_month >= $start_month AND period_month < $end_month
),

activity AS (
    SELECT
        energy.*,
        energy.quantity * conversion.multiplier AS activity_quantity,
        conversion.to_unit AS activity_unit
    FROM energy
    JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = energy.energy_type AND conversion.from_unit = energy.unit
),

factors AS (
    SELECT
        factor.activity,
        factor.gas,
        factor.value * conversion.multiplier AS gas_kg_per_unit,
        conversion.to_unit AS factor_unit
    FROM core.emission_factors AS factor
    JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = 'emission_factor' AND conversion.from_unit = factor.unit
    WHERE factor.factor_set = $factor_set
        AND (
            (factor.activity = 'electricity' AND factor.region = $grid_subregion AND factor.rate_basis = 'total_output')
            OR (factor.activity = 'natural_gas' AND factor.rate_basis = 'combustion')
        )
),

gases AS (
    SELECT
        activity.*,
        factors.gas,
        activity.activity_quantity * factors.gas_kg_per_unit AS gas_kg,
        gwp.gwp_100yr
    FROM activity
    -- The factor must be per the activity's canonical unit: kg/kWh for kWh, kg/MMBtu for MMBtu.
    JOIN factors
        ON factors.activity = activity.energy_type AND factors.factor_unit = 'kg/' || activity.activity_unit
    JOIN core.global_warming_potentials AS gwp
        ON gwp.gas = factors.gas AND gwp.gwp_set = $gwp_set
),

per_row AS (
    SELECT
        building_id,
        period_month,
        energy_type,
        quantity,
        unit,
        activity_quantity,
        activity_unit,
        sum(gas_kg) FILTER (WHERE gas = 'CO2') AS co2_kg,
        sum(gas_kg) FILTER (WHERE gas = 'CH4') AS ch4_kg,
        sum(gas_kg) FILTER (WHERE gas = 'N2O') AS n2o_kg,
        sum(gas_kg * gwp_100yr) / 1000 AS co2e_tonnes,
        _feed,
        _file_sha256,
        _source_row
    FROM gases
    GROUP BY ALL
),

final AS (
    SELECT
        per_row.building_id,
        buildings.building_name,
        coalesce(buildings.department, 'Not in buildings inventory') AS department,
        per_row.period_month,
        per_row.energy_type,
        CASE per_row.energy_type WHEN 'electricity' THEN 'I.2.2' ELSE 'I.2.1' END AS gpc_reference,
        CASE per_row.energy_type WHEN 'electricity' THEN 2 ELSE 1 END AS scope,
        per_row.quantity AS billed_quantity,
        per_row.unit AS billed_unit,
        per_row.activity_quantity,
        per_row.activity_unit,
        per_row.co2_kg,
        per_row.ch4_kg,
        per_row.n2o_kg,
        per_row.co2e_tonnes,
        $factor_set AS factor_set,
        $gwp_set AS gwp_set,
        $grid_subregion AS grid_subregion,
        per_row._feed,
        per_row._file_sha256,
        per_row._source_row
    FROM per_row
    LEFT JOIN core.buildings AS buildings ON buildings.building_id = per_row.building_id
)

SELECT * FROM final
ORDER BY period_month, building_id, energy_type
