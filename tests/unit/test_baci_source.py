"""BACI source: release members, streamed year scan, Parquet sink, header check, landing.

The release zip is built from REAL rows of the shared BACI extract (years 2022-2023, four mineral
codes), written back in BACI's own format (integer k without leading zero, v in thousand USD, q
blank / "NA" / space-padded "NA" where unknown), plus a few rows of non-mineral codes.
"""

import hashlib
import re
import zipfile
from pathlib import Path

import polars as pl
import pytest

from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import SNAPSHOT_DIR
from pipelines.lib.sources import baci
from pipelines.lib.sources.http import RetryPolicy, SourceDownloadError, make_session
from pipelines.lib.sources.landing import versions
from tests.support.replay_server import Fault, ReplayServer

EXTRACT = SNAPSHOT_DIR / "baci/hs92/baci_hs92_critical_1995_2024.parquet"
YEARS = (2022, 2023)
CODES = {"250410", "260300", "261710", "810600"}  # graphite, copper ore, antimony ore, bismuth
RELEASE = "BACI_HS92_V202601.zip"  # the current release, 1995-2024


@pytest.fixture(scope="module")
def real_rows() -> pl.DataFrame:
    return (
        pl.scan_parquet(EXTRACT)
        .filter(pl.col("year").is_in(YEARS), pl.col("hs92_6").is_in(sorted(CODES)))
        .sort("year", "exporter_baci", "importer_baci", "hs92_6")
        .collect()
    )


def _baci_csv(rows: pl.DataFrame, header: str = "t,i,j,k,v,q") -> bytes:
    lines = [header]
    missing = 0
    for r in rows.iter_rows(named=True):
        if r["qty_t"] is None:
            # BACI writes unknown quantities as NA (sometimes space-padded); also accept blanks.
            q = ("NA", "", "          NA")[missing % 3]
            missing += 1
        else:
            q = repr(r["qty_t"])
        k = int(r["hs92_6"])  # BACI drops the leading zero
        lines.append(
            f"{r['year']},{r['exporter_baci']},{r['importer_baci']},{k},{r['value_kusd']!r},{q}"
        )
    return ("\n".join(lines) + "\n").encode()


# Non-mineral rows; k=30110 is HS 030110 (live fish), written without its leading zero.
_OTHER = "2022,4,8,30110,12.5,3.1\n2022,36,156,10121,1.25,NA\n2022,156,840,847130,999.0,\n"


def _write_release(
    path: Path, rows: pl.DataFrame, header: str = "t,i,j,k,v,q", years=YEARS
) -> Path:
    """A release in CEPII's layout; member names carry the version of `path`
    (`BACI_HS92_V202601.zip` holds `BACI_HS92_Y2022_V202601.csv`, ...)."""
    version = path.stem.rsplit("_", 1)[-1]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for year in years:
            body = _baci_csv(rows.filter(pl.col("year") == year), header)
            if year == 2022:
                body += _OTHER.encode()
            zf.writestr(f"BACI_HS92_Y{year}_{version}.csv", body)
        zf.writestr(f"country_codes_{version}.csv", "country_code,country_name\n4,Afghanistan\n")
        zf.writestr(f"product_codes_HS92_{version}.csv", "code,description\n250410,Graphite\n")
        zf.writestr("Readme.txt", "BACI test release\n")
    return path


@pytest.fixture
def release(tmp_path, real_rows) -> Path:
    return _write_release(tmp_path / RELEASE, real_rows)


def test_year_members_lists_only_yearly_csvs(release):
    assert baci.year_members(release) == {
        2022: "BACI_HS92_Y2022_V202601.csv",
        2023: "BACI_HS92_Y2023_V202601.csv",
    }


def test_read_year_keeps_mapped_codes_zero_padded(release):
    df = baci.read_year(release, 2022, CODES | {"030110"})
    assert df.columns == list(baci.COLUMNS)
    assert set(df["hs6"]) == CODES | {"030110"}  # 30110 -> "030110"; 10121, 847130 dropped
    assert df["year"].unique().to_list() == [2022]
    fish = df.filter(pl.col("hs6") == "030110")
    assert fish.select("exporter_code", "importer_code", "value_kusd").row(0) == (4, 8, 12.5)
    assert all(len(c) == 6 for c in df["hs6"])


def test_read_year_streams_the_member_in_blocks_and_writes_nothing(release, monkeypatch):
    whole = baci.read_year(release, 2023, CODES)
    before = set(release.parent.iterdir())
    monkeypatch.setattr(baci, "BLOCK_BYTES", 100)  # many blocks, each cut at a line break
    assert baci.read_year(release, 2023, CODES).equals(whole)
    assert set(release.parent.iterdir()) == before


def test_a_bad_line_is_reported_with_its_member_and_lines(tmp_path, real_rows, monkeypatch):
    bad = _write_release(tmp_path / RELEASE, real_rows)
    with zipfile.ZipFile(bad) as zf:
        body = zf.read("BACI_HS92_Y2023_V202601.csv").decode().splitlines()
    body[5] = "2023,4,8,not-a-code,1.0,2.0"  # line 6 of the file
    with zipfile.ZipFile(tmp_path / "bad.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("BACI_HS92_Y2023_V202601.csv", "\n".join(body) + "\n")
    monkeypatch.setattr(baci, "BLOCK_BYTES", 100)
    with pytest.raises(SourceDataError) as err:
        baci.read_year(tmp_path / "bad.zip", 2023, CODES)
    message = str(err.value)
    assert "bad.zip:BACI_HS92_Y2023_V202601.csv" in message
    first, last = map(int, re.search(r"lines (\d+)-(\d+)", message).groups())
    assert first <= 6 <= last


def test_blank_and_na_quantity_become_null(release, real_rows):
    df = baci.read_year(release, 2022, CODES)
    expected_nulls = real_rows.filter(pl.col("year") == 2022)["qty_t"].null_count()
    assert expected_nulls >= 3  # blank, "NA" and padded "NA" all occur
    assert df["quantity_t"].dtype == pl.Float64
    assert df["quantity_t"].null_count() == expected_nulls


def test_value_sums_equal_the_real_extract(release, real_rows):
    got = []
    for year in YEARS:
        got.append(
            baci.read_year(release, year, CODES)
            .group_by("year", "hs6")
            .agg(pl.col("value_kusd").sum(), pl.len())
        )
    got_df = pl.concat(got).sort("year", "hs6")
    want = (
        real_rows.group_by("year", "hs92_6")
        .agg(pl.col("value_kusd").sum(), pl.len())
        .rename({"hs92_6": "hs6"})
        .with_columns(pl.col("year").cast(pl.Int32))
        .sort("year", "hs6")
    )
    assert got_df.height == len(YEARS) * len(CODES)
    assert got_df.select("year", "hs6", "len").equals(want.select("year", "hs6", "len"))
    assert got_df["value_kusd"].to_list() == pytest.approx(want["value_kusd"].to_list(), rel=1e-12)


def test_filter_year_to_parquet_is_atomic(release, real_rows, tmp_path):
    out = tmp_path / "out" / "baci_2023.parquet"
    rows = baci.filter_year_to_parquet(release, 2023, CODES, out)
    assert rows == real_rows.filter(pl.col("year") == 2023).height
    assert pl.read_parquet(out).height == rows
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no temp left behind

    # A failing run leaves the published file as it was and no temp files anywhere.
    bad = tmp_path / "bad" / RELEASE
    bad.parent.mkdir()
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("BACI_HS92_Y2023_V202601.csv", "t,i,j,k,v,q\n2023,4,8,250410,1.0,oops\n")
    before = out.read_bytes()
    with pytest.raises(SourceDataError, match="BACI_HS92_Y2023_V202601.csv") as err:
        baci.filter_year_to_parquet(bad, 2023, CODES, out)
    assert err.value.rows == [2] and err.value.field == "q"  # the file's line and column
    assert out.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]
    assert sorted(p.name for p in bad.parent.iterdir()) == [RELEASE]


def test_wrong_header_names_zip_member_and_column(tmp_path, real_rows):
    bad = _write_release(tmp_path / RELEASE, real_rows, header="t,i,j,k,v,quantity")
    with pytest.raises(SourceDataError) as err:
        baci.read_year(bad, 2023, CODES)
    msg = str(err.value)
    assert RELEASE in msg and "BACI_HS92_Y2023_V202601.csv" in msg
    assert "'q'" in msg and "'quantity'" in msg
    assert sorted(p.name for p in tmp_path.iterdir()) == [RELEASE]


def test_missing_year_is_reported(release):
    with pytest.raises(SourceDataError, match="no CSV for year 1999"):
        baci.read_year(release, 1999, CODES)


def test_land_release_resumes_after_truncation(tmp_path, real_rows):
    served = tmp_path / "served"
    served.mkdir()
    zip_path = _write_release(served / RELEASE, real_rows)
    data = zip_path.read_bytes()
    with ReplayServer(served) as server:
        server.script(f"/{RELEASE}", [Fault.truncate(len(data) // 3)])
        landed = baci.land_release(
            make_session(),
            server.url(RELEASE),
            landing_root=tmp_path / "landing",
            policy=RetryPolicy(max_attempts=3, timeout_s=5),
            sleep=lambda _s: None,
        )
        reqs = server.requests_for(f"/{RELEASE}")
    assert len(reqs) == 2 and reqs[1].headers["range"] == f"bytes={len(data) // 3}-"
    assert landed.path.parents[2].name == "baci" and landed.path.name == RELEASE
    assert landed.sha256 == hashlib.sha256(data).hexdigest()
    assert landed.path.read_bytes() == data and not landed.reused
    assert baci.year_members(landed.path) == baci.year_members(zip_path)
    assert baci.read_year(landed.path, 2022, CODES).height > 0  # read in place, read-only zip


def test_a_requested_year_the_release_lacks_is_an_error_naming_release_and_year(release):
    available = baci.year_members(release)
    baci.require_years(RELEASE, available, [2022, 2023])  # all there: no error
    with pytest.raises(SourceDataError) as err:
        baci.require_years(RELEASE, available, [2022, 2023, 2024])
    message = str(err.value)
    assert RELEASE in message and "no data for 2024" in message and "covers 2022-2023" in message


def test_an_html_answer_is_never_landed_as_the_release(tmp_path, real_rows):
    served = tmp_path / "served"
    served.mkdir()
    _write_release(served / RELEASE, real_rows)
    with ReplayServer(served) as server:
        # Fault: CEPII's site answers a 200 HTML page (a moved file, a maintenance page).
        server.script(f"/{RELEASE}", [Fault.html_page("Page not found")])
        with pytest.raises(SourceDownloadError, match="expected a zip file, got text/html"):
            baci.land_release(
                make_session(),
                server.url(RELEASE),
                landing_root=tmp_path / "landing",
                policy=RetryPolicy(max_attempts=2, timeout_s=5),
            )
    assert versions(tmp_path / "landing", "baci") == []
    assert list((tmp_path / "landing").rglob("*.zip")) == []
