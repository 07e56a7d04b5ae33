"""The whole graph on the bundled snapshot, checked against figures computed here from raw files."""

import csv
import io

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import defs
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.sql import load_query
from tests.e2e.conftest import refresh

pytestmark = pytest.mark.e2e


def rows(con, sql, params=None):
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def usgs_2026_rare_earth_mining_2025():
    """Rare-earth mine production 2025 straight from the cp1252 MCS2026 file, by hand."""
    text = (SNAPSHOT_DIR / "usgs_mcs/2026/MCS2026_Commodities_Data.csv").read_bytes()
    by_country, world = {}, None
    for r in csv.DictReader(io.StringIO(text.decode("cp1252"))):
        if (
            r["MCS chapter"] == "RARE EARTHS"
            and r["Statistics"] == "Production"
            and r["Year"] == "2025"
            and r["Section"].startswith("World")
        ):
            value = r["Value"].replace(",", "")
            if r["Country"] == "World total":
                world = float(value)
            elif value.isdigit() and r["Country"] != "Other countries":
                by_country[r["Country"]] = float(value)
    return by_country, world


def test_tables_no_asset_writes_are_not_published(published):
    con, _, _ = published
    tables = {
        r[0]
        for r in con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables()"
        ).fetchall()
    }
    assert "staging.production_series" not in tables
    assert {"marts.import_dependence", "staging.partner_group", "meta.refresh"} <= tables


def test_every_published_table_is_an_asset_key(published):
    con, _, _ = published
    tables = {
        r[0]
        for r in con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables()"
        ).fetchall()
    }
    keys = {".".join(k.path) for k in defs.resolve_all_asset_keys()}
    assert tables <= keys, tables - keys
    assert len(tables) >= 30


def test_headline_uses_the_representative_series_of_every_focus_commodity(published):
    """The headline shows, per focus (commodity, stage), the series the shared rule picks; the
    rule computed here by hand from supply_concentration: USGS for mining, IEA for refining
    where it publishes the commodity, the latest year of that source."""
    con, _, _ = published
    headline = {r["commodity"]: r for r in rows(con, load_query("reports/headline.sql"))}
    focus = [
        r[0] for r in con.execute("SELECT commodity FROM staging.focus_commodities").fetchall()
    ]
    assert set(headline) <= set(focus) and len(headline) >= 15
    for commodity in focus:
        for stage, preferred in (("mining", "usgs_mcs"), ("refining", "iea")):
            series = rows(
                con,
                """SELECT source, year, china_share, china_listed, hhi
                   FROM marts.supply_concentration
                   WHERE commodity = ? AND stage = ? AND basis = 'production'
                     AND NOT is_projection ORDER BY year DESC""",
                [commodity, stage],
            )
            if not series:
                assert headline.get(commodity, {}).get(f"{stage}_year") is None
                continue
            sources = {r["source"] for r in series}
            source = preferred if preferred in sources else sources.pop()
            pick = next(r for r in series if r["source"] == source)
            shown = headline[commodity]
            assert shown[f"{stage}_year"] == pick["year"], (commodity, stage)
            assert shown[f"{stage}_hhi"] == round(pick["hhi"]), (commodity, stage)
            china = round(100 * pick["china_share"], 1) if pick["china_listed"] else None
            assert shown[f"{stage} China %"] == china, (commodity, stage)
    # copper refining: IEA 2024 wins over a newer USGS 2025 year
    assert headline["copper"]["refining_source"] == "iea"


def test_every_blocking_check_passed(published):
    _, checks, _ = published
    failed = [
        k for k, e in checks.items() if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert not failed
    assert ("staging/production", "gx_suite") in checks


def test_rare_earth_mining_shares_2025_match_the_raw_file(published):
    con, _, _ = published
    by_country, world = usgs_2026_rare_earth_mining_2025()
    total = max(world, sum(by_country.values()))
    got = {
        r["country"]: r
        for r in rows(
            con,
            """
        SELECT country, share, amount FROM marts.country_share
        WHERE source = 'usgs_mcs' AND commodity = 'rare_earths' AND stage = 'mining'
          AND year = 2025 AND amount > 0""",
        )
    }
    assert got["China"]["share"] == pytest.approx(by_country["China"] / total)
    assert got["United States"]["share"] == pytest.approx(by_country["United States"] / total)
    assert len(got) == len([v for v in by_country.values() if v > 0])
    conc = rows(
        con,
        """SELECT * FROM marts.supply_concentration WHERE source = 'usgs_mcs'
        AND commodity = 'rare_earths' AND stage = 'mining' AND year = 2025""",
    )[0]
    expected_hhi = sum((100 * v / total) ** 2 for v in by_country.values())
    assert conc["hhi"] == pytest.approx(expected_hhi)
    assert conc["china_share"] == pytest.approx(by_country["China"] / total)
    top3 = sorted(by_country.values(), reverse=True)[:3]
    assert conc["top3_share"] == pytest.approx(sum(top3) / total)
    assert conc["concentration_band"] == "highly concentrated"


def test_iea_refining_top3_matches_the_workbook(published):
    con, _, _ = published
    import openpyxl

    book = openpyxl.load_workbook(
        SNAPSHOT_DIR / "iea/CM_Data_Explorer_May2024.xlsx", read_only=True, data_only=True
    )
    sheet = list(book["2 Total supply for key minerals"].iter_rows(values_only=True))
    # "Cobalt - Refining" block, right-hand side: the 2023 column sits right of the label
    start = next(i for i, r in enumerate(sheet) if r[6] == "Cobalt - Refining")
    block = {r[6]: r[7] for r in sheet[start + 1 : start + 10] if r[6]}
    conc = rows(
        con,
        """SELECT top3_share, china_share, unallocated_share
        FROM marts.supply_concentration
        WHERE source = 'iea' AND commodity = 'cobalt' AND stage = 'refining' AND year = 2023""",
    )
    assert conc[0]["top3_share"] == pytest.approx(block["Top 3 share"], abs=1e-9)
    assert conc[0]["china_share"] == pytest.approx(
        block["China"] / block["Total clean technologies"]
    )
    assert conc[0]["unallocated_share"] == pytest.approx(
        block["Rest of world"] / block["Total clean technologies"]
    )


def test_headline_minerals_have_mining_and_refining_for_their_latest_year(published):
    con, _, _ = published
    for commodity in ["rare_earths", "lithium", "cobalt", "nickel", "graphite", "copper"]:
        stages = {
            r["stage"]
            for r in rows(
                con,
                """
            SELECT DISTINCT stage FROM marts.supply_concentration
            WHERE commodity = ? AND NOT is_projection AND year >= 2024""",
                [commodity],
            )
        }
        assert {"mining", "refining"} <= stages, commodity


def test_usgs_mining_series_cover_2020_to_2025(published):
    con, _, _ = published
    years = {
        r["year"]
        for r in rows(
            con,
            """SELECT DISTINCT year FROM marts.supply_concentration
        WHERE source = 'usgs_mcs' AND commodity = 'lithium' AND stage = 'mining'""",
        )
    }
    assert years == set(range(2020, 2026))


def test_contract_columns(published):
    con, _, _ = published
    contract = {
        "country_share": [
            "source",
            "commodity",
            "stage",
            "basis",
            "year",
            "is_estimate",
            "is_projection",
            "iso3",
            "country",
            "amount",
            "unit",
            "share",
            "rank",
        ],
        "supply_concentration": [
            "source",
            "commodity",
            "stage",
            "basis",
            "year",
            "is_estimate",
            "is_projection",
            "world_total",
            "unit",
            "n_countries",
            "top1_iso3",
            "top1_share",
            "top3_share",
            "hhi",
            "effective_suppliers",
            "china_share",
            "concentration_band",
            "unallocated_share",
        ],
    }
    for table, columns in contract.items():
        got = [r[0] for r in con.execute(f"DESCRIBE marts.{table}").fetchall()]
        assert got[: len(columns)] == columns


def test_failed_refresh_leaves_the_published_warehouse_untouched(published_snapshot, tmp_path):
    import hashlib
    import shutil

    from pipelines.lib.inputs import write_manifest

    tmp = published_snapshot.copy_to(tmp_path / "copy")  # this test writes
    target = tmp / "warehouse" / "minerals.duckdb"
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    snapshot = tmp_path / "snapshot"
    shutil.copytree(SNAPSHOT_DIR, snapshot)
    planted = snapshot / "usgs_mcs/2024/mcs2024-lithi_world.csv"
    # planted: a new country spelling in a newer release, not in the alias seed
    planted.write_text(
        planted.read_text(encoding="utf-8-sig").replace("Zimbabwe", "Zimbabwé"), encoding="utf-8"
    )
    write_manifest(snapshot)  # as if the new release were pinned: the reader must still refuse it
    result = refresh(tmp, snapshot_dir=str(snapshot))
    assert not result.success
    errors = [
        str(e.event_specific_data.error)
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
    ]
    assert any("Zimbabwé" in e and "mcs2024-lithi_world.csv" in e for e in errors)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    con = duckdb.connect(str(target), read_only=True)
    assert con.execute("SELECT count(*) FROM marts.supply_concentration").fetchone()[0] > 0


def test_killed_refresh_leaves_the_published_warehouse_readable(published_snapshot, tmp_path):
    import hashlib
    import os
    import signal
    import subprocess
    import sys
    import time

    tmp = published_snapshot.copy_to(tmp_path / "copy")  # this test writes
    target = tmp / "warehouse" / "minerals.duckdb"
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    env = dict(os.environ, MINERALS_WAREHOUSE_DIR=str(tmp / "warehouse"))
    env["DAGSTER_HOME"] = str(tmp / "dagster_home")  # not the project's run history
    (tmp / "dagster_home").mkdir(exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "refresh"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    build = tmp / "warehouse" / "build" / "minerals.duckdb"
    start_mtime = build.stat().st_mtime
    deadline = time.time() + 60
    while time.time() < deadline and build.stat().st_mtime == start_mtime:
        time.sleep(0.05)  # wait until the refresh is writing the build
    reader = duckdb.connect(str(target), read_only=True)  # an analyst reading throughout
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert reader.execute("SELECT count(*) FROM marts.country_share").fetchone()[0] > 0
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before


def test_rerunning_alerts_adds_no_duplicates(published, published_snapshot, tmp_path):
    from pipelines.defs.resources import SourcesResource, WarehouseResource
    from pipelines.defs.risk.assets import alerts, no_new_alerts

    _, checks, _ = published
    tmp = published_snapshot.copy_to(tmp_path / "copy")  # this test writes
    first = checks[("marts/alerts", "no_new_alerts")]
    assert not first.passed  # the first refresh records the history it finds, and says so
    assert "new alert(s)" in first.description
    assert "China share" in first.metadata["messages"].value
    resources = {
        "sources": SourcesResource(),
        "warehouse": WarehouseResource(directory=str(tmp / "warehouse")),
    }
    build = duckdb.connect(str(tmp / "warehouse/build/minerals.duckdb"), read_only=True)
    before = build.execute("SELECT count(*) FROM marts.alerts").fetchone()[0]
    build.close()
    again = dg.materialize(
        [alerts, no_new_alerts], resources=resources, instance=dg.DagsterInstance.ephemeral()
    )
    (evaluation,) = again.get_asset_check_evaluations()
    assert evaluation.passed and evaluation.description == "no new alerts"
    build = duckdb.connect(str(tmp / "warehouse/build/minerals.duckdb"), read_only=True)
    assert build.execute(
        "SELECT count(*), count(DISTINCT alert_key) FROM marts.alerts"
    ).fetchone() == (before, before)


def test_cli_answers_from_the_published_warehouse(published, monkeypatch, capsys):
    from pipelines import cli

    _, _, tmp = published
    monkeypatch.setenv("MINERALS_WAREHOUSE_DIR", str(tmp / "warehouse"))
    assert cli.main(["show", "rare_earths"]) == 0
    out = capsys.readouterr().out
    assert "refining  iea" in out and "highly concentrated" in out
    assert (
        cli.main(
            ["sql", "select count(*) as n from marts.supply_concentration", "--format", "json"]
        )
        == 0
    )
    assert '"n":' in capsys.readouterr().out
    assert cli.main(["status"]) == 0
    assert "usgs_mcs" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        cli.main(["show", "rare_eartss"])  # a typo: the error suggests the right name
    assert "rare_earths" in str(exc.value.code)
    with pytest.raises(SystemExit) as exc:
        cli.main(["sql", "select * from marts.nope"])
    assert "nope" in str(exc.value.code)


def test_every_example_query_runs_and_returns_rows(published):
    from pipelines.lib.paths import SQL_DIR

    con, _, _ = published
    examples = sorted((SQL_DIR / "examples").glob("*.sql"))
    assert len(examples) >= 12
    for path in examples:
        result = con.execute(path.read_text()).fetchall()
        assert result, f"{path.name} returned no rows"


BACI = SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet"
NATURAL_GRAPHITE = ["250410", "250490"]  # HS92: natural graphite, powder/flakes and other


def graphite_flows_2024():
    """Natural-graphite flows of 2024 straight from the BACI parquet (thousand USD)."""
    import polars as pl

    return (
        pl.read_parquet(BACI)
        .filter(pl.col("year") == 2024, pl.col("hs92_6").is_in(NATURAL_GRAPHITE))
        .with_columns(
            exporter=pl.col("exporter_iso3").replace("S19", "TWN"),
            importer=pl.col("importer_iso3").replace("S19", "TWN"),
            usd=pl.col("value_kusd") * 1000,
        )
    )


def test_export_concentration_matches_the_raw_parquet(published):
    con, _, _ = published
    flows = graphite_flows_2024()
    by_exporter = flows.group_by("exporter").agg(usd=pl_sum("usd"))
    world = by_exporter["usd"].sum()
    shares = {r["exporter"]: r["usd"] / world for r in by_exporter.iter_rows(named=True)}
    got = rows(
        con,
        """SELECT * FROM marts.export_concentration WHERE basis = 'export_value'
        AND commodity = 'graphite' AND stage = 'mining' AND year = 2024""",
    )[0]
    assert got["world_total"] == pytest.approx(world)
    assert got["china_share"] == pytest.approx(shares["CHN"])
    assert got["hhi"] == pytest.approx(sum((100 * s) ** 2 for s in shares.values()))
    assert got["n_exporters"] == len(shares)
    assert got["top_exporter_iso3"] == max(shares, key=shares.get)
    assert got["outlier_share"] == 0  # no 2024 natural-graphite flow is an outlier


def test_import_shares_and_disruption_match_the_raw_parquet(published):
    con, _, _ = published
    flows = graphite_flows_2024()
    japan = flows.filter(flows["importer"] == "JPN")
    total = japan["usd"].sum()
    from_china = japan.filter(japan["exporter"] == "CHN")["usd"].sum()
    dep = rows(
        con,
        """SELECT * FROM marts.import_dependence WHERE importer_iso3 = 'JPN'
        AND commodity = 'graphite' AND stage = 'mining' AND year = 2024""",
    )[0]
    assert dep["import_value_usd"] == pytest.approx(total)
    assert dep["china_share"] == pytest.approx(from_china / total)
    assert dep["exceeds_eu_65pct_cap"] == (from_china / total > 0.65)
    china_exports = flows.filter(flows["exporter"] == "CHN")["usd"].sum()
    risk = rows(
        con,
        """SELECT * FROM marts.disruption_exposure WHERE supplier_iso3 = 'CHN'
        AND importer_iso3 = 'JPN' AND commodity = 'graphite' AND stage = 'mining'
        AND year = 2024""",
    )[0]
    assert risk["value_at_risk_usd"] == pytest.approx(from_china)
    assert risk["share_at_risk"] == pytest.approx(from_china / total)
    assert risk["alternative_supply_ratio"] == pytest.approx(
        (flows["usd"].sum() - china_exports) / from_china
    )


def test_export_control_exposure_matches_the_raw_parquet(published):
    con, _, _ = published
    flows = graphite_flows_2024()
    china = flows.filter(flows["exporter"] == "CHN")["usd"].sum()
    got = rows(
        con,
        """SELECT * FROM marts.export_control_exposure
        WHERE measure_id = 'CN-2023-39' AND importer_iso3 = 'WORLD' AND year = 2024""",
    )[0]
    assert got["covered_value_usd"] == pytest.approx(china)
    assert got["covered_share"] == pytest.approx(china / flows["usd"].sum())
    assert got["period"] == "after"  # effective 2023-12-01


def pl_sum(column):
    import polars as pl

    return pl.col(column).sum()


def test_data_dictionary_page_matches_the_published_warehouse(published):
    from pipelines.lib import catalog_docs
    from pipelines.lib.paths import PROJECT_ROOT

    con, _, _ = published
    page = (PROJECT_ROOT / "docs" / "data-dictionary.md").read_text()
    expected = catalog_docs.render_document(page, catalog_docs.data_dictionary(con))
    assert page == expected, "docs/data-dictionary.md is stale: run `make docs`"
    assert not catalog_docs.undocumented(con)


def test_importer_supply_risk_by_hand(published):
    """GeoPolRisk for Japan's natural graphite 2024, from the raw parquet and the WGI files."""
    import polars as pl

    from pipelines.lib.transforms.governance import read_wgi_bulk

    con, _, _ = published
    flows = graphite_flows_2024().filter(pl.col("importer") == "JPN")
    shares = flows.group_by("exporter").agg(usd=pl.col("usd").sum())
    total = shares["usd"].sum()
    economies = set(read_wgi_bulk(SNAPSHOT_DIR / "wgi/WGIData.csv")["iso3"])
    # WGI political stability of 2024 itself, from the newer file, for WGI's own economies
    newer = SNAPSHOT_DIR / "wgi/political_stability_1996_2024/wgi_pv_1996_2024.csv"
    instability = {
        r["iso3"]: min(1, max(0, (2.5 - float(r["estimate"])) / 5))
        for r in csv.DictReader(io.StringIO(newer.read_text()))
        if r["year"] == "2024" and r["estimate"] and r["iso3"] in economies
    }
    weighted = sum(
        r["usd"] / total * instability[r["exporter"]]
        for r in shares.iter_rows(named=True)
        if r["exporter"] in instability
    )
    (production_hhi,) = con.execute("""SELECT hhi / 10000 FROM marts.supply_concentration
        WHERE source = 'usgs_mcs' AND commodity = 'graphite' AND stage = 'mining'
          AND basis = 'production' AND year = 2024""").fetchone()
    got = rows(
        con,
        """SELECT * FROM marts.importer_supply_risk WHERE importer_iso3 = 'JPN'
        AND commodity = 'graphite' AND stage = 'mining' AND year = 2024""",
    )[0]
    assert got["import_weighted_instability"] == pytest.approx(weighted)
    assert got["geopolrisk_value_basis"] == pytest.approx(production_hhi * weighted)


def test_magnet_exposure_of_announcement_61_from_the_hs2017_extract(published):
    import polars as pl

    con, _, _ = published
    magnets = pl.read_parquet(SNAPSHOT_DIR / "baci/hs17/trade.parquet").filter(
        pl.col("year") == 2024, pl.col("hs6").cast(pl.String) == "850511"
    )
    # two Chinese flows declare magnets at $381/t and $1,265/t (NdFeB sells at tens of
    # dollars a kilogram): quantity errors, left out as outliers (docs/trade-checks.md)
    left_out = {("CHN", "ISR"), ("CHN", "PAK")}
    assert {
        (r["exporter_iso3"], r["importer_iso3"])
        for r in rows(
            con,
            "SELECT exporter_iso3, importer_iso3 FROM staging.trade_outliers "
            "WHERE hs6 = '850511' AND year = 2024",
        )
    } == left_out
    magnets = magnets.filter(
        ~pl.struct("exporter", "importer").is_in(
            [{"exporter": e, "importer": i} for e, i in left_out]
        )
    )
    china = magnets.filter(pl.col("exporter") == "CHN")["value_kusd"].sum() * 1000
    world = magnets["value_kusd"].sum() * 1000
    got = rows(
        con,
        """SELECT * FROM marts.export_control_exposure WHERE measure_id = 'CN-2025-61'
           AND nomenclature = 'HS17' AND importer_iso3 = 'WORLD' AND year = 2024""",
    )[0]
    assert got["covered_value_usd"] == pytest.approx(china)
    assert got["covered_share"] == pytest.approx(china / world)
    assert got["includes_shared_codes"] is True  # 850511 also holds non-rare-earth magnets
    assert got["coverage_note"].startswith("Not measurable on annual HS92 trade")


def test_every_measure_has_exposure_rows_or_a_stated_reason(published):
    con, _, _ = published
    seed = {r["measure_id"] for r in csv.DictReader(io.StringIO(SEED_CONTROLS.read_text()))}
    notes = {
        r["measure_id"]: r
        for r in rows(
            con,
            """SELECT measure_id, count(year) AS years, any_value(coverage_note) AS note
               FROM marts.export_control_exposure GROUP BY measure_id""",
        )
    }
    assert set(notes) == seed
    assert all(r["note"] for r in notes.values())
    assert notes["CN-2023-TECH"]["years"] == 0 and "no trade" in notes["CN-2023-TECH"]["note"]
    assert "monthly exports 811292" in notes["CN-2023-23"]["note"]


def test_graphite_event_study_matches_the_raw_monthly_file(published):
    con, _, _ = published
    path = SNAPSHOT_DIR / "comtrade/china_exports_monthly/deep_dive_hs6_monthly.csv"
    usa = [
        r
        for r in csv.DictReader(io.StringIO(path.read_text()))
        if r["partner_name"] == "USA" and r["hs6"] == "380110"
    ]
    before = sum(float(r["val"]) for r in usa if "2022-12" <= r["period_dt"][:7] <= "2023-11")
    after = sum(float(r["val"]) for r in usa if "2023-12" <= r["period_dt"][:7] <= "2024-11")
    got = rows(
        con,
        """SELECT * FROM marts.export_control_event_study WHERE measure_id = 'CN-2023-39'
           AND hs6 = '380110' AND destination = 'USA' AND window_months = 12""",
    )[0]
    assert (got["value_before_usd"], got["value_after_usd"]) == (
        pytest.approx(before),
        pytest.approx(after),
    )


SEED_CONTROLS = SNAPSHOT_DIR.parent / "seeds" / "export_controls.csv"
