"""Governance (World Bank WGI) and the alerts history that risk marts feed."""

from datetime import UTC, datetime

import dagster as dg
import polars as pl

from pipelines.defs.quality import gx_suite_check
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.tables import table_asset, table_key, table_result, table_spec
from pipelines.lib.inputs import verify_snapshot
from pipelines.lib.seeds import load_seed
from pipelines.lib.sources.http import make_session
from pipelines.lib.sources.worldbank import fetch_wgi
from pipelines.lib.sql import load_query, tables_read
from pipelines.lib.transforms import governance
from pipelines.lib.transforms.export_controls import conform_export_controls

WGI_BULK = "wgi/WGIData.csv"
WGI_PV = "wgi/political_stability_1996_2024/wgi_pv_1996_2024.csv"
GOVERNANCE = table_key("staging.governance")
ALERTS = table_key("marts.alerts")
# Every alert the marts imply: one file per family of alerts, their rows in one UNION
ALERT_CANDIDATES = ("alerts/candidates.sql", "alerts/price_screens.sql")


def alert_candidates() -> str:
    return "\nUNION ALL\n".join(f"SELECT * FROM ({load_query(f)})" for f in ALERT_CANDIDATES)


@table_asset(
    "staging.governance",
    kinds={"polars", "duckdb"},
    deps=[table_key("staging.dim_country"), table_key("staging.production")],
)
def staging_governance(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    wh = warehouse.get()
    with wh.connect() as con:
        (through_year,) = con.execute(
            "SELECT max(year) FROM staging.production WHERE NOT is_projection"
        ).fetchone()
        known = {r[0] for r in con.execute("SELECT iso3 FROM staging.dim_country").fetchall()}
    if sources.is_live:
        wgi, vintage = fetch_wgi(
            make_session(),
            base_url=sources.worldbank_base_url,
            policy=sources.policy(sources.worldbank_deadline_s),
            known_iso3=known,
        )
        origin = f"worldbank_api:{vintage}"  # a newer vintage than the bundled 2023 update
        context.log.info(
            f"WGI from the World Bank API ({sources.worldbank_base_url}, GOV_WGI_*.EST, "
            f"lastupdated {vintage}; percentile ranks computed per year): {wgi.height} rows"
        )
    else:
        verify_snapshot(sources.snapshot, "wgi")
        bulk = governance.read_wgi_bulk(sources.snapshot / WGI_BULK)
        origin = "wgi_2023_update"
        # political stability of the year itself after the bulk file's last year (2023-2024)
        newer = governance.political_stability_after(
            bulk, governance.read_wgi_political_stability(sources.snapshot / WGI_PV)
        )
        wgi = pl.concat([bulk.with_columns(source=pl.lit(origin)), newer])
        context.log.info(
            f"WGI from the snapshot bulk file {WGI_BULK}: {bulk.height} rows, and political "
            f"stability {newer['year'].min()}-{newer['year'].max()} from {WGI_PV}: "
            f"{newer.height} rows"
        )
    staged = governance.conform_governance(wgi, known, through_year, source=origin)
    carried = staged.filter(pl.col("is_carried_forward")).height
    context.log.info(
        f"staging.governance: {staged.height} rows through {through_year}, "
        f"{carried} carried forward"
    )
    with wh.connect() as con:
        wh.write_table(con, "staging.governance", staged)
        return table_result(
            con, "staging.governance", through_year=through_year, carried_forward_rows=carried
        )


governance_suite = gx_suite_check(GOVERNANCE)


# Python, not a contract rule: it reads another file of the snapshot and tolerates 1% of
# country-years
@dg.asset_check(
    asset=GOVERNANCE,
    blocking=False,
    description="Political stability up to 2022 agrees with the newer 1996-2024 "
    "file, whose 2023-2024 estimates (a later WGI vintage) continue the series.",
)
def political_stability_matches_newer_file(
    sources: SourcesResource, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    newer = governance.read_wgi_political_stability(sources.snapshot / WGI_PV)
    ours = (
        warehouse.get()
        .read_table("staging.governance")
        .filter(pl.col("dimension") == "political_stability", ~pl.col("is_carried_forward"))
    )
    both = ours.join(newer, on=["iso3", "year"], suffix="_newer").filter(
        pl.col("year") <= 2022, pl.col("estimate_newer").is_not_null()
    )
    differ = both.filter((pl.col("estimate") - pl.col("estimate_newer")).abs() > 0.001)
    countries = differ.group_by("iso3").len().sort("len", descending=True)
    # GUY differs in every year: the newer file's packaging, not WGI (seen 2026-11, 36 rows)
    return dg.AssetCheckResult(
        passed=differ.height <= 0.01 * both.height,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{both.height - differ.height} of {both.height} country-years agree; "
        f"differ: {', '.join(countries['iso3'].to_list()[:10]) or 'none'}",
        metadata={
            "compared": both.height,
            "differing": differ.height,
            "differing_countries": str(countries.to_dicts()[:20]),
        },
    )


@table_asset(
    "marts.alerts",
    kinds={"duckdb", "sql"},
    deps=[table_key(t) for t in tables_read(alert_candidates())],
)
def alerts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    wh = warehouse.get()
    candidates = alert_candidates()
    with wh.connect() as con:
        con.execute(load_query("alerts/create_alerts.sql"))
        # alerts the candidates no longer word that way (docs/migrations.md): export-based
        # alerts recorded as production kinds go, and are recorded again as export kinds
        con.execute(load_query("alerts/retired.sql"))
        before = con.execute("SELECT count(*) FROM marts.alerts").fetchone()[0]
        con.execute(
            f"""INSERT INTO marts.alerts
                SELECT c.*, ?::TIMESTAMPTZ AS first_seen_at, ? AS first_seen_run_id
                FROM ({candidates}) AS c
                WHERE c.alert_key NOT IN (SELECT alert_key FROM marts.alerts)""",
            [datetime.now(UTC), context.run_id],
        )
        # a recorded alert keeps its key and first_seen_at; its words follow the candidates'
        # (a basket code named as a basket, not as the mineral)
        con.execute(
            f"""UPDATE marts.alerts AS a SET message = c.message
                FROM ({candidates}) AS c
                WHERE a.alert_key = c.alert_key AND a.message <> c.message"""
        )
        new = con.sql(
            "SELECT message FROM marts.alerts WHERE first_seen_run_id = ? "
            "ORDER BY year DESC, message",
            params=[context.op_execution_context.run_id],
        ).fetchall()
        total = con.execute("SELECT count(*) FROM marts.alerts").fetchone()[0]
        context.log.info(f"marts.alerts: {len(new)} new, {total} in history")
        return table_result(
            con,
            "marts.alerts",
            new_alerts=len(new),
            alerts_in_history=total,
            previous=before,
            latest_new=dg.MetadataValue.md("\n".join(f"- {m}" for (m,) in new[:20]) or "none"),
        )


# Python, not a contract rule: the rows of this run only (its run id)
@dg.asset_check(
    asset=ALERTS,
    blocking=False,
    description="Warns, in plain words, about the alerts this refresh saw first.",
)
def no_new_alerts(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    with warehouse.get().connect() as con:
        new = con.execute(
            """SELECT message FROM marts.alerts WHERE first_seen_run_id = ?
                             ORDER BY year DESC, message""",
            [context.op_execution_context.run_id],
        ).fetchall()
    messages = [m for (m,) in new]
    shown = "; ".join(messages[:8]) + (
        f"; and {len(messages) - 8} more" if len(messages) > 8 else ""
    )
    return dg.AssetCheckResult(
        passed=not messages,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{len(messages)} new alert(s): {shown}" if messages else "no new alerts",
        metadata={"new_alerts": len(messages), "messages": "\n".join(messages[:200])},
    )


@dg.multi_asset(
    specs=[
        table_spec("staging.export_controls", kinds={"polars", "duckdb"}),
        table_spec(
            "staging.export_control_codes",
            deps=[table_key("staging.dim_hs_mineral")],
            kinds={"polars", "duckdb"},
        ),
    ],
)
def staging_export_controls(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """The curated seed data/seeds/export_controls.csv, and its (measure, HS code) rows."""
    wh = warehouse.get()
    known_hs = set(wh.read_table("staging.dim_hs_mineral")["hs6"].to_list())
    measures, codes = conform_export_controls(load_seed("export_controls"), known_hs)
    context.log.info(
        f"{measures.height} export-control measures, {codes.height} (measure, HS) rows"
    )
    with wh.connect() as con:
        wh.write_table(con, "staging.export_controls", measures)
        wh.write_table(con, "staging.export_control_codes", codes)
        yield table_result(con, "staging.export_controls", seed="data/seeds/export_controls.csv")
        yield table_result(con, "staging.export_control_codes")
