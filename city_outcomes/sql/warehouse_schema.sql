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

-- One row per feed file last ingested: rows read = rows accepted + rows quarantined.
CREATE TABLE IF NOT EXISTS meta.file_reconciliation (
    feed VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    contract VARCHAR NOT NULL,
    contract_version VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_accepted BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    file_error VARCHAR,
    PRIMARY KEY (feed, source_path)
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
