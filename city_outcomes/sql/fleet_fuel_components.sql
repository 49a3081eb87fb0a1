-- How each fleet fuel (fleet_fuel.fuel_type) is turned into emissions: one row per factor a unit of the
-- fuel needs, in the fuel's canonical unit (gal; scf for CNG; kWh for charging; see city_outcomes/units.py).
-- factor_activity / rate_basis / gas name a row of core.emission_factors; volume_share is the share of
-- a unit of the fuel that factor applies to; biogenic marks CO2 from biomass, reported in its own column
-- and kept out of CO2e totals (GHG Protocol; CH4 and N2O of biofuels stay in the totals).
--
-- Assumptions (also in README, "Emissions method"):
-- * Blends by volume, from the fuels' names, computed from their components as ../shared/DOMAIN.md
--   section 3 derives (EPA Hub 2021 has no E85, B5 or B20 row): E85 = 85% ethanol (100%) + 15% motor
--   gasoline; B5 = 5% / B20 = 20% biodiesel (100%) + the rest diesel; B100 = biodiesel (100%). Hub 2021
--   Table 2 gives ethanol (100%) 5.75 and biodiesel (100%) 9.45 kg CO2/gal. E85 sold in the US holds
--   51-83% ethanol by season and region (secondary sources; ASTM D5798 not read), so the nominal 85%
--   is an upper bound on its biogenic share.
-- * Renewable diesel (hydrotreated, 100% biomass) has no Hub 2021 row: its CO2 takes the biodiesel
--   (100%) factor as a proxy, all of it biogenic.
-- * Propane vehicles: Table 2's LPG factor (5.68 kg CO2/gal), the mobile-combustion row.
-- * CH4 and N2O: the fleet_fuel contract has no miles or model years, which the Hub's per-mile on-road
--   factors (Tables 3 and 4) need, so every liquid fuel takes a per-gallon default from Table 5 (non-road
--   vehicles): construction/mining off-road trucks for gasoline (E85 too: it is burned by the same
--   kind of engine) and diesel (B5, B20, B100 and renewable diesel too); construction/mining equipment
--   for LPG. These are per gallon of the fuel as bought. For gasoline they are well above what Table 3
--   gives a modern on-road vehicle per mile at ordinary fuel economy: a conservative default.
-- * CNG and LNG: the Hub gives their vehicle CH4 and N2O only per mile (Table 4), none per unit of fuel,
--   so they carry CO2 only; ch4_n2o_estimated is false on their rows and the catalog says so.
-- * Electricity charged by fleet EVs has no row here: it is scope 2 at the inventory year's shared electricity
--   factors (electricity_factors_by_year.sql), the same edition as every other kWh of the inventory.
-- * Hydrogen has no Hub 2021 factor and no row here: its purchases stop the run at the blocking check.
CREATE OR REPLACE TABLE ref.fleet_fuel_components AS
SELECT * FROM (VALUES
    ('gasoline', 'motor_gasoline', 'combustion', 'CO2', 1.00, false),
    ('gasoline', 'motor_gasoline', 'non_road_per_gallon', 'CH4', 1.00, false),
    ('gasoline', 'motor_gasoline', 'non_road_per_gallon', 'N2O', 1.00, false),
    ('e85', 'motor_gasoline', 'combustion', 'CO2', 0.15, false),
    ('e85', 'ethanol_100', 'combustion', 'CO2', 0.85, true),
    ('e85', 'motor_gasoline', 'non_road_per_gallon', 'CH4', 1.00, false),
    ('e85', 'motor_gasoline', 'non_road_per_gallon', 'N2O', 1.00, false),
    ('diesel', 'diesel', 'combustion', 'CO2', 1.00, false),
    ('diesel', 'diesel', 'non_road_per_gallon', 'CH4', 1.00, false),
    ('diesel', 'diesel', 'non_road_per_gallon', 'N2O', 1.00, false),
    ('b5', 'diesel', 'combustion', 'CO2', 0.95, false),
    ('b5', 'biodiesel_100', 'combustion', 'CO2', 0.05, true),
    ('b5', 'diesel', 'non_road_per_gallon', 'CH4', 1.00, false),
    ('b5', 'diesel', 'non_road_per_gallon', 'N2O', 1.00, false),
    ('b20', 'diesel', 'combustion', 'CO2', 0.80, false),
    ('b20', 'biodiesel_100', 'combustion', 'CO2', 0.20, true),
    ('b20', 'diesel', 'non_road_per_gallon', 'CH4', 1.00, false),
    ('b20', 'diesel', 'non_road_per_gallon', 'N2O', 1.00, false),
    ('b100', 'biodiesel_100', 'combustion', 'CO2', 1.00, true),
    ('b100', 'diesel', 'non_road_per_gallon', 'CH4', 1.00, false),
    ('b100', 'diesel', 'non_road_per_gallon', 'N2O', 1.00, false),
    ('renewable_diesel', 'biodiesel_100', 'combustion', 'CO2', 1.00, true),
    ('renewable_diesel', 'diesel', 'non_road_per_gallon', 'CH4', 1.00, false),
    ('renewable_diesel', 'diesel', 'non_road_per_gallon', 'N2O', 1.00, false),
    ('propane', 'lpg', 'combustion', 'CO2', 1.00, false),
    ('propane', 'lpg', 'non_road_per_gallon', 'CH4', 1.00, false),
    ('propane', 'lpg', 'non_road_per_gallon', 'N2O', 1.00, false),
    ('cng', 'cng', 'combustion', 'CO2', 1.00, false),
    ('lng', 'lng', 'combustion', 'CO2', 1.00, false)
) AS component(fuel_type, factor_activity, rate_basis, gas, volume_share, biogenic)
