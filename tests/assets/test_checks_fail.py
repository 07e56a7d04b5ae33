"""Every check can fail: a tiny violating table per check, and the check names what is wrong.

GX suites (made from the staged tables' contracts): a slice of real rows (from the snapshot,
through the project's readers) in which one row per expectation is changed to break exactly that
expectation; the suite must fail every expectation with ERROR severity and name the changed row
by its id columns and its contract rule. Contract rules run as SQL: a generated violating table
per rule kind, and for each `expression_is_true` rule hand-made rows that break it. Python
checks: a few hand-made rows that break the rule. `test_every_check_has_a_red_path` fails when a
check is added without a case here.
"""

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.definitions import defs
from pipelines.defs.marts import checks as mart_checks
from pipelines.defs.monitor import press
from pipelines.defs.production import checks as production_checks
from pipelines.defs.reference.assets import COUNTRY_REFERENCE, dim_country_suite
from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.risk.assets import (
    WGI_BULK,
    WGI_PV,
    governance_suite,
    no_new_alerts,
    political_stability_matches_newer_file,
)
from pipelines.defs.scope import scope_checks
from pipelines.defs.tables import contract_check
from pipelines.defs.trade import checks as trade_checks
from pipelines.defs.trade.assets import BACI_HS92, trade_flows_suite
from pipelines.defs.trade.comtrade import comtrade_vs_baci_gap
from pipelines.lib.contracts import Contract, Rule, contract_for, load_contracts
from pipelines.lib.inputs import EXPECTED_SERIES
from pipelines.lib.paths import SNAPSHOT_DIR, SQL_DIR
from pipelines.lib.quality import suite_spec
from pipelines.lib.seeds import load_seed, units
from pipelines.lib.transforms import countries, governance, press_figures, production, trade, usgs
from pipelines.lib.warehouse import Warehouse

ERROR, WARN = dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN


@pytest.fixture
def wh(tmp_path) -> Warehouse:
    return Warehouse(tmp_path / "warehouse")


@pytest.fixture
def resource(wh) -> WarehouseResource:
    return WarehouseResource(directory=str(wh.directory))


def write(wh: Warehouse, **tables: pl.DataFrame) -> None:
    with wh.connect() as con:
        for name, df in tables.items():
            wh.write_table(con, name.replace("__", "."), df)


# --- real slices the GX suites accept -----------------------------------------------------------

REFERENCE = countries.load_reference(SNAPSHOT_DIR / COUNTRY_REFERENCE)
KNOWN = set(REFERENCE["iso3"])


def real_production() -> pl.DataFrame:
    lookup = countries.build_lookup(REFERENCE, load_seed("country_aliases"))
    raw = usgs.read_usgs_files([SNAPSHOT_DIR / "usgs_mcs/2024/mcs2024-raree_world.csv"])
    rows = production.conform_usgs(
        raw,
        chapters=load_seed("usgs_chapters"),
        rules=load_seed("usgs_series_rules"),
        units=units(),
        country_lookup=lookup,
    )
    return production.mark_latest_edition(rows).filter(pl.col("iso3").is_not_null())


def real_trade_flows() -> pl.DataFrame:
    raw = trade.read_baci_extract(SNAPSHOT_DIR / BACI_HS92).filter(pl.col("year") == 2024)
    flows = trade.conform_baci(raw.collect(), load_seed("hs_mineral"), KNOWN)
    return flows.filter(pl.col("quantity_t").is_not_null()).sort(trade.FLOW_KEY).head(40)


def real_governance() -> pl.DataFrame:
    wgi = governance.read_wgi_bulk(SNAPSHOT_DIR / WGI_BULK)
    staged = governance.conform_governance(wgi, KNOWN, 2024)
    return staged.filter(pl.col("iso3").is_in(["CHN", "JPN", "USA", "COD"])).head(40)


def break_row(row: dict, expectation: dict, first: dict) -> dict:
    """`row` changed so it breaks `expectation` (and nothing else); `first` is another row."""
    kind, kw = expectation["type"], expectation["kwargs"]
    row = dict(row)
    if kind == "expect_column_values_to_not_be_null":
        row[kw["column"]] = None
    elif kind == "expect_column_values_to_match_regex":
        row[kw["column"]] = "Not Valid!"
    elif kind == "expect_column_values_to_be_in_set":
        row[kw["column"]] = "not_in_set"
    elif kind == "expect_column_values_to_be_between":
        low = kw.get("min_value")
        row[kw["column"]] = (low - 1) if low is not None else kw["max_value"] + 1
    else:
        raise AssertionError(f"no way to break {kind} yet: add one")
    return row


def column_of(expectation: dict) -> str:
    return expectation["kwargs"]["column"]


GX_CASES = {
    "staging/production:gx_suite": (real_production, ["source_file", "source_row"]),
    "staging/trade_flows:gx_suite": (
        real_trade_flows,
        ["nomenclature", "year", "hs6", "exporter_iso3", "importer_iso3"],
    ),
    "staging/governance:gx_suite": (real_governance, ["iso3", "year", "dimension"]),
    "staging/dim_country:gx_suite": (lambda: REFERENCE, ["iso3"]),
}
GX_CHECKS = {
    "staging/production:gx_suite": production_checks.production_suite,
    "staging/trade_flows:gx_suite": trade_flows_suite,
    "staging/governance:gx_suite": governance_suite,
    "staging/dim_country:gx_suite": dim_country_suite,
}


@pytest.mark.parametrize("key", sorted(GX_CASES))
def test_gx_suite_fails_every_expectation_naming_the_row(key, wh, resource):
    real, id_columns = GX_CASES[key]
    check = GX_CHECKS[key]
    table = ".".join(next(iter(check.check_keys)).asset_key.path)
    base = real()
    write(wh, **{table.replace(".", "__"): base})
    assert check(
        dg.build_asset_check_context(), warehouse=resource
    ).passed  # the real slice passes: the breaks below are why

    expectations = suite_spec(contract_for(table))["expectations"]
    rows = base.to_dicts()
    assert len(rows) > len(expectations) + 1
    broken = {}  # (expectation, column) -> the broken row
    for i, expectation in enumerate(expectations, start=1):
        rows[i] = break_row(rows[i], expectation, rows[0])
        broken[(expectation["type"], column_of(expectation))] = rows[i]
    write(wh, **{table.replace(".", "__"): pl.DataFrame(rows, schema=base.schema)})
    result = check(dg.build_asset_check_context(), warehouse=resource)

    assert not result.passed and result.severity == ERROR
    failed = {(f["expectation"], f["column"]): f for f in result.metadata["failed"].value}
    assert set(broken) <= set(failed)
    rules = {(e["type"], column_of(e)): e["meta"]["contract_rule"] for e in expectations}
    for key_, row in broken.items():
        assert failed[key_]["rule"] == rules[key_]  # named by the contract's rule
        examples = failed[key_]["examples"]
        named = [c for c in id_columns if row[c] is not None and c not in key_[1].split(",")]
        for c in named or id_columns:
            shown = repr(row[c]) if row[c] is not None else "nan"
            assert shown in examples or str(row[c]) in examples, (key_, c, examples)


def test_dim_country_row_count_fails(wh, resource):
    # the row count moved from the GX suite to the contract (a whole-table rule, run as SQL)
    write(wh, staging__dim_country=REFERENCE.head(3))
    result = run_contract_check("staging.dim_country", "row_count_in_range", resource)
    assert not result.passed and result.severity == ERROR
    assert "staging.dim_country has 3 rows" in result.description


def run_contract_check(table: str, name: str, resource) -> dg.AssetCheckEvaluation:
    """One rule of `table`'s contract, run as the definitions run it (its Dagster check)."""
    key = dg.AssetKey(table.split("."))
    result = dg.materialize(
        [dg.AssetSpec(key), contract_check(contract_for(table))],
        resources={"warehouse": resource},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        selection=dg.AssetSelection.checks(dg.AssetCheckKey(key, name)),
    )
    (evaluation,) = result.get_asset_check_evaluations()
    return evaluation


# --- native checks: a few rows that break the rule ---------------------------------------------


def country_share(rows: list[tuple]) -> pl.DataFrame:
    """marts.country_share rows: (commodity, year, iso3, share)."""
    return pl.DataFrame(
        [
            {"source": "usgs_mcs", "commodity": c, "stage": "mining", "basis": "production",
             "year": y, "iso3": i, "share": s, "amount": s * 100, "edition": "MCS2026"}
            for c, y, i, s in rows
        ]
    )  # fmt: skip


def concentration(rows: list[dict]) -> pl.DataFrame:
    base = {"source": "usgs_mcs", "stage": "mining", "basis": "production", "year": 2025,
            "edition": "MCS2026", "unallocated_share": 0.0, "hhi": 5000.0, "top1_share": 0.6,
            "top3_share": 0.9, "china_share": 0.6, "world_total": 100.0}  # fmt: skip
    return pl.DataFrame([{**base, **r} for r in rows])


def production_rows(rows: list[dict]) -> pl.DataFrame:
    base = {"source": "usgs_mcs", "edition": "MCS2026", "commodity": "rare_earths",
            "stage": "mining", "year": 2025, "iso3": "CHN", "country": "China",
            "amount": 270000.0, "unit": "t", "value_flag": "reported", "value_raw": "270,000",
            "is_projection": False, "source_file": "2026/MCS2026_Commodities_Data.csv",
            "source_row": 6077, "measure": "mine production"}  # fmt: skip
    return pl.DataFrame([{**base, **r} for r in rows], schema_overrides={"year": pl.Int32})


def dependence(rows: list[dict]) -> pl.DataFrame:
    base = {"importer_iso3": "JPN", "commodity": "graphite", "stage": "mining", "year": 2024,
            "top_supplier_share": 0.9, "china_share": 0.9, "supplier_hhi": 8120.0}  # fmt: skip
    return pl.DataFrame([{**base, **r} for r in rows])


def _shares_off_by(off: float):
    def case(wh, resource):
        write(
            wh,
            marts__country_share=country_share(
                [("lithium", 2025, "AUS", 0.5 + off)] + [("lithium", 2025, "CHL", 0.5)]
            ),  # fmt: skip
            marts__supply_concentration=concentration([{"commodity": "lithium"}]),
        )
        check = (
            mart_checks.share_sums_to_one if off > 0.15 else mart_checks.share_sums_to_one_exactly
        )
        return check(warehouse=resource), ERROR if off > 0.15 else WARN, "'lithium'"

    return case


def case_top3_matches_published(wh, resource):
    # IEA lists three countries holding 50/30/10 of a 100 kt total, and prints 0.95 as top-3
    listed = [("CHN", 50.0, 1), ("IDN", 30.0, 2), ("AUS", 10.0, 3)]
    write(
        wh,
        staging__production=production_rows(
            [
                {
                    "source": "iea",
                    "edition": "IEA CMDE 2024",
                    "commodity": "nickel",
                    "stage": "refining",
                    "year": 2023,
                    "iso3": i,
                    "amount": a,
                    "source_row": r,
                }
                for i, a, r in listed
            ]  # fmt: skip
        ),
        staging__iea_published_top3=pl.DataFrame(
            {
                "edition": ["IEA CMDE 2024"],
                "commodity": ["nickel"],
                "stage": ["refining"],
                "year": [2023],
                "published_top3_share": [0.95],
            }  # fmt: skip
        ),
        marts__supply_concentration=concentration(
            [
                {
                    "source": "iea",
                    "edition": "IEA CMDE 2024",
                    "commodity": "nickel",
                    "stage": "refining",
                    "year": 2023,
                    "top3_share": 0.9,
                }
            ]  # fmt: skip
        ),
    )
    return mart_checks.top3_matches_published(warehouse=resource), ERROR, "'nickel'"


def case_expected_series_present(wh, resource, tmp_path):
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    (snapshot / EXPECTED_SERIES).write_text(
        "source,edition,commodity,stage,year\n"
        "usgs_mcs,MCS2026,rare_earths,mining,2025\nusgs_mcs,MCS2025,rare_earths,mining,2024\n"
    )
    write(wh, staging__production=production_rows([{}]))
    result = production_checks.expected_series_present(
        sources=SourcesResource(snapshot_dir=str(snapshot)), warehouse=resource
    )
    return result, ERROR, "1 expected series missing: usgs_mcs MCS2025 rare_earths mining 2024"


def case_no_collapse_between_editions(wh, resource):
    write(
        wh,
        staging__production=production_rows(
            [{"edition": "MCS2025", "year": 2024}, {"year": 2024, "amount": 27.0}]
        ),
    )
    result = production_checks.no_collapse_between_editions(warehouse=resource)
    return result, ERROR, "China rare_earths mining 2024: 270,000 t (MCS2025) -> 27 t (MCS2026)"


def case_year_on_year_moves(wh, resource):
    write(wh, staging__production=production_rows([{"year": 2024}, {"amount": 27.0}]))
    result = production_checks.year_on_year_moves(warehouse=resource)
    return result, WARN, "China rare_earths mining 2024 -> 2025 (MCS2026): 270,000 t -> 27 t"


def case_comtrade_vs_baci_gap(wh, resource):
    key = {"year": 2024, "hs6": "252910", "exporter_iso3": "MEX", "importer_iso3": "USA"}
    write(
        wh,
        staging__trade_flows=pl.DataFrame([{**key, "value_usd": 100.0}]),
        staging__comtrade_flows=pl.DataFrame(
            [
                {
                    "year": 2024,
                    "hs6": "252910",
                    "flow": "M",
                    "reporter_iso3": "USA",
                    "partner_iso3": "MEX",
                    "is_aggregate_partner": False,
                    "value_usd": 300.0,
                }
            ]
        ),  # fmt: skip
    )
    return comtrade_vs_baci_gap(warehouse=resource), WARN, "'MEX'"


def case_political_stability_matches_newer_file(wh, resource):
    newer = governance.read_wgi_political_stability(SNAPSHOT_DIR / WGI_PV)
    row = newer.filter(pl.col("iso3") == "CHN", pl.col("year") == 2010).row(0, named=True)
    write(
        wh,
        staging__governance=pl.DataFrame(
            [
                {
                    "iso3": "CHN",
                    "year": 2010,
                    "dimension": "political_stability",
                    "estimate": row["estimate"] + 1.0,
                    "is_carried_forward": False,
                }
            ]
        ),  # fmt: skip
    )
    result = political_stability_matches_newer_file(sources=SourcesResource(), warehouse=resource)
    return result, WARN, "differ: CHN"


def case_no_new_alerts(wh, resource):
    context = dg.build_asset_check_context(resources={"warehouse": resource})
    # entered: the warehouse resource holds the build open while in use (a context manager)
    with context.op_execution_context:
        with wh.connect() as con:
            con.execute((SQL_DIR / "alerts/create_alerts.sql").read_text())
            con.execute(
                "INSERT INTO marts.alerts (alert_key, kind, message, first_seen_at, "
                "first_seen_run_id) VALUES ('k', 'band', 'copper refining: now highly "
                "concentrated', now(), ?)",
                [context.op_execution_context.run_id],
            )
        return no_new_alerts(context), WARN, "copper refining: now highly concentrated"


def case_year_to_date_matches_months(wh, resource):
    # a deliberately inconsistent copy of the press table: July 5,577 t -> 5,677 t
    seed = load_seed("china_customs_press")
    july = (
        (pl.col("series") == "magnets")
        & (pl.col("partner_iso3") == "WLD")
        & (pl.col("period_end") == "2025-07")
        & (pl.col("period_start") == "2025-07")
    )
    broken = seed.with_columns(
        quantity=pl.when(july).then(pl.lit("5677")).otherwise(pl.col("quantity"))
    )
    write(wh, staging__china_customs_press=press_figures.conform_press_figures(broken))
    result = press.year_to_date_matches_months(warehouse=resource)
    return result, ERROR, "magnets to WLD 2025-01..2025-07: INCONSISTENT: 27,897 t"


def case_trade_outliers_found(wh, resource):
    # the 2021 USA -> Dominican Republic natural-graphite flow, as BACI has it
    write(
        wh,
        staging__trade_outliers=pl.DataFrame(
            [
                {
                    "nomenclature": "HS92",
                    "year": 2021,
                    "hs6": "250490",
                    "exporter_iso3": "USA",
                    "importer_iso3": "DOM",
                    "reason": "exceeds_usgs_us_exports",
                    "quantity_t": 492941.0,
                    "detail": "USA -> DOM, HS 250490 (HS92), 2021: 492,941 t, against 8,660 t",
                }
            ]
        ),  # fmt: skip
    )
    result = trade_checks.trade_outliers_found(warehouse=resource)
    return result, WARN, "1 exceeds_usgs_us_exports), largest: USA -> DOM, HS 250490"


def case_every_mapped_code_has_content(wh, resource):
    mapped = load_seed("hs_mineral")
    write(
        wh,
        staging__dim_hs_mineral=mapped,
        # the content seed without antimony ores: a code the trade map uses is not described
        staging__dim_hs_content=load_seed("hs_content").filter(pl.col("hs6") != "261710"),
    )
    result = trade_checks.every_mapped_code_has_content(warehouse=resource)
    return result, ERROR, "HS92 261710: no row in data/seeds/hs_content.csv"


def _scope_one_per_series(table: str):
    """A series of `table` whose rows carry two unit bases: one in tonnes of content, one in
    gross weight (a country reported on another basis)."""

    def case(wh, resource):
        contract = CONTRACTS[table]
        key = dg.AssetKey(table.split("."))
        (check,) = [c for c in scope_checks if key in {spec.asset_key for spec in c.check_specs}]
        varying = [c for c in contract.scope.column_dimensions().values()
                   if c not in contract.scope.series]  # fmt: skip
        rows = [
            {**{k: "k0" for k in contract.scope.series}, **{c: "x" for c in varying},
             "unit_basis": basis}
            for basis in ("content", "gross_weight")
        ]  # fmt: skip
        write(wh, **{table.replace(".", "__"): pl.DataFrame(rows)})
        return check(warehouse=resource), ERROR, "'unit_basis_values': 2"

    return case


NATIVE_CASES = {
    "staging/china_customs_press:year_to_date_matches_months": case_year_to_date_matches_months,
    "staging/trade_outliers:trade_outliers_found": case_trade_outliers_found,
    "staging/dim_hs_content:every_mapped_code_has_content": case_every_mapped_code_has_content,
    **{
        f"{t.replace('.', '/')}:scope_one_per_series": _scope_one_per_series(t)
        for t in (
            "marts.country_share",
            "marts.export_share",
            "marts.stockpile_cover",
            "staging.supply_by_country",
        )
    },
    "marts/supply_concentration:share_sums_to_one": _shares_off_by(0.3),
    "marts/supply_concentration:share_sums_to_one_exactly": _shares_off_by(0.05),
    "marts/supply_concentration:top3_matches_published": case_top3_matches_published,
    "staging/production:expected_series_present": case_expected_series_present,
    "staging/production:no_collapse_between_editions": case_no_collapse_between_editions,
    "staging/production:year_on_year_moves": case_year_on_year_moves,
    "staging/comtrade_flows:comtrade_vs_baci_gap": case_comtrade_vs_baci_gap,
    "staging/governance:political_stability_matches_newer_file": (
        case_political_stability_matches_newer_file
    ),
    "marts/alerts:no_new_alerts": case_no_new_alerts,
}


@pytest.mark.parametrize("key", sorted(NATIVE_CASES))
def test_native_check_fails_naming_the_offending_rows(key, wh, resource, tmp_path):
    case = NATIVE_CASES[key]
    args = (wh, resource, tmp_path) if "tmp_path" in case.__code__.co_varnames else (wh, resource)
    result, severity, named = case(*args)
    assert not result.passed
    assert result.severity == severity
    shown = str(result.description) + str({k: v.value for k, v in result.metadata.items()})
    assert named in shown


# --- contract rules run as SQL -----------------------------------------------------------------

CONTRACTS = load_contracts()


# each expression_is_true rule: the rows that break it (the defects the Python checks these
# rules replaced were made to fail on), and what the failure must name
def case_top1_share_within_top3(wh):
    write(
        wh,
        marts__supply_concentration=concentration(
            [{"commodity": "gallium", "top1_share": 0.99, "top3_share": 0.5}]
        ),
    )
    return "'gallium'"


def case_china_share_within_top_supplier(wh):
    write(wh, marts__import_dependence=dependence([{"importer_iso3": "KOR", "china_share": 0.95}]))
    return "'KOR'"


def case_china_share_quantity_within_top_supplier(wh):
    write(
        wh,
        marts__import_dependence=dependence(
            [{"importer_iso3": "IND", "top_supplier_share_quantity": 0.5,
              "china_share_quantity": 0.7}]
        ),
    )  # fmt: skip
    return "'IND'"


def case_amount_matches_flag(wh):
    write(wh, staging__production=production_rows([{"value_flag": "withheld", "amount": 5.0}]))
    return "'withheld'"


def case_value_usd_is_positive(wh):
    write(
        wh,
        staging__trade_flows=pl.DataFrame(
            [{"nomenclature": "HS92", "year": 2024, "hs6": "250410", "exporter_iso3": "MOZ",
              "importer_iso3": "CHN", "value_usd": 0.0}]
        ),
    )  # fmt: skip
    return "'MOZ'"


def case_code_starts_with_hs6(wh):
    # a Comext line filed under the wrong subheading: 85051110 is not in HS 811292
    write(
        wh,
        staging__national_tariff_lines=pl.DataFrame(
            [{"nomenclature": "CN8", "code": "85051110", "hs6": "811292"}]
        ),
    )
    return "'85051110'"


def case_export_alerts_say_exports(wh):
    with wh.connect() as con:
        con.execute((SQL_DIR / "alerts/create_alerts.sql").read_text())
        # the wording issue 26 found: BACI exports of ores published as mining concentration
        con.execute(
            "INSERT INTO marts.alerts (alert_key, kind, source, basis, message, first_seen_at, "
            "first_seen_run_id) VALUES ('k', 'became_highly_concentrated', 'baci', "
            "'export_quantity', 'antimony mining: now highly concentrated, HHI 1126 -> 2747 "
            "(BACI export quantity 2024)', now(), 'r'), ('k2', 'exports_became_highly_"
            "concentrated', 'baci', 'export_quantity', 'antimony ores and concentrates (HS "
            "261710): exports now highly concentrated', now(), 'r')"
        )
    return "'k'"


def case_geopolrisk_or_its_null_reason(wh):
    # US barite 2024: USGS withholds US output, so no figure, and the row must say why
    write(
        wh,
        marts__importer_supply_risk=pl.DataFrame(
            [{"importer_iso3": "USA", "commodity": "barite", "stage": "mining", "year": 2024,
              "geopolrisk": None, "geopolrisk_null_reason": None}],
            schema_overrides={"geopolrisk": pl.Float64, "geopolrisk_null_reason": pl.String},
        ),
    )  # fmt: skip
    return "'barite'"


def case_change_only_over_complete_windows(wh):
    # CN-2024-46: 12 months before the US ban against the one month the series has after it
    write(
        wh,
        marts__export_control_event_study=pl.DataFrame(
            [{"measure_id": "CN-2024-46", "destination": "USA", "hs6": "811292",
              "window_months": 12, "months_before": 12, "months_after": 1,
              "value_change": -0.934, "value_change_usd": -9.2e6, "change_null_reason": None}],
            schema_overrides={"change_null_reason": pl.String},
        ),
    )  # fmt: skip
    return "'CN-2024-46'"


def project_rows(changes: list[dict]) -> pl.DataFrame:
    """Rows of staging.projects: a sound one, then one per change."""
    good = {"project_id": "ok", "scope": "ree_dytb_oxide", "online_year": 2027,
            "country_iso3": "FRA", "capacity": 600.0}  # fmt: skip
    return pl.DataFrame([good, *({**good, **c} for c in changes)])


def case_capacity_is_positive(wh):
    write(wh, staging__projects=project_rows([{"project_id": "no_capacity", "capacity": 0.0}]))
    return "'no_capacity'"


def case_outside_china(wh):
    write(wh, staging__projects=project_rows([{"project_id": "in_china", "country_iso3": "CHN"}]))
    return "'in_china'"


def case_factor_is_positive(wh):
    write(
        wh,
        staging__trade_content_factors=pl.DataFrame(
            [{"nomenclature": "HS92", "hs6": "284690", "factor": 0.677},
             {"nomenclature": "HS92", "hs6": "280530", "factor": 0.0}]
        ),
    )  # fmt: skip
    return "'280530'"


def case_basket_fires(table: str, grain: dict):
    """A row of a price screen on a basket code that fires: the screen said something about
    one mineral from a mix's unit value."""

    def case(wh):
        write(wh, **{table: pl.DataFrame([{**grain, "fires": True, "is_basket": True}])})
        return "'811292'"

    return case


def case_only_same_scope_fires(wh):
    write(
        wh,
        marts__screen_price_vs_unit_value=pl.DataFrame(
            [{"commodity": "gallium", "product": "gallium metal", "year": 2024,
              "price_basis": "import_unit_value", "nomenclature": "HS17", "hs6": "811292",
              "exporter_iso3": "WLD", "importer_iso3": "USA", "fires": True,
              "relation": "basket"}]
        ),
    )  # fmt: skip
    return "'811292'"


SCREEN_WINDOW = {"measure_id": "CN-2023-23", "frequency": "monthly", "window_months": 12,
                 "nomenclature": "HS22", "hs6": "811292"}  # fmt: skip
EXPRESSION_CASES = {
    "staging/national_tariff_lines:code_starts_with_hs6": case_code_starts_with_hs6,
    "marts/importer_supply_risk:geopolrisk_or_its_null_reason": (
        case_geopolrisk_or_its_null_reason
    ),
    "marts/export_control_event_study:change_only_over_complete_windows": (
        case_change_only_over_complete_windows
    ),
    "marts/alerts:export_alerts_say_exports": case_export_alerts_say_exports,
    "marts/screen_flooding:basket_never_fires": case_basket_fires(
        "marts__screen_flooding", {"nomenclature": "HS17", "hs6": "811292", "year": 2024}
    ),
    "marts/screen_price_discrimination:basket_never_fires": case_basket_fires(
        "marts__screen_price_discrimination", {**SCREEN_WINDOW, "target_iso3": "USA"}
    ),
    "marts/screen_control_premium:basket_never_fires": case_basket_fires(
        "marts__screen_control_premium",
        {
            **SCREEN_WINDOW,
            "source": "comtrade",
            "importer_iso3": "USA",
            "origin": "CHN",
            "code": "811292",
        },
    ),
    "marts/screen_price_vs_unit_value:only_same_scope_fires": case_only_same_scope_fires,
    "marts/supply_concentration:top1_share_within_top3": case_top1_share_within_top3,
    "marts/import_dependence:china_share_within_top_supplier": (
        case_china_share_within_top_supplier
    ),
    "marts/import_dependence:china_share_quantity_within_top_supplier": (
        case_china_share_quantity_within_top_supplier
    ),
    "staging/production:amount_matches_flag": case_amount_matches_flag,
    "staging/trade_flows:value_usd_is_positive": case_value_usd_is_positive,
    "staging/projects:capacity_is_positive": case_capacity_is_positive,
    "staging/projects:outside_china": case_outside_china,
    "staging/trade_content_factors:factor_is_positive": case_factor_is_positive,
}


@pytest.mark.parametrize("key", sorted(EXPRESSION_CASES))
def test_expression_rule_fails_naming_the_offending_rows(key, wh, resource):
    named = EXPRESSION_CASES[key](wh)
    table, name = key.replace("/", ".").split(":")
    result = run_contract_check(table, name, resource)
    assert not result.passed
    rule = next(r for r in CONTRACTS[table].rules if r.name == name)
    assert result.severity == (ERROR if rule.blocking else WARN)
    assert named in str(result.description)


def violating_table(contract: Contract, rule: Rule) -> tuple[str, list[tuple], str | None]:
    """DDL columns and rows of `contract.table` that break `rule` (grain values k0, k1), and the
    DDL of the table it references (none there: every value is unknown), if any."""
    grain = list(contract.grain)
    if rule.kind in ("grain", "unique_combination_of_columns"):
        ddl = ", ".join(f"{c} VARCHAR" for c in dict.fromkeys([*grain, *rule.columns]))
        return ddl, [("k0",) * len(dict.fromkeys([*grain, *rule.columns]))] * 2, None
    if rule.kind == "row_count":  # fewer rows than the minimum (none)
        return ", ".join(f"{c} VARCHAR" for c in grain), [], None
    parent = None
    if rule.kind == "in_range":
        bad = rule.min - 1 if rule.min is not None else rule.max * 2 + 1
        ok = rule.min if rule.min is not None else rule.max
        kind = "DOUBLE"
    elif rule.kind == "not_null":
        bad, ok, kind = None, "x", "VARCHAR"
    elif rule.kind == "matches_regex":
        bad, ok, kind = "Not Valid!", None, "VARCHAR"
    elif rule.kind == "relationships":
        bad, ok, kind = "unknown", None, "VARCHAR"
        parent = f"{rule.field} VARCHAR"
    else:
        bad, ok, kind = "not_a_value", rule.values[0], "VARCHAR"
    others = [g for g in grain if g != rule.column]
    ddl = ", ".join([*(f"{g} VARCHAR" for g in others), f"{rule.column} {kind}"])
    return ddl, [(*(f"k{i}",) * len(others), v) for i, v in ((0, bad), (1, ok))], parent


GENERATED = {
    "grain", "in_range", "not_null", "accepted_values", "matches_regex", "relationships",
    "unique_combination_of_columns", "row_count",
}  # fmt: skip


@pytest.mark.parametrize("table", sorted(t for t, c in CONTRACTS.items() if c.violations_sql()))
def test_every_contract_check_fails_on_a_violating_table(table):
    contract = CONTRACTS[table]
    for rule in contract.sql_rules:
        if rule.kind not in GENERATED:
            assert rule.kind == "expression_is_true"  # hand-made rows: EXPRESSION_CASES
            continue
        con = duckdb.connect()
        ddl, rows, parent = violating_table(contract, rule)
        for schema in {contract.schema, *(t.split(".")[0] for t in rule.reads())}:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        con.execute(f"CREATE TABLE {table} ({ddl})")
        if parent:
            con.execute(f"CREATE TABLE {rule.to} ({parent})")
        for other in set(rule.reads()) - {rule.to}:  # a `where` reading another table
            assert other == "staging.source_country_codes", other
            con.execute(f"CREATE TABLE {other} (source VARCHAR, code VARCHAR, kind VARCHAR)")
        if rows:
            con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        offending = con.execute(contract.violations_sql()[rule.name]).fetchall()
        # only the broken row offends, named by its grain (k0) where the table has one
        assert len(offending) == 1, (table, rule.name, offending)
        if rule.kind not in ("row_count",) and (
            rule.kind == "grain" or any(g != rule.column for g in contract.grain)
        ):
            assert "k0" in offending[0], (table, rule.name, offending)


def test_every_check_has_a_red_path():
    generated = {
        f"{t.replace('.', '/')}:{r.name}"
        for t, c in CONTRACTS.items()
        for r in c.sql_rules
        if r.kind in GENERATED
    }
    specs = {
        f"{c.asset_key.to_user_string()}:{c.name}": c
        for a in defs.asset_checks
        for c in a.check_specs
    }
    assert set(specs) == set(GX_CASES) | set(NATIVE_CASES) | set(EXPRESSION_CASES) | generated
    assert "marts/supply_concentration:hhi_in_range" in generated
    # the WARN checks (their cases expect WARN) are exactly the ones that do not block
    warn = {
        "marts/supply_concentration:share_sums_to_one_exactly",
        "staging/production:year_on_year_moves",
        "staging/comtrade_flows:comtrade_vs_baci_gap",
        "staging/governance:political_stability_matches_newer_file",
        "marts/alerts:no_new_alerts",
        "staging/trade_outliers:trade_outliers_found",
    }
    assert {k for k, spec in specs.items() if not spec.blocking} == warn
