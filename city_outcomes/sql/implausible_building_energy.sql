-- Building-months whose energy use per square foot is implausible: likely a unit or meter error
-- (kWh billed as Wh, a meter shared by several buildings, a wrong floor area). These pass the
-- contract row by row, so they are flagged for a person to look at, not quarantined.
-- Bounds (engineering judgement, about ten times typical intensities of US public buildings):
-- electricity above 30 kWh per sq ft per month (offices use about 1.2; pump-dominated water plants
-- about 12), natural gas above 1 MMBtu per sq ft per month (typical heating months: 0.01 to 0.05).
WITH energy AS (
    SELECT
        energy.building_id,
        energy.period_month,
        energy.energy_type,
        energy.quantity * conversion.multiplier AS activity_quantity,
        conversion.to_unit AS activity_unit,
        energy._file_sha256,
        energy._source_row
    FROM core.building_energy AS energy
    JOIN ref.unit_conversions AS conversion
        ON conversion.quantity = energy.energy_type AND conversion.from_unit = energy.unit
),

final AS (
    SELECT
        energy.*,
        buildings.floor_area_sqft,
        energy.activity_quantity / buildings.floor_area_sqft AS per_sqft
    FROM energy
    JOIN core.buildings AS buildings USING (building_id)
)

SELECT *
FROM final
WHERE (activity_unit = 'kWh' AND per_sqft > 30)
    OR (activity_unit = 'MMBtu' AND per_sqft > 1)
ORDER BY building_id, period_month
