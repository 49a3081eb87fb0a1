-- A goal's metric by calendar year, read through its metric-catalog entry (city_outcomes/goals/series.py).
-- {{table}}, {{period}}, {{value}} and {{denominator}} are the entry's table and columns: identifiers from the
-- catalog, never from a user; series.py checks each against an identifier pattern and quotes it before it
-- replaces the marker ({{denominator}} is NULL for a metric that is not a share). Values are bound:
--   $ratio  true for a share: the year's value is sum(value) / sum(denominator) over the year's rows, a ratio of sums;
--   $as_of  the day the status is made: a year is over (year_over) when 1 January of the next year has come by then.
-- One row per year holding rows of the table, with the months (1-12) that hold rows: series.py leaves out a year
-- that is not over or lacks a month, and says which.
SELECT
    year,
    CASE WHEN $ratio THEN value_sum / nullif(denominator_sum, 0) ELSE value_sum END AS value,
    months_present,
    make_date(CAST(year AS INTEGER) + 1, 1, 1) <= CAST($as_of AS DATE) AS year_over
FROM (
    SELECT
        year({{period}}) AS year,
        sum({{value}}) AS value_sum,
        sum({{denominator}}) AS denominator_sum,
        list(DISTINCT month({{period}}) ORDER BY month({{period}})) AS months_present
    FROM {{table}}
    WHERE {{period}} IS NOT NULL
    GROUP BY 1
)
ORDER BY year
