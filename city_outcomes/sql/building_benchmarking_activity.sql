-- Annual benchmarking (ENERGY STAR Portfolio Manager) as activity rows: one per property, calendar year and energy
-- type, in the columns of core.building_energy (period_month = 1 January of the year), so that
-- building_emissions_monthly.sql gives them the same factors as the bills. Each says whether it counts in the
-- inventory: a building-year that has monthly bills of the energy type is counted from its bills, never twice, so
-- its benchmarking row is kept out, with the reason (any month of bills keeps the whole year out: the bills
-- are the finer record, and a year they cover only in part shows as incomplete in year_completeness.sql).
-- A property is a building by id: building_id = property_id (a city maps its export's ids to its own building ids
-- in the feed's configuration: docs/onboarding.md). Electricity in kWh; every other fuel in kBtu, as Portfolio
-- Manager reports them; Diesel #2 is Distillate Fuel Oil No. 2 (EPA Hub 2021 Table 1), so the two add up.
-- Empty and zero figures are no activity. No parameters.
WITH fields AS (
    SELECT
        property_id, property_name, calendar_year, _feed, _file_sha256, _source_row,
        unnest([
            {'field': 'electricity_grid_kwh', 'energy_type': 'electricity', 'unit': 'kWh', 'quantity': electricity_grid_kwh},
            {'field': 'natural_gas_kbtu', 'energy_type': 'natural_gas', 'unit': 'kBtu', 'quantity': natural_gas_kbtu},
            {'field': 'district_steam_kbtu', 'energy_type': 'district_steam', 'unit': 'kBtu', 'quantity': district_steam_kbtu},
            {'field': 'district_hot_water_kbtu', 'energy_type': 'district_hot_water', 'unit': 'kBtu', 'quantity': district_hot_water_kbtu},
            {'field': 'district_chilled_water_kbtu', 'energy_type': 'district_chilled_water', 'unit': 'kBtu', 'quantity': district_chilled_water_kbtu},
            {'field': 'fuel_oil_1_kbtu', 'energy_type': 'fuel_oil_1', 'unit': 'kBtu', 'quantity': fuel_oil_1_kbtu},
            {'field': 'fuel_oil_2_kbtu', 'energy_type': 'fuel_oil_2', 'unit': 'kBtu', 'quantity': fuel_oil_2_kbtu},
            {'field': 'diesel_2_kbtu', 'energy_type': 'fuel_oil_2', 'unit': 'kBtu', 'quantity': diesel_2_kbtu},
            {'field': 'fuel_oil_4_kbtu', 'energy_type': 'fuel_oil_4', 'unit': 'kBtu', 'quantity': fuel_oil_4_kbtu},
            {'field': 'fuel_oil_5_6_kbtu', 'energy_type': 'fuel_oil_5_6', 'unit': 'kBtu', 'quantity': fuel_oil_5_6_kbtu},
            {'field': 'kerosene_kbtu', 'energy_type': 'kerosene', 'unit': 'kBtu', 'quantity': kerosene_kbtu},
            {'field': 'propane_kbtu', 'energy_type': 'stationary_propane', 'unit': 'kBtu', 'quantity': propane_kbtu}
        ]) AS f
    FROM core.building_benchmarking
),

activity AS (
    SELECT
        property_id AS building_id,
        any_value(property_name) AS property_name,
        calendar_year,
        make_date(calendar_year, 1, 1) AS period_month,
        f.energy_type,
        sum(f.quantity) AS quantity,
        any_value(f.unit) AS unit,
        string_agg(f.field, ' + ' ORDER BY f.field) AS benchmarking_fields,
        _feed,
        _file_sha256,
        _source_row
    FROM fields
    WHERE f.quantity > 0
    GROUP BY property_id, calendar_year, f.energy_type, _feed, _file_sha256, _source_row
),

bills AS (
    SELECT building_id, year(period_month) AS calendar_year, energy_type, count(*) AS bill_rows, count(DISTINCT period_month) AS bill_months
    FROM core.building_energy
    GROUP BY ALL
)

SELECT
    activity.*,
    CAST(NULL AS DOUBLE) AS cost_usd,
    coalesce(bills.bill_rows, 0) AS monthly_bill_rows,
    bills.bill_rows IS NULL AS counted_in_inventory,
    CASE WHEN bills.bill_rows IS NOT NULL THEN format(
        'kept out: building {} has monthly bills of {} in {} ({} month(s), {} row(s) of core.building_energy), counted from the bills',
        activity.building_id, activity.energy_type, activity.calendar_year, bills.bill_months, bills.bill_rows
    ) END AS exclusion_reason
FROM activity
LEFT JOIN bills USING (building_id, calendar_year, energy_type)
ORDER BY activity.calendar_year, activity.building_id, activity.energy_type
