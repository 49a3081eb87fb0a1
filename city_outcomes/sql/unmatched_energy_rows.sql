-- Accepted energy rows that produced no emissions row: a missing factor, unit conversion or GWP
-- would otherwise drop them from the inventory without a trace.
SELECT energy.building_id, energy.period_month, energy.energy_type, energy.unit, energy._file_sha256, energy._source_row
FROM core.building_energy AS energy
ANTI JOIN out.building_emissions_monthly AS emissions
    ON emissions.building_id = energy.building_id
    AND emissions.period_month = energy.period_month
    AND emissions.energy_type = energy.energy_type
    AND emissions._file_sha256 = energy._file_sha256
    AND emissions._source_row = energy._source_row
ORDER BY energy.period_month, energy.building_id
