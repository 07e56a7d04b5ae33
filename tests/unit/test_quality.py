"""The GX runner: suites made from the contracts (one expectation per column rule, nothing
declared twice); a year-partitioned run validates only the years it wrote."""

import dagster as dg
import polars as pl
import pytest
import yaml

from pipelines.definitions import defs
from pipelines.defs.quality import run_years
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.trade.assets import staging_trade_flows, trade_flows_suite
from pipelines.defs.trade.partitions import year_range_tags
from pipelines.lib import quality
from pipelines.lib.contracts import GREAT_EXPECTATIONS, contract_for, load_contracts
from pipelines.lib.paths import PROJECT_ROOT

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


TRADE_SUITE = quality.suite_spec(contract_for("staging.trade_flows"))


def suite(df, **kw):
    return quality.validate(df, TRADE_SUITE, id_columns=["year", "exporter_iso3"], **kw)


GX_KEYS = {"min", "max", "not_null", "values", "regex"}  # column keys GX runs (min+max: one)


@pytest.mark.parametrize(
    "table", sorted(t for t, c in load_contracts().items() if c.validator == GREAT_EXPECTATIONS)
)
def test_a_suite_holds_exactly_the_column_rules_its_contract_declares(table):
    contract = contract_for(table)
    raw = yaml.safe_load(contract.path.read_text())["columns"]
    implied = sum(
        len(set(spec) & GX_KEYS) - ({"min", "max"} <= set(spec))
        for spec in raw.values()
        if isinstance(spec, dict)
    )
    spec = quality.suite_spec(contract)
    assert len(spec["expectations"]) == implied > 0
    # GX loads every one (a misspelled type would be dropped) and evaluates them
    frame = pl.DataFrame({c.name: [None] for c in contract.columns}).head(0)
    assert quality.validate(frame, spec, id_columns=list(contract.grain)).evaluated == implied
    # each rule has one validator: the suite's are not also SQL checks, and the rest are
    gx = {e["meta"]["contract_rule"] for e in spec["expectations"]}
    sql = set(contract.violations_sql())
    assert not gx & sql and gx | sql == {r.name for r in contract.rules}
    assert "grain_is_unique" in sql  # the key over the whole table, in DuckDB only


def test_the_suite_files_are_the_suites_the_contracts_make():
    """expectations/*.json are generated (`make docs`): a rule edited in a contract, or a file
    edited by hand, leaves them stale."""
    from scripts.gen_expectations import suites

    files = {p.name: p.read_text() for p in (PROJECT_ROOT / "expectations").glob("*.json")}
    assert files.keys() == suites().keys()
    for name, text in suites().items():
        assert files[name] == text, f"expectations/{name} is stale: run `make docs`"


def test_no_suite_is_declared_outside_the_contracts():
    checked = {
        ".".join(c.asset_key.path)
        for a in defs.asset_checks
        for c in a.check_specs
        if c.name == "gx_suite"
    }
    declared = {t for t, c in load_contracts().items() if c.validator == GREAT_EXPECTATIONS}
    assert checked == declared  # and a table GX validates has its suite check


def test_run_years_from_the_run_tags():
    assert run_years(year_range_tags(2019, 2021)) == [2019, 2020, 2021]
    assert run_years({"dagster/partition": "2020"}) == [2020]
    assert run_years({}) is None


@pytest.mark.parametrize(("years", "passed"), [((2001, 2001), True), ((2000, 2001), False)])
def test_the_trade_suite_checks_only_the_years_of_the_run(tmp_path, years, passed):
    wh = WarehouseResource(directory=str(tmp_path))
    bad = flows([(2000, "CHN"), (2001, "CHN")]).with_columns(  # 2000 has an unknown stage
        stage=pl.when(pl.col("year") == 2000).then(pl.lit("mystery")).otherwise(pl.col("stage"))
    )
    with wh.get().connect() as con:
        wh.get().write_table(con, "staging.trade_flows", bad)
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
    needed = quality.suite_columns(TRADE_SUITE, ["year", "exporter_iso3"])
    assert needed == {"year", "hs6", "exporter_iso3", "stage", "quantity_t"}
    handed = []
    to_pandas = pl.DataFrame.to_pandas
    monkeypatch.setattr(
        pl.DataFrame,
        "to_pandas",
        lambda self, *a, **k: handed.append(self.columns) or to_pandas(self),
    )
    df = flows([(2000, "CHN"), (2000, "XXX")]).with_columns(hs6=pl.Series(["250410", "25041"]))
    result = suite(df)
    assert handed == [[c for c in df.columns if c in needed]]  # no commodity, no exclusivity
    (failure,) = result.failures  # and the suite still names the offending row and its rule
    assert failure.rule == "hs6_matches_regex" and failure.examples[0]["exporter_iso3"] == "XXX"


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
        pl.Series("quantity_t", [-1.0, 10.0], dtype=pl.Float32),
    )
    result = suite(df)
    assert handed[0]["year"] == pl.Int64 and handed[0]["quantity_t"] == pl.Float64
    named = {f.column: f.examples[0] for f in result.failures}
    assert named["year"]["year"] == 2031
    assert named["quantity_t"]["year"] == 2000
