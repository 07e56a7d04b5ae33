"""The dashboard's Vega bundle is built by vl-convert once per version pair, then read back."""

import vl_convert

from pipelines.lib.dashboard import vega_bundle


def test_the_bundle_is_cached_per_version_and_read_back(tmp_path, monkeypatch):
    first = vega_bundle(tmp_path)
    assert "vegaEmbed" in first
    (cached,) = tmp_path.glob("vega-bundle-*.js")
    assert vl_convert.__version__ in cached.name and not list(tmp_path.glob(".*.tmp"))

    def must_not_bundle(**kwargs):
        raise AssertionError("bundled again although the same versions are cached")

    monkeypatch.setattr(vl_convert, "javascript_bundle", must_not_bundle)
    assert vega_bundle(tmp_path) == first

    calls = []
    monkeypatch.setattr(vl_convert, "__version__", "99.0.0")  # an upgrade: a new bundle
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda **kw: calls.append(kw) or "new")
    assert vega_bundle(tmp_path) == "new" and len(calls) == 1
    assert len(list(tmp_path.glob("vega-bundle-*.js"))) == 2


def test_a_cache_that_cannot_be_written_still_gives_the_bundle(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda **kw: "bundle")
    (tmp_path / "a-file").write_text("")
    unwritable = tmp_path / "a-file" / "cache"  # its parent is a file: mkdir fails
    assert vega_bundle(unwritable) == "bundle"
    assert "could not keep the Vega bundle" in caplog.text and "MINERALS_CACHE_DIR" in caplog.text


def test_the_cache_folder_is_per_user_and_can_be_moved(monkeypatch, tmp_path):
    from pipelines.lib.settings import cache_dir

    monkeypatch.delenv("MINERALS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "critical-minerals-warehouse"
    monkeypatch.setenv("MINERALS_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"


def test_without_a_home_the_cache_is_in_the_temp_folder(monkeypatch, tmp_path):
    import os
    from pathlib import Path

    from pipelines.lib.settings import cache_dir

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    for name in ("MINERALS_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Path, "home", no_home)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    assert cache_dir() == tmp_path / f"critical-minerals-warehouse-{os.getuid()}"
