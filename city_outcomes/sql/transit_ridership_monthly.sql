-- Transit boardings (unlinked passenger trips) per month, route and mode, as the agency's
-- automatic-passenger-counter reports give them (core.transit_ridership), with the source rows for trace.
-- Parameters: $start_month, $end_month (half-open).
SELECT
    period_month, route_id, mode,
    sum(boardings) AS boardings,
    _feed, _file_sha256,
    list(_source_row ORDER BY _source_row) AS _source_rows
FROM core.transit_ridership
WHERE period_month >= $start_month AND period_month < $end_month
GROUP BY period_month, route_id, mode, _feed, _file_sha256
ORDER BY ALL
