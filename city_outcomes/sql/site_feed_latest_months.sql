-- Per feed with rows in core: how many, and the month of its latest row on the city's clock (the
-- data quality page's freshness, city_outcomes/feeds/freshness.py). A timestamp is stored in UTC and
-- falls in the month it has in the city's zone, as ingest and the monthly metrics assign it; a date
-- is in its own month. The latest instant is found first, then converted: the conversion keeps order.
-- Parameter: $timezone (the city's IANA zone). `_feed_times` (feed, timestamped, time_value) is the
-- feeds' rows in their contracts' core tables, prepared by freshness.py (time_value NULL for a
-- contract without a time column).
WITH latest AS (
    SELECT feed, bool_or(timestamped) AS timestamped, count(*) AS rows_in_core, max(time_value) AS latest_value
    FROM _feed_times
    GROUP BY feed
)

SELECT
    feed,
    rows_in_core,
    date_trunc(
        'month',
        CASE WHEN timestamped THEN timezone($timezone::VARCHAR, latest_value::TIMESTAMPTZ) ELSE latest_value END
    )::DATE AS latest_month
FROM latest
ORDER BY feed
