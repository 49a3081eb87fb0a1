-- Shared bike and scooter trips per month, operator and vehicle type: the count of accepted trips
-- (core.micromobility_trips) whose start falls in the month on the city's clock, and their distance.
-- One row per month, operator, vehicle type and source file, with the file's row numbers (`_source_rows`) for trace.
-- Parameters: $start_month, $end_month (half-open), $timezone (the city's zone; timestamps are stored in UTC).
WITH trips AS (
    SELECT
        date_trunc('month', timezone($timezone, start_time::TIMESTAMPTZ))::DATE AS period_month,
        provider_name, vehicle_type, trip_distance_m, _feed, _file_sha256, _source_row
    FROM core.micromobility_trips
)
SELECT
    period_month, provider_name, vehicle_type,
    count(*) AS trips,
    sum(trip_distance_m) / 1000 AS distance_km,
    _feed, _file_sha256,
    list(_source_row ORDER BY _source_row) AS _source_rows
FROM trips
WHERE period_month >= $start_month AND period_month < $end_month
GROUP BY period_month, provider_name, vehicle_type, _feed, _file_sha256
ORDER BY ALL
