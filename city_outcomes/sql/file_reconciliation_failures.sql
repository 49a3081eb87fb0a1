-- Files of a feed whose rows do not add up, checked against what the warehouse really holds.
-- Per file: rows read = rows written + quarantined + filtered + held for other months; the rows
-- counted as written are in core (by file hash and row, within the run's window), once each and
-- within the file's row numbers; the quarantine holds exactly the rows counted as quarantined; no
-- row is both stored and quarantined; and no row, in any month, comes from a file that is not current.
-- A row here means a row was lost, doubled or invented between the file and the warehouse.
-- Parameter: $feed. `_core_rows` (file_sha256, source_row, source_field, time_value) is the feed's
-- contract's core table, prepared by city_outcomes/feeds/reconcile.py. A row is (file, row, field):
-- an unpivoted record (`unpivot:`) is one row per cell, each with its field; elsewhere field is NULL.
WITH rec AS (
    SELECT * FROM meta.file_reconciliation WHERE feed = $feed
),

run_window AS (
    SELECT any_value(core_from) AS core_from, any_value(core_until) AS core_until FROM rec
),

in_window AS (
    SELECT core_rows.*
    FROM _core_rows AS core_rows, run_window
    WHERE core_rows.feed = $feed
        AND (run_window.core_from IS NULL OR (core_rows.time_value >= run_window.core_from AND core_rows.time_value < run_window.core_until))
),

stored AS (
    SELECT file_sha256, count(*) AS rows_in_core, count(DISTINCT (source_row, source_field)) AS distinct_rows_in_core, max(source_row) AS last_row_in_core
    FROM in_window
    GROUP BY ALL
),

quarantined AS (
    SELECT file_sha256, count(*) AS rows_in_quarantine, count(DISTINCT (source_row, source_field)) AS distinct_rows_in_quarantine
    FROM meta.quarantine
    WHERE feed = $feed
    GROUP BY ALL
),

stored_and_quarantined AS (
    SELECT quarantine.file_sha256, count(*) AS rows_in_both
    FROM meta.quarantine AS quarantine
    JOIN _core_rows AS core_rows
        ON core_rows.feed = $feed AND core_rows.file_sha256 = quarantine.file_sha256 AND core_rows.source_row = quarantine.source_row
            AND core_rows.source_field IS NOT DISTINCT FROM quarantine.source_field
    WHERE quarantine.feed = $feed
    GROUP BY ALL
),

per_file AS (
    SELECT
        rec.source_path,
        rec.file_sha256,
        rec.rows_read,
        rec.rows_written,
        rec.rows_quarantined,
        rec.rows_filtered,
        rec.rows_other_months,
        coalesce(stored.rows_in_core, 0) AS rows_in_core,
        coalesce(quarantined.rows_in_quarantine, 0) AS rows_in_quarantine,
        coalesce(stored_and_quarantined.rows_in_both, 0) AS rows_in_both,
        concat_ws('; ',
            CASE WHEN rec.rows_read <> rec.rows_written + rec.rows_quarantined + rec.rows_filtered + rec.rows_other_months
                THEN 'rows read <> written + quarantined + filtered + held for other months' END,
            CASE WHEN rec.rows_written <> coalesce(stored.rows_in_core, 0)
                THEN 'rows counted as written <> rows of the file in core' END,
            CASE WHEN stored.rows_in_core <> stored.distinct_rows_in_core THEN 'a row of the file is in core more than once' END,
            CASE WHEN stored.last_row_in_core > rec.rows_read THEN 'core holds a row number beyond the rows read' END,
            CASE WHEN rec.rows_quarantined <> coalesce(quarantined.rows_in_quarantine, 0)
                THEN 'rows counted as quarantined <> rows of the file in the quarantine' END,
            CASE WHEN quarantined.rows_in_quarantine <> quarantined.distinct_rows_in_quarantine THEN 'a row of the file is quarantined more than once' END,
            CASE WHEN stored_and_quarantined.rows_in_both > 0 THEN 'a row is both in core and quarantined' END
        ) AS problem
    FROM rec
    LEFT JOIN stored USING (file_sha256)
    LEFT JOIN quarantined USING (file_sha256)
    LEFT JOIN stored_and_quarantined USING (file_sha256)
),

orphans AS (
    SELECT
        '(not a current file of the feed)' AS source_path,
        in_window.file_sha256,
        0 AS rows_read, 0 AS rows_written, 0 AS rows_quarantined, 0 AS rows_filtered, 0 AS rows_other_months,
        count(*) AS rows_in_core,
        0 AS rows_in_quarantine,
        0 AS rows_in_both,
        'core holds rows of a file that is not current (retired, replaced or never recorded)' AS problem
    FROM _core_rows AS in_window
    ANTI JOIN rec USING (file_sha256)
    WHERE in_window.feed = $feed
    GROUP BY ALL
),

final AS (
    SELECT * FROM per_file WHERE problem <> ''
    UNION ALL
    SELECT * FROM orphans
)

SELECT * FROM final
ORDER BY source_path, file_sha256
