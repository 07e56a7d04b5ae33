"""The input manifest and the CSV truncation checks, on copies of the real snapshot files."""

import json
import re
import runpy
import shutil

import pytest

from pipelines.lib import inputs
from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import PROJECT_ROOT, SNAPSHOT_DIR
from pipelines.lib.sources.landing import LandedFile, sha256_file

CHAPTER = "usgs_mcs/2024/mcs2024-raree_world.csv"


def test_committed_manifest_pins_the_snapshot_as_it_is():
    committed = json.loads((SNAPSHOT_DIR / inputs.MANIFEST).read_text())
    assert committed == inputs.build_manifest(SNAPSHOT_DIR)
    assert set(committed) == set(inputs.FOLDERS)
    # every file an asset reads is pinned, with its checksum
    entry = committed["usgs_mcs"]["2025/MCS2025_World_Data.csv"]
    assert entry["sha256"] == sha256_file(SNAPSHOT_DIR / "usgs_mcs/2025/MCS2025_World_Data.csv")
    inputs.verify_snapshot(SNAPSHOT_DIR, *inputs.FOLDERS)


def test_committed_expected_series_match_the_snapshot():
    committed = inputs.load_expected_series(SNAPSHOT_DIR)
    script = runpy.run_path(str(PROJECT_ROOT / "scripts" / "gen_snapshot_manifest.py"))
    assert committed.equals(script["production_series"](SNAPSHOT_DIR))
    editions = set(committed["edition"])
    assert {"MCS2022", "MCS2025", "MCS2026", "IEA CMDE 2024", "IEA CMDE 2025"} <= editions


@pytest.fixture
def snapshot(tmp_path):
    """A copy of the USGS folder and the manifest."""
    shutil.copytree(SNAPSHOT_DIR / "usgs_mcs", tmp_path / "usgs_mcs")
    shutil.copy(SNAPSHOT_DIR / inputs.MANIFEST, tmp_path / inputs.MANIFEST)
    return tmp_path


def test_a_missing_file_is_named(snapshot):
    (snapshot / "usgs_mcs/2025/MCS2025_World_Data.csv").unlink()
    with pytest.raises(SourceDataError, match=r"usgs_mcs: usgs_mcs/2025/MCS2025_World_Data.csv.*"
                       r"missing"):  # fmt: skip
        inputs.verify_snapshot(snapshot, "usgs_mcs")


def test_an_extra_file_is_named(snapshot):
    shutil.copy(snapshot / CHAPTER, snapshot / "usgs_mcs/2024/mcs2024-raree2_world.csv")
    with pytest.raises(SourceDataError, match=r"mcs2024-raree2_world.csv: not in MANIFEST.json"):
        inputs.verify_snapshot(snapshot, "usgs_mcs")


def test_a_changed_file_is_named_even_at_the_same_size(snapshot):
    path = snapshot / CHAPTER
    data = bytearray(path.read_bytes())
    i = data.index(b"China")
    data[i : i + 5] = b"CHINA"
    path.write_bytes(bytes(data))
    with pytest.raises(SourceDataError, match=r"mcs2024-raree_world.csv: changed since MANIFEST"):
        inputs.verify_snapshot(snapshot, "usgs_mcs")


def test_no_manifest_is_an_error(snapshot):
    (snapshot / inputs.MANIFEST).unlink()
    with pytest.raises(SourceDataError, match="cannot read the input manifest"):
        inputs.verify_snapshot(snapshot, "usgs_mcs")


def test_a_landed_file_must_match_its_landing_record(tmp_path):
    path = tmp_path / "MCS2025_World_Data.csv"
    path.write_bytes(b"a,b\n1,2\n")
    landed = LandedFile(path, sha256_file(path), 8, reused=True, url="")
    inputs.verify_landed("usgs_mcs", landed)
    path.write_bytes(b"a,b\n1,3\n")  # same size, other bytes
    with pytest.raises(SourceDataError, match="usgs_mcs: MCS2025_World_Data.csv: changed since"):
        inputs.verify_landed("usgs_mcs", landed)
    path.unlink()
    with pytest.raises(SourceDataError, match="changed since it was landed: missing"):
        inputs.verify_landed("usgs_mcs", landed)


REAL = (SNAPSHOT_DIR / CHAPTER).read_text(encoding="utf-8-sig")


def _short_last_row(text: str) -> str:
    """Everything up to China's row, which loses its last two fields but keeps its newline."""
    lines = text.splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if ",China," in line)
    return "".join(lines[:i]) + lines[i].rsplit(",", 2)[0] + "\r\n"


def test_an_intact_file_reads_with_spreadsheet_row_numbers():
    header, body = inputs.csv_records("usgs_mcs", CHAPTER, REAL)
    assert header[:3] == ["Source", "Country", "Type"]
    lines = REAL.splitlines()
    assert body[0][0] == 2 and len(body) == len([x for x in lines if x.strip(",")]) - 1
    assert lines[body[-1][0] - 1].startswith(",".join(body[-1][1])[:20])


@pytest.mark.parametrize(
    ("cut", "problem"),
    [
        (lambda t: t[: t.index("China") + 40], "no newline|fields|never closed"),
        (lambda t: t.rstrip("\n"), "the last line has no newline"),
        (lambda t: t[: t.index('"', t.index("China"))] + '"2\n', "never closed"),
        (_short_last_row, r"the last row has \d+ of the header's \d+ fields"),
        (lambda t: "", "file is empty"),
    ],
)
def test_a_file_cut_short_is_an_error_naming_file_and_row(cut, problem):
    with pytest.raises(SourceDataError, match=problem) as err:
        inputs.csv_records("usgs_mcs", CHAPTER, cut(REAL))
    assert str(err.value).startswith(f"usgs_mcs: {CHAPTER}")
    if "empty" not in problem:
        assert err.value.rows


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_named_as_utf16(tmp_path, encoding):
    """Without a BOM the cp1252 fallback decoded it and the reader failed on a row ending in
    '\\x00' ("row 1252: truncated ..."): the file's encoding is the error."""
    from pipelines.lib.transforms import usgs

    path = tmp_path / "MCS2026_Commodities_Data.csv"
    text = (SNAPSHOT_DIR / "usgs_mcs/2026/MCS2026_Commodities_Data.csv").read_bytes()
    path.write_bytes(text.decode("cp1252").encode(encoding))
    expected = "usgs_mcs: 2026/MCS2026_Commodities_Data.csv: the file is UTF-16 text (a NUL byte"
    with pytest.raises(SourceDataError, match=re.escape(expected)):
        usgs.read_mcs2026_commodities(path)
    path.rename(path.with_name("WGIData.csv"))
    with pytest.raises(SourceDataError, match="wgi: WGIData.csv: the file is UTF-16 text"):
        inputs.check_csv("wgi", "WGIData.csv", path.with_name("WGIData.csv"))
