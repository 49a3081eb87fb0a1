-- out.inventory_reconciliation: one row per published feed, month and source, with the difference between
-- the inventory and the published figure attributed to factor, activity, boundary and rounding (tCO2e;
-- they sum to difference_tonnes). named_differences is JSON: the meters or facilities one side has and
-- the other lacks. Written by city_outcomes/metrics/reconciliation.py, replaced per feed.
CREATE TABLE IF NOT EXISTS out.inventory_reconciliation (
    feed VARCHAR NOT NULL,
    period_month DATE NOT NULL,
    source VARCHAR NOT NULL,
    activity_unit VARCHAR,
    inventory_activity DOUBLE,
    published_activity DOUBLE,
    inventory_tonnes DOUBLE NOT NULL,
    published_tonnes DOUBLE NOT NULL,
    difference_tonnes DOUBLE NOT NULL,
    difference_share DOUBLE,
    inventory_factor DOUBLE,
    published_factor DOUBLE,
    factor_tonnes DOUBLE NOT NULL,
    activity_tonnes DOUBLE NOT NULL,
    boundary_tonnes DOUBLE NOT NULL,
    rounding_tonnes DOUBLE NOT NULL,
    factor_verdict VARCHAR NOT NULL,
    verdict VARCHAR NOT NULL,
    explanation VARCHAR NOT NULL,
    named_differences JSON NOT NULL,
    inventory_basis VARCHAR,
    publication VARCHAR,
    computed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (feed, period_month, source)
)
