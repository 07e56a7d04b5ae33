"""The project pipeline, the capacity outlook and the look-through, recomputed by hand.

Each figure is recomputed outside the marts' SQL: from the seed CSV read with the csv module,
from the production rows, and from the raw BACI extract and USGS file, then compared with the
session's published build (tests/conftest.py::published_snapshot).
"""

import csv
from collections import defaultdict

import duckdb
import polars as pl
import pytest

from pipelines.defs.reference.assets import COUNTRY_REFERENCE
from pipelines.defs.trade.assets import BACI_HS92
from pipelines.lib.paths import SEEDS_DIR, SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed, units
from pipelines.lib.transforms import countries, production, usgs
from tests.support.scope import trade_outliers


def seed(name: str) -> list[dict]:
    with open(SEEDS_DIR / f"{name}.csv", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def con(published_snapshot):
    with duckdb.connect(str(published_snapshot.published), read_only=True) as c:
        yield c


def capacity_by_hand(scope: str, year: int, *, committed_only=False, delay=0) -> float:
    """Each project's latest line online by `year` (lines supersede), summed."""
    latest: dict[str, tuple[int, float]] = {}
    for r in seed("projects"):
        if r["scope"] != scope or not r["online_year"] or r["verified"] != "verified":
            continue
        if committed_only and r["status"] not in ("operating", "construction", "financed"):
            continue
        online = int(r["online_year"]) + (0 if r["status"] == "operating" else delay)
        if online <= year and online >= latest.get(r["project_id"], (0, 0.0))[0]:
            latest[r["project_id"]] = (online, float(r["capacity"]))
    return sum(c for _, c in latest.values())


@pytest.mark.parametrize("scenario", ["as_announced", "delayed_2y", "committed_only"])
def test_ex_china_dy_tb_separation_capacity_2028(con, scenario):
    expected = capacity_by_hand(
        "ree_dytb_oxide",
        2028,
        committed_only=scenario == "committed_only",
        delay=2 if scenario == "delayed_2y" else 0,
    )
    ((got, n),) = con.execute(
        "SELECT capacity, n_projects FROM marts.project_capacity "
        "WHERE scope = 'ree_dytb_oxide' AND scenario = ? AND year = 2028",
        [scenario],
    ).fetchall()
    assert got == pytest.approx(expected)
    assert n > 0 and expected > 0
    # the seed's published capacities are whole tonnes: a line read twice would show here
    assert got < 5_000


def test_china_refining_share_2030_rare_earths_committed_only(con):
    """China's 2030 share of magnet rare-earth refining under committed_only, from the seed and
    IEA's rows in staging.production."""
    rows = con.execute(
        "SELECT iso3, year, is_projection, aggregate, amount FROM staging.production "
        "WHERE source = 'iea' AND commodity = 'rare_earths' AND stage = 'refining' "
        "AND is_latest_edition"
    ).fetchall()
    base_year = max(y for _, y, proj, _, _ in rows if not proj)
    base = {i: a for i, y, _, agg, a in rows if y == base_year and i is not None}
    world_base = next(a for _, y, _, agg, a in rows if y == base_year and agg == "world_total")
    rest = world_base - sum(base.values())  # "Rest of world", held at its base-year amount
    china_2030 = next(a for i, y, _, _, a in rows if y == 2030 and i == "CHN")

    scopes = {r["scope"]: r for r in seed("capacity_scopes")}
    utilisation = float(
        next(r["value"] for r in seed("outlook_assumptions") if r["name"] == "utilisation")
    )
    added: dict[str, float] = defaultdict(float)
    for scope in ("ree_ndpr_oxide", "ree_dytb_oxide"):
        factor = float(scopes[scope]["factor_to_series"])
        lines = [
            r
            for r in seed("projects")
            if r["scope"] == scope and r["online_year"] and r["verified"] == "verified"
        ]
        for pid in {r["project_id"] for r in lines}:
            mine = [
                r
                for r in lines
                if r["project_id"] == pid
                and r["status"] in ("operating", "construction", "financed")
            ]

            def cap(year, mine=mine):
                online = [r for r in mine if int(r["online_year"]) <= year]
                if not online:
                    return 0.0
                return float(max(online, key=lambda r: int(r["online_year"]))["capacity"])

            if mine:
                added[mine[0]["country_iso3"]] += max(cap(2030) - cap(base_year), 0) * factor

    others = {i: a for i, a in base.items() if i != "CHN"}
    for iso3, cap_added in added.items():
        others[iso3] = others.get(iso3, 0.0) + cap_added * utilisation
    expected = china_2030 / (china_2030 + sum(others.values()) + rest)

    ((got, iea),) = con.execute(
        "SELECT china_share, iea_china_share_2030 FROM marts.capacity_outlook "
        "WHERE commodity = 'rare_earths' AND stage = 'refining' "
        "AND scenario = 'committed_only' AND year = 2030"
    ).fetchall()
    assert got == pytest.approx(expected, rel=1e-9)
    assert got > iea  # the named committed pipeline does less than IEA's base case assumes


def usgs_rows(year: int | None = None) -> pl.DataFrame:
    """The raw USGS MCS 2026 file through the project's own reader and conform step."""
    lookup = countries.build_lookup(
        countries.load_reference(SNAPSHOT_DIR / COUNTRY_REFERENCE), load_seed("country_aliases")
    )
    raw = usgs.read_usgs_files([SNAPSHOT_DIR / "usgs_mcs/2026/MCS2026_Commodities_Data.csv"])
    return production.conform_usgs(
        raw,
        chapters=load_seed("usgs_chapters"),
        rules=load_seed("usgs_series_rules"),
        units=units(),
        country_lookup=lookup,
    )


def baci_rare_earths(codes: list[str]) -> pl.DataFrame:
    return pl.read_parquet(SNAPSHOT_DIR / BACI_HS92).filter(
        pl.col("hs92_6").is_in(codes), pl.col("qty_t") > 0
    )


def test_rare_earth_compound_content_factor_from_the_raw_files():
    """HS 2846's factor in the seed = USGS's REO-equivalent US imports of compounds over BACI's
    gross weight of US imports of HS 2846, 2021-2024, both read from the raw files."""
    years = [2021, 2022, 2023, 2024]
    with open(SNAPSHOT_DIR / "usgs_mcs/2026/MCS2026_Commodities_Data.csv", encoding="cp1252") as f:
        usgs_reo = sum(
            float(r["Value"].replace(",", ""))
            for r in csv.DictReader(f)
            if r["MCS chapter"] == "RARE EARTHS"
            and r["Statistics_detail"] == "Imports: Compounds"
            and int(r["Year"]) in years
        )
    baci = baci_rare_earths(["284610", "284690"])
    gross = baci.filter(pl.col("importer_iso3") == "USA", pl.col("year").is_in(years))["qty_t"]
    factors = {r["hs6"]: float(r["factor"]) for r in seed("trade_content_factors")}
    assert usgs_reo == 35_620  # 7,730 + 10,800 + 8,970 + 8,120 t REO
    assert factors["284610"] == factors["284690"] == pytest.approx(usgs_reo / gross.sum(), abs=5e-4)


def test_lookthrough_usa_rare_earths_by_hand(con):
    """USA's refined rare-earth imports in 2024 traced to the feed of each exporter, from the raw
    BACI extract and the raw USGS file, on content: each exporter's feed is its own mine output
    (USGS, t REO) plus its imports of the commodity's trade codes by origin, each code's tonnes
    times its content factor (the seed), in proportion."""
    year = 2024
    codes = [
        r["hs6"]
        for r in seed("hs_mineral")
        if (r["nomenclature"], r["commodity"], r["stage"]) == ("HS92", "rare_earths", "refining")
    ]
    factor = {r["hs6"]: float(r["factor"]) for r in seed("trade_content_factors")}
    assert set(codes) <= set(factor)  # every code has a content factor: the commodity is traced
    # flows failing a plausibility test are in no share: their keys from the warehouse (issue 26),
    # their tonnes from the raw file
    outliers = pl.DataFrame(
        con.execute(
            "SELECT DISTINCT exporter_iso3, importer_iso3, hs6 FROM staging.trade_outliers "
            "WHERE nomenclature = 'HS92' AND year = ?",
            [year],
        ).fetchall(),
        schema=["exporter_iso3", "importer_iso3", "hs92_6"],
        orient="row",
    )
    baci = (
        baci_rare_earths(codes)
        .filter(pl.col("year") == year)
        .join(outliers, on=["exporter_iso3", "importer_iso3", "hs92_6"], how="anti")
        .with_columns(reo_t=pl.col("qty_t") * pl.col("hs92_6").replace_strict(factor))
    )

    def by_exporter(importer: str) -> dict[str, float]:
        rows = baci.filter(pl.col("importer_iso3") == importer).group_by("exporter_iso3")
        return dict(rows.agg(pl.col("reo_t").sum()).iter_rows())

    to_usa = by_exporter("USA")
    mcs = usgs_rows().filter(
        pl.col("commodity") == "rare_earths",
        pl.col("stage") == "mining",
        pl.col("year") == year,
        pl.col("iso3").is_not_null(),
        pl.col("amount") > 0,
    )
    mine = dict(mcs.select("iso3", "amount").iter_rows())

    traced: dict[str, float] = defaultdict(float)
    for exporter, q in to_usa.items():
        feed = defaultdict(float, by_exporter(exporter))
        feed[exporter] += mine.get(exporter, 0.0)
        total = sum(feed.values())
        if not total:  # neither output nor feed imports: the exporter stays its own origin
            traced[exporter] += q
            continue
        for origin, t in feed.items():
            traced[origin] += q * t / total
    imports = sum(to_usa.values())

    rows = con.execute(
        "SELECT origin_iso3, direct_share, lookthrough_share, content_unit, refined_imports_t "
        "FROM marts.refined_origin "
        "WHERE importer_iso3 = 'USA' AND commodity = 'rare_earths' AND year = ?",
        [year],
    ).fetchall()
    direct = {o: d for o, d, _, _, _ in rows}
    got = {o: lt for o, _, lt, _, _ in rows}
    assert {u for *_, u, _ in rows} == {"t REO"}
    assert rows[0][4] == pytest.approx(imports)
    for origin in ("CHN", "MMR", "EST", "MYS", "LAO"):
        assert got.get(origin, 0) == pytest.approx(traced.get(origin, 0) / imports, abs=1e-9)
        assert direct.get(origin, 0) == pytest.approx(to_usa.get(origin, 0) / imports, abs=1e-9)
    assert sum(got.values()) == pytest.approx(1)
    # the point of looking through: Myanmar ships no refined rare earths to the US directly,
    # yet part of what the US buys from China is refined from Myanmar's feed
    assert direct.get("MMR", 0) == 0 < got["MMR"]


def lookthrough_on(factors: list[tuple[str, float]]) -> set[str]:
    """The commodities marts.refined_origin traces on a tiny warehouse: nickel refined (HS
    750210, unwrought metal) bought by the USA from Canada, which mines nickel and imports ore
    (HS 260400) from Indonesia; `factors` are the content factors the seed holds."""
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA staging")
    con.execute(
        """CREATE TABLE marts.country_share AS SELECT * FROM (VALUES
           ('usgs_mcs', 'nickel', 'mining', 'production', false, 2024, 'CAN', 150000.0))
           t(source, commodity, stage, basis, is_projection, year, iso3, amount)"""
    )
    con.execute(
        """CREATE TABLE staging.dim_hs_mineral AS SELECT * FROM (VALUES
           ('HS17', '750210', 'nickel', 'refining'), ('HS92', '260400', 'nickel', 'mining'))
           t(nomenclature, hs6, commodity, stage)"""
    )
    con.execute(
        """CREATE TABLE staging.trade_flows AS SELECT * FROM (VALUES
           ('HS17', '750210', 'USA', 'CAN', 'nickel', 'refining', 2024, 1000.0, 'exclusive'),
           ('HS92', '260400', 'CAN', 'IDN', 'nickel', 'mining', 2024, 90000.0, 'exclusive'))
           t(nomenclature, hs6, importer_iso3, exporter_iso3, commodity, stage, year, quantity_t,
             exclusivity)"""
    )
    con.execute(
        "CREATE TABLE staging.bloc_members (bloc VARCHAR, iso3 VARCHAR, joined INTEGER, "
        '"left" INTEGER)'
    )
    con.execute(
        "CREATE TABLE staging.trade_content_factors "
        "(nomenclature VARCHAR, hs6 VARCHAR, factor DOUBLE, content_unit VARCHAR)"
    )
    for code, factor in factors:
        nomenclature = "HS17" if code == "750210" else "HS92"
        con.execute(
            "INSERT INTO staging.trade_content_factors VALUES (?, ?, ?, 't Ni')",
            [nomenclature, code, factor],
        )
    from pipelines.lib.sql import load_query

    trade_outliers(con)  # none: the tiny warehouse's flows are plausible
    con.execute(f"CREATE TABLE marts.refined_origin AS {load_query('marts/refined_origin.sql')}")
    rows = con.execute("SELECT DISTINCT commodity FROM marts.refined_origin").fetchall()
    return {c for (c,) in rows}


def test_lookthrough_leaves_out_a_commodity_whose_feed_code_has_no_content_factor():
    """Canada's nickel feed is its mine output (t Ni content) and its ore imports (gross
    weight): without a content factor for the ore, nickel is not traced at all - own output
    alone would credit Canada with the Indonesian ore's share."""
    assert lookthrough_on([("750210", 1.0)]) == set()
    assert lookthrough_on([("750210", 1.0), ("260400", 0.015)]) == {"nickel"}


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("reports/projects_pipeline.sql", {"commodity": "rare_earths"}),
        ("reports/projects_outlook.sql", {"commodity": None}),
        ("reports/exposure_lookthrough.sql", {"importer": "USA_JPN", "commodity": None}),
        ("dashboard/project_capacity_by_year.sql", {}),
        ("dashboard/china_vs_rest_by_scenario.sql", {}),
        ("dashboard/project_pipeline.sql", {}),
    ],
)
def test_printed_queries_bind_their_parameters(con, query, params):
    from pipelines.lib.sql import load_query

    cur = con.execute(load_query(query), params)
    columns = [d[0] for d in cur.description]
    got = cur.fetchall()
    assert got, query
    # a commodity filter keeps only that commodity; a pipeline line always shows its page
    if params.get("commodity") and "commodity" in columns:
        assert {r[columns.index("commodity")] for r in got} == {params["commodity"]}
    pages = ("source_url", "status_source_url") + (("source",) if "pipeline" in query else ())
    for name in pages:
        if name in columns:
            assert all(r[columns.index(name)].startswith("https://") for r in got)
