"""Tables the trade marts read for the scope of their figures (issue 26), for tests that build a
few marts on a slice of the snapshot: the reviewed HS content and trade series labels (from the
seeds, as the build makes them) and an outlier table (empty, or the rows given)."""

import duckdb

from pipelines.lib.seeds import load_seed
from pipelines.lib.sql import load_models

OUTLIER_COLUMNS = (
    "nomenclature VARCHAR, year INTEGER, hs6 VARCHAR, commodity VARCHAR, stage VARCHAR, "
    "exporter_iso3 VARCHAR, importer_iso3 VARCHAR, reason VARCHAR, value_usd DOUBLE, "
    "quantity_t DOUBLE"
)


def trade_outliers(con: duckdb.DuckDBPyConnection, rows: list[tuple] = ()) -> None:
    """staging.trade_outliers with `rows` (the columns of OUTLIER_COLUMNS), empty by default, and
    staging.trade_flows_checked (the slice's staging.trade_flows less them) from its model."""
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    con.execute(f"CREATE OR REPLACE TABLE staging.trade_outliers ({OUTLIER_COLUMNS})")
    if rows:
        marks = ", ".join("?" for _ in OUTLIER_COLUMNS.split(", "))
        con.executemany(f"INSERT INTO staging.trade_outliers VALUES ({marks})", rows)
    checked = next(m for m in load_models("staging") if m.name == "trade_flows_checked")
    con.execute(f"CREATE OR REPLACE TABLE staging.trade_flows_checked AS {checked.sql}")


def trade_products(con: duckdb.DuckDBPyConnection) -> None:
    """staging.dim_hs_mineral, staging.dim_hs_content and staging.trade_products, from the seeds."""
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    for table, seed in (("dim_hs_mineral", "hs_mineral"), ("dim_hs_content", "hs_content")):
        con.register("_seed", load_seed(seed))
        con.execute(f"CREATE OR REPLACE TABLE staging.{table} AS SELECT * FROM _seed")
        con.unregister("_seed")
    products = next(m for m in load_models("staging") if m.name == "trade_products")
    con.execute(f"CREATE OR REPLACE TABLE staging.trade_products AS {products.sql}")


def no_production_context(con: duckdb.DuckDBPyConnection) -> None:
    """Empty production and USGS tables marts.import_dependence compares imports with, for a
    slice that tests the trade figures only."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(
        "CREATE OR REPLACE TABLE staging.representative_series (commodity VARCHAR, stage VARCHAR, "
        "year INT, source VARCHAR, basis VARCHAR)"
    )
    con.execute(
        "CREATE OR REPLACE TABLE marts.supply_concentration (source VARCHAR, commodity VARCHAR, "
        "stage VARCHAR, basis VARCHAR, year INT, world_total DOUBLE, unit VARCHAR, "
        "unit_basis VARCHAR, product VARCHAR)"
    )
    con.execute(
        "CREATE OR REPLACE TABLE staging.us_salient (commodity VARCHAR, product VARCHAR, "
        "statistic VARCHAR, year INT, unit VARCHAR, unit_basis VARCHAR, amount DOUBLE)"
    )
