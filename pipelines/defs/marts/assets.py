"""SQL models: one asset per `sql/{staging,marts}/*.sql`, built by one factory.

Adding a mart = adding a `.sql` file (and its checks), not copying an asset function.
"""

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.lib.sql import SqlModel, load_models


def sql_mart(model: SqlModel) -> dg.AssetsDefinition:
    @dg.asset(
        key=[model.schema, model.name],
        group_name=model.group,
        kinds={"duckdb", "sql"},
        deps=[dg.AssetKey(dep.split(".")) for dep in model.deps],
        description=model.description,
    )
    def _mart(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        wh = warehouse.get()
        with wh.connect() as con:
            con.execute(f"CREATE OR REPLACE TABLE {model.table} AS {model.sql}")
            (rows,) = con.execute(f"SELECT count(*) FROM {model.table}").fetchone()
            columns = [r[0] for r in con.execute(f"DESCRIBE {model.table}").fetchall()]
        context.log.info(f"{model.table}: {rows} rows")
        return dg.MaterializeResult(metadata={"row_count": rows, "columns": columns})

    return _mart


staging_sql_assets = [sql_mart(m) for m in load_models("staging")]
mart_assets = [sql_mart(m) for m in load_models("marts")]
