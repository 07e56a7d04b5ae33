"""The GX runner: whole-group batches keep uniqueness exact; a year-partitioned run validates
only the years it wrote."""

import dagster as dg
import polars as pl
import pytest

from pipelines.defs.quality import run_years
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.trade.assets import staging_trade_flows, trade_flows_suite
from pipelines.defs.trade.partitions import year_range_tags
from pipelines.lib import quality

ROW = {
    "source": "baci",
    "nomenclature": "HS92",
    "hs6": "250410",
    "commodity": "graphite",
    "stage": "mining",
    "exclusivity": "exclusive",
    "importer_iso3": "JPN",
    "value_usd": 10.0,
    "quantity_t": 1.0,
}


def flows(year_exporters: list[tuple[int, str]]) -> pl.DataFrame:
    return pl.DataFrame([{**ROW, "year": y, "exporter_iso3": e} for y, e in year_exporters])


def suite(df, **kw):
    return quality.validate(
        df,
        "staging.trade_flows",
        id_columns=["year", "exporter_iso3"],
        parameters={"iso3_codes": ["CHN", "JPN", "USA", "BRA"]},
        **kw,
    )


def test_whole_year_batches_catch_a_duplicate_that_row_batches_split():
    # 2000: CHN twice, at rows 0 and 3: row batches of 3 put them apart
    df = flows([(2000, "CHN"), (2000, "USA"), (2000, "BRA"), (2000, "CHN"), (2001, "CHN")])
    assert suite(df, batch_rows=3).success  # the blind spot of slicing by rows
    result = suite(df, batch_rows=3, batch_by="year")
    assert not result.success
    (failure,) = result.failures
    assert failure.expectation == "expect_compound_columns_to_be_unique"
    assert failure.unexpected_count == 2


def test_run_years_from_the_run_tags():
    assert run_years(year_range_tags(2019, 2021)) == [2019, 2020, 2021]
    assert run_years({"dagster/partition": "2020"}) == [2020]
    assert run_years({}) is None


@pytest.mark.parametrize(("years", "passed"), [((2001, 2001), True), ((2000, 2001), False)])
def test_the_trade_suite_checks_only_the_years_of_the_run(tmp_path, years, passed):
    wh = WarehouseResource(directory=str(tmp_path))
    bad = flows([(2000, "XXX"), (2001, "CHN")])  # 2000 has an unknown exporter
    with wh.get().connect() as con:
        wh.get().write_table(con, "staging.trade_flows", bad)
        wh.get().write_table(
            con, "staging.dim_country", pl.DataFrame({"iso3": ["CHN", "JPN", "USA"]})
        )
    result = dg.materialize(
        [staging_trade_flows, trade_flows_suite],
        selection=dg.AssetSelection.checks(trade_flows_suite),
        resources={"warehouse": wh},
        instance=dg.DagsterInstance.ephemeral(),
        tags=year_range_tags(*years),
        raise_on_error=False,
    )
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed is passed
    assert evaluation.metadata["years"].value == f"{years[0]}-{years[1]}"


def test_gx_gets_only_the_columns_its_suite_reads(monkeypatch):
    spec = quality.load_suite_json("staging.trade_flows")
    needed = quality.suite_columns(spec, ["year", "exporter_iso3"])
    assert needed == {
        "source", "nomenclature", "year", "hs6", "exporter_iso3", "importer_iso3", "value_usd",
        "stage", "quantity_t",
    }  # fmt: skip
    handed = []
    to_pandas = pl.DataFrame.to_pandas
    monkeypatch.setattr(
        pl.DataFrame,
        "to_pandas",
        lambda self, *a, **k: handed.append(self.columns) or to_pandas(self),
    )
    df = flows([(2000, "CHN"), (2000, "XXX")])
    result = suite(df)
    assert handed == [[c for c in df.columns if c in needed]]  # no commodity, no exclusivity
    (failure,) = result.failures  # and the suite still names the offending row
    assert failure.column == "exporter_iso3" and failure.examples[0]["exporter_iso3"] == "XXX"


def test_a_suite_reading_the_whole_table_gets_every_column():
    row_count = {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}}
    column = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "iso3"}}
    assert quality.suite_columns({"expectations": [row_count, column]}, ["k"]) == {"k", "iso3"}
    ordered = {"type": "expect_table_columns_to_match_ordered_list", "kwargs": {"column_list": []}}
    assert quality.suite_columns({"expectations": [ordered, column]}, ["k"]) is None
    conditional = {**column, "kwargs": {"column": "iso3", "row_condition": 'col("y")>0'}}
    assert quality.suite_columns({"expectations": [conditional]}, ["k"]) is None


def test_narrow_numbers_reach_gx_as_64_bit_and_out_of_range_rows_are_still_named(monkeypatch):
    # GX vectorizes `between` only on int64/float64; an Int32 year took a Python call per row
    handed = []
    to_pandas = pl.DataFrame.to_pandas
    monkeypatch.setattr(
        pl.DataFrame,
        "to_pandas",
        lambda self, *a, **k: handed.append(dict(self.schema)) or to_pandas(self),
    )
    df = flows([(2000, "CHN"), (2031, "JPN")]).with_columns(
        pl.col("year").cast(pl.Int32),
        pl.Series("value_usd", [-1.0, 10.0], dtype=pl.Float32),
    )
    result = suite(df)
    assert handed[0]["year"] == pl.Int64 and handed[0]["value_usd"] == pl.Float64
    named = {f.column: f.examples[0] for f in result.failures}
    assert named["year"]["year"] == 2031
    assert named["value_usd"]["year"] == 2000
