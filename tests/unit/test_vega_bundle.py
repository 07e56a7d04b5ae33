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
