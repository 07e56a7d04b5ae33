"""staging.china_customs_press: China's 2025 customs headline figures as the press reported
them, each with its page, and the check that their year-to-date totals add up."""

import dagster as dg

from pipelines.defs.quality import query_rows, rows_check_result
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.tables import table_asset, table_key, table_result
from pipelines.lib.seeds import load_seed
from pipelines.lib.transforms.press_figures import SEED, conform_press_figures

PRESS = "staging.china_customs_press"


@table_asset(PRESS, kinds={"csv", "polars", "duckdb"})
def china_customs_press(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    table = conform_press_figures(load_seed("china_customs_press"))
    context.log.info(
        f"{PRESS}: {table.height} page figures, {table['url'].n_unique()} pages, "
        f"{table.filter(table['agreement'] == 'conflicts').height} conflicting"
    )
    wh = warehouse.get()
    with wh.connect() as con:
        wh.write_table(con, PRESS, table)
        return table_result(con, PRESS, seed=f"data/seeds/{SEED}")


@dg.asset_check(
    asset=table_key(PRESS),
    blocking=True,
    description="Every chosen year-to-date total equals the earlier total plus the months "
    "between, within the pages' rounding; where months are missing, what is left for them is "
    "not negative (docs/monthly.md).",
)
def year_to_date_matches_months(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    bad = query_rows(
        warehouse,
        f"""SELECT series, partner_iso3, strftime(period_start, '%Y-%m') AS period_start,
                   strftime(period_end, '%Y-%m') AS period_end, quantity, unit, consistency, url
            FROM {PRESS} WHERE is_primary AND NOT is_consistent
            ORDER BY series, partner_iso3, period_end""",
    )
    return rows_check_result(
        bad,
        "every press-reported year-to-date total adds up with its months",
        "press-reported totals that do not add up",
        messages=[
            f"{r['series']} to {r['partner_iso3']} {r['period_start']}..{r['period_end']}: "
            f"{r['consistency']} ({r['url']})"
            for r in bad
        ],
    )
