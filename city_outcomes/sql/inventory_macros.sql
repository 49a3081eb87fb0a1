-- The municipal inventory's two rules that the monthly rows (municipal_inventory_monthly.sql) and the annual
-- benchmarking rows (municipal_inventory_annual.sql) share, as temporary macros city_outcomes/metrics/inventory.py
-- creates before either statement runs. No parameters.
--
-- building_sector(building_type, water_types, wastewater_types): a building's LGO sector, by its building_type (any
--   case, trimmed): "Water delivery facilities" or "Wastewater facilities" where city.water_building_types or
--   city.wastewater_building_types list it, "Buildings and facilities" otherwise.
CREATE OR REPLACE TEMP MACRO building_sector(building_type, water_types, wastewater_types) AS
    CASE
        WHEN list_contains([lower(trim(t)) FOR t IN water_types::VARCHAR[]], lower(trim(building_type))) THEN 'Water delivery facilities'
        WHEN list_contains([lower(trim(t)) FOR t IN wastewater_types::VARCHAR[]], lower(trim(building_type))) THEN 'Wastewater facilities'
        ELSE 'Buildings and facilities'
    END;

-- gas_rows(co2_kg, ch4_kg, n2o_kg, co2e_tonnes, co2e_tonnes_market, own_market_factors, gwp_ch4, gwp_n2o): a source
--   row split into its gases, as a list of {gas, mass_kg, location_tonnes, market_tonnes} (unnest it):
--   * CO2, CH4 and N2O where the row's factors gave CO2 (tCO2e = mass x GWP; its CO2e is then the sum of its gases);
--   * one CO2e row where they gave CO2e only (no split exists), or where the market figure used a supplier's own
--     factors (own_market_factors): that row carries the market figure, and the per-gas rows 0 market-based.
--   Summing location_tonnes (or market_tonnes) over the gases gives the row's location (market) figure.
CREATE OR REPLACE TEMP MACRO gas_rows(co2_kg, ch4_kg, n2o_kg, co2e_tonnes, co2e_tonnes_market, own_market_factors, gwp_ch4, gwp_n2o) AS
    list_filter([
        {'gas': 'CO2', 'mass_kg': co2_kg, 'location_tonnes': co2_kg / 1000,
         'market_tonnes': CASE WHEN own_market_factors THEN 0.0 ELSE co2_kg / 1000 END, 'kept': co2_kg IS NOT NULL},
        {'gas': 'CH4', 'mass_kg': ch4_kg, 'location_tonnes': ch4_kg * gwp_ch4 / 1000,
         'market_tonnes': CASE WHEN own_market_factors THEN 0.0 ELSE ch4_kg * gwp_ch4 / 1000 END,
         'kept': co2_kg IS NOT NULL AND ch4_kg IS NOT NULL},
        {'gas': 'N2O', 'mass_kg': n2o_kg, 'location_tonnes': n2o_kg * gwp_n2o / 1000,
         'market_tonnes': CASE WHEN own_market_factors THEN 0.0 ELSE n2o_kg * gwp_n2o / 1000 END,
         'kept': co2_kg IS NOT NULL AND n2o_kg IS NOT NULL},
        {'gas': 'CO2e', 'mass_kg': NULL::DOUBLE, 'location_tonnes': CASE WHEN co2_kg IS NOT NULL THEN 0.0 ELSE co2e_tonnes END,
         'market_tonnes': CASE WHEN own_market_factors THEN co2e_tonnes_market ELSE co2e_tonnes END,
         'kept': co2_kg IS NULL OR own_market_factors}
    ], g -> g.kept);
