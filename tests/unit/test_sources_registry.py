"""The source registry, the ScienceBase link resolver and the IEA inbox."""

import datetime
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from pipelines.defs.resources import ENV_SETTINGS, SourcesResource
from pipelines.lib import exports, settings
from pipelines.lib.errors import SourceDataError
from pipelines.lib.paths import PROJECT_ROOT, SNAPSHOT_DIR
from pipelines.lib.sources import catalog, inbox, sciencebase
from pipelines.lib.sources.http import RetryPolicy, SourceDownloadError, make_session
from pipelines.lib.sources.landing import versions
from tests.support.replay_server import Fault, ReplayServer

POLICY = RetryPolicy(max_attempts=2, backoff_base_s=0.01, timeout_s=5.0)
MCS2025 = SNAPSHOT_DIR / "usgs_mcs/2025/MCS2025_World_Data.csv"
WORKBOOK = SNAPSHOT_DIR / "iea/CM_Data_Explorer_May2024.xlsx"


def test_env_example_lists_every_setting_with_its_registry_default():
    lines = (PROJECT_ROOT / ".env.example").read_text().splitlines()
    assigned = dict(line.lstrip("# ").split("=", 1) for line in lines if "=" in line)
    for setting in settings.all_settings():
        assert setting.env in assigned, setting.env
        if setting.default is not None:
            assert assigned[setting.env] == setting.default, setting.env
    assert set(ENV_SETTINGS) == {s.env for s in settings.all_settings()}


def test_resource_defaults_come_from_the_registry():
    resource = SourcesResource()
    for setting in settings.all_settings():
        if setting.resource == "sources" and setting.default and setting.field != "mode":
            value = getattr(resource, setting.field)
            assert str(value) == setting.default or Path(value) == PROJECT_ROOT / setting.default
    assert resource.baci_release_url.endswith("BACI_HS92_V202601.zip")


def test_exports_manifest_lists_each_registry_source_and_its_licence():
    names = [s["name"] for s in exports.SOURCES]
    assert names == [s.name for s in catalog.SOURCES.values()]
    assert {s["licence"] for s in exports.SOURCES} >= {"CC BY 4.0"}


def test_every_raw_table_has_a_freshness_window():
    from pipelines.definitions import defs

    raw = {".".join(k.path) for k in defs.resolve_all_asset_keys() if k.path[0] == "raw"}
    monthly = {t for t in raw if t.startswith(("raw.partner_monthly_", "raw.ecb_"))}
    assert monthly and all(catalog.freshness_days(t) == catalog.MONTHLY_FRESHNESS for t in monthly)
    assert all(catalog.freshness_days(t) == (370, 400) for t in raw - monthly)
    assert catalog.freshness_days("staging.production") is None


def test_next_release_and_baci_hint():
    due, what = catalog.next_release_due("usgs_mcs", 2026)
    assert due == datetime.date(2027, 2, 15) and "USGS" in what
    assert catalog.release_hints(datetime.date(2026, 12, 2)) == []
    (hint,) = catalog.release_hints(datetime.date(2027, 2, 10))
    assert "V202601" in hint and "BACI_HS92_V202701.zip" in hint


@pytest.fixture
def sb_server(tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    shutil.copy(MCS2025, www / MCS2025.name)
    with ReplayServer(www) as server:
        server.sciencebase_item("6798fd34d34ea8c18376e8ee", [MCS2025.name])
        yield server


def test_sciencebase_link_comes_from_the_item_json_and_the_file_lands(sb_server, tmp_path):
    landed = sciencebase.land_item_file(
        make_session(),
        "6798fd34d34ea8c18376e8ee",
        MCS2025.name,
        landing_root=tmp_path / "landing",
        base_url=sb_server.url("/catalog"),
        policy=POLICY,
    )
    (item_request,) = sb_server.requests_for("/catalog/item/6798fd34d34ea8c18376e8ee")
    assert item_request.query == {"format": ["json"], "fields": ["files"]}
    assert landed.sha256 == hashlib.sha256(MCS2025.read_bytes()).hexdigest()
    assert landed.url == sb_server.url(MCS2025.name) and landed.path.name == MCS2025.name


def test_a_file_the_item_does_not_list_is_an_error_listing_what_it_has(sb_server):
    with pytest.raises(SourceDataError) as err:
        sciencebase.file_link(
            make_session(),
            "6798fd34d34ea8c18376e8ee",
            "MCS2025_World_Data_v2.csv",
            base_url=sb_server.url("/catalog"),
            policy=POLICY,
        )
    assert "no file named MCS2025_World_Data_v2.csv" in str(err.value)
    assert MCS2025.name in str(err.value)


def test_an_html_page_for_the_csv_is_an_error(sb_server, tmp_path):
    sb_server.script(f"/{MCS2025.name}", [Fault.html_page()])
    with pytest.raises(SourceDownloadError, match="expected a csv file, got text/html"):
        sciencebase.land_item_file(
            make_session(),
            "6798fd34d34ea8c18376e8ee",
            MCS2025.name,
            landing_root=tmp_path / "landing",
            base_url=sb_server.url("/catalog"),
            policy=POLICY,
        )
    assert versions(tmp_path / "landing", "usgs_mcs") == []


def test_empty_inbox_says_where_to_download_and_where_to_put_it(tmp_path):
    with pytest.raises(SourceDataError) as err:
        inbox.land_from_inbox(tmp_path / "inbox", "iea", landing_root=tmp_path / "landing")
    message = str(err.value)
    assert catalog.IEA_DATASET_PAGE in message and "log in" in message
    assert str(tmp_path / "inbox" / "iea") in message


def test_inbox_lands_the_newest_workbook_with_its_checksum(tmp_path):
    box = tmp_path / "inbox" / "iea"
    box.mkdir(parents=True)
    old, new = box / "CM_Data_Explorer_May2024.xlsx", box / "CM_Data_Explorer_2025.xlsx"
    shutil.copy(WORKBOOK, old)
    new.write_bytes(WORKBOOK.read_bytes() + b"\0")  # another file, newer
    (box / "~$CM_Data_Explorer_2025.xlsx").write_bytes(b"lock")  # Excel's lock file: ignored
    os.utime(old, (1_700_000_000, 1_700_000_000))
    landed = inbox.land_from_inbox(tmp_path / "inbox", "iea", landing_root=tmp_path / "landing")
    assert (
        landed.path.name == new.name
        and landed.sha256 == hashlib.sha256(new.read_bytes()).hexdigest()
    )
    (entry,) = versions(tmp_path / "landing", "iea")
    assert entry["origin"] == f"inbox:{new}" and entry["sha256"] == landed.sha256
    again = inbox.land_from_inbox(tmp_path / "inbox", "iea", landing_root=tmp_path / "landing")
    assert again.reused and again.path == landed.path


def test_an_html_page_in_the_inbox_is_refused_and_never_landed(tmp_path):
    """Saved from a login or error page under the workbook's name: it used to land as a
    permanent version (and fail later, in the reader); now it is checked first, as a
    download is."""
    box = tmp_path / "inbox" / "iea"
    box.mkdir(parents=True)
    page = box / "CM_Data_Explorer_2025.xlsx"
    page.write_text("<!DOCTYPE html><html><head><title>Log in | IEA</title></head></html>\n")
    with pytest.raises(SourceDataError) as err:
        inbox.land_from_inbox(tmp_path / "inbox", "iea", landing_root=tmp_path / "landing")
    message = str(err.value)
    size = page.stat().st_size
    assert message.startswith(f"iea: {page}: not landed: expected an xlsx file, got {size} bytes ")
    assert "<!DOCTYPE html>" in message and catalog.IEA_DATASET_PAGE in message
    assert versions(tmp_path / "landing", "iea") == []
    assert not list((tmp_path / "landing").rglob("*.xlsx*"))  # no version, no .part left
