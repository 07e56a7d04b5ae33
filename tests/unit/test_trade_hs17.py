"""BACI HS17 (2022 and 2024) on a tiny real slice: read, conformed and stacked with HS92.

HS17 rows may only add (commodity, stage) series that no HS92 code carries; codes identical to
an HS92 code, or whose (commodity, stage) HS92 covers, are 'exclude' in the seed.
"""

import polars as pl
import pytest

from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed
from pipelines.lib.transforms import trade

HS17_2024 = SNAPSHOT_DIR / "baci/hs17/trade.parquet"
HS17_2022 = SNAPSHOT_DIR / "baci/hs17/baci_2022.csv"
HS92 = SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet"
# magnets (new series), natural graphite (same code as HS92), unwrought tungsten (tungsten
# refining is HS92 810110), copper cathodes (new series)
CODES = ["850511", "250490", "810194", "740311"]
COVERED = (
    "covered by the HS92 series 1995-2024; kept out to avoid a break/double count in 2022 and 2024"
)


@pytest.fixture(scope="module")
def usa_2024() -> pl.DataFrame:
    # Real rows: every 2024 flow of the four codes into the United States (value and quantity)
    return trade.read_baci_hs17_parquet(HS17_2024).filter(
        pl.col("importer_iso3") == "USA", pl.col("hs17_6").is_in(CODES)
    )


@pytest.fixture(scope="module")
def usa_2022() -> pl.DataFrame:
    # Real rows: the same for 2022, from the value-only CSV (USD, no quantity)
    return trade.read_baci_hs17_csv(HS17_2022).filter(
        pl.col("importer_iso3") == "USA", pl.col("hs17_6").is_in(CODES)
    )


@pytest.fixture(scope="module")
def raw17(usa_2022, usa_2024) -> pl.DataFrame:
    return pl.concat([usa_2022, usa_2024])


@pytest.fixture(scope="module")
def known(raw17) -> set[str]:
    # The slice's own codes stand in for staging.dim_country (ISO3 only: no S19)
    return (set(raw17["exporter_iso3"]) | set(raw17["importer_iso3"]) | {"TWN"}) - {"S19"}


@pytest.fixture(scope="module")
def flows17(raw17, known) -> pl.DataFrame:
    return trade.conform_baci(raw17, load_seed("hs_mineral"), known, nomenclature="HS17")


def test_readers_give_the_hs92_raw_shape(usa_2022, usa_2024):
    hs92_cols = pl.read_parquet_schema(HS92)
    for raw in (usa_2022, usa_2024):
        assert raw.columns == ["hs17_6" if c == "hs92_6" else c for c in hs92_cols]
    assert set(usa_2022["year"]) == {2022} and set(usa_2024["year"]) == {2024}
    assert usa_2022["qty_t"].null_count() == usa_2022.height  # the CSV has no quantity


def test_magnets_map_to_rare_earths_manufacturing(flows17):
    magnets = flows17.filter(pl.col("hs6") == "850511")
    assert magnets.height > 100
    assert set(magnets["commodity"]) == {"rare_earths"}
    assert set(magnets["stage"]) == {"manufacturing"}
    assert set(magnets["nomenclature"]) == {"HS17"} and set(magnets["source"]) == {"baci"}
    assert set(magnets["year"]) == {2022, 2024}


def test_codes_covered_by_hs92_are_excluded(raw17, flows17):
    # 250490: same code as HS92; 810194: other code, but HS92 810110 is tungsten refining
    assert {"250490", "810194"} <= set(raw17["hs17_6"])
    assert set(flows17["hs6"]) == {"850511", "740311"}
    summary = trade.summarise(raw17, flows17, load_seed("hs_mineral"), nomenclature="HS17")
    assert (
        summary["excluded_rows"]
        == raw17.filter(pl.col("hs17_6").is_in(["250490", "810194"])).height
    )
    assert summary["rows"] + summary["excluded_rows"] == summary["raw_rows"]


def test_2022_values_are_the_csvs_usd(flows17):
    csv = pl.read_csv(HS17_2022, infer_schema=False).filter(
        pl.col("j") == "USA", pl.col("cmd") == "850511"
    )
    china_csv = float(csv.filter(pl.col("i") == "CHN")["value"].item())
    assert china_csv == 532_637_988.0  # USD, as delivered
    got = flows17.filter(pl.col("year") == 2022, pl.col("hs6") == "850511")
    china = got.filter(pl.col("exporter_iso3") == "CHN").row(0, named=True)
    assert china["value_usd"] == pytest.approx(china_csv, rel=1e-12)
    assert china["quantity_t"] is None  # no quantity in 2022: null, never 0
    assert got["value_usd"].sum() == pytest.approx(csv["value"].cast(pl.Float64).sum())
    # S19 (Taiwan) -> TWN, as for HS92
    taiwan = got.filter(pl.col("exporter_iso3") == "TWN")["value_usd"].to_list()
    assert taiwan == [pytest.approx(8_417_056.0)]
    assert "S19" not in set(flows17["exporter_iso3"])


def test_2024_value_and_quantity_are_the_parquets(flows17):
    pq = pl.read_parquet(HS17_2024).filter(pl.col("importer") == "USA", pl.col("hs6") == "850511")
    china_pq = pq.filter(pl.col("exporter") == "CHN").row(0, named=True)
    got = flows17.filter(pl.col("year") == 2024, pl.col("hs6") == "850511")
    china = got.filter(pl.col("exporter_iso3") == "CHN").row(0, named=True)
    assert china["value_usd"] == pytest.approx(china_pq["value_kusd"] * 1000)  # 366,341,101
    assert china["value_usd"] == pytest.approx(366_341_101.0)
    assert china["quantity_t"] == pytest.approx(china_pq["qty_t"])  # 8,678.521 t
    assert got.height == pq.height
    assert got["value_usd"].sum() == pytest.approx(pq["value_kusd"].sum() * 1000)


def test_no_flow_key_in_both_nomenclatures(flows17, known):
    # Real HS92 rows for the same importer and years, every code (graphite 250490 included)
    raw92 = (
        trade.read_baci_extract(HS92)
        .filter(pl.col("importer_iso3") == "USA", pl.col("year").is_in([2022, 2024]))
        .collect()
    )
    known92 = known | set(raw92["exporter_iso3"]) | {"USA"}
    flows92 = trade.conform_baci(raw92, load_seed("hs_mineral"), known92 - {"S19"})
    assert "250490" in set(flows92["hs6"])  # graphite stays HS92 in 2022 and 2024
    combined = trade.combine_nomenclatures(flows92, flows17)
    assert combined.height == flows92.height + flows17.height
    assert combined.select(trade.FLOW_KEY).is_duplicated().sum() == 0
    assert set(combined["nomenclature"]) == {"HS92", "HS17"}
    # and every (commodity, stage) series comes from one nomenclature only
    per_series = combined.group_by("commodity", "stage").agg(pl.col("nomenclature").n_unique())
    assert per_series["nomenclature"].max() == 1


def test_a_code_not_excluded_would_double_count_and_is_refused(raw17, known):
    # Planted: the seed's HS17 graphite 250490 row switched from 'exclude' to graphite mining
    seed = load_seed("hs_mineral").with_columns(
        stage=pl.when((pl.col("nomenclature") == "HS17") & (pl.col("hs6") == "250490"))
        .then(pl.lit("mining"))
        .otherwise(pl.col("stage"))
    )
    with pytest.raises(ValueError, match="graphite/mining"):
        trade.check_series_rule(seed)
    graphite17 = trade.conform_baci(
        raw17.filter(pl.col("hs17_6") == "250490"), seed, known, nomenclature="HS17"
    )
    graphite92 = trade.conform_baci(
        graphite17.select(
            pl.col("year").cast(pl.Int64),
            hs92_6="hs6",
            exporter_iso3="exporter_iso3",
            importer_iso3="importer_iso3",
            value_kusd=pl.col("value_usd") / 1000,
            qty_t="quantity_t",
        ),
        seed,
        known,
    )
    with pytest.raises(ValueError, match="twice across nomenclatures"):
        trade.combine_nomenclatures(graphite92, graphite17)


def test_unknown_hs17_code_names_the_hs17_column(usa_2024, known):
    planted = usa_2024.head(3).with_columns(hs17_6=pl.lit("850519"))  # ferrite: not mapped
    with pytest.raises(SourceDataError, match="850519") as err:
        trade.conform_baci(planted, load_seed("hs_mineral"), known, nomenclature="HS17")
    assert err.value.field == "hs17_6"


def test_csv_reader_refuses_a_bad_value_and_a_missing_year(tmp_path):
    bad = tmp_path / "baci_2022.csv"
    bad.write_text("i,j,cmd,value\nCHN,USA,850511,12.5\nCHN,JPN,850511,n/a\n")
    with pytest.raises(SourceDataError, match="n/a") as err:
        trade.read_baci_hs17_csv(bad)
    assert err.value.field == "value"
    nameless = tmp_path / "baci.csv"
    nameless.write_text("i,j,cmd,value\nCHN,USA,850511,12.5\n")
    with pytest.raises(SourceDataError, match="year"):
        trade.read_baci_hs17_csv(nameless)
    assert trade.read_baci_hs17_csv(nameless, year=2023)["year"].to_list() == [2023]


def test_hs17_seed_rows_follow_the_rule():
    seed = load_seed("hs_mineral")
    hs17 = seed.filter(pl.col("nomenclature") == "HS17")
    files = set(pl.read_parquet(HS17_2024)["hs6"]) | set(
        pl.read_csv(HS17_2022, infer_schema=False)["cmd"]
    )
    # every HS17 code delivered is mapped (30); antimony oxide and synthetic graphite are mapped
    # too, with no rows in the bundled files (data/seeds/hs_content.csv says so)
    assert set(hs17["hs6"]) == files | {"282580", "380110"}
    trade.check_series_rule(seed)
    # an HS17 code HS92 already feeds, or whose series HS92 feeds, is excluded (282580 is used
    # in HS17 only: HS92 282580 is the excluded one, so antimony refining stays one nomenclature)
    hs92 = seed.filter(pl.col("nomenclature") == "HS92", pl.col("stage") != "exclude")
    covered = set(hs92.select("commodity", "stage").rows())
    for r in hs17.iter_rows(named=True):
        if r["hs6"] in set(hs92["hs6"]) or (r["commodity"], r["stage"]) in covered:
            assert r["stage"] == "exclude", r["hs6"]
        if r["stage"] == "exclude" and r["commodity"] != "coal":
            assert r["note"].startswith(COVERED), r["hs6"]
    used = hs17.filter(pl.col("stage") != "exclude")
    expected = {
        "850511": ("rare_earths", "manufacturing"),
        "740311": ("copper", "refining"),
        "750210": ("nickel", "refining"),
        "811010": ("antimony", "refining"),
        "811292": ("gallium", "refining"),
    }
    for code, series in expected.items():
        assert used.filter(pl.col("hs6") == code).select("commodity", "stage").row(0) == series
    assert used.filter(pl.col("hs6") == "811292")["exclusivity"].item() == "shared"
    assert hs17.filter(pl.col("hs6") == "810194")["stage"].item() == "exclude"
