"""SQL models: one asset per `sql/{staging,marts}/<table>.sql`, built by one factory.

Adding a mart = `sql/marts/<table>.sql` (one SELECT) + `sql/marts/<table>.yml` (its contract).
The asset's upstream tables are those its SQL reads (parsed with sqlglot), its description and
group come from the contract, and the contract's generic checks come with it.
"""

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.tables import table_asset, table_key, table_result
from pipelines.lib.sql import SqlModel, all_models


def sql_model_asset(model: SqlModel) -> dg.AssetsDefinition:
    @table_asset(model.table, deps=[table_key(t) for t in model.deps], kinds={"duckdb", "sql"})
    def _model(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        with warehouse.get().connect() as con:
            con.execute(f"CREATE OR REPLACE TABLE {model.table} AS {model.sql}")
            result = table_result(con, model.table, sql_file=str(model.path.name))
        context.log.info(f"{model.table}: {result.metadata['dagster/row_count']} rows")
        return result

    return _model


sql_model_assets = [sql_model_asset(m) for m in all_models()]
