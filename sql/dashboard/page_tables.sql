-- The dashboard page: which tables the published warehouse holds (a panel whose tables are
-- missing is left out, and the page says so).
SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database()
