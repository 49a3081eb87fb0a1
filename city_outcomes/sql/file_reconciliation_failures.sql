-- Files of a feed whose rows do not add up: rows read must equal rows accepted plus rows
-- quarantined, and the quarantine must hold exactly the rows the file's record says it does.
-- A row here means a row was lost or invented between the file and the warehouse.
-- Parameter: $feed.
WITH quarantined AS (
    SELECT source_path, file_sha256, count(*) AS rows_in_quarantine
    FROM meta.quarantine
    WHERE feed = $feed
    GROUP BY ALL
)

SELECT
    rec.source_path,
    rec.file_sha256,
    rec.rows_read,
    rec.rows_accepted,
    rec.rows_quarantined,
    coalesce(quarantined.rows_in_quarantine, 0) AS rows_in_quarantine
FROM meta.file_reconciliation AS rec
LEFT JOIN quarantined USING (source_path, file_sha256)
WHERE rec.feed = $feed
    AND (
        rec.rows_read <> rec.rows_accepted + rec.rows_quarantined
        OR rec.rows_quarantined <> coalesce(quarantined.rows_in_quarantine, 0)
    )
ORDER BY rec.source_path
