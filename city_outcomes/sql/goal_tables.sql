-- The goal status tables (city_outcomes/goals/tables.py fills them from goal_statuses(); catalog family goals.yaml).
-- out.goal_status: one row per goal of core.goals, the status and every number it was decided from.
-- out.goal_series: per goal, the actual series (complete years; the months that are over, for a monthly goal) and the
-- straight-line path to the target, one row per goal, grain (year | month), period (1 January, or the month's first day) and kind.
CREATE SCHEMA IF NOT EXISTS out;

CREATE OR REPLACE TABLE out.goal_status (
    goal_id VARCHAR NOT NULL PRIMARY KEY,
    title VARCHAR,
    metric VARCHAR,
    unit VARCHAR,
    direction VARCHAR,
    frequency VARCHAR,
    status VARCHAR NOT NULL,           -- Open SDG status code (progress.py STATUSES)
    label VARCHAR NOT NULL,            -- its public label
    rule VARCHAR NOT NULL,             -- the decision in words with its numbers
    method INTEGER,                    -- 1: direction only (no target), 2: a target
    base_year INTEGER,                 -- the year used as the base (the baseline year, or the next year with data)
    base_value DOUBLE,
    current_year INTEGER,              -- the latest complete year
    current_value DOUBLE,
    target_year INTEGER,
    target_value DOUBLE,               -- absolute target (target_value, or base value × (1 + target_change))
    cagr_observed DOUBLE,
    cagr_required DOUBLE,
    ratio DOUBLE,
    progress_value DOUBLE,             -- what the thresholds are compared with (the ratio, or method 1's signed CAGR)
    threshold_high DOUBLE,
    threshold_med DOUBLE,
    threshold_low DOUBLE,
    target_achieved BOOLEAN,
    latest_period VARCHAR,             -- '2025', or '2025-12' for a monthly goal
    latest_value DOUBLE,
    path_value_at_latest DOUBLE,
    gap_to_target DOUBLE,              -- latest − target (a month's share of it, for a monthly goal of a sum)
    gap_to_path DOUBLE,                -- latest − the path's value at the latest period
    projection_year INTEGER,
    projection_note VARCHAR,
    initiative_ids VARCHAR[],
    left_out VARCHAR[],                -- 'period: reason' for each period left out of the series
    as_of DATE NOT NULL
);

CREATE OR REPLACE TABLE out.goal_series (
    goal_id VARCHAR NOT NULL,
    period_grain VARCHAR NOT NULL,     -- year | month
    period DATE NOT NULL,
    kind VARCHAR NOT NULL,             -- actual | path
    value DOUBLE,
    PRIMARY KEY (goal_id, period_grain, period, kind)
);
