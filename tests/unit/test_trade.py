"""conform_baci on a tiny real slice of the bundled BACI extract, with planted defects."""

import polars as pl
import pytest

from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.seeds import load_seed
from pipelines.lib.transforms import trade

BACI = SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet"


@pytest.fixture(scope="module")
def jpn_graphite_2022() -> pl.DataFrame:
    # Real rows: every 2022 flow of natural graphite powder/flakes (250410) into Japan (20 rows,
    # China USD 86.1 m of them; Taiwan ships USD 3,020 under BACI's S19)
    return (
        trade.read_baci_extract(BACI)
        .filter(
            pl.col("year") == 2022, pl.col("hs92_6") == "250410", pl.col("importer_iso3") == "JPN"
        )
        .collect()
    )


@pytest.fixture(scope="module")
def known(jpn_graphite_2022) -> set[str]:
    # The slice's own codes stand in for staging.dim_country (ISO3 only: no S19)
    codes = set(jpn_graphite_2022["exporter_iso3"]) | {"JPN", "TWN"}
    return codes - {"S19"}


def test_conforms_the_real_slice(jpn_graphite_2022, known):
    flows = trade.conform_baci(jpn_graphite_2022, load_seed("hs_mineral"), known)
    assert flows.columns == list(trade.TRADE_FLOWS_SCHEMA)
    assert flows.height == jpn_graphite_2022.height
    assert set(flows["commodity"]) == {"graphite"} and set(flows["stage"]) == {"mining"}
    assert set(flows["source"]) == {"baci"} and set(flows["nomenclature"]) == {"HS92"}
    china = flows.filter(pl.col("exporter_iso3") == "CHN").row(0, named=True)
    # BACI value is thousand USD: 86,114.509 kUSD -> USD 86,114,509
    assert china["value_usd"] == pytest.approx(86_114_509.0)
    assert china["quantity_t"] == pytest.approx(35_473.491)  # tonnes, unchanged


def test_s19_becomes_taiwan(jpn_graphite_2022, known):
    flows = trade.conform_baci(jpn_graphite_2022, load_seed("hs_mineral"), known)
    assert "S19" not in set(flows["exporter_iso3"])
    taiwan = flows.filter(pl.col("exporter_iso3") == "TWN")
    assert taiwan["value_usd"].to_list() == [pytest.approx(3_020.0)]  # BACI 3.02 kUSD


def test_null_quantity_stays_null(jpn_graphite_2022, known):
    # Planted: BACI has no quantity for the Madagascar flow (47,568 such rows in the full file)
    planted = jpn_graphite_2022.with_columns(
        qty_t=pl.when(pl.col("exporter_iso3") == "MDG").then(None).otherwise(pl.col("qty_t"))
    )
    flows = trade.conform_baci(planted, load_seed("hs_mineral"), known)
    mdg = flows.filter(pl.col("exporter_iso3") == "MDG").row(0, named=True)
    assert mdg["quantity_t"] is None  # never silently 0
    assert mdg["value_usd"] == pytest.approx(2_967_550.0)
    summary = trade.summarise(planted, flows, load_seed("hs_mineral"))
    assert summary["missing_quantity_rows"] == 1
    assert summary["taiwan_s19_rows"] == 1


def test_unknown_hs6_raises_naming_the_code(jpn_graphite_2022, known):
    # Planted: a code the reviewed seed does not map (HS92 2504 has no 250499)
    planted = jpn_graphite_2022.with_columns(
        hs92_6=pl.when(pl.col("exporter_iso3") == "USA")
        .then(pl.lit("250499"))
        .otherwise(pl.col("hs92_6"))
    )
    with pytest.raises(SourceDataError, match="250499") as err:
        trade.conform_baci(planted, load_seed("hs_mineral"), known)
    assert err.value.field == "hs92_6"


def test_unknown_country_raises_naming_the_code(jpn_graphite_2022, known):
    # Planted: an exporter code that is neither ISO3, S19 nor a historical BACI entity
    planted = jpn_graphite_2022.with_columns(
        exporter_iso3=pl.when(pl.col("exporter_iso3") == "BRA")
        .then(pl.lit("XXB"))
        .otherwise(pl.col("exporter_iso3"))
    )
    with pytest.raises(SourceDataError, match="XXB") as err:
        trade.conform_baci(planted, load_seed("hs_mineral"), known)
    assert err.value.field == "exporter_iso3"


def test_historical_entities_kept_and_excluded_codes_dropped(known):
    # Real rows: 1995 Southern African Customs Union (ZA1) exports of platinum (711011) and
    # precious-metal scrap (711290, stage 'exclude' in the seed) to the United States
    rows = (
        trade.read_baci_extract(BACI)
        .filter(
            pl.col("year") == 1995,
            pl.col("exporter_iso3") == "ZA1",
            pl.col("importer_iso3") == "USA",
            pl.col("hs92_6").is_in(["711011", "711290"]),
        )
        .collect()
    )
    assert set(rows["hs92_6"]) == {"711011", "711290"}
    flows = trade.conform_baci(rows, load_seed("hs_mineral"), known | {"USA"})
    assert flows["hs6"].to_list() == ["711011"]  # scrap dropped, platinum kept
    assert flows["exporter_iso3"].to_list() == ["ZA1"]


def test_every_extract_code_is_in_the_seed():
    seed = load_seed("hs_mineral")
    codes = pl.read_csv(
        SNAPSHOT_DIR / "baci/hs92/product_codes_HS92_subset.csv", infer_schema=False
    )
    hs92 = seed.filter(pl.col("nomenclature") == "HS92")
    # every code of the extract is mapped; the mapped codes it lacks (antimony oxide, synthetic
    # graphite: live releases carry them) are those the content seed says have no bundled data
    content = load_seed("hs_content").filter(pl.col("nomenclature") == "HS92")
    absent = set(content.filter(pl.col("data") == "none in the bundled snapshot")["hs6"])
    assert absent == {"282580", "380110"}
    assert set(hs92["hs6"]) == set(codes["code"]) | absent
    assert set(seed["nomenclature"]) == {"HS92", "HS17"}  # HS17: see test_trade_hs17.py
    assert seed.select("nomenclature", "hs6").is_duplicated().sum() == 0
    assert set(seed["stage"]) <= {"mining", "refining", "manufacturing", "exclude"}
    assert set(seed["exclusivity"]) <= {"exclusive", "shared"}
    assert seed["commodity"].str.contains(r"^[a-z][a-z0-9_]*$").all()
