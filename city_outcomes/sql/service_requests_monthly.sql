-- 311 requests per month and request type, and how many were closed within 7 days of being made.
-- A request counts in the month it was made, on the city's clock. One still open, or closed after
-- 7 days, counts against the share; one made less than 7 days before the feed's latest timestamp
-- (made or closed) and still open cannot be judged yet and is left out of both counts (`not_yet_due`).
-- The share is closed_within_7_days / requests_judged, summed over whatever is selected (a ratio of sums).
-- Parameters: $start_month, $end_month (half-open), $timezone.
WITH requests AS (
    SELECT
        date_trunc('month', timezone($timezone, requested_at::TIMESTAMPTZ))::DATE AS period_month,
        service_name, status, requested_at, closed_at, _feed, _file_sha256, _source_row
    FROM core.service_requests
),
as_of AS (
    SELECT greatest(max(requested_at), max(closed_at)) AS latest FROM core.service_requests
),
judged AS (
    SELECT
        requests.*,
        closed_at IS NOT NULL AND closed_at <= requested_at + INTERVAL 7 DAY AS closed_within_7_days,
        closed_at IS NULL AND requested_at > as_of.latest - INTERVAL 7 DAY AS not_yet_due
    FROM requests, as_of
)
SELECT
    period_month, service_name,
    count(*) AS requests,
    count(*) FILTER (WHERE NOT not_yet_due) AS requests_judged,
    count(*) FILTER (WHERE closed_within_7_days) AS closed_within_7_days,
    count(*) FILTER (WHERE not_yet_due) AS not_yet_due,
    _feed, _file_sha256,
    list(_source_row ORDER BY _source_row) AS _source_rows
FROM judged
WHERE period_month >= $start_month AND period_month < $end_month
GROUP BY period_month, service_name, _feed, _file_sha256
ORDER BY ALL
