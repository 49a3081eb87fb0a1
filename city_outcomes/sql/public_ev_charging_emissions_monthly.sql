-- Emissions of the electricity the city's public EV chargers deliver (its own sector of the municipal inventory;
-- GPC II.1.2, grid energy used in on-road transport; scope 2): one row per accepted ev_charging_energy row
-- (a station's day or month), keyed by the month it falls in, so that day rows sum to their month.
-- kWh x the inventory year's electricity factors (electricity_factors_by_year.sql, staged per year as the temp
-- table _electricity_factor_terms: the same edition and supplier factor as every other kWh of the inventory),
-- location-based in co2e_tonnes and market-based in co2e_tonnes_market.
-- Boundary: the city's own fleet's charging is in fleet_fuel (fleet_emissions_monthly.sql). A station that
-- charges the fleet and reports to this feed too is named in city.fleet_charging_stations ($fleet_stations) and
-- left out here, so no kWh is counted twice. Energy the chargers deliver is the city's purchased electricity
-- whoever drives away with it; the drivers' own vehicle emissions are community transport, not here.
-- A station-month reported both by day and as a month would be counted twice: such rows keep `grain_problem`, and
-- rows of a year without a usable factor keep `factor_problem`; city_outcomes/metrics/public_ev_charging.py stops
-- the run on either.
-- These are the rows of out.public_ev_charging_emissions_monthly_rows; readers read the view
-- out.public_ev_charging_emissions_monthly (public_ev_charging_emissions_monthly_view.sql), which joins the year's
-- factor columns back by `terms_id` (as streetlight_emissions_monthly.sql explains) and adds the constants.
-- Parameters: $start_month, $end_month (half-open), $fleet_stations.
WITH energy AS (
    SELECT
        energy.*,
        CAST(date_trunc('month', energy.period_start) AS DATE) AS period_month,
        year(energy.period_start)::INTEGER AS inventory_year
    FROM core.ev_charging_energy AS energy
    WHERE energy.period_start >= $start_month AND energy.period_start < $end_month
        AND NOT list_contains($fleet_stations::VARCHAR[], energy.station_id)
),

grains AS (
    SELECT station_id, period_month, count(DISTINCT period_grain) AS grains
    FROM energy
    GROUP BY ALL
)

SELECT
    energy.station_id,
    energy.period_month,
    energy.period_start,
    energy.period_grain,
    energy.inventory_year,
    energy.energy_kwh AS activity_quantity,
    energy.sessions,
    energy.energy_kwh * terms.co2_kg_per_kwh AS co2_kg,
    energy.energy_kwh * terms.ch4_kg_per_kwh AS ch4_kg,
    energy.energy_kwh * terms.n2o_kg_per_kwh AS n2o_kg,
    energy.energy_kwh * terms.co2e_kg_per_kwh / 1000 AS co2e_tonnes,
    energy.energy_kwh * terms.market_co2e_kg_per_kwh / 1000 AS co2e_tonnes_market,
    terms.terms_id,
    terms.factor_problem,
    CASE WHEN grains.grains > 1
        THEN format('station {} reports {} both by day and as a month: its kWh would be counted twice', energy.station_id, strftime(energy.period_month, '%Y-%m'))
    END AS grain_problem,
    energy._feed,
    energy._file_sha256,
    energy._source_row
FROM energy
JOIN grains USING (station_id, period_month)
JOIN _electricity_factor_terms AS terms ON terms.inventory_year = energy.inventory_year
