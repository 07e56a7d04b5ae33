"""Native checks on marts.import_dependence: one row per key, shares within 0-1."""

import dagster as dg

from pipelines.defs.quality import query_rows, rows_check_result
from pipelines.defs.resources import WarehouseResource

IMPORT_DEPENDENCE = dg.AssetKey(["marts", "import_dependence"])


@dg.asset_check(
    asset=IMPORT_DEPENDENCE,
    blocking=True,
    description="One row per (importer_iso3, commodity, stage, year).",
)
def import_dependence_one_row_per_key(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    dupes = query_rows(
        warehouse,
        """
            SELECT importer_iso3, commodity, stage, year, count(*) AS n
            FROM marts.import_dependence
            GROUP BY ALL HAVING count(*) > 1
            LIMIT 20""",
    )
    return rows_check_result(dupes, "unique", "duplicated keys")


@dg.asset_check(
    asset=IMPORT_DEPENDENCE,
    blocking=True,
    description="top_supplier_share and china_share within 0-1, supplier_hhi within 0-10,000, "
    "and the top supplier holds at least the China share.",
)
def import_dependence_shares_in_range(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    bad = query_rows(
        warehouse,
        """
            SELECT importer_iso3, commodity, stage, year,
                   top_supplier_share, china_share, supplier_hhi
            FROM marts.import_dependence
            WHERE top_supplier_share NOT BETWEEN 0 AND 1 + 1e-9
               OR china_share NOT BETWEEN 0 AND 1 + 1e-9
               OR supplier_hhi NOT BETWEEN 0 AND 10000 + 1e-6
               OR china_share > top_supplier_share + 1e-9
            LIMIT 20""",
    )
    return rows_check_result(bad, "in range", "rows out of range")


trade_checks = [import_dependence_one_row_per_key, import_dependence_shares_in_range]
