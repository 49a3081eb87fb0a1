-- The warehouse's bookkeeping tables. Layers follow PUDL: raw files in the landing zone,
-- contract-checked rows in `core`, reference data in `ref`, computed outcomes in `out`.
CREATE SCHEMA IF NOT EXISTS meta;
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS ref;
CREATE SCHEMA IF NOT EXISTS out;

-- Every file ever read, once per content hash: the audit trail's anchor. A changed file under
-- the same name is a new row; its predecessor stays.
CREATE TABLE IF NOT EXISTS meta.landed_files (
    feed VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    landed_path VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    arrived_at TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (feed, file_sha256)
);

-- One row per current file of a feed, as last ingested. What happened to each of its rows:
-- rows read = rows written to core + rows quarantined + rows filtered out (not this feed's rows)
--             + rows held for months another partition's run writes (other_months says which).
-- rows_written is counted from core itself after the write (by file hash, within core_from ..
-- core_until, the run's window in the time column's own terms; NULL = every row), so the blocking
-- check rows_reconcile compares these figures with what is really stored.
CREATE TABLE IF NOT EXISTS meta.file_reconciliation (
    feed VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    contract VARCHAR NOT NULL,
    contract_version VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_written BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    rows_filtered BIGINT NOT NULL,
    rows_other_months BIGINT NOT NULL,
    other_months VARCHAR[] NOT NULL,
    core_from TIMESTAMP,
    core_until TIMESTAMP,
    file_error VARCHAR,
    PRIMARY KEY (feed, source_path)
);
-- The filter rows_filtered counts the rows of (the feed's `filter:`): rows that are not the feed's rows.
-- Added after the first release: a warehouse made before it gets the column here.
ALTER TABLE meta.file_reconciliation ADD COLUMN IF NOT EXISTS filtered_by VARCHAR;

-- The files whose rows a feed holds: the latest version of every file delivered under a name,
-- whether or not it is still in the inbox. A file leaves only when an operator retires it.
CREATE TABLE IF NOT EXISTS meta.current_files (
    feed VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    current_since TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (feed, source_path)
);

-- Files an operator retired (`city-outcomes retire`): who, when and why. The same bytes delivered
-- again stay retired; a new version under the same name is a new delivery.
CREATE TABLE IF NOT EXISTS meta.retired_files (
    feed VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    retired_at TIMESTAMP WITH TIME ZONE NOT NULL,
    retired_by VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);

-- Rows that broke a contract rule, with the rules and the row exactly as the file had it.
CREATE TABLE IF NOT EXISTS meta.quarantine (
    feed VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    source_row BIGINT NOT NULL,
    contract VARCHAR NOT NULL,
    contract_version VARCHAR NOT NULL,
    failed_rules VARCHAR[] NOT NULL,
    raw_values JSON NOT NULL
);
-- The column of a wide export the row was unpivoted from (`unpivot:`; NULL otherwise): a record of a
-- wide export is several rows, told apart by (file, row, field). Added after the first release.
ALTER TABLE meta.quarantine ADD COLUMN IF NOT EXISTS source_field VARCHAR;

-- Each computation of a metric table's months: the Dagster run and the code version that wrote
-- them (`city-outcomes trace` reports both for a published number). Newest last; never updated.
CREATE TABLE IF NOT EXISTS meta.metric_runs (
    metric_table VARCHAR NOT NULL,
    period_from DATE,
    period_until DATE,
    run_id VARCHAR,
    code_version VARCHAR NOT NULL,
    computed_at TIMESTAMP WITH TIME ZONE NOT NULL
);
