"""Bad input never publishes: each fault on a copy of the real snapshot under tmp_path.

A baseline refresh publishes a warehouse once; each test copies it (build and published file)
and the snapshot, breaks one input, refreshes what depends on it, and asserts that the refresh
fails with an error naming source, file and row or field, and that the published warehouse is
byte-identical.
"""

import csv
import io
import re
import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipelines.defs.resources import SourcesResource, WarehouseResource
from pipelines.defs.serving.progress import failure_lines
from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.sources.landing import sha256_file
from tests.faults.conftest import Copy

pytestmark = pytest.mark.faults

MCS2026 = "usgs_mcs/2026/MCS2026_Commodities_Data.csv"
MCS2025 = "usgs_mcs/2025/MCS2025_World_Data.csv"
RAREE_2024 = "usgs_mcs/2024/mcs2024-raree_world.csv"
USGS = dg.AssetKey(["raw", "usgs_mcs_production"])


def step_error(result: dg.ExecuteInProcessResult) -> str:
    """The first failed step's error as `minerals refresh` prints it on its FAILED line."""
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    return failure_lines(failure.event_specific_data.error)[0]


def failed_check(result: dg.ExecuteInProcessResult, name: str) -> dg.AssetCheckEvaluation:
    (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    assert not evaluation.passed
    return evaluation


def unchanged(copy: Copy, fault):
    """Run `fault`; the published file must come out byte-identical."""
    before = sha256_file(copy.published)
    out = fault()
    assert sha256_file(copy.published) == before
    assert not list(copy.published.parent.glob(".minerals.duckdb.*.tmp"))
    return out


def cut_after(path: Path, marker: bytes, keep: int) -> None:
    """Cut the file `keep` bytes after the end of the first `marker`, as a broken copy does."""
    data = path.read_bytes()
    path.write_bytes(data[: data.index(marker) + len(marker) + keep])


# --- the manifest: a missing, extra or changed file is named before anything is parsed ---------


def test_deleted_world_file_fails_naming_it(copy):
    (copy.snapshot / MCS2025).unlink()
    error = unchanged(copy, lambda: step_error(copy.refresh(USGS)))
    assert "usgs_mcs: usgs_mcs/2025/MCS2025_World_Data.csv" in error and "missing" in error


def test_deleted_world_file_with_its_manifest_entry_fails_as_missing_series(copy):
    (copy.snapshot / MCS2025).unlink()
    copy.repin()  # the manifest no longer lists it: the expected series still do
    result = unchanged(copy, lambda: copy.refresh(USGS))
    check = failed_check(result, "expected_series_present")
    assert check.severity == dg.AssetCheckSeverity.ERROR
    expected = (copy.snapshot / "expected_series.csv").read_text().count(",MCS2025,")
    assert check.description.startswith(f"{expected} expected series missing: usgs_mcs MCS2025 ")
    assert "usgs_mcs MCS2025 rare_earths mining 2024" in check.metadata["figures"].value


def test_usgs_file_cut_mid_row_fails_on_its_checksum(copy):
    cut_after(copy.snapshot / MCS2026, b"Rare Earths,China,Production,Mine production", 70)
    error = unchanged(copy, lambda: step_error(copy.refresh(USGS)))
    assert "usgs_mcs: usgs_mcs/2026/MCS2026_Commodities_Data.csv: changed since" in error


def test_an_extra_chapter_file_is_refused(copy):
    shutil.copy(copy.snapshot / RAREE_2024, copy.snapshot / "usgs_mcs/2024/mcs2024-ree_world.csv")
    error = unchanged(copy, lambda: step_error(copy.refresh(USGS)))
    assert "usgs_mcs/2024/mcs2024-ree_world.csv: not in MANIFEST.json" in error


# --- readers: even a file the manifest accepts cannot be cut short or misread -------------------


def test_world_file_cut_in_chinas_rare_earth_figure_names_file_and_row(copy):
    # the row as a spreadsheet numbers it (header = 1), found here with the csv module
    records = csv.reader(io.StringIO((SNAPSHOT_DIR / MCS2026).read_bytes().decode("cp1252")))
    row = next(
        n
        for n, r in enumerate(records, start=1)
        if r[0] == "RARE EARTHS" and r[3] == "China" and r[4] == "Production" and r[7] == "2025"
    )
    # "270,000" cut to "27: the quote never closes (before this check: published as 27 t)
    cut_after(copy.snapshot / MCS2026, b'China,Production,Mine production,metric tons,2025,"27', 0)
    copy.repin()
    error = unchanged(copy, lambda: step_error(copy.refresh(USGS)))
    assert f"usgs_mcs: 2026/MCS2026_Commodities_Data.csv, row {row}: truncated" in error
    assert "never closed" in error


def test_chapter_file_cut_mid_row_names_file_and_row(copy):
    cut_after(copy.snapshot / RAREE_2024, b"China", 12)
    copy.repin()
    error = unchanged(copy, lambda: step_error(copy.refresh(USGS)))
    assert "usgs_mcs: 2024/mcs2024-raree_world.csv, row " in error and "truncated" in error


def test_renamed_year_column_is_an_error_naming_the_column(copy):
    path = copy.snapshot / RAREE_2024
    path.write_bytes(path.read_bytes().replace(b"Prod_t_est_2023", b"Production_t_2023", 1))
    copy.repin()
    error = unchanged(copy, lambda: step_error(copy.refresh(USGS)))
    assert "usgs_mcs: 2024/mcs2024-raree_world.csv, row 1, field 'Production_t_2023'" in error


def test_utf16_file_past_the_manifest_is_named_as_utf16_not_a_truncated_row(copy):
    """Saved as "Unicode text" and pinned: it used to fail as "row 1252: truncated ... '\\x00'"."""
    path = copy.snapshot / MCS2026
    path.write_bytes(path.read_bytes().decode("cp1252").encode("utf-16"))  # with its BOM
    copy.repin()
    error = unchanged(copy, lambda: step_error(copy.refresh(USGS)))
    assert error == (
        "usgs_mcs: 2026/MCS2026_Commodities_Data.csv: the file is UTF-16 text (UTF-16 "
        "little-endian byte-order mark), not UTF-8 or Windows-1252: save it again as a UTF-8 "
        "CSV (Excel: 'CSV UTF-8')"
    )


def test_empty_usgs_file_is_named(copy):
    (copy.snapshot / RAREE_2024).write_bytes(b"")
    copy.repin()
    error = unchanged(copy, lambda: step_error(copy.refresh(USGS)))
    assert "usgs_mcs: 2024/mcs2024-raree_world.csv: file is empty" in error


def test_html_page_served_as_the_iea_workbook_is_named(copy):
    (copy.snapshot / "iea/CM_Data_Explorer_May2024.xlsx").write_text(
        "<!DOCTYPE html><html><body>Access denied</body></html>\n"
    )
    copy.repin()
    error = unchanged(copy, lambda: step_error(copy.refresh(dg.AssetKey(["raw", "iea_supply"]))))
    assert "iea: CM_Data_Explorer_May2024.xlsx: cannot be read (BadZipFile" in error


def test_cut_parquet_extract_is_named(copy):
    path = copy.snapshot / "baci/hs92/baci_hs92_critical_1995_2024.parquet"
    path.write_bytes(path.read_bytes()[:100_000])
    copy.repin()
    error = unchanged(copy, lambda: step_error(copy.refresh(dg.AssetKey(["raw", "baci_flows"]))))
    assert "baci: baci_hs92_critical_1995_2024.parquet: cannot be read" in error
    assert "specification" in error or "parquet" in error.lower()


def test_extract_with_a_year_missing_is_named(copy):
    """A year of the extract with no rows (a lost partition) fails that year's step: it would
    otherwise publish trade series that stop in 2022."""
    import polars as pl

    path = copy.snapshot / "baci/hs92/baci_hs92_critical_1995_2024.parquet"
    pl.read_parquet(path).filter(pl.col("year") != 2023).write_parquet(path)
    copy.repin()
    error = unchanged(copy, lambda: step_error(copy.refresh(dg.AssetKey(["raw", "baci_flows"]))))
    assert "baci: baci/hs92/baci_hs92_critical_1995_2024.parquet, field 'year'" in error
    assert "no flows of the mapped HS6 codes in 2023" in error


def test_cut_baci_hs17_csv_names_file_and_row(copy):
    cut_after(copy.snapshot / "baci/hs17/baci_2022.csv", b"\nCHN,", 7)
    copy.repin()
    key = dg.AssetKey(["raw", "baci_flows_hs17"])
    error = unchanged(copy, lambda: step_error(copy.refresh(key)))
    assert "baci: baci_2022.csv, row " in error and "truncated" in error


def test_cut_wgi_file_names_file_and_row(copy):
    cut_after(copy.snapshot / "wgi/WGIData.csv", b"China", 40)
    copy.repin()
    key = dg.AssetKey(["staging", "governance"])
    error = unchanged(copy, lambda: step_error(copy.refresh(key)))
    assert "wgi: WGIData.csv, row " in error


def test_empty_comtrade_file_is_named(copy):
    (copy.snapshot / "comtrade/comtrade_imports_usa_jpn_2022_2024.csv").write_bytes(b"")
    copy.repin()
    key = dg.AssetKey(["raw", "comtrade_flows"])
    error = unchanged(copy, lambda: step_error(copy.refresh(key)))  # publish waits for Comtrade
    assert "comtrade: comtrade_imports_usa_jpn_2022_2024.csv: file is empty" in error


# --- plausibility: a figure that collapses between editions blocks the publish -----------------


def test_china_rare_earths_collapsing_to_27_t_blocks_naming_the_figure(copy):
    path = copy.snapshot / MCS2026
    row = b'Rare Earths,China,Production,Mine production,metric tons,2024,"270,000"'
    assert path.read_bytes().count(row) == 1
    path.write_bytes(path.read_bytes().replace(row, row.replace(b'"270,000"', b"27")))
    copy.repin()
    result = unchanged(copy, lambda: copy.refresh(USGS))
    check = failed_check(result, "no_collapse_between_editions")
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert "China rare_earths mining 2024: 270,000 t (MCS2025) -> 27 t (MCS2026)" in (
        check.description
    )


# --- live files: a cut download or an HTML page instead of the file -------------------------


def test_live_usgs_download_cut_mid_row_names_file_and_row(tmp_path):
    from pipelines.defs.production.assets import raw_usgs_mcs_production
    from pipelines.lib.sources.catalog import USGS_LIVE_FILES
    from tests.support.replay_server import ReplayServer

    www = tmp_path / "www"
    www.mkdir()
    for item in USGS_LIVE_FILES:
        edition = item.filename[3:7]  # MCS2025_... -> 2025
        body = (SNAPSHOT_DIR / "usgs_mcs" / edition / item.filename).read_bytes()
        if edition == "2026":  # the publisher's copy ends in China's 2025 rare-earth figure
            marker = b'China,Production,Mine production,metric tons,2025,"27'
            body = body[: body.index(marker) + len(marker)]
        (www / item.filename).write_bytes(body)
    with ReplayServer(www) as server:
        for item in USGS_LIVE_FILES:  # links come from each ScienceBase item's JSON
            server.sciencebase_item(item.item_id, [item.filename])
        result = dg.materialize(
            [raw_usgs_mcs_production],
            resources={
                "sources": SourcesResource(
                    mode="live",
                    landing_dir=str(tmp_path / "landing"),
                    usgs_base_url=server.url("/catalog"),
                    timeout_s=5,
                ),
                "warehouse": WarehouseResource(directory=str(tmp_path / "warehouse")),
            },
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    error = step_error(result)
    assert "usgs_mcs: 2026/MCS2026_Commodities_Data.csv, row " in error and "never closed" in error


def test_html_page_landed_as_the_baci_release_is_named(tmp_path):
    from pipelines.lib.sources import baci

    page = tmp_path / "BACI_HS92_V202501.zip"
    page.write_text("<!DOCTYPE html><html><body>Maintenance</body></html>\n")
    with pytest.raises(SourceDataError, match=r"baci: BACI_HS92_V202501.zip: cannot be read "
                       r"\(BadZipFile"):  # fmt: skip
        baci.year_members(page)


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (b'"2021",', b'"2021 [YR2021]",', ", field '2021 [YR2021]': column with a year"),
        (b'"2021",', b'"Y",', ": year columns missing (WGI is annual since 2002): [2021]"),
    ],
)
def test_renamed_wgi_year_column_is_an_error_not_a_carried_forward_year(
    tmp_path, old, new, problem
):
    from pipelines.lib.transforms import governance

    path = tmp_path / "WGIData.csv"
    path.write_bytes((SNAPSHOT_DIR / "wgi/WGIData.csv").read_bytes().replace(old, new, 1))
    with pytest.raises(SourceDataError, match=re.escape("wgi: WGIData.csv, row 1" + problem)):
        governance.read_wgi_bulk(path)


def test_cut_monthly_china_exports_file_names_file_and_row(copy):
    cut_after(copy.snapshot / "comtrade/china_exports_monthly/deep_dive_hs6_monthly.csv", b"\n", 20)
    copy.repin()
    key = dg.AssetKey(["raw", "comtrade_monthly"])
    error = unchanged(copy, lambda: step_error(copy.refresh(key)))
    assert "comtrade: deep_dive_hs6_monthly.csv, row 2: truncated" in error
