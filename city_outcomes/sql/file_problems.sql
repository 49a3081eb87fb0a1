-- Files that could not be read at all, with their file-level problem (the encoding, the delimiter,
-- a repeated column name, no data rows...), as last ingested: every line of such a file is in
-- meta.quarantine under the rule 'file: <problem>' (a file with no data rows has none).
-- Parameter: $feed (NULL for every feed).
SELECT feed, source_path, contract, rows_read, rows_quarantined, file_error
FROM meta.file_reconciliation
WHERE file_error IS NOT NULL
    AND ($feed::VARCHAR IS NULL OR feed = $feed::VARCHAR)
ORDER BY feed, source_path
