-- Per feed: files, rows read, accepted and quarantined, as last ingested.
SELECT
    feed,
    any_value(contract) AS contract,
    any_value(contract_version) AS contract_version,
    count(*) AS files,
    count(*) FILTER (WHERE file_error IS NOT NULL) AS unreadable_files,
    sum(rows_read) AS rows_read,
    sum(rows_accepted) AS rows_accepted,
    sum(rows_quarantined) AS rows_quarantined
FROM meta.file_reconciliation
GROUP BY feed
ORDER BY feed
