-- Per feed, the contract rules its quarantined rows break most, for the data quality page: the rule,
-- how many rows break it, in how many files, and the first few rows (file name and row number) as
-- examples. Never a value: quarantined values may be personal. Rules carry no row's values (a JSON
-- Schema message is stripped of its value at ingest, reader._without_value), and a duplicate's rule,
-- which names the row it repeats, is counted under one rule. File-level problems (rule 'file: ...')
-- are listed per file instead (quality.file_level_problems), so they do not crowd out the rows' rules.
-- Parameters: $duplicate_rule (ingest.DUPLICATE_RULE), $limit (rules per feed), $examples (rows per rule).
WITH broken AS (
    SELECT
        feed,
        regexp_extract(source_path, '[^/\\]*$') AS file_name,
        source_path,
        source_row,
        CASE WHEN starts_with(rule, 'duplicate:') THEN $duplicate_rule::VARCHAR ELSE rule END AS rule
    FROM (SELECT feed, source_path, source_row, unnest(failed_rules) AS rule FROM meta.quarantine)
    WHERE NOT starts_with(rule, 'file: ')
),

counted AS (
    SELECT
        feed,
        rule,
        count(*) AS rows_broken,
        count(DISTINCT source_path) AS files,
        list({'file': file_name, 'row': source_row} ORDER BY source_path, source_row)[1:$examples::BIGINT] AS examples
    FROM broken
    GROUP BY feed, rule
),

ranked AS (
    SELECT *, row_number() OVER (PARTITION BY feed ORDER BY rows_broken DESC, rule) AS rank
    FROM counted
)

SELECT feed, rank, rule, rows_broken, files, examples
FROM ranked
WHERE rank <= $limit::BIGINT
ORDER BY feed, rank
