-- Per feed, as last ingested: files, rows read, written to core, quarantined, filtered out, and
-- held for months another partition's run writes (rows read = the other four, per file).
SELECT
    feed,
    any_value(contract) AS contract,
    any_value(contract_version) AS contract_version,
    count(*) AS files,
    count(*) FILTER (WHERE file_error IS NOT NULL) AS unreadable_files,
    sum(rows_read) AS rows_read,
    sum(rows_written) AS rows_written,
    sum(rows_quarantined) AS rows_quarantined,
    sum(rows_filtered) AS rows_filtered,
    sum(rows_other_months) AS rows_other_months
FROM meta.file_reconciliation
GROUP BY feed
ORDER BY feed
