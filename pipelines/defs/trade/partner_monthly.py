"""Partner-side monthly trade on national tariff lines: one raw table per publisher (HMRC,
Eurostat Comext, US Census, Japan via e-Stat, Brazil Comex Stat) and the ECB exchange rates ->
staging.partner_monthly, with meta.monthly_revisions (what each landing changed in published
months, and the months it would have shrunk, held) and meta.monthly_code_changes.

Snapshot mode reads data/snapshot/partner_monthly/ (pinned by MANIFEST.json); live mode lands
every answer or file through the download layer (`pipelines/lib/sources/landing.py`) and reads
what was landed. A publisher that cannot be reached fails its own step in one line naming it,
so nothing is published; one that needs a key it lacks (Japan) is skipped with a warning.
"""

import datetime
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.defs.reference.assets import country_lookup
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.tables import table_key, table_result, table_spec
from pipelines.lib.inputs import verify_landed, verify_snapshot
from pipelines.lib.seeds import country_codes, load_seed
from pipelines.lib.sources.landing import combined_version, sha256_file
from pipelines.lib.transforms import partner_monthly as pm

FOLDER = "partner_monthly"
SNAPSHOT_FILES = {
    "hmrc": "partner_monthly/hmrc_ots_cn8_monthly.csv",
    "eurostat": "partner_monthly/eurostat_comext_cn8_monthly.csv",
    "uscensus": "partner_monthly/uscensus_hs6_monthly.csv",
    "comexstat": "partner_monthly/comexstat_ncm8_monthly.csv",
}
ECB_SNAPSHOT = (
    "partner_monthly/ecb_exr_usd_eur_monthly.csv",
    "partner_monthly/ecb_exr_gbp_eur_monthly.csv",
)
STAGING = "staging.partner_monthly"
REVISIONS = "meta.monthly_revisions"
CODE_CHANGES = "meta.monthly_code_changes"
FX_RAW = "raw.ecb_fx_monthly"


def raw_table(source: str) -> str:
    return f"raw.partner_monthly_{source}"


def _policy(sources: SourcesResource):
    return sources.policy(sources.monthly_deadline_s)  # MINERALS_MONTHLY_DEADLINE_S


def _live(source: str, sources: SourcesResource, work_dir: Path) -> tuple[pl.DataFrame, str | None]:
    """(raw rows, why the source was skipped or None) from the publisher, landed first."""
    from pipelines.lib.sources import comext, estat, hmrc, monthly, uscensus
    from pipelines.lib.sources.http import make_session

    landing = Path(sources.landing_dir)
    window = monthly.months(monthly.FIRST_MONTH, datetime.date.today())
    first, last = window[0], window[-1]
    codes = monthly.hs6_codes()
    session, policy = make_session(), _policy(sources)
    if source == "comexstat":
        return pm.empty_raw(), (
            "Brazil Comex Stat has no live client yet: its rows come from the snapshot, and a "
            "live refresh keeps the rows published before"
        )
    if source == "estat_japan" and not sources.estat_app_id:
        return pm.empty_raw(), (
            "Japan skipped: ESTAT_APP_ID is not set (a free e-Stat application id: "
            "https://www.e-stat.go.jp/api/)"
        )
    if source == "hmrc":
        landed = hmrc.fetch(
            session,
            base_url=sources.hmrc_base_url,
            hs6_codes=codes,
            first=first,
            last=last,
            landing_root=landing,
            policy=policy,
        )
        frames = [hmrc.parse(f, landing) for f in landed]
    elif source == "eurostat":
        landed = comext.fetch(
            session,
            base_url=sources.eurostat_base_url,
            months=window,
            landing_root=landing,
            policy=policy,
        )
        frames = [comext.parse(f, landing, codes, work_dir) for f in landed]
    elif source == "uscensus":
        landed = uscensus.fetch(
            session,
            base_url=sources.census_base_url,
            hs6_codes=codes,
            first=first,
            last=last,
            landing_root=landing,
            api_key=sources.census_api_key,
            policy=policy,
        )
        frames = [uscensus.parse(f, landing) for f in landed]
    else:
        landed = estat.fetch(
            session,
            base_url=sources.estat_base_url,
            app_id=sources.estat_app_id or "",
            months=window,
            landing_root=landing,
            policy=policy,
        )
        frames = [estat.parse(f, landing, codes) for f in landed]
    for f in landed:
        verify_landed(source, f)
    return pl.concat([pm.empty_raw(), *frames]), None


def _snapshot(source: str, sources: SourcesResource) -> tuple[pl.DataFrame, str | None]:
    verify_snapshot(sources.snapshot, FOLDER)
    rel = SNAPSHOT_FILES.get(source)
    if rel is None:
        return pm.empty_raw(), None  # Japan: no snapshot rows (e-Stat files are live only)
    path = sources.snapshot / rel
    return pm.read_snapshot_csv(path, source, rel, sha256_file(path)), None


def raw_partner_asset(source: str) -> dg.AssetsDefinition:
    key = dg.AssetKey(["raw", f"partner_monthly_{source}"])
    check = dg.AssetCheckSpec(
        "live_source_ran",
        asset=key,
        description="Warns when live mode skipped this publisher (a key it needs is not set, or "
        "no live client): its published rows are kept, not refreshed.",
    )

    @dg.asset(
        key=key,
        group_name="trade",
        kinds={"polars", "duckdb"},
        check_specs=[check],
        description=f"{source}: partner-side monthly rows as read (publisher codes, names and "
        "figures in its own currency, flow M/X), with the file, row, sha256 and landing time "
        "they come from; snapshot: data/snapshot/partner_monthly, live: the landed answers.",
    )
    def _raw(
        context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
    ):
        wh = warehouse.get()
        if sources.is_live:
            raw, skipped = _live(source, sources, wh.directory / "work")
        else:
            raw, skipped = _snapshot(source, sources)
        with wh.connect() as con:
            rows = wh.write_table(con, raw_table(source), raw)
        files = raw["_source_file"].unique().sort().to_list()
        context.log.info(f"{raw_table(source)}: {rows} rows from {len(files)} file(s)")
        yield dg.MaterializeResult(
            asset_key=key,
            data_version=dg.DataVersion(combined_version(raw["_sha256"].unique().to_list())),
            metadata={"dagster/row_count": rows, "files": len(files), "skipped": skipped or ""},
        )
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name="live_source_ran",
            passed=skipped is None,
            severity=dg.AssetCheckSeverity.WARN,
            description=skipped or f"{rows} rows read from {len(files)} file(s)",
        )

    return _raw


raw_partner_assets = [raw_partner_asset(s) for s in pm.SOURCES]


@dg.asset(
    key=["raw", "ecb_fx_monthly"],
    group_name="trade",
    kinds={"polars", "duckdb"},
    description="ECB reference exchange rates, monthly averages, units of USD, GBP and JPY per "
    "euro (currency, period, per_eur) with the file and sha256 they come from; snapshot: the two "
    "ECB files of data/snapshot/partner_monthly (USD, GBP), live: the ECB Data Portal API.",
)
def raw_ecb_fx_monthly(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    frames = []
    if sources.is_live:
        from pipelines.lib.sources import ecb
        from pipelines.lib.sources.http import make_session

        landing = Path(sources.landing_dir)
        for f in ecb.fetch(
            make_session(),
            base_url=sources.ecb_base_url,
            landing_root=landing,
            policy=_policy(sources),
        ):
            verify_landed("ecb", f)
            rel = Path(f.path).relative_to(landing).as_posix()
            text = Path(f.path).read_text(encoding="utf-8")
            frames.append(pm.read_ecb_csv(text, rel).with_columns(_sha256=pl.lit(f.sha256)))
    else:
        verify_snapshot(sources.snapshot, FOLDER)
        for rel in ECB_SNAPSHOT:
            path = sources.snapshot / rel
            frames.append(
                pm.read_ecb_csv(path.read_text(encoding="utf-8"), rel).with_columns(
                    _sha256=pl.lit(sha256_file(path))
                )
            )
    fx = pl.concat(frames)
    wh = warehouse.get()
    with wh.connect() as con:
        rows = wh.write_table(con, FX_RAW, fx)
    last = fx.group_by("currency").agg(pl.col("period").max()).sort("currency")
    context.log.info(f"{FX_RAW}: {rows} monthly rates, latest {last.rows()}")
    return dg.MaterializeResult(
        data_version=dg.DataVersion(combined_version(fx["_sha256"].unique().to_list())),
        metadata={"dagster/row_count": rows},
    )


def _published(wh, mode: str) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """(staging.partner_monthly, meta.monthly_revisions) of the published warehouse, when it was
    refreshed in the same mode (a snapshot refresh is not a revision of live data)."""
    import duckdb

    path = wh.published_path
    if not path.exists():
        return None, None
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS published (READ_ONLY)")
        tables = {
            f"{s}.{t}"
            for s, t in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() "
                "WHERE database_name = 'published'"
            ).fetchall()
        }
        if not {STAGING, "meta.refresh"} <= tables:
            return None, None
        ((published_mode,),) = con.execute(
            "SELECT any_value(source_mode) FROM published.meta.refresh"
        ).fetchall()
        if published_mode != mode:
            return None, None
        rows = con.sql(f"SELECT * FROM published.{STAGING}").pl()
        history = (
            con.sql(f"SELECT * FROM published.{REVISIONS}").pl() if REVISIONS in tables else None
        )
        return rows, history
    finally:
        con.close()


def _threshold(sources: SourcesResource) -> float:
    try:
        value = float(sources.monthly_shrink_threshold)
    except ValueError:
        value = -1.0
    if not 0 < value < 1:
        raise ValueError(
            "MINERALS_MONTHLY_SHRINK_THRESHOLD must be a share between 0 and 1 (0.5 = a month "
            f"that loses half its value is held), not {sources.monthly_shrink_threshold!r}"
        )
    return value


def accepted_holds() -> pl.DataFrame:
    """data/seeds/accepted_monthly_revisions.csv: held months a person reviewed and released."""
    seed = load_seed("accepted_monthly_revisions")
    return seed.select(
        "source",
        "reporter_iso3",
        "flow",
        period=pl.col("period").str.strptime(pl.Date, "%Y-%m"),
    )


@dg.multi_asset(
    specs=[
        table_spec(
            STAGING,
            deps=[
                *(a.key for a in raw_partner_assets),
                raw_ecb_fx_monthly.key,
                table_key("staging.dim_country"),
                table_key("staging.country_alias"),
            ],
            kinds={"polars", "duckdb"},
        ),
        table_spec(REVISIONS, deps=[table_key(STAGING)], kinds={"polars", "duckdb"}),
        table_spec(CODE_CHANGES, deps=[table_key(STAGING)], kinds={"polars", "duckdb"}),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "no_month_shrank_between_landings",
            asset=table_key(STAGING),
            description="Warns when a new landing would have shrunk a published month by more "
            "than MINERALS_MONTHLY_SHRINK_THRESHOLD or made it vanish: the month is held (its "
            "published rows kept) and meta.monthly_revisions says what changed.",
        ),
        dg.AssetCheckSpec(
            "value_usd_converted",
            asset=table_key(STAGING),
            description="Warns about rows whose month has no ECB rate yet (value_usd null).",
        ),
    ],
)
def staging_partner_monthly(
    context: dg.AssetExecutionContext, sources: SourcesResource, warehouse: WarehouseResource
):
    wh = warehouse.get()
    dim_country = wh.read_table("staging.dim_country")
    lookup = country_lookup(warehouse)
    per_eur = wh.read_table(FX_RAW)
    fx = pm.fx_table(per_eur.select("currency", "period", "per_eur", "file"))
    japan_codes = country_codes("estat_japan", "iso3")
    frames = []
    for source in pm.SOURCES:
        raw = wh.read_table(raw_table(source))
        months = raw["period"].str.strptime(pl.Date, "%Y%m", strict=False).drop_nulls()
        frames.append(
            pm.conform(
                source,
                raw,
                dim_country=dim_country,
                lookup=lookup,
                fx=pm.with_usd_everywhere(fx, months),
                country_codes=japan_codes,
            )
        )
    new = pl.concat(frames)
    published, history = _published(wh, sources.mode)
    rows, revisions = pm.reconcile(
        new, published, threshold=_threshold(sources), accepted=accepted_holds()
    )
    held_months = (
        revisions.filter(pl.col("status") == "held")
        .select(pm.MONTH_KEY)
        .unique()
        .sort(pm.MONTH_KEY)
    )
    found_now = revisions.height
    if history is not None and history.height:
        revisions = pl.concat([history.cast(pm.REVISION_SCHEMA), revisions])
        # the same held change seen again (nothing new landed) is one row, the latest
        revisions = revisions.unique(pm.GRAIN + ["new_landing_sha256"], keep="last")
    changes = pm.code_changes(rows)
    with wh.connect() as con:
        wh.write_table(con, STAGING, rows.sort(pm.GRAIN))
        wh.write_table(con, REVISIONS, revisions.sort("detected_at", *pm.GRAIN))
        wh.write_table(con, CODE_CHANGES, changes)
        span = rows.group_by("source").agg(
            pl.col("period").min(), pl.col("period").max().alias("to")
        )
        yield table_result(
            con,
            STAGING,
            sources=", ".join(
                f"{s} {a:%Y-%m}..{b:%Y-%m}" for s, a, b in span.sort("source").rows()
            ),
            held_months=held_months.height,
        )
        yield table_result(con, REVISIONS, found_this_refresh=found_now)
        yield table_result(con, CODE_CHANGES)
    shown = "; ".join(f"{s} {r} {f} {p:%Y-%m}" for s, r, f, p in held_months.head(10).rows())
    yield dg.AssetCheckResult(
        asset_key=table_key(STAGING),
        check_name="no_month_shrank_between_landings",
        passed=held_months.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{held_months.height} month(s) held, published rows kept (see "
        f"{REVISIONS} status 'held'; release one in data/seeds/accepted_monthly_revisions.csv): "
        f"{shown}"
        if held_months.height
        else "no published month shrank or vanished",
        metadata={"held_months": held_months.height, "held": shown},
    )
    missing_fx = rows.filter(pl.col("value_usd").is_null())
    yield dg.AssetCheckResult(
        asset_key=table_key(STAGING),
        check_name="value_usd_converted",
        passed=missing_fx.is_empty(),
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{missing_fx.height} rows have no ECB rate for their month yet (value_usd "
        f"null): {missing_fx.select('currency', 'period').unique().rows()[:5]}"
        if missing_fx.height
        else "every row converted at its month's ECB rate",
    )
