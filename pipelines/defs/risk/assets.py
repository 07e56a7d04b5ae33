"""Governance (World Bank WGI) and the alerts history that risk marts feed."""

from datetime import UTC, datetime

import dagster as dg
import polars as pl

from pipelines.defs.quality import gx_suite_check, known_iso3
from pipelines.defs.resources import ALSO_WRITES, SourcesResource, WarehouseResource
from pipelines.lib.inputs import verify_snapshot
from pipelines.lib.seeds import load_seed
from pipelines.lib.sources.http import RetryPolicy, make_session
from pipelines.lib.sources.worldbank import fetch_wgi
from pipelines.lib.sql import load_query
from pipelines.lib.transforms import governance
from pipelines.lib.transforms.export_controls import conform_export_controls

WGI_BULK = "wgi/WGIData.csv"
WGI_PV = "wgi/political_stability_1996_2024/wgi_pv_1996_2024.csv"
GOVERNANCE = dg.AssetKey(["staging", "governance"])
ALERTS = dg.AssetKey(["marts", "alerts"])


@dg.asset(
    key=GOVERNANCE,
    group_name="risk",
    kinds={"polars", "duckdb"},
    deps=[dg.AssetKey(["staging", "dim_country"]), dg.AssetKey(["staging", "production"])],
    description="World Bank WGI estimates (about -2.5 worst to +2.5 best) per country, year and "
    "dimension, carried forward (flagged) to the latest production year.",
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
        wgi = fetch_wgi(
            make_session(),
            base_url=sources.worldbank_base_url,
            policy=RetryPolicy(timeout_s=sources.timeout_s),
            known_iso3=known,
        )
        context.log.info(
            f"WGI from the World Bank API ({sources.worldbank_base_url}): {wgi.height} rows"
        )
    else:
        verify_snapshot(sources.snapshot, "wgi")
        wgi = governance.read_wgi_bulk(sources.snapshot / WGI_BULK)
        context.log.info(f"WGI from the snapshot bulk file {WGI_BULK}: {wgi.height} rows")
    origin = "worldbank_api" if sources.is_live else "wgi_2023_update"
    staged = governance.conform_governance(wgi, known, through_year, source=origin)
    with wh.connect() as con:
        rows = wh.write_table(con, "staging.governance", staged)
    carried = staged.filter(pl.col("is_carried_forward")).height
    context.log.info(
        f"staging.governance: {rows} rows through {through_year}, {carried} carried forward"
    )
    return dg.MaterializeResult(
        metadata={"row_count": rows, "through_year": through_year, "carried_forward_rows": carried}
    )


governance_suite = gx_suite_check(
    GOVERNANCE, id_columns=["iso3", "year", "dimension"], parameters=known_iso3
)


@dg.asset_check(
    asset=GOVERNANCE,
    blocking=False,
    description="Political stability up to 2022 agrees with the newer 1996-2024 "
    "file (a different WGI vintage, not used for 2023-2024: see the README).",
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


@dg.asset(
    key=ALERTS,
    group_name="risk",
    kinds={"duckdb", "sql"},
    deps=[
        dg.AssetKey(["marts", "concentration_trend"]),
        dg.AssetKey(["marts", "import_dependence"]),
    ],
    description="History of alerts (a series turning highly concentrated, China's share up 5 "
    "points or more, a new breach of the EU 65% cap). Each alert is recorded once, when first "
    "seen: re-running a refresh adds no duplicates.",
)
def alerts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    wh = warehouse.get()
    candidates = load_query("alerts/candidates.sql")
    with wh.connect() as con:
        con.execute(load_query("alerts/create_alerts.sql"))
        before = con.execute("SELECT count(*) FROM marts.alerts").fetchone()[0]
        con.execute(
            f"""INSERT INTO marts.alerts
                SELECT c.*, ?::TIMESTAMPTZ AS first_seen_at, ? AS first_seen_run_id
                FROM ({candidates}) AS c
                WHERE c.alert_key NOT IN (SELECT alert_key FROM marts.alerts)""",
            [datetime.now(UTC), context.run_id],
        )
        new = con.sql(
            "SELECT message FROM marts.alerts WHERE first_seen_run_id = ? "
            "ORDER BY year DESC, message",
            params=[context.op_execution_context.run_id],
        ).fetchall()
        total = con.execute("SELECT count(*) FROM marts.alerts").fetchone()[0]
    context.log.info(f"marts.alerts: {len(new)} new, {total} in history")
    return dg.MaterializeResult(
        metadata={
            "new_alerts": len(new),
            "alerts_in_history": total,
            "previous": before,
            "latest_new": dg.MetadataValue.md("\n".join(f"- {m}" for (m,) in new[:20]) or "none"),
        }
    )


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


@dg.asset(
    key=["staging", "export_controls"],
    metadata={ALSO_WRITES: ["staging.export_control_codes"]},
    group_name="risk",
    kinds={"polars", "duckdb"},
    deps=[dg.AssetKey(["staging", "trade_flows"])],
    description="China's export-control measures (curated seed data/seeds/export_controls.csv: "
    "dates, status, HS codes, source document); also staging.export_control_codes, one row per "
    "(measure, HS92 code present in the trade data).",
)
def staging_export_controls(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    wh = warehouse.get()
    known_hs = set(wh.read_table("staging.dim_hs_mineral")["hs6"].to_list())
    measures, codes = conform_export_controls(load_seed("export_controls"), known_hs)
    with wh.connect() as con:
        rows = wh.write_table(con, "staging.export_controls", measures)
        wh.write_table(con, "staging.export_control_codes", codes)
    context.log.info(f"{rows} export-control measures, {codes.height} (measure, HS92) rows")
    return dg.MaterializeResult(metadata={"row_count": rows, "hs_codes": codes.height})


defs = dg.Definitions(
    assets=[staging_governance, staging_export_controls, alerts],
    asset_checks=[governance_suite, political_stability_matches_newer_file, no_new_alerts],
)
