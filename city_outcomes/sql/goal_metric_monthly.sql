-- A goal's metric by calendar month, read through its metric-catalog entry (city_outcomes/goals/series.py).
-- {{table}}, {{period}}, {{value}} and {{denominator}} are the entry's table and columns: identifiers from the
-- catalog, never from a user; series.py checks each against an identifier pattern and quotes it before it
-- replaces the marker ({{denominator}} is NULL for a metric that is not a share). Values are bound:
--   $ratio  true for a share: the month's value is sum(value) / sum(denominator), a ratio of sums, never a sum of ratios;
--   $as_of  the day the status is made: a month is over (month_over) when the month after it has begun by then.
-- One row per month holding rows of the table, oldest first.
SELECT
    period_month,
    CASE WHEN $ratio THEN value_sum / nullif(denominator_sum, 0) ELSE value_sum END AS value,
    rows_in_month,
    period_month + INTERVAL 1 MONTH <= CAST($as_of AS DATE) AS month_over
FROM (
    SELECT
        CAST(date_trunc('month', {{period}}) AS DATE) AS period_month,
        sum({{value}}) AS value_sum,
        sum({{denominator}}) AS denominator_sum,
        count(*) AS rows_in_month
    FROM {{table}}
    WHERE {{period}} IS NOT NULL
    GROUP BY 1
)
ORDER BY period_month
