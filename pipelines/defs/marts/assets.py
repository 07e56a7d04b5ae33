"""SQL models: one asset per `sql/{staging,marts}/<table>.sql`, built by one factory.

Adding a mart = `sql/marts/<table>.sql` (one SELECT) + `sql/marts/<table>.yml` (its contract).
A contract's `build_by_year` builds the table one year at a time (`build_model`).
The asset's upstream tables are those its SQL reads (parsed with sqlglot), its description and
group come from the contract, and the contract's generic checks come with it.
"""

import dagster as dg
import duckdb

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.tables import table_asset, table_key, table_result
from pipelines.lib.contracts import ContractError, contract_for
from pipelines.lib.sql import SqlModel, all_models, restrict_to_year


def build_model(
    con: duckdb.DuckDBPyConnection, model: SqlModel, by_year: tuple[str, ...] = ()
) -> None:
    """(Re)create the model's table from its SELECT: whole, or one year at a time of the tables
    `by_year` (its contract's `build_by_year`), in one transaction: a failed year leaves the
    table as it was."""
    if not by_year:
        con.execute(f"CREATE OR REPLACE TABLE {model.table} AS {model.sql}")
        return
    years = {y for t in by_year for (y,) in con.sql(f"SELECT DISTINCT year FROM {t}").fetchall()}
    if None in years:  # a row of no year would be in no year's build: refuse, don't drop it
        raise ContractError(f"{model.table}: an input of {by_year} has rows with no year")
    con.execute("BEGIN TRANSACTION")
    try:  # the table's columns and types, no rows (a trailing comment cannot eat the LIMIT)
        con.execute(f"CREATE OR REPLACE TABLE {model.table} AS FROM (\n{model.sql}\n) LIMIT 0")
        one_year = f"INSERT INTO {model.table} {restrict_to_year(model.sql, by_year)}"
        for year in sorted(years):
            con.execute(one_year, {"year": year})
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def sql_model_asset(model: SqlModel) -> dg.AssetsDefinition:
    by_year = contract_for(model.table).build_by_year
    if not_read := set(by_year) - set(model.deps):
        raise ContractError(
            f"{model.table}: build_by_year names {sorted(not_read)}, which its SQL does not read"
        )

    @table_asset(model.table, deps=[table_key(t) for t in model.deps], kinds={"duckdb", "sql"})
    def _model(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        with warehouse.get().connect() as con:
            build_model(con, model, by_year)
            result = table_result(con, model.table, sql_file=str(model.path.name))
        context.log.info(f"{model.table}: {result.metadata['dagster/row_count']} rows")
        return result

    return _model


sql_model_assets = [sql_model_asset(m) for m in all_models()]
