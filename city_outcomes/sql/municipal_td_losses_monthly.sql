-- Scope 3 transmission and distribution (T&D) losses of the municipal inventory's grid electricity, where the city
-- reports them (city.td_losses): the electricity lost on the grid between the generator and the city's meters, and
-- its emissions. One row per row of out.municipal_inventory_monthly that is scope 2 grid electricity (source_kind
-- 'electricity': buildings, fleet charging, streetlights and traffic signals, public chargers; not district steam
-- or hot and chilled water), with the same month, sector, subsector, department and gas.
-- Method (eGRID's grid gross loss is the share of net generation lost in T&D): energy generated = energy used /
-- (1 - loss), so the energy lost = kWh x loss / (1 - loss), and its emissions = that x the kWh's location-based
-- factor, i.e. the row's location-based tCO2e (and each gas's mass) x loss / (1 - loss). The loss is the one of the
-- same eGRID edition and subregion as the row's factors (ref.grid_gross_loss, reference_data/grid_gross_loss_egrid.csv:
-- EPA's Power Profiler data). Scope 3 is not dual-reported: co2e_tonnes_market is the location-based figure.
-- GPC: x.3 of the row's x.2 (I.2.3 T&D losses of commercial and institutional grid energy; II.1.3 for on-road
-- transport's). Kept in a table of its own, beside the inventory: its totals stay scope 1 and 2 (LGO Protocol:
-- scope 3 is optional and reported separately).
-- A row whose factor set has no grid gross loss for the subregion keeps `loss_problem` (its grid_gross_loss NULL);
-- city_outcomes/metrics/td_losses.py stops the run on it.
-- Parameters: $start_month, $end_month (half-open), $grid_subregion.
WITH electricity AS (
    SELECT
        inventory.*,
        -- A group with a supplier's own factor has per-gas rows (location) and a CO2e row (market, 0 location-based):
        -- the location figure is on the per-gas rows.
        bool_or(inventory.gas = 'CO2') OVER (
            PARTITION BY inventory.period_month, inventory.sector, inventory.subsector, inventory.department, inventory.source_kind, inventory.gpc_reference
        ) AS has_per_gas
    FROM out.municipal_inventory_monthly AS inventory
    WHERE inventory.period_month >= $start_month AND inventory.period_month < $end_month
        AND inventory.scope = 2 AND inventory.source_kind = 'electricity'
)

SELECT
    electricity.period_month,
    electricity.sector,
    electricity.subsector,
    electricity.department,
    electricity.source_kind,
    regexp_replace(electricity.gpc_reference, '\.2$', '.3') AS gpc_reference,
    3 AS scope,
    electricity.gas,
    electricity.activity * loss.grid_gross_loss / (1 - loss.grid_gross_loss) AS activity,
    electricity.unit,
    electricity.factor_set,
    loss.grid_gross_loss,
    loss.source_document AS loss_source_document,
    loss.source_table AS loss_source_table,
    loss.data_year AS loss_data_year,
    electricity.mass_tonnes * loss.grid_gross_loss / (1 - loss.grid_gross_loss) AS mass_tonnes,
    electricity.co2e_tonnes * loss.grid_gross_loss / (1 - loss.grid_gross_loss) AS co2e_tonnes,
    electricity.co2e_tonnes * loss.grid_gross_loss / (1 - loss.grid_gross_loss) AS co2e_tonnes_market,
    electricity.source_rows,
    electricity.gwp_set,
    -- The loss applied, in the shape of the emissions tables' factor lists, for `trace` (one small list a row).
    CASE WHEN loss.grid_gross_loss IS NOT NULL THEN [{
        'activity': 'electricity', 'gas': NULL::VARCHAR, 'value': loss.grid_gross_loss, 'unit': 'share of net generation',
        'factor_set': loss.factor_set, 'rate_basis': 'grid_gross_loss', 'region': loss.region,
        'source_document': loss.source_document, 'source_table': loss.source_table,
        'source_year': loss.source_year::BIGINT, 'data_year': loss.data_year::BIGINT,
        'chosen': 'T&D losses: the grid gross loss of the edition and subregion of the kWh''s location-based factors'
    }] END AS factors_applied,
    CASE WHEN loss.grid_gross_loss IS NULL
        THEN format('factor set {} has no grid gross loss for grid_subregion {}', ('''' || electricity.factor_set || ''''), ('''' || $grid_subregion || ''''))
    END AS loss_problem
FROM electricity
LEFT JOIN ref.grid_gross_loss AS loss ON loss.factor_set = electricity.factor_set AND loss.region = $grid_subregion
WHERE electricity.gas <> 'CO2e' OR NOT electricity.has_per_gas
