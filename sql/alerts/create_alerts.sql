-- marts.alerts keeps its history across refreshes: created once, then only appended to.
CREATE TABLE IF NOT EXISTS marts.alerts (
    alert_key VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    source VARCHAR,
    commodity VARCHAR,
    stage VARCHAR,
    basis VARCHAR,
    year INTEGER,
    importer_iso3 VARCHAR,
    previous_value DOUBLE,
    value DOUBLE,
    message VARCHAR NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    first_seen_run_id VARCHAR NOT NULL
)
