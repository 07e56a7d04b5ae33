"""Native checks on marts.import_dependence: one row per key, shares within 0-1."""

import dagster as dg

from pipelines.defs.resources import WarehouseResource

IMPORT_DEPENDENCE = dg.AssetKey(["marts", "import_dependence"])


@dg.asset_check(
    asset=IMPORT_DEPENDENCE,
    blocking=True,
    description="One row per (importer_iso3, commodity, stage, year).",
)
def import_dependence_one_row_per_key(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get().connect() as con:
        dupes = con.execute("""
            SELECT importer_iso3, commodity, stage, year, count(*) AS n
            FROM marts.import_dependence
            GROUP BY ALL HAVING count(*) > 1
            LIMIT 20""").fetchall()
    return dg.AssetCheckResult(
        passed=not dupes,
        metadata={"examples": str(dupes)},
        description="unique" if not dupes else f"{len(dupes)}+ duplicated keys",
    )


@dg.asset_check(
    asset=IMPORT_DEPENDENCE,
    blocking=True,
    description="top_supplier_share and china_share within 0-1, supplier_hhi within 0-10,000, "
    "and the top supplier holds at least the China share.",
)
def import_dependence_shares_in_range(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.get().connect() as con:
        bad = con.execute("""
            SELECT importer_iso3, commodity, stage, year,
                   top_supplier_share, china_share, supplier_hhi
            FROM marts.import_dependence
            WHERE top_supplier_share NOT BETWEEN 0 AND 1 + 1e-9
               OR china_share NOT BETWEEN 0 AND 1 + 1e-9
               OR supplier_hhi NOT BETWEEN 0 AND 10000 + 1e-6
               OR china_share > top_supplier_share + 1e-9
            LIMIT 20""").fetchall()
    return dg.AssetCheckResult(
        passed=not bad,
        metadata={"examples": str(bad)},
        description="in range" if not bad else f"{len(bad)}+ rows out of range",
    )


trade_checks = [import_dependence_one_row_per_key, import_dependence_shares_in_range]
