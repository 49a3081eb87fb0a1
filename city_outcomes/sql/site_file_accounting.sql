-- Per feed and file, for the data quality page: each current file as last ingested (its name, SHA-256,
-- when it landed, and where its rows went: read, written to core, quarantined, filtered out by the
-- feed's `filter:`, held for months another partition's run writes), whether the rows add up
-- (read = written + quarantined + filtered + held), and every retired file, marked, without counts
-- (retiring takes its rows out of core and the quarantine, and its per-file record with them).
-- Who retired a file and why is left out: free text by an operator, not for a public page.
WITH current_files AS (
    SELECT
        rec.feed,
        rec.source_path,
        rec.file_sha256,
        rec.contract,
        landed.arrived_at AS landed_at,
        rec.rows_read,
        rec.rows_written,
        rec.rows_quarantined,
        rec.rows_filtered,
        rec.rows_other_months,
        rec.other_months,
        rec.filtered_by,
        rec.file_error,
        FALSE AS retired,
        CAST(NULL AS TIMESTAMPTZ) AS retired_at
    FROM meta.file_reconciliation AS rec
    LEFT JOIN meta.landed_files AS landed USING (feed, file_sha256)
),

retired_files AS (
    SELECT
        retired.feed,
        retired.source_path,
        retired.file_sha256,
        CAST(NULL AS VARCHAR) AS contract,
        landed.arrived_at AS landed_at,
        CAST(NULL AS BIGINT) AS rows_read,
        CAST(NULL AS BIGINT) AS rows_written,
        CAST(NULL AS BIGINT) AS rows_quarantined,
        CAST(NULL AS BIGINT) AS rows_filtered,
        CAST(NULL AS BIGINT) AS rows_other_months,
        CAST(NULL AS VARCHAR[]) AS other_months,
        CAST(NULL AS VARCHAR) AS filtered_by,
        CAST(NULL AS VARCHAR) AS file_error,
        TRUE AS retired,
        retired.retired_at
    FROM meta.retired_files AS retired
    LEFT JOIN meta.landed_files AS landed USING (feed, file_sha256)
),

files AS (
    SELECT * FROM current_files
    UNION ALL
    SELECT * FROM retired_files
)

SELECT
    feed,
    -- The name alone: the inbox's folders on the server are not the public's business.
    regexp_extract(source_path, '[^/\\]*$') AS file_name,
    source_path,
    left(file_sha256, 12) AS sha256_short,
    file_sha256,
    contract,
    landed_at,
    rows_read,
    rows_written,
    rows_quarantined,
    rows_filtered,
    rows_other_months,
    other_months,
    filtered_by,
    file_error IS NOT NULL AS unreadable,
    CASE WHEN NOT retired THEN rows_read = rows_written + rows_quarantined + rows_filtered + rows_other_months END AS holds,
    retired,
    retired_at
FROM files
ORDER BY feed, retired, file_name, source_path, retired_at
